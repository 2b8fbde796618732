/* air-zone.h — a place where qubes run, reached through one gateway qube
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-protocol.h"
#include "air-qube.h"
#include "air-template.h"
#include "air-transport.h"
#include "air-types.h"

G_BEGIN_DECLS

#define AIR_TYPE_ZONE (air_zone_get_type ())

G_DECLARE_FINAL_TYPE (AirZone, air_zone, AIR, ZONE, GObject)

typedef enum {
  AIR_ZONE_ACTION_START,
  AIR_ZONE_ACTION_SHUTDOWN,
  AIR_ZONE_ACTION_KILL,
  AIR_ZONE_ACTION_REMOVE,
} AirZoneAction;

AirZone            *air_zone_new                (const char          *name,
                                                 const char          *gateway,
                                                 const char          *driver);
const char         *air_zone_get_name           (AirZone             *self);
const char         *air_zone_get_gateway        (AirZone             *self);
void                air_zone_set_gateway        (AirZone             *self,
                                                 const char          *gateway);
const char         *air_zone_get_driver         (AirZone             *self);
void                air_zone_set_driver         (AirZone             *self,
                                                 const char          *driver);
AirHealth           air_zone_get_health         (AirZone             *self);
const char         *air_zone_get_health_reason  (AirZone             *self);
void                air_zone_set_health         (AirZone             *self,
                                                 AirHealth            health,
                                                 const char          *reason);
AirIsolation        air_zone_get_isolation      (AirZone             *self);
const char         *air_zone_get_acceleration   (AirZone             *self);
const char         *air_zone_get_disk_encryption (AirZone            *self);
const char * const *air_zone_get_templates      (AirZone             *self);
const char         *air_zone_get_link           (AirZone             *self);
const char         *air_zone_get_endpoint       (AirZone             *self);
const char         *air_zone_get_host_key       (AirZone             *self);
gint64              air_zone_get_handshake      (AirZone             *self);
guint               air_zone_get_round_trip     (AirZone             *self);
void                air_zone_set_round_trip     (AirZone             *self,
                                                 guint                milliseconds);
void                air_zone_apply_info         (AirZone             *self,
                                                 const AirZoneInfo   *info);
AirTransport       *air_zone_get_transport      (AirZone             *self);
void                air_zone_set_transport      (AirZone             *self,
                                                 AirTransport        *transport);
char               *air_zone_dup_gateway_for    (const char          *zone_name);

GSubprocess        *air_zone_spawn              (AirZone             *self,
                                                 const char          *verb,
                                                 const char          *arg,
                                                 GSubprocessFlags     flags,
                                                 GError             **error);

void                air_zone_refresh_info_async (AirZone             *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean            air_zone_refresh_info_finish (AirZone            *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
void                air_zone_list_qubes_async   (AirZone             *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void                air_zone_decode_list_async  (AirZone             *self,
                                                 GBytes              *answer,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray          *air_zone_list_qubes_finish  (AirZone             *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* How far a long call got: PERCENT 0–100, or -1 when not known, and
 * what it does (checked text). */
typedef void (*AirZoneProgressFunc) (int         percent,
                                     const char *text,
                                     gpointer    user_data);

/* @progress, when given, is told how far a slow create (a Proxmox clone)
 * got, until @callback runs. */
void                air_zone_create_qube_async  (AirZone             *self,
                                                 const char          *name,
                                                 const AirQubeSpec   *spec,
                                                 AirZoneProgressFunc  progress,
                                                 gpointer             progress_data,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
AirQube            *air_zone_create_qube_finish (AirZone             *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* qubesair.SetPrefs: the qube as the zone has it afterwards. */
void                air_zone_set_prefs_async    (AirZone             *self,
                                                 const char          *name,
                                                 const AirQubePrefs  *prefs,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
AirQube            *air_zone_set_prefs_finish   (AirZone             *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
void                air_zone_qube_action_async  (AirZone             *self,
                                                 AirZoneAction        action,
                                                 const char          *name,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean            air_zone_qube_action_finish (AirZone             *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* qubesair.TemplateList. Returns: (element-type AirTemplate) */
void                air_zone_list_templates_async  (AirZone             *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GPtrArray          *air_zone_list_templates_finish (AirZone             *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* "qubesair.TemplateRollback" (its answer, the template as it is now, in
 * @template) or "qubesair.TemplateRemove" (@template NULL). Builds are
 * AirTemplateCall's (air-template-call.h). */
void                air_zone_template_action_async  (AirZone             *self,
                                                     const char          *service,
                                                     const char          *name,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean            air_zone_template_action_finish (AirZone             *self,
                                                     GAsyncResult        *result,
                                                     AirTemplate        **template,
                                                     GError             **error);

G_END_DECLS
