/* air-zone-registry.c
 *
 * $XDG_CONFIG_HOME/qubes-air/zones.json (or $AIR_ZONES_FILE):
 *   {"version": 1, "zones": [{"name", "gateway", "driver", "ssh"?}, …]}
 * "ssh" (zones with the ssh driver) says how the gateway reaches the zone
 * host: {"host", "port", "user", "agent", "known_hosts", "timeout",
 * "wireguard"}. A gateway's agent reads the same format from its own state
 * directory, where it is the zone's only entry.
 * Written atomically (temporary file, fsync, rename): by the caller's
 * thread (qair, the agent), or by air_zone_registry_save_async in a worker
 * from a snapshot taken when it is called (the app: no fsync on the main
 * loop). A save never overwrites a newer one that finished before it.
 * Without the file, one zone called "local" exists, so a first run works
 * with nothing set up.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-registry"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>

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
  GHashTable *ssh_configs;   /* zone name → AirSshConfig */
  char       *path;

  /* Saves in order: each takes a number when its snapshot is taken; one
   * whose number is below the last written writes nothing. */
  GMutex      save_lock;
  guint64     save_serial;     /* main thread only */
  guint64     written_serial;  /* under save_lock */
};

G_DEFINE_FINAL_TYPE (AirZoneRegistry, air_zone_registry, G_TYPE_OBJECT)

static void
air_zone_registry_finalize (GObject *object)
{
  AirZoneRegistry *self = (AirZoneRegistry *)object;

  g_clear_object (&self->zones);
  g_clear_pointer (&self->ssh_configs, g_hash_table_unref);
  g_clear_pointer (&self->path, g_free);
  g_mutex_clear (&self->save_lock);

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
  self->ssh_configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) air_ssh_config_free);
  g_mutex_init (&self->save_lock);
}

G_DEFINE_BOXED_TYPE (AirSshConfig, air_ssh_config, air_ssh_config_copy, air_ssh_config_free)

AirSshConfig *
air_ssh_config_new (const char *host)
{
  AirSshConfig *config = g_new0 (AirSshConfig, 1);

  config->host = g_strdup (host);
  config->port = AIR_SSH_DEFAULT_PORT;
  config->agent_path = g_strdup (AIR_SSH_DEFAULT_AGENT);
  config->connect_timeout = AIR_SSH_DEFAULT_TIMEOUT;
  return config;
}

AirSshConfig *
air_ssh_config_copy (const AirSshConfig *config)
{
  AirSshConfig *copy = g_new0 (AirSshConfig, 1);

  copy->host = g_strdup (config->host);
  copy->port = config->port;
  copy->user = g_strdup (config->user);
  copy->agent_path = g_strdup (config->agent_path);
  copy->known_hosts = g_strdup (config->known_hosts);
  copy->connect_timeout = config->connect_timeout;
  copy->wireguard = g_strdup (config->wireguard);
  return copy;
}

void
air_ssh_config_free (AirSshConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->host);
  g_free (config->user);
  g_free (config->agent_path);
  g_free (config->known_hosts);
  g_free (config->wireguard);
  g_free (config);
}

/* Every field ends up on ssh's command line or in a remote command: only
 * characters that mean nothing to ssh or a shell pass, and none may start
 * with "-" (it would be read as an option). */
static gboolean
text_is (const char *text,
         gsize       max,
         const char *extra)
{
  gsize len = text ? strnlen (text, max + 1) : 0;

  if (len == 0 || len > max || text[0] == '-')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && strchr (extra, text[i]) == NULL)
      return FALSE;
  return TRUE;
}

