/* air-local-driver.c
 *
 * State, one directory per zone (AIR_AGENT_DIR):
 *   qubes/NAME.json   the qube's settings; its presence *is* the qube
 *   private/NAME/     the qube's home
 *   run/NAME.lock     held (flock) by the qube's supervisor while it lives
 *   run/NAME.json     state of a running qube (Transient, Running, Halting)
 *   run/NAME.d/       the qube's control socket, bound into the sandbox
 *   templates/T/      extra template roots; "host" is this machine's /
 *   zone.lock         serialises create and remove
 *
 * Every file is replaced atomically (temporary file, fsync, rename), and a
 * settings file is written last on create and removed first on remove, so a
 * kill -9 at any point never leaves a half-made qube visible. A qube whose
 * supervisor died is seen as halted, because the kernel drops its lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-local-driver"

#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "air-control-channel.h"
#include "air-error.h"
#include "air-fd-io.h"
#include "air-json.h"
#include "air-driver.h"
#include "air-local-driver.h"
#include "air-template-store.h"
#include "air-uplink.h"
#include "air-names.h"
#include "air-qube-init.h"
#include "air-sandbox.h"
#include "air-utils.h"

#define START_TIMEOUT_S     20
#define STOP_TIMEOUT_S      30
#define DISPOSABLE_GC_AGE_S 60
#define MAX_STATE_FILE      (64 * 1024)
#define SOCKET_NAME         "control"

struct _AirLocalDriver
{
  GObject       parent_instance;

  char         *zone_name;
  char         *state_dir;
  char         *qubes_dir;
  char         *private_dir;
  char         *run_dir;
  char         *templates_dir;
  AirTemplateStore *templates;
  AirIsolation  isolation;   /* probed on first use */
};

/* The AirDriver methods are in air-local-driver-iface.c. */
G_DEFINE_FINAL_TYPE_WITH_CODE (AirLocalDriver, air_local_driver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AIR_TYPE_DRIVER, _air_local_driver_iface_init))

static void
air_local_driver_finalize (GObject *object)
{
  AirLocalDriver *self = (AirLocalDriver *)object;

  g_free (self->zone_name);
  g_free (self->state_dir);
  g_free (self->qubes_dir);
  g_free (self->private_dir);
  g_free (self->run_dir);
  g_free (self->templates_dir);
  g_clear_object (&self->templates);

  G_OBJECT_CLASS (air_local_driver_parent_class)->finalize (object);
}

static void
air_local_driver_class_init (AirLocalDriverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_local_driver_finalize;
}

static void
air_local_driver_init (AirLocalDriver *self)
{
  self->isolation = AIR_ISOLATION_UNKNOWN;
}

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...) G_GNUC_PRINTF (3, 4);

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

AirLocalDriver *
air_local_driver_new (const char  *state_dir,
                      const char  *zone_name,
                      GError     **error)
{
  g_autoptr(AirLocalDriver) self = g_object_new (AIR_TYPE_LOCAL_DRIVER, NULL);
  const char *dirs[4];

  self->zone_name = g_strdup (zone_name);
  self->state_dir = g_strdup (state_dir);
  self->qubes_dir = g_build_filename (state_dir, "qubes", NULL);
  self->private_dir = g_build_filename (state_dir, "private", NULL);
  self->run_dir = g_build_filename (state_dir, "run", NULL);
  self->templates_dir = g_build_filename (state_dir, "templates", NULL);
  self->templates = air_template_store_new (self->templates_dir, "");

  dirs[0] = self->qubes_dir;
  dirs[1] = self->private_dir;
  dirs[2] = self->run_dir;
  dirs[3] = self->templates_dir;
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (g_mkdir_with_parents (dirs[i], 0700) != 0)
      {
        set_errno_error (error, errno, _("Cannot create the zone directory %s"), dirs[i]);
        return NULL;
      }

  return g_steal_pointer (&self);
}

const char *
air_local_driver_get_zone_name (AirLocalDriver *self)
{
  return self->zone_name;
}

const char *
air_local_driver_get_qubes_dir (AirLocalDriver *self)
{
  return self->qubes_dir;
}

const char *
air_local_driver_get_run_dir (AirLocalDriver *self)
{
  return self->run_dir;
}

static AirIsolation
get_isolation (AirLocalDriver *self)
{
  if (self->isolation == AIR_ISOLATION_UNKNOWN)
    {
      g_autofree char *cache = g_build_filename (self->state_dir, "sandbox-probe", NULL);

      self->isolation = air_sandbox_probe (cache);
    }
  return self->isolation;
}

static gboolean
remove_tree (const char  *path,
             GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) local_error = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, &local_error);
  if (children == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  else
    {
      while ((info = g_file_enumerator_next_file (children, NULL, error)) != NULL)
        {
          g_autoptr(GFileInfo) owned = info;
          g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

          if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
            {
              if (!remove_tree (child, error))
                return FALSE;
            }
          else if (g_unlink (child) != 0 && errno != ENOENT)
            return set_errno_error (error, errno, _("Cannot remove %s"), child);
        }
    }

  if (g_remove (path) != 0 && errno != ENOENT)
    return set_errno_error (error, errno, _("Cannot remove %s"), path);
  return TRUE;
}

