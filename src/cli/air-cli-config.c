/* air-cli-config.c
 *
 *   qair config export [--zone Z] (--recipient age1…|--recipient-file F|--passphrase) [-o FILE]
 *                      [--with-secrets [--yes]]
 *   qair config import FILE (--identity F|--identity-in-vault NAME|--passphrase) [--replace] [--yes]
 *
 * Carries the zone configuration to another management qube, or keeps a
 * copy of it, as one file in the age format (air-age.c): encrypted to age
 * recipients (X25519 keys, e.g. from age-keygen) or to a passphrase.
 * What travels is the zone list — drivers, gateways, hosts, ports, users,
 * WireGuard endpoints —, and no secret unless --with-secrets asks for
 * them (confirmed on a terminal, or --yes): the vault then writes the
 * zones' credentials and keys into an age file of its own, to the same
 * recipients or passphrase, which travels inside this one; importing, the
 * vault opens it and stores them again. They are never plain text in the
 * management qube. Importing shows what will change and asks before it changes
 * anything; each imported ssh zone's gateway is then configured as by
 * “qair zone add”, and its host key must be pinned again (“qair zone
 * trust”), on the new gateway, against the host itself.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "air-age.h"
#include "air-cli.h"
#include "air-cli-config.h"
#include "air-config-bundle.h"
#include "air-cli-wait.h"
#include "air-cli-zones.h"
#include "air-crypto.h"
#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-transport.h"
#include "air-vault-client.h"
#include "air-zone-registry.h"
#include "air-zone-setup-client.h"

#define MAX_PASSPHRASE   1024
#define MAX_KEY_FILE     (64 * 1024)

/* One line from the terminal with echo off, or from standard input when
 * it is not a terminal (scripts). Returned in memory that is wiped when
 * freed with free_passphrase(). */
static char *
read_line_quietly (const char *prompt)
{
  struct termios saved;
  gboolean echo_off = FALSE;
  char *line = sodium_malloc (MAX_PASSPHRASE + 2);
  gsize len = 0;

  if (line == NULL)
    return NULL;
  if (isatty (STDIN_FILENO))
    echo_off = air_cli_echo_off (prompt, &saved);
  while (len < MAX_PASSPHRASE + 1)
    {
      gssize n = read (STDIN_FILENO, line + len, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || line[len] == '\n')
        break;
      len++;
    }
  if (echo_off)
    air_cli_echo_restore (&saved);
  if (len > 0 && line[len - 1] == '\r')
    len--;
  line[len] = '\0';
  return line;
}

static void
free_passphrase (char *passphrase)
{
  if (passphrase != NULL)
    sodium_free (passphrase);
}

typedef char AirPassphrase;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirPassphrase, free_passphrase)

static char *
ask_passphrase (gboolean confirm, GError **error)
{
  char *first = read_line_quietly (_("Passphrase: "));
  char *second;

  if (first == NULL || *first == '\0' || strlen (first) > MAX_PASSPHRASE)
    {
      free_passphrase (first);
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           isatty (STDIN_FILENO)
                           ? _("No passphrase was entered (at most 1,024 characters).")
                           : _("No passphrase on standard input: give it as its first line."));
      return NULL;
    }
  if (!confirm || !isatty (STDIN_FILENO))
    return first;
  second = read_line_quietly (_("The same passphrase again: "));
  if (second == NULL || strcmp (first, second) != 0)
    {
      free_passphrase (first);
      free_passphrase (second);
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The two passphrases differ; nothing was written."));
      return NULL;
    }
  free_passphrase (second);
  return first;
}

static GStrv
read_key_file (const char *path, const char *prefix, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  GStrv keys;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (len > MAX_KEY_FILE || memchr (contents, '\0', len) != NULL)
    {
      sodium_memzero (contents, len);
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("%s is not a key file (binary, or larger than 64 KiB)"), path);
      return NULL;
    }
  keys = air_age_parse_key_file (contents, prefix, error);
  sodium_memzero (contents, len);
  return keys;
}

