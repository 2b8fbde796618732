/* air-vault-credentials.c
 *
 * The services on one zone's credentials: CredentialPut, CredentialList,
 * CredentialDelete and KeyGenerate for the management qube, CredentialGet
 * and SshAgent for the zone's own gateway (find_for_gateway checks it is
 * that gateway). Who may call what is said in air-vault.c.
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
#include "air-secret.h"
#include "air-ssh-agent.h"
#include "air-ssh-key.h"
#include "air-vault-client.h"
#include "air-vault-private.h"
#include "air-vault-store.h"
#include "air-vault.h"
#include "air-wireguard-key.h"

/* Only the management qube that stored or made an age identity decrypts
 * with it: its record's "gateway" is that qube, whatever was asked. */
static void
set_age_identity_owner (AirVaultRecord        *record,
                        const char            *kind,
                        const AirVaultRequest *request)
{
  if (!g_str_equal (kind, "age-identity"))
    return;
  g_free (record->gateway);
  record->gateway = g_strdup (request->caller);
}

int
_air_vault_service_put (const AirVaultRequest *request)
{
  static const char * const allowed[] = { "kind", "label", "gateway", "secret", NULL };
  g_autoptr(AirSecret) raw = NULL;
  g_autoptr(AirSecret) secret = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(AirVaultRecord) record = g_new0 (AirVaultRecord, 1);
  g_autofree char *public_line = NULL;
  GError *error = NULL;
  const char *kind, *text;
  int status;

  object = _air_vault_read_request (AIR_VAULT_MAX_REQUEST, allowed, &raw, &error);
  if (object == NULL && error == NULL)
    error = g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL, _("The request is empty"));
  if (error != NULL)
    return _air_vault_fail (error);

  /* First of all, the secret goes from the parser's string to locked
   * memory, and both copies the parse left behind are zeroed — also when
   * the rest of the request turns out to be wrong. */
  if (!air_json_get_string (object, "secret", AIR_VAULT_MAX_SECRET, &text, &error))
    return _air_vault_fail (error);
  secret = air_secret_new_copy (text, strlen (text));
  air_secret_wipe_string ((char *) text);
  g_clear_pointer (&raw, air_secret_free);

  if (!_air_vault_get_kind (object, TRUE, &kind, &error) ||
      !_air_vault_get_label (object, NULL, &record->label, &error) ||
      !_air_vault_get_gateway (object, request->zone, &record->gateway, &error))
    return _air_vault_fail (error);

  if (secret->len == 0 || secret->len > AIR_VAULT_MAX_SECRET)
    return _air_vault_fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                      secret->len == 0 ? _("The secret is empty")
                                      : _("The secret is larger than 64 KiB")));

  record->zone = g_strdup (request->zone);
  record->kind = g_strdup (kind);

  if (g_str_equal (kind, "ssh-key"))
    {
      guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
      g_autofree char *comment = g_strdup_printf ("qubes-air-%s", request->zone);
      AirSecret *key = air_ssh_key_import_openssh (secret->data, secret->len, &error);

      if (key == NULL)
        return _air_vault_fail (error);
      g_clear_pointer (&secret, air_secret_free);
      secret = key;
      if (!air_ssh_key_public_from_secret (secret, public_key, &error))
        return _air_vault_fail (error);
      public_line = air_ssh_key_public_line (public_key, comment);
    }
  else if (g_str_equal (kind, "wireguard-key") || g_str_equal (kind, "age-identity"))
    {
      /* Keys brought back from an export: checked, and their public half
       * shown as when the vault makes them. */
      g_autofree char *key_text = g_strndup ((const char *) secret->data, secret->len);

      g_strchomp (key_text);
      if (g_str_equal (kind, "wireguard-key"))
        {
          char public_key[AIR_WIREGUARD_KEY_LEN + 1];

          if (!air_wireguard_key_public (key_text, public_key, &error))
            {
              air_secret_wipe_string (key_text);
              return _air_vault_fail (error);
            }
          public_line = g_strdup (public_key);
        }
      else if ((public_line = air_age_identity_to_recipient (key_text, &error)) == NULL)
        {
          air_secret_wipe_string (key_text);
          return _air_vault_fail (error);
        }
      g_clear_pointer (&secret, air_secret_free);
      secret = air_secret_new_copy (key_text, strlen (key_text));
      air_secret_wipe_string (key_text);
    }
  set_age_identity_owner (record, kind, request);

  store = _air_vault_open_managed_store (request, &status);
  if (store == NULL)
    return status;

  if (!air_vault_store_put (store, record, g_steal_pointer (&secret), &error))
    return _air_vault_fail (error);

  record->stored = g_get_real_time () / G_USEC_PER_SEC;
  builder = json_builder_new ();
  _air_vault_add_record (builder, record);
  if (public_line != NULL)
    {
      json_builder_set_member_name (builder, "public_key");
      json_builder_add_string_value (builder, public_line);
    }
  json_builder_end_object (builder);
  return _air_vault_print_node (builder);
}