/* Locks */

static int
open_lock (const char *path)
{
  return open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

static void
alarm_cb (int signal_number)
{
  /* only interrupts flock() */
}

/* Waits at most @seconds for an exclusive lock. */
static gboolean
lock_wait (int  fd,
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

static int
take_zone_lock (AirLocalDriver  *self,
                GError         **error)
{
  g_autofree char *path = g_build_filename (self->state_dir, "zone.lock", NULL);
  int fd = open_lock (path);

  if (fd < 0 || !lock_wait (fd, STOP_TIMEOUT_S))
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
static gboolean
supervisor_alive (AirLocalDriver *self,
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

typedef struct {
  AirQubeState state;
  gint64       started;
  gint64       pid;
} Runtime;

/* What List opens once for all the qubes it reads. */
typedef struct {
  GHashTable *run_entries;   /* names in run/, listed just before */
  int         qubes_fd;      /* qubes/ and run/, so each file is one lookup */
  int         run_fd;
} Snapshot;

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
static void
read_runtime (AirLocalDriver *self,
              const char     *name,
              const Snapshot *snap,
              Runtime        *runtime)
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
          if (g_hash_table_contains (snap->run_entries, lock) && supervisor_alive (self, name))
            runtime->state = AIR_QUBE_STATE_STARTING;
          return;
        }
    }

  if (!read_state_file (snap ? snap->run_fd : -1, self->run_dir, name, ".json", &contents, &len))
    {
      if (supervisor_alive (self, name))
        runtime->state = AIR_QUBE_STATE_STARTING;
      return;
    }

  if (!supervisor_alive (self, name))
    return;   /* stale: the supervisor died */

  object = air_json_parse_object (contents, len, MAX_STATE_FILE, NULL);
  if (object == NULL ||
      !air_json_get_opt_string (object, "state", 16, "Running", &state, NULL) ||
      !air_qube_state_from_string (state, &runtime->state))
    runtime->state = AIR_QUBE_STATE_RUNNING;

  air_json_get_opt_int (object, "started", 0, G_MAXINT64, 0, &runtime->started, NULL);
  air_json_get_opt_int (object, "pid", 0, G_MAXINT32, 0, &runtime->pid, NULL);
}

static gboolean
write_runtime (AirLocalDriver  *self,
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
static void
clear_runtime (AirLocalDriver *self,
               const char     *name)
{
  g_autofree char *dir = air_driver_path_in (self->run_dir, name, ".d");

  write_runtime (self, name, AIR_QUBE_STATE_HALTED, 0, NULL);
  remove_tree (dir, NULL);
}

/* Settings */

static AirQube *
read_qube (AirLocalDriver  *self,
           const char      *name,
           gboolean         with_runtime,
           const Snapshot  *snap,
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
        set_errno_error (error, errno, _("Cannot read the settings of qube “%s”"), name);
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
      Runtime runtime;

      read_runtime (self, name, snap, &runtime);
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

static gboolean
write_qube (AirLocalDriver  *self,
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

AirQube *
air_local_driver_lookup (AirLocalDriver  *self,
                         const char      *name,
                         GError         **error)
{
  if (!air_name_validate (name, "qube", error))
    return NULL;
  return read_qube (self, name, TRUE, NULL, error);
}

/* The qube's home (its private directory), running or halted, as a
 * directory fd: the file services work only from it, never by path, as
 * the qube may have put symlinks anywhere inside. */
int
air_local_driver_open_home (AirLocalDriver  *self,
                            const char      *name,
                            GError         **error)
{
  g_autoptr(AirQube) qube = air_local_driver_lookup (self, name, error);
  g_autofree char *home = NULL;
  int fd;

  if (qube == NULL)
    return -1;
  home = g_build_filename (self->private_dir, name, NULL);
  fd = open (home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    set_errno_error (error, errno, _("Cannot open the home of qube “%s”"), name);
  return fd;
}

/* The root of a template's current version; with @lock_fd, a descriptor
 * that keeps that version while the qube runs on it. */
static char *
template_root (AirLocalDriver *self,
               const char     *template_name,
               int            *lock_fd)
{
  if (lock_fd != NULL)
    *lock_fd = -1;
  if (g_strcmp0 (template_name, "host") == 0)
    return g_strdup ("/");
  return air_template_store_current_path (self->templates, template_name, lock_fd);
}

static char **
list_templates (AirLocalDriver *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) templates = air_template_store_list (self->templates);

  g_strv_builder_add (builder, "host");
  for (guint i = 0; i < templates->len; i++)
    {
      AirTemplate *template = g_ptr_array_index (templates, i);

      if (strcmp (template->name, "host") != 0)
        g_strv_builder_add (builder, template->name);
    }
  return g_strv_builder_end (builder);
}

static gboolean
remove_qube_locked (AirLocalDriver  *self,
                    const char      *name,
                    GError         **error)
{
  g_autofree char *config = air_driver_path_in (self->qubes_dir, name, ".json");
  g_autofree char *home = g_build_filename (self->private_dir, name, NULL);
  g_autofree char *lock = air_driver_path_in (self->run_dir, name, ".lock");
  g_autofree char *log = air_driver_path_in (self->run_dir, name, ".log");
  g_autofree char *runtime = air_driver_path_in (self->run_dir, name, ".json");
  g_autofree char *run_d = air_driver_path_in (self->run_dir, name, ".d");

  /* The settings file goes first: from here on the qube does not exist. */
  if (g_unlink (config) != 0 && errno != ENOENT)
    return set_errno_error (error, errno, _("Cannot remove qube “%s”"), name);

  g_unlink (runtime);
  remove_tree (run_d, NULL);
  g_unlink (lock);
  g_unlink (log);
  return remove_tree (home, error);
}

/* Disposables are removed when they stop; one whose supervisor was killed
 * before it could do so is removed here, once it is clearly abandoned. */
static void
collect_abandoned (AirLocalDriver *self,
                   AirQube        *qube)
{
  g_autofree char *config = air_driver_path_in (self->qubes_dir, air_qube_get_name (qube), ".json");
  GStatBuf st;
  int lock_fd;

  if (air_qube_get_kind (qube) != AIR_QUBE_KIND_DISP_VM ||
      air_qube_get_state (qube) != AIR_QUBE_STATE_HALTED ||
      g_stat (config, &st) != 0 ||
      time (NULL) - st.st_mtime < DISPOSABLE_GC_AGE_S)
    return;

  lock_fd = take_zone_lock (self, NULL);
  if (lock_fd < 0)
    return;
  if (!supervisor_alive (self, air_qube_get_name (qube)))
    remove_qube_locked (self, air_qube_get_name (qube), NULL);
  close (lock_fd);
}

/* The names in @dir; NULL when it cannot be read, and callers then look. */
static GHashTable *
list_entries (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  GHashTable *entries;
  const char *entry;

  if (listing == NULL)
    return NULL;
  entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while ((entry = g_dir_read_name (listing)) != NULL)
    g_hash_table_add (entries, g_strdup (entry));
  return entries;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
air_local_driver_list (AirLocalDriver  *self,
                       GError         **error)
{
  g_autoptr(GPtrArray) qubes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  Snapshot snap = { NULL, -1, -1 };
  g_autoptr(GDir) dir = NULL;
  const char *entry;

  dir = g_dir_open (self->qubes_dir, 0, error);
  if (dir == NULL)
    return NULL;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name = NULL;

      if (!g_str_has_suffix (entry, ".json"))
        continue;
      name = g_strndup (entry, strlen (entry) - strlen (".json"));
      if (air_name_is_valid (name))
        g_ptr_array_add (names, g_steal_pointer (&name));
    }

  g_ptr_array_sort (names, compare_names);
  snap.run_entries = list_entries (self->run_dir);
  snap.qubes_fd = open (self->qubes_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  snap.run_fd = open (self->run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      AirQube *qube = read_qube (self, g_ptr_array_index (names, i), TRUE, &snap, &local_error);

      /* Removed meanwhile, or damaged by hand: leave it out, say why. */
      if (qube == NULL)
        {
          if (!g_error_matches (local_error, AIR_ERROR, AIR_ERROR_NOT_FOUND))
            g_warning ("Skipping qube %s: %s", (char *) g_ptr_array_index (names, i), local_error->message);
          continue;
        }

      collect_abandoned (self, qube);
      g_ptr_array_add (qubes, qube);
    }

  g_clear_pointer (&snap.run_entries, g_hash_table_unref);
  if (snap.qubes_fd >= 0)
    close (snap.qubes_fd);
  if (snap.run_fd >= 0)
    close (snap.run_fd);
  return g_steal_pointer (&qubes);
}

static guint64
memory_total_mib (void)
{
  g_autofree char *meminfo = NULL;
  guint64 kib = 0;

  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL))
    sscanf (meminfo, "MemTotal: %" G_GUINT64_FORMAT, &kib);
  return kib / 1024;
}

AirTemplateStore *
air_local_driver_get_templates (AirLocalDriver *self)
{
  return self->templates;
}

AirZoneInfo *
air_local_driver_get_info (AirLocalDriver *self)
{
  AirZoneInfo *info = g_new0 (AirZoneInfo, 1);
  g_autoptr(GDir) dir = g_dir_open (self->qubes_dir, 0, NULL);
  const char *entry;

  info->name = g_strdup (self->zone_name);
  info->driver = g_strdup ("local");
  info->isolation = get_isolation (self);
  info->templates = list_templates (self);
  info->health = AIR_HEALTH_UP;
  info->health_reason = g_strdup (info->isolation == AIR_ISOLATION_NONE
                                  ? _("Qubes run without isolation: bubblewrap is missing or cannot make user and "
                                      "network namespaces here (kernel.unprivileged_userns_clone, "
                                      "user.max_user_namespaces)")
                                  : "");
  info->memory_total = memory_total_mib ();
  info->vcpus_total = g_get_num_processors ();

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".json"))
      {
        g_autofree char *name = g_strndup (entry, strlen (entry) - strlen (".json"));

        info->n_qubes++;
        if (supervisor_alive (self, name))
          info->n_running++;
      }

  return info;
}

/* The temporary files of an atomic write killed before its rename. */
static void
remove_partial_writes (const char *dir,
                       const char *name)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  g_autofree char *prefix = g_strconcat (name, ".json.", NULL);
  const char *entry;

  while (entries != NULL && (entry = g_dir_read_name (entries)) != NULL)
    if (g_str_has_prefix (entry, prefix))
      {
        g_autofree char *path = g_build_filename (dir, entry, NULL);
        g_unlink (path);
      }
}

