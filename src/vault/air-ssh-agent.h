/* air-ssh-agent.h — the ssh-agent protocol for one ed25519 key
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "air-secret.h"

G_BEGIN_DECLS

/* OpenSSH's own agent refuses messages over 256 KiB (AGENT_MAX_LEN). */
#define AIR_SSH_AGENT_MAX_FRAME (256 * 1024)

/* draft-miller-ssh-agent message numbers */
#define AIR_SSH_AGENT_FAILURE              5
#define AIR_SSH_AGENTC_REQUEST_IDENTITIES 11
#define AIR_SSH_AGENT_IDENTITIES_ANSWER   12
#define AIR_SSH_AGENTC_SIGN_REQUEST       13
#define AIR_SSH_AGENT_SIGN_RESPONSE       14

typedef struct _AirSshAgent AirSshAgent;

AirSshAgent *air_ssh_agent_new    (AirSecret    *secret_key,
                                   const char   *comment,
                                   GError      **error);
void         air_ssh_agent_free   (AirSshAgent  *self);
GBytes      *air_ssh_agent_handle (AirSshAgent  *self,
                                   const guint8 *message,
                                   gsize         len);
gboolean     air_ssh_agent_serve  (AirSshAgent  *self,
                                   int           in_fd,
                                   int           out_fd,
                                   GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirSshAgent, air_ssh_agent_free)

G_END_DECLS
