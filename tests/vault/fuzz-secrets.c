/* fuzz-secrets.c — fuzz target: the plain text of a file exported with
 * --with-secrets, as the vault reads it back (CredentialImport)
 *
 * Whoever made the file may not be the user: what is taken must be whole —
 * valid names, a known kind that is not an age identity, a secret, and for
 * keys a public half that is one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-secrets"

#include "config.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>

#include "air-names.h"
#include "air-vault-client.h"
#include "air-vault.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) items = NULL;
  GError *error = NULL;

  if (sodium_init () < 0)
    abort ();

  items = air_vault_secrets_parse ((const char *) data, size, &error);
  if (items == NULL)
    {
      if (error == NULL)
        abort ();
      g_error_free (error);
      return 0;
    }

  for (guint i = 0; i < items->len; i++)
    {
      AirVaultImportItem *item = g_ptr_array_index (items, i);

      if (!air_name_is_valid (item->record->zone) || !air_name_is_valid (item->record->gateway) ||
          !air_credential_kind_is_valid (item->record->kind) ||
          g_str_equal (item->record->kind, "age-identity") ||
          item->secret == NULL || item->secret->len == 0 || item->secret->len > AIR_VAULT_MAX_SECRET ||
          (g_strcmp0 (item->record->kind, "ssh-key") == 0 || g_strcmp0 (item->record->kind, "wireguard-key") == 0)
          != (item->public_line != NULL) ||
          (item->public_line != NULL && !air_vault_public_key_is_valid (item->public_line)))
        abort ();
    }
  return 0;
}
