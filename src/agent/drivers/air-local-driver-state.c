/* air-local-driver-state.c — AirLocalDriver's files: the zone and qube
 * locks, a running qube's state in run/, a qube's settings in qubes/
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-local-driver"

#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "air-driver.h"
#include "air-error.h"
#include "air-fd-io.h"
#include "air-json.h"
#include "air-local-driver-private.h"

#define MAX_STATE_FILE      (64 * 1024)

/* Locks */

int
_air_local_open_lock (const char *path)
{
  return open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

static void
alarm_cb (int signal_number)
{
  /* only interrupts flock() */
}

/* Waits at most @seconds for an exclusive lock. */
gboolean
_air_local_lock_wait (int  fd,
                      int  seconds)
{
  struct sigaction action = { 0 }, previous;
  int result;

  action.sa_handler = alarm_cb;
  sigaction (SIGALRM, &action, &previous);
  alarm (seconds);
  result = flock (fd, LOCK_EX);
  alarm (0);
  sigaction (SIGALRM, &previous, NULL);

  return result == 0;
}

int
_air_local_driver_take_zone_lock (AirLocalDriver  *self,
                                  GError         **error)
{
  g_autofree char *path = g_build_filename (self->state_dir, "zone.lock", NULL);
  int fd = _air_local_open_lock (path);

  if (fd < 0 || !_air_local_lock_wait (fd, STOP_TIMEOUT_S))
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY,
                   _("The zone is busy (%s). Try again in a moment."), g_strerror (saved_errno));
      return -1;
    }

  return fd;
}

