/* air-cli-zone.c
 *
 *   qair zone add NAME [--driver local|ssh] [--gateway QUBE] [--host H] [--port P]
 *                 [--user U] [--agent PATH] [--timeout S]
 *                 [--wireguard ENDPOINT [--wireguard-peer-key KEY]]
 *   (with --wireguard and no --host, SSH goes to the host's tunnel address)
 *                 [--fingerprint SHA256:…]
 *   qair zone add NAME --driver proxmox --url https://HOST:8006 --node NODE
 *                 [--pool POOL] [--storage STORAGE] [--fingerprint SHA256:…]
 *                 [--wireguard ENDPOINT [--wireguard-peer-key KEY]]
 *   (with --wireguard the gateway speaks to the server's API at its tunnel
 *   address, the certificate still pinned by its key)
 *   qair zone trust NAME [--fingerprint SHA256:…]
 *   qair zone up NAME      the gateway brings the zone's WireGuard tunnel up
 *   qair zone rekey NAME   a new WireGuard key pair in the vault
 *   qair zone rm NAME
 *
 * The zone is written to the management qube's zone list; its gateway
 * gets the connection settings with qubesair.ZoneSetup. The gateway's
 * WireGuard key pair is made in the vault, which gives the private key to
 * that gateway only, when it brings the tunnel up. The host key is pinned only once the user has
 * seen its fingerprint: typed "yes" to it, or named it with --fingerprint.
 * A proxmox zone's gateway gets the server's URL, node, pool and storage;
 * the server's TLS certificate key is pinned the same way (Proxmox ships a
 * self-signed certificate), and its API token stays in the vault.
 * The zone list does not say whether a proxmox zone has a tunnel: the
 * vault's list does (its wireguard-key), and the gateway's answer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "air-cli.h"
#include "air-cli-wait.h"
#include "air-cli-zone.h"
#include "air-cli-zones.h"
#include "air-error.h"
#include "air-host-key.h"
#include "air-json.h"
#include "air-names.h"
#include "air-vault-client.h"
#include "air-wireguard-key.h"
#include "air-zone-registry.h"
#include "air-zone-setup-client.h"

static GBytes *
setup_call (const char  *gateway,
            const char  *action,
            const char  *request,
            GError     **error)
{
  g_autoptr(GBytes) input = request ? g_bytes_new (request, strlen (request)) : NULL;

  return air_transport_call_sync (air_transport_get_default (), gateway,
                                  AIR_ZONE_SETUP_SERVICE_NAME, action, input,
                                  AIR_ZONE_SETUP_MAX_ANSWER, NULL, error);
}

/* Shows the offered keys and pins the one the user accepts. */
static gboolean
trust_host (const char  *zone,
            const char  *gateway,
            const char  *expected,
            GError     **error)
{
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GBytes) pinned = NULL;
  g_autofree char *chosen = NULL;
  g_autofree char *request = NULL;

  answer = setup_call (gateway, "scan", NULL, error);
  if (answer == NULL || (keys = air_zone_setup_parse_host_keys (answer, error)) == NULL)
    return FALSE;

  if (expected != NULL)
    {
      for (guint i = 0; i < keys->len && chosen == NULL; i++)
        {
          g_autofree char *fingerprint = air_host_key_fingerprint (keys->pdata[i]);

          if (strcmp (fingerprint, expected) == 0)
            chosen = g_steal_pointer (&fingerprint);
        }
      if (chosen == NULL)
        {
          g_autofree char *shown = air_text_sanitize (expected, -1, 100);

          g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                       _("The host of zone “%s” offers no key with the fingerprint %s. "
                         "Nothing was pinned."), zone, shown);
          return FALSE;
        }
    }
  else
    {
      g_autofree char *fingerprint = air_host_key_fingerprint (keys->pdata[0]);
      char reply[16] = "";

      /* The strongest type comes first (ssh-keyscan -t ed25519,…). */
      g_print (_("The host of zone “%s” offers this key:\n  %.*s  %s\n"),
               zone, (int) strcspn (keys->pdata[0], " "), (char *) keys->pdata[0], fingerprint);
      if (!isatty (STDIN_FILENO))
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                       _("Compare the fingerprint with “ssh-keygen -lf” of the host's key, then run "
                         "“qair zone trust %s --fingerprint %s”."), zone, fingerprint);
          return FALSE;
        }
      g_print ("%s", _("Compare it with “ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub” on the host. "
                       "Trust it? Type “yes”: "));
      fflush (stdout);
      if (fgets (reply, sizeof reply, stdin) == NULL || strcmp (g_strstrip (reply), "yes") != 0)
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED, _("Nothing was pinned."));
          return FALSE;
        }
      chosen = g_steal_pointer (&fingerprint);
    }

  request = air_zone_setup_pin_request (chosen);
  pinned = setup_call (gateway, "pin", request, error);
  if (pinned == NULL)
    return FALSE;
  /* Said pinned only when the gateway says so: an empty or other answer
   * pinned nothing. */
  {
    gsize len = 0;
    const char *data = g_bytes_get_data (pinned, &len);
    g_autoptr(JsonObject) root = len > 0 ? air_json_parse_object (data, len, AIR_ZONE_SETUP_MAX_ANSWER, NULL) : NULL;
    const char *said = NULL;

    if (root == NULL || !air_json_get_string (root, "pinned", 100, &said, NULL) || strcmp (said, chosen) != 0)
      {
        g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                     _("The gateway of zone “%s” did not confirm that it pinned the host key; nothing is trusted yet. "
                       "Run “qair zone trust %s” again."), zone, zone);
        return FALSE;
      }
  }
  g_print (_("Pinned the host key %s for zone “%s”.\n"), chosen, zone);
  return TRUE;
}

