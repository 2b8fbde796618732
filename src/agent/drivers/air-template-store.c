/* air-template-store.c — see air-template-store.h
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
#include "air-json.h"
#include "air-names.h"
#include "air-rootfs.h"
#include "air-template-store.h"

#define MAX_VERSIONS_KEPT 2

struct _AirTemplateStore
{
  GObject  parent_instance;

  char    *dir;
  char    *suffix;
};

G_DEFINE_FINAL_TYPE (AirTemplateStore, air_template_store, G_TYPE_OBJECT)

/* One version as template.json keeps it. */
typedef struct {
  guint     version;
  gint64    built;
  guint64   size;
  char    **packages;
} Version;

typedef struct {
  char     *base;
  GArray   *versions;   /* Version, oldest first */
} Meta;

static void
version_clear (Version *v)
{
  g_strfreev (v->packages);
}

static void
meta_free (Meta *meta)
{
  if (meta == NULL)
    return;
  g_free (meta->base);
  g_array_unref (meta->versions);
  g_free (meta);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Meta, meta_free)

static Meta *
meta_new (const char *base)
{
  Meta *meta = g_new0 (Meta, 1);

  meta->base = g_strdup (base);
  meta->versions = g_array_new (FALSE, TRUE, sizeof (Version));
  g_array_set_clear_func (meta->versions, (GDestroyNotify) version_clear);
  return meta;
}

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

static gboolean
set_errno_error (GError    **error,
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

static char *
meta_path (AirTemplateStore *self,
           const char       *name)
{
  return g_build_filename (self->dir, name, "template.json", NULL);
}

static char *
version_path (AirTemplateStore *self,
              const char       *name,
              guint             version)
{
  g_autofree char *leaf = g_strdup_printf ("%u%s", version, self->suffix);

  return g_build_filename (self->dir, name, "versions", leaf, NULL);
}

static Meta *
meta_read (AirTemplateStore  *self,
           const char        *name,
           GError           **error)
{
  g_autofree char *path = meta_path (self, name);
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(Meta) meta = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *base;
  JsonArray *versions;
  gsize len;

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  object = air_json_parse_object (text, len, AIR_JSON_MAX_LINE, error);
  if (object == NULL ||
      !air_json_get_opt_string (object, "base", AIR_NAME_MAX, "", &base, error))
    return NULL;
  meta = meta_new (base);
  versions = air_json_get_opt_array (object, "versions", MAX_VERSIONS_KEPT + 1, &local_error);
  if (versions == NULL || json_array_get_length (versions) == 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("“%s” lists no version"), path);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (versions); i++)
    {
      JsonNode *node = json_array_get_element (versions, i);
      Version v = { 0, };
      gint64 number, built, size;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !air_json_get_opt_int (json_node_get_object (node), "version", 1, G_MAXINT32, 1, &number, error) ||
          !air_json_get_opt_int (json_node_get_object (node), "built", 0, G_MAXINT64 / G_USEC_PER_SEC, 0, &built, error) ||
          !air_json_get_opt_int (json_node_get_object (node), "size", 0, G_MAXINT64, 0, &size, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("“%s” is damaged"), path);
          return NULL;
        }
      v.version = number;
      v.built = built;
      v.size = size;
      v.packages = air_json_get_strv (json_node_get_object (node), "packages", 1024,
                                      AIR_TEMPLATE_MAX_FILE_NAME, NULL);
      if (v.packages == NULL)
        v.packages = g_new0 (char *, 1);
      g_array_append_val (meta->versions, v);
    }
  return g_steal_pointer (&meta);
}