AirQube *
air_local_driver_create (AirLocalDriver     *self,
                         const char         *name,
                         const AirQubeSpec  *spec,
                         GError            **error)
{
  g_autofree char *config = NULL;
  g_autofree char *home = NULL;
  g_autofree char *root = NULL;
  g_autoptr(AirQube) qube = NULL;
  int lock_fd;

  if (!air_name_validate (name, "qube", error))
    return NULL;

  root = template_root (self, spec->template_name, NULL);
  if (root == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                   _("There is no template “%s” in zone “%s”."), spec->template_name, self->zone_name);
      return NULL;
    }

  lock_fd = take_zone_lock (self, error);
  if (lock_fd < 0)
    return NULL;

  config = air_driver_path_in (self->qubes_dir, name, ".json");
  if (g_file_test (config, G_FILE_TEST_EXISTS))
    {
      close (lock_fd);
      g_set_error (error, AIR_ERROR, AIR_ERROR_EXISTS,
                   _("A qube called “%s” exists already in zone “%s”."), name, self->zone_name);
      return NULL;
    }

  /* Leftovers of a create that was killed half way are not a qube. */
  remove_partial_writes (self->qubes_dir, name);
  home = g_build_filename (self->private_dir, name, NULL);
  if (!remove_tree (home, error) || g_mkdir (home, 0700) != 0)
    {
      if (error == NULL || *error == NULL)
        set_errno_error (error, errno, _("Cannot create the home of qube “%s”"), name);
      close (lock_fd);
      return NULL;
    }
  /* Its own uid from the start, under the zone lock that keeps two
   * creates from taking the same one. */
  if (air_sandbox_qube_uid (self->private_dir, home, error) == (uid_t) -1)
    {
      remove_tree (home, NULL);
      close (lock_fd);
      return NULL;
    }

  qube = air_qube_new (self->zone_name, name);
  air_qube_set_kind (qube, spec->kind);
  air_qube_set_template (qube, spec->template_name);
  air_qube_set_label (qube, spec->label);
  air_qube_set_memory (qube, spec->memory);
  air_qube_set_vcpus (qube, spec->vcpus);
  air_qube_set_network (qube, spec->network);

  if (!write_qube (self, qube, error))
    {
      remove_tree (home, NULL);
      close (lock_fd);
      return NULL;
    }

  close (lock_fd);
  return g_steal_pointer (&qube);
}

