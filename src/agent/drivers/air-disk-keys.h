/* air-disk-keys.h — the keys of VM qubes' private volumes on their way
 * from the vault (qubesair.CredentialDiskKey+ZONE) to where a volume is
 * made or opened (air-libvirt-disk-keys.h)
 *
 * A zone host behind the ssh relay cannot reach the vault: there the
 * gateway (air-ssh-driver-disk-keys.c) fetches the key, for its own zone,
 * and sends it as the first line of the call's input (stdin over the SSH
 * channel), only for the calls that need it:
 *
 *   disk-key BASE64\n   the key (the vault's text, at most 64 characters)
 *   disk-key -\n        none: the vault gave none (a volume made plain
 *                       before keys came through the relay still starts;
 *                       an encrypted one is refused)
 *
 * qubesair.Create: that line, then the qube's settings as before;
 * qubesair.Start: that line alone. The host asks for it by reporting
 * disk-encryption AIR_DISK_ENCRYPTION_BY_CALL in ZoneInfo (the gateway
 * shows "luks"); a gateway sends no key to a host that did not, and such
 * a host's agent (older, or disk_keys=none) keeps plain volumes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "air-secret-buffer.h"

G_BEGIN_DECLS

/* What a host behind the relay reports as its disk-encryption: "luks",
 * with its keys from the gateway's calls. */
#define AIR_DISK_ENCRYPTION_BY_CALL "luks-by-call"
#define AIR_DISK_KEY_LINE_PREFIX    "disk-key "
#define AIR_DISK_KEY_LINE_NONE      "-"

typedef enum {
  AIR_DISK_KEYS_NONE,
  AIR_DISK_KEYS_VAULT,
  AIR_DISK_KEYS_CALL,
} AirDiskKeys;

AirDiskKeys      air_disk_keys_mode      (const char             *state_dir);
gboolean         air_disk_key_call_wants (const char             *service);
AirSecretBuffer *air_disk_key_line       (const AirSecretBuffer  *key);
AirSecretBuffer *air_disk_key_read_line  (int                     fd,
                                          gboolean               *sent,
                                          GError                **error);

AirSecretBuffer *air_disk_key_fetch      (const char             *zone,
                                          const char             *qube,
                                          gboolean                create,
                                          GError                **error);
gboolean         air_disk_key_delete     (const char             *zone,
                                          const char             *qube,
                                          GError                **error);

G_END_DECLS
