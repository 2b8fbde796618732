/* air-cli-cred.c
 *
 *   qair cred put ZONE --kind KIND --label LABEL [--gateway QUBE]
 *   qair cred put ZONE --kind proxmox-token [--label LABEL]
 *     (stored as kind api-token: a Proxmox VE API token
 *     USER@REALM!TOKENID=SECRET, checked for that form first)
 *   qair cred ls [--json]
 *   qair cred rm ZONE [--kind KIND]
 *
 * The secret of “put” comes from stdin, or from a prompt that does not
 * echo when stdin is a terminal; never from an argument, which other users
 * could read in the process list and which lands in shell history.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "air-cli-cred.h"
#include "air-cli-wait.h"
#include "air-json.h"
#include "air-secret-buffer.h"
#include "air-vault-client.h"

static GBytes *
read_secret (const char  *zone,
             const char  *kind,
             GError     **error)
{
  AirSecretBuffer *buffer = air_secret_buffer_new (AIR_VAULT_MAX_SECRET + 2);
  gboolean terminal = isatty (STDIN_FILENO);
  struct termios saved;
  gboolean echo_off = FALSE;
  gsize len = 0;

  if (terminal)
    {
      g_autofree char *prompt = g_strdup_printf (_("Secret (%s) for zone %s: "), kind, zone);

      echo_off = air_cli_echo_off (prompt, &saved);
    }

  while (len < buffer->size)
    {
      gssize n = read (STDIN_FILENO, buffer->data + len, terminal ? 1 : buffer->size - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += n;
      if (terminal && buffer->data[len - 1] == '\n')
        break;
    }

  if (echo_off)
    air_cli_echo_restore (&saved);

  if (len > AIR_VAULT_MAX_SECRET + 1)
    {
      air_secret_buffer_free (buffer);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                           _("The secret is larger than 64 KiB."));
      return NULL;
    }

  /* One final line break is the terminal's or echo's, not the secret's. */
  if (len > 0 && buffer->data[len - 1] == '\n')
    len--;
  if (len > 0 && buffer->data[len - 1] == '\r')
    len--;

  if (len == 0)
    {
      air_secret_buffer_free (buffer);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           terminal ? _("No secret was entered.")
                           : _("No secret on standard input: pipe it in, e.g. "
                               "“qair cred put ZONE --kind K --label L < token-file”."));
      return NULL;
    }

  return air_secret_buffer_to_bytes (buffer, len);
}

/* The form the proxmox driver sends (Authorization: PVEAPIToken=…),
 * checked here so a mistyped token is said at once, not at the first call.
 * Never shown: the message says only what is wrong. */
static gboolean
proxmox_token_is_valid (GBytes *secret)
{
  gsize len = 0;
  const char *token = g_bytes_get_data (secret, &len);
  const char *at = memchr (token, '@', len);
  const char *bang = memchr (token, '!', len);
  const char *equals = memchr (token, '=', len);

  if (at == NULL || bang == NULL || equals == NULL || at == token ||
      !(at < bang && bang < equals) || equals + 1 == token + len || len > 512)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (token[i] <= ' ' || token[i] > '~')
      return FALSE;
  return TRUE;
}

