/* air-zone-setup.h — qubesair.ZoneSetup: a gateway learns its zone
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "air-proxmox-driver.h"
#include "air-zone-registry.h"

G_BEGIN_DECLS

#define AIR_ZONE_SETUP_SERVICE "qubesair.ZoneSetup"

char         *air_zone_setup_config_path (const char  *state_dir);
AirSshConfig *air_zone_setup_load        (const char  *state_dir,
                                          const char  *zone,
                                          GError     **error);
AirProxmoxConfig *air_zone_setup_load_proxmox (const char  *state_dir,
                                               GError     **error);
/* FALSE, with WireGuard's view of why, when the proxmox zone's tunnel is
 * not up in this gateway; TRUE without a tunnel. */
gboolean      air_zone_setup_proxmox_tunnel_check (const char              *state_dir,
                                                   const char              *zone,
                                                   const AirProxmoxConfig  *config,
                                                   GError                 **error);
gboolean      air_zone_setup_wireguard_peer (const char *interface,
                                             gboolean   *has_peer,
                                             guint64    *handshake,
                                             guint64    *received,
                                             guint64    *sent);
int           air_zone_setup_serve       (const char  *state_dir,
                                          const char  *zone,
                                          const char  *action);

G_END_DECLS
