/* air-call-listener.h — “qubes-air-agent --listen” on a zone host
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int air_call_listener_main (void);

G_END_DECLS
