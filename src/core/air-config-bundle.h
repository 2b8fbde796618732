/* air-config-bundle.h — the zone configuration as it travels between
 * management qubes (inside an age file, see air-age.h)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-zone-registry.h"

G_BEGIN_DECLS

#define AIR_CONFIG_BUNDLE_KIND "qubes-air-config"

typedef enum {
  AIR_CONFIG_IMPORT_ADD,
  AIR_CONFIG_IMPORT_REPLACE,
  AIR_CONFIG_IMPORT_SKIP,
} AirConfigImport;

GBytes          *air_config_bundle_export        (AirZoneRegistry  *registry,
                                                  const char       *only_zone);
GBytes          *air_config_bundle_export_with_secrets (AirZoneRegistry *registry,
                                                        const char      *only_zone,
                                                        GBytes          *secrets);
GBytes          *air_config_bundle_dup_secrets   (GBytes           *plain,
                                                  GError          **error);
AirZoneRegistry *air_config_bundle_read          (GBytes           *plain,
                                                  GError          **error);
AirConfigImport  air_config_bundle_plan          (AirZoneRegistry  *registry,
                                                  AirZone          *zone,
                                                  gboolean          replace);
char            *air_config_bundle_describe_zone (AirZoneRegistry  *incoming,
                                                  AirZone          *zone);
gboolean         air_config_bundle_take_zone     (AirZoneRegistry  *registry,
                                                  AirZoneRegistry  *incoming,
                                                  const char       *name,
                                                  GError          **error);

G_END_DECLS
