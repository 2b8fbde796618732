/* air-zone-map-vault.c — whether each WireGuard zone's key is in the vault
 *
 * As `qair zones` notes it: a zone made before the keys moved into the
 * vault still has its WireGuard private key in a file of its gateway until
 * “qair zone rekey NAME”. The map asks the vault for its credential list
 * (metadata only, never a secret) off the main loop, when the zones change
 * and, while a key is outside the vault or the vault did not answer, once
 * a minute; the card of such a zone says so. When the vault does not
 * answer, nothing is claimed either way: the details say “not known”.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-map"

#include "config.h"

#include <glib/gi18n.h>

#include "air-vault-client.h"
#include "air-zone-map-private.h"

#define VAULT_RECHECK_SECONDS 60

static gboolean
recheck_cb (gpointer data)
{
  AirZoneMap *self = data;

  self->vault_timer_id = 0;
  _air_zone_map_ask_vault (self);
  return G_SOURCE_REMOVE;
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AirZoneMap) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) credentials = air_vault_client_list_finish (AIR_VAULT_CLIENT (source), result, &error);
  g_autoptr(GHashTable) in_vault = g_hash_table_new (g_str_hash, g_str_equal);
  AirZoneRegistry *registry;
  GListModel *zones;
  gboolean outside = FALSE;

  /* cancelled: by _air_zone_map_stop_vault(), which forgot this list */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->vault_asking = FALSE;
  if (self->session == NULL)
    return;
  if (error != NULL)
    g_debug ("The vault's list: %s", error->message);

  for (guint i = 0; credentials != NULL && i < credentials->len; i++)
    {
      AirCredentialInfo *info = g_ptr_array_index (credentials, i);

      if (g_str_equal (air_credential_info_get_kind (info), "wireguard-key"))
        g_hash_table_add (in_vault, (gpointer) air_credential_info_get_zone (info));
    }

  g_hash_table_remove_all (self->key_places);
  registry = air_session_get_registry (self->session);
  zones = air_zone_registry_get_zones (registry);
  for (guint i = 0; i < g_list_model_get_n_items (zones); i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      const char *name = air_zone_get_name (zone);
      const AirSshConfig *config = air_zone_registry_get_ssh_config (registry, name);
      KeyPlace place;

      if (config == NULL || config->wireguard == NULL)
        continue;
      if (credentials == NULL)
        place = KEY_PLACE_UNKNOWN;
      else if (g_hash_table_contains (in_vault, name))
        place = KEY_PLACE_NONE;
      else
        place = KEY_PLACE_NOT_IN_VAULT;
      outside |= place != KEY_PLACE_NONE;
      g_hash_table_insert (self->key_places, g_strdup (name), GINT_TO_POINTER (place));
    }

  if (self->vault_again)
    _air_zone_map_ask_vault (self);
  else if (outside && self->vault_timer_id == 0)
    self->vault_timer_id = g_timeout_add_seconds (VAULT_RECHECK_SECONDS, recheck_cb, self);

  /* The cards of those zones change: group and lay out again. */
  _air_zone_map_invalidate (self);
}

/* One list at a time; one more if asked for meanwhile. */
void
_air_zone_map_ask_vault (AirZoneMap *self)
{
  g_autoptr(AirVaultClient) client = NULL;
  AirZoneRegistry *registry;
  GListModel *zones;
  gboolean any = FALSE;

  if (self->session == NULL)
    return;
  if (self->vault_asking)
    {
      self->vault_again = TRUE;
      return;
    }
  self->vault_again = FALSE;
  g_clear_handle_id (&self->vault_timer_id, g_source_remove);

  /* Only WireGuard zones have a key to place: no call without one. */
  registry = air_session_get_registry (self->session);
  zones = air_zone_registry_get_zones (registry);
  for (guint i = 0; i < g_list_model_get_n_items (zones) && !any; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      const AirSshConfig *config = air_zone_registry_get_ssh_config (registry, air_zone_get_name (zone));

      any = config != NULL && config->wireguard != NULL;
    }
  if (!any)
    {
      if (g_hash_table_size (self->key_places) > 0)
        {
          g_hash_table_remove_all (self->key_places);
          _air_zone_map_invalidate (self);
        }
      return;
    }

  if (self->vault_cancellable == NULL)
    self->vault_cancellable = g_cancellable_new ();
  self->vault_asking = TRUE;
  client = air_vault_client_new (NULL);
  air_vault_client_list_async (client, self->vault_cancellable, listed_cb, g_object_ref (self));
}

void
_air_zone_map_stop_vault (AirZoneMap *self)
{
  g_cancellable_cancel (self->vault_cancellable);
  g_clear_object (&self->vault_cancellable);
  g_clear_handle_id (&self->vault_timer_id, g_source_remove);
  self->vault_asking = FALSE;
  self->vault_again = FALSE;
  g_hash_table_remove_all (self->key_places);
}

/* The gateway's details: where its WireGuard key is; NULL without one. */
char *
_air_zone_map_describe_key_place (ZoneView *view)
{
  const char *name = air_zone_get_name (view->zone);

  switch (view->key_place)
    {
    case KEY_PLACE_NOT_IN_VAULT:
      return g_strdup_printf (_("WireGuard key: not in the vault yet (a file of the gateway holds it). "
                                "Run “qair zone rekey %s” to move it into the vault."), name);
    case KEY_PLACE_UNKNOWN:
      return g_strdup (_("WireGuard key: whether the vault keeps it is not known (the vault did not answer)"));
    case KEY_PLACE_NONE:
    default:
      return NULL;
    }
}

/* Asks the vault again, e.g. after the user moved a key (“qair zone rekey”). */
void
air_zone_map_refresh_vault (AirZoneMap *self)
{
  g_return_if_fail (AIR_IS_ZONE_MAP (self));
  _air_zone_map_ask_vault (self);
}

/* Whether a list of the vault's is on its way (for tests). */
gboolean
air_zone_map_is_asking_vault (AirZoneMap *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_MAP (self), FALSE);
  return self->vault_asking;
}
