/* air-notifier.h — desktop notifications for jobs and zones
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"

G_BEGIN_DECLS

#define AIR_TYPE_NOTIFIER (air_notifier_get_type ())

G_DECLARE_FINAL_TYPE (AirNotifier, air_notifier, AIR, NOTIFIER, GObject)

AirNotifier *air_notifier_new        (GApplication *application,
                                      AirSession   *session);
guint        air_notifier_get_n_sent (AirNotifier  *self);

G_END_DECLS