gboolean
air_ssh_config_validate (const AirSshConfig  *config,
                         GError             **error)
{
  if (!text_is (config->host, AIR_SSH_MAX_HOST, ".-:"))
    {
      g_autofree char *shown = air_text_sanitize (config->host, -1, 60);
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a host name or address"), shown);
      return FALSE;
    }
  if (config->port == 0 || config->port > 65535)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The SSH port must be between 1 and 65535"));
      return FALSE;
    }
  if (config->user != NULL && !text_is (config->user, AIR_SSH_MAX_USER, "._-"))
    {
      g_autofree char *shown = air_text_sanitize (config->user, -1, 40);
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a user name"), shown);
      return FALSE;
    }
  if (config->agent_path == NULL || config->agent_path[0] != '/' ||
      !text_is (config->agent_path + 1, AIR_SSH_MAX_PATH, "/._-+") ||
      strstr (config->agent_path, "/../") != NULL)
    {
      g_autofree char *shown = air_text_sanitize (config->agent_path, -1, 60);
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an absolute path of qubes-air-agent"), shown);
      return FALSE;
    }
  if (config->known_hosts != NULL &&
      (config->known_hosts[0] != '/' || strnlen (config->known_hosts, 4097) > 4096))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The known_hosts file must be an absolute path"));
      return FALSE;
    }
  if (config->connect_timeout == 0 || config->connect_timeout > AIR_SSH_MAX_TIMEOUT)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The connection timeout must be between 1 and %d seconds"),
                   AIR_SSH_MAX_TIMEOUT);
      return FALSE;
    }
  if (config->wireguard != NULL && !text_is (config->wireguard, AIR_SSH_MAX_HOST + 8, ".-:[]"))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The WireGuard endpoint must be HOST:PORT"));
      return FALSE;
    }
  return TRUE;
}

const AirSshConfig *
air_zone_registry_get_ssh_config (AirZoneRegistry *self,
                                  const char      *name)
{
  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), NULL);
  return name ? g_hash_table_lookup (self->ssh_configs, name) : NULL;
}

gboolean
air_zone_registry_set_ssh_config (AirZoneRegistry     *self,
                                  const char          *name,
                                  const AirSshConfig  *config,
                                  GError             **error)
{
  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), FALSE);

  if (config == NULL)
    {
      g_hash_table_remove (self->ssh_configs, name);
      return TRUE;
    }
  if (!air_ssh_config_validate (config, error))
    return FALSE;
  g_hash_table_replace (self->ssh_configs, g_strdup (name), air_ssh_config_copy (config));
  return TRUE;
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
                   _("Unknown zone driver “%s”. Use one of: local, ssh, proxmox."),
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

  g_hash_table_remove (self->ssh_configs, name);
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
  if (!air_zone_registry_add (self, zone, error))
    return FALSE;

  if (json_object_has_member (object, "ssh"))
    {
      JsonNode *ssh_node = json_object_get_member (object, "ssh");
      g_autoptr(AirSshConfig) config = air_ssh_config_new (NULL);
      JsonObject *ssh;
      const char *wireguard;

      if (!JSON_NODE_HOLDS_OBJECT (ssh_node))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A zone's “ssh” entry is not an object"));
          return FALSE;
        }
      ssh = json_node_get_object (ssh_node);
      if (!air_ssh_config_read_members (config, ssh, TRUE, error) ||
          !air_json_get_opt_string (ssh, "wireguard", AIR_SSH_MAX_HOST + 8, NULL, &wireguard, error))
        return FALSE;

      config->wireguard = g_strdup (wireguard);
      if (!air_zone_registry_set_ssh_config (self, name, config, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
air_zone_registry_load (AirZoneRegistry  *self,
                        GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), FALSE);

  g_list_store_remove_all (self->zones);
  g_hash_table_remove_all (self->ssh_configs);

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

  if (!air_zone_registry_load_data (self, contents, len, &local_error))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The zone list %s cannot be read: %s. Fix or remove the file."),
                   self->path, local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* Reads the file again and applies only what changed: a zone whose
 * settings are the same keeps its AirZone (and so its link and qubes); one
 * gone or changed is removed, and new or changed ones are added. For a
 * file changed by another program (qair zone add|rm) while the app runs. */
gboolean
air_zone_registry_reload (AirZoneRegistry  *self,
                          GError          **error)
{
  g_autoptr(AirZoneRegistry) fresh = NULL;
  guint n;

  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), FALSE);

  fresh = air_zone_registry_new (self->path);
  if (!air_zone_registry_load (fresh, error))
    return FALSE;

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->zones)); i-- > 0;)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (G_LIST_MODEL (self->zones), i);
      const char *name = air_zone_get_name (zone);
      g_autofree char *mine = air_zone_registry_dup_json (self, name, FALSE);
      g_autofree char *theirs = air_zone_registry_dup_json (fresh, name, FALSE);

      if (air_zone_registry_lookup (fresh, name) == NULL || strcmp (mine, theirs) != 0)
        {
          g_hash_table_remove (self->ssh_configs, name);
          g_list_store_remove (self->zones, i);
        }
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (fresh->zones));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (G_LIST_MODEL (fresh->zones), i);
      const char *name = air_zone_get_name (zone);
      gpointer key, config;

      if (air_zone_registry_lookup (self, name) != NULL)
        continue;
      if (g_hash_table_steal_extended (fresh->ssh_configs, name, &key, &config))
        g_hash_table_insert (self->ssh_configs, key, config);
      g_list_store_append (self->zones, zone);
    }
  return TRUE;
}

