/* air-zone-map.h — the management qube, its zones and their qubes, drawn
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"
#include "air-zone-map-part.h"

G_BEGIN_DECLS

#define AIR_TYPE_ZONE_MAP (air_zone_map_get_type ())

G_DECLARE_FINAL_TYPE (AirZoneMap, air_zone_map, AIR, ZONE_MAP, GtkWidget)

GtkWidget  *air_zone_map_new               (void);
AirSession *air_zone_map_get_session       (AirZoneMap *self);
void        air_zone_map_set_session       (AirZoneMap *self,
                                            AirSession *session);
const char *air_zone_map_get_selected_zone (AirZoneMap *self);
void        air_zone_map_set_selected_zone (AirZoneMap *self,
                                            const char *zone);
AirQube    *air_zone_map_get_selected_qube (AirZoneMap *self);
void        air_zone_map_set_selected_qube (AirZoneMap *self,
                                            AirQube    *qube);
const char *air_zone_map_get_focus_zone    (AirZoneMap *self);
gboolean    air_zone_map_zone_is_summarised (AirZoneMap *self,
                                            const char *zone);
gboolean    air_zone_map_get_zone_rect     (AirZoneMap *self,
                                            const char *zone,
                                            graphene_rect_t *rect);
gboolean    air_zone_map_get_qube_point    (AirZoneMap *self,
                                            AirQube    *qube,
                                            double     *x,
                                            double     *y);
AirQube    *air_zone_map_drop_qube_at      (AirZoneMap *self,
                                            double      x,
                                            double      y);
AirQube    *air_zone_map_get_drop_qube     (AirZoneMap *self);
void        air_zone_map_refresh_vault     (AirZoneMap *self);
gboolean    air_zone_map_is_asking_vault   (AirZoneMap *self);
GtkWidget  *air_zone_map_get_part          (AirZoneMap *self,
                                            const char *zone,
                                            AirZoneMapPartKind kind);

G_END_DECLS
