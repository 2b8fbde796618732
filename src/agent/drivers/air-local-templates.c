/* air-local-templates.c — see air-local-templates.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-local-templates"

#define _GNU_SOURCE 1

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-local-templates.h"
#include "air-rootfs.h"
#include "air-sandbox.h"
#include "air-template-build.h"
#include "air-names.h"

/* Runs @argv with its output, line by line, to the reporter; on failure
 * the message names @step and ends with the last lines. */
static gboolean
run_reported (const AirTemplateReporter  *reporter,
              const char                 *step,
              const char * const         *argv,
              gboolean                    as_build,
              const int                  *fds,
              guint                       n_fds,
              GError                    **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *tail = NULL;

  g_subprocess_launcher_set_cwd (launcher, "/");
  if (as_build)
    g_subprocess_launcher_set_child_setup (launcher, air_sandbox_build_child_setup, NULL, NULL);
  /* Handed over as descriptors 3, 4…: the build's uid may not reach them
   * by path. */
  for (guint i = 0; i < n_fds; i++)
    g_subprocess_launcher_take_fd (launcher, fds[i], 3 + i);
  g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return FALSE;
  tail = air_rootfs_report_lines (g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (process))),
                                  reporter);
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
run_in_build (gpointer                    data,
              AirTemplateBuild           *build,
              const char                 *step,
              const char * const         *command,
              const AirTemplateReporter  *reporter,
              GError                    **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  int fds[2] = {
    open (build->version_path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC),
    open (build->files_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC),
  };

  if (fds[0] < 0 || fds[1] < 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, "%s: %s", build->dir, g_strerror (errno));
      if (fds[0] >= 0)
        close (fds[0]);
      if (fds[1] >= 0)
        close (fds[1]);
      return FALSE;
    }
  g_strv_builder_add_many (builder, "bwrap",
                           "--unshare-user", "--uid", "0", "--gid", "0",
                           "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                           "--die-with-parent", "--new-session",
                           "--bind-fd", G_STRINGIFY (AIR_SANDBOX_FD_BUILD_ROOT), "/",
                           "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                           "--ro-bind-fd", G_STRINGIFY (AIR_SANDBOX_FD_BUILD_FILES), AIR_ROOTFS_PACKAGES_DIR,
                           "--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf",
                           "--clearenv",
                           "--setenv", "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                           "--setenv", "HOME", "/root",
                           "--setenv", "LANG", "C.UTF-8",
                           "--setenv", "DEBIAN_FRONTEND", "noninteractive",
                           "--chdir", "/",
                           "--", NULL);
  g_strv_builder_addv (builder, (const char **) command);
  argv = g_strv_builder_end (builder);
  /* As root, under a uid of its own: root of the build's namespace only. */
  return run_reported (reporter, step, (const char * const *) argv, TRUE, fds, G_N_ELEMENTS (fds), error);
}

AirTemplate *
air_local_templates_import (AirTemplateStore           *store,
                            const char                 *name,
                            int                         tar_fd,
                            const AirTemplateReporter  *reporter,
                            GError                    **error)
{
  AirTemplateBuild *build;
  AirTemplate *template;
  g_autofree char *keeping = NULL;

  build = air_template_store_begin (store, name, TRUE, NULL, -1, error);
  if (build == NULL)
    return NULL;
  air_template_reporter_step (reporter, _("Unpacking the root file system"), 1, 2);
  if (!air_rootfs_unpack (build->version_path, build->dir, tar_fd, error))
    {
      air_template_store_abandon (store, build);
      return NULL;
    }
  keeping = g_strdup_printf (_("Keeping version %u"), 1);
  air_template_reporter_step (reporter, keeping, 2, 2);
  template = air_template_store_commit (store, build, "", NULL, error);
  air_template_store_abandon (store, build);
  return template;
}

static gboolean
copy_root (gpointer                    data,
           const char                 *source,
           AirTemplateBuild           *build,
           const AirTemplateReporter  *reporter,
           GError                    **error)
{
  const char * const cp[] = { "cp", "-a", "--reflink=auto", "--", source, build->version_path, NULL };

  if (!run_reported (reporter, _("Copying"), cp, FALSE, NULL, 0, error))
    return FALSE;
  /* The copy becomes the build's uid's. */
  if (geteuid () == 0 && !air_sandbox_chown_tree (build->version_path, AIR_SANDBOX_BUILD_UID))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot hand the copy to the build’s user: %s"),
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
finish_root (gpointer           data,
             AirTemplateBuild  *build,
             gboolean           keep,
             GError           **error)
{
  return !keep || air_rootfs_ensure_mount_points (build->version_path, error);
}

AirTemplate *
air_local_templates_build (AirTemplateStore           *store,
                           const char                 *name,
                           const AirTemplateRequest   *request,
                           int                         files_fd,
                           const AirTemplateReporter  *reporter,
                           GError                    **error)
{
  const AirTemplateBuilder builder = {
    .copy = copy_root, .run = run_in_build, .finish = finish_root,
  };
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");

  if (bwrap == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED,
                           _("Building a template needs bubblewrap (bwrap) on the zone host."));
      return NULL;
    }
  return air_template_build (store, name, request, files_fd, reporter, &builder, error);
}
