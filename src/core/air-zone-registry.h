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

AirZoneRegistry *air_zone_registry_new       (const char       *path);
const char      *air_zone_registry_get_path  (AirZoneRegistry  *self);
gboolean         air_zone_registry_load      (AirZoneRegistry  *self,
                                              GError          **error);
gboolean         air_zone_registry_save      (AirZoneRegistry  *self,
                                              GError          **error);
GListModel      *air_zone_registry_get_zones (AirZoneRegistry  *self);
AirZone         *air_zone_registry_lookup    (AirZoneRegistry  *self,
                                              const char       *name);
gboolean         air_zone_registry_add       (AirZoneRegistry  *self,
                                              AirZone          *zone,
                                              GError          **error);
gboolean         air_zone_registry_remove    (AirZoneRegistry  *self,
                                              const char       *name,
                                              GError          **error);

G_END_DECLS
