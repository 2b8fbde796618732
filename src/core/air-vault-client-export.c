/* air-vault-client-export.c — AirVaultClient: export and import of
 * credentials and keys in age files the vault writes and opens, and the
 * age file keys its identities unwrap
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vault-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-age.h"
#include "air-vault-client-private.h"

static void
wipe_key_free (gpointer data)
{
  sodium_memzero (data, 64);
  g_free (data);
}

/* The age file the vault wrote, and how many credentials it holds. */
gpointer
_air_vault_decode_export (GBytes  *answer,
                          GError **error)
{
  g_autoptr(JsonObject) object = _air_vault_parse_answer (answer, error);
  g_autofree guchar *file = NULL;
  const char *text;
  gint64 version, count;
  gsize len = 0;

  if (object == NULL ||
      !air_json_get_opt_int (object, "version", 1, 1, 0, &version, error) ||
      !air_json_get_opt_int (object, "count", 0, G_MAXUINT - 1, 0, &count, error) ||
      !air_json_get_string (object, "file", AIR_VAULT_MAX_ANSWER, &text, error))
    return NULL;
  file = g_base64_decode (text, &len);
  if (version != 1 || len < 20 || len > AIR_VAULT_MAX_SECRETS_FILE ||
      memcmp (file, "age-encryption.org/v1\n", MIN (len, 22)) != 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The vault did not answer with an age file"));
      return NULL;
    }
  return air_vault_export_new (g_bytes_new_take (g_steal_pointer (&file), len), (guint) count);
}

gpointer
_air_vault_decode_file_key (GBytes  *answer,
                            GError **error)
{
  g_autoptr(JsonObject) object = _air_vault_parse_answer (answer, error);
  const char *text;
  guint8 *key;
  gsize len = 0;

  if (object == NULL || !air_json_get_string (object, "file_key", 64, &text, error))
    return NULL;
  key = g_malloc0 (64);
  if (sodium_base642bin (key, 64, text, strlen (text), NULL, &len, NULL,
                         sodium_base64_VARIANT_ORIGINAL) != 0 || len != AIR_AGE_FILE_KEY_LEN)
    {
      sodium_memzero (key, 64);
      g_free (key);
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The vault did not answer with an age file key"));
      return NULL;
    }
  explicit_bzero ((char *) text, strlen (text));
  return g_bytes_new_with_free_func (key, len, wipe_key_free, key);
}

/* Export and import of credentials and keys */

AirVaultExport *
air_vault_export_new (GBytes *file,
                      guint   count)
{
  AirVaultExport *self = g_new0 (AirVaultExport, 1);

  self->file = file;
  self->count = count;
  return self;
}

void
air_vault_export_free (AirVaultExport *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->file, g_bytes_unref);
  g_free (self);
}

static void
add_strv (JsonBuilder        *builder,
          const char         *member,
          const char * const *values)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

/* Export and import both end their request with what locks or opens the
 * age file: a passphrase, else (import) the name of an identity the vault
 * keeps, else a list (@keys_member: recipients or identities). The request
 * then holds secrets, so it is zeroed when freed; the call's answer goes
 * to @task. */
static void
call_with_age_keys (AirVaultClient     *self,
                    GTask              *task,
                    JsonBuilder        *builder,
                    const char         *passphrase,
                    const char         *identity_name,
                    const char         *keys_member,
                    const char * const *keys,
                    AirVaultDecode      decode,
                    const char         *service)
{
  g_autoptr(GBytes) input = NULL;

  if (passphrase != NULL)
    {
      json_builder_set_member_name (builder, "passphrase");
      json_builder_add_string_value (builder, passphrase);
    }
  else if (identity_name != NULL)
    {
      json_builder_set_member_name (builder, "identity");
      json_builder_add_string_value (builder, identity_name);
    }
  else
    add_strv (builder, keys_member, keys);
  json_builder_end_object (builder);
  input = _air_vault_wiped_bytes_take (air_json_builder_to_line (builder));
  _air_vault_client_call (self, task, decode, service, NULL, input);
}