/* The zones of DATA, in the registry file's format, in place of those
 * held (nothing is written): also how an imported configuration is read,
 * with the same checks. */
gboolean
air_zone_registry_load_data (AirZoneRegistry  *self,
                             const char       *data,
                             gsize             len,
                             GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) root = NULL;
  JsonArray *array;

  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), FALSE);

  g_list_store_remove_all (self->zones);
  g_hash_table_remove_all (self->ssh_configs);
  root = air_json_parse_object (data, len, MAX_FILE, &local_error);
  if (root != NULL)
    {
      array = air_json_get_opt_array (root, "zones", AIR_ZONE_REGISTRY_MAX_ZONES, &local_error);
      if (array != NULL)
        for (guint i = 0; i < json_array_get_length (array) && local_error == NULL; i++)
          load_zone (self, json_array_get_element (array, i), &local_error);
    }

  if (local_error != NULL)
    {
      g_list_store_remove_all (self->zones);
      g_hash_table_remove_all (self->ssh_configs);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* What air_ssh_config_add_members() writes but the WireGuard endpoint,
 * read back into @config, each member within its limit (the values
 * themselves are air_ssh_config_validate()'s to check). */
gboolean
air_ssh_config_read_members (AirSshConfig  *config,
                             JsonObject    *object,
                             gboolean       with_known_hosts,
                             GError       **error)
{
  const char *host, *user, *agent, *known_hosts = NULL;
  gint64 port, timeout;

  if (!air_json_get_string (object, "host", AIR_SSH_MAX_HOST, &host, error) ||
      !air_json_get_opt_int (object, "port", 1, 65535, AIR_SSH_DEFAULT_PORT, &port, error) ||
      !air_json_get_opt_string (object, "user", AIR_SSH_MAX_USER, NULL, &user, error) ||
      !air_json_get_opt_string (object, "agent", AIR_SSH_MAX_PATH, AIR_SSH_DEFAULT_AGENT, &agent, error) ||
      (with_known_hosts &&
       !air_json_get_opt_string (object, "known_hosts", 4096, NULL, &known_hosts, error)) ||
      !air_json_get_opt_int (object, "timeout", 1, AIR_SSH_MAX_TIMEOUT, AIR_SSH_DEFAULT_TIMEOUT, &timeout, error))
    return FALSE;

  g_free (config->host);
  config->host = g_strdup (host);
  config->port = port;
  g_free (config->user);
  config->user = g_strdup (user);
  g_free (config->agent_path);
  config->agent_path = g_strdup (agent);
  if (with_known_hosts)
    {
      g_free (config->known_hosts);
      config->known_hosts = g_strdup (known_hosts);
    }
  config->connect_timeout = timeout;
  return TRUE;
}

/* The members of an ssh zone's settings, into an object being built.
 * The known_hosts path is the writer's own (a gateway keeps its own), so
 * it goes in only when asked for. */
void
air_ssh_config_add_members (const AirSshConfig *config,
                            JsonBuilder        *builder,
                            gboolean            with_known_hosts)
{
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, config->host);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, config->port);
  if (config->user != NULL)
    {
      json_builder_set_member_name (builder, "user");
      json_builder_add_string_value (builder, config->user);
    }
  json_builder_set_member_name (builder, "agent");
  json_builder_add_string_value (builder, config->agent_path);
  if (with_known_hosts && config->known_hosts != NULL)
    {
      json_builder_set_member_name (builder, "known_hosts");
      json_builder_add_string_value (builder, config->known_hosts);
    }
  json_builder_set_member_name (builder, "timeout");
  json_builder_add_int_value (builder, config->connect_timeout);
  if (config->wireguard != NULL)
    {
      json_builder_set_member_name (builder, "wireguard");
      json_builder_add_string_value (builder, config->wireguard);
    }
}

