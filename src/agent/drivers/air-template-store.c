/* air-template-store.c — see air-template-store.h
 *
 * The object, where a template's files are, the locks (a name's while it
 * is built or changed, a version's while a qube runs on it), lookup and
 * list (hand-made templates too), roll-back, removal and the clean-up of
 * what was left half-way. template.json is read and written in
 * air-template-store-meta.c, a build made and kept in
 * air-template-store-build.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-template-store"

#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-names.h"
#include "air-rootfs.h"
#include "air-template-store-private.h"

G_DEFINE_FINAL_TYPE (AirTemplateStore, air_template_store, G_TYPE_OBJECT)

static void
air_template_store_finalize (GObject *object)
{
  AirTemplateStore *self = AIR_TEMPLATE_STORE (object);

  g_free (self->dir);
  g_free (self->suffix);
  G_OBJECT_CLASS (air_template_store_parent_class)->finalize (object);
}

static void
air_template_store_class_init (AirTemplateStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_template_store_finalize;
}

static void
air_template_store_init (AirTemplateStore *self)
{
}

AirTemplateStore *
air_template_store_new (const char *dir,
                        const char *suffix)
{
  AirTemplateStore *self = g_object_new (AIR_TYPE_TEMPLATE_STORE, NULL);

  self->dir = g_strdup (dir);
  self->suffix = g_strdup (suffix);
  return self;
}

const char *
air_template_store_get_dir (AirTemplateStore *self)
{
  return self->dir;
}

gboolean
_air_template_store_set_errno_error (GError    **error,
                                     int         saved_errno,
                                     const char *what,
                                     const char *path)
{
  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                 _("The zone host’s disk is full (%s “%s”)"), what, path);
  else
    g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, "%s “%s”: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

char *
_air_template_store_meta_path (AirTemplateStore *self,
                               const char       *name)
{
  return g_build_filename (self->dir, name, "template.json", NULL);
}

char *
_air_template_store_version_path (AirTemplateStore *self,
                                  const char       *name,
                                  guint             version)
{
  g_autofree char *leaf = g_strdup_printf ("%u%s", version, self->suffix);

  return g_build_filename (self->dir, name, "versions", leaf, NULL);
}

/* A template made by hand: a directory (or link to one), or an image. */
char *
_air_template_store_legacy_path (AirTemplateStore *self,
                                 const char       *name)
{
  g_autofree char *leaf = g_strconcat (name, self->suffix, NULL);
  g_autofree char *path = g_build_filename (self->dir, leaf, NULL);
  g_autofree char *meta = _air_template_store_meta_path (self, name);

  if (self->suffix[0] == '\0')
    return g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (meta, G_FILE_TEST_EXISTS)
           ? g_steal_pointer (&path) : NULL;
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&path) : NULL;
}

static AirTemplate *
legacy_template (AirTemplateStore *self,
                 const char       *name,
                 const char       *path)
{
  AirTemplate *template = air_template_new (name);
  struct stat st;

  template->version = 1;
  template->read_only = TRUE;
  /* An image's size is cheap; a hand-made root may be the host's /. */
  if (self->suffix[0] != '\0' && stat (path, &st) == 0)
    {
      template->size = (guint64) st.st_blocks * 512;
      template->built = st.st_mtim.tv_sec;
    }
  return template;
}

AirTemplate *
air_template_store_lookup (AirTemplateStore  *self,
                           const char        *name,
                           GError           **error)
{
  g_autofree char *legacy = NULL;
  g_autofree char *meta_file = NULL;
  g_autoptr(AirTemplateMeta) meta = NULL;

  if (!air_name_validate (name, "template", error))
    return NULL;
  legacy = _air_template_store_legacy_path (self, name);
  if (legacy != NULL)
    return legacy_template (self, name, legacy);
  meta_file = _air_template_store_meta_path (self, name);
  if (!g_file_test (meta_file, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND, _("There is no template “%s”."), name);
      return NULL;
    }
  meta = _air_template_store_meta_read (self, name, error);
  return meta != NULL ? _air_template_from_meta (name, meta) : NULL;
}

