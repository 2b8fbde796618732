/* air-zone-setup.c
 *
 * The gateway keeps its own zone's configuration (a zones.json of one
 * entry in its state directory, the zone's known_hosts and WireGuard
 * configuration beside it): the management qube cannot write into the
 * gateway, so it sends the configuration with this service, argument
 * the action:
 *
 *   configure  stdin {"host", "port", "user", "agent", "timeout",
 *              "wireguard", "wireguard_peer_key", "wireguard_public_key"}:
 *              the gateway's WireGuard key pair is made in the vault, only
 *              its public half comes here; the wg-quick file has no
 *              private key
 *   scan       the host keys the zone host offers, with fingerprints
 *   pin        stdin {"fingerprint"}: pins the offered key that has it
 *   up         brings the zone's WireGuard tunnel up: the private key comes
 *              from the vault (CredentialGet, kind wireguard-key, which
 *              answers this zone's gateway only) and goes to wg through a
 *              pipe; it is never in a file, argv or the environment
 *   rekey      stdin {"wireguard_public_key"}: the vault made a new pair;
 *              the wg-quick file is rewritten (an old one with a private
 *              key in it is overwritten and removed), a running tunnel
 *              takes the new key
 *   remove     forgets the zone: connection, configuration, pinned key,
 *              and takes its tunnel down
 *
 * A proxmox zone (configure with "driver": "proxmox", "url", "node",
 * "pool", "storage") is kept in proxmox.json instead; scan answers the
 * "tls_pin" (sha256//BASE64 of the key) the server's certificate has, and
 * pin {"fingerprint": "SHA256:…"} pins it when the server still offers
 * that key. The API token is never sent here: the driver reads it from the
 * vault when it needs it (air-proxmox-driver.c). With "wireguard" (and
 * the keys as above) a proxmox zone's server is reached through the zone's
 * tunnel, at its tunnel address: the same wg-quick file, up and rekey as
 * an ssh zone's, and the server's half of the tunnel in the answer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-setup"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "air-error.h"
#include "air-fd-io.h"
#include "air-host-key.h"
#include "air-json.h"
#include "air-names.h"
#include "air-proxmox-gateway.h"
#include "air-ssh-driver.h"
#include "air-wireguard-key.h"
#include "air-zone-setup-private.h"
#include "air-zone-setup-client.h"

#define MAX_REQUEST 8192

char *
air_zone_setup_config_path (const char *state_dir)
{
  return g_build_filename (state_dir, "zones.json", NULL);
}

/* The gateway's zone, when it is an ssh zone; NULL (no error) else. */
AirSshConfig *
air_zone_setup_load (const char  *state_dir,
                     const char  *zone,
                     GError     **error)
{
  g_autofree char *path = air_zone_setup_config_path (state_dir);
  g_autoptr(AirZoneRegistry) registry = NULL;
  const AirSshConfig *config;
  AirZone *entry;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  registry = air_zone_registry_new (path);
  if (!air_zone_registry_load (registry, error))
    return NULL;
  entry = air_zone_registry_lookup (registry, zone);
  if (entry == NULL || g_strcmp0 (air_zone_get_driver (entry), "ssh") != 0)
    return NULL;
  config = air_zone_registry_get_ssh_config (registry, zone);
  if (config == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("Zone “%s” uses the ssh driver but has no host configured"), zone);
      return NULL;
    }
  return air_ssh_config_copy (config);
}

static char *
proxmox_path (const char *state_dir)
{
  return g_build_filename (state_dir, "proxmox.json", NULL);
}

/* The gateway's zone, when it is a proxmox zone; NULL (no error) else. */
AirProxmoxConfig *
air_zone_setup_load_proxmox (const char  *state_dir,
                             GError     **error)
{
  g_autofree char *path = proxmox_path (state_dir);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      /* No file (or no state directory at all): not a proxmox zone. */
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) &&
          !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return air_proxmox_config_parse (contents, len, error);
}

JsonObject *
_air_zone_setup_read_request (GError **error)
{
  g_autoptr(GBytes) data = air_fd_read_to_end (STDIN_FILENO, MAX_REQUEST, error);
  gsize len;
  const char *text;

  if (data == NULL)
    return NULL;
  text = g_bytes_get_data (data, &len);
  /* A caller that sent nothing: say so, not "Empty message". */
  if (len == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The zone setup request was empty: configure and pin need a JSON request on standard input"));
      return NULL;
    }
  return air_json_parse_object (text, len, MAX_REQUEST, error);
}

