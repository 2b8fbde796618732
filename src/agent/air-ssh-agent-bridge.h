/* air-ssh-agent-bridge.h — a local ssh-agent socket backed by the vault
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-transport.h"

G_BEGIN_DECLS

/* Each connection is one qrexec call; more at once are turned away. */
#define AIR_SSH_AGENT_BRIDGE_MAX_CONNECTIONS 16

#define AIR_TYPE_SSH_AGENT_BRIDGE (air_ssh_agent_bridge_get_type ())

G_DECLARE_FINAL_TYPE (AirSshAgentBridge, air_ssh_agent_bridge, AIR, SSH_AGENT_BRIDGE, GObject)

AirSshAgentBridge *air_ssh_agent_bridge_new             (AirTransport       *transport,
                                                         const char         *vault_qube,
                                                         const char         *zone);
gboolean           air_ssh_agent_bridge_listen          (AirSshAgentBridge  *self,
                                                         const char         *socket_path,
                                                         GError            **error);
void               air_ssh_agent_bridge_stop            (AirSshAgentBridge  *self);
const char        *air_ssh_agent_bridge_get_socket_path (AirSshAgentBridge  *self);
const char        *air_ssh_agent_bridge_get_zone        (AirSshAgentBridge  *self);
guint              air_ssh_agent_bridge_get_n_connections (AirSshAgentBridge *self);

G_END_DECLS
