/* air-window.h — the main window: zone map, inventory, details and jobs
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"

G_BEGIN_DECLS

#define AIR_TYPE_WINDOW (air_window_get_type ())

G_DECLARE_FINAL_TYPE (AirWindow, air_window, AIR, WINDOW, GtkApplicationWindow)

AirWindow  *air_window_new             (GtkApplication *application,
                                        AirSession     *session);
AirSession *air_window_get_session     (AirWindow      *self);
GListModel *air_window_get_qubes       (AirWindow      *self);
AirQube    *air_window_get_selected    (AirWindow      *self);
gboolean    air_window_select_qube     (AirWindow      *self,
                                        const char     *zone,
                                        const char     *name);
GtkWindow  *air_window_get_credentials_page (AirWindow *self);
const char *air_window_get_zone_filter (AirWindow      *self);
void        air_window_set_zone_filter (AirWindow      *self,
                                        const char     *zone);
void        air_window_show_error      (AirWindow      *self,
                                        const char     *message);

G_END_DECLS