GPtrArray *
air_template_store_list (AirTemplateStore *self)
{
  g_autoptr(GPtrArray) templates = g_ptr_array_new_with_free_func ((GDestroyNotify) air_template_free);
  g_autoptr(GDir) dir = g_dir_open (self->dir, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name = g_strdup (entry);
      g_autofree char *managed_meta = NULL;
      AirTemplate *template;

      if (self->suffix[0] != '\0' && g_str_has_suffix (name, self->suffix))
        name[strlen (name) - strlen (self->suffix)] = '\0';
      if (!air_name_is_valid (name) ||
          (template = air_template_store_lookup (self, name, NULL)) == NULL)
        continue;
      /* NAME.qcow2 beside NAME/: the managed one is listed. */
      if (self->suffix[0] != '\0' && strcmp (name, entry) != 0 &&
          g_file_test (managed_meta = _air_template_store_meta_path (self, name), G_FILE_TEST_EXISTS))
        {
          air_template_free (template);
          continue;
        }
      g_ptr_array_add (templates, template);
    }
  return g_steal_pointer (&templates);
}

static int
open_lock (const char *path,
           int         operation)
{
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd >= 0 && flock (fd, operation) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

char *
air_template_store_current_path (AirTemplateStore *self,
                                 const char       *name,
                                 int              *lock_fd)
{
  g_autoptr(AirTemplateMeta) meta = NULL;
  g_autofree char *path = NULL;
  guint version;

  if (lock_fd != NULL)
    *lock_fd = -1;
  if (!air_name_is_valid (name))
    return NULL;
  path = _air_template_store_legacy_path (self, name);
  if (path != NULL)
    return g_steal_pointer (&path);
  meta = _air_template_store_meta_read (self, name, NULL);
  if (meta == NULL)
    return NULL;
  version = g_array_index (meta->versions, AirTemplateVersion, meta->versions->len - 1).version;
  path = _air_template_store_version_path (self, name, version);
  if (lock_fd != NULL)
    {
      g_autofree char *lock = g_strconcat (path, ".lock", NULL);

      *lock_fd = open_lock (lock, LOCK_SH);
    }
  return g_file_test (path, G_FILE_TEST_EXISTS) ? g_steal_pointer (&path) : NULL;
}

/* The name's lock, held while it is built or changed. */
int
_air_template_store_take_name_lock (AirTemplateStore  *self,
                                    const char        *name,
                                    GError           **error)
{
  g_autofree char *leaf = g_strdup_printf (".%s.lock", name);
  g_autofree char *path = g_build_filename (self->dir, leaf, NULL);
  int fd;

  if (g_mkdir_with_parents (self->dir, 0755) != 0)
    {
      _air_template_store_set_errno_error (error, errno, _("Cannot make"), self->dir);
      return -1;
    }
  fd = open_lock (path, LOCK_EX | LOCK_NB);
  if (fd < 0)
    g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY,
                 _("Template “%s” is being built or changed: try again when that is done."), name);
  return fd;
}

/* Versions on disk that template.json no longer lists, once no qube runs
 * on them. The caller holds the name's lock. */
void
_air_template_store_prune_versions (AirTemplateStore      *self,
                                    const char            *name,
                                    const AirTemplateMeta *meta)
{
  g_autofree char *versions = g_build_filename (self->dir, name, "versions", NULL);
  g_autoptr(GDir) dir = g_dir_open (versions, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      guint64 number;
      char *end;
      gboolean kept = FALSE;

      if (g_str_has_suffix (entry, ".lock"))
        continue;
      number = g_ascii_strtoull (entry, &end, 10);
      for (guint i = 0; i < meta->versions->len; i++)
        kept |= g_array_index (meta->versions, AirTemplateVersion, i).version == number && strcmp (end, self->suffix) == 0;
      if (!kept)
        {
          g_autofree char *path = g_build_filename (versions, entry, NULL);
          g_autofree char *lock = g_strconcat (path, ".lock", NULL);
          int fd = open_lock (lock, LOCK_EX | LOCK_NB);

          if (fd < 0)
            continue;   /* a qube still runs on it: pruned next time */
          air_rootfs_remove_tree (path);
          g_unlink (lock);
          close (fd);
        }
    }
}