int
_air_zone_setup_answer (JsonBuilder *builder)
{
  g_autofree char *line = air_json_builder_to_line (builder);

  g_print ("%s", line);
  return 0;
}

gboolean
_air_zone_setup_write_private (const char  *path,
                               const char  *contents,
                               GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot create %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  /* Temporary file, fsync, rename: never a half key file, never readable
   * by anyone else, not even for a moment. */
  return g_file_set_contents_full (path, contents, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

static gboolean
save_proxmox (const char              *state_dir,
              const AirProxmoxConfig  *config,
              GError                 **error)
{
  g_autofree char *path = proxmox_path (state_dir);
  g_autofree char *json = air_proxmox_config_to_json (config);

  return _air_zone_setup_write_private (path, json, error);
}

/* The gateway's own WireGuard public key (made in the vault) and the
 * server's, when the request has a tunnel; NULL own key without one. */
static gboolean
wireguard_request (JsonObject   *request,
                   const char   *zone,
                   const char  **endpoint,
                   const char  **peer_key,
                   const char  **own_key,
                   GError      **error)
{
  if (!air_json_get_opt_string (request, "wireguard", AIR_WIREGUARD_MAX_ENDPOINT, NULL, endpoint, error) ||
      !air_json_get_opt_string (request, "wireguard_peer_key", AIR_WIREGUARD_KEY_LEN, NULL, peer_key, error) ||
      !air_json_get_opt_string (request, "wireguard_public_key", AIR_WIREGUARD_KEY_LEN, NULL, own_key, error))
    return FALSE;
  if (*endpoint != NULL && !air_wireguard_endpoint_validate (*endpoint, error))
    return FALSE;
  if (*peer_key != NULL && !air_wireguard_key_is_valid (*peer_key))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The zone host's WireGuard key must be 44 characters of base64, as “wg pubkey” prints it"));
      return FALSE;
    }
  /* The gateway's private key is made and kept in the vault: only its
   * public half comes here. */
  if (*endpoint != NULL && (*own_key == NULL || !air_wireguard_key_is_valid (*own_key)))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The gateway's WireGuard key is made in the vault: have it made there first "
                     "(“qair zone add %s --wireguard …” does), and send its public key"), zone);
      return FALSE;
    }
  return TRUE;
}

static int
configure_proxmox (const char  *state_dir,
                   const char  *zone,
                   JsonObject  *request,
                   GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(AirProxmoxConfig) config = NULL;
  g_autofree char *ssh_path = air_zone_setup_config_path (state_dir);
  g_autofree char *wg_path = _air_zone_setup_wireguard_path (state_dir, zone);
  g_autofree char *tunnel = NULL;
  g_autofree char *json = NULL;
  const char *endpoint, *peer_key, *own_key;

  if (!wireguard_request (request, zone, &endpoint, &peer_key, &own_key, error))
    return -1;
  /* The server's tunnel address is this gateway's to say, not the
   * request's. */
  json_object_remove_member (request, "tunnel");
  if (endpoint != NULL)
    {
      air_wireguard_addresses (zone, NULL, &tunnel);
      json_object_set_string_member (request, "tunnel", tunnel);
    }
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), request);

    json = json_to_string (node, FALSE);
  }
  config = air_proxmox_config_parse (json, strlen (json), error);
  if (config == NULL)
    return -1;
  /* A new configuration is trusted only once the user has pinned the
   * server's certificate: a pin in the request is not taken. */
  g_clear_pointer (&config->pin, g_free);
  if (!save_proxmox (state_dir, config, error))
    return -1;
  g_unlink (ssh_path);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "zone");
  json_builder_add_string_value (builder, zone);
  if (endpoint != NULL &&
      !_air_zone_setup_write_wireguard (state_dir, zone, own_key, peer_key, endpoint, builder, error))
    return -1;
  /* No tunnel any more: its file goes (the interface, if up, with "remove"). */
  if (endpoint == NULL)
    _air_zone_setup_wipe_file (wg_path);
  json_builder_end_object (builder);
  return _air_zone_setup_answer (builder);
}