int
_air_vault_service_list (const AirVaultRequest *request)
{
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  GError *error = NULL;
  int status;

  store = _air_vault_open_managed_store (request, &status);
  if (store == NULL)
    return status;

  records = air_vault_store_list (store, request->zone, &error);
  if (records == NULL)
    return _air_vault_fail (error);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "credentials");
  json_builder_begin_array (builder);
  for (guint i = 0; i < records->len; i++)
    {
      _air_vault_add_record (builder, g_ptr_array_index (records, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return _air_vault_print_node (builder);
}

int
_air_vault_service_delete (const AirVaultRequest *request)
{
  static const char * const allowed[] = { "kind", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  GError *error = NULL;
  const char *kind;
  guint n_deleted;
  int status;

  object = _air_vault_read_request (MAX_SMALL_REQUEST, allowed, NULL, &error);
  if (error != NULL || !_air_vault_get_kind (object, FALSE, &kind, &error))
    return _air_vault_fail (error);

  store = _air_vault_open_managed_store (request, &status);
  if (store == NULL)
    return status;

  n_deleted = air_vault_store_delete (store, request->zone, kind, &error);
  if (n_deleted == 0)
    return _air_vault_fail (error);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "zone");
  json_builder_add_string_value (builder, request->zone);
  json_builder_set_member_name (builder, "deleted");
  json_builder_add_int_value (builder, n_deleted);
  json_builder_end_object (builder);
  return _air_vault_print_node (builder);
}

/* The zone's record that a gateway asks for, after checking it is that
 * zone's gateway. */
static AirVaultRecord *
find_for_gateway (const AirVaultRequest *request,
                  AirVaultStore         *store,
                  const char            *kind,
                  int                   *status)
{
  g_autoptr(GPtrArray) records = NULL;
  AirVaultRecord *found = NULL;
  GError *error = NULL;
  guint n_found = 0, found_index = 0;

  records = air_vault_store_list (store, request->zone, &error);
  if (records == NULL)
    {
      *status = _air_vault_fail (error);
      return NULL;
    }

  for (guint i = 0; i < records->len; i++)
    {
      AirVaultRecord *record = g_ptr_array_index (records, i);

      if (kind != NULL ? g_str_equal (record->kind, kind) : !air_credential_kind_is_key (record->kind))
        {
          found = record;
          found_index = i;
          n_found++;
        }
    }

  if (n_found == 0)
    {
      if (g_strcmp0 (kind, "ssh-key") == 0)
        g_printerr (_("No SSH key is stored for zone “%s”. Make one in the management qube "
                      "with “qair key generate --zone %s”.\n"), request->zone, request->zone);
      else
        g_printerr (_("No credential%s%s is stored for zone “%s”.\n"),
                    kind ? " " : "", kind ? kind : "", request->zone);
      *status = AIR_VAULT_EXIT_FAILED;
      return NULL;
    }

  if (n_found > 1)
    {
      g_printerr (_("Zone “%s” has several credentials; ask for one by its kind.\n"),
                  request->zone);
      *status = AIR_VAULT_EXIT_BAD_REQUEST;
      return NULL;
    }

  if (!g_str_equal (found->gateway, request->caller))
    {
      g_autofree char *why = g_strdup_printf (_("The vault refuses: qube “%s” is not the gateway "
                                                "of zone “%s”, and only that zone's gateway may use "
                                                "its %s."),
                                              request->caller, request->zone, found->kind);
      *status = _air_vault_refuse (request, why);
      return NULL;
    }

  *status = AIR_VAULT_EXIT_OK;
  return g_ptr_array_steal_index (records, found_index);
}

int
_air_vault_service_get (const AirVaultRequest *request)
{
  static const char * const allowed[] = { "kind", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(AirVaultRecord) record = NULL;
  g_autoptr(AirSecret) secret = NULL;
  g_autoptr(AirSecret) answer = NULL;
  g_autofree char *entry = NULL;
  GError *error = NULL;
  const char *kind;
  int status;

  object = _air_vault_read_request (MAX_SMALL_REQUEST, allowed, NULL, &error);
  if (error != NULL || !_air_vault_get_kind (object, FALSE, &kind, &error))
    return _air_vault_fail (error);

  if (g_strcmp0 (kind, "ssh-key") == 0)
    return _air_vault_refuse (request, _("SSH keys never leave the vault: the gateway signs with "
                              "qubesair.SshAgent instead."));
  if (g_strcmp0 (kind, "age-identity") == 0)
    return _air_vault_refuse (request, _("Age identities never leave the vault: it decrypts with them itself."));

  store = _air_vault_open_store (request, &status);
  if (store == NULL)
    return status;

  record = find_for_gateway (request, store, kind, &status);
  if (record == NULL)
    return status;

  secret = air_vault_store_lookup (store, record->zone, record->kind, &error);
  if (secret == NULL)
    return _air_vault_fail (error);
  if (memchr (secret->data, '\0', secret->len) != NULL ||
      !g_utf8_validate_len ((const char *) secret->data, secret->len, NULL))
    return _air_vault_fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_FAILED,
                                      _("The stored secret is not text; store it again.")));

  answer = air_secret_new (secret->len * 6 + 256 + 4 * AIR_VAULT_MAX_LABEL * 6);
  air_secret_append (answer, "{", 1);
  if (!_air_vault_append_member (answer, "zone", record->zone, strlen (record->zone), FALSE) ||
      !_air_vault_append_member (answer, "kind", record->kind, strlen (record->kind), FALSE) ||
      !_air_vault_append_member (answer, "label", record->label, strlen (record->label), FALSE) ||
      !_air_vault_append_member (answer, "secret", (const char *) secret->data, secret->len, TRUE))
    return _air_vault_fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_FAILED, _("The answer does not fit")));

  entry = g_strdup_printf ("gave %s of zone=%s to caller=%s", record->kind,
                           request->zone, request->caller);
  _air_vault_audit (entry);

  if (!air_secret_write_fd (answer, STDOUT_FILENO, &error))
    return _air_vault_fail (error);
  return AIR_VAULT_EXIT_OK;
}

