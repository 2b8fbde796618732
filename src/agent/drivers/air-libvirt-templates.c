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
#include "air-template-build.h"
#include "air-rootfs.h"

/* Room left in an image beyond its files, for what qubes and updates add
 * (an overlay grows, the image itself does not). */
#define SPARE_MIB 256

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

  air_template_reporter_step (reporter, _("Unpacking the root file system"), 1, 4);
  if (!air_rootfs_unpack (root, build->dir, tar_fd, error))
    goto out;
  air_template_reporter_step (reporter, _("Adding the agent"), 2, 4);
  if (!air_rootfs_add_agent (root, error))
    goto out;

  air_template_reporter_step (reporter, _("Making the disk image"), 3, 4);
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
  air_template_reporter_step (reporter, keeping, 4, 4);
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
run_command (AirLibvirtDriver           *driver,
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

typedef struct {
  AirLibvirtDriver *driver;
  const char       *name;
  char             *vm;     /* the build's VM, once booted */
} VmBuild;

static gboolean
copy_image (gpointer                    data,
            const char                 *source,
            AirTemplateBuild           *build,
            const AirTemplateReporter  *reporter,
            GError                    **error)
{
  const char * const copy[] = { "qemu-img", "convert", "-q", "-O", "qcow2", source, build->version_path, NULL };

  return air_driver_run_tool (copy, "qemu-utils", error);
}

/* Boots the copy, and streams the package files into it. */
static gboolean
start_vm (gpointer           data,
          AirTemplateBuild  *build,
          GError           **error)
{
  VmBuild *vm_build = data;
  g_autoptr(GDir) dir = NULL;
  const char *entry;

  vm_build->vm = air_libvirt_driver_boot_build (vm_build->driver, vm_build->name, build->version_path, error);
  if (vm_build->vm == NULL)
    return FALSE;
  dir = g_dir_open (build->files_dir, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (build->files_dir, entry, NULL);
      const char * const put[] = { "/bin/sh", "-c", "mkdir -p " AIR_ROOTFS_PACKAGES_DIR " && cat > "
                                   AIR_ROOTFS_PACKAGES_DIR "/\"$1\"", "qubes-air-build", entry, NULL };
      int fd = open (path, O_RDONLY | O_CLOEXEC);
      gboolean ok;

      if (fd < 0)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, "%s: %s", path, g_strerror (errno));
          return FALSE;
        }
      ok = run_command (vm_build->driver, vm_build->vm, _("Starting the template’s VM"), put, fd, NULL, error);
      close (fd);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
run_in_vm (gpointer                    data,
           AirTemplateBuild           *build,
           const char                 *step,
           const char * const         *argv,
           const AirTemplateReporter  *reporter,
           GError                    **error)
{
  VmBuild *vm_build = data;

  return run_command (vm_build->driver, vm_build->vm, step, argv, -1, reporter, error);
}

/* Powers the VM off; with @keep, its changes go into the copy. */
static gboolean
finish_vm (gpointer           data,
           AirTemplateBuild  *build,
           gboolean           keep,
           GError           **error)
{
  VmBuild *vm_build = data;
  g_autofree char *vm = g_steal_pointer (&vm_build->vm);

  return vm == NULL || air_libvirt_driver_end_build (vm_build->driver, vm, keep, error);
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
  VmBuild vm_build = { driver, name, NULL };
  const AirTemplateBuilder builder = {
    .copy = copy_image,
    .start_step = _("Starting the template’s VM"), .start = start_vm,
    .run = run_in_vm, .finish = finish_vm,
    .data = &vm_build,
  };
  AirTemplate *template = air_template_build (store, name, request, files_fd, reporter, &builder, error);

  /* A VM left by a failed start. */
  finish_vm (&vm_build, NULL, FALSE, NULL);
  return template;
}
