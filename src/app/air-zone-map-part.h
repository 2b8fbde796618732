/* air-zone-map-part.h — one drawn part of a zone on the map, for the keyboard
 * and screen readers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  AIR_ZONE_MAP_PART_GATEWAY,
  AIR_ZONE_MAP_PART_LINK,
  AIR_ZONE_MAP_PART_HOST,
  AIR_ZONE_MAP_N_PARTS,
} AirZoneMapPartKind;

#define AIR_TYPE_ZONE_MAP_PART (air_zone_map_part_get_type ())

G_DECLARE_FINAL_TYPE (AirZoneMapPart, air_zone_map_part, AIR, ZONE_MAP_PART, GtkWidget)

GtkWidget          *air_zone_map_part_new       (AirZoneMapPartKind  kind,
                                                 guint               zone_index);
AirZoneMapPartKind  air_zone_map_part_get_kind  (AirZoneMapPart     *self);
guint               air_zone_map_part_get_zone_index (AirZoneMapPart *self);
const char         *air_zone_map_part_get_name  (AirZoneMapPart     *self);
const char         *air_zone_map_part_get_details (AirZoneMapPart   *self);
void                air_zone_map_part_set_text  (AirZoneMapPart     *self,
                                                 const char         *name,
                                                 const char         *details);

G_END_DECLS