/* A pinned request's answer: said pinned only when the gateway says so
 * (an empty or other answer pinned nothing). */
static gboolean
confirmed (GBytes     *pinned,
           const char *chosen)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (pinned, &len);
  g_autoptr(JsonObject) root = len > 0 ? air_json_parse_object (data, len, AIR_ZONE_SETUP_MAX_ANSWER, NULL) : NULL;
  const char *said = NULL;

  return root != NULL && air_json_get_string (root, "pinned", 100, &said, NULL) &&
         air_zone_setup_fingerprints_equal (said, chosen);
}

/* The Proxmox server's certificate key: shown, compared and pinned. */
static gboolean
trust_server (const char  *zone,
              const char  *gateway,
              const char  *expected,
              GError     **error)
{
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GBytes) pinned = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *request = NULL;
  static const char compare[] =
    "openssl x509 -in /etc/pve/local/pve-ssl.pem -pubkey -noout | "
    "openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64";

  answer = setup_call (gateway, "scan", NULL, error);
  if (answer == NULL || (fingerprint = air_zone_setup_parse_tls_pin (answer, error)) == NULL)
    return FALSE;

  if (expected != NULL)
    {
      if (!air_zone_setup_fingerprints_equal (fingerprint, expected))
        {
          g_autofree char *shown = air_text_sanitize (expected, -1, 100);

          g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                       _("The Proxmox server of zone “%s” shows the certificate key %s, not %s. "
                         "Nothing was pinned."), zone, fingerprint, shown);
          return FALSE;
        }
    }
  else
    {
      char reply[16] = "";

      g_print (_("The Proxmox server of zone “%s” shows this certificate key:\n  %s\n"), zone, fingerprint);
      if (!isatty (STDIN_FILENO))
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                       _("Compare it with what “%s” prints on the Proxmox server, then run "
                         "“qair zone trust %s --fingerprint %s”."), compare, zone, fingerprint);
          return FALSE;
        }
      g_print (_("Compare it with what “%s” prints on the Proxmox server. Trust it? Type “yes”: "), compare);
      fflush (stdout);
      if (fgets (reply, sizeof reply, stdin) == NULL || strcmp (g_strstrip (reply), "yes") != 0)
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED, _("Nothing was pinned."));
          return FALSE;
        }
    }

  request = air_zone_setup_pin_request (expected ? expected : fingerprint);
  pinned = setup_call (gateway, "pin", request, error);
  if (pinned == NULL)
    return FALSE;
  if (!confirmed (pinned, fingerprint))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("The gateway of zone “%s” did not confirm that it pinned the certificate; nothing is trusted yet. "
                     "Run “qair zone trust %s” again."), zone, zone);
      return FALSE;
    }
  g_print (_("Pinned the certificate key %s for zone “%s”.\n"), fingerprint, zone);
  return TRUE;
}

