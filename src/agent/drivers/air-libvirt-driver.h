/* air-libvirt-driver.h — a zone host whose qubes are virtual machines
 *
 * Each qube is a transient libvirt domain (KVM where /dev/kvm is usable,
 * else TCG), booted directly from a kernel and initramfs the zone host
 * supplies, as Qubes' dom0 supplies kernels to its qubes. Volumes as in
 * Qubes: root a qcow2 overlay on the template's read-only image, made at
 * start and discarded at shutdown; private a persistent qcow2 per qube
 * (its /home/user); volatile a scratch qcow2 discarded with root. No
 * network device at all. The qube's own qubes-air-agent (air-vm-guest.c)
 * answers over a virtio-serial channel whose host end is a unix socket.
 *
 * State, under STATE_DIR/vm/:
 *   qubes/NAME.json         the qube's settings (a create spec); its
 *                           presence is the qube
 *   private/NAME.qcow2      its private volume, LUKS-encrypted with a key
 *                           from the vault (air-libvirt-disk-keys.h)
 *   run/NAME-root.qcow2, run/NAME-volatile.qcow2, run/NAME.sock
 *   run/NAME.json           present while it starts
 *   run/NAME.failed         why its last start failed (state Crashed)
 *   run/NAME.lock           held by the process that owns a disposable
 *   templates/T/            a template's versions (air-template-store.h);
 *   templates/T.qcow2       or an image put there by hand
 *   kernel/vmlinuz, kernel/initrd.img   unless agent.conf says otherwise
 *
 * Whether a qube runs is libvirt's answer; changes come from libvirt's
 * lifecycle events (air_driver_watch), not from polling.
 *
 * Configuration (STATE_DIR/agent.conf, or the environment first):
 *   uri=       AIR_LIBVIRT_URI   default qemu:///system as root, else qemu:///session
 *   kernel=    AIR_VM_KERNEL     the guest kernel
 *   initrd=    AIR_VM_INITRD     the guest initramfs
 *   default_template=            the template of a qube created without one
 *   start_timeout=  AIR_VM_START_TIMEOUT  seconds for the guest's agent to answer (60)
 *   disk_keys=      AIR_DISK_KEYS         vault (default) or none: whether new
 *                                         private volumes are encrypted
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "air-driver.h"

G_BEGIN_DECLS

#define AIR_TYPE_LIBVIRT_DRIVER (air_libvirt_driver_get_type ())

G_DECLARE_FINAL_TYPE (AirLibvirtDriver, air_libvirt_driver, AIR, LIBVIRT_DRIVER, GObject)

AirLibvirtDriver *air_libvirt_driver_new (const char  *state_dir,
                                          const char  *zone_name,
                                          GError     **error);

/* For template builds (air-libvirt-templates.c): a disposable VM booted
 * on @image as template @template_name, with a network; commands in it
 * as root; its end, keeping its root's changes in @image or not. */
char             *air_libvirt_driver_boot_build   (AirLibvirtDriver    *self,
                                                   const char          *template_name,
                                                   const char          *image,
                                                   GError             **error);
int               air_libvirt_driver_run_in_build (AirLibvirtDriver    *self,
                                                   const char          *name,
                                                   const char * const  *argv,
                                                   int                  in_fd,
                                                   int                  out_fd,
                                                   GError             **error);
gboolean          air_libvirt_driver_end_build    (AirLibvirtDriver    *self,
                                                   const char          *name,
                                                   gboolean             keep,
                                                   GError             **error);

G_END_DECLS