/**
 * air_vault_client_export_async:
 * @zones: the zones whose credentials and keys to export
 * @recipients: (nullable): age recipients to encrypt to
 * @passphrase: (nullable): or a passphrase
 *
 * Has the vault write the zones' credentials and keys (never an age
 * identity) into an age file of its own making; the secrets are never
 * plain text outside the vault. The result is an #AirVaultExport.
 */
void
air_vault_client_export_async (AirVaultClient      *self,
                               const char * const  *zones,
                               const char * const  *recipients,
                               const char          *passphrase,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_if_fail (AIR_IS_VAULT_CLIENT (self));
  g_task_set_source_tag (task, air_vault_client_export_async);

  json_builder_begin_object (builder);
  add_strv (builder, "zones", zones);
  call_with_age_keys (self, g_steal_pointer (&task), builder, passphrase, NULL, "recipients", recipients,
                      DECODE_EXPORT, AIR_VAULT_SERVICE_EXPORT);
}

AirVaultExport *
air_vault_client_export_finish (AirVaultClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * air_vault_client_import_async:
 * @file: an age file the vault wrote with air_vault_client_export_async()
 * @zones: only these zones' credentials are stored
 * @identities: (nullable): age identities (AGE-SECRET-KEY-1…) to open it with
 * @passphrase: (nullable): or its passphrase
 * @identity_name: (nullable): or the name of an age identity the vault keeps
 *
 * The vault opens the file and stores what it holds; the result is a
 * GPtrArray of #AirCredentialInfo of what was stored (with the public
 * key of each key).
 */
void
air_vault_client_import_async (AirVaultClient      *self,
                               GBytes              *file,
                               const char * const  *zones,
                               const char * const  *identities,
                               const char          *passphrase,
                               const char          *identity_name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *file_b64 = NULL;

  g_return_if_fail (AIR_IS_VAULT_CLIENT (self));
  g_task_set_source_tag (task, air_vault_client_import_async);

  file_b64 = g_base64_encode (g_bytes_get_data (file, NULL), g_bytes_get_size (file));
  json_builder_begin_object (builder);
  add_strv (builder, "zones", zones);
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, file_b64);
  call_with_age_keys (self, g_steal_pointer (&task), builder, passphrase, identity_name, "identities", identities,
                      DECODE_LIST, AIR_VAULT_SERVICE_IMPORT);
}

GPtrArray *
air_vault_client_import_finish (AirVaultClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * air_vault_client_age_unwrap_async:
 * @name: the name of an age identity the vault keeps
 * @stanzas: the file's X25519 stanzas (#AirAgeStanza)
 *
 * The vault finds the file key with its identity, which never leaves it.
 * The result is the file key (16 bytes), zeroed when freed.
 */
void
air_vault_client_age_unwrap_async (AirVaultClient      *self,
                                   const char          *name,
                                   GPtrArray           *stanzas,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) input = NULL;
  g_autofree char *line = NULL;
  GError *error = NULL;

  g_return_if_fail (AIR_IS_VAULT_CLIENT (self));
  g_task_set_source_tag (task, air_vault_client_age_unwrap_async);
  if (!air_name_validate (name, "age identity", &error))
    {
      g_task_return_error (task, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "stanzas");
  json_builder_begin_array (builder);
  for (guint i = 0; i < stanzas->len; i++)
    {
      AirAgeStanza *stanza = g_ptr_array_index (stanzas, i);
      g_autofree char *body = NULL;
      gsize body_len = 0;
      const guint8 *body_data = g_bytes_get_data (stanza->body, &body_len);

      if (stanza->args == NULL || stanza->args[0] == NULL)
        continue;
      body = g_base64_encode (body_data, body_len);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "share");
      json_builder_add_string_value (builder, stanza->args[0]);
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, body);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  line = air_json_builder_to_line (builder);
  input = g_bytes_new (line, strlen (line));
  _air_vault_client_call (self, g_steal_pointer (&task), DECODE_FILE_KEY, AIR_VAULT_SERVICE_AGE_UNWRAP, name, input);
}

GBytes *
air_vault_client_age_unwrap_finish (AirVaultClient  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
