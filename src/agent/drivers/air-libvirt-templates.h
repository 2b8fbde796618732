/* air-libvirt-templates.h — templates of the libvirt backend
 *
 * A version is a qcow2 image of an ext4 root file system; a qube's root is
 * a copy-on-write overlay of it made at each start. An imported root gets
 * this zone host's agent (air_rootfs_add_agent), which the initramfs starts
 * as PID 1.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-driver.h"
#include "air-libvirt-driver.h"
#include "air-template-store.h"

G_BEGIN_DECLS

AirTemplate *air_libvirt_templates_import (AirTemplateStore           *store,
                                           const char                 *name,
                                           int                         tar_fd,
                                           const AirTemplateReporter  *reporter,
                                           GError                    **error);

/* A new template or version: the source image copied, booted as a
 * disposable VM with a network, each step run in it as root, the VM
 * powered off and its changes kept in the copy. */
AirTemplate *air_libvirt_templates_build  (AirLibvirtDriver           *driver,
                                           AirTemplateStore           *store,
                                           const char                 *name,
                                           const AirTemplateRequest   *request,
                                           int                         files_fd,
                                           const AirTemplateReporter  *reporter,
                                           GError                    **error);

G_END_DECLS
