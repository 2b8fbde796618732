/* fuzz-proxmox-vms.c — libFuzzer target: air_proxmox_vms_parse(), the
 * VMs of a Proxmox VE server's /cluster/resources answer, which a
 * gateway reads from a server that may be hostile
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-proxmox-vms"

#include "config.h"

#include <string.h>

#include "air-names.h"
#include "air-proxmox-vms.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  static const char * const states[] = { "running", "stopped", "paused", "unknown" };

  fuzz_init ();

  vms = air_proxmox_vms_parse ((const char *) data, size, 64 * 1024, &error);
  if (vms == NULL)
    {
      if (error == NULL || error->message[0] == '\0')
        FUZZ_FAIL ("a refused answer without a reason");
      return 0;
    }
  if (vms->len > AIR_PROXMOX_MAX_VMS)
    FUZZ_FAIL ("more VMs than the limit");

  /* what the driver takes from an accepted VM is what it may take */
  for (guint i = 0; i < vms->len; i++)
    {
      const AirProxmoxVm *vm = g_ptr_array_index (vms, i);
      gboolean known = FALSE;

      if (vm->vmid < 100 || vm->vmid > 999999999)
        FUZZ_FAIL ("a VMID out of range");
      if ((vm->name != NULL && !air_name_is_valid (vm->name)) ||
          (vm->node != NULL && !air_name_is_valid (vm->node)) ||
          (vm->pool != NULL && !air_name_is_valid (vm->pool)))
        FUZZ_FAIL ("a name kept that is not a valid name");
      for (guint j = 0; j < G_N_ELEMENTS (states); j++)
        known |= g_strcmp0 (vm->status, states[j]) == 0;
      if (!known)
        FUZZ_FAIL ("a status that is none of the four");
      if (vm->tags == NULL || g_strv_length (vm->tags) > 32)
        FUZZ_FAIL ("tags unbounded");
      if (vm->maxcpu > 4096)
        FUZZ_FAIL ("vCPUs out of range");
    }
  return 0;
}
