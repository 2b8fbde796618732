/* air-vault-export.c
 *
 * Export and import of a zone's credentials and keys (qair config export
 * --with-secrets). The vault writes them into an age file itself, to the
 * recipients or passphrase the management qube gives, so they never are
 * plain text outside the vault; importing, it opens such a file (with the
 * identities or passphrase given, or an age identity it keeps) and stores
 * what is in it. Age identities themselves are never exported.
 *
 * CredentialExport, CredentialImport and CredentialAgeUnwrap, for the
 * management qube only; air_vault_secrets_parse() reads an opened file
 * (fuzzed by tests/vault/fuzz-secrets.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vault"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "air-age.h"
#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-secret.h"
#include "air-ssh-key.h"
#include "air-vault-client.h"
#include "air-vault-private.h"
#include "air-vault-store.h"
#include "air-vault.h"
#include "air-wireguard-key.h"

#define SECRETS_KIND "qubes-air-secrets"
#define MAX_SECRETS_REQUEST (AIR_VAULT_MAX_SECRETS_FILE * 4 / 3 + 64 * 1024)
#define MAX_TRANSFER_ZONES 1000

static char **
get_zones (JsonObject  *object,
           GError     **error)
{
  g_auto(GStrv) zones = air_json_get_strv (object, "zones", MAX_TRANSFER_ZONES, AIR_NAME_MAX, error);

  if (zones == NULL)
    return NULL;
  for (guint i = 0; zones[i] != NULL; i++)
    if (!air_name_validate (zones[i], "zone", error))
      return NULL;
  return g_steal_pointer (&zones);
}

static void
secret_bytes_free (gpointer data)
{
  air_secret_free (data);
}

int
_air_vault_service_export (const AirVaultRequest *request)
{
  static const char * const allowed[] = { "zones", "recipients", "passphrase", NULL };
  g_autoptr(AirSecret) raw = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func (secret_bytes_free);
  g_autoptr(AirSecret) plain = NULL;
  g_autoptr(GBytes) plain_bytes = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *file_b64 = NULL;
  g_autofree char *entry = NULL;
  g_auto(GStrv) zones = NULL;
  g_auto(GStrv) recipients = NULL;
  const char *passphrase = NULL;
  gsize size = 64;
  GError *error = NULL;
  int status;

  object = _air_vault_read_request (MAX_SMALL_REQUEST * 16, allowed, &raw, &error);
  if (object == NULL && error == NULL)
    error = g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL, _("The request is empty"));
  if (error != NULL)
    return _air_vault_fail (error);
  if ((zones = get_zones (object, &error)) == NULL ||
      !air_json_get_opt_string (object, "passphrase", 1024, NULL, &passphrase, &error))
    return _air_vault_fail (error);
  if (json_object_has_member (object, "recipients"))
    {
      recipients = air_json_get_strv (object, "recipients", AIR_AGE_MAX_STANZAS, 200, &error);
      if (recipients == NULL)
        return _air_vault_fail (error);
      for (guint i = 0; recipients[i] != NULL; i++)
        if (!air_age_recipient_validate (recipients[i], &error))
          return _air_vault_fail (error);
    }
  if ((passphrase == NULL) == (recipients == NULL || recipients[0] == NULL))
    return _air_vault_fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                      _("Give either age recipients or a passphrase to encrypt to")));

  store = _air_vault_open_managed_store (request, &status);
  if (store == NULL)
    return status;

  records = air_vault_store_list (store, NULL, &error);
  if (records == NULL)
    return _air_vault_fail (error);
  for (guint i = 0; i < records->len; i++)
    {
      AirVaultRecord *record = g_ptr_array_index (records, i);
      AirSecret *secret;

      if (!g_strv_contains ((const char * const *) zones, record->zone) ||
          g_str_equal (record->kind, "age-identity"))
        continue;
      secret = air_vault_store_lookup (store, record->zone, record->kind, &error);
      if (secret == NULL)
        return _air_vault_fail (error);
      g_ptr_array_add (chosen, record);
      g_ptr_array_add (secrets, secret);
      size += sodium_base64_ENCODED_LEN (secret->len, sodium_base64_VARIANT_ORIGINAL) + 160 +
              air_vault_json_escape (NULL, record->zone, strlen (record->zone)) +
              air_vault_json_escape (NULL, record->kind, strlen (record->kind)) +
              air_vault_json_escape (NULL, record->label, strlen (record->label)) +
              air_vault_json_escape (NULL, record->gateway, strlen (record->gateway));
    }

  /* The plain text is built in locked memory only. */
  plain = air_secret_new (size + 128);
  plain->len = g_snprintf ((char *) plain->data, plain->size,
                           "{\"kind\":\"" SECRETS_KIND "\",\"version\":1,\"credentials\":[");
  for (guint i = 0; i < chosen->len; i++)
    {
      AirVaultRecord *record = g_ptr_array_index (chosen, i);
      AirSecret *secret = g_ptr_array_index (secrets, i);
      char *out;

      if (i > 0)
        air_secret_append (plain, ",", 1);
      air_secret_append (plain, "{", 1);
      _air_vault_append_member (plain, "zone", record->zone, strlen (record->zone), FALSE);
      _air_vault_append_member (plain, "kind", record->kind, strlen (record->kind), FALSE);
      _air_vault_append_member (plain, "label", record->label, strlen (record->label), FALSE);
      _air_vault_append_member (plain, "gateway", record->gateway, strlen (record->gateway), FALSE);
      plain->len += g_snprintf ((char *) plain->data + plain->len, plain->size - plain->len,
                                "\"secret_base64\":\"");
      out = (char *) plain->data + plain->len;
      sodium_bin2base64 (out, plain->size - plain->len, secret->data, secret->len,
                         sodium_base64_VARIANT_ORIGINAL);
      plain->len += strlen (out);
      air_secret_append (plain, "\"}", 2);
    }
  air_secret_append (plain, "]}\n", 3);
  g_clear_pointer (&secrets, g_ptr_array_unref);

  plain_bytes = g_bytes_new_static (plain->data, plain->len);
  file = passphrase != NULL
         ? air_age_encrypt_passphrase (plain_bytes, passphrase, AIR_AGE_SCRYPT_LOG_N, &error)
         : air_age_encrypt (plain_bytes, (const char * const *) recipients, &error);
  if (passphrase != NULL)
    air_secret_wipe_string ((char *) passphrase);
  g_clear_pointer (&raw, air_secret_free);
  if (file == NULL)
    return _air_vault_fail (error);
  if (g_bytes_get_size (file) > AIR_VAULT_MAX_SECRETS_FILE)
    return _air_vault_fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_FAILED,
                                      _("These zones' credentials are too large to export at once; "
                                        "export one zone at a time")));

  file_b64 = g_base64_encode (g_bytes_get_data (file, NULL), g_bytes_get_size (file));
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, chosen->len);
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, file_b64);
  json_builder_end_object (builder);

  entry = g_strdup_printf ("exported %u credentials and keys (encrypted) to caller=%s",
                           chosen->len, request->caller);
  _air_vault_audit (entry);
  return _air_vault_print_node (builder);
}

