/* air-vault-disk-keys.c
 *
 * qubesair.CredentialDiskKey+ZONE: the key of each qube's encrypted
 * private volume (qcow2 LUKS on a libvirt zone host), made and kept here
 * with libsecret, one item per qube, and handed only to the zone's own
 * gateway — the agent that serves the zone — when it makes or starts the
 * qube. Deleting the item when the qube is removed makes every copy of its
 * volume unreadable (crypto-shredding).
 *
 * Request on stdin: {"op": "create" | "get" | "delete", "qube": NAME}
 *   create  a new key for the qube, replacing any older one (a name used
 *           again never gets the old volume's key); answers as get
 *   get     {"zone", "qube", "key"}: the key, 32 random bytes in base64,
 *           which is the LUKS passphrase as it is
 *   delete  {"zone", "qube", "deleted": N}; N is 0 when there was none
 *
 * Who may: the gateway stored with the zone's credentials (they all name
 * the same one), else sys-remote-ZONE; a key once made answers only the
 * gateway it was made for. The policy grants the service per zone, like
 * CredentialGet.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vault"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-secret.h"
#include "air-vault-client.h"
#include "air-vault-disk-keys.h"
#include "air-vault-store.h"
#include "air-vault.h"

#define MAX_REQUEST 1024
#define KEY_BYTES   32

static const SecretSchema disk_key_schema = {
  AIR_VAULT_DISK_KEY_SCHEMA_NAME, SECRET_SCHEMA_NONE,
  {
    { "zone", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "qube", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "gateway", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

/* The zone's disk-key items, of @qube only when it is not NULL. */
static GList *
search (AirVaultStore      *store,
        const char         *zone,
        const char         *qube,
        SecretSearchFlags   flags,
        GError            **error)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (char *) "zone", (char *) zone);
  if (qube != NULL)
    g_hash_table_insert (attributes, (char *) "qube", (char *) qube);
  return air_vault_store_search (store, &disk_key_schema, attributes, flags, error);
}

static char *
item_gateway (SecretItem *item)
{
  g_autoptr(GHashTable) attributes = secret_item_get_attributes (item);

  return g_strdup (g_hash_table_lookup (attributes, "gateway"));
}

/* The gateway that may have the zone's disk keys: the one its credentials
 * were stored for, or sys-remote-ZONE when it has none. NULL with
 * @refusal set when the credentials disagree (nothing is then given). */
static char *
zone_gateway (AirVaultStore  *store,
              const char     *zone,
              char          **refusal,
              GError        **error)
{
  g_autoptr(GPtrArray) records = air_vault_store_list (store, zone, error);
  g_autofree char *gateway = NULL;

  if (records == NULL)
    return NULL;
  for (guint i = 0; i < records->len; i++)
    {
      AirVaultRecord *record = g_ptr_array_index (records, i);

      /* An age identity's "gateway" is the management qube using it. */
      if (g_str_equal (record->kind, "age-identity"))
        continue;
      if (gateway != NULL && !g_str_equal (gateway, record->gateway))
        {
          *refusal = g_strdup_printf (_("The credentials of zone “%s” name two gateways (%s and %s): "
                                        "the vault gives its disk keys to neither. Store them again "
                                        "for the right one."), zone, gateway, record->gateway);
          return NULL;
        }
      g_free (gateway);
      gateway = g_strdup (record->gateway);
    }
  if (gateway == NULL)
    gateway = air_vault_default_gateway (zone);
  if (gateway == NULL)
    *refusal = g_strdup_printf (_("Zone “%s” has no gateway the vault knows of."), zone);
  return g_steal_pointer (&gateway);
}

static char *
not_gateway (const char *caller,
             const char *zone)
{
  return g_strdup_printf (_("The vault refuses: qube “%s” is not the gateway of zone “%s”, and only "
                            "that zone's gateway may have the keys of its qubes' disks."),
                          caller, zone);
}

static gboolean
append_text (AirSecret  *out,
             const char *text)
{
  return air_secret_append (out, text, strlen (text));
}

/* {"zone","qube","key"} in locked memory, written to stdout. Names are
 * validated (nothing to escape), the key is base64. */
