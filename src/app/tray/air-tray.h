/* air-tray.h — the tray status indicator: the session as icon, tooltip, menu
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-session.h"
#include "air-status-notifier.h"

G_BEGIN_DECLS

#define AIR_TYPE_TRAY (air_tray_get_type ())

G_DECLARE_FINAL_TYPE (AirTray, air_tray, AIR, TRAY, GObject)

/* Qubes' own terminal launcher is not in every zone's images; Debian's
 * alternative is. */
/* The first terminal the qube has; a job that fails, saying so, if none. */
#define AIR_TRAY_TERMINAL_SCRIPT \
  "for t in x-terminal-emulator gnome-terminal xfce4-terminal konsole xterm; do\n" \
  "  command -v \"$t\" >/dev/null && exec \"$t\"\n" \
  "done\n" \
  "echo 'This qube has no terminal program (x-terminal-emulator, gnome-terminal, " \
  "xfce4-terminal, konsole or xterm).' >&2\n" \
  "exit 127\n"
/* Qubes shown per zone in the menu; the window shows them all. */
#define AIR_TRAY_MAX_QUBES_PER_ZONE 100

AirTray           *air_tray_new                 (AirSession       *session);
gboolean           air_tray_export              (AirTray          *self,
                                                 GDBusConnection  *connection,
                                                 GError          **error);
AirStatusNotifier *air_tray_get_status_notifier (AirTray          *self);
GMenuModel        *air_tray_get_menu            (AirTray          *self);
GActionGroup      *air_tray_get_actions         (AirTray          *self);
gboolean           air_tray_get_in_use          (AirTray          *self);
guint              air_tray_get_n_unseen_failures (AirTray        *self);
void               air_tray_mark_seen           (AirTray          *self);
void               air_tray_update              (AirTray          *self);

G_END_DECLS
