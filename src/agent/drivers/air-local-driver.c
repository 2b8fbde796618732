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
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "air-driver.h"
#include "air-error.h"
#include "air-local-driver-private.h"
#include "air-names.h"
#include "air-template-store.h"

#define DISPOSABLE_GC_AGE_S 60

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

gboolean
_air_local_set_errno_error (GError     **error,
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

  self->zone_name = g_strdup (zone_name);
  self->state_dir = g_strdup (state_dir);
  if (!air_driver_make_dirs (state_dir, &self->qubes_dir, &self->private_dir, &self->run_dir,
                             &self->templates_dir, error))
    return NULL;
  self->templates = air_template_store_new (self->templates_dir, "");

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

AirIsolation
_air_local_driver_get_isolation (AirLocalDriver *self)
{
  if (self->isolation == AIR_ISOLATION_UNKNOWN)
    {
      g_autofree char *cache = g_build_filename (self->state_dir, "sandbox-probe", NULL);

      self->isolation = air_sandbox_probe (cache);
    }
  return self->isolation;
}

gboolean
_air_local_remove_tree (const char  *path,
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
              if (!_air_local_remove_tree (child, error))
                return FALSE;
            }
          else if (g_unlink (child) != 0 && errno != ENOENT)
            return _air_local_set_errno_error (error, errno, _("Cannot remove %s"), child);
        }
    }

  if (g_remove (path) != 0 && errno != ENOENT)
    return _air_local_set_errno_error (error, errno, _("Cannot remove %s"), path);
  return TRUE;
}


AirQube *
air_local_driver_lookup (AirLocalDriver  *self,
                         const char      *name,
                         GError         **error)
{
  if (!air_name_validate (name, "qube", error))
    return NULL;
  return _air_local_driver_read_qube (self, name, TRUE, NULL, error);
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
    _air_local_set_errno_error (error, errno, _("Cannot open the home of qube “%s”"), name);
  return fd;
}

/* The root of a template's current version; with @lock_fd, a descriptor
 * that keeps that version while the qube runs on it. */
char *
_air_local_driver_template_root (AirLocalDriver *self,
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

gboolean
_air_local_driver_remove_qube_locked (AirLocalDriver  *self,
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
    return _air_local_set_errno_error (error, errno, _("Cannot remove qube “%s”"), name);

  g_unlink (runtime);
  _air_local_remove_tree (run_d, NULL);
  g_unlink (lock);
  g_unlink (log);
  return _air_local_remove_tree (home, error);
}

/* A disposable that stopped, or did not start, goes at once: under the
 * zone lock when it can be had. */
void
_air_local_driver_remove_disposable (AirLocalDriver *self,
                                     const char     *name)
{
  int lock_fd = _air_local_driver_take_zone_lock (self, NULL);

  _air_local_driver_remove_qube_locked (self, name, NULL);
  if (lock_fd >= 0)
    close (lock_fd);
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

  lock_fd = _air_local_driver_take_zone_lock (self, NULL);
  if (lock_fd < 0)
    return;
  if (!_air_local_driver_supervisor_alive (self, air_qube_get_name (qube)))
    _air_local_driver_remove_qube_locked (self, air_qube_get_name (qube), NULL);
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
  AirLocalSnapshot snap = { NULL, -1, -1 };
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
      AirQube *qube = _air_local_driver_read_qube (self, g_ptr_array_index (names, i), TRUE, &snap, &local_error);

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
  info->isolation = _air_local_driver_get_isolation (self);
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
        if (_air_local_driver_supervisor_alive (self, name))
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

  root = _air_local_driver_template_root (self, spec->template_name, NULL);
  if (root == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                   _("There is no template “%s” in zone “%s”."), spec->template_name, self->zone_name);
      return NULL;
    }

  lock_fd = _air_local_driver_take_zone_lock (self, error);
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
  if (!_air_local_remove_tree (home, error) || g_mkdir (home, 0700) != 0)
    {
      if (error == NULL || *error == NULL)
        _air_local_set_errno_error (error, errno, _("Cannot create the home of qube “%s”"), name);
      close (lock_fd);
      return NULL;
    }
  /* Its own uid from the start, under the zone lock that keeps two
   * creates from taking the same one. */
  if (air_sandbox_qube_uid (self->private_dir, home, error) == (uid_t) -1)
    {
      _air_local_remove_tree (home, NULL);
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

  if (!_air_local_driver_write_qube (self, qube, error))
    {
      _air_local_remove_tree (home, NULL);
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

  lock_fd = _air_local_driver_take_zone_lock (self, error);
  if (lock_fd < 0)
    return FALSE;

  if (_air_local_driver_supervisor_alive (self, name))
    {
      close (lock_fd);
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY,
                   _("Qube “%s” is running. Shut it down first: qair shutdown %s"), name, name);
      return FALSE;
    }

  ok = _air_local_driver_remove_qube_locked (self, name, error);
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
  lock_fd = _air_local_driver_take_zone_lock (self, error);
  if (lock_fd < 0)
    return NULL;

  qube = _air_local_driver_read_qube (self, name, FALSE, NULL, error);
  if (qube == NULL)
    {
      close (lock_fd);
      return NULL;
    }
  resizes = (prefs->memory > 0 && prefs->memory != air_qube_get_memory (qube)) ||
            (prefs->vcpus > 0 && prefs->vcpus != air_qube_get_vcpus (qube));
  if (resizes && _air_local_driver_supervisor_alive (self, name))
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
  if (!_air_local_driver_write_qube (self, qube, error))
    {
      close (lock_fd);
      return NULL;
    }
  close (lock_fd);
  return air_local_driver_lookup (self, name, error);
}
