/* air-zone-picker.h — a zone and one of its templates, chosen from lists
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"

G_BEGIN_DECLS

#define AIR_TYPE_ZONE_PICKER (air_zone_picker_get_type ())

G_DECLARE_FINAL_TYPE (AirZonePicker, air_zone_picker, AIR, ZONE_PICKER, GtkWidget)

GtkWidget  *air_zone_picker_new             (void);
void        air_zone_picker_set_session     (AirZonePicker *self,
                                             AirSession    *session,
                                             const char    *zone);
AirZone    *air_zone_picker_get_zone        (AirZonePicker *self);
const char *air_zone_picker_get_template    (AirZonePicker *self);
void        air_zone_picker_add_labels_to   (AirZonePicker *self,
                                             GtkSizeGroup  *group);

G_END_DECLS