static AirZoneRegistry *
load_registry (GError **error)
{
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (NULL);

  if (!air_zone_registry_load (registry, error))
    return NULL;
  return g_steal_pointer (&registry);
}

/* Shows the zone host's half of the tunnel. */
static void
print_host_half (AirWireguardSetup *wireguard,
                 gboolean           whole_file,
                 gboolean           proxmox)
{
  if (whole_file && proxmox)
    g_print (_("\nThe gateway's WireGuard configuration is %s (interface %s, public key %s); "
               "its private key is kept in the vault.\n"
               "On the Proxmox host, put this in /etc/wireguard/%s.conf and run "
               "“systemctl enable --now wg-quick@%s” (the tunnel then comes up with the host); "
               "the gateway reaches Proxmox's API (port 8006) at the host's tunnel address:\n\n"),
             wireguard->config_path, wireguard->interface, wireguard->public_key,
             wireguard->interface, wireguard->interface);
  else if (whole_file)
    g_print (_("\nThe gateway's WireGuard configuration is %s (interface %s, public key %s); "
               "its private key is kept in the vault.\n"
               "On the zone host, put this in /etc/wireguard/%s.conf and run “wg-quick up %s”:\n\n"),
             wireguard->config_path, wireguard->interface, wireguard->public_key,
             wireguard->interface, wireguard->interface);
  else
    g_print (_("\nThe gateway's new WireGuard public key is %s; its private key is kept in the vault.\n"
               "On the zone host, replace the gateway's [Peer] in /etc/wireguard/%s.conf with this "
               "and run “wg syncconf %s <(wg-quick strip %s)”:\n\n"),
             wireguard->public_key, wireguard->interface, wireguard->interface, wireguard->interface);
  g_print ("%s\n", wireguard->host_config);
}

