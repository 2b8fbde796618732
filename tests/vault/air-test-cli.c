/* air-test-cli.c — the vault's qair subcommands, for tests
 *
 * Usage: air-test-cli cred|key ARGS... (as “qair cred …”, “qair key …”)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "air-cli-cred.h"
#include "air-cli-key.h"

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");

  if (argc >= 2 && g_str_equal (argv[1], "cred"))
    return air_cli_cred_main (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "key"))
    return air_cli_key_main (argc - 1, argv + 1);

  g_printerr ("Usage: %s cred|key ...\n", argv[0]);
  return 2;
}
