/* air-cli-prefs.h — qair prefs
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-zone-registry.h"

G_BEGIN_DECLS

/* argv[0] is "prefs". Returns 0, 1 (failed) or 2 (usage). */
int air_cli_prefs_main (AirZoneRegistry  *registry,
                        int               argc,
                        char            **argv);

G_END_DECLS
