/* air-control-channel.h — the socket between the agent and a running qube
 *
 * A SOCK_SEQPACKET UNIX socket: each message is one JSON object, optionally
 * with file descriptors attached (SCM_RIGHTS). Run passes the caller's own
 * stdin, stdout and stderr into the qube this way, so a command's data never
 * passes through the agent at all.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AIR_CONTROL_MAX_MESSAGE (64 * 1024)
#define AIR_CONTROL_MAX_FDS     3

int      air_control_listen  (const char  *path,
                              GError     **error);
int      air_control_connect (const char  *path,
                              GError     **error);
gboolean air_control_send    (int          fd,
                              const char  *message,
                              const int   *fds,
                              guint        n_fds,
                              GError     **error);
/* Returns the message length, 0 at end of stream, -1 on error. Received
 * descriptors are stored in @fds (n_fds set); the caller owns them. */
gssize   air_control_receive (int          fd,
                              char        *buffer,
                              gsize        size,
                              int         *fds,
                              guint       *n_fds,
                              GError     **error);

G_END_DECLS
