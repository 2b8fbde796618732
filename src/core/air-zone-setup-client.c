/* air-zone-setup-client.c
 *
 * Requests to a gateway's qubesair.ZoneSetup and the reading of its
 * answers. The gateway is less trusted than the management qube: the host
 * keys it reports are checked and their fingerprints computed here, so the
 * user compares what will really be pinned.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-setup"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-host-key.h"
#include "air-json.h"
#include "air-names.h"
#include "air-vault-client.h"
#include "air-wireguard-key.h"
#include "air-zone-setup-client.h"

#define MAX_HOST_KEYS 16

void
air_wireguard_setup_free (AirWireguardSetup *setup)
{
  if (setup == NULL)
    return;
  g_free (setup->interface);
  g_free (setup->config_path);
  g_free (setup->public_key);
  if (setup->host_config != NULL)
    {
      /* It may hold the zone host's private key. */
      memset (setup->host_config, 0, strlen (setup->host_config));
      g_free (setup->host_config);
    }
  g_free (setup);
}

/* @wireguard_public_key: the gateway's, made in the vault, which keeps
 * the private half (the gateway refuses a WireGuard zone without it). */
char *
air_zone_setup_configure_request (const AirSshConfig *config,
                                  const char         *wireguard_peer_key,
                                  const char         *wireguard_public_key)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  air_ssh_config_add_members (config, builder, FALSE);
  if (wireguard_peer_key != NULL)
    {
      json_builder_set_member_name (builder, "wireguard_peer_key");
      json_builder_add_string_value (builder, wireguard_peer_key);
    }
  if (wireguard_public_key != NULL)
    {
      json_builder_set_member_name (builder, "wireguard_public_key");
      json_builder_add_string_value (builder, wireguard_public_key);
    }
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

char *
air_zone_setup_pin_request (const char *fingerprint)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "fingerprint");
  json_builder_add_string_value (builder, fingerprint);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

/* @wireguard: the tunnel's endpoint, NULL without one; then
 * @wireguard_public_key is the gateway's (made in the vault) and
 * @wireguard_peer_key the server's, if the user has one already. */
char *
air_zone_setup_proxmox_request (const char *url,
                                const char *node,
                                const char *pool,
                                const char *storage,
                                const char *wireguard,
                                const char *wireguard_peer_key,
                                const char *wireguard_public_key)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "driver");
  json_builder_add_string_value (builder, "proxmox");
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, url);
  json_builder_set_member_name (builder, "node");
  json_builder_add_string_value (builder, node);
  if (pool != NULL)
    {
      json_builder_set_member_name (builder, "pool");
      json_builder_add_string_value (builder, pool);
    }
  if (storage != NULL)
    {
      json_builder_set_member_name (builder, "storage");
      json_builder_add_string_value (builder, storage);
    }
  if (wireguard != NULL)
    {
      const char *names[] = { "wireguard", "wireguard_peer_key", "wireguard_public_key" };
      const char *values[] = { wireguard, wireguard_peer_key, wireguard_public_key };

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        if (values[i] != NULL)
          {
            json_builder_set_member_name (builder, names[i]);
            json_builder_add_string_value (builder, values[i]);
          }
    }
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

/* "sha256//B64" of a 32-byte hash → "SHA256:B64" without padding, as
 * ssh-keygen shows fingerprints; NULL when @pin is not such a pin. */
