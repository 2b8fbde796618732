/* air-proxmox-config.c
 *
 * A Proxmox zone's settings as its gateway keeps them (server URL, pinned
 * certificate, node, pool, storage, the WireGuard tunnel it is reached
 * through), validated when read. With a tunnel ("wireguard": the
 * endpoint, "tunnel": the server's address inside it) the API is spoken
 * to the server's tunnel address, so @url is the user's URL with its host
 * replaced by that address; the certificate is pinned by its key, which
 * does not name a host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-proxmox"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-proxmox-driver.h"
#include "air-wireguard-key.h"

#define MAX_URL 300

void
air_proxmox_config_free (AirProxmoxConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->url);
  g_free (config->node);
  g_free (config->pool);
  g_free (config->storage);
  g_free (config->pin);
  g_free (config->wireguard);
  g_free (config->tunnel);
  g_free (config->server_url);
  g_free (config);
}

/* An IPv4 address in dotted form, as air_wireguard_addresses() makes. */
static gboolean
is_ipv4 (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ".", 5);

  if (g_strv_length (parts) != 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    if (!g_ascii_string_to_unsigned (parts[i], 10, 0, 255, NULL, NULL) || strlen (parts[i]) > 3)
      return FALSE;
  return TRUE;
}

/* https://HOST[:PORT][/] (validated) with HOST replaced by @address. */
char *
air_proxmox_config_tunnel_url (const char *url,
                               const char *address)
{
  const char *host = url + strlen ("https://");
  const char *rest;

  if (*host == '[')
    rest = strchr (host, ']') ? strchr (host, ']') + 1 : host + strlen (host);
  else
    rest = host + strcspn (host, ":/");
  return g_strconcat ("https://", address, rest, NULL);
}

AirProxmoxConfig *
air_proxmox_config_parse (const char  *data,
                          gsize        len,
                          GError     **error)
{
  g_autoptr(JsonObject) root = air_json_parse_object (data, len, 8192, error);
  g_autoptr(AirProxmoxConfig) config = g_new0 (AirProxmoxConfig, 1);
  const char *url, *node, *pool, *storage, *pin, *wireguard, *tunnel;
  gint64 timeout;

  if (root == NULL ||
      !air_json_get_string (root, "url", 300, &url, error) ||
      !air_json_get_string (root, "node", AIR_NAME_MAX, &node, error) ||
      !air_json_get_opt_string (root, "pool", AIR_NAME_MAX, NULL, &pool, error) ||
      !air_json_get_opt_string (root, "storage", AIR_NAME_MAX, NULL, &storage, error) ||
      !air_json_get_opt_string (root, "pin", 100, NULL, &pin, error) ||
      !air_json_get_opt_int (root, "timeout", 1, 300, 10, &timeout, error) ||
      !air_json_get_opt_string (root, "wireguard", AIR_WIREGUARD_MAX_ENDPOINT, NULL, &wireguard, error) ||
      !air_json_get_opt_string (root, "tunnel", 16, NULL, &tunnel, error))
    return NULL;
  if (wireguard != NULL && !air_wireguard_endpoint_validate (wireguard, error))
    return NULL;
  if (wireguard != NULL && (tunnel == NULL || !is_ipv4 (tunnel)))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("A Proxmox zone with a WireGuard tunnel needs the server's tunnel address"));
      return NULL;
    }
  if (!air_proxmox_url_validate (url, error) ||
      !air_name_validate (node, "Proxmox node", error) ||
      (pool != NULL && !air_name_validate (pool, "Proxmox pool", error)) ||
      (storage != NULL && !air_name_validate (storage, "Proxmox storage", error)))
    return NULL;
  if (pin != NULL && !g_str_has_prefix (pin, "sha256//"))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("A Proxmox certificate pin is “sha256//” and a base64 hash"));
      return NULL;
    }
  if (wireguard != NULL)
    {
      config->wireguard = g_strdup (wireguard);
      config->tunnel = g_strdup (tunnel);
      config->server_url = g_strdup (url);
      config->url = air_proxmox_config_tunnel_url (url, tunnel);
    }
  else
    config->url = g_strdup (url);
  config->node = g_strdup (node);
  config->pool = g_strdup (pool);
  config->storage = g_strdup (storage);
  config->pin = g_strdup (pin);
  config->timeout = (guint) timeout;
  return g_steal_pointer (&config);
}

char *
air_proxmox_config_to_json (const AirProxmoxConfig *config)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, config->server_url ? config->server_url : config->url);
  if (config->wireguard != NULL && config->tunnel != NULL)
    {
      json_builder_set_member_name (builder, "wireguard");
      json_builder_add_string_value (builder, config->wireguard);
      json_builder_set_member_name (builder, "tunnel");
      json_builder_add_string_value (builder, config->tunnel);
    }
  json_builder_set_member_name (builder, "node");
  json_builder_add_string_value (builder, config->node);
  if (config->pool != NULL)
    {
      json_builder_set_member_name (builder, "pool");
      json_builder_add_string_value (builder, config->pool);
    }
  if (config->storage != NULL)
    {
      json_builder_set_member_name (builder, "storage");
      json_builder_add_string_value (builder, config->storage);
    }
  if (config->pin != NULL)
    {
      json_builder_set_member_name (builder, "pin");
      json_builder_add_string_value (builder, config->pin);
    }
  json_builder_set_member_name (builder, "timeout");
  json_builder_add_int_value (builder, config->timeout);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

/* https://HOST[:PORT] with nothing after it but an optional slash. */
gboolean
air_proxmox_url_validate (const char  *url,
                          GError     **error)
{
  const char *host;

  if (url == NULL || strlen (url) > MAX_URL || !g_str_has_prefix (url, "https://"))
    goto bad;
  host = url + strlen ("https://");
  if (*host == '\0')
    goto bad;
  for (const char *p = host; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || strchr (".-:[]", *p) != NULL || (*p == '/' && p[1] == '\0')))
      goto bad;
  return TRUE;

bad:
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                       _("The Proxmox URL must be https://HOST or https://HOST:PORT, e.g. https://pve.example.org:8006"));
  return FALSE;
}

AirZoneInfo *
air_proxmox_zone_info_down (const char             *zone_name,
                            const AirProxmoxConfig *config,
                            const char             *reason)
{
  AirZoneInfo *info = g_new0 (AirZoneInfo, 1);

  info->name = g_strdup (zone_name);
  info->driver = g_strdup ("proxmox");
  info->isolation = AIR_ISOLATION_VM;
  info->link = g_strdup ("https");
  info->endpoint = g_strdup (config->url);
  info->health = AIR_HEALTH_DOWN;
  info->health_reason = g_strdup (reason);
  info->templates = g_new0 (char *, 1);
  return info;
}