gboolean
air_local_driver_remove (AirLocalDriver  *self,
                         const char      *name,
                         GError         **error)
{
  g_autoptr(AirQube) qube = NULL;
  gboolean ok;
  int lock_fd;

  qube = air_local_driver_lookup (self, name, error);
  if (qube == NULL)
    return FALSE;

  lock_fd = take_zone_lock (self, error);
  if (lock_fd < 0)
    return FALSE;

  if (supervisor_alive (self, name))
    {
      close (lock_fd);
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY,
                   _("Qube “%s” is running. Shut it down first: qair shutdown %s"), name, name);
      return FALSE;
    }

  ok = remove_qube_locked (self, name, error);
  close (lock_fd);
  return ok;
}

/* The sandbox records memory and vCPUs without enforcing them; they are
 * kept to the same rule as on VM backends so that scripts behave alike. */
AirQube *
air_local_driver_set_prefs (AirLocalDriver      *self,
                            const char          *name,
                            const AirQubePrefs  *prefs,
                            GError             **error)
{
  g_autoptr(AirQube) qube = NULL;
  gboolean resizes;
  int lock_fd;

  if (!air_name_validate (name, "qube", error))
    return NULL;
  lock_fd = take_zone_lock (self, error);
  if (lock_fd < 0)
    return NULL;

  qube = read_qube (self, name, FALSE, NULL, error);
  if (qube == NULL)
    {
      close (lock_fd);
      return NULL;
    }
  resizes = (prefs->memory > 0 && prefs->memory != air_qube_get_memory (qube)) ||
            (prefs->vcpus > 0 && prefs->vcpus != air_qube_get_vcpus (qube));
  if (resizes && supervisor_alive (self, name))
    {
      close (lock_fd);
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY,
                   _("Qube “%s” is running: its memory and vCPUs change only while it is halted. "
                     "Shut it down first: qair shutdown %s"), name, name);
      return NULL;
    }

  if (prefs->has_label)
    air_qube_set_label (qube, prefs->label);
  if (prefs->memory > 0)
    air_qube_set_memory (qube, prefs->memory);
  if (prefs->vcpus > 0)
    air_qube_set_vcpus (qube, prefs->vcpus);
  if (!write_qube (self, qube, error))
    {
      close (lock_fd);
      return NULL;
    }
  close (lock_fd);
  return air_local_driver_lookup (self, name, error);
}

