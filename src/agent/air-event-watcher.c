/* air-event-watcher.c
 *
 * Pushes one JSON line per change, as it happens: inotify on the zone's
 * qubes/ and run/ directories tells which qube's files changed; its state
 * is read again and compared with what was last sent. Ends when the caller
 * closes its end. Called with the argument "listed", the stream begins
 * with the zone's List answer: one call, not two, for a caller starting.
 *
 * inotify itself rather than GFileMonitor: GLib's inotify source holds
 * events back for up to 100 ms once changes come in quick succession (a
 * start writes Starting, then Running), which the app's rows would show as
 * lag (bench/app).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-event-watcher"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-fd-io.h"
#include "air-event-watcher.h"
#include "air-names.h"

typedef struct {
  AirDriver      *driver;
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
  g_autoptr(AirQube) qube = air_driver_lookup (watcher->driver, name, NULL);
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

/* A change the directories do not show (a libvirt domain's lifecycle). */
static void
driver_changed_cb (const char *name,
                   gpointer    user_data)
{
  refresh_qube (user_data, name);
}

static void
file_changed (Watcher    *watcher,
              const char *base)
{
  g_autofree char *name = NULL;

  if (!g_str_has_suffix (base, ".json"))
    return;

  name = g_strndup (base, strlen (base) - strlen (".json"));
  if (air_name_is_valid (name))
    refresh_qube (watcher, name);
}

/* The kernel dropped events: every qube, and every one sent before, again. */
static void
refresh_all (Watcher *watcher)
{
  g_autoptr(GPtrArray) qubes = air_driver_list (watcher->driver, NULL);
  g_autofree char **sent = (char **) g_hash_table_get_keys_as_array (watcher->sent, NULL);
  g_auto(GStrv) names = g_strdupv (sent);

  for (guint i = 0; qubes != NULL && i < qubes->len; i++)
    refresh_qube (watcher, air_qube_get_name (g_ptr_array_index (qubes, i)));
  for (guint i = 0; names[i] != NULL; i++)
    refresh_qube (watcher, names[i]);
}

static gboolean
inotify_cb (int          fd,
            GIOCondition condition,
            gpointer     user_data)
{
  Watcher *watcher = user_data;
  char buffer[16384] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
  ssize_t n = read (fd, buffer, sizeof buffer);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      g_main_loop_quit (watcher->loop);
      return G_SOURCE_REMOVE;
    }

  for (char *p = buffer; p < buffer + n;)
    {
      const struct inotify_event *event = (const struct inotify_event *) p;

      if (event->mask & IN_Q_OVERFLOW)
        refresh_all (watcher);
      else if (event->len > 0)
        file_changed (watcher, event->name);
      p += sizeof *event + event->len;
    }
  return G_SOURCE_CONTINUE;
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

/* What a caller sends while it follows is read and dropped; its end (or
 * an error) means the caller is gone. */
static gboolean
stdin_cb (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  Watcher *watcher = user_data;
  char buffer[256];
  ssize_t n = read (fd, buffer, sizeof buffer);

  if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN)))
    return G_SOURCE_CONTINUE;
  g_main_loop_quit (watcher->loop);
  return G_SOURCE_REMOVE;
}

/* The list first, and every qube in it as sent: a later change is told
 * only when there is one. */
static gboolean
send_list (Watcher *watcher)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) qubes = air_driver_list (watcher->driver, &error);
  g_autofree char *json = NULL;

  if (qubes == NULL)
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  for (guint i = 0; i < qubes->len; i++)
    {
      AirQube *qube = g_ptr_array_index (qubes, i);

      g_hash_table_insert (watcher->sent, g_strdup (air_qube_get_name (qube)), air_protocol_qube_to_json (qube));
    }
  json = air_protocol_list_to_json (air_driver_get_zone_name (watcher->driver), qubes);
  return air_fd_write_all (STDOUT_FILENO, json, strlen (json));
}

/* The names only, not the qubes, for a caller that lists them itself: a
 * qube known here by name alone gets one "changed" on its first change,
 * exactly as one that did change. */
static void
remember_names (Watcher *watcher)
{
  g_autoptr(GDir) qubes_dir = g_dir_open (air_driver_get_qubes_dir (watcher->driver), 0, NULL);
  const char *entry;

  while (qubes_dir != NULL && (entry = g_dir_read_name (qubes_dir)) != NULL)
    {
      g_autofree char *name = g_str_has_suffix (entry, ".json")
                              ? g_strndup (entry, strlen (entry) - strlen (".json")) : NULL;

      if (name != NULL && air_name_is_valid (name))
        g_hash_table_insert (watcher->sent, g_steal_pointer (&name), g_strdup (""));
    }
}

int
air_event_watcher_run (AirDriver      *driver,
                       gboolean        listed)
{
  const guint32 mask = IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE;
  int fd, status = 0;
  AirEvent health = { .kind = AIR_EVENT_ZONE_HEALTH, .health = AIR_HEALTH_UP, .reason = (char *) "" };
  Watcher watcher = { 0 };
  struct stat st;

  watcher.driver = driver;
  watcher.loop = g_main_loop_new (NULL, FALSE);
  watcher.sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* Watch first, then take the snapshot, so no change falls between. */
  fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0 ||
      inotify_add_watch (fd, air_driver_get_qubes_dir (driver), mask) < 0 ||
      inotify_add_watch (fd, air_driver_get_run_dir (driver), mask) < 0)
    {
      g_printerr (_("Cannot watch the zone’s qubes: %s\n"), g_strerror (errno));
      return 1;
    }
  g_unix_fd_add (fd, G_IO_IN, inotify_cb, &watcher);
  {
    g_autoptr(GError) watch_error = NULL;

    if (!air_driver_watch (driver, driver_changed_cb, &watcher, &watch_error))
      {
        g_printerr ("%s\n", watch_error->message);
        g_hash_table_unref (watcher.sent);
        g_main_loop_unref (watcher.loop);
        close (fd);
        return 1;
      }
  }

  if (listed)
    status = send_list (&watcher) ? 0 : 1;
  else
    remember_names (&watcher);

  g_unix_fd_add (STDOUT_FILENO, G_IO_ERR | G_IO_HUP, caller_gone_cb, &watcher);
  /* Under qrexec the caller's end of stdout can outlive the caller (its
   * agent holds it): the end of stdin says the caller went. Only a pipe or
   * socket, which a caller keeps open while it follows; /dev/null is not. */
  if (fstat (STDIN_FILENO, &st) == 0 && (S_ISFIFO (st.st_mode) || S_ISSOCK (st.st_mode)))
    g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_ERR | G_IO_HUP, stdin_cb, &watcher);

  if (status == 0 && emit (&watcher, &health))
    g_main_loop_run (watcher.loop);

  g_hash_table_unref (watcher.sent);
  g_main_loop_unref (watcher.loop);
  close (fd);
  return status;
}