/* The vault's own age identity NAME. */
static AirSecret *
own_identity (AirVaultStore  *store,
              const char     *name,
              GError        **error)
{
  g_autoptr(GPtrArray) records = NULL;

  if (!air_name_validate (name, "age identity", error) ||
      (records = air_vault_store_list (store, name, error)) == NULL)
    return NULL;
  for (guint i = 0; i < records->len; i++)
    if (g_str_equal (((AirVaultRecord *) g_ptr_array_index (records, i))->kind, "age-identity"))
      return air_vault_store_lookup (store, name, "age-identity", error);
  g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
               _("The vault keeps no age identity called “%s” (qair key generate --kind age %s makes one)"),
               name, name);
  return NULL;
}

/* One credential of an imported file, checked as CredentialPut checks
 * one; the secret is decoded into locked memory. */
static gboolean
import_one (JsonObject       *item,
            AirVaultRecord   *record,
            AirSecret       **out_secret,
            char            **out_public,
            GError          **error)
{
  const char *zone, *kind, *gateway, *text;
  g_autoptr(AirSecret) secret = NULL;
  gsize len = 0;

  if (!air_json_get_string (item, "zone", AIR_NAME_MAX, &zone, error) ||
      !air_name_validate (zone, "zone", error) ||
      !_air_vault_get_kind (item, TRUE, &kind, error) ||
      !_air_vault_get_label (item, NULL, &record->label, error) ||
      !air_json_get_string (item, "gateway", AIR_NAME_MAX, &gateway, error) ||
      !air_name_validate (gateway, "gateway qube", error) ||
      !air_json_get_string (item, "secret_base64", AIR_VAULT_MAX_SECRET * 2, &text, error))
    return FALSE;
  if (g_str_equal (kind, "age-identity"))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("An exported file never holds an age identity"));
      return FALSE;
    }

  secret = air_secret_new (strlen (text) + 4);
  if (sodium_base642bin (secret->data, secret->size, text, strlen (text), NULL, &len, NULL,
                         sodium_base64_VARIANT_ORIGINAL) != 0 || len == 0 || len > AIR_VAULT_MAX_SECRET)
    {
      air_secret_wipe_string ((char *) text);
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A secret in the file is not valid base64"));
      return FALSE;
    }
  secret->len = len;
  air_secret_wipe_string ((char *) text);

  if (g_str_equal (kind, "ssh-key"))
    {
      guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
      g_autofree char *comment = g_strdup_printf ("qubes-air-%s", zone);

      if (secret->len != AIR_ED25519_SECRET_BYTES ||
          !air_ssh_key_public_from_secret (secret, public_key, error))
        {
          g_clear_error (error);
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("An SSH key in the file is damaged"));
          return FALSE;
        }
      *out_public = air_ssh_key_public_line (public_key, comment);
    }
  else if (memchr (secret->data, '\0', secret->len) != NULL ||
           !g_utf8_validate_len ((const char *) secret->data, secret->len, NULL))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A credential in the file is not text"));
      return FALSE;
    }
  else if (g_str_equal (kind, "wireguard-key"))
    {
      char key[AIR_WIREGUARD_KEY_LEN + 1] = "", public_key[AIR_WIREGUARD_KEY_LEN + 1];
      gboolean ok = secret->len == AIR_WIREGUARD_KEY_LEN;

      if (ok)
        memcpy (key, secret->data, AIR_WIREGUARD_KEY_LEN);
      ok = ok && air_wireguard_key_public (key, public_key, NULL);
      sodium_memzero (key, sizeof key);
      if (!ok)
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A WireGuard key in the file is damaged"));
          return FALSE;
        }
      *out_public = g_strdup (public_key);
    }

  record->zone = g_strdup (zone);
  record->kind = g_strdup (kind);
  record->gateway = g_strdup (gateway);
  *out_secret = g_steal_pointer (&secret);
  return TRUE;
}

