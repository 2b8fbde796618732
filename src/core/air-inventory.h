/* air-inventory.h — every qube of every zone, as one GListModel
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-protocol.h"
#include "air-qube.h"

G_BEGIN_DECLS

#define AIR_TYPE_INVENTORY (air_inventory_get_type ())

G_DECLARE_FINAL_TYPE (AirInventory, air_inventory, AIR, INVENTORY, GObject)

AirInventory *air_inventory_new          (void);
AirQube      *air_inventory_lookup       (AirInventory *self,
                                          const char   *zone,
                                          const char   *name);
void          air_inventory_replace_zone (AirInventory *self,
                                          const char   *zone,
                                          GPtrArray    *qubes);
void          air_inventory_remove_zone  (AirInventory *self,
                                          const char   *zone);
void          air_inventory_apply_event  (AirInventory   *self,
                                          const char     *zone,
                                          const AirEvent *event);
guint         air_inventory_count_zone   (AirInventory *self,
                                          const char   *zone,
                                          guint        *n_running);

G_END_DECLS
