/* air-dbus-menu.h — a GMenuModel exported as a com.canonical.dbusmenu menu
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define AIR_TYPE_DBUS_MENU (air_dbus_menu_get_type ())

G_DECLARE_FINAL_TYPE (AirDBusMenu, air_dbus_menu, AIR, DBUS_MENU, GObject)

/* Menu item attributes the exporter understands besides GMenu's own:
 * a key that keeps an item's id while the menu changes around it, and a
 * per-item "enabled" (an action is enabled or not for every target). */
#define AIR_DBUS_MENU_ATTRIBUTE_KEY     "x-air-key"
#define AIR_DBUS_MENU_ATTRIBUTE_ENABLED "x-air-enabled"

typedef void (*AirDBusMenuPopulateFunc) (gpointer user_data);

AirDBusMenu *air_dbus_menu_new          (GMenuModel       *model,
                                         GActionGroup     *actions);
gboolean     air_dbus_menu_export       (AirDBusMenu      *self,
                                         GDBusConnection  *connection,
                                         const char       *object_path,
                                         GError          **error);
void         air_dbus_menu_unexport     (AirDBusMenu      *self);
void         air_dbus_menu_set_populate_func (AirDBusMenu             *self,
                                              AirDBusMenuPopulateFunc  func,
                                              gpointer                 user_data);
void         air_dbus_menu_invalidate   (AirDBusMenu      *self);
const char  *air_dbus_menu_get_object_path (AirDBusMenu   *self);
guint        air_dbus_menu_get_revision (AirDBusMenu      *self);

G_END_DECLS
