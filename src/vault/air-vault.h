/* air-vault.h — the qubes-air-vault qrexec services
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses of the service program. */
#define AIR_VAULT_EXIT_OK          0
#define AIR_VAULT_EXIT_FAILED      1
#define AIR_VAULT_EXIT_BAD_REQUEST 2
#define AIR_VAULT_EXIT_REFUSED     3

int air_vault_main (void);

G_END_DECLS
