/* air-cli-key.h — “qair key”: SSH keys made inside the vault
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is the subcommand word ("key"). Returns 0, 1 (failed) or 2 (usage). */
int air_cli_key_main (int    argc,
                      char **argv);

G_END_DECLS