static char *
self_program (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe ? g_steal_pointer (&exe) : g_strdup (AIR_AGENT_PATH);
}

static void
new_session (gpointer user_data)
{
  setsid ();
}

AirQube *
air_local_driver_start (AirLocalDriver  *self,
                        const char      *name,
                        GError         **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) supervisor = NULL;
  g_autoptr(AirQube) qube = NULL;
  g_autofree char *program = NULL;
  g_autofree char *log = NULL;
  g_autofree char *answer = NULL;
  char buffer[1024];
  gsize len = 0;

  qube = air_local_driver_lookup (self, name, error);
  if (qube == NULL)
    return NULL;

  if (air_qube_get_state (qube) != AIR_QUBE_STATE_HALTED)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY,
                   _("Qube “%s” is already running."), name);
      return NULL;
    }

  /* The supervisor outlives this call: a session of its own, no inherited
   * pipes of our caller, and it reports readiness on its stdout. */
  program = self_program ();
  log = air_driver_path_in (self->run_dir, name, ".log");
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "AIR_AGENT_DIR", self->state_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "AIR_ZONE_NAME", self->zone_name, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "QREXEC_SERVICE_FULL_NAME");

  supervisor = g_subprocess_launcher_spawn (launcher, error, program, "--supervise", name, NULL);
  if (supervisor == NULL)
    return NULL;

  g_output_stream_close (g_subprocess_get_stdin_pipe (supervisor), NULL, NULL);
  if (!g_input_stream_read_all (g_subprocess_get_stdout_pipe (supervisor),
                                buffer, sizeof buffer - 1, &len, NULL, error))
    return NULL;

  buffer[len] = '\0';
  if (!g_str_has_prefix (buffer, "ok"))
    {
      g_autofree char *reason = air_text_sanitize (buffer, len, 300);

      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("Qube “%s” did not start: %s"), name,
                   reason[0] ? reason : _("its supervisor ended unexpectedly"));
      return NULL;
    }

  return air_local_driver_lookup (self, name, error);
}

/* Waits until the supervisor has gone and cleaned up, then (re)cleans
 * whatever a killed supervisor left. A disposable's supervisor removes
 * the whole qube: then nothing of it is made again here. */
static gboolean
wait_stopped (AirLocalDriver  *self,
              const char      *name,
              int              seconds)
{
  g_autofree char *path = air_driver_path_in (self->run_dir, name, ".lock");
  g_autofree char *config = air_driver_path_in (self->qubes_dir, name, ".json");
  int fd = open (path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  gboolean stopped;

  if (fd < 0)
    return TRUE;

  stopped = lock_wait (fd, seconds);
  if (stopped && g_file_test (config, G_FILE_TEST_EXISTS))
    clear_runtime (self, name);
  else if (stopped)
    {
      g_autofree char *runtime = air_driver_path_in (self->run_dir, name, ".json");

      g_unlink (runtime);
      g_unlink (path);
    }
  close (fd);
  return stopped;
}

static gboolean
kill_supervisor (AirLocalDriver  *self,
                 const char      *name,
                 GError         **error)
{
  g_autofree char *proc = NULL;
  g_autofree char *cmdline = NULL;
  Runtime runtime;
  gsize len;

  read_runtime (self, name, NULL, &runtime);
  if (runtime.pid <= 1)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY, _("Qube “%s” is not running."), name);
      return FALSE;
    }

  /* Make sure the pid is still our supervisor of this qube. */
  proc = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/cmdline", runtime.pid);
  if (g_file_get_contents (proc, &cmdline, &len, NULL) && len > 0)
    {
      gboolean ours = FALSE;

      for (gsize i = 0; i + 1 < len; i++)
        if (cmdline[i] == '\0' && strcmp (cmdline + i + 1, "--supervise") == 0)
          ours = TRUE;

      if (ours && supervisor_alive (self, name))
        kill ((pid_t) runtime.pid, SIGKILL);
    }

  return TRUE;
}

AirQube *
air_local_driver_kill (AirLocalDriver  *self,
                       const char      *name,
                       GError         **error)
{
  g_autoptr(AirQube) qube = NULL;

  qube = air_local_driver_lookup (self, name, error);
  if (qube == NULL)
    return NULL;

  if (air_qube_get_state (qube) == AIR_QUBE_STATE_HALTED)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY, _("Qube “%s” is not running."), name);
      return NULL;
    }

  if (!kill_supervisor (self, name, error))
    return NULL;

  wait_stopped (self, name, STOP_TIMEOUT_S);

  if (air_qube_get_kind (qube) == AIR_QUBE_KIND_DISP_VM)
    {
      int lock_fd = take_zone_lock (self, NULL);

      remove_qube_locked (self, name, NULL);
      if (lock_fd >= 0)
        close (lock_fd);
      air_qube_set_state (qube, AIR_QUBE_STATE_HALTED);
      return g_steal_pointer (&qube);
    }

  return air_local_driver_lookup (self, name, error);
}