static int
zone_add (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZoneRegistry) registry = NULL;
  g_autoptr(AirZone) zone = NULL;
  g_autoptr(AirSshConfig) config = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(AirWireguardSetup) wireguard = NULL;
  g_autofree char *driver = NULL;
  g_autofree char *gateway = NULL;
  g_autofree char *host = NULL;
  g_autofree char *user = NULL;
  g_autofree char *agent = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *peer_key = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *request = NULL;
  g_autofree char *url = NULL;
  g_autofree char *node = NULL;
  g_autofree char *pool = NULL;
  g_autofree char *storage = NULL;
  gboolean proxmox;
  int port = AIR_SSH_DEFAULT_PORT, timeout = AIR_SSH_DEFAULT_TIMEOUT;
  const char *name;
  const GOptionEntry entries[] = {
    { "driver", 'd', 0, G_OPTION_ARG_STRING, &driver, N_("How the gateway reaches the zone: local, ssh or proxmox"), "DRIVER" },
    { "gateway", 'g', 0, G_OPTION_ARG_STRING, &gateway, N_("The gateway qube (default: sys-remote-NAME)"), "QUBE" },
    { "host", 'H', 0, G_OPTION_ARG_STRING, &host, N_("The zone host's name or address"), "HOST" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_("Its SSH port (default: 22)"), "PORT" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, N_("The user to log in as on the host"), "USER" },
    { "agent", 0, 0, G_OPTION_ARG_STRING, &agent, N_("qubes-air-agent's path on the host"), "PATH" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, N_("Seconds to wait for the host (default: 10)"), "S" },
    { "wireguard", 'w', 0, G_OPTION_ARG_STRING, &endpoint, N_("Make a WireGuard tunnel to this endpoint"), "HOST:PORT" },
    { "wireguard-peer-key", 0, 0, G_OPTION_ARG_STRING, &peer_key, N_("The zone host's WireGuard public key"), "KEY" },
    { "fingerprint", 'f', 0, G_OPTION_ARG_STRING, &fingerprint, N_("Pin the host key with this fingerprint"), "SHA256:…" },
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, N_("The Proxmox VE server's address"), "https://HOST:8006" },
    { "node", 0, 0, G_OPTION_ARG_STRING, &node, N_("The Proxmox node the zone's VMs run on"), "NODE" },
    { "pool", 0, 0, G_OPTION_ARG_STRING, &pool, N_("The Proxmox pool of the zone's VMs (default: VMs tagged qubes-air)"), "POOL" },
    { "storage", 0, 0, G_OPTION_ARG_STRING, &storage, N_("Make full clones on this Proxmox storage"), "STORAGE" },
    { NULL }
  };

  context = g_option_context_new (_("NAME — add a zone"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, "zone add", error->message);
  if (argc != 2)
    return air_cli_usage_error (context, "zone add", _("Name the zone"));
  name = argv[1];
  if (driver == NULL)
    driver = g_strdup (url ? "proxmox" : host || endpoint ? "ssh" : "local");
  proxmox = strcmp (driver, "proxmox") == 0;
  if (proxmox && (url == NULL || node == NULL))
    return air_cli_usage_error (context, "zone add", _("A proxmox zone needs --url https://HOST:8006 and --node NODE"));
  if (proxmox && host)
    return air_cli_usage_error (context, "zone add", _("--host is for the ssh driver; a proxmox zone has --url"));
  if (!proxmox && (url || node || pool || storage))
    return air_cli_usage_error (context, "zone add", _("--url, --node, --pool and --storage are for the proxmox driver"));
  if (proxmox && !g_str_has_prefix (url, "https://"))
    return air_cli_usage_error (context, "zone add", _("The Proxmox server's --url must start with https://, e.g. https://pve.example:8006"));
  /* Through its tunnel the zone host is at its tunnel address. */
  if (strcmp (driver, "ssh") == 0 && host == NULL && endpoint != NULL)
    air_wireguard_addresses (name, NULL, &host);
  if (strcmp (driver, "ssh") == 0 && host == NULL)
    return air_cli_usage_error (context, "zone add", _("An ssh zone needs --host, or --wireguard to reach its host through a tunnel"));
  if (strcmp (driver, "ssh") != 0 && !proxmox && (host || endpoint))
    return air_cli_usage_error (context, "zone add", _("--host and --wireguard are for the ssh driver"));
  if (peer_key != NULL && endpoint == NULL)
    return air_cli_usage_error (context, "zone add", _("--wireguard-peer-key needs --wireguard"));

  if ((registry = load_registry (&error)) == NULL)
    return air_cli_fail (error);
  zone = air_zone_new (name, gateway, driver);
  if (!air_name_validate (name, "zone", &error) ||
      !air_zone_registry_add (registry, zone, &error))
    return air_cli_fail (error);

  if (strcmp (driver, "ssh") == 0)
    {
      config = air_ssh_config_new (host);
      config->port = port > 0 && port <= 65535 ? (guint) port : 0;
      config->user = g_strdup (user);
      if (agent != NULL)
        {
          g_free (config->agent_path);
          config->agent_path = g_strdup (agent);
        }
      config->connect_timeout = timeout > 0 ? (guint) timeout : 0;
      config->wireguard = g_strdup (endpoint);
      if (!air_ssh_config_validate (config, &error) ||
          (endpoint && !air_wireguard_endpoint_validate (endpoint, &error)))
        return air_cli_fail (error);
      if (peer_key != NULL && !air_wireguard_key_is_valid (peer_key))
        {
          g_printerr ("qair: %s\n", _("The zone host's WireGuard key must be 44 characters of base64, as “wg pubkey” prints it"));
          return AIR_CLI_EXIT_FAILED;
        }

      /* The gateway first: a zone in the list that its gateway does not
       * know would only fail later. Its WireGuard key is made in the
       * vault, which gives it to the gateway only to bring the tunnel up. */
      if (endpoint != NULL)
        {
          g_autofree char *public_key = air_cli_vault_wireguard_key (name, air_zone_get_gateway (zone), &error);

          if (public_key == NULL)
            return air_cli_fail (error);
          request = air_zone_setup_configure_request (config, peer_key, public_key);
        }
      else
        request = air_zone_setup_configure_request (config, peer_key, NULL);
      answer = setup_call (air_zone_get_gateway (zone), "configure", request, &error);
      if (answer == NULL)
        return air_cli_fail (error);
      wireguard = air_zone_setup_parse_configured (answer, &error);
      if (error != NULL)
        return air_cli_fail (error);
      if (!air_zone_registry_set_ssh_config (registry, name, config, &error))
        return air_cli_fail (error);
    }

  if (proxmox)
    {
      g_autofree char *public_key = NULL;

      if (endpoint != NULL && !air_wireguard_endpoint_validate (endpoint, &error))
        return air_cli_fail (error);
      if (peer_key != NULL && !air_wireguard_key_is_valid (peer_key))
        {
          g_printerr ("qair: %s\n", _("The Proxmox host's WireGuard key must be 44 characters of base64, "
                                      "as “wg pubkey” prints it"));
          return AIR_CLI_EXIT_FAILED;
        }
      /* The tunnel's key pair is made in the vault, as for an ssh zone. */
      if (endpoint != NULL &&
          (public_key = air_cli_vault_wireguard_key (name, air_zone_get_gateway (zone), &error)) == NULL)
        return air_cli_fail (error);
      /* The gateway checks the URL and names itself (it is the one that
       * will use them) and says what is wrong. */
      request = air_zone_setup_proxmox_request (url, node, pool, storage, endpoint, peer_key, public_key);
      answer = setup_call (air_zone_get_gateway (zone), "configure", request, &error);
      if (answer == NULL)
        return air_cli_fail (error);
      wireguard = air_zone_setup_parse_configured (answer, &error);
      if (error != NULL)
        return air_cli_fail (error);
    }

  if (!air_zone_registry_save (registry, &error))
    return air_cli_fail (error);
  g_print (_("Zone “%s” added; its gateway is %s.\n"), name, air_zone_get_gateway (zone));

  if (proxmox && wireguard != NULL)
    {
      print_host_half (wireguard, TRUE, TRUE);
      if (fingerprint == NULL)
        {
          g_print (_("Then bring the gateway's end up with “qair zone up %s”; when the tunnel is up, "
                     "pin the server's certificate with “qair zone trust %s”, and store its API token "
                     "with “qair cred put %s --kind proxmox-token”.\n"), name, name, name);
          return AIR_CLI_EXIT_OK;
        }
    }

  if (proxmox)
    {
      if (!trust_server (name, air_zone_get_gateway (zone), fingerprint, &error))
        {
          g_printerr ("qair: %s\n", error->message);
          g_printerr (_("qair: Zone “%s” is added without a pinned certificate, so nothing is sent to its server yet. "
                        "Run “qair zone trust %s”; or remove it with “qair zone rm %s”.\n"),
                      name, name, name);
          return AIR_CLI_EXIT_FAILED;
        }
      g_print (_("Store its API token with “qair cred put %s --kind proxmox-token”, if you have not.\n"), name);
      return AIR_CLI_EXIT_OK;
    }

  if (wireguard != NULL)
    {
      print_host_half (wireguard, TRUE, FALSE);
      if (fingerprint == NULL)
        {
          g_print (_("Then bring the gateway's end up with “qair zone up %s”; when the tunnel is up, "
                     "pin the host's key with “qair zone trust %s”.\n"), name, name);
          return AIR_CLI_EXIT_OK;
        }
    }

  if (config != NULL && !trust_host (name, air_zone_get_gateway (zone), fingerprint, &error))
    {
      /* The zone stays, unusable until a key is pinned: say how to go on. */
      g_printerr ("qair: %s\n", error->message);
      g_printerr (_("qair: Zone “%s” is added without a pinned host key, so nothing is sent to it yet. "
                    "When its host answers, run “qair zone trust %s”; or remove it with “qair zone rm %s”.\n"),
                  name, name, name);
      return AIR_CLI_EXIT_FAILED;
    }
  return AIR_CLI_EXIT_OK;
}

