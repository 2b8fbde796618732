/* air-event-watcher.c
 *
 * Pushes one JSON line per change, as it happens: inotify (GFileMonitor) on
 * the zone's qubes/ and run/ directories tells which qube's files changed;
 * its state is read again and compared with what was last sent. Ends when
 * the caller closes its end.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-event-watcher"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <string.h>
#include <unistd.h>

#include "air-error.h"
#include "air-event-watcher.h"
#include "air-names.h"

typedef struct {
  AirLocalDriver *driver;
  GMainLoop      *loop;
  GHashTable     *sent;   /* name → last JSON line sent */
} Watcher;

static gboolean
emit (Watcher        *watcher,
      const AirEvent *event)
{
  g_autofree char *line = air_event_to_line (event);
  gsize len = strlen (line), done = 0;

  while (done < len)
    {
      ssize_t n = write (STDOUT_FILENO, line + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_main_loop_quit (watcher->loop);
          return FALSE;
        }
      done += n;
    }
  return TRUE;
}

static void
refresh_qube (Watcher    *watcher,
              const char *name)
{
  g_autoptr(AirQube) qube = air_local_driver_lookup (watcher->driver, name, NULL);
  AirEvent event = { 0 };

  if (qube == NULL)
    {
      if (g_hash_table_remove (watcher->sent, name))
        {
          event.kind = AIR_EVENT_QUBE_REMOVED;
          event.name = (char *) name;
          emit (watcher, &event);
        }
      return;
    }

  {
    g_autofree char *json = air_protocol_qube_to_json (qube);
    const char *previous = g_hash_table_lookup (watcher->sent, name);

    if (g_strcmp0 (previous, json) == 0)
      return;

    event.kind = previous ? AIR_EVENT_QUBE_CHANGED : AIR_EVENT_QUBE_ADDED;
    event.qube = qube;
    g_hash_table_insert (watcher->sent, g_strdup (name), g_steal_pointer (&json));
    emit (watcher, &event);
  }
}

static void
file_changed (Watcher *watcher,
              GFile   *file)
{
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  if (file == NULL)
    return;

  base = g_file_get_basename (file);
  if (!g_str_has_suffix (base, ".json"))
    return;

  name = g_strndup (base, strlen (base) - strlen (".json"));
  if (air_name_is_valid (name))
    refresh_qube (watcher, name);
}

static void
changed_cb (GFileMonitor      *monitor,
            GFile             *file,
            GFile             *other_file,
            GFileMonitorEvent  event_type,
            gpointer           user_data)
{
  file_changed (user_data, file);
  file_changed (user_data, other_file);
}

static gboolean
caller_gone_cb (int          fd,
                GIOCondition condition,
                gpointer     user_data)
{
  Watcher *watcher = user_data;

  g_main_loop_quit (watcher->loop);
  return G_SOURCE_REMOVE;
}

static GFileMonitor *
watch_dir (Watcher    *watcher,
           const char *path)
{
  g_autoptr(GFile) dir = g_file_new_for_path (path);
  GFileMonitor *monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);

  if (monitor != NULL)
    {
      g_file_monitor_set_rate_limit (monitor, 0);
      g_signal_connect (monitor, "changed", G_CALLBACK (changed_cb), watcher);
    }
  return monitor;
}

int
air_event_watcher_run (AirLocalDriver *driver)
{
  g_autoptr(GFileMonitor) qubes_monitor = NULL;
  g_autoptr(GFileMonitor) run_monitor = NULL;
  g_autoptr(GPtrArray) qubes = NULL;
  AirEvent health = { .kind = AIR_EVENT_ZONE_HEALTH, .health = AIR_HEALTH_UP, .reason = (char *) "" };
  Watcher watcher = { 0 };

  watcher.driver = driver;
  watcher.loop = g_main_loop_new (NULL, FALSE);
  watcher.sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* Watch first, then take the snapshot, so no change falls between. */
  qubes_monitor = watch_dir (&watcher, air_local_driver_get_qubes_dir (driver));
  run_monitor = watch_dir (&watcher, air_local_driver_get_run_dir (driver));

  qubes = air_local_driver_list (driver, NULL);
  for (guint i = 0; qubes != NULL && i < qubes->len; i++)
    {
      AirQube *qube = g_ptr_array_index (qubes, i);

      g_hash_table_insert (watcher.sent, g_strdup (air_qube_get_name (qube)),
                           air_protocol_qube_to_json (qube));
    }

  g_unix_fd_add (STDOUT_FILENO, G_IO_ERR | G_IO_HUP, caller_gone_cb, &watcher);

  if (emit (&watcher, &health))
    g_main_loop_run (watcher.loop);

  g_hash_table_unref (watcher.sent);
  g_main_loop_unref (watcher.loop);
  return 0;
}
