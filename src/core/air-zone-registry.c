/* air-zone-registry.c
 *
 * $XDG_CONFIG_HOME/qubes-air/zones.json (or $AIR_ZONES_FILE):
 *   {"version": 1, "zones": [{"name", "gateway", "driver"}, …]}
 * Written atomically (temporary file, fsync, rename). Without the file, one
 * zone called "local" exists, so a first run works with nothing set up.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-registry"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <errno.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-zone-registry.h"

#define REGISTRY_VERSION 1
#define MAX_FILE (1024 * 1024)

struct _AirZoneRegistry
{
  GObject     parent_instance;

  GListStore *zones;
  char       *path;
};

G_DEFINE_FINAL_TYPE (AirZoneRegistry, air_zone_registry, G_TYPE_OBJECT)

static void
air_zone_registry_finalize (GObject *object)
{
  AirZoneRegistry *self = (AirZoneRegistry *)object;

  g_clear_object (&self->zones);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (air_zone_registry_parent_class)->finalize (object);
}

static void
air_zone_registry_class_init (AirZoneRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_zone_registry_finalize;
}

static void
air_zone_registry_init (AirZoneRegistry *self)
{
  self->zones = g_list_store_new (AIR_TYPE_ZONE);
}

AirZoneRegistry *
air_zone_registry_new (const char *path)
{
  AirZoneRegistry *self = g_object_new (AIR_TYPE_ZONE_REGISTRY, NULL);
  const char *env = g_getenv ("AIR_ZONES_FILE");

  if (path != NULL)
    self->path = g_strdup (path);
  else if (env != NULL && env[0] != '\0')
    self->path = g_strdup (env);
  else
    self->path = g_build_filename (g_get_user_config_dir (), "qubes-air", "zones.json", NULL);

  return self;
}

const char *
air_zone_registry_get_path (AirZoneRegistry *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), NULL);
  return self->path;
}

/**
 * air_zone_registry_get_zones:
 *
 * Returns: (transfer none): a list model of #AirZone
 */
GListModel *
air_zone_registry_get_zones (AirZoneRegistry *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), NULL);
  return G_LIST_MODEL (self->zones);
}

AirZone *
air_zone_registry_lookup (AirZoneRegistry *self,
                          const char      *name)
{
  guint n;

  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->zones));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (G_LIST_MODEL (self->zones), i);

      if (g_strcmp0 (air_zone_get_name (zone), name) == 0)
        return zone;   /* the store keeps a reference */
    }

  return NULL;
}

static gboolean
valid_driver (const char *driver)
{
  static const char * const drivers[] = { "local", "ssh", "proxmox", "gcp", "aws", NULL };

  return g_strv_contains (drivers, driver);
}

gboolean
air_zone_registry_add (AirZoneRegistry  *self,
                       AirZone          *zone,
                       GError          **error)
{
  const char *name;

  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), FALSE);
  g_return_val_if_fail (AIR_IS_ZONE (zone), FALSE);

  name = air_zone_get_name (zone);
  if (!air_name_validate (name, "zone", error) ||
      !air_name_validate (air_zone_get_gateway (zone), "gateway qube", error))
    return FALSE;

  if (!valid_driver (air_zone_get_driver (zone)))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("Unknown zone driver “%s”. Use one of: local, ssh."),
                   air_zone_get_driver (zone));
      return FALSE;
    }

  if (air_zone_registry_lookup (self, name) != NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_EXISTS,
                   _("A zone called “%s” exists already. Choose another name."), name);
      return FALSE;
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (self->zones)) >= AIR_ZONE_REGISTRY_MAX_ZONES)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("At most %d zones can be registered."), AIR_ZONE_REGISTRY_MAX_ZONES);
      return FALSE;
    }

  g_list_store_append (self->zones, zone);
  return TRUE;
}

gboolean
air_zone_registry_remove (AirZoneRegistry  *self,
                          const char       *name,
                          GError          **error)
{
  AirZone *zone;
  guint position;

  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), FALSE);

  zone = air_zone_registry_lookup (self, name);
  if (zone == NULL || !g_list_store_find (self->zones, zone, &position))
    {
      g_autofree char *shown = air_text_sanitize (name, -1, 40);

      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                   _("There is no zone called “%s”. “qair zones” lists them."), shown);
      return FALSE;
    }

  g_list_store_remove (self->zones, position);
  return TRUE;
}

static gboolean
load_zone (AirZoneRegistry  *self,
           JsonNode         *node,
           GError          **error)
{
  g_autoptr(AirZone) zone = NULL;
  JsonObject *object;
  const char *name, *gateway, *driver;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A zone entry is not an object"));
      return FALSE;
    }

  object = json_node_get_object (node);
  if (!air_json_get_string (object, "name", AIR_NAME_MAX, &name, error) ||
      !air_json_get_opt_string (object, "gateway", AIR_NAME_MAX, NULL, &gateway, error) ||
      !air_json_get_opt_string (object, "driver", 16, "local", &driver, error))
    return FALSE;

  zone = air_zone_new (name, gateway, driver);
  return air_zone_registry_add (self, zone, error);
}

gboolean
air_zone_registry_load (AirZoneRegistry  *self,
                        GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autofree char *contents = NULL;
  JsonArray *array;
  gsize len;

  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), FALSE);

  g_list_store_remove_all (self->zones);

  if (!g_file_get_contents (self->path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_autoptr(AirZone) local = air_zone_new ("local", NULL, "local");

          g_list_store_append (self->zones, local);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  root = air_json_parse_object (contents, len, MAX_FILE, &local_error);
  if (root != NULL)
    {
      array = air_json_get_opt_array (root, "zones", AIR_ZONE_REGISTRY_MAX_ZONES, &local_error);
      if (array != NULL)
        for (guint i = 0; i < json_array_get_length (array) && local_error == NULL; i++)
          load_zone (self, json_array_get_element (array, i), &local_error);
    }

  if (local_error != NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The zone list %s cannot be read: %s. Fix or remove the file."),
                   self->path, local_error->message);
      g_list_store_remove_all (self->zones);
      return FALSE;
    }

  return TRUE;
}

gboolean
air_zone_registry_save (AirZoneRegistry  *self,
                        GError          **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;
  guint n;

  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, REGISTRY_VERSION);
  json_builder_set_member_name (builder, "zones");
  json_builder_begin_array (builder);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->zones));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (G_LIST_MODEL (self->zones), i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, air_zone_get_name (zone));
      json_builder_set_member_name (builder, "gateway");
      json_builder_add_string_value (builder, air_zone_get_gateway (zone));
      json_builder_set_member_name (builder, "driver");
      json_builder_add_string_value (builder, air_zone_get_driver (zone));
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  text = air_json_builder_to_line (builder);
  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot create %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  return g_file_set_contents_full (self->path, text, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}