/* TRUE while the qube's supervisor holds its lock. */
gboolean
_air_local_driver_supervisor_alive (AirLocalDriver *self,
                                    const char     *name)
{
  g_autofree char *path = air_driver_path_in (self->run_dir, name, ".lock");
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  gboolean alive;

  if (fd < 0)
    return FALSE;

  alive = flock (fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close (fd);
  return alive;
}

/* Runtime state */

/* Reads a small state file, relative to @dir_fd when there is one.
 * FALSE with errno set when it cannot. */
static gboolean
read_state_file (int          dir_fd,
                 const char  *dir,
                 const char  *name,
                 const char  *suffix,
                 char       **contents,
                 gsize       *len)
{
  g_autofree char *file = g_strconcat (name, suffix, NULL);
  g_autofree char *path = NULL;
  g_autofree char *buffer = g_malloc (MAX_STATE_FILE + 1);
  gsize done;
  int fd, saved;

  if (dir_fd >= 0)
    fd = openat (dir_fd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  else
    {
      path = g_build_filename (dir, file, NULL);
      fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
  if (fd < 0)
    return FALSE;

  done = air_fd_read_full (fd, buffer, MAX_STATE_FILE + 1);
  saved = errno;
  close (fd);
  if (done > MAX_STATE_FILE)
    {
      errno = EFBIG;
      return FALSE;
    }
  errno = saved;
  buffer[done] = '\0';
  *contents = g_steal_pointer (&buffer);
  *len = done;
  return TRUE;
}

/* With @snap, a qube with neither a state file nor a lock in its listing
 * of run/ has never run, and costs no system call (List of a large zone
 * was mostly failed opens). */
void
_air_local_driver_read_runtime (AirLocalDriver *self,
                                const char     *name,
                                const AirLocalSnapshot *snap,
                                AirLocalRuntime        *runtime)
{
  g_autofree char *contents = NULL;
  g_autoptr(JsonObject) object = NULL;
  const char *state = NULL;
  gsize len;

  runtime->state = AIR_QUBE_STATE_HALTED;
  runtime->started = 0;
  runtime->pid = 0;

  if (snap != NULL && snap->run_entries != NULL)
    {
      g_autofree char *json = g_strconcat (name, ".json", NULL);
      g_autofree char *lock = g_strconcat (name, ".lock", NULL);

      if (!g_hash_table_contains (snap->run_entries, json))
        {
          if (g_hash_table_contains (snap->run_entries, lock) && _air_local_driver_supervisor_alive (self, name))
            runtime->state = AIR_QUBE_STATE_STARTING;
          return;
        }
    }

  if (!read_state_file (snap ? snap->run_fd : -1, self->run_dir, name, ".json", &contents, &len))
    {
      if (_air_local_driver_supervisor_alive (self, name))
        runtime->state = AIR_QUBE_STATE_STARTING;
      return;
    }

  if (!_air_local_driver_supervisor_alive (self, name))
    return;   /* stale: the supervisor died */

  object = air_json_parse_object (contents, len, MAX_STATE_FILE, NULL);
  if (object == NULL ||
      !air_json_get_opt_string (object, "state", 16, "Running", &state, NULL) ||
      !air_qube_state_from_string (state, &runtime->state))
    runtime->state = AIR_QUBE_STATE_RUNNING;

  air_json_get_opt_int (object, "started", 0, G_MAXINT64, 0, &runtime->started, NULL);
  air_json_get_opt_int (object, "pid", 0, G_MAXINT32, 0, &runtime->pid, NULL);
}

gboolean
_air_local_driver_write_runtime (AirLocalDriver  *self,
                                 const char      *name,
                                 AirQubeState     state,
                                 gint64           started,
                                 GError         **error)
{
  g_autofree char *path = air_driver_path_in (self->run_dir, name, ".json");
  g_autofree char *text = NULL;

  text = g_strdup_printf ("{\"version\":1,\"state\":\"%s\",\"started\":%" G_GINT64_FORMAT ",\"pid\":%d}\n",
                          air_qube_state_to_string (state), started, (int) getpid ());
  return air_driver_write_atomically (path, text, error);
}

/* Removes what a stopped qube leaves in run/; the caller holds its lock.
 * The state file is rewritten as Halted rather than deleted: releasing
 * the lock is not a file change, and Events watchers must see one. */
void
_air_local_driver_clear_runtime (AirLocalDriver *self,
                                 const char     *name)
{
  g_autofree char *dir = air_driver_path_in (self->run_dir, name, ".d");

  _air_local_driver_write_runtime (self, name, AIR_QUBE_STATE_HALTED, 0, NULL);
  _air_local_remove_tree (dir, NULL);
}

/* Settings */

AirQube *
_air_local_driver_read_qube (AirLocalDriver  *self,
                             const char      *name,
                             gboolean         with_runtime,
                             const AirLocalSnapshot  *snap,
                             GError         **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(AirQube) qube = NULL;
  gsize len;

  if (!read_state_file (snap ? snap->qubes_fd : -1, self->qubes_dir, name, ".json", &contents, &len))
    {
      if (errno == ENOENT)
        g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                     _("There is no qube “%s” in zone “%s”."), name, self->zone_name);
      else
        _air_local_set_errno_error (error, errno, _("Cannot read the settings of qube “%s”"), name);
      return NULL;
    }

  qube = air_protocol_parse_qube (contents, len, self->zone_name, error);
  if (qube == NULL)
    return NULL;

  if (g_strcmp0 (air_qube_get_name (qube), name) != 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("The settings of qube “%s” name another qube"), name);
      return NULL;
    }

  if (with_runtime)
    {
      AirLocalRuntime runtime;

      _air_local_driver_read_runtime (self, name, snap, &runtime);
      air_qube_set_state (qube, runtime.state);
      air_qube_set_started (qube, runtime.started);
    }
  else
    {
      air_qube_set_state (qube, AIR_QUBE_STATE_HALTED);
      air_qube_set_started (qube, 0);
    }

  return g_steal_pointer (&qube);
}

gboolean
_air_local_driver_write_qube (AirLocalDriver  *self,
                              AirQube         *qube,
                              GError         **error)
{
  g_autofree char *path = air_driver_path_in (self->qubes_dir, air_qube_get_name (qube), ".json");
  g_autofree char *text = NULL;
  g_autoptr(AirQube) stored = air_qube_new (self->zone_name, air_qube_get_name (qube));

  /* Only settings are stored; state lives in run/. */
  air_qube_update_from (stored, qube);
  air_qube_set_state (stored, AIR_QUBE_STATE_HALTED);
  air_qube_set_started (stored, 0);
  text = air_protocol_qube_to_json (stored);

  return air_driver_write_atomically (path, text, error);
}
