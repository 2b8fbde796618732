/* air-vault-client-private.h — what AirVaultClient's files share
 * (air-vault-client.c: the object, its calls and their decoders;
 * -credentials.c: kinds, checks, AirCredentialInfo; -export.c: export,
 * import, age unwrap)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "air-vault-client.h"

G_BEGIN_DECLS

typedef enum {
  DECODE_INFO,
  DECODE_LIST,
  DECODE_DELETE,
  DECODE_PUBLIC_KEY,
  DECODE_SECRET,
  DECODE_EXPORT,
  DECODE_FILE_KEY,
} AirVaultDecode;

/* air-vault-client.c */
GBytes            *_air_vault_wiped_bytes_take      (char            *text);
JsonObject        *_air_vault_parse_answer          (GBytes          *answer,
                                                     GError         **error);
void               _air_vault_client_call           (AirVaultClient  *self,
                                                     GTask           *task,
                                                     AirVaultDecode   decode,
                                                     const char      *service,
                                                     const char      *arg,
                                                     GBytes          *input);

/* air-vault-client-credentials.c */
AirCredentialInfo *_air_credential_info_from_object (JsonObject      *object,
                                                     GError         **error);

/* air-vault-client-export.c */
gpointer           _air_vault_decode_export         (GBytes          *answer,
                                                     GError         **error);
gpointer           _air_vault_decode_file_key       (GBytes          *answer,
                                                     GError         **error);

G_END_DECLS