static int
zone_trust (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZoneRegistry) registry = NULL;
  g_autofree char *fingerprint = NULL;
  AirZone *zone;
  const GOptionEntry entries[] = {
    { "fingerprint", 'f', 0, G_OPTION_ARG_STRING, &fingerprint, N_("Pin the host key with this fingerprint"), "SHA256:…" },
    { NULL }
  };

  context = g_option_context_new (_("NAME — pin the zone host's SSH key, or the Proxmox server's certificate"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, "zone trust", error->message);
  if (argc != 2)
    return air_cli_usage_error (context, "zone trust", _("Name the zone"));

  if ((registry = load_registry (&error)) == NULL)
    return air_cli_fail (error);
  zone = air_zone_registry_lookup (registry, argv[1]);
  if (zone != NULL && g_strcmp0 (air_zone_get_driver (zone), "proxmox") == 0)
    {
      if (!trust_server (argv[1], air_zone_get_gateway (zone), fingerprint, &error))
        return air_cli_fail (error);
      return AIR_CLI_EXIT_OK;
    }
  if (zone == NULL || air_zone_registry_get_ssh_config (registry, argv[1]) == NULL)
    {
      g_autofree char *shown = air_text_sanitize (argv[1], -1, 40);

      g_printerr (_("qair: There is no ssh or proxmox zone called “%s”.\n"), shown);
      return AIR_CLI_EXIT_FAILED;
    }
  if (!trust_host (argv[1], air_zone_get_gateway (zone), fingerprint, &error))
    return air_cli_fail (error);
  return AIR_CLI_EXIT_OK;
}

