/* air-tray-menu.c
 *
 * The tray's menu: one submenu per zone (its health, then each qube with
 * its state and Start / Shut down / Run Terminal), the running jobs, "Open
 * Qubes Air" and "Quit". Its items name the actions of AirTray's own
 * group; it is filled only when the panel asks for the menu.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-tray"

#include "config.h"

#include <glib/gi18n.h>

#include "air-label-colors.h"
#include "air-names.h"
#include "air-tray-private.h"

static GMenuItem *
info_item (const char *label,
           const char *key)
{
  GMenuItem *item = g_menu_item_new (label, NULL);

  g_menu_item_set_attribute (item, AIR_DBUS_MENU_ATTRIBUTE_KEY, "s", key);
  return item;
}

static GMenuItem *
action_item (const char *label,
             const char *action,
             const char *target,
             gboolean    enabled)
{
  GMenuItem *item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target (item, action, target ? "s" : NULL, target);
  if (!enabled)
    g_menu_item_set_attribute (item, AIR_DBUS_MENU_ATTRIBUTE_ENABLED, "b", FALSE);
  return item;
}

static void
append_item (GMenu     *menu,
             GMenuItem *item)
{
  g_menu_append_item (menu, item);
  g_object_unref (item);
}

static GMenuModel *
qube_menu (AirQube *qube)
{
  GMenu *menu = g_menu_new ();
  AirQubeState state = air_qube_get_state (qube);
  g_autofree char *target = g_strdup_printf ("%s/%s", air_qube_get_zone (qube), air_qube_get_name (qube));
  gboolean halted = state == AIR_QUBE_STATE_HALTED || state == AIR_QUBE_STATE_CRASHED;
  gboolean running = state == AIR_QUBE_STATE_RUNNING;

  append_item (menu, action_item (_("Start"), "start-qube", target, halted));
  append_item (menu, action_item (_("Shut Down"), "shutdown-qube", target,
                                  running || state == AIR_QUBE_STATE_PAUSED));
  append_item (menu, action_item (_("Run Terminal"), "run-terminal", target, running));
  return G_MENU_MODEL (menu);
}

static GMenuModel *
zone_menu (AirTray *self,
           AirZone *zone)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) status = g_menu_new ();
  g_autoptr(GMenu) qubes = g_menu_new ();
  GListModel *inventory = G_LIST_MODEL (air_session_get_inventory (self->session));
  const char *name = air_zone_get_name (zone);
  AirHealth health = air_zone_get_health (zone);
  const char *reason = air_zone_get_health_reason (zone);
  g_autofree char *line = NULL;
  AirZoneLink *link = air_session_get_link (self->session, name);
  guint running = link ? air_zone_link_get_n_running (link) : 0;
  guint count = link ? air_zone_link_get_n_qubes (link) : 0;
  guint shown = 0;

  if (health == AIR_HEALTH_DOWN && reason != NULL && reason[0] != '\0')
    {
      g_autofree char *short_reason = air_text_sanitize (reason, -1, MAX_REASON_IN_MENU);

      /* Translators: a zone that cannot be reached, and why */
      line = g_strdup_printf (_("Down: %s"), short_reason);
    }
  else if (health == AIR_HEALTH_DOWN)
    line = g_strdup (_("Down"));
  else if (link != NULL && air_zone_link_is_loading (link))
    line = g_strdup (_("Connecting…"));
  else
    {
      g_autofree char *counted = g_strdup_printf (ngettext ("%u qube", "%u qubes", count), count);

      /* Translators: a zone's health, its number of qubes, then of running ones */
      line = g_strdup_printf (_("%s · %s · %u running"), air_health_get_display_name (health), counted, running);
    }
  append_item (status, info_item (line, "health"));
  append_item (status, action_item (_("Show in Qubes Air"), "show-zone", name, TRUE));
  if (health == AIR_HEALTH_DOWN)
    append_item (status, action_item (_("Reconnect"), "reconnect-zone", name, TRUE));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (status));

  for (guint i = 0, n = g_list_model_get_n_items (inventory); i < n; i++)
    {
      g_autoptr(AirQube) qube = g_list_model_get_item (inventory, i);
      g_autoptr(GMenuModel) submenu = NULL;
      g_autofree char *label = NULL;
      g_autofree char *key = NULL;
      GMenuItem *item;

      if (g_strcmp0 (air_qube_get_zone (qube), name) != 0)
        continue;
      if (shown++ == AIR_TRAY_MAX_QUBES_PER_ZONE)
        {
          g_autofree char *more = g_strdup_printf (_("%u more in the window"), count - AIR_TRAY_MAX_QUBES_PER_ZONE);

          append_item (qubes, action_item (more, "show-zone", name, TRUE));
          break;
        }

      /* Translators: a qube's name and its state, e.g. "work (Running)" */
      label = g_strdup_printf (_("%s (%s)"), air_qube_get_name (qube),
                               air_qube_state_get_display_name (air_qube_get_state (qube)));
      key = g_strdup_printf ("qube/%s", air_qube_get_name (qube));
      submenu = qube_menu (qube);
      item = g_menu_item_new_submenu (label, submenu);
      g_menu_item_set_attribute (item, AIR_DBUS_MENU_ATTRIBUTE_KEY, "s", key);
      append_item (qubes, item);
    }
  if (shown == 0 && health != AIR_HEALTH_DOWN)
    append_item (qubes, info_item (_("No qubes"), "no-qubes"));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (qubes));

  return G_MENU_MODEL (menu);
}