static void
wipe_strv (GStrv strv)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    sodium_memzero (strv[i], strlen (strv[i]));
  g_strfreev (strv);
}

typedef char **AirKeyList;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (AirKeyList, wipe_strv, NULL)

/* Asks before secrets go into a file: on a terminal "yes", else --yes. */
static gboolean
confirm_secrets (const char * const *zones)
{
  g_autofree char *names = g_strjoinv (", ", (char **) zones);
  char reply[16] = "";

  g_printerr (_("The file will also hold the vault's credentials and keys of these zones: %s — SSH and "
                "WireGuard private keys and provider credentials. Whoever can open the file can use them.\n"
                "Export them? Type “yes”: "), names);
  return fgets (reply, sizeof reply, stdin) != NULL && strcmp (g_strstrip (reply), "yes") == 0;
}

static int
config_export (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) recipient_args = NULL;
  g_auto(GStrv) recipient_files = NULL;
  g_auto(GStrv) recipients = NULL;
  g_autoptr(AirPassphrase) secret = NULL;
  g_autoptr(GStrvBuilder) zone_builder = g_strv_builder_new ();
  g_auto(GStrv) zone_names = NULL;
  gboolean passphrase = FALSE, with_secrets = FALSE, yes = FALSE;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone, N_("Export only this zone"), "ZONE" },
    { "with-secrets", 0, 0, G_OPTION_ARG_NONE, &with_secrets,
      N_("Also the vault's credentials and keys of the exported zones (asked for confirmation)"), NULL },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, N_("Do not ask before exporting secrets"), NULL },
    { "recipient", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &recipient_args,
      N_("Encrypt to this age recipient (repeatable)"), "age1…" },
    { "recipient-file", 'R', 0, G_OPTION_ARG_FILENAME_ARRAY, &recipient_files,
      N_("Encrypt to the age recipients listed in this file (repeatable)"), "FILE" },
    { "passphrase", 'p', 0, G_OPTION_ARG_NONE, &passphrase,
      N_("Encrypt to a passphrase (asked for; the first line of standard input in scripts)"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE, not standard output"), "FILE" },
    { NULL }
  };

  context = g_option_context_new (_("— write the zone configuration as an age-encrypted file"));
  g_option_context_set_description (context,
    _("The zone list travels (drivers, gateways, hosts, users, WireGuard endpoints); "
      "no credential or key leaves the vault unless --with-secrets asks for them, and then "
      "the vault encrypts them itself."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, "qair config export", error->message);
  if (argc != 1)
    return air_cli_usage_error (context, "qair config export", _("Unexpected argument."));
  if (passphrase == (recipient_args != NULL || recipient_files != NULL))
    return air_cli_usage_error (context, "qair config export",
                                _("Give either recipients (--recipient, --recipient-file) or --passphrase."));
  if (output == NULL && isatty (STDOUT_FILENO))
    return air_cli_usage_error (context, "qair config export",
                                _("The output is binary: redirect it to a file or give --output FILE."));
  if (with_secrets && !yes && !isatty (STDIN_FILENO))
    return air_cli_usage_error (context, "qair config export",
                                _("--with-secrets asks for confirmation on a terminal; without one, add --yes."));
  if (yes && !with_secrets)
    return air_cli_usage_error (context, "qair config export", _("--yes goes with --with-secrets."));

  for (guint i = 0; recipient_args != NULL && recipient_args[i] != NULL; i++)
    {
      if (!air_age_recipient_validate (recipient_args[i], &error))
        return air_cli_fail (error);
      g_strv_builder_add (builder, recipient_args[i]);
    }
  for (guint i = 0; recipient_files != NULL && recipient_files[i] != NULL; i++)
    {
      g_auto(GStrv) keys = read_key_file (recipient_files[i], "age1", &error);

      if (keys == NULL)
        return air_cli_fail (error);
      g_strv_builder_addv (builder, (const char **) keys);
    }
  recipients = g_strv_builder_end (builder);

  if (!air_zone_registry_load (registry, &error))
    return air_cli_fail (error);
  if (zone != NULL && air_zone_registry_lookup (registry, zone) == NULL)
    {
      g_autofree char *shown = air_text_sanitize (zone, -1, 40);

      g_printerr (_("qair: There is no zone called “%s”. “qair zones” lists them.\n"), shown);
      return AIR_CLI_EXIT_FAILED;
    }
  if (zone != NULL)
    g_strv_builder_add (zone_builder, zone);
  else
    {
      GListModel *all = air_zone_registry_get_zones (registry);

      for (guint i = 0; i < g_list_model_get_n_items (all); i++)
        {
          g_autoptr(AirZone) item = g_list_model_get_item (all, i);

          g_strv_builder_add (zone_builder, air_zone_get_name (item));
        }
    }
  zone_names = g_strv_builder_end (zone_builder);
  if (with_secrets && !yes && !confirm_secrets ((const char * const *) zone_names))
    {
      g_printerr ("qair: %s\n", _("Nothing was exported."));
      return AIR_CLI_EXIT_FAILED;
    }

  if (passphrase && (secret = ask_passphrase (TRUE, &error)) == NULL)
    return air_cli_fail (error);

  if (with_secrets)
    {
      /* The vault encrypts them itself, to the same recipients or
       * passphrase: they are never plain text here. */
      g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
      g_autoptr(AirVaultExport) exported = NULL;
      g_auto(AirCliWait) wait = { 0 };

      air_cli_wait_init (&wait);
      air_vault_client_export_async (client, (const char * const *) zone_names,
                                     (const char * const *) recipients, secret,
                                     NULL, air_cli_wait_cb, &wait);
      exported = air_vault_client_export_finish (client, air_cli_wait_finish (&wait), &error);
      if (exported == NULL)
        {
          g_prefix_error (&error, _("The vault qube “%s” exported no secrets: "),
                          air_vault_client_get_vault_qube (client));
          return air_cli_fail (error);
        }
      plain = air_config_bundle_export_with_secrets (registry, zone, exported->file);
      g_printerr (ngettext ("The file holds %u credential or key of the vault.\n",
                            "The file holds %u credentials and keys of the vault.\n", exported->count),
                  exported->count);
    }
  else
    plain = air_config_bundle_export (registry, zone);

  if (passphrase)
    file = air_age_encrypt_passphrase (plain, secret, AIR_AGE_SCRYPT_LOG_N, &error);
  else
    file = air_age_encrypt (plain, (const char * const *) recipients, &error);
  if (file == NULL)
    return air_cli_fail (error);

  if (output != NULL)
    {
      if (!g_file_set_contents_full (output, g_bytes_get_data (file, NULL), g_bytes_get_size (file),
                                     G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                     0600, &error))
        return air_cli_fail (error);
    }
  else if (fwrite (g_bytes_get_data (file, NULL), 1, g_bytes_get_size (file), stdout) != g_bytes_get_size (file) ||
           fflush (stdout) != 0)
    {
      g_printerr ("qair: %s\n", _("Writing the file to standard output failed."));
      return AIR_CLI_EXIT_FAILED;
    }
  return AIR_CLI_EXIT_OK;
}

static gboolean
confirm (void)
{
  char reply[16] = "";

  g_print ("%s", _("Import? Type “yes”: "));
  fflush (stdout);
  return fgets (reply, sizeof reply, stdin) != NULL && strcmp (g_strstrip (reply), "yes") == 0;
}

/* The gateway of an imported ssh zone learns its host, as with zone add. */
static gboolean
configure_gateway (AirZone *zone, const AirSshConfig *config, const char *wireguard_key, GError **error)
{
  g_autofree char *request = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(AirWireguardSetup) wireguard = NULL;
  g_autofree char *made = NULL;

  /* The gateway's WireGuard key is the vault's: the one imported, else a
   * new one. */
  if (config->wireguard != NULL && wireguard_key == NULL &&
      (wireguard_key = made = air_cli_vault_wireguard_key (air_zone_get_name (zone),
                                                           air_zone_get_gateway (zone), error)) == NULL)
    return FALSE;
  request = air_zone_setup_configure_request (config, NULL, config->wireguard != NULL ? wireguard_key : NULL);
  input = g_bytes_new (request, strlen (request));

  answer = air_transport_call_sync (air_transport_get_default (), air_zone_get_gateway (zone),
                                    AIR_ZONE_SETUP_SERVICE_NAME, "configure", input,
                                    AIR_ZONE_SETUP_MAX_ANSWER, NULL, error);
  if (answer == NULL)
    return FALSE;
  wireguard = air_zone_setup_parse_configured (answer, error);
  if (wireguard == NULL && *error != NULL)
    return FALSE;
  if (wireguard != NULL)
    {
      if (made != NULL)
        g_print (_("\nZone “%s”: the vault made a new WireGuard key for its gateway (public key %s).\n"
                   "On the zone host, replace the gateway's peer in /etc/wireguard/%s.conf with this:\n\n"),
                 air_zone_get_name (zone), wireguard->public_key, wireguard->interface);
      else
        g_print (_("\nZone “%s”: its gateway's WireGuard key came back into the vault (public key %s).\n"
                   "The configuration for the zone host, in /etc/wireguard/%s.conf:\n\n"),
                 air_zone_get_name (zone), wireguard->public_key, wireguard->interface);
      g_print ("%s\n", wireguard->host_config);
    }
  return TRUE;
}

/* The file key from the vault, which opens it with its own identity. */
static gboolean
vault_unwrap_cb (GPtrArray  *stanzas,
                 guint8      file_key[AIR_AGE_FILE_KEY_LEN],
                 gpointer    user_data,
                 GError    **error)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autoptr(GBytes) key = NULL;
  g_auto(AirCliWait) wait = { 0 };

  air_cli_wait_init (&wait);
  air_vault_client_age_unwrap_async (client, user_data, stanzas, NULL, air_cli_wait_cb, &wait);
  key = air_vault_client_age_unwrap_finish (client, air_cli_wait_finish (&wait), error);
  if (key == NULL)
    {
      g_prefix_error (error, _("The vault qube “%s” did not open the file: "),
                      air_vault_client_get_vault_qube (client));
      return FALSE;
    }
  memcpy (file_key, g_bytes_get_data (key, NULL), AIR_AGE_FILE_KEY_LEN);
  return TRUE;
}