static int
cred_put (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirVaultClient) client = NULL;
  g_autoptr(AirCredentialInfo) info = NULL;
  g_autoptr(GBytes) secret = NULL;
  g_auto(AirCliWait) wait = { 0 };
  g_autofree char *kind = NULL;
  g_autofree char *label = NULL;
  g_autofree char *gateway = NULL;
  g_autofree char *kinds = g_strjoinv (", ", (char **) air_credential_kinds);
  g_autofree char *kind_help = g_strdup_printf (_("What it is: %s (proxmox-token: an api-token)"), kinds);
  gboolean proxmox;
  const GOptionEntry entries[] = {
    { "kind", 'k', 0, G_OPTION_ARG_STRING, &kind, kind_help, "KIND" },
    { "label", 'l', 0, G_OPTION_ARG_STRING, &label, N_("A description shown in lists"), "LABEL" },
    { "gateway", 'g', 0, G_OPTION_ARG_STRING, &gateway,
      N_("The qube allowed to read it (default: sys-remote-ZONE)"), "QUBE" },
    { NULL }
  };

  context = g_option_context_new (_("ZONE — store a credential for a zone"));
  g_option_context_set_description (context,
    _("The secret is read from standard input, or asked for without echo when it is a "
      "terminal. For kind ssh-key give an unencrypted OpenSSH ed25519 private key file; "
      "to make a key inside the vault instead, use “qair key generate”."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, "qair cred put", error->message);

  if (argc != 2)
    return air_cli_usage_error (context, "qair cred put", _("Give exactly one zone."));
  /* Proxmox's kind, stored as api-token; only under this name is the
   * secret held to the form the proxmox driver sends. */
  proxmox = g_strcmp0 (kind, "proxmox-token") == 0;
  if (proxmox)
    {
      g_free (kind);
      kind = g_strdup ("api-token");
      if (label == NULL)
        label = g_strdup (_("Proxmox API token"));
    }
  if (kind == NULL || label == NULL)
    return air_cli_usage_error (context, "qair cred put", _("Give --kind and --label."));
  if (!air_credential_kind_is_valid (kind))
    {
      g_autofree char *message = g_strdup_printf (_("Unknown kind “%s”; use one of: %s."), kind, kinds);

      return air_cli_usage_error (context, "qair cred put", message);
    }

  secret = read_secret (argv[1], kind, &error);
  if (secret == NULL)
    {
      g_printerr ("qair cred put: %s\n", error->message);
      return AIR_CLI_EXIT_FAILED;
    }
  if (proxmox && !proxmox_token_is_valid (secret))
    {
      g_printerr ("qair cred put: %s\n",
                  _("A Proxmox API token is USER@REALM!TOKENID=SECRET, e.g. “root@pam!qubes=” and the "
                    "token's secret, as Proxmox VE showed it when the token was made. Nothing was stored."));
      return AIR_CLI_EXIT_FAILED;
    }

  air_cli_wait_init (&wait);
  client = air_vault_client_new (NULL);
  air_vault_client_put_async (client, argv[1], kind, label, gateway, secret,
                              NULL, air_cli_wait_cb, &wait);
  g_clear_pointer (&secret, g_bytes_unref);
  info = air_vault_client_put_finish (client, air_cli_wait_finish (&wait), &error);
  if (info == NULL)
    {
      g_printerr (_("qair cred put: could not store the credential in qube “%s”: %s\n"),
                  air_vault_client_get_vault_qube (client), error->message);
      return AIR_CLI_EXIT_FAILED;
    }

  g_print (_("Stored %s “%s” for zone %s; only %s can read it.\n"),
           air_credential_info_get_kind (info), air_credential_info_get_label (info),
           air_credential_info_get_zone (info), air_credential_info_get_gateway (info));
  if (air_credential_info_get_public_key (info) != NULL)
    g_print ("%s\n", air_credential_info_get_public_key (info));
  return AIR_CLI_EXIT_OK;
}

static char *
format_stored (gint64 stored)
{
  g_autoptr(GDateTime) time = NULL;

  if (stored <= 0 || (time = g_date_time_new_from_unix_local (stored)) == NULL)
    return g_strdup ("-");
  return g_date_time_format (time, "%Y-%m-%d %H:%M");
}

static void
print_json (GPtrArray *infos)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < infos->len; i++)
    {
      AirCredentialInfo *info = g_ptr_array_index (infos, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "zone");
      json_builder_add_string_value (builder, air_credential_info_get_zone (info));
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, air_credential_info_get_kind (info));
      json_builder_set_member_name (builder, "label");
      json_builder_add_string_value (builder, air_credential_info_get_label (info));
      json_builder_set_member_name (builder, "gateway");
      json_builder_add_string_value (builder, air_credential_info_get_gateway (info));
      json_builder_set_member_name (builder, "stored");
      json_builder_add_int_value (builder, air_credential_info_get_stored (info));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  text = air_json_to_string (root);
  g_print ("%s\n", text);
}

