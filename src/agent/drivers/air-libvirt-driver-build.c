/* air-libvirt-driver-build.c — AirLibvirtDriver: a template build's
 * VM and the template services
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-libvirt-driver"

#define _GNU_SOURCE 1
#include "config.h"

#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <unistd.h>

#include "air-error.h"
#include "air-libvirt-driver-private.h"
#include "air-libvirt-templates.h"
#include "air-utils.h"

#define BUILD_MEMORY_MIB         1024   /* a package manager's need */

/* --- A template build's VM (air-libvirt-templates.c): a disposable on
 * the image being built, whose root overlay is committed into it. */

char *
air_libvirt_driver_boot_build (AirLibvirtDriver  *self,
                               const char        *template_name,
                               const char        *image,
                               GError           **error)
{
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(AirQube) qube = NULL;
  g_autofree char *name = NULL;
  int lock_fd = -1;

  g_free (spec->template_name);
  spec->template_name = g_strdup (template_name);
  spec->kind = AIR_QUBE_KIND_DISP_VM;
  spec->memory = BUILD_MEMORY_MIB;
  spec->network = TRUE;   /* for the template's package manager */
  air_set_str (&self->build_template, template_name);
  air_set_str (&self->build_image, image);

  name = _air_libvirt_driver_create_locked (self, "build", spec, _("No free name for a template build"),
                                            &lock_fd, error);
  if (name == NULL)
    return NULL;
  qube = _air_libvirt_driver_start_qube (self, name, VIR_DOMAIN_START_AUTODESTROY, error);
  if (qube == NULL)
    {
      _air_libvirt_driver_destroy_domain (self, name);
      _air_libvirt_driver_remove_volumes (self, name);
      close (lock_fd);
      return NULL;
    }
  self->build_lock_fd = lock_fd;
  return g_steal_pointer (&name);
}

int
air_libvirt_driver_run_in_build (AirLibvirtDriver    *self,
                                 const char          *name,
                                 const char * const  *argv,
                                 int                  in_fd,
                                 int                  out_fd,
                                 GError             **error)
{
  g_autofree char *line = air_run_header_to_line (argv, "root");
  int fd, lock_fd = -1, status;

  fd = _air_libvirt_driver_open_call (self, name, "run", line, -1, &lock_fd, error);
  if (fd < 0)
    return -1;
  status = _air_libvirt_relay_command (fd, name, in_fd, out_fd, out_fd, error);
  _air_libvirt_close_call (fd, lock_fd);
  return status;
}

/* Ends the build's VM; with @keep, after a clean power-off its changes go
 * into the image. */
gboolean
air_libvirt_driver_end_build (AirLibvirtDriver  *self,
                              const char        *name,
                              gboolean           keep,
                              GError           **error)
{
  g_autofree char *root = air_driver_path_in (self->run_dir, name, "-root.qcow2");
  gboolean ok = TRUE;

  if (keep)
    {
      int fd, lock_fd = -1;

      fd = _air_libvirt_driver_open_call (self, name, "shutdown", NULL, SHUTDOWN_TIMEOUT_S * 1000,
                                          &lock_fd, NULL);
      if (fd >= 0)
        {
          _air_libvirt_read_exit (fd, name, SHUTDOWN_TIMEOUT_S * 1000, NULL);
          _air_libvirt_close_call (fd, lock_fd);
        }
      if (!_air_libvirt_driver_wait_gone (self, name, SHUTDOWN_TIMEOUT_S))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED,
                               _("The template’s VM did not power off: its changes are not kept."));
          ok = FALSE;
        }
      else
        {
          const char * const commit[] = { "qemu-img", "commit", "-q", root, NULL };

          ok = air_driver_run_tool (commit, "qemu-utils", error);
        }
    }
  _air_libvirt_driver_destroy_domain (self, name);
  _air_libvirt_driver_remove_volumes (self, name);
  if (self->build_lock_fd >= 0)
    close (self->build_lock_fd);
  self->build_lock_fd = -1;
  g_clear_pointer (&self->build_template, g_free);
  g_clear_pointer (&self->build_image, g_free);
  return ok;
}

AirTemplate *
_air_libvirt_driver_build_template (AirDriver                  *driver,
                                    const char                 *name,
                                    const AirTemplateRequest   *request,
                                    int                         files_fd,
                                    const AirTemplateReporter  *reporter,
                                    GError                    **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);

  air_template_store_clean (self->templates);
  return air_libvirt_templates_build (self, self->templates, name, request, files_fd, reporter, error);
}

GPtrArray *
_air_libvirt_driver_list_templates_full (AirDriver  *driver,
                                         GError    **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);

  air_template_store_clean (self->templates);
  return air_template_store_list (self->templates);
}

AirTemplate *
_air_libvirt_driver_import_template (AirDriver                  *driver,
                                     const char                 *name,
                                     int                         tar_fd,
                                     const AirTemplateReporter  *reporter,
                                     GError                    **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);

  air_template_store_clean (self->templates);
  return air_libvirt_templates_import (self->templates, name, tar_fd, reporter, error);
}

AirTemplate *
_air_libvirt_driver_rollback_template (AirDriver   *driver,
                                       const char  *name,
                                       GError     **error)
{
  return air_template_store_rollback (AIR_LIBVIRT_DRIVER (driver)->templates, name, error);
}

gboolean
_air_libvirt_driver_remove_template (AirDriver   *driver,
                                     const char  *name,
                                     GError     **error)
{
  return air_template_store_remove (AIR_LIBVIRT_DRIVER (driver)->templates, name, error);
}
