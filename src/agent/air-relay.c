/* air-relay.c
 *
 * Qubes 4.3 can register a remote qube in dom0 as a RemoteVM whose
 * relayvm is our gateway and whose transport_rpc is qubesair.Relay. A call
 * to it then reaches the gateway as
 *
 *   qubesair.Relay+<remote qube>+<service>[+<service argument>]
 *
 * — the RemoteVM's own dom0 name, not its remote_name: that reaches the
 * gateway only through QubesDB, as /remote/<dom0 name> (qubes-core-admin's
 * relay extension). The gateway maps one to the other before anything else
 * (air_relay_map_argument); where there is no QubesDB, or no such key, the
 * name is the zone's qube's own.
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
#include <unistd.h>

#include "air-error.h"
#include "air-fd-io.h"
#include "air-file-services.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-relay.h"
#include "air-vmexec.h"
#include "air-remotevm.h"

#define MAX_SERVICE 64

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
  g_auto(GStrv) argv = air_vmexec_decode (service_arg, error);

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

/* qvm-open-in-vm: a 256-byte name (NUL-padded, maybe "view-only-"
 * first), then the file. As Qubes' vm-file-editor does, the name keeps
 * only [0-9A-Za-z._+@-] (others become "_"); the file is opened in the
 * qube, and sent back if it was changed (by content: a change within the
 * same second as the copy must not be missed). */
static int
relay_open_in_vm (AirDriver       *driver,
                  const char      *qube,
                  const char      *service_arg,
                  GError         **error)
{
  static const char script[] =
    "d=$(mktemp -d) && f=\"$d/$1\" && cat >\"$f\" || exit 1\n"
    "[ \"$2\" = 1 ] && chmod 0400 \"$f\"\n"
    "before=$(cksum <\"$f\")\n"
    "if command -v qubes-open >/dev/null; then open=qubes-open\n"
    "elif command -v xdg-open >/dev/null; then open=xdg-open\n"
    "else echo 'This qube has no program to open files with (qubes-open or xdg-open).' >&2; rm -rf \"$d\"; exit 1\n"
    "fi\n"
    "\"$open\" \"$f\" </dev/null >/dev/null 2>&1\n"
    "status=$?\n"
    "[ \"$(cksum <\"$f\")\" != \"$before\" ] && cat \"$f\"\n"
    "rm -rf \"$d\"\n"
    "exit $status\n";
  char header[OPEN_IN_VM_NAME_SIZE];
  g_autofree char *name = NULL;
  const char *argv[] = { "/bin/sh", "-c", script, "sh", NULL, NULL, NULL };
  gboolean view_only;
  gsize len;

  if (air_fd_read_full (STDIN_FILENO, header, sizeof header) != sizeof header)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("qubes.OpenInVM: the caller sent no file name"));
      return -1;
    }
  header[sizeof header - 1] = '\0';
  view_only = g_str_has_prefix (header, OPEN_IN_VM_VIEW_ONLY);
  name = g_strdup (header + (view_only ? strlen (OPEN_IN_VM_VIEW_ONLY) : 0));
  len = strlen (name);
  if (len == 0 || strchr (name, '/') != NULL || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("qubes.OpenInVM: the file has no name, or a name with “/”"));
      return -1;
    }
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && strchr ("._-+@", name[i]) == NULL)
      name[i] = '_';

  argv[4] = name;
  argv[5] = view_only ? "1" : "0";
  return air_relay_run_command (driver, qube, argv, error);
}

/* qvm-open-in-vm for a link: one line, http, https or ftp only, as Qubes'
 * own qubes.OpenURL allows. */
static int
relay_open_url (AirDriver       *driver,
                const char      *qube,
                const char      *service_arg,
                GError         **error)
{
  static const char * const argv[] = {
    "/bin/sh", "-c",
    "read -r url\n"
    "case \"$url\" in\n"
    "  http://*|https://*|ftp://*) ;;\n"
    "  *) echo 'Invalid URL' >&2; exit 1 ;;\n"
    "esac\n"
    "if command -v qubes-open >/dev/null; then exec qubes-open \"$url\"; fi\n"
    "if command -v xdg-open >/dev/null; then exec xdg-open \"$url\"; fi\n"
    "echo 'This qube has no program to open links with (qubes-open or xdg-open).' >&2\n"
    "exit 1\n",
    NULL
  };

  return air_relay_run_command (driver, qube, argv, error);
}

/* What qvm-run waits on before it runs a GUI command: a qube of ours is
 * ready once it runs, and running a command in it starts it if need be. */
