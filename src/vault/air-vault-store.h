/* air-vault-store.h — credentials kept with libsecret in the default collection
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <libsecret/secret.h>

#include "air-secret.h"

G_BEGIN_DECLS

#define AIR_VAULT_SCHEMA_NAME "io.github.qubesair.Credential"

/* What a credential is, without its secret. */
typedef struct {
  char   *zone;
  char   *kind;
  char   *label;
  char   *gateway;
  gint64  stored;   /* seconds since the epoch */
} AirVaultRecord;

void air_vault_record_free (AirVaultRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirVaultRecord, air_vault_record_free)

#define AIR_TYPE_VAULT_STORE (air_vault_store_get_type ())

G_DECLARE_FINAL_TYPE (AirVaultStore, air_vault_store, AIR, VAULT_STORE, GObject)

AirVaultStore  *air_vault_store_open       (GError          **error);
GPtrArray      *air_vault_store_list       (AirVaultStore    *self,
                                            const char       *zone,
                                            GError          **error);
gboolean        air_vault_store_put        (AirVaultStore    *self,
                                            const AirVaultRecord *record,
                                            AirSecret        *secret,
                                            GError          **error);
AirSecret      *air_vault_store_lookup     (AirVaultStore    *self,
                                            const char       *zone,
                                            const char       *kind,
                                            GError          **error);
guint           air_vault_store_delete     (AirVaultStore    *self,
                                            const char       *zone,
                                            const char       *kind,
                                            GError          **error);
/* Items of any schema (air-vault-disk-keys.c keeps its own): searched in
 * the unlocked default collection, and a new one stored in place of @old. */
GList          *air_vault_store_search     (AirVaultStore      *self,
                                            const SecretSchema *schema,
                                            GHashTable         *attributes,
                                            SecretSearchFlags   flags,
                                            GError            **error);
gboolean        air_vault_store_create_item (AirVaultStore      *self,
                                             const SecretSchema *schema,
                                             GHashTable         *attributes,
                                             const char         *label,
                                             SecretValue        *value,
                                             GList              *old,
                                             GError            **error);

G_END_DECLS
