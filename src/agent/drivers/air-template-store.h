/* air-template-store.h — a zone host's templates, versioned, on disk
 *
 *   DIR/NAME/template.json     the versions kept (at most two: the current
 *                              and the previous one), each with when it was
 *                              built, its size and the packages asked for
 *   DIR/NAME/versions/N        a version: a root directory (bubblewrap) or
 *                              an image file (SUFFIX ".qcow2", libvirt)
 *   DIR/NAME/versions/N.lock   held shared by every qube running on it
 *   DIR/.build-NAME-XXXXXX/    a build in progress (root or image, files/);
 *                              renamed into place when it succeeds, removed
 *                              when it fails or is found orphaned
 *   DIR/NAME                   (no template.json) a template made by hand:
 *                              one version, read-only here
 *
 * A template that exists is always complete: a version appears by one
 * rename, and template.json is written atomically after it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "air-template.h"

G_BEGIN_DECLS

#define AIR_TYPE_TEMPLATE_STORE (air_template_store_get_type ())

G_DECLARE_FINAL_TYPE (AirTemplateStore, air_template_store, AIR, TEMPLATE_STORE, GObject)

/* A build in progress: its directory, the lock that marks it alive, and
 * where the new version goes before it is kept. */
typedef struct {
  char  *name;
  char  *dir;          /* DIR/.build-NAME-XXXXXX */
  char  *version_path; /* dir/root or dir/image.SUFFIX */
  char  *files_dir;    /* dir/files: the package files sent with it */
  int    lock_fd;
} AirTemplateBuild;

AirTemplateStore *air_template_store_new       (const char        *dir,
                                                const char        *suffix);
const char       *air_template_store_get_dir   (AirTemplateStore  *self);
/* Every template, without users (the caller counts its qubes). */
GPtrArray        *air_template_store_list      (AirTemplateStore  *self);
AirTemplate      *air_template_store_lookup    (AirTemplateStore  *self,
                                                const char        *name,
                                                GError           **error);
/* The current version's path, or NULL. With @lock_fd, a descriptor holding
 * that version's lock shared (kept open while a qube uses it). */
char             *air_template_store_current_path (AirTemplateStore *self,
                                                const char        *name,
                                                int               *lock_fd);

/* Starts a build of @name (new when @create): AIR_ERROR_EXISTS or
 * AIR_ERROR_BUSY when it cannot. The package files are read from @files_fd
 * as @request lists them. */
AirTemplateBuild *air_template_store_begin     (AirTemplateStore  *self,
                                                const char        *name,
                                                gboolean           create,
                                                const AirTemplateRequest *request,
                                                int                files_fd,
                                                GError           **error);
/* Keeps the build's version as @name's newest. */
AirTemplate      *air_template_store_commit    (AirTemplateStore  *self,
                                                AirTemplateBuild  *build,
                                                const char        *base,
                                                char             **packages,
                                                GError           **error);
/* Drops a build that did not succeed, leaving nothing. */
void              air_template_store_abandon   (AirTemplateStore  *self,
                                                AirTemplateBuild  *build);
AirTemplate      *air_template_store_rollback  (AirTemplateStore  *self,
                                                const char        *name,
                                                GError           **error);
gboolean          air_template_store_remove    (AirTemplateStore  *self,
                                                const char        *name,
                                                GError           **error);
/* Removes what builds killed half-way left, and versions nobody uses
 * any more. */
void              air_template_store_clean     (AirTemplateStore  *self);


G_END_DECLS
