/* air-agent.h — qubes-air-agent: the qubesair.* services of one zone
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int air_agent_main (int argc, char **argv);

G_END_DECLS