/* Whether the vault keeps a WireGuard key for @zone: a proxmox zone has a
 * tunnel when it does (the zone list does not say). */
static gboolean
vault_has_wireguard_key (const char *zone)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_auto(AirCliWait) wait = { 0 };
  g_autoptr(GPtrArray) list = NULL;

  air_cli_wait_init (&wait);
  air_vault_client_list_async (client, NULL, air_cli_wait_cb, &wait);
  list = air_vault_client_list_finish (client, air_cli_wait_finish (&wait), NULL);
  for (guint i = 0; list != NULL && i < list->len; i++)
    if (g_strcmp0 (air_credential_info_get_zone (list->pdata[i]), zone) == 0 &&
        g_strcmp0 (air_credential_info_get_kind (list->pdata[i]), "wireguard-key") == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_proxmox (AirZone *zone)
{
  return zone != NULL && g_strcmp0 (air_zone_get_driver (zone), "proxmox") == 0;
}

static int
zone_remove (int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZoneRegistry) registry = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *gateway = NULL;
  gboolean ssh, wireguard;

  if (argc != 2)
    {
      g_printerr ("qair: %s\n", _("Use: qair zone rm NAME"));
      return AIR_CLI_EXIT_USAGE;
    }
  if ((registry = load_registry (&error)) == NULL)
    return air_cli_fail (error);
  if (air_zone_registry_lookup (registry, argv[1]) != NULL)
    gateway = g_strdup (air_zone_get_gateway (air_zone_registry_lookup (registry, argv[1])));
  ssh = air_zone_registry_get_ssh_config (registry, argv[1]) != NULL ||
        (air_zone_registry_lookup (registry, argv[1]) != NULL &&
         g_strcmp0 (air_zone_get_driver (air_zone_registry_lookup (registry, argv[1])), "proxmox") == 0);
  wireguard = (air_zone_registry_get_ssh_config (registry, argv[1]) != NULL &&
               air_zone_registry_get_ssh_config (registry, argv[1])->wireguard != NULL) ||
              (is_proxmox (air_zone_registry_lookup (registry, argv[1])) && vault_has_wireguard_key (argv[1]));
  if (!air_zone_registry_remove (registry, argv[1], &error) ||
      !air_zone_registry_save (registry, &error))
    return air_cli_fail (error);

  /* The tunnel's key goes with the zone. */
  if (wireguard)
    {
      g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
      g_auto(AirCliWait) wait = { 0 };
      g_autoptr(GError) vault_error = NULL;

      air_cli_wait_init (&wait);
      air_vault_client_delete_async (client, argv[1], "wireguard-key", NULL, air_cli_wait_cb, &wait);
      if (!air_vault_client_delete_finish (client, air_cli_wait_finish (&wait), NULL, &vault_error))
        g_printerr (_("qair: the zone is removed, but the vault kept its WireGuard key: %s\n"),
                    vault_error->message);
    }

  /* The gateway forgets the host, its key and the connection. */
  if (ssh && (answer = setup_call (gateway, "remove", NULL, &error)) == NULL)
    g_printerr (_("qair: the zone is removed, but its gateway could not forget it: %s\n"), error->message);
  return AIR_CLI_EXIT_OK;
}

