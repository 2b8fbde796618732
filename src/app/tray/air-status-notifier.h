/* air-status-notifier.h — an org.kde.StatusNotifierItem on the session bus
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-dbus-menu.h"

G_BEGIN_DECLS

#define AIR_TYPE_STATUS_NOTIFIER (air_status_notifier_get_type ())

G_DECLARE_FINAL_TYPE (AirStatusNotifier, air_status_notifier, AIR, STATUS_NOTIFIER, GObject)

#define AIR_STATUS_NOTIFIER_ITEM_PATH "/StatusNotifierItem"
#define AIR_STATUS_NOTIFIER_MENU_PATH "/MenuBar"
#define AIR_STATUS_NOTIFIER_WATCHER   "org.kde.StatusNotifierWatcher"

typedef enum {
  AIR_STATUS_NOTIFIER_PASSIVE,
  AIR_STATUS_NOTIFIER_ACTIVE,
  AIR_STATUS_NOTIFIER_NEEDS_ATTENTION,
} AirStatusNotifierStatus;

AirStatusNotifier       *air_status_notifier_new            (const char              *id,
                                                             const char              *title,
                                                             AirDBusMenu             *menu);
gboolean                 air_status_notifier_export         (AirStatusNotifier       *self,
                                                             GDBusConnection         *connection,
                                                             GError                 **error);
void                     air_status_notifier_unexport       (AirStatusNotifier       *self);
gboolean                 air_status_notifier_get_registered (AirStatusNotifier       *self);
gboolean                 air_status_notifier_get_watched    (AirStatusNotifier       *self);
AirStatusNotifierStatus  air_status_notifier_get_status     (AirStatusNotifier       *self);
void                     air_status_notifier_set_status     (AirStatusNotifier       *self,
                                                             AirStatusNotifierStatus  status);
void                     air_status_notifier_set_icon_name  (AirStatusNotifier       *self,
                                                             const char              *icon_name);
void                     air_status_notifier_set_icon_pixmaps (AirStatusNotifier     *self,
                                                               GVariant              *pixmaps);
void                     air_status_notifier_set_attention_icon_name (AirStatusNotifier *self,
                                                             const char              *icon_name);
void                     air_status_notifier_set_tooltip    (AirStatusNotifier       *self,
                                                             const char              *title,
                                                             const char              *body);

G_END_DECLS
