/* air-vault-config.h — which qubes may manage the vault's credentials
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  AIR_VAULT_MANAGER_LISTED,    /* named in vault.conf */
  AIR_VAULT_MANAGER_PINNED,    /* no vault.conf yet: pinned now, as the first */
  AIR_VAULT_MANAGER_REFUSED,   /* not named; @error says so */
} AirVaultManager;

char            *air_vault_config_path         (void);
AirVaultManager  air_vault_config_check_manager (const char  *caller,
                                                 GError     **error);

G_END_DECLS