/* The ssh or proxmox zone NAME of the registry that has a WireGuard
 * tunnel, and its gateway; else a message. */
static const char *
wireguard_zone (AirZoneRegistry  *registry,
                const char       *name,
                GError          **error)
{
  AirZone *zone = air_zone_registry_lookup (registry, name);
  const AirSshConfig *config = air_zone_registry_get_ssh_config (registry, name);

  if (is_proxmox (zone) && vault_has_wireguard_key (name))
    return air_zone_get_gateway (zone);
  if (zone == NULL || config == NULL || config->wireguard == NULL)
    {
      g_autofree char *shown = air_text_sanitize (name, -1, 40);

      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                   _("There is no zone called “%s” with a WireGuard tunnel (qair zone add NAME --wireguard HOST:PORT makes one)"),
                   shown);
      return NULL;
    }
  return air_zone_get_gateway (zone);
}

static int
zone_up (int    argc,
         char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZoneRegistry) registry = NULL;
  g_autoptr(GBytes) answer = NULL;
  const char *gateway;

  if (argc != 2)
    {
      g_printerr ("qair: %s\n", _("Use: qair zone up NAME"));
      return AIR_CLI_EXIT_USAGE;
    }
  if ((registry = load_registry (&error)) == NULL ||
      (gateway = wireguard_zone (registry, argv[1], &error)) == NULL ||
      (answer = setup_call (gateway, "up", NULL, &error)) == NULL)
    return air_cli_fail (error);
  g_print (_("The WireGuard tunnel of zone “%s” is up in its gateway %s.\n"), argv[1], gateway);
  return AIR_CLI_EXIT_OK;
}

static int
zone_rekey (int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZoneRegistry) registry = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(AirWireguardSetup) wireguard = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *public_key = NULL;
  g_autofree char *request = NULL;
  const char *gateway;

  if (argc != 2)
    {
      g_printerr ("qair: %s\n", _("Use: qair zone rekey NAME"));
      return AIR_CLI_EXIT_USAGE;
    }
  if ((registry = load_registry (&error)) == NULL ||
      (gateway = wireguard_zone (registry, argv[1], &error)) == NULL ||
      (public_key = air_cli_vault_wireguard_key (argv[1], gateway, &error)) == NULL)
    return air_cli_fail (error);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "wireguard_public_key");
  json_builder_add_string_value (builder, public_key);
  json_builder_end_object (builder);
  request = air_json_builder_to_line (builder);
  answer = setup_call (gateway, "rekey", request, &error);
  if (answer == NULL)
    {
      g_printerr (_("qair: The vault has the new key of zone “%s”, but its gateway did not take it: %s\n"
                    "qair: Run “qair zone rekey %s” again when the gateway answers.\n"),
                  argv[1], error->message, argv[1]);
      return AIR_CLI_EXIT_FAILED;
    }
  wireguard = air_zone_setup_parse_configured (answer, &error);
  if (wireguard == NULL)
    return air_cli_fail (error ? g_steal_pointer (&error)
                 : g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL, _("The gateway's answer has no WireGuard configuration")));
  g_print (_("Zone “%s” has a new WireGuard key pair; the private key is in the vault, and no file of "
             "the gateway holds it.\n"), argv[1]);
  print_host_half (wireguard, FALSE, FALSE);
  return AIR_CLI_EXIT_OK;
}

int
air_cli_zone_main (int    argc,
                   char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "add") == 0)
    return zone_add (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "trust") == 0)
    return zone_trust (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "rm") == 0)
    return zone_remove (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "up") == 0)
    return zone_up (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "rekey") == 0)
    return zone_rekey (argc - 1, argv + 1);

  g_printerr ("%s", _("Usage:\n"
                      "  qair zone add NAME --driver ssh --host H [--port P] [--user U] [--wireguard ENDPOINT]\n"
                      "  qair zone add NAME --driver proxmox --url https://HOST:8006 --node NODE [--pool P] [--storage S] [--wireguard ENDPOINT]\n"
                      "  qair zone trust NAME [--fingerprint SHA256:…]\n"
                      "  qair zone up NAME\n"
                      "  qair zone rekey NAME\n"
                      "  qair zone rm NAME\n"));
  return AIR_CLI_EXIT_USAGE;
}
