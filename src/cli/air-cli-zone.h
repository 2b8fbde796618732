/* air-cli-zone.h — “qair zone”: adding, trusting and removing zones
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is the subcommand word ("zone"). Returns 0, 1 (failed) or 2 (usage). */
int air_cli_zone_main (int    argc,
                       char **argv);

G_END_DECLS
