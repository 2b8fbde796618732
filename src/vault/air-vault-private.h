/* air-vault-private.h — what the vault's service files share
 * (air-vault.c: the log, requests, answers, the management check and the
 * dispatch; -credentials.c: put, list, delete, get, ssh-agent, key
 * generation; -export.c: export, import, age unwrap)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "air-secret.h"
#include "air-vault-store.h"

G_BEGIN_DECLS

/* Requests without a secret are small. */
#define MAX_SMALL_REQUEST 4096

typedef struct {
  const char *service;
  const char *zone;     /* validated, or NULL when the service takes none */
  const char *caller;
} AirVaultRequest;

/* air-vault.c */
void           _air_vault_audit               (const char             *message);
int            _air_vault_refuse              (const AirVaultRequest  *request,
                                               const char             *why);
int            _air_vault_fail                (GError                 *error);
JsonObject    *_air_vault_read_request        (gsize                   max_len,
                                               const char * const     *allowed,
                                               AirSecret             **out_raw,
                                               GError                **error);
gboolean       _air_vault_get_kind            (JsonObject             *object,
                                               gboolean                required,
                                               const char            **out,
                                               GError                **error);
gboolean       _air_vault_get_label           (JsonObject             *object,
                                               const char             *fallback,
                                               char                  **out,
                                               GError                **error);
gboolean       _air_vault_get_gateway         (JsonObject             *object,
                                               const char             *zone,
                                               char                  **out,
                                               GError                **error);
int            _air_vault_print_node          (JsonBuilder            *builder);
void           _air_vault_add_record          (JsonBuilder            *builder,
                                               const AirVaultRecord   *record);
gboolean       _air_vault_append_member       (AirSecret              *out,
                                               const char             *name,
                                               const char             *value,
                                               gsize                   len,
                                               gboolean                last);
AirVaultStore *_air_vault_open_store          (const AirVaultRequest  *request,
                                               int                    *status);
AirVaultStore *_air_vault_open_managed_store  (const AirVaultRequest  *request,
                                               int                    *status);

/* air-vault-credentials.c */
int            _air_vault_service_put          (const AirVaultRequest *request);
int            _air_vault_service_list         (const AirVaultRequest *request);
int            _air_vault_service_delete       (const AirVaultRequest *request);
int            _air_vault_service_get          (const AirVaultRequest *request);
int            _air_vault_service_ssh_agent    (const AirVaultRequest *request);
int            _air_vault_service_key_generate (const AirVaultRequest *request);

/* air-vault-export.c */
int            _air_vault_service_export       (const AirVaultRequest *request);
int            _air_vault_service_import       (const AirVaultRequest *request);
int            _air_vault_service_age_unwrap   (const AirVaultRequest *request);

G_END_DECLS
