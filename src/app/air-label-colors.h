/* air-label-colors.h — the eight Qubes label colours and how states look
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-types.h"
#include "air-zone.h"

G_BEGIN_DECLS

void        air_label_get_rgba        (AirLabel      label,
                                       GdkRGBA      *rgba);
void        air_health_get_rgba       (AirHealth     health,
                                       GdkRGBA      *rgba);
const char *air_label_get_css_class   (AirLabel      label);
const char *air_label_get_display_name (AirLabel     label);
const char *air_qube_state_get_display_name (AirQubeState state);
const char *air_qube_kind_get_display_name  (AirQubeKind  kind);
const char *air_health_get_display_name     (AirHealth    health);
const char *air_isolation_get_display_name  (AirIsolation isolation);
const char *air_zone_get_isolation_display_name (AirZone *zone);

G_END_DECLS