static int
config_import (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (NULL);
  g_autoptr(AirZoneRegistry) incoming = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) identity_files = NULL;
  g_autofree char *contents = NULL;
  g_auto(AirKeyList) identities = NULL;
  g_autoptr(AirPassphrase) secret = NULL;
  g_autoptr(GBytes) secrets = NULL;
  g_autoptr(GHashTable) wireguard_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *vault_identity = NULL;
  gboolean passphrase = FALSE, replace = FALSE, yes = FALSE;
  GListModel *zones;
  gsize len = 0;
  guint n_pin = 0;
  const GOptionEntry entries[] = {
    { "identity", 'i', 0, G_OPTION_ARG_FILENAME_ARRAY, &identity_files,
      N_("An age identity file to decrypt with (repeatable)"), "FILE" },
    { "identity-in-vault", 0, 0, G_OPTION_ARG_STRING, &vault_identity,
      N_("Decrypt with this age identity of the vault's (qair key generate --kind age NAME); "
         "it never leaves the vault"), "NAME" },
    { "passphrase", 'p', 0, G_OPTION_ARG_NONE, &passphrase,
      N_("The file is encrypted to a passphrase (asked for; the first line of standard input in scripts)"), NULL },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace, N_("Replace zones of the same name"), NULL },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, N_("Do not ask before importing"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("FILE — add the zones of an exported configuration"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, "qair config import", error->message);
  if (argc != 2)
    return air_cli_usage_error (context, "qair config import", _("Name the file to import."));
  if (passphrase + (identity_files != NULL) + (vault_identity != NULL) != 1)
    return air_cli_usage_error (context, "qair config import",
                                _("Give one of --identity FILE, --identity-in-vault NAME or --passphrase."));
  if (!yes && !isatty (STDIN_FILENO))
    return air_cli_usage_error (context, "qair config import",
                                _("Without a terminal to confirm on, add --yes."));

  if (!g_file_get_contents (argv[1], &contents, &len, &error))
    return air_cli_fail (error);
  file = g_bytes_new_take (g_steal_pointer (&contents), len);

  if (passphrase)
    {
      if (!air_age_needs_passphrase (file))
        {
          g_printerr ("qair: %s\n", _("This file is not encrypted to a passphrase: give --identity FILE."));
          return AIR_CLI_EXIT_FAILED;
        }
      secret = ask_passphrase (FALSE, &error);
      if (secret == NULL)
        return air_cli_fail (error);
      plain = air_age_decrypt (file, NULL, secret, &error);
    }
  else if (vault_identity != NULL)
    plain = air_age_decrypt_with_unwrap (file, vault_unwrap_cb, vault_identity, &error);
  else
    {
      for (guint i = 0; identity_files[i] != NULL; i++)
        {
          GStrv keys = read_key_file (identity_files[i], "AGE-SECRET-KEY-1", &error);

          if (keys == NULL)
            return air_cli_fail (error);
          g_strv_builder_addv (builder, (const char **) keys);
          wipe_strv (keys);
        }
      identities = g_strv_builder_end (builder);
      plain = air_age_decrypt (file, (const char * const *) identities, NULL, &error);
    }
  if (plain == NULL)
    return air_cli_fail (error);

  incoming = air_config_bundle_read (plain, &error);
  if (incoming == NULL)
    return air_cli_fail (error);
  secrets = air_config_bundle_dup_secrets (plain, &error);
  if (secrets == NULL && error != NULL)
    return air_cli_fail (error);
  if (!air_zone_registry_load (registry, &error))
    return air_cli_fail (error);

  zones = air_zone_registry_get_zones (incoming);
  g_print ("%s\n", _("This configuration holds:"));
  for (guint i = 0; i < g_list_model_get_n_items (zones); i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      g_autofree char *what = air_config_bundle_describe_zone (incoming, zone);

      switch (air_config_bundle_plan (registry, zone, replace))
        {
        case AIR_CONFIG_IMPORT_ADD:
          g_print (_("  %s (%s): added\n"), air_zone_get_name (zone), what);
          break;
        case AIR_CONFIG_IMPORT_REPLACE:
          g_print (_("  %s (%s): replaces the zone of that name\n"), air_zone_get_name (zone), what);
          break;
        case AIR_CONFIG_IMPORT_SKIP:
          g_print (_("  %s (%s): skipped, a zone of that name exists (--replace replaces it)\n"),
                   air_zone_get_name (zone), what);
          continue;
        }
      g_ptr_array_add (chosen, g_object_ref (zone));
    }
  if (chosen->len == 0)
    {
      g_print ("%s\n", _("Nothing to import."));
      return AIR_CLI_EXIT_OK;
    }
  if (secrets != NULL)
    g_print ("%s\n", _("It also holds the vault's credentials and keys of its zones (exported with "
                       "--with-secrets): the vault stores those of the zones imported, in place of "
                       "theirs of the same kind."));
  if (!yes && !confirm ())
    {
      g_printerr ("qair: %s\n", _("Nothing was imported."));
      return AIR_CLI_EXIT_FAILED;
    }

  if (secrets != NULL)
    {
      /* The vault opens its own file; the secrets are never plain text
       * here. */
      g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
      g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
      g_autoptr(GPtrArray) stored = NULL;
      g_auto(GStrv) zone_names = NULL;
      g_auto(AirCliWait) wait = { 0 };

      for (guint i = 0; i < chosen->len; i++)
        g_strv_builder_add (names, air_zone_get_name (chosen->pdata[i]));
      zone_names = g_strv_builder_end (names);
      air_cli_wait_init (&wait);
      air_vault_client_import_async (client, secrets, (const char * const *) zone_names,
                                     (const char * const *) identities, secret, vault_identity,
                                     NULL, air_cli_wait_cb, &wait);
      stored = air_vault_client_import_finish (client, air_cli_wait_finish (&wait), &error);
      if (stored == NULL)
        {
          g_prefix_error (&error, _("The vault qube “%s” did not take the credentials and keys; "
                                    "nothing was imported: "), air_vault_client_get_vault_qube (client));
          return air_cli_fail (error);
        }
      for (guint i = 0; i < stored->len; i++)
        {
          AirCredentialInfo *info = g_ptr_array_index (stored, i);

          if (g_str_equal (air_credential_info_get_kind (info), "wireguard-key") &&
              air_credential_info_get_public_key (info) != NULL)
            g_hash_table_insert (wireguard_keys, g_strdup (air_credential_info_get_zone (info)),
                                 g_strdup (air_credential_info_get_public_key (info)));
        }
      g_print (ngettext ("The vault stored %u credential or key.\n",
                         "The vault stored %u credentials and keys.\n", stored->len), stored->len);
    }

  for (guint i = 0; i < chosen->len; i++)
    {
      AirZone *zone = chosen->pdata[i];
      const char *name = air_zone_get_name (zone);
      const AirSshConfig *ssh = air_zone_registry_get_ssh_config (incoming, name);

      /* The gateway first, as with zone add; what was imported before a
       * failure is kept, so the list and the gateways agree. */
      if ((ssh != NULL && !configure_gateway (zone, ssh, g_hash_table_lookup (wireguard_keys, name), &error)) ||
          !air_config_bundle_take_zone (registry, incoming, name, &error))
        {
          g_autoptr(GError) save_error = NULL;

          g_prefix_error (&error, _("Zone “%s” was not imported: "), name);
          if (i > 0 && !air_zone_registry_save (registry, &save_error))
            g_printerr ("qair: %s\n", save_error->message);
          else if (i > 0)
            g_printerr (ngettext ("qair: the %u zone before it was imported.\n",
                                  "qair: the %u zones before it were imported.\n", i), i);
          return air_cli_fail (error);
        }
      n_pin += ssh != NULL;
    }
  if (!air_zone_registry_save (registry, &error))
    return air_cli_fail (error);

  g_print (ngettext ("Imported %u zone.\n", "Imported %u zones.\n", chosen->len), chosen->len);
  for (guint i = 0; i < chosen->len && n_pin > 0; i++)
    if (air_zone_registry_get_ssh_config (registry, air_zone_get_name (chosen->pdata[i])) != NULL)
      g_print (_("Pin the host key of zone “%s” on its gateway: qair zone trust %s\n"),
               air_zone_get_name (chosen->pdata[i]), air_zone_get_name (chosen->pdata[i]));
  return AIR_CLI_EXIT_OK;
}

int
air_cli_config_main (int    argc,
                     char **argv)
{
  /* sodium_malloc() keeps passphrases off swap and wipes them */
  g_autoptr(GError) error = NULL;

  if (!air_crypto_init (&error))
    return air_cli_fail (error);
  if (argc >= 2 && strcmp (argv[1], "export") == 0)
    return config_export (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "import") == 0)
    return config_import (argc - 1, argv + 1);
  g_printerr ("qair: %s\n", _("Use: qair config export|import …"));
  return AIR_CLI_EXIT_USAGE;
}
