/* air-template-build.h — the steps of a template build, whatever runs them
 *
 * Create and update go the same way on every backend: the source (the base,
 * or the template's current version) is copied, then the upgrade, the
 * package files, the packages and the command run in the copy as its root
 * user with the template's own tools, each a step the caller sees with its
 * output; the copy is kept as the new version only when every step
 * succeeded. A backend says how to copy, how to run a script in the copy,
 * and how to end.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-driver.h"
#include "air-template-store.h"

G_BEGIN_DECLS

typedef struct {
  /* Makes build->version_path from @source: the copy step. */
  gboolean (*copy)   (gpointer data, const char *source, AirTemplateBuild *build,
                      const AirTemplateReporter *reporter, GError **error);
  /* Optional: a step of its own after the copy (a VM booted on it). */
  const char *start_step;
  gboolean (*start)  (gpointer data, AirTemplateBuild *build, GError **error);
  /* Runs @argv (the template's /bin/sh with a step's script) as root in
   * the copy, the package files in AIR_ROOTFS_PACKAGES_DIR; its output to
   * @reporter. @step names it in the message of a failure. */
  gboolean (*run)    (gpointer data, AirTemplateBuild *build, const char *step, const char * const *argv,
                      const AirTemplateReporter *reporter, GError **error);
  /* Optional: the end, before the version is kept (@keep) or dropped. */
  gboolean (*finish) (gpointer data, AirTemplateBuild *build, gboolean keep, GError **error);
  gpointer data;
} AirTemplateBuilder;

AirTemplate *air_template_build (AirTemplateStore           *store,
                                 const char                 *name,
                                 const AirTemplateRequest   *request,
                                 int                         files_fd,
                                 const AirTemplateReporter  *reporter,
                                 const AirTemplateBuilder   *builder,
                                 GError                    **error);

G_END_DECLS
