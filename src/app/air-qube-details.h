/* air-qube-details.h — everything known about the selected qube
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-qube.h"
#include "air-zone.h"

G_BEGIN_DECLS

#define AIR_TYPE_QUBE_DETAILS (air_qube_details_get_type ())

G_DECLARE_FINAL_TYPE (AirQubeDetails, air_qube_details, AIR, QUBE_DETAILS, GtkWidget)

AirQube *air_qube_details_get_qube (AirQubeDetails *self);
void     air_qube_details_set_qube (AirQubeDetails *self,
                                    AirQube        *qube);
AirZone *air_qube_details_get_zone (AirQubeDetails *self);
void     air_qube_details_set_zone (AirQubeDetails *self,
                                    AirZone        *zone);

G_END_DECLS