static char *
meta_to_json (const Meta *meta)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "base");
  json_builder_add_string_value (builder, meta->base);
  json_builder_set_member_name (builder, "versions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < meta->versions->len; i++)
    {
      const Version *v = &g_array_index (meta->versions, Version, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, v->version);
      json_builder_set_member_name (builder, "built");
      json_builder_add_int_value (builder, v->built);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) v->size);
      json_builder_set_member_name (builder, "packages");
      json_builder_begin_array (builder);
      for (guint j = 0; v->packages[j] != NULL; j++)
        json_builder_add_string_value (builder, v->packages[j]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

static gboolean
meta_write (const char  *path,
            const Meta  *meta,
            GError     **error)
{
  g_autofree char *json = meta_to_json (meta);

  return g_file_set_contents_full (path, json, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0644, error);
}

static AirTemplate *
template_from_meta (const char *name,
                    const Meta *meta)
{
  AirTemplate *template = air_template_new (name);
  const Version *current = &g_array_index (meta->versions, Version, meta->versions->len - 1);

  g_free (template->base);
  template->base = g_strdup (meta->base);
  g_strfreev (template->packages);
  template->packages = g_strdupv (current->packages);
  template->version = current->version;
  template->built = current->built;
  template->size = current->size;
  template->can_roll_back = meta->versions->len > 1;
  return template;
}

/* A template made by hand: a directory (or link to one), or an image. */
static char *
legacy_path (AirTemplateStore *self,
             const char       *name)
{
  g_autofree char *leaf = g_strconcat (name, self->suffix, NULL);
  g_autofree char *path = g_build_filename (self->dir, leaf, NULL);
  g_autofree char *meta = meta_path (self, name);

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
  g_autoptr(Meta) meta = NULL;

  if (!air_name_validate (name, "template", error))
    return NULL;
  legacy = legacy_path (self, name);
  if (legacy != NULL)
    return legacy_template (self, name, legacy);
  meta_file = meta_path (self, name);
  if (!g_file_test (meta_file, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND, _("There is no template “%s”."), name);
      return NULL;
    }
  meta = meta_read (self, name, error);
  return meta != NULL ? template_from_meta (name, meta) : NULL;
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
          g_file_test (managed_meta = meta_path (self, name), G_FILE_TEST_EXISTS))
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
  g_autoptr(Meta) meta = NULL;
  g_autofree char *path = NULL;
  guint version;

  if (lock_fd != NULL)
    *lock_fd = -1;
  if (!air_name_is_valid (name))
    return NULL;
  path = legacy_path (self, name);
  if (path != NULL)
    return g_steal_pointer (&path);
  meta = meta_read (self, name, NULL);
  if (meta == NULL)
    return NULL;
  version = g_array_index (meta->versions, Version, meta->versions->len - 1).version;
  path = version_path (self, name, version);
  if (lock_fd != NULL)
    {
      g_autofree char *lock = g_strconcat (path, ".lock", NULL);

      *lock_fd = open_lock (lock, LOCK_SH);
    }
  return g_file_test (path, G_FILE_TEST_EXISTS) ? g_steal_pointer (&path) : NULL;
}

/* The name's lock, held while it is built or changed. */
static int
take_name_lock (AirTemplateStore  *self,
                const char        *name,
                GError           **error)
{
  g_autofree char *leaf = g_strdup_printf (".%s.lock", name);
  g_autofree char *path = g_build_filename (self->dir, leaf, NULL);
  int fd;

  if (g_mkdir_with_parents (self->dir, 0755) != 0)
    {
      set_errno_error (error, errno, _("Cannot make"), self->dir);
      return -1;
    }
  fd = open_lock (path, LOCK_EX | LOCK_NB);
  if (fd < 0)
    g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY,
                 _("Template “%s” is being built or changed: try again when that is done."), name);
  return fd;
}

static void
build_free (AirTemplateBuild *build)
{
  g_free (build->name);
  g_free (build->dir);
  g_free (build->version_path);
  g_free (build->files_dir);
  if (build->lock_fd >= 0)
    close (build->lock_fd);
  g_free (build);
}

