/* air-zone-link-private.h — what the session and its links say to each other
 *
 * The session owns one AirZoneLink per zone and coordinates them: the
 * lists of zones connecting together go into the inventory together, and
 * ZoneInfo waits until the zones have listed (GNOME Text Editor's
 * _editor_session_* functions for its pages are the model).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-session.h"
#include "air-zone-link.h"

G_BEGIN_DECLS

AirZoneLink *_air_zone_link_new          (AirSession  *session,
                                          AirZone     *zone);
void         _air_zone_link_connect      (AirZoneLink *self);
void         _air_zone_link_close        (AirZoneLink *self,
                                          gboolean     forget_qubes);
gboolean     _air_zone_link_awaits_list  (AirZoneLink *self);
gboolean     _air_zone_link_apply_held   (AirZoneLink *self);
gboolean     _air_zone_link_start_info   (AirZoneLink *self);
void         _air_zone_link_resync       (AirZoneLink *self);

/* From a link to its session. */
void         _air_session_list_held      (AirSession  *session);
void         _air_session_infos_due      (AirSession  *session);

G_END_DECLS
