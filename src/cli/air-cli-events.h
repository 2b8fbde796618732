/* air-cli-events.h — qair events
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int air_cli_cmd_events (int argc, char **argv);

G_END_DECLS
