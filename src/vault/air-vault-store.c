/* air-vault-store.c
 *
 * One libsecret item per (zone, kind) in the user's default collection,
 * schema io.github.qubesair.Credential. The vault is a short-lived qrexec
 * service, so the synchronous libsecret calls are what it uses.
 *
 * There is no other place a secret could go: without a Secret Service, or
 * with the collection locked, every call fails with a message saying what
 * to start or unlock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vault"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <sodium.h>

#include "air-error.h"
#include "air-vault-store.h"

struct _AirVaultStore
{
  GObject           parent_instance;

  SecretService    *service;
  SecretCollection *collection;
};

G_DEFINE_FINAL_TYPE (AirVaultStore, air_vault_store, G_TYPE_OBJECT)

static const SecretSchema credential_schema = {
  AIR_VAULT_SCHEMA_NAME, SECRET_SCHEMA_NONE,
  {
    { "zone", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "label", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "gateway", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

void
air_vault_record_free (AirVaultRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->zone);
  g_free (record->kind);
  g_free (record->label);
  g_free (record->gateway);
  g_free (record);
}

static void
air_vault_store_dispose (GObject *object)
{
  AirVaultStore *self = (AirVaultStore *)object;

  g_clear_object (&self->collection);
  g_clear_object (&self->service);

  G_OBJECT_CLASS (air_vault_store_parent_class)->dispose (object);
}

static void
air_vault_store_class_init (AirVaultStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = air_vault_store_dispose;
}

static void
air_vault_store_init (AirVaultStore *self)
{
}

static void
set_unavailable (GError     **error,
                 const char  *detail)
{
  g_autofree char *shown = g_utf8_make_valid (detail, -1);

  g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
               _("No Secret Service is running in the vault qube (%s). "
                 "Start one in the vault's session — for example gnome-keyring-daemon "
                 "(“gnome-keyring-daemon --start --components=secrets”) — and unlock it, "
                 "then try again. Qubes Air never stores credentials anywhere else."),
               shown);
}

static gboolean
check_collection (AirVaultStore  *self,
                  GError        **error)
{
  if (secret_collection_get_locked (self->collection))
    {
      g_autofree char *label = secret_collection_get_label (self->collection);

      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("The default keyring “%s” of the vault qube is locked. "
                     "Unlock it in the vault (for example with “Passwords and Keys”, "
                     "or by logging in to the vault's desktop session), then try again."),
                   label ? label : "");
      return FALSE;
    }
  return TRUE;
}

AirVaultStore *
air_vault_store_open (GError **error)
{
  g_autoptr(AirVaultStore) self = g_object_new (AIR_TYPE_VAULT_STORE, NULL);
  g_autoptr(GError) local_error = NULL;

  /* Not SECRET_SERVICE_LOAD_COLLECTIONS: it makes a proxy of every item of
   * every collection, D-Bus calls for each, on every call of the vault —
   * 0.5 s with 300 items, and each qube's disk key is one. The searches
   * below make proxies of what they find only. */
  self->service = secret_service_get_sync (SECRET_SERVICE_OPEN_SESSION, NULL, &local_error);
  if (self->service == NULL)
    {
      set_unavailable (error, local_error->message);
      return NULL;
    }

  self->collection = secret_collection_for_alias_sync (self->service,
                                                       SECRET_COLLECTION_DEFAULT,
                                                       SECRET_COLLECTION_NONE,
                                                       NULL, &local_error);
  if (local_error != NULL)
    {
      set_unavailable (error, local_error->message);
      return NULL;
    }
  if (self->collection == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                           _("The Secret Service of the vault qube has no default keyring. "
                             "Create one in the vault (for example with “Passwords and Keys”, "
                             "or start gnome-keyring-daemon with “--unlock”), then try again."));
      return NULL;
    }

  if (!check_collection (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

static GHashTable *
attributes_for (const char *zone,
                const char *kind)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  if (zone != NULL)
    g_hash_table_insert (attributes, (char *) "zone", (char *) zone);
  if (kind != NULL)
    g_hash_table_insert (attributes, (char *) "kind", (char *) kind);
  return attributes;
}

/* The items of @schema with @attributes, for this file and for items of
 * another schema (air-vault-disk-keys.c). */
GList *
air_vault_store_search (AirVaultStore       *self,
                        const SecretSchema  *schema,
                        GHashTable          *attributes,
                        SecretSearchFlags    flags,
                        GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  GList *items;

  g_return_val_if_fail (AIR_IS_VAULT_STORE (self), NULL);

  if (!check_collection (self, error))
    return NULL;

  items = secret_collection_search_sync (self->collection, schema, attributes,
                                         flags | SECRET_SEARCH_ALL, NULL, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("The Secret Service could not be searched: %s"), local_error->message);
      g_list_free_full (items, g_object_unref);
      return NULL;
    }
  return items;
}