char *
air_zone_setup_tls_fingerprint (const char *pin)
{
  g_autofree guchar *hash = NULL;
  g_autofree char *copy = NULL;
  gsize len = 0;

  if (pin == NULL || !g_str_has_prefix (pin, "sha256//") || strlen (pin) != 8 + 44)
    return NULL;
  for (const char *p = pin + 8; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return NULL;
  hash = g_base64_decode (pin + 8, &len);
  if (len != 32)
    return NULL;
  copy = g_strdup (pin + 8);
  copy[strcspn (copy, "=")] = '\0';
  return g_strconcat ("SHA256:", copy, NULL);
}

/* The same fingerprint, with or without base64's padding. */
gboolean
air_zone_setup_fingerprints_equal (const char *a,
                                   const char *b)
{
  gsize la, lb;

  if (a == NULL || b == NULL)
    return FALSE;
  la = strcspn (a, "=");
  lb = strcspn (b, "=");
  return la == lb && la > 7 && strncmp (a, b, la) == 0 &&
         strspn (a + la, "=") == strlen (a + la) && strspn (b + lb, "=") == strlen (b + lb);
}

static JsonObject *
parse_answer (GBytes  *answer,
              GError **error)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (answer, &len);

  /* A gateway whose service ended without a word (its data is NULL then)
   * is not a parse error to show the user. */
  if (len == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The gateway's zone setup service ended without an answer; "
                             "check that qubes-air-agent is installed in the gateway qube"));
      return NULL;
    }
  return air_json_parse_object (data, len, AIR_ZONE_SETUP_MAX_ANSWER, error);
}

/* NULL with no error: configured, without a tunnel. */
AirWireguardSetup *
air_zone_setup_parse_configured (GBytes  *answer,
                                 GError **error)
{
  g_autoptr(JsonObject) root = parse_answer (answer, error);
  g_autoptr(AirWireguardSetup) setup = NULL;
  const char *interface, *path, *key, *host_config;
  JsonNode *node;
  JsonObject *wg;

  if (root == NULL || !json_object_has_member (root, "wireguard"))
    return NULL;
  node = json_object_get_member (root, "wireguard");
  if (!JSON_NODE_HOLDS_OBJECT (node))
    goto bad;
  wg = json_node_get_object (node);
  if (!air_json_get_string (wg, "interface", 15, &interface, error) ||
      !air_json_get_string (wg, "config", 4096, &path, error) ||
      !air_json_get_string (wg, "public_key", AIR_WIREGUARD_KEY_LEN, &key, error) ||
      !air_json_get_string (wg, "host_config", 2048, &host_config, error))
    return NULL;
  if (!air_wireguard_key_is_valid (key))
    goto bad;

  setup = g_new0 (AirWireguardSetup, 1);
  setup->interface = air_text_sanitize (interface, -1, 15);
  setup->config_path = air_text_sanitize (path, -1, 4096);
  setup->public_key = g_strdup (key);
  /* Shown as lines on a terminal: only printable ASCII and newlines. */
  setup->host_config = g_strdup (host_config);
  for (char *p = setup->host_config; *p; p++)
    if ((*p < 0x20 && *p != '\n') || *p == 0x7f || (guchar) *p >= 0x80)
      *p = '?';
  return g_steal_pointer (&setup);

bad:
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The gateway's WireGuard answer is not valid"));
  return NULL;
}

/* The offered keys, each "TYPE BASE64", checked; an array of strings. */
GPtrArray *
air_zone_setup_parse_host_keys (GBytes  *answer,
                                GError **error)
{
  g_autoptr(JsonObject) root = parse_answer (answer, error);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  if (root == NULL)
    return NULL;
  array = air_json_get_opt_array (root, "host_keys", MAX_HOST_KEYS, error);
  if (array == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The gateway reported no host key"));
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *key;
      char *normal;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !air_json_get_string (json_node_get_object (node), "key", AIR_HOST_KEY_MAX_LINE, &key, error) ||
          (normal = air_host_key_normalize (key, -1, error)) == NULL)
        {
          if (error == NULL || *error == NULL)
            g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The gateway reported no host key"));
          return NULL;
        }
      g_ptr_array_add (keys, normal);
    }

  if (keys->len == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The gateway reported no host key"));
      return NULL;
    }
  return g_steal_pointer (&keys);
}