static int
cred_ls (int    argc,
         char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirVaultClient) client = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_auto(AirCliWait) wait = { 0 };
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("— list the credentials in the vault (never their secrets)"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, "qair cred ls", error->message);
  if (argc != 1)
    return air_cli_usage_error (context, "qair cred ls", _("“ls” takes no arguments."));

  air_cli_wait_init (&wait);
  client = air_vault_client_new (NULL);
  air_vault_client_list_async (client, NULL, air_cli_wait_cb, &wait);
  infos = air_vault_client_list_finish (client, air_cli_wait_finish (&wait), &error);
  if (infos == NULL)
    {
      g_printerr (_("qair cred ls: could not list the credentials of qube “%s”: %s\n"),
                  air_vault_client_get_vault_qube (client), error->message);
      return AIR_CLI_EXIT_FAILED;
    }

  if (json)
    {
      print_json (infos);
      return AIR_CLI_EXIT_OK;
    }

  if (infos->len == 0)
    {
      g_print (_("No credentials are stored.\n"));
      return AIR_CLI_EXIT_OK;
    }

  g_print ("%-20s %-16s %-20s %-32s %s\n", _("ZONE"), _("KIND"), _("GATEWAY"), _("LABEL"), _("STORED"));
  for (guint i = 0; i < infos->len; i++)
    {
      AirCredentialInfo *info = g_ptr_array_index (infos, i);
      g_autofree char *stored = format_stored (air_credential_info_get_stored (info));

      g_print ("%-20s %-16s %-20s %-32s %s\n",
               air_credential_info_get_zone (info), air_credential_info_get_kind (info),
               air_credential_info_get_gateway (info), air_credential_info_get_label (info),
               stored);
    }
  return AIR_CLI_EXIT_OK;
}

static int
cred_rm (int    argc,
         char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirVaultClient) client = NULL;
  g_auto(AirCliWait) wait = { 0 };
  g_autofree char *kind = NULL;
  guint n_deleted = 0;
  const GOptionEntry entries[] = {
    { "kind", 'k', 0, G_OPTION_ARG_STRING, &kind,
      N_("Remove only this kind (default: all of the zone's)"), "KIND" },
    { NULL }
  };

  context = g_option_context_new (_("ZONE — remove a zone's credentials from the vault"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, "qair cred rm", error->message);
  if (argc != 2)
    return air_cli_usage_error (context, "qair cred rm", _("Give exactly one zone."));
  if (kind != NULL && !air_credential_kind_is_valid (kind))
    return air_cli_usage_error (context, "qair cred rm", _("Unknown kind."));

  air_cli_wait_init (&wait);
  client = air_vault_client_new (NULL);
  air_vault_client_delete_async (client, argv[1], kind, NULL, air_cli_wait_cb, &wait);
  if (!air_vault_client_delete_finish (client, air_cli_wait_finish (&wait), &n_deleted, &error))
    {
      g_printerr (_("qair cred rm: could not remove from qube “%s”: %s\n"),
                  air_vault_client_get_vault_qube (client), error->message);
      return AIR_CLI_EXIT_FAILED;
    }

  g_print (g_dngettext (GETTEXT_PACKAGE, "Removed %u credential of zone %s.\n",
                        "Removed %u credentials of zone %s.\n", n_deleted),
           n_deleted, argv[1]);
  return AIR_CLI_EXIT_OK;
}

int
air_cli_cred_main (int    argc,
                   char **argv)
{
  static const struct {
    const char *name;
    int (*run) (int argc, char **argv);
  } actions[] = {
    { "put", cred_put },
    { "ls", cred_ls },
    { "rm", cred_rm },
  };

  if (argc >= 2)
    for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
      if (g_str_equal (argv[1], actions[i].name))
        {
          g_autofree char *prgname = g_strdup_printf ("qair cred %s", actions[i].name);
          g_auto(GStrv) args = g_new0 (char *, argc);
          int n_args = argc - 1;
          char **parse = NULL;
          int status;

          /* GOptionContext removes what it parses; keep our own copy to free. */
          args[0] = g_strdup (prgname);
          for (int k = 2; k < argc; k++)
            args[k - 1] = g_strdup (argv[k]);
          parse = g_memdup2 (args, sizeof (char *) * argc);
          status = actions[i].run (n_args, parse);
          g_free (parse);
          return status;
        }

  g_printerr (_("Usage: qair cred put ZONE --kind KIND --label LABEL [--gateway QUBE] < SECRET\n"
                "       qair cred ls [--json]\n"
                "       qair cred rm ZONE [--kind KIND]\n"));
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
         ? AIR_CLI_EXIT_OK : AIR_CLI_EXIT_USAGE;
}