AirTemplate *
air_template_store_rollback (AirTemplateStore  *self,
                             const char        *name,
                             GError           **error)
{
  g_autofree char *meta_file = NULL;
  g_autoptr(AirTemplateMeta) meta = NULL;
  int lock;

  if (!air_name_validate (name, "template", error))
    return NULL;
  if (_air_template_store_legacy_path (self, name) != NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("Template “%s” was put on the zone host by hand and has no versions."), name);
      return NULL;
    }
  lock = _air_template_store_take_name_lock (self, name, error);
  if (lock < 0)
    return NULL;
  meta_file = _air_template_store_meta_path (self, name);
  meta = g_file_test (meta_file, G_FILE_TEST_EXISTS) ? _air_template_store_meta_read (self, name, error) : NULL;
  if (meta == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND, _("There is no template “%s”."), name);
      close (lock);
      return NULL;
    }
  if (meta->versions->len < 2)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("Template “%s” has no previous version to go back to."), name);
      close (lock);
      return NULL;
    }
  g_array_remove_index (meta->versions, meta->versions->len - 1);
  if (!_air_template_meta_write (meta_file, meta, error))
    {
      close (lock);
      return NULL;
    }
  _air_template_store_prune_versions (self, name, meta);
  close (lock);
  return _air_template_from_meta (name, meta);
}

gboolean
air_template_store_remove (AirTemplateStore  *self,
                           const char        *name,
                           GError           **error)
{
  g_autofree char *path = NULL;
  g_autofree char *leaf = NULL;
  g_autofree char *hidden = NULL;
  int lock;

  if (!air_name_validate (name, "template", error))
    return FALSE;
  lock = _air_template_store_take_name_lock (self, name, error);
  if (lock < 0)
    return FALSE;
  path = _air_template_store_legacy_path (self, name);
  if (path == NULL)
    {
      g_autofree char *meta = _air_template_store_meta_path (self, name);

      if (g_file_test (meta, G_FILE_TEST_EXISTS))
        path = g_build_filename (self->dir, name, NULL);
    }
  if (path == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND, _("There is no template “%s”."), name);
      close (lock);
      return FALSE;
    }
  /* Out of sight by one rename; then removed (or by the next clean). A
   * link the zone's owner made is removed, never what it points to. */
  leaf = g_strdup_printf (".removed-%s-%" G_GINT64_FORMAT, name, g_get_real_time ());
  hidden = g_build_filename (self->dir, leaf, NULL);
  if (rename (path, hidden) != 0)
    {
      _air_template_store_set_errno_error (error, errno, _("Cannot remove"), path);
      close (lock);
      return FALSE;
    }
  air_rootfs_remove_tree (hidden);
  close (lock);
  return TRUE;
}

void
air_template_store_clean (AirTemplateStore *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->dir, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->dir, entry, NULL);

      if (g_str_has_prefix (entry, ".removed-"))
        air_rootfs_remove_tree (path);
      else if (g_str_has_prefix (entry, ".build-"))
        {
          /* .build-NAME-XXXXXX: orphaned when nobody holds NAME's lock. */
          g_autofree char *name = g_strdup (entry + strlen (".build-"));
          char *dash = strrchr (name, '-');
          int lock;

          if (dash == NULL)
            continue;
          *dash = '\0';
          if (!air_name_is_valid (name) || (lock = _air_template_store_take_name_lock (self, name, NULL)) < 0)
            continue;
          air_rootfs_remove_tree (path);
          close (lock);
        }
    }
}
