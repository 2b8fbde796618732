/* air-vault-disk-keys.h — qube disk keys kept in the vault
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The libsecret schema of disk keys: apart from the credentials', so that
 * no credential call (list, put, delete, export) ever sees or replaces one. */
#define AIR_VAULT_DISK_KEY_SCHEMA_NAME "io.github.qubesair.DiskKey"

int air_vault_disk_key_serve (const char  *zone,
                              const char  *caller,
                              char       **audit_entry,
                              char       **refusal,
                              GError     **error);

G_END_DECLS