static gboolean
write_key (const char       *zone,
           const char       *qube,
           const AirSecret  *key,
           GError          **error)
{
  g_autoptr(AirSecret) answer = air_secret_new (key->len + 2 * AIR_NAME_MAX + 64);
  g_autofree char *head = g_strdup_printf ("{\"zone\":\"%s\",\"qube\":\"%s\",\"key\":\"", zone, qube);

  if (!append_text (answer, head) || !air_secret_append (answer, key->data, key->len) ||
      !append_text (answer, "\"}\n"))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED, _("The answer does not fit"));
      return FALSE;
    }
  return air_secret_write_fd (answer, STDOUT_FILENO, error);
}

/* What the vault made, and nothing that needs escaping in the answer. */
static gboolean
is_base64 (const AirSecret *key)
{
  if (key->len == 0 || key->len > 2 * KEY_BYTES)
    return FALSE;
  for (gsize i = 0; i < key->len; i++)
    if (!g_ascii_isalnum (key->data[i]) && key->data[i] != '+' && key->data[i] != '/' && key->data[i] != '=')
      return FALSE;
  return TRUE;
}

/* 32 random bytes, as base64 text: what LUKS takes as the passphrase
 * (QEMU wants it as UTF-8) and what libvirt's secret holds. */
static AirSecret *
make_key (void)
{
  guint8 raw[KEY_BYTES];
  gsize len = sodium_base64_ENCODED_LEN (KEY_BYTES, sodium_base64_VARIANT_ORIGINAL);
  AirSecret *key = air_secret_new (len);

  randombytes_buf (raw, sizeof raw);
  sodium_bin2base64 ((char *) key->data, len, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
  sodium_memzero (raw, sizeof raw);
  key->len = strlen ((const char *) key->data);
  return key;
}

static gboolean
store_new_key (AirVaultStore     *store,
               const char        *zone,
               const char        *qube,
               const char        *gateway,
               AirSecret         *key,
               GError           **error)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = g_strdup_printf ("Qubes Air: disk key of qube %s (zone %s)", qube, zone);
  GList *old;

  old = search (store, zone, qube, SECRET_SEARCH_NONE, error);
  if (old == NULL && error != NULL && *error != NULL)
    return FALSE;

  g_hash_table_insert (attributes, (char *) "zone", (char *) zone);
  g_hash_table_insert (attributes, (char *) "qube", (char *) qube);
  g_hash_table_insert (attributes, (char *) "gateway", (char *) gateway);
  /* libsecret keeps its own copy, wiped with the value. */
  value = secret_value_new ((const char *) key->data, key->len, "text/plain");
  /* A new item, then the old ones go, as for a credential. */
  if (!air_vault_store_create_item (store, &disk_key_schema, attributes, label, value, old,
                                    &local_error))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("The Secret Service did not store the disk key: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Reads and checks the request: the operation and the qube's name. */
static JsonObject *
read_request (const char **op,
              const char **qube,
              GError     **error)
{
  g_autoptr(AirSecret) raw = air_secret_read_fd (STDIN_FILENO, MAX_REQUEST, error);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GList) members = NULL;

  if (raw == NULL)
    return NULL;
  object = air_json_parse_object ((const char *) raw->data, raw->len, MAX_REQUEST, error);
  if (object == NULL)
    return NULL;
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "op") && !g_str_equal (l->data, "qube"))
      {
        g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("Unknown field in the request"));
        return NULL;
      }
  if (!air_json_get_string (object, "op", 16, op, error) ||
      !air_json_get_string (object, "qube", AIR_NAME_MAX, qube, error) ||
      !air_name_validate (*qube, "qube", error))
    return NULL;
  if (!g_str_equal (*op, "create") && !g_str_equal (*op, "get") && !g_str_equal (*op, "delete"))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Unknown operation: use create, get or delete"));
      return NULL;
    }
  return g_steal_pointer (&object);
}

/*
 * Serves one call for @caller; the request comes from stdin, the answer
 * goes to stdout. Returns an AIR_VAULT_EXIT_* status: on a refusal,
 * @refusal says why (for the caller and the log); on a failure @error
 * does. @audit_entry is what to log of a key given out or deleted.
 */
