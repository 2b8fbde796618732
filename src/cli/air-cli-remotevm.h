/* air-cli-remotevm.h — qair remotevm script
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-zone-registry.h"

G_BEGIN_DECLS

/* argv[0] is "remotevm". Returns 0, 1 (failed) or 2 (usage). */
int air_cli_remotevm_main (AirZoneRegistry  *registry,
                           int               argc,
                           char            **argv);

G_END_DECLS