/* A new item beside the @old ones (taken), which go once it is stored:
 * gnome-keyring's own replace of an item with the very same attributes (a
 * rekey) dropped off the bus in the middle of the call. On failure @error
 * is the Secret Service's own, for the caller to say what was not stored. */
gboolean
air_vault_store_create_item (AirVaultStore       *self,
                             const SecretSchema  *schema,
                             GHashTable          *attributes,
                             const char          *label,
                             SecretValue         *value,
                             GList               *old,
                             GError             **error)
{
  g_autoptr(SecretItem) item = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (AIR_IS_VAULT_STORE (self), FALSE);

  item = secret_item_create_sync (self->collection, schema, attributes, label, value,
                                  SECRET_ITEM_CREATE_NONE, NULL, &local_error);
  if (item == NULL)
    {
      g_list_free_full (old, g_object_unref);
      if (local_error == NULL)
        local_error = g_error_new_literal (AIR_ERROR, AIR_ERROR_FAILED, _("unknown error"));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  for (GList *l = old; l != NULL; l = l->next)
    if (g_strcmp0 (g_dbus_proxy_get_object_path (l->data),
                   g_dbus_proxy_get_object_path (G_DBUS_PROXY (item))) != 0)
      secret_item_delete_sync (l->data, NULL, NULL);
  g_list_free_full (old, g_object_unref);
  return TRUE;
}

static GList *
search (AirVaultStore      *self,
        const char         *zone,
        const char         *kind,
        SecretSearchFlags   flags,
        GError            **error)
{
  g_autoptr(GHashTable) attributes = attributes_for (zone, kind);

  return air_vault_store_search (self, &credential_schema, attributes, flags, error);
}

static AirVaultRecord *
record_from_item (SecretItem *item)
{
  g_autoptr(GHashTable) attributes = secret_item_get_attributes (item);
  AirVaultRecord *record = g_new0 (AirVaultRecord, 1);

  record->zone = g_strdup (g_hash_table_lookup (attributes, "zone"));
  record->kind = g_strdup (g_hash_table_lookup (attributes, "kind"));
  record->label = g_strdup (g_hash_table_lookup (attributes, "label"));
  record->gateway = g_strdup (g_hash_table_lookup (attributes, "gateway"));
  record->stored = (gint64) secret_item_get_modified (item);
  return record;
}

static int
compare_records (gconstpointer a,
                 gconstpointer b)
{
  const AirVaultRecord *ra = *(AirVaultRecord * const *) a;
  const AirVaultRecord *rb = *(AirVaultRecord * const *) b;
  int by_zone = g_strcmp0 (ra->zone, rb->zone);

  return by_zone != 0 ? by_zone : g_strcmp0 (ra->kind, rb->kind);
}

/* Metadata only; @zone may be NULL for every zone. Items that are not
 * whole (another program wrote under our schema) are left out. */
GPtrArray *
air_vault_store_list (AirVaultStore  *self,
                      const char     *zone,
                      GError        **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) air_vault_record_free);
  g_autoptr(GError) local_error = NULL;
  GList *items;

  g_return_val_if_fail (AIR_IS_VAULT_STORE (self), NULL);

  items = search (self, zone, NULL, SECRET_SEARCH_NONE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  for (GList *l = items; l != NULL; l = l->next)
    {
      AirVaultRecord *record = record_from_item (l->data);

      if (record->zone && record->kind && record->label && record->gateway)
        g_ptr_array_add (records, record);
      else
        air_vault_record_free (record);
    }
  g_list_free_full (items, g_object_unref);

  g_ptr_array_sort (records, compare_records);
  return g_steal_pointer (&records);
}


