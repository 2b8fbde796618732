/* air-template-store-private.h — AirTemplateStore's fields and what its
 * files share (air-template-store.c: the object, paths and locks, lookup
 * and list, roll-back, removal and clean-up; -meta.c: template.json;
 * -build.c: a build from its start to its new version kept)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-template-store.h"

G_BEGIN_DECLS

#define MAX_VERSIONS_KEPT 2

struct _AirTemplateStore
{
  GObject  parent_instance;

  char    *dir;
  char    *suffix;
};

/* One version as template.json keeps it. */
typedef struct {
  guint     version;
  gint64    built;
  guint64   size;
  char    **packages;
} AirTemplateVersion;

typedef struct {
  char     *base;
  GArray   *versions;   /* AirTemplateVersion, oldest first */
} AirTemplateMeta;

/* air-template-store.c */
gboolean         _air_template_store_set_errno_error (GError               **error,
                                                      int                    saved_errno,
                                                      const char            *what,
                                                      const char            *path);
char            *_air_template_store_meta_path       (AirTemplateStore      *self,
                                                      const char            *name);
char            *_air_template_store_version_path    (AirTemplateStore      *self,
                                                      const char            *name,
                                                      guint                  version);
char            *_air_template_store_legacy_path     (AirTemplateStore      *self,
                                                      const char            *name);
int              _air_template_store_take_name_lock  (AirTemplateStore      *self,
                                                      const char            *name,
                                                      GError               **error);
void             _air_template_store_prune_versions  (AirTemplateStore      *self,
                                                      const char            *name,
                                                      const AirTemplateMeta *meta);

/* air-template-store-meta.c */
AirTemplateMeta *_air_template_meta_new              (const char            *base);
void             _air_template_meta_free             (AirTemplateMeta       *meta);
AirTemplateMeta *_air_template_store_meta_read       (AirTemplateStore      *self,
                                                      const char            *name,
                                                      GError               **error);
gboolean         _air_template_meta_write            (const char            *path,
                                                      const AirTemplateMeta *meta,
                                                      GError               **error);
AirTemplate     *_air_template_from_meta             (const char            *name,
                                                      const AirTemplateMeta *meta);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirTemplateMeta, _air_template_meta_free)

G_END_DECLS
