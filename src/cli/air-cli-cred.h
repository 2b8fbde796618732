/* air-cli-cred.h — “qair cred”: credentials in the vault
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is the subcommand word ("cred"). Returns 0, 1 (failed) or 2 (usage). */
int air_cli_cred_main (int    argc,
                       char **argv);

G_END_DECLS