static int
configure (const char  *state_dir,
           const char  *zone,
           GError     **error)
{
  g_autoptr(JsonObject) request = _air_zone_setup_read_request (error);
  g_autofree char *proxmox = proxmox_path (state_dir);
  g_autoptr(AirSshConfig) config = air_ssh_config_new (NULL);
  g_autoptr(AirZoneRegistry) registry = NULL;
  g_autoptr(AirZone) entry = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *path = air_zone_setup_config_path (state_dir);
  const char *wireguard, *peer_key, *driver, *own_key;

  if (request == NULL ||
      !air_json_get_opt_string (request, "driver", 16, "ssh", &driver, error))
    return -1;
  if (strcmp (driver, "proxmox") == 0)
    return configure_proxmox (state_dir, zone, request, error);
  if (!air_ssh_config_read_members (config, request, FALSE, error) ||
      !wireguard_request (request, zone, &wireguard, &peer_key, &own_key, error))
    return -1;

  config->wireguard = g_strdup (wireguard);

  registry = air_zone_registry_new (path);
  entry = air_zone_new (zone, NULL, "ssh");
  if (!air_zone_registry_load (registry, error))
    return -1;
  air_zone_registry_remove (registry, zone, NULL);
  if (!air_zone_registry_add (registry, entry, error) ||
      !air_zone_registry_set_ssh_config (registry, zone, config, error) ||
      !air_zone_registry_save (registry, error))
    return -1;
  g_unlink (proxmox);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "zone");
  json_builder_add_string_value (builder, zone);

  if (wireguard != NULL &&
      !_air_zone_setup_write_wireguard (state_dir, zone, own_key, peer_key, wireguard, builder, error))
    return -1;

  json_builder_end_object (builder);
  return _air_zone_setup_answer (builder);
}

static AirSshDriver *
load_driver (const char  *state_dir,
             const char  *zone,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(AirSshConfig) config = air_zone_setup_load (state_dir, zone, &local_error);

  if (config == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                     _("Zone “%s” is not an ssh zone on this gateway; configure it first"), zone);
      return NULL;
    }
  return air_ssh_driver_new (state_dir, zone, config);
}

static int
scan_proxmox (const char        *state_dir,
              const char        *zone,
              AirProxmoxConfig  *config,
              GError           **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *pin = NULL;

  if (!air_zone_setup_proxmox_tunnel_check (state_dir, zone, config, error) ||
      (pin = air_proxmox_gateway_fetch_pin (config->url, config->timeout, error)) == NULL)
    return -1;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tls_pin");
  json_builder_add_string_value (builder, pin);
  json_builder_end_object (builder);
  return _air_zone_setup_answer (builder);
}

static int
pin_proxmox (const char        *state_dir,
             const char        *zone,
             AirProxmoxConfig  *config,
             GError           **error)
{
  g_autoptr(JsonObject) request = _air_zone_setup_read_request (error);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *pin = NULL;
  g_autofree char *fingerprint = NULL;
  const char *wanted;

  if (request == NULL ||
      !air_json_get_string (request, "fingerprint", 100, &wanted, error) ||
      !air_zone_setup_proxmox_tunnel_check (state_dir, zone, config, error) ||
      (pin = air_proxmox_gateway_fetch_pin (config->url, config->timeout, error)) == NULL)
    return -1;
  /* Read again: what is pinned is what the server shows now and what the
   * user compared, or nothing. */
  fingerprint = air_zone_setup_tls_fingerprint (pin);
  if (fingerprint == NULL || !air_zone_setup_fingerprints_equal (fingerprint, wanted))
    {
      g_autofree char *shown = air_text_sanitize (wanted, -1, 100);

      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("The Proxmox server of zone “%s” does not show a certificate key with the fingerprint %s. "
                     "Nothing was pinned."), zone, shown);
      return -1;
    }
  g_free (config->pin);
  config->pin = g_steal_pointer (&pin);
  if (!save_proxmox (state_dir, config, error))
    return -1;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pinned");
  json_builder_add_string_value (builder, wanted);
  json_builder_end_object (builder);
  return _air_zone_setup_answer (builder);
}

