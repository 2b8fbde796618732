/* air-vault.h — the qubes-air-vault qrexec services
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "air-secret.h"
#include "air-vault-store.h"

G_BEGIN_DECLS

/* Exit statuses of the service program. */
#define AIR_VAULT_EXIT_OK          0
#define AIR_VAULT_EXIT_FAILED      1
#define AIR_VAULT_EXIT_BAD_REQUEST 2
#define AIR_VAULT_EXIT_REFUSED     3

int air_vault_main (void);

/* One credential or key of an exported file (CredentialImport), checked
 * as CredentialPut checks one. */
typedef struct {
  AirVaultRecord *record;
  AirSecret      *secret;
  char           *public_line;   /* for keys: as the vault shows them */
} AirVaultImportItem;

void       air_vault_import_item_free (AirVaultImportItem *item);
GPtrArray *air_vault_secrets_parse    (const char         *plain,
                                       gsize               len,
                                       GError            **error);

G_END_DECLS
