/* air-application.h — the qubes-air application: one session, its windows
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"
#include "air-tray.h"

G_BEGIN_DECLS

#define AIR_TYPE_APPLICATION (air_application_get_type ())

G_DECLARE_FINAL_TYPE (AirApplication, air_application, AIR, APPLICATION, GtkApplication)

AirApplication *air_application_new         (void);
AirSession     *air_application_get_session (AirApplication *self);
AirTray        *air_application_get_tray    (AirApplication *self);

void            air_application_choose_renderer (void);
void            air_application_style_display   (GdkDisplay     *display);

G_END_DECLS
