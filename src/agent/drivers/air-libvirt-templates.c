/* air-libvirt-templates.c — see air-libvirt-templates.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-libvirt-templates"

#include "config.h"

#include <glib/gi18n.h>

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
                          air_template_store_tree_size (root) * 5 / 4 / (1024 * 1024) + SPARE_MIB);
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
