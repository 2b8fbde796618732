/* air-relay.c
 *
 * Qubes 4.3 can register a remote qube in dom0 as a RemoteVM whose
 * relayvm is our gateway and whose transport_rpc is qubesair.Relay. A call
 * to it then reaches the gateway as
 *
 *   qubesair.Relay+<remote qube>+<service>[+<service argument>]
 *
 * On a zone host (local driver) the service runs inside the named qube
 * with the caller's stdin, stdout and exit status; on a gateway with the
 * ssh driver the whole call is relayed to the zone host unchanged.
 *
 * Services are a table: adding one is one entry (its name and a handler
 * that runs it in the qube). Anything not in the table gets 127, what
 * qrexec answers for a service that does not exist.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-relay"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-error.h"
#include "air-file-services.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-relay.h"

#define MAX_SERVICE 64
#define MAX_ARGS    256

/* Reads commands from stdin, like qubes.VMShell in a Qubes qube. */
static int
relay_vmshell (AirDriver       *driver,
               const char      *qube,
               const char      *service_arg,
               GError         **error)
{
  static const char * const argv[] = { "/bin/sh", NULL };

  return air_relay_run_command (driver, qube, argv, error);
}

/* Runs the command its argument encodes, like qubes.VMExec. */
static int
relay_vmexec (AirDriver       *driver,
              const char      *qube,
              const char      *service_arg,
              GError         **error)
{
  g_auto(GStrv) argv = air_relay_decode_vmexec (service_arg, error);

  if (argv == NULL)
    return -1;
  return air_relay_run_command (driver, qube, (const char * const *) argv, error);
}

/* qvm-copy from a local qube: the files land in the remote qube's
 * ~/QubesIncoming/<caller>/, the caller being who qrexec says called. */
static int
relay_filecopy (AirDriver       *driver,
                const char      *qube,
                const char      *service_arg,
                GError         **error)
{
  return air_file_services_put (driver, qube, g_getenv ("QREXEC_REMOTE_DOMAIN"));
}

static const AirRelayService services[] = {
  { "qubes.VMShell", relay_vmshell },
  { "qubes.VMExec", relay_vmexec },
  { "qubes.VMExecGUI", relay_vmexec },   /* no GUI here: the same command */
  { "qubes.Filecopy", relay_filecopy },
};

gboolean
air_relay_parse_argument (const char  *arg,
                          char       **qube,
                          char       **service,
                          char       **service_arg,
                          GError     **error)
{
  g_auto(GStrv) parts = NULL;
  gsize service_len;

  if (arg == NULL || arg[0] == '\0')
    goto bad;
  parts = g_strsplit (arg, "+", 3);
  if (g_strv_length (parts) < 2)
    goto bad;

  if (!air_name_validate (parts[0], "qube", error))
    return FALSE;

  service_len = strlen (parts[1]);
  if (service_len == 0 || service_len > MAX_SERVICE)
    goto bad;
  for (gsize i = 0; i < service_len; i++)
    if (!g_ascii_isalnum (parts[1][i]) && strchr ("._-", parts[1][i]) == NULL)
      goto bad;

  *qube = g_strdup (parts[0]);
  *service = g_strdup (parts[1]);
  *service_arg = g_strdup (parts[2] ? parts[2] : "");
  return TRUE;

bad:
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                       _("The relay argument must be QUBE+SERVICE or QUBE+SERVICE+ARGUMENT"));
  return FALSE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Qubes' encoding of a command line in a service argument: the words are
 * joined with "+", and in each word "--" stands for "-" and "-XX" (two
 * upper-case hex digits) for the byte XX; any other "-" is an error. */
char **
air_relay_decode_vmexec (const char  *arg,
                         GError     **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = NULL;

  if (arg == NULL || arg[0] == '\0')
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("qubes.VMExec needs the command in its argument"));
      return NULL;
    }

  words = g_strsplit (arg, "+", MAX_ARGS + 1);
  if (g_strv_length (words) > MAX_ARGS)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("A command may have at most %d words"), MAX_ARGS);
      return NULL;
    }

  for (guint w = 0; words[w] != NULL; w++)
    {
      GString *word = g_string_new (NULL);
      const char *p = words[w];

      while (*p != '\0')
        {
          if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
            goto bad;
          if (*p != '-')
            g_string_append_c (word, *p++);
          else if (p[1] == '-')
            {
              g_string_append_c (word, '-');
              p += 2;
            }
          else if (hex_value (p[1]) >= 0 && hex_value (p[2]) >= 0)
            {
              int byte = hex_value (p[1]) * 16 + hex_value (p[2]);

              if (byte == 0)
                goto bad;
              g_string_append_c (word, (char) byte);
              p += 3;
            }
          else
            goto bad;
        }
      g_ptr_array_add (argv, g_string_free (word, FALSE));
      continue;

    bad:
      g_string_free (word, TRUE);
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The qubes.VMExec argument is not encoded as Qubes encodes it"));
      return NULL;
    }

  if (((char *) argv->pdata[0])[0] == '\0')
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("qubes.VMExec needs the command in its argument"));
      return NULL;
    }

  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
}

/* A command in @qube with our stdin, stdout and stderr, as Run does. */
int
air_relay_run_command (AirDriver           *driver,
                       const char          *qube,
                       const char * const  *argv,
                       GError             **error)
{
  g_autoptr(AirRunHeader) header = g_new0 (AirRunHeader, 1);

  header->argv = g_strdupv ((char **) argv);
  header->user = g_strdup ("user");
  return air_driver_run (driver, qube, header, error);
}

int
air_relay_serve (AirDriver      *driver,
                 const char     *arg)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *qube = NULL;
  g_autofree char *service = NULL;
  g_autofree char *service_arg = NULL;

  if (!air_relay_parse_argument (arg, &qube, &service, &service_arg, &error))
    {
      g_printerr ("%s\n", error->message);
      return AIR_RUN_EXIT_FAILED;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (services); i++)
    if (strcmp (services[i].service, service) == 0)
      {
        int status = services[i].handler (driver, qube, service_arg, &error);

        if (status < 0)
          {
            g_printerr ("%s\n", error->message);
            return AIR_RUN_EXIT_FAILED;
          }
        return status;
      }

  g_printerr (_("The service %s does not exist in qube “%s”\n"), service, qube);
  return AIR_RELAY_EXIT_NO_SERVICE;
}
