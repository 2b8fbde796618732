/* air-cli-key.c
 *
 *   qair key generate --zone ZONE [--gateway QUBE] [--label LABEL] [--replace]
 *
 * The vault makes the ed25519 pair and keeps the private key; this prints
 * only the public key, one OpenSSH line, for the zone host's
 * authorized_keys.
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
  gboolean replace = FALSE;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone, N_("The zone the key is for"), "ZONE" },
    { "gateway", 'g', 0, G_OPTION_ARG_STRING, &gateway,
      N_("The qube allowed to sign with it (default: sys-remote-ZONE)"), "QUBE" },
    { "label", 'l', 0, G_OPTION_ARG_STRING, &label, N_("A description shown in lists"), "LABEL" },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace,
      N_("Replace the zone's existing key (its public key stops working)"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("— make the zone's SSH key inside the vault"));
  g_option_context_set_description (context,
    _("Prints the public key in OpenSSH format. The private key never leaves the vault: "
      "the zone's gateway signs through the vault's ssh-agent."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, "qair key generate", error->message);
  if (argc != 1)
    return air_cli_usage_error (context, "qair key generate", _("Unexpected argument."));
  if (zone == NULL)
    return air_cli_usage_error (context, "qair key generate", _("Give the zone with --zone."));

  air_cli_wait_init (&wait);
  client = air_vault_client_new (NULL);
  air_vault_client_generate_key_async (client, zone, gateway, label, replace,
                                       NULL, air_cli_wait_cb, &wait);
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

  g_printerr (_("Usage: qair key generate --zone ZONE [--gateway QUBE] [--label LABEL] [--replace]\n"));
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
         ? AIR_CLI_EXIT_OK : AIR_CLI_EXIT_USAGE;
}
