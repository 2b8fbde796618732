/* air-agent.h — qubes-air-agent: the qubesair.* services of one zone
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int air_agent_main (int argc, char **argv);
/* Shared by the services of air-*-services.c. */
int air_agent_fail (GError *error);

G_END_DECLS