/* Takes @secret. Replaces the item of the same zone and kind. */
gboolean
air_vault_store_put (AirVaultStore         *self,
                     const AirVaultRecord  *record,
                     AirSecret             *secret,
                     GError               **error)
{
  g_autoptr(AirSecret) owned = secret;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *item_label = NULL;
  const char *content_type;
  GList *old;

  g_return_val_if_fail (AIR_IS_VAULT_STORE (self), FALSE);

  if (!check_collection (self, error))
    return FALSE;

  /* "Replace" in the Secret Service matches on every attribute, label and
   * gateway included; remove the zone's old item of this kind first. */
  old = search (self, record->zone, record->kind, SECRET_SEARCH_NONE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  attributes = attributes_for (record->zone, record->kind);
  g_hash_table_insert (attributes, (char *) "label", record->label);
  g_hash_table_insert (attributes, (char *) "gateway", record->gateway);

  item_label = g_strdup_printf ("Qubes Air: %s (%s, zone %s)",
                                record->label, record->kind, record->zone);
  content_type = g_str_equal (record->kind, "ssh-key") ? "application/octet-stream" : "text/plain";
  /* The value points at the locked memory and frees it: no copy. */
  value = secret_value_new_full ((char *) owned->data, owned->len, content_type,
                                 air_secret_data_free);
  air_secret_steal_data (g_steal_pointer (&owned));

  if (!air_vault_store_create_item (self, &credential_schema, attributes, item_label, value,
                                    old, &local_error))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("The Secret Service did not store the credential: %s"),
                   local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* A copy of the zone's secret of @kind, in locked memory. */
AirSecret *
air_vault_store_lookup (AirVaultStore  *self,
                        const char     *zone,
                        const char     *kind,
                        GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SecretValue) value = NULL;
  AirSecret *secret = NULL;
  const char *data;
  gsize len;
  GList *items;

  g_return_val_if_fail (AIR_IS_VAULT_STORE (self), NULL);

  items = search (self, zone, kind, SECRET_SEARCH_LOAD_SECRETS, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (items != NULL)
    value = secret_item_get_secret (items->data);
  g_list_free_full (items, g_object_unref);

  if (value == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                   _("No %s is stored for zone “%s”"), kind, zone);
      return NULL;
    }

  data = secret_value_get (value, &len);
  secret = air_secret_new_copy (data, len);
  return secret;
}

/* Removes the zone's credentials (only those of @kind if it is not NULL);
 * returns how many, 0 with @error set on failure. */
guint
air_vault_store_delete (AirVaultStore  *self,
                        const char     *zone,
                        const char     *kind,
                        GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  guint n_deleted = 0;
  GList *items;

  g_return_val_if_fail (AIR_IS_VAULT_STORE (self), 0);

  items = search (self, zone, kind, SECRET_SEARCH_NONE, &local_error);
  for (GList *l = items; l != NULL && local_error == NULL; l = l->next)
    if (secret_item_delete_sync (l->data, NULL, &local_error))
      n_deleted++;
  g_list_free_full (items, g_object_unref);

  if (local_error != NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("The Secret Service did not remove the credential: %s"),
                   local_error->message);
      return 0;
    }

  if (n_deleted == 0)
    {
      if (kind != NULL)
        g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                     _("No %s is stored for zone “%s”"), kind, zone);
      else
        g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                     _("No credential is stored for zone “%s”"), zone);
    }

  return n_deleted;
}