int
_air_vault_service_ssh_agent (const AirVaultRequest *request)
{
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(AirVaultRecord) record = NULL;
  g_autoptr(AirSshAgent) agent = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *entry = NULL;
  AirSecret *secret;
  GError *error = NULL;
  int status;

  store = _air_vault_open_store (request, &status);
  if (store == NULL)
    return status;

  record = find_for_gateway (request, store, "ssh-key", &status);
  if (record == NULL)
    return status;

  secret = air_vault_store_lookup (store, record->zone, record->kind, &error);
  if (secret == NULL)
    return _air_vault_fail (error);

  comment = g_strdup_printf ("qubes-air-%s", request->zone);
  agent = air_ssh_agent_new (secret, comment, &error);
  if (agent == NULL)
    return _air_vault_fail (error);

  /* The store's D-Bus connection is not needed while serving. */
  g_clear_object (&store);

  entry = g_strdup_printf ("ssh-agent for zone=%s opened by caller=%s", request->zone, request->caller);
  _air_vault_audit (entry);

  if (!air_ssh_agent_serve (agent, STDIN_FILENO, STDOUT_FILENO, &error))
    return _air_vault_fail (error);
  return AIR_VAULT_EXIT_OK;
}

/* The secret a new key of @kind is kept as, and its public half as the
 * vault shows it. */