static gboolean
receive_files (const AirTemplateRequest  *request,
               int                        files_fd,
               const char                *files_dir,
               GError                   **error)
{
  g_autofree char *buffer = g_malloc (64 * 1024);

  for (guint i = 0; i < request->files->len; i++)
    {
      const AirTemplateFile *file = g_ptr_array_index (request->files, i);
      g_autofree char *path = g_build_filename (files_dir, file->name, NULL);
      guint64 left = file->size;
      int out = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);

      if (out < 0)
        return set_errno_error (error, errno, _("Cannot write"), path);
      while (left > 0)
        {
          ssize_t n = read (files_fd, buffer, MIN (left, 64 * 1024));

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              close (out);
              g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The package file “%s” ended early"), file->name);
              return FALSE;
            }
          for (ssize_t done = 0; done < n;)
            {
              ssize_t w = write (out, buffer + done, n - done);

              if (w < 0 && errno == EINTR)
                continue;
              if (w < 0)
                {
                  int saved = errno;

                  close (out);
                  return set_errno_error (error, saved, _("Cannot write"), path);
                }
              done += w;
            }
          left -= n;
        }
      if (close (out) != 0)
        return set_errno_error (error, errno, _("Cannot write"), path);
    }
  return TRUE;
}

AirTemplateBuild *
air_template_store_begin (AirTemplateStore          *self,
                          const char                *name,
                          gboolean                   create,
                          const AirTemplateRequest  *request,
                          int                        files_fd,
                          GError                   **error)
{
  AirTemplateBuild *build;
  g_autofree char *leaf = NULL;
  g_autofree char *meta = NULL;
  g_autofree char *existing = NULL;

  if (!air_name_validate (name, "template", error))
    return NULL;
  if (strcmp (name, "host") == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_EXISTS,
                           _("“host” is this machine’s own system and cannot be built or changed here."));
      return NULL;
    }

  build = g_new0 (AirTemplateBuild, 1);
  build->lock_fd = take_name_lock (self, name, error);
  if (build->lock_fd < 0)
    {
      build_free (build);
      return NULL;
    }
  build->name = g_strdup (name);
  meta = meta_path (self, name);
  existing = legacy_path (self, name);
  if (create && (existing != NULL || g_file_test (meta, G_FILE_TEST_EXISTS)))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_EXISTS,
                   _("There is already a template “%s” in this zone: choose another name."), name);
      build_free (build);
      return NULL;
    }
  if (!create && existing != NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("Template “%s” was put on the zone host by hand and cannot be changed from here."), name);
      build_free (build);
      return NULL;
    }
  if (!create && !g_file_test (meta, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND, _("There is no template “%s”."), name);
      build_free (build);
      return NULL;
    }

  leaf = g_strdup_printf (".build-%s-XXXXXX", name);
  build->dir = g_build_filename (self->dir, leaf, NULL);
  if (g_mkdtemp_full (build->dir, 0700) == NULL)
    {
      set_errno_error (error, errno, _("Cannot make"), build->dir);
      build_free (build);
      return NULL;
    }
  build->files_dir = g_build_filename (build->dir, "files", NULL);
  if (self->suffix[0] == '\0')
    build->version_path = g_build_filename (build->dir, "root", NULL);
  else
    build->version_path = g_build_filename (build->dir, "image", NULL);
  if (g_mkdir (build->files_dir, 0755) != 0 ||
      (request != NULL && !receive_files (request, files_fd, build->files_dir, error)))
    {
      if (error != NULL && *error == NULL)
        set_errno_error (error, errno, _("Cannot make"), build->files_dir);
      air_template_store_abandon (self, build);
      return NULL;
    }
  return build;
}

void
air_template_store_abandon (AirTemplateStore *self,
                            AirTemplateBuild *build)
{
  if (build == NULL)
    return;
  air_rootfs_remove_tree (build->dir);
  build_free (build);
}

/* Versions on disk that template.json no longer lists, once no qube runs
 * on them. The caller holds the name's lock. */
static void
prune_versions (AirTemplateStore *self,
                const char       *name,
                const Meta       *meta)
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
        kept |= g_array_index (meta->versions, Version, i).version == number && strcmp (end, self->suffix) == 0;
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

/* A number a version rolled back from had is never used again: a qube may
 * still run on that version until it stops. */
static guint
highest_on_disk (AirTemplateStore *self,
                 const char       *name)
{
  g_autofree char *versions = g_build_filename (self->dir, name, "versions", NULL);
  g_autoptr(GDir) dir = g_dir_open (versions, 0, NULL);
  const char *entry;
  guint highest = 0;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    highest = MAX (highest, (guint) MIN (g_ascii_strtoull (entry, NULL, 10), G_MAXINT32));
  return highest;
}

