/* air-qube-call.h — qrexec-client-vm and qvm-copy-to-vm inside a qube
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where a qube's init listens for its calls out, in the commands' environment. */
#define AIR_QUBE_CALL_SOCKET_ENV "QUBES_AIR_CALL_SOCKET"

/* TRUE when the agent was started as one of the commands below. */
gboolean air_qube_call_handles (const char *program);
int      air_qube_call_main    (int         argc,
                                char      **argv);

G_END_DECLS
