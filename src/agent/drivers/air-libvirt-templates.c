/* air-libvirt-templates.c — see air-libvirt-templates.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-libvirt-templates"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "air-error.h"
#include "air-libvirt-templates.h"
#include "air-rootfs.h"

/* Room left in an image beyond its files, for what qubes and updates add
 * (an overlay grows, the image itself does not). */
#define SPARE_MIB 256

static void
report_step (const AirTemplateReporter *reporter,
             const char                *text,
             guint                      index,
             guint                      count)
{
  if (reporter != NULL && reporter->step != NULL)
    reporter->step (reporter->data, text, index, count);
}

AirTemplate *
air_libvirt_templates_import (AirTemplateStore           *store,
                              const char                 *name,
                              int                         tar_fd,
                              const AirTemplateReporter  *reporter,
                              GError                    **error)
{
  AirTemplateBuild *build;
  AirTemplate *template = NULL;
  g_autofree char *root = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *size = NULL;
  g_autofree char *keeping = NULL;

  build = air_template_store_begin (store, name, TRUE, NULL, -1, error);
  if (build == NULL)
    return NULL;
  root = g_build_filename (build->dir, "root", NULL);
  raw = g_build_filename (build->dir, "root.raw", NULL);

  report_step (reporter, _("Unpacking the root file system"), 1, 4);
  if (!air_rootfs_unpack (root, build->dir, tar_fd, error))
    goto out;
  report_step (reporter, _("Adding the agent"), 2, 4);
  if (!air_rootfs_add_agent (root, error))
    goto out;

  report_step (reporter, _("Making the disk image"), 3, 4);
  /* The files, with room for their inodes and ext4's own. */
  size = g_strdup_printf ("%" G_GUINT64_FORMAT "M",
                          air_rootfs_tree_size (root) * 5 / 4 / (1024 * 1024) + SPARE_MIB);
  {
    const char * const mkfs[] = { "mkfs.ext4", "-q", "-F", "-L", "root", "-d", root, raw, size, NULL };
    const char * const convert[] = { "qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw,
                                     build->version_path, NULL };

    if (!air_driver_run_tool (mkfs, "e2fsprogs", error) || !air_driver_run_tool (convert, "qemu-utils", error))
      goto out;
  }

  keeping = g_strdup_printf (_("Keeping version %u"), 1);
  report_step (reporter, keeping, 4, 4);
  template = air_template_store_commit (store, build, "", NULL, error);

out:
  air_template_store_abandon (store, build);
  return template;
}

typedef struct {
  int                        fd;
  const AirTemplateReporter *reporter;
} Reading;

static gpointer
read_output (gpointer data)
{
  Reading *reading = data;

  return air_rootfs_report_lines (reading->fd, reading->reporter);
}

/* One command in the build's VM, as root, its output told as it comes. */
static gboolean
run_step (AirLibvirtDriver           *driver,
          const char                 *vm,
          const char                 *step,
          const char * const         *argv,
          int                         in_fd,
          const AirTemplateReporter  *reporter,
          GError                    **error)
{
  g_autofree char *tail = NULL;
  Reading reading = { -1, reporter };
  GThread *reader;
  int pipe_fds[2];
  int status;

  if (!g_unix_open_pipe (pipe_fds, FD_CLOEXEC, error))
    return FALSE;
  reading.fd = pipe_fds[0];
  reader = g_thread_new ("air-build-output", read_output, &reading);
  status = air_libvirt_driver_run_in_build (driver, vm, argv, in_fd, pipe_fds[1], error);
  close (pipe_fds[1]);
  tail = g_thread_join (reader);
  close (pipe_fds[0]);
  return status >= 0 && air_rootfs_check_step (step, status, tail, error);
}

