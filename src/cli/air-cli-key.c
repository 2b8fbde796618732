/* air-cli-key.c
 *
 *   qair key generate --zone ZONE [--gateway QUBE] [--label LABEL] [--replace]
 *   qair key generate --kind age NAME [--label LABEL]
 *
 * The vault makes the ed25519 pair and keeps the private key; this prints
 * only the public key, one OpenSSH line, for the zone host's
 * authorized_keys. With --kind age the vault makes an age X25519 identity
 * called NAME and keeps it; this prints its recipient (age1…), to export
 * to (qair config export -r), and qair config import --identity-in-vault
 * NAME has the vault open such files without the identity leaving it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "air-cli-key.h"
#include "air-cli-wait.h"
#include "air-vault-client.h"

static int
key_generate (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirVaultClient) client = NULL;
  g_auto(AirCliWait) wait = { 0 };
  g_autofree char *zone = NULL;
  g_autofree char *gateway = NULL;
  g_autofree char *label = NULL;
  g_autofree char *line = NULL;
  g_autofree char *kind = NULL;
  gboolean replace = FALSE, age;
  const GOptionEntry entries[] = {
    { "kind", 'k', 0, G_OPTION_ARG_STRING, &kind,
      N_("ssh (a zone's SSH key, the default) or age (an age identity called NAME)"), "ssh|age" },
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone, N_("The zone the key is for"), "ZONE" },
    { "gateway", 'g', 0, G_OPTION_ARG_STRING, &gateway,
      N_("The qube allowed to sign with it (default: sys-remote-ZONE)"), "QUBE" },
    { "label", 'l', 0, G_OPTION_ARG_STRING, &label, N_("A description shown in lists"), "LABEL" },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace,
      N_("Replace the zone's existing key (its public key stops working)"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("[NAME] — make the zone's SSH key, or an age identity, inside the vault"));
  g_option_context_set_description (context,
    _("Prints the public key in OpenSSH format. The private key never leaves the vault: "
      "the zone's gateway signs through the vault's ssh-agent. With --kind age NAME, prints the "
      "identity's age recipient; “qair config import FILE --identity-in-vault NAME” decrypts "
      "with it inside the vault."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, "qair key generate", error->message);
  if (kind != NULL && !g_str_equal (kind, "ssh") && !g_str_equal (kind, "age"))
    return air_cli_usage_error (context, "qair key generate", _("--kind is ssh or age."));
  age = g_strcmp0 (kind, "age") == 0;
  if (age && (argc != 2 || zone != NULL || gateway != NULL || replace))
    return air_cli_usage_error (context, "qair key generate",
                                _("An age identity is made with: qair key generate --kind age NAME [--label LABEL]"));
  if (!age && argc != 1)
    return air_cli_usage_error (context, "qair key generate", _("Unexpected argument."));
  if (!age && zone == NULL)
    return air_cli_usage_error (context, "qair key generate", _("Give the zone with --zone."));

  air_cli_wait_init (&wait);
  client = air_vault_client_new (NULL);
  air_vault_client_generate_async (client, age ? argv[1] : zone, age ? "age-identity" : "ssh-key",
                                   gateway, label, replace, NULL, air_cli_wait_cb, &wait);
  line = air_vault_client_generate_key_finish (client, air_cli_wait_finish (&wait), &error);
  if (line == NULL)
    {
      g_printerr (_("qair key generate: the vault qube “%s” made no key: %s\n"),
                  air_vault_client_get_vault_qube (client), error->message);
      return AIR_CLI_EXIT_FAILED;
    }

  g_print ("%s\n", line);
  return AIR_CLI_EXIT_OK;
}

int
air_cli_key_main (int    argc,
                  char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "generate"))
    {
      g_auto(GStrv) args = g_new0 (char *, argc);
      char **parse;
      int status;

      args[0] = g_strdup ("qair key generate");
      for (int k = 2; k < argc; k++)
        args[k - 1] = g_strdup (argv[k]);
      parse = g_memdup2 (args, sizeof (char *) * argc);
      status = key_generate (argc - 1, parse);
      g_free (parse);
      return status;
    }

  g_printerr (_("Usage: qair key generate --zone ZONE [--gateway QUBE] [--label LABEL] [--replace]\n"
                "       qair key generate --kind age NAME [--label LABEL]\n"));
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
         ? AIR_CLI_EXIT_OK : AIR_CLI_EXIT_USAGE;
}
