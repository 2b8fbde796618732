/* air-template-build.c — see air-template-build.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-template-build"

#include "config.h"

#include <glib/gi18n.h>

#include "air-error.h"
#include "air-rootfs.h"
#include "air-template-build.h"

typedef struct {
  const AirTemplateReporter *reporter;
  guint                      index;
  guint                      count;
} Steps;

static void
begin_step (Steps      *steps,
            const char *text)
{
  steps->index++;
  air_template_reporter_step (steps->reporter, text, steps->index, steps->count);
}

static gboolean
run_step (const AirTemplateBuilder  *builder,
          AirTemplateBuild          *build,
          Steps                     *steps,
          const char                *step,
          const char                *script,
          const char * const        *args,
          GError                   **error)
{
  g_autoptr(GStrvBuilder) command = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add_many (command, "/bin/sh", "-c", script, "qubes-air-build", NULL);
  if (args != NULL)
    g_strv_builder_addv (command, (const char **) args);
  argv = g_strv_builder_end (command);
  begin_step (steps, step);
  return builder->run (builder->data, build, step, (const char * const *) argv, steps->reporter, error);
}

AirTemplate *
air_template_build (AirTemplateStore           *store,
                    const char                 *name,
                    const AirTemplateRequest   *request,
                    int                         files_fd,
                    const AirTemplateReporter  *reporter,
                    const AirTemplateBuilder   *builder,
                    GError                    **error)
{
  gboolean create = request->base[0] != '\0';
  const char *from = create ? request->base : name;
  g_autoptr(AirTemplate) previous = NULL;
  g_autofree char *source = NULL;
  g_autofree char *copying = NULL;
  g_auto(GStrv) packages = NULL;
  Steps steps = { reporter, 0, 2 };
  AirTemplateBuild *build;
  AirTemplate *template = NULL;
  gboolean started = FALSE;

  if (create && g_strcmp0 (request->base, "host") == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("“host” is this machine’s own system and cannot be copied: "
                             "import a root file system first (qair template import) and build on it."));
      return NULL;
    }
  previous = air_template_store_lookup (store, from, error);
  if (previous == NULL)
    {
      if (create)
        g_prefix_error (error, _("Unknown base: "));
      return NULL;
    }
  source = air_template_store_current_path (store, from, NULL);
  if (source == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND, _("Template “%s” has no files."), from);
      return NULL;
    }

  steps.count += (builder->start != NULL ? 1 : 0) + (request->upgrade ? 1 : 0) + (request->files->len > 0 ? 1 : 0) +
                 (request->packages[0] != NULL ? 1 : 0) + (request->run[0] != '\0' ? 1 : 0);
  build = air_template_store_begin (store, name, create, request, files_fd, error);
  if (build == NULL)
    return NULL;

  copying = g_strdup_printf (_("Copying template “%s”"), from);
  begin_step (&steps, copying);
  if (!builder->copy (builder->data, source, build, reporter, error))
    goto out;
  if (builder->start != NULL)
    {
      begin_step (&steps, builder->start_step);
      if (!builder->start (builder->data, build, error))
        goto out;
      started = TRUE;
    }
  if (request->upgrade &&
      !run_step (builder, build, &steps, _("Upgrading"), air_rootfs_upgrade_script, NULL, error))
    goto out;
  if (request->files->len > 0 &&
      !run_step (builder, build, &steps, _("Installing package files"), air_rootfs_files_script, NULL, error))
    goto out;
  if (request->packages[0] != NULL &&
      !run_step (builder, build, &steps, _("Installing packages"), air_rootfs_packages_script,
                 (const char * const *) request->packages, error))
    goto out;
  if (request->run[0] != '\0')
    {
      const char * const args[] = { request->run, NULL };

      if (!run_step (builder, build, &steps, _("Running the command"), "eval \"$1\"", args, error))
        goto out;
    }

  begin_step (&steps, _("Keeping the new version"));
  started = FALSE;
  if (builder->finish != NULL && !builder->finish (builder->data, build, TRUE, error))
    goto out;
  packages = air_template_packages_after (previous, request);
  template = air_template_store_commit (store, build, create ? request->base : previous->base, packages, error);

out:
  if (started && builder->finish != NULL)
    builder->finish (builder->data, build, FALSE, NULL);
  air_template_store_abandon (store, build);
  return template;
}