void
air_vault_import_item_free (AirVaultImportItem *item)
{
  if (item == NULL)
    return;
  air_vault_record_free (item->record);
  air_secret_free (item->secret);
  g_free (item->public_line);
  g_free (item);
}

/* The plain text of an exported file: hostile until checked (whoever
 * made the file may not be the user), so every entry is checked and a
 * single bad one refuses the whole file. */
GPtrArray *
air_vault_secrets_parse (const char  *plain,
                         gsize        len,
                         GError     **error)
{
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(GPtrArray) items = NULL;
  const char *kind = NULL;
  JsonArray *array;
  GError *local_error = NULL;

  root = air_json_parse_object (plain, len, AIR_VAULT_MAX_SECRETS_FILE, error);
  if (root == NULL ||
      !air_json_get_opt_string (root, "kind", 64, NULL, &kind, error))
    return NULL;
  if (g_strcmp0 (kind, SECRETS_KIND) != 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The file opened, but it holds no Qubes Air credentials"));
      return NULL;
    }
  array = air_json_get_opt_array (root, "credentials", MAX_TRANSFER_ZONES * 8, &local_error);
  if (array == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The file has no “credentials”"));
      return NULL;
    }

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) air_vault_import_item_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      AirVaultImportItem *item = g_new0 (AirVaultImportItem, 1);

      item->record = g_new0 (AirVaultRecord, 1);
      g_ptr_array_add (items, item);
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("An entry of the file's credentials is not an object"));
          return NULL;
        }
      if (!import_one (json_node_get_object (node), item->record, &item->secret, &item->public_line, error))
        return NULL;
    }
  return g_steal_pointer (&items);
}

