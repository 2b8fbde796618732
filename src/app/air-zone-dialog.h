/* air-zone-dialog.h — adds a zone, or changes one
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"

G_BEGIN_DECLS

#define AIR_TYPE_ZONE_DIALOG (air_zone_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AirZoneDialog, air_zone_dialog, AIR, ZONE_DIALOG, GtkWindow)

AirZoneDialog *air_zone_dialog_new        (GtkWindow     *parent,
                                           AirSession    *session,
                                           AirZone       *zone);
void           air_zone_dialog_set_fields (AirZoneDialog *self,
                                           const char    *name,
                                           const char    *gateway,
                                           const char    *driver);
void           air_zone_dialog_set_host   (AirZoneDialog *self,
                                           const char    *host,
                                           guint          port,
                                           const char    *user);
const char    *air_zone_dialog_get_fingerprint (AirZoneDialog *self);
void           air_zone_dialog_set_trusted (AirZoneDialog *self,
                                            gboolean       trusted);

G_END_DECLS