AirTemplate *
air_template_store_commit (AirTemplateStore  *self,
                           AirTemplateBuild  *build,
                           const char        *base,
                           char             **packages,
                           GError           **error)
{
  g_autofree char *meta_file = meta_path (self, build->name);
  g_autoptr(Meta) meta = NULL;
  Version v = { 0, };
  gboolean create = !g_file_test (meta_file, G_FILE_TEST_EXISTS);
  g_autofree char *target = NULL;

  if (create)
    meta = meta_new (base != NULL ? base : "");
  else if ((meta = meta_read (self, build->name, error)) == NULL)
    return NULL;

  v.version = MAX (meta->versions->len > 0
                   ? g_array_index (meta->versions, Version, meta->versions->len - 1).version : 0,
                   highest_on_disk (self, build->name)) + 1;
  v.built = g_get_real_time () / G_USEC_PER_SEC;
  v.size = air_rootfs_tree_size (build->version_path);
  v.packages = packages != NULL ? g_strdupv (packages) : g_new0 (char *, 1);
  g_array_append_val (meta->versions, v);
  while (meta->versions->len > MAX_VERSIONS_KEPT)
    g_array_remove_index (meta->versions, 0);

  if (create)
    {
      /* The whole template appears by one rename. */
      g_autofree char *tree = g_build_filename (build->dir, "template", NULL);
      g_autofree char *versions = g_build_filename (tree, "versions", NULL);
      g_autofree char *leaf = g_strdup_printf ("1%s", self->suffix);
      g_autofree char *first = g_build_filename (versions, leaf, NULL);
      g_autofree char *tree_meta = g_build_filename (tree, "template.json", NULL);

      target = g_build_filename (self->dir, build->name, NULL);
      if (g_mkdir_with_parents (versions, 0755) != 0 || rename (build->version_path, first) != 0)
        {
          set_errno_error (error, errno, _("Cannot keep"), first);
          return NULL;
        }
      if (!meta_write (tree_meta, meta, error))
        return NULL;
      if (rename (tree, target) != 0)
        {
          set_errno_error (error, errno, _("Cannot keep"), target);
          return NULL;
        }
    }
  else
    {
      target = version_path (self, build->name, v.version);
      if (rename (build->version_path, target) != 0)
        {
          set_errno_error (error, errno, _("Cannot keep"), target);
          return NULL;
        }
      if (!meta_write (meta_file, meta, error))
        {
          air_rootfs_remove_tree (target);
          return NULL;
        }
      prune_versions (self, build->name, meta);
    }
  return template_from_meta (build->name, meta);
}

AirTemplate *
air_template_store_rollback (AirTemplateStore  *self,
                             const char        *name,
                             GError           **error)
{
  g_autofree char *meta_file = NULL;
  g_autoptr(Meta) meta = NULL;
  int lock;

  if (!air_name_validate (name, "template", error))
    return NULL;
  if (legacy_path (self, name) != NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("Template “%s” was put on the zone host by hand and has no versions."), name);
      return NULL;
    }
  lock = take_name_lock (self, name, error);
  if (lock < 0)
    return NULL;
  meta_file = meta_path (self, name);
  meta = g_file_test (meta_file, G_FILE_TEST_EXISTS) ? meta_read (self, name, error) : NULL;
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
  if (!meta_write (meta_file, meta, error))
    {
      close (lock);
      return NULL;
    }
  prune_versions (self, name, meta);
  close (lock);
  return template_from_meta (name, meta);
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
  lock = take_name_lock (self, name, error);
  if (lock < 0)
    return FALSE;
  path = legacy_path (self, name);
  if (path == NULL)
    {
      g_autofree char *meta = meta_path (self, name);

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
      set_errno_error (error, errno, _("Cannot remove"), path);
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
          if (!air_name_is_valid (name) || (lock = take_name_lock (self, name, NULL)) < 0)
            continue;
          air_rootfs_remove_tree (path);
          close (lock);
        }
    }
}
