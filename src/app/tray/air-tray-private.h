/* air-tray-private.h — what AirTray's files share (air-tray.c: the
 * object, its actions, icon, status and tooltip; air-tray-menu.c: the
 * menu, built when the panel asks for it)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-dbus-menu.h"
#include "air-tray.h"

G_BEGIN_DECLS

/* Failed jobs remembered until seen, and named in the tooltip. */
#define MAX_UNSEEN_FAILURES 20
#define MAX_NAMED_IN_TOOLTIP 3
#define MAX_REASON_IN_MENU 80

struct _AirTray
{
  GObject             parent_instance;

  /* Owned references */
  AirSession         *session;
  GMenu              *menu;
  GSimpleActionGroup *actions;
  AirDBusMenu        *dbus_menu;
  AirStatusNotifier  *notifier;
  GPtrArray          *unseen_failures;   /* AirJob */
  GHashTable         *pixmaps;           /* icon name → a(iiay) */
  char               *shown_icon;

  guint               update_id;
  gboolean            menu_stale;        /* _air_tray_fill_menu before it is shown */
};

/* air-tray-menu.c */
void _air_tray_fill_menu (AirTray *self);

G_END_DECLS
