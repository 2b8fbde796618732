/* air-zone-registry.h — the user's zones, kept in a JSON file
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-zone.h"

G_BEGIN_DECLS

#define AIR_TYPE_ZONE_REGISTRY (air_zone_registry_get_type ())

G_DECLARE_FINAL_TYPE (AirZoneRegistry, air_zone_registry, AIR, ZONE_REGISTRY, GObject)

#define AIR_ZONE_REGISTRY_MAX_ZONES 256

/* How the gateway of an ssh zone reaches its zone host. */
#define AIR_SSH_DEFAULT_PORT     22
#define AIR_SSH_DEFAULT_TIMEOUT  10   /* seconds */
#define AIR_SSH_MAX_TIMEOUT      300
#define AIR_SSH_MAX_HOST         253
#define AIR_SSH_MAX_USER         32
#define AIR_SSH_MAX_PATH         200
#define AIR_SSH_DEFAULT_AGENT    "/usr/libexec/qubes-air/qubes-air-agent"

typedef struct {
  char  *host;
  guint  port;
  char  *user;            /* NULL: the gateway's own user name */
  char  *agent_path;      /* qubes-air-agent on the zone host */
  char  *known_hosts;     /* NULL: known_hosts beside the zone file */
  guint  connect_timeout;
  char  *wireguard;       /* the zone host's WireGuard endpoint, or NULL */
} AirSshConfig;

#define AIR_TYPE_SSH_CONFIG (air_ssh_config_get_type ())

GType         air_ssh_config_get_type (void) G_GNUC_CONST;
AirSshConfig *air_ssh_config_new      (const char          *host);
AirSshConfig *air_ssh_config_copy     (const AirSshConfig  *config);
void          air_ssh_config_free     (AirSshConfig        *config);
void          air_ssh_config_add_members (const AirSshConfig *config,
                                          JsonBuilder        *builder,
                                          gboolean            with_known_hosts);
gboolean      air_ssh_config_read_members (AirSshConfig *config,
                                           JsonObject   *object,
                                           gboolean      with_known_hosts,
                                           GError      **error);
gboolean      air_ssh_config_validate (const AirSshConfig  *config,
                                       GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirSshConfig, air_ssh_config_free)

AirZoneRegistry *air_zone_registry_new       (const char       *path);
const char      *air_zone_registry_get_path  (AirZoneRegistry  *self);
gboolean         air_zone_registry_load      (AirZoneRegistry  *self,
                                              GError          **error);
gboolean         air_zone_registry_reload    (AirZoneRegistry  *self,
                                              GError          **error);
gboolean         air_zone_registry_load_data (AirZoneRegistry  *self,
                                              const char       *data,
                                              gsize             len,
                                              GError          **error);
char            *air_zone_registry_dup_json  (AirZoneRegistry  *self,
                                              const char       *only_zone,
                                              gboolean          for_export);
gboolean         air_zone_registry_save      (AirZoneRegistry  *self,
                                              GError          **error);
void             air_zone_registry_save_async  (AirZoneRegistry     *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean         air_zone_registry_save_finish (AirZoneRegistry     *self,
                                                GAsyncResult        *result,
                                                GError             **error);
GListModel      *air_zone_registry_get_zones (AirZoneRegistry  *self);
AirZone         *air_zone_registry_lookup    (AirZoneRegistry  *self,
                                              const char       *name);
gboolean         air_zone_registry_add       (AirZoneRegistry  *self,
                                              AirZone          *zone,
                                              GError          **error);
gboolean         air_zone_registry_remove    (AirZoneRegistry  *self,
                                              const char       *name,
                                              GError          **error);
const AirSshConfig *air_zone_registry_get_ssh_config (AirZoneRegistry    *self,
                                                      const char         *name);
gboolean         air_zone_registry_set_ssh_config (AirZoneRegistry    *self,
                                                   const char         *name,
                                                   const AirSshConfig *config,
                                                   GError            **error);

G_END_DECLS