int
air_vault_disk_key_serve (const char  *zone,
                          const char  *caller,
                          char       **audit_entry,
                          char       **refusal,
                          GError     **error)
{
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autofree char *gateway = NULL;
  const char *op = NULL, *qube = NULL;
  GList *items;

  request = read_request (&op, &qube, error);
  if (request == NULL)
    return AIR_VAULT_EXIT_BAD_REQUEST;

  store = air_vault_store_open (error);
  if (store == NULL)
    return AIR_VAULT_EXIT_FAILED;

  items = search (store, zone, g_str_equal (op, "create") ? NULL : qube,
                  g_str_equal (op, "get") ? SECRET_SEARCH_LOAD_SECRETS : SECRET_SEARCH_NONE, error);
  if (items == NULL && *error != NULL)
    return AIR_VAULT_EXIT_FAILED;

  /* Keys already made answer only the gateway they were made for; a new
   * one only the zone's gateway. */
  for (GList *l = items; l != NULL && *refusal == NULL; l = l->next)
    {
      g_autofree char *owner = item_gateway (l->data);

      if (g_strcmp0 (owner, caller) != 0)
        *refusal = not_gateway (caller, zone);
    }
  if (*refusal == NULL && (items == NULL || g_str_equal (op, "create")))
    {
      gateway = zone_gateway (store, zone, refusal, error);
      if (gateway == NULL && *refusal == NULL)
        {
          g_list_free_full (items, g_object_unref);
          return AIR_VAULT_EXIT_FAILED;
        }
      if (gateway != NULL && !g_str_equal (gateway, caller))
        *refusal = not_gateway (caller, zone);
    }
  if (*refusal != NULL)
    {
      g_list_free_full (items, g_object_unref);
      return AIR_VAULT_EXIT_REFUSED;
    }

  if (g_str_equal (op, "create"))
    {
      g_autoptr(AirSecret) key = make_key ();

      g_list_free_full (items, g_object_unref);
      if (!store_new_key (store, zone, qube, caller, key, error) ||
          !write_key (zone, qube, key, error))
        return AIR_VAULT_EXIT_FAILED;
      *audit_entry = g_strdup_printf ("made disk key of qube=%s zone=%s for caller=%s", qube, zone, caller);
      return AIR_VAULT_EXIT_OK;
    }

  if (g_str_equal (op, "get"))
    {
      g_autoptr(SecretValue) value = items != NULL ? secret_item_get_secret (items->data) : NULL;
      g_autoptr(AirSecret) key = NULL;
      const char *data;
      gsize len = 0;

      g_list_free_full (items, g_object_unref);
      if (value == NULL)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                       _("The vault has no disk key for qube “%s” of zone “%s”: its private volume "
                         "cannot be opened"), qube, zone);
          return AIR_VAULT_EXIT_FAILED;
        }
      data = secret_value_get (value, &len);
      key = air_secret_new_copy (data, len);
      if (!is_base64 (key))
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                       _("The vault's disk key for qube “%s” is damaged"), qube);
          return AIR_VAULT_EXIT_FAILED;
        }
      if (!write_key (zone, qube, key, error))
        return AIR_VAULT_EXIT_FAILED;
      *audit_entry = g_strdup_printf ("gave disk key of qube=%s zone=%s to caller=%s", qube, zone, caller);
      return AIR_VAULT_EXIT_OK;
    }

  /* delete */
  {
    g_autoptr(GError) local_error = NULL;
    g_autofree char *answer = NULL;
    guint n_deleted = 0;

    for (GList *l = items; l != NULL && local_error == NULL; l = l->next)
      if (secret_item_delete_sync (l->data, NULL, &local_error))
        n_deleted++;
    g_list_free_full (items, g_object_unref);
    if (local_error != NULL)
      {
        g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                     _("The Secret Service did not delete the disk key: %s"), local_error->message);
        return AIR_VAULT_EXIT_FAILED;
      }
    answer = g_strdup_printf ("{\"zone\":\"%s\",\"qube\":\"%s\",\"deleted\":%u}\n", zone, qube, n_deleted);
    if (write (STDOUT_FILENO, answer, strlen (answer)) != (ssize_t) strlen (answer))
      {
        g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED, _("The caller went away"));
        return AIR_VAULT_EXIT_FAILED;
      }
    *audit_entry = g_strdup_printf ("deleted disk key of qube=%s zone=%s for caller=%s (%u)",
                                    qube, zone, caller, n_deleted);
    return AIR_VAULT_EXIT_OK;
  }
}
