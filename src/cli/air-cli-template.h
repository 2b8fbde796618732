/* air-cli-template.h — qair template …
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-zone-registry.h"

G_BEGIN_DECLS

int air_cli_template_main (AirZoneRegistry  *registry,
                           int               argc,
                           char            **argv);

G_END_DECLS