AirTemplate *
air_libvirt_templates_build (AirLibvirtDriver           *driver,
                             AirTemplateStore           *store,
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
  g_autofree char *vm = NULL;
  g_auto(GStrv) packages = NULL;
  AirTemplateBuild *build;
  AirTemplate *template = NULL;
  guint index = 0, count;

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
  count = 3 + (request->upgrade ? 1 : 0) + (request->files->len > 0 ? 1 : 0) +
          (request->packages[0] != NULL ? 1 : 0) + (request->run[0] != '\0' ? 1 : 0);
  build = air_template_store_begin (store, name, create, request, files_fd, error);
  if (build == NULL)
    return NULL;

  copying = g_strdup_printf (_("Copying template “%s”"), from);
  report_step (reporter, copying, ++index, count);
  {
    const char * const copy[] = { "qemu-img", "convert", "-q", "-O", "qcow2", source, build->version_path, NULL };

    if (!air_driver_run_tool (copy, "qemu-utils", error))
      goto out;
  }
  report_step (reporter, _("Starting the template’s VM"), ++index, count);
  vm = air_libvirt_driver_boot_build (driver, name, build->version_path, error);
  if (vm == NULL)
    goto out;

  if (request->upgrade)
    {
      const char * const argv[] = { "/bin/sh", "-c", air_rootfs_upgrade_script, "qubes-air-build", NULL };

      report_step (reporter, _("Upgrading"), ++index, count);
      if (!run_step (driver, vm, _("Upgrading"), argv, -1, reporter, error))
        goto out;
    }
  if (request->files->len > 0)
    {
      const char * const argv[] = { "/bin/sh", "-c", air_rootfs_files_script, "qubes-air-build", NULL };

      report_step (reporter, _("Installing package files"), ++index, count);
      for (guint i = 0; i < request->files->len; i++)
        {
          AirTemplateFile *file = g_ptr_array_index (request->files, i);
          g_autofree char *path = g_build_filename (build->files_dir, file->name, NULL);
          const char * const put[] = { "/bin/sh", "-c", "mkdir -p " AIR_ROOTFS_PACKAGES_DIR " && cat > "
                                       AIR_ROOTFS_PACKAGES_DIR "/\"$1\"", "qubes-air-build", file->name, NULL };
          int fd = open (path, O_RDONLY | O_CLOEXEC);
          gboolean ok;

          if (fd < 0)
            {
              g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, "%s: %s", path, g_strerror (errno));
              goto out;
            }
          ok = run_step (driver, vm, _("Installing package files"), put, fd, reporter, error);
          close (fd);
          if (!ok)
            goto out;
        }
      if (!run_step (driver, vm, _("Installing package files"), argv, -1, reporter, error))
        goto out;
    }
  if (request->packages[0] != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;

      g_strv_builder_add_many (builder, "/bin/sh", "-c", air_rootfs_packages_script, "qubes-air-build", NULL);
      g_strv_builder_addv (builder, (const char **) request->packages);
      argv = g_strv_builder_end (builder);
      report_step (reporter, _("Installing packages"), ++index, count);
      if (!run_step (driver, vm, _("Installing packages"), (const char * const *) argv, -1, reporter, error))
        goto out;
    }
  if (request->run[0] != '\0')
    {
      const char * const argv[] = { "/bin/sh", "-c", request->run, NULL };

      report_step (reporter, _("Running the command"), ++index, count);
      if (!run_step (driver, vm, _("Running the command"), argv, -1, reporter, error))
        goto out;
    }

  keeping = g_strdup_printf (_("Keeping version %u"), create ? 1 : previous->version + 1);
  report_step (reporter, keeping, ++index, count);
  if (!air_libvirt_driver_end_build (driver, vm, TRUE, error))
    {
      g_clear_pointer (&vm, g_free);
      goto out;
    }
  g_clear_pointer (&vm, g_free);
  packages = air_template_packages_after (previous, request);
  template = air_template_store_commit (store, build, create ? request->base : previous->base, packages, error);

out:
  if (vm != NULL)
    air_libvirt_driver_end_build (driver, vm, FALSE, NULL);
  air_template_store_abandon (store, build);
  return template;
}
