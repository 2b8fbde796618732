/* air-vault-client.h — the management (and gateway) side of qubes-air-vault
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-transport.h"

G_BEGIN_DECLS

/* The vault qube's name unless AIR_VAULT_QUBE says otherwise. */
#define AIR_VAULT_DEFAULT_QUBE "vault"

#define AIR_VAULT_SERVICE_PUT          "qubesair.CredentialPut"
#define AIR_VAULT_SERVICE_LIST         "qubesair.CredentialList"
#define AIR_VAULT_SERVICE_DELETE       "qubesair.CredentialDelete"
#define AIR_VAULT_SERVICE_GET          "qubesair.CredentialGet"
#define AIR_VAULT_SERVICE_SSH_AGENT    "qubesair.SshAgent"
#define AIR_VAULT_SERVICE_KEY_GENERATE "qubesair.KeyGenerate"
#define AIR_VAULT_SERVICE_EXPORT       "qubesair.CredentialExport"
#define AIR_VAULT_SERVICE_IMPORT       "qubesair.CredentialImport"
#define AIR_VAULT_SERVICE_AGE_UNWRAP   "qubesair.CredentialAgeUnwrap"
#define AIR_VAULT_SERVICE_DISK_KEY     "qubesair.CredentialDiskKey"

/* Limits both sides enforce. A GCP service-account JSON is about 2.3 KiB. */
#define AIR_VAULT_MAX_SECRET   (64 * 1024)
#define AIR_VAULT_MAX_LABEL    100
/* A request carries the secret JSON-escaped (at most 6 bytes a byte). */
#define AIR_VAULT_MAX_REQUEST  (AIR_VAULT_MAX_SECRET * 6 + 4096)
#define AIR_VAULT_MAX_ANSWER   (1024 * 1024)
#define AIR_VAULT_MAX_PUBLIC_KEY 400
/* The age file of an export with secrets (base64 in the answer). */
#define AIR_VAULT_MAX_SECRETS_FILE (512 * 1024)

extern const char * const air_credential_kinds[];

gboolean air_credential_kind_is_valid   (const char  *kind);
char    *air_vault_default_gateway      (const char  *zone);
gsize    air_vault_json_escape          (char        *out,
                                         const char  *in,
                                         gsize        len);
gboolean air_vault_public_key_is_valid  (const char  *line);
gboolean air_vault_ssh_public_key_is_valid (const char *line);
gboolean air_credential_kind_is_key     (const char  *kind);

/* One stored credential as the vault lists it: never the secret. */
#define AIR_TYPE_CREDENTIAL_INFO (air_credential_info_get_type ())

typedef struct _AirCredentialInfo AirCredentialInfo;

GType              air_credential_info_get_type       (void) G_GNUC_CONST;
AirCredentialInfo *air_credential_info_copy           (const AirCredentialInfo *self);
void               air_credential_info_free           (AirCredentialInfo *self);
const char        *air_credential_info_get_zone       (const AirCredentialInfo *self);
const char        *air_credential_info_get_kind       (const AirCredentialInfo *self);
const char        *air_credential_info_get_label      (const AirCredentialInfo *self);
const char        *air_credential_info_get_gateway    (const AirCredentialInfo *self);
gint64             air_credential_info_get_stored     (const AirCredentialInfo *self);
const char        *air_credential_info_get_public_key (const AirCredentialInfo *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirCredentialInfo, air_credential_info_free)

#define AIR_TYPE_VAULT_CLIENT (air_vault_client_get_type ())

G_DECLARE_FINAL_TYPE (AirVaultClient, air_vault_client, AIR, VAULT_CLIENT, GObject)

AirVaultClient    *air_vault_client_new                (AirTransport        *transport);
AirTransport      *air_vault_client_get_transport      (AirVaultClient      *self);
const char        *air_vault_client_get_vault_qube     (AirVaultClient      *self);

void               air_vault_client_put_async          (AirVaultClient      *self,
                                                        const char          *zone,
                                                        const char          *kind,
                                                        const char          *label,
                                                        const char          *gateway,
                                                        GBytes              *secret,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
AirCredentialInfo *air_vault_client_put_finish         (AirVaultClient      *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void               air_vault_client_list_async         (AirVaultClient      *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GPtrArray         *air_vault_client_list_finish        (AirVaultClient      *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void               air_vault_client_delete_async       (AirVaultClient      *self,
                                                        const char          *zone,
                                                        const char          *kind,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean           air_vault_client_delete_finish      (AirVaultClient      *self,
                                                        GAsyncResult        *result,
                                                        guint               *n_deleted,
                                                        GError             **error);
void               air_vault_client_generate_key_async (AirVaultClient      *self,
                                                        const char          *zone,
                                                        const char          *gateway,
                                                        const char          *label,
                                                        gboolean             replace,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
void               air_vault_client_generate_async     (AirVaultClient      *self,
                                                        const char          *zone,
                                                        const char          *kind,
                                                        const char          *gateway,
                                                        const char          *label,
                                                        gboolean             replace,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
char              *air_vault_client_generate_key_finish (AirVaultClient     *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void               air_vault_client_get_async          (AirVaultClient      *self,
                                                        const char          *zone,
                                                        const char          *kind,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GBytes            *air_vault_client_get_finish         (AirVaultClient      *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

/* A gateway's own credential, asked for now and waited for later. */
typedef struct _AirVaultFetch AirVaultFetch;

AirVaultFetch     *air_vault_fetch_begin               (const char          *zone,
                                                        const char          *kind);
GBytes            *air_vault_fetch_end                 (AirVaultFetch       *fetch,
                                                        GError             **error);

/* What the vault exported: an age file, and how many credentials and
 * keys are in it. */
typedef struct {
  GBytes *file;
  guint   count;
} AirVaultExport;

AirVaultExport    *air_vault_export_new                (GBytes              *file,
                                                        guint                count);
void               air_vault_export_free               (AirVaultExport      *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirVaultExport, air_vault_export_free)

void               air_vault_client_export_async       (AirVaultClient      *self,
                                                        const char * const  *zones,
                                                        const char * const  *recipients,
                                                        const char          *passphrase,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
AirVaultExport    *air_vault_client_export_finish      (AirVaultClient      *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void               air_vault_client_import_async       (AirVaultClient      *self,
                                                        GBytes              *file,
                                                        const char * const  *zones,
                                                        const char * const  *identities,
                                                        const char          *passphrase,
                                                        const char          *identity_name,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GPtrArray         *air_vault_client_import_finish      (AirVaultClient      *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void               air_vault_client_age_unwrap_async   (AirVaultClient      *self,
                                                        const char          *name,
                                                        GPtrArray           *stanzas,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GBytes            *air_vault_client_age_unwrap_finish  (AirVaultClient      *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

G_END_DECLS