static void
add_ssh_config (JsonBuilder        *builder,
                const AirSshConfig *config,
                gboolean            with_known_hosts)
{
  if (config == NULL)
    return;

  json_builder_set_member_name (builder, "ssh");
  json_builder_begin_object (builder);
  air_ssh_config_add_members (config, builder, with_known_hosts);
  json_builder_end_object (builder);
}

/* The registry in its file's format, one line; with ONLY_ZONE just that
 * zone. A configuration being exported leaves out the paths that are
 * this machine's own (known_hosts). */
char *
air_zone_registry_dup_json (AirZoneRegistry *self,
                            const char      *only_zone,
                            gboolean         for_export)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  guint n;

  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, REGISTRY_VERSION);
  json_builder_set_member_name (builder, "zones");
  json_builder_begin_array (builder);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->zones));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (G_LIST_MODEL (self->zones), i);

      if (only_zone != NULL && g_strcmp0 (only_zone, air_zone_get_name (zone)) != 0)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, air_zone_get_name (zone));
      json_builder_set_member_name (builder, "gateway");
      json_builder_add_string_value (builder, air_zone_get_gateway (zone));
      json_builder_set_member_name (builder, "driver");
      json_builder_add_string_value (builder, air_zone_get_driver (zone));
      add_ssh_config (builder, air_zone_registry_get_ssh_config (self, air_zone_get_name (zone)),
                      !for_export);
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

/* What a save writes, taken on the caller's thread. */
typedef struct {
  char    *path;
  char    *text;
  guint64  serial;
} SaveSnapshot;

static void
save_snapshot_free (SaveSnapshot *snapshot)
{
  g_free (snapshot->path);
  g_free (snapshot->text);
  g_free (snapshot);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaveSnapshot, save_snapshot_free)

static SaveSnapshot *
save_snapshot_new (AirZoneRegistry *self)
{
  SaveSnapshot *snapshot = g_new0 (SaveSnapshot, 1);

  snapshot->path = g_strdup (self->path);
  snapshot->text = air_zone_registry_dup_json (self, NULL, FALSE);
  snapshot->serial = ++self->save_serial;
  return snapshot;
}

static gboolean
write_snapshot (AirZoneRegistry     *self,
                const SaveSnapshot  *snapshot,
                GError             **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->save_lock);
  g_autofree char *dir = NULL;

  if (snapshot->serial < self->written_serial)
    return TRUE;   /* a later snapshot is on disk already */

  dir = g_path_get_dirname (snapshot->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot create %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (!g_file_set_contents_full (snapshot->path, snapshot->text, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return FALSE;
  self->written_serial = snapshot->serial;
  return TRUE;
}

gboolean
air_zone_registry_save (AirZoneRegistry  *self,
                        GError          **error)
{
  g_autoptr(SaveSnapshot) snapshot = NULL;

  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), FALSE);

  snapshot = save_snapshot_new (self);
  return write_snapshot (self, snapshot, error);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  /* Checked once, before writing: a write once begun is finished (the
   * rename makes it whole either way). */
  if (g_task_return_error_if_cancelled (task))
    return;
  if (!write_snapshot (source_object, task_data, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * air_zone_registry_save_async:
 *
 * Writes the zones as they are now (the snapshot is taken before this
 * returns) in a worker thread, atomically as air_zone_registry_save does.
 * Cancelled before the worker starts writing, nothing is written.
 */
void
air_zone_registry_save_async (AirZoneRegistry     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (AIR_IS_ZONE_REGISTRY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, air_zone_registry_save_async);
  g_task_set_task_data (task, save_snapshot_new (self), (GDestroyNotify) save_snapshot_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
air_zone_registry_save_finish (AirZoneRegistry  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (AIR_IS_ZONE_REGISTRY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
