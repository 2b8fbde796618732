/* air-zone-chip.h — a zone's name, health and counts, above the inventory
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"

G_BEGIN_DECLS

#define AIR_TYPE_ZONE_CHIP (air_zone_chip_get_type ())

G_DECLARE_FINAL_TYPE (AirZoneChip, air_zone_chip, AIR, ZONE_CHIP, GtkWidget)

GtkWidget *air_zone_chip_new      (AirSession  *session,
                                   AirZone     *zone);
AirZone   *air_zone_chip_get_zone (AirZoneChip *self);

G_END_DECLS
