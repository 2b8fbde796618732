/* air-proxmox-vms.h — the VMs of a Proxmox VE server's /cluster/resources
 * answer, read and checked
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AIR_PROXMOX_MAX_VMS      10000

typedef struct {
  guint     vmid;
  char     *name;      /* a valid qube name, or NULL when the VM's is not */
  char     *node;
  char     *status;    /* "running", "stopped", "paused" or "unknown" */
  gboolean  is_template;
  guint64   maxmem;
  guint     maxcpu;
  guint64   uptime;
  char     *pool;
  GStrv     tags;
} AirProxmoxVm;

void       air_proxmox_vm_free    (AirProxmoxVm  *vm);
GPtrArray *air_proxmox_vms_parse  (const char    *data,
                                   gsize          len,
                                   gsize          max_len,
                                   GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirProxmoxVm, air_proxmox_vm_free)

G_END_DECLS