void
_air_tray_fill_menu (AirTray *self)
{
  GListModel *zones = air_session_get_zones (self->session);
  GListModel *jobs = air_session_get_jobs (self->session);
  g_autoptr(GMenu) zones_section = g_menu_new ();
  g_autoptr(GMenu) jobs_section = g_menu_new ();
  g_autoptr(GMenu) app_section = g_menu_new ();

  for (guint i = 0, n = g_list_model_get_n_items (zones); i < n; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      g_autoptr(GMenuModel) submenu = zone_menu (self, zone);
      g_autofree char *label = NULL;
      g_autofree char *key = g_strdup_printf ("zone/%s", air_zone_get_name (zone));
      GMenuItem *item;

      /* Translators: a zone's name and its health, e.g. "local — Up" */
      label = g_strdup_printf (_("%s — %s"), air_zone_get_name (zone),
                               air_health_get_display_name (air_zone_get_health (zone)));
      item = g_menu_item_new_submenu (label, submenu);
      g_menu_item_set_attribute (item, AIR_DBUS_MENU_ATTRIBUTE_KEY, "s", key);
      append_item (zones_section, item);
    }

  for (guint i = 0, n = g_list_model_get_n_items (jobs); i < n; i++)
    {
      g_autoptr(AirJob) job = g_list_model_get_item (jobs, i);
      g_autofree char *label = NULL;

      if (air_job_is_finished (job))
        continue;
      /* Translators: a running job and its zone, e.g. "Start work — local" */
      label = g_strdup_printf (_("%s — %s"), air_job_get_title (job), air_job_get_zone (job));
      append_item (jobs_section, action_item (label, "open", NULL, TRUE));
    }
  for (guint i = 0; i < self->unseen_failures->len; i++)
    {
      AirJob *job = g_ptr_array_index (self->unseen_failures, i);
      g_autofree char *label = g_strdup_printf (_("Failed: %s"), air_job_get_title (job));

      append_item (jobs_section, action_item (label, "open", NULL, TRUE));
    }

  append_item (app_section, action_item (_("Open Qubes Air"), "open", NULL, TRUE));
  append_item (app_section, action_item (_("Quit"), "quit", NULL, TRUE));

  self->menu_stale = FALSE;
  g_menu_remove_all (self->menu);
  g_menu_append_section (self->menu, NULL, G_MENU_MODEL (zones_section));
  g_menu_append_section (self->menu, NULL, G_MENU_MODEL (jobs_section));
  g_menu_append_section (self->menu, NULL, G_MENU_MODEL (app_section));
}