/* The fingerprint of the certificate key the gateway saw. */
char *
air_zone_setup_parse_tls_pin (GBytes  *answer,
                              GError **error)
{
  g_autoptr(JsonObject) root = parse_answer (answer, error);
  const char *pin;
  char *fingerprint;

  if (root == NULL || !air_json_get_string (root, "tls_pin", 100, &pin, error))
    return NULL;
  fingerprint = air_zone_setup_tls_fingerprint (pin);
  if (fingerprint == NULL)
    g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                         _("The gateway reported no valid certificate key of the Proxmox server"));
  return fingerprint;
}

void
air_zone_setup_call_async (AirTransport        *transport,
                           const char          *gateway,
                           const char          *action,
                           const char          *request,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GBytes) input = request ? g_bytes_new (request, strlen (request)) : NULL;

  air_transport_call_async (transport, gateway, AIR_ZONE_SETUP_SERVICE_NAME, action, input,
                            AIR_ZONE_SETUP_MAX_ANSWER, cancellable, callback, user_data);
}

GBytes *
air_zone_setup_call_finish (AirTransport  *transport,
                            GAsyncResult  *result,
                            GError       **error)
{
  return air_transport_call_finish (transport, result, error);
}

typedef struct {
  char         *gateway;
  AirSshConfig *config;
  char         *peer_key;
} Configure;

static void
configure_free (Configure *configure)
{
  g_free (configure->gateway);
  air_ssh_config_free (configure->config);
  g_free (configure->peer_key);
  g_free (configure);
}

static void
configured_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GBytes *answer = air_transport_call_finish (AIR_TRANSPORT (source), result, &error);

  if (answer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, (GDestroyNotify) g_bytes_unref);
}

static void
send_configure (GTask      *task,
                const char *public_key)
{
  Configure *configure = g_task_get_task_data (task);
  g_autofree char *request = air_zone_setup_configure_request (configure->config, configure->peer_key, public_key);

  air_zone_setup_call_async (g_task_get_source_object (task), configure->gateway, "configure", request,
                             g_task_get_cancellable (task), configured_cb, g_object_ref (task));
}

static void
key_made_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = air_vault_client_generate_key_finish (AIR_VAULT_CLIENT (source), result, &error);

  if (key == NULL)
    {
      g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_FAILED,
                               _("The vault qube “%s” made no WireGuard key: %s"),
                               air_vault_client_get_vault_qube (AIR_VAULT_CLIENT (source)), error->message);
      return;
    }
  if (!air_wireguard_key_is_valid (key))
    {
      g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("The vault answered with something that is not a WireGuard public key"));
      return;
    }
  send_configure (task, key);
}

/**
 * air_zone_setup_configure_async:
 *
 * Tells @gateway how to reach zone @zone's host (ZoneSetup "configure").
 * A WireGuard zone's key pair is made in the vault first (replacing any
 * the zone had): the gateway gets only its public half.
 */
void
air_zone_setup_configure_async (AirTransport        *transport,
                                const char          *zone,
                                const char          *gateway,
                                const AirSshConfig  *config,
                                const char          *wireguard_peer_key,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (transport, cancellable, callback, user_data);
  Configure *configure = g_new0 (Configure, 1);

  g_task_set_source_tag (task, air_zone_setup_configure_async);
  configure->gateway = g_strdup (gateway);
  configure->config = air_ssh_config_copy (config);
  configure->peer_key = g_strdup (wireguard_peer_key);
  g_task_set_task_data (task, configure, (GDestroyNotify) configure_free);

  if (config->wireguard == NULL)
    {
      send_configure (task, NULL);
      g_object_unref (task);
      return;
    }
  {
    g_autoptr(AirVaultClient) vault = air_vault_client_new (NULL);

    air_vault_client_generate_async (vault, zone, "wireguard-key", gateway, NULL, TRUE,
                                     cancellable, key_made_cb, task);
  }
}

/* Returns: (transfer full): the gateway's answer */
GBytes *
air_zone_setup_configure_finish (AirTransport  *transport,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, transport), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