static int
connect_qube (AirLocalDriver  *self,
              const char      *name,
              GError         **error)
{
  g_autofree char *dir = air_driver_path_in (self->run_dir, name, ".d");
  g_autofree char *socket_path = g_build_filename (dir, SOCKET_NAME, NULL);

  return air_control_connect (socket_path, error);
}

AirQube *
air_local_driver_shutdown (AirLocalDriver  *self,
                           const char      *name,
                           GError         **error)
{
  g_autoptr(AirQube) qube = NULL;
  char reply[256];
  int fds[AIR_CONTROL_MAX_FDS];
  guint n_fds;
  int fd;

  qube = air_local_driver_lookup (self, name, error);
  if (qube == NULL)
    return NULL;

  if (air_qube_get_state (qube) == AIR_QUBE_STATE_HALTED)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY, _("Qube “%s” is not running."), name);
      return NULL;
    }

  write_runtime (self, name, AIR_QUBE_STATE_HALTING, air_qube_get_started (qube), NULL);

  fd = connect_qube (self, name, NULL);
  if (fd >= 0)
    {
      if (air_control_send (fd, "{\"op\":\"shutdown\"}", NULL, 0, NULL))
        air_control_receive (fd, reply, sizeof reply, fds, &n_fds, NULL);
      close (fd);
    }

  /* A qube that does not stop in time is killed, as Qubes does. */
  if (!wait_stopped (self, name, STOP_TIMEOUT_S))
    {
      kill_supervisor (self, name, NULL);
      wait_stopped (self, name, STOP_TIMEOUT_S);
    }

  if (air_qube_get_kind (qube) == AIR_QUBE_KIND_DISP_VM)
    {
      air_qube_set_state (qube, AIR_QUBE_STATE_HALTED);
      return g_steal_pointer (&qube);
    }

  return air_local_driver_lookup (self, name, error);
}

static char *
run_message (const AirRunHeader *header)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "op");
  json_builder_add_string_value (builder, "run");
  json_builder_set_member_name (builder, "argv");
  json_builder_begin_array (builder);
  for (guint i = 0; header->argv[i]; i++)
    json_builder_add_string_value (builder, header->argv[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, header->user);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return air_json_to_string (root);
}

/* Hands our stdin, stdout and stderr to the command in the qube, then waits
 * for its exit status — or for our caller to go away, which ends the
 * command (the qube's init kills it when this connection closes). */
static int
run_in_qube (AirLocalDriver      *self,
             const char          *name,
             const AirRunHeader  *header,
             GError             **error)
{
  static const int std_fds[] = { 0, 1, 2 };
  g_autofree char *message = run_message (header);
  g_autoptr(JsonObject) reply = NULL;
  char buffer[1024];
  int fds[AIR_CONTROL_MAX_FDS];
  guint n_fds;
  gint64 status = AIR_RUN_EXIT_FAILED;
  gssize len;
  int fd;

  if (strlen (message) > AIR_CONTROL_MAX_MESSAGE)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("The command line is too long"));
      return -1;
    }

  fd = connect_qube (self, name, error);
  if (fd < 0)
    return -1;

  if (!air_control_send (fd, message, std_fds, 3, error))
    {
      close (fd);
      return -1;
    }

  for (;;)
    {
      struct pollfd pfd[2] = {
        { .fd = fd, .events = POLLIN },
        { .fd = 1, .events = 0 },   /* POLLERR: our caller closed its end */
      };

      if (poll (pfd, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }

      if (pfd[0].revents != 0)
        break;

      if (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL))
        {
          close (fd);
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED, _("The caller went away"));
          return -1;
        }
    }

  len = air_control_receive (fd, buffer, sizeof buffer, fds, &n_fds, NULL);
  close (fd);

  if (len > 0)
    reply = air_json_parse_object (buffer, len, sizeof buffer, NULL);

  if (reply == NULL ||
      !json_object_has_member (reply, "status") ||
      !air_json_get_opt_int (reply, "status", 0, 255, AIR_RUN_EXIT_FAILED, &status, NULL))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("Qube “%s” stopped before the command finished."), name);
      return -1;
    }

  return (int) status;
}

int
air_local_driver_run (AirLocalDriver      *self,
                      const char          *name,
                      const AirRunHeader  *header,
                      GError             **error)
{
  g_autoptr(AirQube) qube = NULL;

  qube = air_local_driver_lookup (self, name, error);
  if (qube == NULL)
    return -1;

  /* Like qvm-run, a halted qube is started first. */
  if (air_qube_get_state (qube) == AIR_QUBE_STATE_HALTED)
    {
      g_clear_object (&qube);
      qube = air_local_driver_start (self, name, error);
      if (qube == NULL)
        return -1;
    }

  return run_in_qube (self, name, header, error);
}