int
_air_vault_service_import (const AirVaultRequest *request)
{
  static const char * const allowed[] = { "zones", "file", "identities", "passphrase", "identity", NULL };
  g_autoptr(AirSecret) raw = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(AirSecret) own = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree guchar *file_data = NULL;
  g_autofree char *entry = NULL;
  g_auto(GStrv) zones = NULL;
  g_auto(GStrv) identities = NULL;
  const char *passphrase = NULL, *identity = NULL, *file_b64;
  gsize file_len = 0;
  guint n_stored = 0;
  GError *error = NULL;
  int status;

  object = _air_vault_read_request (MAX_SECRETS_REQUEST, allowed, &raw, &error);
  if (object == NULL && error == NULL)
    error = g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL, _("The request is empty"));
  if (error != NULL)
    return _air_vault_fail (error);
  if ((zones = get_zones (object, &error)) == NULL ||
      !air_json_get_string (object, "file", MAX_SECRETS_REQUEST, &file_b64, &error) ||
      !air_json_get_opt_string (object, "passphrase", 1024, NULL, &passphrase, &error) ||
      !air_json_get_opt_string (object, "identity", AIR_NAME_MAX, NULL, &identity, &error))
    return _air_vault_fail (error);
  if (json_object_has_member (object, "identities") &&
      (identities = air_json_get_strv (object, "identities", 64, 200, &error)) == NULL)
    return _air_vault_fail (error);
  if ((passphrase != NULL) + (identity != NULL) + (identities != NULL) != 1)
    return _air_vault_fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                      _("Give one of: age identities, a passphrase, or the name of "
                                        "an age identity the vault keeps")));
  file_data = g_base64_decode (file_b64, &file_len);
  file = g_bytes_new_static (file_data, file_len);

  store = _air_vault_open_managed_store (request, &status);
  if (store == NULL)
    return status;

  if (identity != NULL)
    {
      g_autofree char *text = NULL;
      const char *list[2] = { NULL, NULL };

      if ((own = own_identity (store, identity, &error)) == NULL)
        return _air_vault_fail (error);
      text = g_strndup ((const char *) own->data, own->len);
      list[0] = text;
      plain = air_age_decrypt (file, list, NULL, &error);
      air_secret_wipe_string (text);
    }
  else
    plain = air_age_decrypt (file, (const char * const *) identities, passphrase, &error);
  for (guint i = 0; identities != NULL && identities[i] != NULL; i++)
    air_secret_wipe_string (identities[i]);
  if (passphrase != NULL)
    air_secret_wipe_string ((char *) passphrase);
  g_clear_pointer (&raw, air_secret_free);
  if (plain == NULL)
    return _air_vault_fail (error);

  items = air_vault_secrets_parse (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), &error);
  sodium_memzero ((gpointer) g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
  if (items == NULL)
    return _air_vault_fail (error);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "credentials");
  json_builder_begin_array (builder);
  for (guint i = 0; i < items->len; i++)
    {
      AirVaultImportItem *item = g_ptr_array_index (items, i);

      /* Only the zones the user chose to import. */
      if (!g_strv_contains ((const char * const *) zones, item->record->zone))
        continue;
      if (!air_vault_store_put (store, item->record, g_steal_pointer (&item->secret), &error))
        return _air_vault_fail (error);
      item->record->stored = g_get_real_time () / G_USEC_PER_SEC;
      _air_vault_add_record (builder, item->record);
      if (item->public_line != NULL)
        {
          json_builder_set_member_name (builder, "public_key");
          json_builder_add_string_value (builder, item->public_line);
        }
      json_builder_end_object (builder);
      n_stored++;
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  entry = g_strdup_printf ("imported %u credentials and keys from caller=%s", n_stored, request->caller);
  _air_vault_audit (entry);
  return _air_vault_print_node (builder);
}

