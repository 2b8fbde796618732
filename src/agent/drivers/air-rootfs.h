/* air-rootfs.h — a template's root file system, from a tarball
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "air-driver.h"

G_BEGIN_DECLS

/* Where a build finds the package files sent with it. */
#define AIR_ROOTFS_PACKAGES_DIR "/tmp/qubes-air-packages"

/* A build's steps: the template's own /bin/sh runs one of these as root,
 * with the packages (or nothing) as its arguments — never spliced in. */
extern const char air_rootfs_upgrade_script[];
extern const char air_rootfs_files_script[];
extern const char air_rootfs_packages_script[];

/* Unpacks the tarball read from @tar_fd (gzip, xz, zstd, bzip2 or none,
 * told by its first bytes) into the new directory @root, and checks that
 * it is a root file system. @work_dir keeps tar's complaints. */
gboolean air_rootfs_unpack              (const char  *root,
                                         const char  *work_dir,
                                         int          tar_fd,
                                         GError     **error);
/* What a qube mounts over, made where missing. */
gboolean air_rootfs_ensure_mount_points (const char  *root,
                                         GError     **error);
/* This agent and the libraries it runs with, copied into @root under
 * /usr/lib/qubes-air (its own loader and lib/), so a VM booted from it
 * starts /usr/lib/qubes-air/qubes-air-agent whatever libraries @root has. */
gboolean air_rootfs_add_agent           (const char  *root,
                                         GError     **error);

/* The shared objects this agent runs with (absolute paths, as loaded),
 * and its loader (NULL when it is static). */
char    *air_rootfs_agent_objects       (GPtrArray  **objects);

/* Reads @fd to its end, each line (cut at AIR_TEMPLATE_MAX_OUTPUT) told
 * to @reporter; returns the last lines, each after a newline. */
char    *air_rootfs_report_lines        (int                        fd,
                                         const AirTemplateReporter *reporter);
/* FALSE with a message naming @step and ending with @tail unless @status
 * is 0. */
gboolean air_rootfs_check_step          (const char  *step,
                                         int          status,
                                         const char  *tail,
                                         GError     **error);

/* The disk a file or tree uses, as du counts it. */
guint64  air_rootfs_tree_size           (const char  *path);
/* Removes a file or directory tree without following links, read-only
 * directories included. */
gboolean air_rootfs_remove_tree         (const char  *path);

G_END_DECLS