static int
relay_wait_for_session (AirDriver       *driver,
                        const char      *qube,
                        const char      *service_arg,
                        GError         **error)
{
  static const char * const argv[] = { "true", NULL };

  return air_relay_run_command (driver, qube, argv, error);
}

static const AirRelayService services[] = {
  { "qubes.VMShell", relay_vmshell },
  { "qubes.VMExec", relay_vmexec },
  { "qubes.VMExecGUI", relay_vmexec },   /* no GUI here: the same command */
  { "qubes.Filecopy", relay_filecopy },
  { "qubes.OpenInVM", relay_open_in_vm },
  { "qubes.OpenURL", relay_open_url },
  { "qubes.WaitForSession", relay_wait_for_session },
};

/* The zone's own name for @dom0_name: QubesDB's /remote/<dom0_name> where
 * there is a QubesDB (a Qubes gateway), else the name itself. A mapped
 * name may be written ZONE:NAME; a ZONE other than ours is refused. */
static char *
map_name (const char  *dom0_name,
          const char  *zone,
          GError     **error)
{
  g_autofree char *reader = g_find_program_in_path ("qubesdb-read");
  g_autofree char *key = g_strconcat ("/remote/", dom0_name, NULL);
  g_autofree char *out = NULL;
  const char *argv[] = { NULL, key, NULL };
  const char *colon;
  char *name;
  int status = -1;

  if (reader == NULL)
    return g_strdup (dom0_name);
  argv[0] = reader;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL) || out == NULL)
    return g_strdup (dom0_name);   /* not a RemoteVM with a remote_name */

  g_strchomp (out);
  name = out;
  if ((colon = strchr (out, ':')) != NULL)
    {
      g_autofree char *its_zone = g_strndup (out, colon - out);

      if (g_strcmp0 (its_zone, zone) != 0)
        {
          g_autofree char *shown = air_text_sanitize (its_zone, -1, 40);

          g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                       _("RemoteVM “%s” names a qube of zone “%s”, and this gateway serves zone “%s”"),
                       dom0_name, shown, zone);
          return NULL;
        }
      name = (char *) colon + 1;
    }
  if (!air_name_validate (name, "qube", error))
    {
      g_prefix_error (error, _("QubesDB’s remote name for “%s”: "), dom0_name);
      return NULL;
    }
  return g_strdup (name);
}

/* The other way, for a call out of the zone: the dom0 name whose
 * /remote/ entry is @qube of @zone, i.e. the RemoteVM the call comes
 * from. Without QubesDB, the name "qair remotevm script" gives it. */
char *
air_relay_dom0_name (const char  *zone,
                     const char  *qube,
                     GError     **error)
{
  g_autofree char *lister = g_find_program_in_path ("qubesdb-list");
  g_autofree char *out = NULL;
  g_auto(GStrv) keys = NULL;
  const char *argv[] = { NULL, "/remote/", NULL };
  int status = -1;

  if (lister == NULL)
    return air_remotevm_dom0_name (zone, qube);

  argv[0] = lister;
  if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                    &out, NULL, &status, NULL) &&
      g_spawn_check_wait_status (status, NULL) && out != NULL)
    keys = g_strsplit (out, "\n", 1024);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      /* Names relative to /remote/, or whole paths. */
      const char *name = strrchr (keys[i], '/') ? strrchr (keys[i], '/') + 1 : keys[i];
      g_autofree char *mapped = NULL;

      if (!air_name_is_valid (name))
        continue;
      mapped = map_name (name, zone, NULL);
      if (g_strcmp0 (mapped, qube) == 0)
        return g_strdup (name);
    }

  g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
               _("Qube “%s” of zone “%s” is not a RemoteVM in dom0, so it cannot call local qubes. "
                 "Register it with “qair remotevm script --zone %s %s” first."),
               qube, zone, zone, qube);
  return NULL;
}

char *
air_relay_map_argument (const char  *arg,
                        const char  *zone,
                        GError     **error)
{
  g_autofree char *dom0_name = NULL;
  g_autofree char *qube = NULL;
  const char *plus = arg != NULL ? strchr (arg, '+') : NULL;

  if (plus == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The relay argument must be QUBE+SERVICE or QUBE+SERVICE+ARGUMENT"));
      return NULL;
    }
  dom0_name = g_strndup (arg, plus - arg);
  if (!air_name_validate (dom0_name, "qube", error) ||
      (qube = map_name (dom0_name, zone, error)) == NULL)
    return NULL;
  return g_strconcat (qube, plus, NULL);
}

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