/* CredentialAgeUnwrap+NAME: the file key of an age file, from its X25519 stanzas
 * ({"stanzas": [{"share", "body"}]}, base64 as in the header), with the
 * age identity NAME the vault keeps: the identity never leaves the vault;
 * the caller opens the file with the file key. */
int
_air_vault_service_age_unwrap (const AirVaultRequest *request)
{
  static const char * const allowed[] = { "stanzas", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(AirSecret) own = NULL;
  g_autoptr(AirSecret) answer = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *entry = NULL;
  guint8 file_key[AIR_AGE_FILE_KEY_LEN];
  char encoded[sodium_base64_ENCODED_LEN (AIR_AGE_FILE_KEY_LEN, sodium_base64_VARIANT_ORIGINAL)];
  gboolean found = FALSE;
  JsonArray *array;
  GError *error = NULL;
  int status;

  object = _air_vault_read_request (MAX_SMALL_REQUEST * 4, allowed, NULL, &error);
  if (object == NULL && error == NULL)
    error = g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL, _("The request is empty"));
  if (error != NULL)
    return _air_vault_fail (error);
  array = air_json_get_opt_array (object, "stanzas", AIR_AGE_MAX_STANZAS, &error);
  if (array == NULL)
    return _air_vault_fail (error ? error : g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                                      _("The request has no “stanzas”")));

  store = _air_vault_open_managed_store (request, &status);
  if (store == NULL)
    return status;
  if ((own = own_identity (store, request->zone, &error)) == NULL)
    return _air_vault_fail (error);
  identity = g_strndup ((const char *) own->data, own->len);

  for (guint i = 0; i < json_array_get_length (array) && !found; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *share, *body;
      g_autofree guchar *body_data = NULL;
      char *args[2] = { NULL, NULL };
      AirAgeStanza stanza = { (char *) "X25519", args, NULL };
      gsize body_len = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !air_json_get_string (json_node_get_object (node), "share", 64, &share, &error) ||
          !air_json_get_string (json_node_get_object (node), "body", 64, &body, &error))
        {
          air_secret_wipe_string (identity);
          return _air_vault_fail (error ? error : g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                                            _("A stanza of the request is not an object")));
        }
      args[0] = (char *) share;
      body_data = g_base64_decode (body, &body_len);
      stanza.body = g_bytes_new_static (body_data, body_len);
      found = air_age_unwrap_x25519 (identity, &stanza, file_key, &error);
      g_bytes_unref (stanza.body);
      if (error != NULL)
        {
          air_secret_wipe_string (identity);
          return _air_vault_fail (error);
        }
    }
  air_secret_wipe_string (identity);
  if (!found)
    return _air_vault_fail (g_error_new (AIR_ERROR, AIR_ERROR_REFUSED,
                              _("The age identity “%s” of the vault cannot open this file: it is "
                                "encrypted to other recipients"), request->zone));

  sodium_bin2base64 (encoded, sizeof encoded, file_key, sizeof file_key, sodium_base64_VARIANT_ORIGINAL);
  sodium_memzero (file_key, sizeof file_key);
  answer = air_secret_new (sizeof encoded + 32);
  air_secret_append (answer, "{\"file_key\":\"", 13);
  air_secret_append (answer, encoded, strlen (encoded));
  air_secret_append (answer, "\"}\n", 3);
  sodium_memzero (encoded, sizeof encoded);

  entry = g_strdup_printf ("opened a file key with age identity %s for caller=%s", request->zone, request->caller);
  _air_vault_audit (entry);
  if (!air_secret_write_fd (answer, STDOUT_FILENO, &error))
    return _air_vault_fail (error);
  return AIR_VAULT_EXIT_OK;
}
