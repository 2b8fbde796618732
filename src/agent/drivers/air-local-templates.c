/* air-local-templates.c — see air-local-templates.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-local-templates"

#include "config.h"

#include <errno.h>
#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-local-templates.h"
#include "air-rootfs.h"
#include "air-names.h"

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
  if (steps->reporter != NULL && steps->reporter->step != NULL)
    steps->reporter->step (steps->reporter->data, text, steps->index, steps->count);
}

/* Runs @argv with its output, line by line, to the reporter; on failure
 * the message names @step and ends with the last lines. */
static gboolean
run_reported (Steps               *steps,
              const char          *step,
              const char * const  *argv,
              const char          *cwd,
              GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *tail = NULL;

  g_subprocess_launcher_set_cwd (launcher, cwd);
  g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return FALSE;
  tail = air_rootfs_report_lines (g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (process))),
                                  steps->reporter);
  if (!g_subprocess_wait (process, NULL, error))
    return FALSE;
  if (g_subprocess_get_if_exited (process))
    return air_rootfs_check_step (step, g_subprocess_get_exit_status (process), tail, error);
  g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE, _("Step “%s” was stopped by signal %d:%s"),
               step, g_subprocess_get_term_sig (process), tail);
  return FALSE;
}

/* A step inside the copy being built: its own root, writable, as root of
 * a user namespace; this host's network (for the package manager) and
 * name servers; nothing else of this host but the package files. */
static gboolean
run_in_build (Steps              *steps,
              const char         *step,
              AirTemplateBuild   *build,
              const char         *script,
              const char * const *args,
              GError            **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add_many (builder, "bwrap",
                           "--unshare-user", "--uid", "0", "--gid", "0",
                           "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                           "--die-with-parent", "--new-session",
                           "--bind", build->version_path, "/",
                           "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                           "--ro-bind", build->files_dir, AIR_ROOTFS_PACKAGES_DIR,
                           "--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf",
                           "--clearenv",
                           "--setenv", "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                           "--setenv", "HOME", "/root",
                           "--setenv", "LANG", "C.UTF-8",
                           "--setenv", "DEBIAN_FRONTEND", "noninteractive",
                           "--chdir", "/",
                           "--", "/bin/sh", "-c", script, "qubes-air-build",
                           NULL);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  return run_reported (steps, step, (const char * const *) argv, "/", error);
}

AirTemplate *
air_local_templates_import (AirTemplateStore           *store,
                            const char                 *name,
                            int                         tar_fd,
                            const AirTemplateReporter  *reporter,
                            GError                    **error)
{
  Steps steps = { reporter, 0, 2 };
  AirTemplateBuild *build;
  AirTemplate *template;
  g_autofree char *keeping = NULL;

  build = air_template_store_begin (store, name, TRUE, NULL, -1, error);
  if (build == NULL)
    return NULL;
  begin_step (&steps, _("Unpacking the root file system"));
  if (!air_rootfs_unpack (build->version_path, build->dir, tar_fd, error))
    {
      air_template_store_abandon (store, build);
      return NULL;
    }
  keeping = g_strdup_printf (_("Keeping version %u"), 1);
  begin_step (&steps, keeping);
  template = air_template_store_commit (store, build, "", NULL, error);
  air_template_store_abandon (store, build);
  return template;
}

AirTemplate *
air_local_templates_build (AirTemplateStore           *store,
                           const char                 *name,
                           const AirTemplateRequest   *request,
                           int                         files_fd,
                           const AirTemplateReporter  *reporter,
                           GError                    **error)
{
  gboolean create = request->base[0] != '\0';
  const char *from = create ? request->base : name;
  g_autoptr(AirTemplate) previous = NULL;
  g_autofree char *source = NULL;
  g_autofree char *copying = NULL;
  g_autofree char *keeping = NULL;
  g_auto(GStrv) packages = NULL;
  Steps steps = { reporter, 0, 2 };
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");
  AirTemplateBuild *build;
  AirTemplate *template = NULL;

  if (bwrap == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED,
                           _("Building a template needs bubblewrap (bwrap) on the zone host."));
      return NULL;
    }
  if (create && strcmp (request->base, "host") == 0)
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

  steps.count += (request->upgrade ? 1 : 0) + (request->files->len > 0 ? 1 : 0) +
                 (request->packages[0] != NULL ? 1 : 0) + (request->run[0] != '\0' ? 1 : 0);
  build = air_template_store_begin (store, name, create, request, files_fd, error);
  if (build == NULL)
    return NULL;

  copying = g_strdup_printf (_("Copying template “%s”"), from);
  begin_step (&steps, copying);
  {
    const char * const cp[] = { "cp", "-a", "--reflink=auto", "--", source, build->version_path, NULL };

    if (!run_reported (&steps, copying, cp, "/", error))
      goto out;
  }
  if (request->upgrade)
    {
      const char * const none[] = { NULL };

      begin_step (&steps, _("Upgrading"));
      if (!run_in_build (&steps, _("Upgrading"), build, air_rootfs_upgrade_script, none, error))
        goto out;
    }
  if (request->files->len > 0)
    {
      const char * const none[] = { NULL };

      begin_step (&steps, _("Installing package files"));
      if (!run_in_build (&steps, _("Installing package files"), build, air_rootfs_files_script, none, error))
        goto out;
    }
  if (request->packages[0] != NULL)
    {
      begin_step (&steps, _("Installing packages"));
      if (!run_in_build (&steps, _("Installing packages"), build, air_rootfs_packages_script,
                         (const char * const *) request->packages, error))
        goto out;
    }
  if (request->run[0] != '\0')
    {
      const char * const args[] = { request->run, NULL };

      begin_step (&steps, _("Running the command"));
      if (!run_in_build (&steps, _("Running the command"), build, "eval \"$1\"", args, error))
        goto out;
    }

  if (!air_rootfs_ensure_mount_points (build->version_path, error))
    goto out;
  packages = air_template_packages_after (previous, request);
  keeping = g_strdup_printf (_("Keeping version %u"), create ? 1 : previous->version + 1);
  begin_step (&steps, keeping);
  template = air_template_store_commit (store, build, create ? request->base : previous->base, packages, error);

out:
  air_template_store_abandon (store, build);
  return template;
}
