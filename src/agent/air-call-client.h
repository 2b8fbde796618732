/* air-call-client.h — “qubes-air-agent --call-socket”: the gateway's end
 * of one forwarded call, on descriptor 3
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AIR_CALL_CLIENT_FD 3

int air_call_client_main (int fd);

G_END_DECLS
