/* air-zone-setup-private.h — what the service's files share
 * (air-zone-setup.c: the service, its configuration, host keys;
 * air-zone-setup-wireguard.c: the zone's WireGuard tunnel)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "air-zone-setup.h"

G_BEGIN_DECLS

/* air-zone-setup.c */
JsonObject *_air_zone_setup_read_request    (GError      **error);
int         _air_zone_setup_answer          (JsonBuilder  *builder);
gboolean    _air_zone_setup_write_private   (const char   *path,
                                             const char   *contents,
                                             GError      **error);

/* air-zone-setup-wireguard.c */
char       *_air_zone_setup_wireguard_path  (const char   *state_dir,
                                             const char   *zone);
void        _air_zone_setup_wipe_file       (const char   *path);
gboolean    _air_zone_setup_write_wireguard (const char   *state_dir,
                                             const char   *zone,
                                             const char   *own_key,
                                             const char   *peer_key,
                                             const char   *endpoint,
                                             JsonBuilder  *builder,
                                             GError      **error);
gboolean    _air_zone_setup_run_tool        (const char * const  *argv,
                                             int                  key_fd,
                                             GError             **error);
gboolean    _air_zone_setup_interface_exists (const char  *interface);
int         _air_zone_setup_tunnel_up       (const char   *state_dir,
                                             const char   *zone,
                                             GError      **error);
int         _air_zone_setup_rekey           (const char   *state_dir,
                                             const char   *zone,
                                             GError      **error);

G_END_DECLS