static int
scan (const char  *state_dir,
      const char  *zone,
      GError     **error)
{
  g_autoptr(AirSshDriver) driver = load_driver (state_dir, zone, error);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GPtrArray) keys = NULL;

  if (driver == NULL || (keys = air_ssh_driver_scan_host_keys (driver, error)) == NULL)
    return -1;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "host_keys");
  json_builder_begin_array (builder);
  for (guint i = 0; i < keys->len; i++)
    {
      g_autofree char *fingerprint = air_host_key_fingerprint (keys->pdata[i]);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, keys->pdata[i]);
      json_builder_set_member_name (builder, "fingerprint");
      json_builder_add_string_value (builder, fingerprint);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return _air_zone_setup_answer (builder);
}

static int
pin (const char  *state_dir,
     const char  *zone,
     GError     **error)
{
  g_autoptr(JsonObject) request = _air_zone_setup_read_request (error);
  g_autoptr(AirSshDriver) driver = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  const char *wanted;

  if (request == NULL ||
      !air_json_get_string (request, "fingerprint", 100, &wanted, error) ||
      (driver = load_driver (state_dir, zone, error)) == NULL ||
      (keys = air_ssh_driver_scan_host_keys (driver, error)) == NULL)
    return -1;

  /* Scanned again: what is pinned is what the host offers now and what
   * the user saw, or nothing. */
  for (guint i = 0; i < keys->len; i++)
    {
      g_autofree char *fingerprint = air_host_key_fingerprint (keys->pdata[i]);

      if (strcmp (fingerprint, wanted) != 0)
        continue;
      if (!air_ssh_driver_pin_host_key (driver, keys->pdata[i], error))
        return -1;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "pinned");
      json_builder_add_string_value (builder, fingerprint);
      json_builder_end_object (builder);
      return _air_zone_setup_answer (builder);
    }

  {
    g_autofree char *shown = air_text_sanitize (wanted, -1, 100);

    g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                 _("The host of zone “%s” does not offer a key with the fingerprint %s. "
                   "Nothing was pinned."), zone, shown);
    return -1;
  }
}

static int
forget (const char  *state_dir,
        const char  *zone,
        GError     **error)
{
  g_autoptr(AirSshDriver) driver = load_driver (state_dir, zone, NULL);
  g_autofree char *path = air_zone_setup_config_path (state_dir);
  g_autofree char *wg = _air_zone_setup_wireguard_path (state_dir, zone);
  g_autofree char *interface = air_wireguard_interface_name (zone);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  if (driver != NULL)
    {
      air_ssh_driver_disconnect (driver);
      g_unlink (air_ssh_driver_get_known_hosts (driver));
    }
  /* The zone's tunnel goes with it (wireguard-go ends with its interface). */
  if (g_file_test (wg, G_FILE_TEST_EXISTS) && _air_zone_setup_interface_exists (interface))
    {
      const char *ip_del[] = { "ip", "link", "del", "dev", interface, NULL };

      _air_zone_setup_run_tool (ip_del, -1, NULL);
    }
  _air_zone_setup_wipe_file (wg);
  g_unlink (path);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "removed");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  return _air_zone_setup_answer (builder);
}

int
air_zone_setup_serve (const char *state_dir,
                      const char *zone,
                      const char *action)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirProxmoxConfig) proxmox = NULL;
  int status;

  if ((strcmp (action, "scan") == 0 || strcmp (action, "pin") == 0) &&
      ((proxmox = air_zone_setup_load_proxmox (state_dir, &error)) != NULL || error != NULL))
    status = proxmox == NULL ? -1
             : strcmp (action, "scan") == 0 ? scan_proxmox (state_dir, zone, proxmox, &error)
             : pin_proxmox (state_dir, zone, proxmox, &error);
  else if (strcmp (action, "configure") == 0)
    status = configure (state_dir, zone, &error);
  else if (strcmp (action, "scan") == 0)
    status = scan (state_dir, zone, &error);
  else if (strcmp (action, "pin") == 0)
    status = pin (state_dir, zone, &error);
  else if (strcmp (action, "up") == 0)
    status = _air_zone_setup_tunnel_up (state_dir, zone, &error);
  else if (strcmp (action, "rekey") == 0)
    status = _air_zone_setup_rekey (state_dir, zone, &error);
  else if (strcmp (action, "remove") == 0)
    {
      g_autofree char *path = proxmox_path (state_dir);

      g_unlink (path);
      status = forget (state_dir, zone, &error);
    }
  else
    {
      g_printerr (_("Unknown zone setup action; use configure, scan, pin, up, rekey or remove\n"));
      return 2;
    }

  if (status < 0)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return status;
}
