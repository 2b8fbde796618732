/* air-template-store-build.c
 *
 * A template build in the store: begun under the name's lock in a
 * directory of its own (.build-NAME-XXXXXX) with the package files
 * received into it, then kept — a new template appears by one rename, a
 * new version of one by another, with template.json written after it and
 * the versions no longer listed pruned — or abandoned, leaving nothing.
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
#include <unistd.h>

#include "air-error.h"
#include "air-names.h"
#include "air-rootfs.h"
#include "air-template-store-private.h"

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
        return _air_template_store_set_errno_error (error, errno, _("Cannot write"), path);
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
                  return _air_template_store_set_errno_error (error, saved, _("Cannot write"), path);
                }
              done += w;
            }
          left -= n;
        }
      if (close (out) != 0)
        return _air_template_store_set_errno_error (error, errno, _("Cannot write"), path);
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
  build->lock_fd = _air_template_store_take_name_lock (self, name, error);
  if (build->lock_fd < 0)
    {
      build_free (build);
      return NULL;
    }
  build->name = g_strdup (name);
  meta = _air_template_store_meta_path (self, name);
  existing = _air_template_store_legacy_path (self, name);
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
      _air_template_store_set_errno_error (error, errno, _("Cannot make"), build->dir);
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
        _air_template_store_set_errno_error (error, errno, _("Cannot make"), build->files_dir);
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
  g_autofree char *meta_file = _air_template_store_meta_path (self, build->name);
  g_autoptr(AirTemplateMeta) meta = NULL;
  AirTemplateVersion v = { 0, };
  gboolean create = !g_file_test (meta_file, G_FILE_TEST_EXISTS);
  g_autofree char *target = NULL;

  if (create)
    meta = _air_template_meta_new (base != NULL ? base : "");
  else if ((meta = _air_template_store_meta_read (self, build->name, error)) == NULL)
    return NULL;

  v.version = MAX (meta->versions->len > 0
                   ? g_array_index (meta->versions, AirTemplateVersion, meta->versions->len - 1).version : 0,
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
          _air_template_store_set_errno_error (error, errno, _("Cannot keep"), first);
          return NULL;
        }
      if (!_air_template_meta_write (tree_meta, meta, error))
        return NULL;
      if (rename (tree, target) != 0)
        {
          _air_template_store_set_errno_error (error, errno, _("Cannot keep"), target);
          return NULL;
        }
    }
  else
    {
      target = _air_template_store_version_path (self, build->name, v.version);
      if (rename (build->version_path, target) != 0)
        {
          _air_template_store_set_errno_error (error, errno, _("Cannot keep"), target);
          return NULL;
        }
      if (!_air_template_meta_write (meta_file, meta, error))
        {
          air_rootfs_remove_tree (target);
          return NULL;
        }
      _air_template_store_prune_versions (self, build->name, meta);
    }
  return _air_template_from_meta (build->name, meta);
}