int
air_local_driver_disposable (AirLocalDriver      *self,
                             const char          *template_name,
                             const AirRunHeader  *header,
                             GError             **error)
{
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(AirQube) qube = NULL;
  g_autofree char *name = NULL;
  int status;

  if (!air_name_validate (template_name, "template", error))
    return -1;

  g_free (spec->template_name);
  spec->template_name = g_strdup (template_name);
  spec->kind = AIR_QUBE_KIND_DISP_VM;

  for (guint attempt = 0; qube == NULL && attempt < 20; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      g_free (name);
      name = g_strdup_printf ("disp%d", g_random_int_range (1000, 10000));
      qube = air_local_driver_create (self, name, spec, &local_error);
      if (qube == NULL && !g_error_matches (local_error, AIR_ERROR, AIR_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
    }

  if (qube == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_BUSY, _("No free name for a disposable"));
      return -1;
    }

  g_clear_object (&qube);
  qube = air_local_driver_start (self, name, error);
  if (qube == NULL)
    {
      int lock_fd = take_zone_lock (self, NULL);

      remove_qube_locked (self, name, NULL);
      if (lock_fd >= 0)
        close (lock_fd);
      return -1;
    }

  /* The disposable's init shuts the qube down after this one command, and
   * its supervisor removes it — also if this process is killed. */
  status = run_in_qube (self, name, header, error);

  if (!wait_stopped (self, name, STOP_TIMEOUT_S))
    kill_supervisor (self, name, NULL);
  wait_stopped (self, name, STOP_TIMEOUT_S);

  return status;
}

/* The supervisor: a detached process per running qube. */

static void
report (const char *text)
{
  g_autofree char *line = g_strconcat (text, "\n", NULL);

  if (write (STDOUT_FILENO, line, strlen (line)) < 0)
    {
      /* the starter is gone; the qube still runs */
    }
}

static gboolean
wait_ready (int ready_fd)
{
  struct pollfd pfd = { .fd = ready_fd, .events = POLLIN };
  char byte = 0;

  if (poll (&pfd, 1, START_TIMEOUT_S * 1000) <= 0)
    return FALSE;
  return read (ready_fd, &byte, 1) == 1 && byte == 'R';
}

/* The sandbox's directories, opened here: the qube's uid, which bwrap
 * runs as, may not be able to reach them by path. */
static gboolean
hand_over_dirs (GSubprocessLauncher  *launcher,
                const AirSandboxSpec *spec,
                GError              **error)
{
  /* A template root may be a link the zone's owner made; a qube's own
   * directories never are. */
  const struct { const char *path; int flags; int target; } dirs[] = {
    { spec->private_dir, O_DIRECTORY | O_NOFOLLOW, AIR_SANDBOX_FD_HOME },
    { spec->run_dir, O_DIRECTORY | O_NOFOLLOW, AIR_SANDBOX_FD_RUN },
    { spec->init_program, O_NOFOLLOW, AIR_SANDBOX_FD_INIT },
    { spec->root, O_DIRECTORY, AIR_SANDBOX_FD_ROOT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      int fd;

      if (dirs[i].target == AIR_SANDBOX_FD_ROOT && strcmp (spec->root, "/") == 0)
        continue;   /* the host's system is bound by path, read-only */
      fd = open (dirs[i].path, O_PATH | O_CLOEXEC | dirs[i].flags);
      if (fd < 0)
        return set_errno_error (error, errno, _("Cannot open “%s” for the qube"), dirs[i].path);
      g_subprocess_launcher_take_fd (launcher, fd, dirs[i].target);
    }
  return TRUE;
}

/* The qube's calls to local qubes come to us, who know which qube it is
 * (air-uplink.c); without that connection it can make none. */
static void
take_calls_out (AirLocalDriver *self,
                const char     *name)
{
  int fd = connect_qube (self, name, NULL);

  if (fd < 0)
    return;
  if (!air_control_send (fd, "{\"op\":\"calls\"}", NULL, 0, NULL))
    {
      close (fd);
      return;
    }
  air_uplink_serve_qube (self->state_dir, name, fd);
}

int
air_local_driver_supervise (AirLocalDriver *self,
                            const char     *name)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) sandbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) qube = NULL;
  g_autofree char *lock_path = NULL;
  g_autofree char *run_d = NULL;
  g_autofree char *home = NULL;
  g_autofree char *root = NULL;
  g_autofree char *program = NULL;
  g_autofree char *log = NULL;
  g_auto(GStrv) argv = NULL;
  AirSandboxSpec spec = { 0, };
  AirSandboxLaunch launch = { 0, };
  AirIsolation isolation;
  int ready[2];
  int lock_fd, null_fd, zone_lock, version_lock;
  uid_t uid;
  gboolean ok;

  if (!air_name_validate (name, "qube", &error))
    {
      report (error->message);
      return 1;
    }

  lock_path = air_driver_path_in (self->run_dir, name, ".lock");
  lock_fd = open_lock (lock_path);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      report (_("The qube is already running."));
      return 1;
    }

  qube = read_qube (self, name, FALSE, NULL, &error);
  if (qube == NULL)
    {
      report (error->message);
      return 1;
    }

  /* Held until this supervisor ends: the version stays while the qube
   * runs on it, whatever updates come meanwhile. */
  root = template_root (self, air_qube_get_template (qube), &version_lock);
  if (root == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Its template “%s” does not exist."),
                                               air_qube_get_template (qube));
      report (text);
      return 1;
    }
  /* A template that is this host's own / gets what "host" gets: its
   * system, never its state. */
  {
    g_autofree char *real = realpath (root, NULL);

    if (real != NULL && strcmp (real, "/") == 0)
      air_set_str (&root, "/");
  }

  clear_runtime (self, name);
  run_d = air_driver_path_in (self->run_dir, name, ".d");
  home = g_build_filename (self->private_dir, name, NULL);

  /* A qube made before qubes had uids of their own gets one now. */
  zone_lock = take_zone_lock (self, &error);
  uid = zone_lock < 0 ? (uid_t) -1 : air_sandbox_qube_uid (self->private_dir, home, &error);
  if (zone_lock >= 0)
    close (zone_lock);
  if (uid == (uid_t) -1)
    {
      report (error->message);
      return 1;
    }

  /* The qube's init makes its control socket here, as the qube's uid. */
  if (g_mkdir (run_d, 0700) != 0 ||
      (geteuid () == 0 && chown (run_d, uid, uid) != 0) ||
      !write_runtime (self, name, AIR_QUBE_STATE_STARTING, 0, &error))
    {
      report (error ? error->message : g_strerror (errno));
      clear_runtime (self, name);
      return 1;
    }

  program = self_program ();
  isolation = get_isolation (self);
  spec.qube_name = name;
  spec.root = root;
  spec.private_dir = home;
  spec.run_dir = run_d;
  spec.init_program = program;
  spec.socket_name = SOCKET_NAME;
  spec.network = air_qube_get_network (qube);
  spec.disposable = air_qube_get_kind (qube) == AIR_QUBE_KIND_DISP_VM;
  argv = air_sandbox_build_argv (isolation, &spec);

  if (pipe2 (ready, O_CLOEXEC) != 0)
    {
      report (g_strerror (errno));
      clear_runtime (self, name);
      return 1;
    }

  log = air_driver_path_in (self->run_dir, name, ".log");
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_subprocess_launcher_take_fd (launcher, ready[1], AIR_SANDBOX_FD_READY);
  g_subprocess_launcher_setenv (launcher, "AIR_INIT_READY_FD", G_STRINGIFY (AIR_SANDBOX_FD_READY), TRUE);
  if (isolation != AIR_ISOLATION_NONE && !hand_over_dirs (launcher, &spec, &error))
    {
      g_clear_object (&launcher);
      close (ready[0]);
      report (error->message);
      clear_runtime (self, name);
      return 1;
    }
  launch.uid = uid;
  launch.stage = isolation != AIR_ISOLATION_NONE;
  launch.stage_root = launch.stage && strcmp (root, "/") != 0;
  g_subprocess_launcher_set_child_setup (launcher, air_sandbox_child_setup, &launch, NULL);
  if (air_qube_get_kind (qube) == AIR_QUBE_KIND_DISP_VM)
    g_subprocess_launcher_setenv (launcher, "AIR_QUBE_DISPOSABLE", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);

  sandbox = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_clear_object (&launcher);   /* closes our copy of the ready pipe's write end */
  if (sandbox == NULL)
    {
      close (ready[0]);
      report (error->message);
      clear_runtime (self, name);
      return 1;
    }
  g_output_stream_close (g_subprocess_get_stdin_pipe (sandbox), NULL, NULL);

  ok = wait_ready (ready[0]);
  close (ready[0]);
  if (!ok)
    {
      g_subprocess_force_exit (sandbox);
      g_subprocess_wait (sandbox, NULL, NULL);
      report (_("The sandbox did not come up; see the qube's log in the zone's run directory."));
      clear_runtime (self, name);
      return 1;
    }

  write_runtime (self, name, AIR_QUBE_STATE_RUNNING, g_get_real_time () / G_USEC_PER_SEC, NULL);
  take_calls_out (self, name);
  report ("ok");

  /* Nobody reads our stdout any more; the starter must see its end. */
  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  dup2 (null_fd, STDOUT_FILENO);
  dup2 (null_fd, STDIN_FILENO);
  close (null_fd);

  g_subprocess_wait (sandbox, NULL, NULL);

  if (air_qube_get_kind (qube) == AIR_QUBE_KIND_DISP_VM)
    {
      zone_lock = take_zone_lock (self, NULL);
      remove_qube_locked (self, name, NULL);
      if (zone_lock >= 0)
        close (zone_lock);
    }
  else
    clear_runtime (self, name);

  close (lock_fd);
  return 0;
}
