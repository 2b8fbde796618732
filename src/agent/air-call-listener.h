/* air-call-listener.h — “qubes-air-agent --listen” on a zone host
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int air_call_listener_main        (const char *state_dir);
int air_call_listener_uplink_main (const char *zone,
                                   const char *path,
                                   const char *session_pid);

G_END_DECLS