static AirSecret *
make_key (const char  *kind,
          const char  *zone,
          char       **public_line,
          GError     **error)
{
  if (g_str_equal (kind, "wireguard-key"))
    {
      char private_key[AIR_WIREGUARD_KEY_LEN + 1], public_key[AIR_WIREGUARD_KEY_LEN + 1];
      AirSecret *secret = NULL;

      if (air_wireguard_key_generate (private_key, error) &&
          air_wireguard_key_public (private_key, public_key, error))
        {
          secret = air_secret_new_copy (private_key, strlen (private_key));
          *public_line = g_strdup (public_key);
        }
      sodium_memzero (private_key, sizeof private_key);
      return secret;
    }

  if (g_str_equal (kind, "age-identity"))
    {
      g_autofree char *identity = NULL;
      AirSecret *secret;

      if (!air_age_keygen (&identity, public_line, error))
        return NULL;
      secret = air_secret_new_copy (identity, strlen (identity));
      air_secret_wipe_string (identity);
      return secret;
    }

  {
    guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
    g_autofree char *comment = g_strdup_printf ("qubes-air-%s", zone);
    AirSecret *secret = air_ssh_key_generate (public_key);

    *public_line = air_ssh_key_public_line (public_key, comment);
    return secret;
  }
}

int
_air_vault_service_key_generate (const AirVaultRequest *request)
{
  static const char * const allowed[] = { "kind", "gateway", "label", "replace", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(AirVaultRecord) record = g_new0 (AirVaultRecord, 1);
  g_autoptr(GPtrArray) existing = NULL;
  g_autoptr(AirSecret) secret = NULL;
  g_autofree char *default_label = NULL;
  g_autofree char *line = NULL;
  const char *kind = NULL;
  gboolean replace = FALSE;
  GError *error = NULL;
  int status;

  object = _air_vault_read_request (MAX_SMALL_REQUEST, allowed, NULL, &error);
  if (error != NULL)
    return _air_vault_fail (error);
  if (object == NULL)
    object = json_object_new ();

  if (!_air_vault_get_kind (object, FALSE, &kind, &error))
    return _air_vault_fail (error);
  if (kind == NULL)
    kind = "ssh-key";
  if (!air_credential_kind_is_key (kind))
    return _air_vault_fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                      _("The vault makes keys of kind ssh-key, wireguard-key or "
                                        "age-identity only")));

  default_label = g_str_equal (kind, "wireguard-key")
                  ? g_strdup_printf ("WireGuard key of zone %s", request->zone)
                  : g_str_equal (kind, "age-identity")
                  ? g_strdup_printf ("age identity %s", request->zone)
                  : g_strdup_printf ("SSH key of zone %s", request->zone);
  if (!_air_vault_get_label (object, default_label, &record->label, &error) ||
      !_air_vault_get_gateway (object, request->zone, &record->gateway, &error) ||
      !air_json_get_opt_bool (object, "replace", FALSE, &replace, &error))
    return _air_vault_fail (error);
  set_age_identity_owner (record, kind, request);

  store = _air_vault_open_managed_store (request, &status);
  if (store == NULL)
    return status;

  existing = air_vault_store_list (store, request->zone, &error);
  if (existing == NULL)
    return _air_vault_fail (error);
  for (guint i = 0; i < existing->len && !replace; i++)
    if (g_str_equal (((AirVaultRecord *) g_ptr_array_index (existing, i))->kind, kind))
      {
        if (g_str_equal (kind, "ssh-key"))
          return _air_vault_fail (g_error_new (AIR_ERROR, AIR_ERROR_EXISTS,
                                    _("Zone “%s” already has an SSH key. To make a new one, replace "
                                      "it (“qair key generate --zone %s --replace”); the old public "
                                      "key then stops working."), request->zone, request->zone));
        if (g_str_equal (kind, "wireguard-key"))
          return _air_vault_fail (g_error_new (AIR_ERROR, AIR_ERROR_EXISTS,
                                    _("Zone “%s” already has a WireGuard key. To make a new one, use "
                                      "“qair zone rekey %s”."), request->zone, request->zone));
        return _air_vault_fail (g_error_new (AIR_ERROR, AIR_ERROR_EXISTS,
                                  _("The vault already has an age identity called “%s”; "
                                    "choose another name."), request->zone));
      }

  record->zone = g_strdup (request->zone);
  record->kind = g_strdup (kind);
  secret = make_key (kind, request->zone, &line, &error);
  if (secret == NULL)
    return _air_vault_fail (error);
  if (!air_vault_store_put (store, record, g_steal_pointer (&secret), &error))
    return _air_vault_fail (error);

  g_print ("%s\n", line);
  return fflush (stdout) == 0 ? AIR_VAULT_EXIT_OK : AIR_VAULT_EXIT_FAILED;
}
