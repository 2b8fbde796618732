/* air-uplink.h — calls from a zone's qubes to local qubes
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Beside the zone host listener's own socket: the gateway's end. */
#define AIR_UPLINK_SOCKET_NAME "uplink"
/* What qrexec-client-vm exits with when a call is refused. */
#define AIR_UPLINK_EXIT_REFUSED 126

void air_uplink_publish     (const char *state_dir,
                             const char *socket_path);
void air_uplink_unpublish   (const char *state_dir,
                             const char *socket_path);
/* Serves the calls qube @qube's init hands over on @calls_fd, in a
 * thread of its own; takes @calls_fd. */
void air_uplink_serve_qube  (const char *state_dir,
                             const char *qube,
                             int         calls_fd);
/* "qubes-air-agent --uplink-call" on the gateway. */
int  air_uplink_call_main   (void);

G_END_DECLS
