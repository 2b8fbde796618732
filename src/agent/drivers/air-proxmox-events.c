/* air-proxmox-events.c
 *
 * A Proxmox zone's Events: Proxmox pushes nothing, so while a caller
 * listens the zone's resources are read again every few seconds and only
 * what changed is sent (the one poll the project allows).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-proxmox"

#include "config.h"

#include <glib-unix.h>
#include <string.h>
#include <unistd.h>

#include "air-fd-io.h"
#include "air-proxmox-driver.h"

/* Proxmox pushes nothing: while a caller listens to Events, the zone's
 * resources are read again every few seconds and only what changed is
 * sent — the one poll the project allows. The stream ends when the
 * caller's end of stdout goes, or its stdin ends (qrexec keeps stdout
 * open after the caller left). */
typedef struct {
  AirProxmoxDriver *driver;
  GMainLoop        *loop;
  GHashTable       *sent;     /* name → JSON last sent */
  AirHealth         health;
} Watch;

static gboolean
send_line (Watch *watch, const char *line)
{
  if (!air_fd_write_all (STDOUT_FILENO, line, strlen (line)))
    {
      g_main_loop_quit (watch->loop);
      return FALSE;
    }
  return TRUE;
}

static gboolean
send_event (Watch *watch, const AirEvent *event)
{
  g_autofree char *line = air_event_to_line (event);

  return send_line (watch, line);
}

static void
set_health (Watch *watch, AirHealth health, const char *reason)
{
  AirEvent event = { .kind = AIR_EVENT_ZONE_HEALTH, .health = health, .reason = (char *) reason };

  if (watch->health == health)
    return;
  watch->health = health;
  send_event (watch, &event);
}

static gboolean
poll_cb (gpointer user_data)
{
  Watch *watch = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) qubes = air_proxmox_driver_list (watch->driver, &error);
  g_autoptr(GHashTable) now = NULL;
  GHashTableIter iter;
  gpointer name;

  if (qubes == NULL)
    {
      set_health (watch, AIR_HEALTH_DOWN, error->message);
      return G_SOURCE_CONTINUE;
    }
  set_health (watch, AIR_HEALTH_UP, "");

  now = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < qubes->len; i++)
    {
      AirQube *qube = qubes->pdata[i];
      g_autofree char *json = air_protocol_qube_to_json (qube);
      const char *previous = g_hash_table_lookup (watch->sent, air_qube_get_name (qube));
      AirEvent event = { .kind = previous ? AIR_EVENT_QUBE_CHANGED : AIR_EVENT_QUBE_ADDED, .qube = qube };

      g_hash_table_add (now, (gpointer) air_qube_get_name (qube));
      if (g_strcmp0 (previous, json) == 0)
        continue;
      g_hash_table_insert (watch->sent, g_strdup (air_qube_get_name (qube)), g_steal_pointer (&json));
      if (!send_event (watch, &event))
        return G_SOURCE_REMOVE;
    }

  g_hash_table_iter_init (&iter, watch->sent);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (!g_hash_table_contains (now, name))
      {
        AirEvent event = { .kind = AIR_EVENT_QUBE_REMOVED, .name = name };

        if (!send_event (watch, &event))
          return G_SOURCE_REMOVE;
        g_hash_table_iter_remove (&iter);
      }
  return G_SOURCE_CONTINUE;
}

static gboolean
caller_gone_cb (int fd, GIOCondition condition, gpointer user_data)
{
  Watch *watch = user_data;
  char byte;

  /* stdin: only its end (or an error) ends the stream */
  if (fd == STDIN_FILENO && (condition & G_IO_IN) && read (fd, &byte, 1) > 0)
    return G_SOURCE_CONTINUE;
  g_main_loop_quit (watch->loop);
  return G_SOURCE_REMOVE;
}

int
air_proxmox_driver_watch (AirProxmoxDriver *self,
                          gboolean          listed,
                          guint             interval)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) qubes = air_proxmox_driver_list (self, &error);
  Watch watch = { .driver = self, .health = AIR_HEALTH_UNKNOWN };

  if (qubes == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  watch.loop = g_main_loop_new (NULL, FALSE);
  watch.sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < qubes->len; i++)
    g_hash_table_insert (watch.sent, g_strdup (air_qube_get_name (qubes->pdata[i])),
                         listed ? air_protocol_qube_to_json (qubes->pdata[i]) : g_strdup (""));
  if (listed)
    {
      g_autofree char *json = air_protocol_list_to_json (air_proxmox_driver_get_zone_name (self), qubes);

      send_line (&watch, json);
    }
  set_health (&watch, AIR_HEALTH_UP, "");

  g_timeout_add_seconds (MAX (interval, 1), poll_cb, &watch);
  g_unix_fd_add (STDOUT_FILENO, G_IO_ERR | G_IO_HUP, caller_gone_cb, &watch);
  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_ERR | G_IO_HUP, caller_gone_cb, &watch);
  g_main_loop_run (watch.loop);

  g_hash_table_unref (watch.sent);
  g_main_loop_unref (watch.loop);
  return 0;
}
