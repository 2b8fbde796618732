/* air-zone-link.h — one zone's connection: its event stream, its list, its counts
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-inventory.h"
#include "air-protocol.h"
#include "air-zone.h"

G_BEGIN_DECLS

#define AIR_TYPE_ZONE_LINK (air_zone_link_get_type ())

G_DECLARE_FINAL_TYPE (AirZoneLink, air_zone_link, AIR, ZONE_LINK, GObject)

typedef enum {
  AIR_ZONE_LINK_CONNECTING,   /* the event stream is being opened */
  AIR_ZONE_LINK_LISTING,      /* the stream is open, the zone's list not yet in */
  AIR_ZONE_LINK_LIVE,         /* listed; events are applied as they come */
  AIR_ZONE_LINK_DOWN,         /* unreachable; tried again after a wait */
} AirZoneLinkState;

AirZone          *air_zone_link_get_zone          (AirZoneLink    *self);
AirZoneLinkState  air_zone_link_get_state         (AirZoneLink    *self);
gboolean          air_zone_link_is_loading        (AirZoneLink    *self);
const char       *air_zone_link_get_health_reason (AirZoneLink    *self);
guint             air_zone_link_get_n_qubes       (AirZoneLink    *self);
guint             air_zone_link_get_n_running     (AirZoneLink    *self);
void              air_zone_link_reconnect         (AirZoneLink    *self);
void              air_zone_link_apply_event       (AirZoneLink    *self,
                                                   const AirEvent *event);

G_END_DECLS
