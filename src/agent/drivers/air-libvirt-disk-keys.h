/* air-libvirt-disk-keys.h — encrypted private volumes of VM qubes
 *
 * A qube's private volume is a qcow2 image with LUKS encryption, keyed
 * with a key of its own: made and kept by the vault
 * (qubesair.CredentialDiskKey+ZONE), fetched by the zone's agent when the
 * qube is made and each time it starts, and handed to QEMU only through a
 * private, ephemeral libvirt secret that lives while the domain starts.
 * The key is in this process's locked memory only, wiped after use; it
 * reaches qemu-img through a pipe, never argv, the environment or a file.
 * `qair rm` has the vault delete the key before the volume goes: a copy
 * of the volume is then unreadable (crypto-shredding). Disposables and
 * template builds get a key that only their own agent process ever holds.
 * A qube whose private volume is encrypted also gets, at each start, a
 * volatile volume (its swap and scratch) encrypted with a random key
 * nothing keeps: what it held is unreadable once the qube stops.
 *
 * Behind the ssh relay the keys come in the gateway's calls: see
 * air-disk-keys.h.
 *
 * Configuration (agent.conf, or the environment first):
 *   disk_keys=vault|call|none  AIR_DISK_KEYS  vault, unless the agent serves
 *                         a remote zone through the ssh relay (AIR_ZONE_NAME
 *                         set): call, keys in the calls from the gateway;
 *                         none: new private volumes are not encrypted
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

#include "air-disk-keys.h"
#include "air-secret-buffer.h"

G_BEGIN_DECLS

gboolean         air_libvirt_volume_is_encrypted    (const char             *path);

AirSecretBuffer *air_libvirt_disk_key_new_ephemeral (void);
gboolean         air_libvirt_make_encrypted_volume  (const char             *raw,
                                                     const char             *path,
                                                     const AirSecretBuffer  *key,
                                                     GError                **error);

gboolean         air_libvirt_make_encrypted_scratch (const char             *path,
                                                     const char             *size,
                                                     const AirSecretBuffer  *key,
                                                     GError                **error);

gboolean         air_libvirt_secret_define          (virConnectPtr           conn,
                                                     const char             *volume,
                                                     const char             *qube,
                                                     const AirSecretBuffer  *key,
                                                     char                    uuid[VIR_UUID_STRING_BUFLEN],
                                                     GError                **error);
void             air_libvirt_secret_undefine        (virConnectPtr           conn,
                                                     const char             *volume);
void             air_libvirt_secrets_collect        (virConnectPtr           conn,
                                                     const char             *private_dir,
                                                     const char             *run_dir);

G_END_DECLS
