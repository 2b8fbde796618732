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

/* The guest's last lines, kept for the message when a step fails. */
#define TAIL_LINES 12

#define BUILD_PACKAGES_DIR "/tmp/qubes-air-packages"

/* Each step is the template's own /bin/sh running one of these, with the
 * packages or the command as its arguments — never spliced into it. */
static const char upgrade_script[] =
  "if command -v apt-get >/dev/null 2>&1; then\n"
  "  apt-get update && apt-get -y dist-upgrade\n"
  "elif command -v dnf >/dev/null 2>&1; then\n"
  "  dnf -y upgrade\n"
  "else\n"
  "  echo 'This template has no apt-get or dnf to upgrade with.' >&2; exit 3\n"
  "fi\n";

static const char files_script[] =
  "cd " BUILD_PACKAGES_DIR " || exit 3\n"
  "set -- *.deb; if [ -e \"$1\" ]; then\n"
  "  if command -v apt-get >/dev/null 2>&1; then apt-get install -y \"$@\" || exit\n"
  "  elif command -v dpkg >/dev/null 2>&1; then dpkg -i \"$@\" || exit\n"
  "  else echo 'This template has no dpkg to install .deb files with.' >&2; exit 3; fi\n"
  "fi\n"
  "set -- *.rpm; if [ -e \"$1\" ]; then\n"
  "  if command -v dnf >/dev/null 2>&1; then dnf install -y \"$@\" || exit\n"
  "  elif command -v rpm >/dev/null 2>&1; then rpm -i \"$@\" || exit\n"
  "  else echo 'This template has no rpm to install .rpm files with.' >&2; exit 3; fi\n"
  "fi\n";

static const char packages_script[] =
  "if command -v apt-get >/dev/null 2>&1; then\n"
  "  apt-get install -y -- \"$@\"\n"
  "elif command -v dnf >/dev/null 2>&1; then\n"
  "  dnf install -y -- \"$@\"\n"
  "else\n"
  "  echo 'This template has no apt-get or dnf to install packages by name.' >&2; exit 3\n"
  "fi\n";

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

static void
report_output (Steps      *steps,
               const char *line,
               gsize       len)
{
  if (steps->reporter != NULL && steps->reporter->output != NULL)
    steps->reporter->output (steps->reporter->data, line, len);
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
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GQueue) tail = g_queue_new ();
  g_autoptr(GString) tail_text = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  GInputStream *out;
  char buffer[4096];
  gssize n;

  g_subprocess_launcher_set_cwd (launcher, cwd);
  g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return FALSE;
  out = g_subprocess_get_stdout_pipe (process);

  while ((n = g_input_stream_read (out, buffer, sizeof buffer, NULL, NULL)) > 0)
    for (gssize i = 0; i < n; i++)
      {
        if (buffer[i] != '\n' && line->len < AIR_TEMPLATE_MAX_OUTPUT)
          {
            g_string_append_c (line, buffer[i]);
            continue;
          }
        if (buffer[i] != '\n')
          g_string_append_c (line, buffer[i]);   /* cut here, go on */
        report_output (steps, line->str, line->len);
        g_queue_push_tail (tail, g_utf8_make_valid (line->str, line->len));
        if (tail->length > TAIL_LINES)
          g_free (g_queue_pop_head (tail));
        g_string_truncate (line, 0);
      }
  if (line->len > 0)
    {
      report_output (steps, line->str, line->len);
      g_queue_push_tail (tail, g_utf8_make_valid (line->str, line->len));
    }

  if (!g_subprocess_wait (process, NULL, error))
    {
      g_queue_free_full (g_steal_pointer (&tail), g_free);
      return FALSE;
    }
  for (GList *l = tail->head; l != NULL; l = l->next)
    g_string_append_printf (tail_text, "\n%s", (char *) l->data);
  g_queue_free_full (g_steal_pointer (&tail), g_free);
  if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0)
    return TRUE;
  if (g_subprocess_get_if_exited (process))
    g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE, _("Step “%s” failed (exit status %d):%s"),
                 step, g_subprocess_get_exit_status (process), tail_text->str);
  else
    g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE, _("Step “%s” was stopped by signal %d:%s"),
                 step, g_subprocess_get_term_sig (process), tail_text->str);
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
                           "--ro-bind", build->files_dir, BUILD_PACKAGES_DIR,
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

static char **
packages_after (const AirTemplate         *previous,
                const AirTemplateRequest  *request)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; previous != NULL && previous->packages[i] != NULL; i++)
    if (g_hash_table_add (seen, previous->packages[i]))
      g_strv_builder_add (builder, previous->packages[i]);
  for (guint i = 0; request->packages[i] != NULL; i++)
    if (g_hash_table_add (seen, request->packages[i]))
      g_strv_builder_add (builder, request->packages[i]);
  for (guint i = 0; i < request->files->len; i++)
    {
      AirTemplateFile *file = g_ptr_array_index (request->files, i);

      if (g_hash_table_add (seen, file->name))
        g_strv_builder_add (builder, file->name);
    }
  return g_strv_builder_end (builder);
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
      if (!run_in_build (&steps, _("Upgrading"), build, upgrade_script, none, error))
        goto out;
    }
  if (request->files->len > 0)
    {
      const char * const none[] = { NULL };

      begin_step (&steps, _("Installing package files"));
      if (!run_in_build (&steps, _("Installing package files"), build, files_script, none, error))
        goto out;
    }
  if (request->packages[0] != NULL)
    {
      begin_step (&steps, _("Installing packages"));
      if (!run_in_build (&steps, _("Installing packages"), build, packages_script,
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
  packages = packages_after (previous, request);
  keeping = g_strdup_printf (_("Keeping version %u"), create ? 1 : previous->version + 1);
  begin_step (&steps, keeping);
  template = air_template_store_commit (store, build, create ? request->base : previous->base, packages, error);

out:
  air_template_store_abandon (store, build);
  return template;
}
