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
 * vault when it needs it (air-proxmox-driver.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-setup"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <string.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-fd-io.h"
#include "air-host-key.h"
#include "air-json.h"
#include "air-names.h"
#include "air-proxmox-driver.h"
#include "air-ssh-driver.h"
#include "air-vault-client.h"
#include "air-wireguard-key.h"
#include "air-zone-setup.h"
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

static JsonObject *
read_request (GError **error)
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

static int
answer (JsonBuilder *builder)
{
  g_autofree char *line = air_json_builder_to_line (builder);

  g_print ("%s", line);
  return 0;
}

static char *
wireguard_path (const char *state_dir,
                const char *zone)
{
  g_autofree char *interface = air_wireguard_interface_name (zone);
  g_autofree char *file = g_strdup_printf ("%s.conf", interface);

  return g_build_filename (state_dir, "wireguard", file, NULL);
}

static gboolean
write_private (const char  *path,
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

/* Overwrites a file with zeros before removing it: a wg-quick file of a
 * zone made before the keys moved to the vault holds a private key. */
static void
wipe_file (const char *path)
{
  struct stat st;
  int fd = g_open (path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
        {
          static const char zeros[4096];
          off_t left = st.st_size;

          while (left > 0)
            {
              ssize_t n = write (fd, zeros, MIN ((off_t) sizeof zeros, left));

              if (n <= 0)
                break;
              left -= n;
            }
          fsync (fd);
        }
      close (fd);
    }
  g_unlink (path);
}

/* Writes the gateway's wg-quick file (no private key in it) and adds the
 * "wireguard" member of the answer: the zone host's half, with a private
 * key of the host's own only when the user gave no host key (that one is
 * the host's, shown once and kept nowhere here). */
static gboolean
write_wireguard (const char   *state_dir,
                 const char   *zone,
                 const char   *own_key,
                 const char   *peer_key,
                 const char   *endpoint,
                 JsonBuilder  *builder,
                 GError      **error)
{
  char host_private[AIR_WIREGUARD_KEY_LEN + 1] = "", host_public[AIR_WIREGUARD_KEY_LEN + 1];
  g_autofree char *conf_path = wireguard_path (state_dir, zone);
  g_autofree char *interface = air_wireguard_interface_name (zone);
  g_autofree char *gateway_conf = NULL;
  g_autofree char *host_conf = NULL;
  gboolean made_host_key = peer_key == NULL;

  if (made_host_key &&
      (!air_wireguard_key_generate (host_private, error) ||
       !air_wireguard_key_public (host_private, host_public, error)))
    return FALSE;

  gateway_conf = air_wireguard_gateway_config (zone, NULL, own_key,
                                               made_host_key ? host_public : peer_key, endpoint);
  host_conf = air_wireguard_host_config (zone, own_key, made_host_key ? host_private : NULL,
                                         endpoint);
  sodium_memzero (host_private, sizeof host_private);
  /* A file of before the vault kept the keys has the old private key. */
  wipe_file (conf_path);
  if (!write_private (conf_path, gateway_conf, error))
    {
      sodium_memzero (host_conf, strlen (host_conf));
      return FALSE;
    }

  json_builder_set_member_name (builder, "wireguard");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "interface");
  json_builder_add_string_value (builder, interface);
  json_builder_set_member_name (builder, "config");
  json_builder_add_string_value (builder, conf_path);
  json_builder_set_member_name (builder, "public_key");
  json_builder_add_string_value (builder, own_key);
  json_builder_set_member_name (builder, "host_config");
  json_builder_add_string_value (builder, host_conf);
  json_builder_end_object (builder);
  sodium_memzero (host_conf, strlen (host_conf));
  return TRUE;
}

static gboolean
save_proxmox (const char              *state_dir,
              const AirProxmoxConfig  *config,
              GError                 **error)
{
  g_autofree char *path = proxmox_path (state_dir);
  g_autofree char *json = air_proxmox_config_to_json (config);

  return write_private (path, json, error);
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
  g_autofree char *json = NULL;

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
  json_builder_end_object (builder);
  return answer (builder);
}

static int
configure (const char  *state_dir,
           const char  *zone,
           GError     **error)
{
  g_autoptr(JsonObject) request = read_request (error);
  g_autofree char *proxmox = proxmox_path (state_dir);
  g_autoptr(AirSshConfig) config = air_ssh_config_new (NULL);
  g_autoptr(AirZoneRegistry) registry = NULL;
  g_autoptr(AirZone) entry = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *path = air_zone_setup_config_path (state_dir);
  const char *host, *user, *agent, *wireguard, *peer_key, *driver, *own_key;
  gint64 port, timeout;

  if (request == NULL ||
      !air_json_get_opt_string (request, "driver", 16, "ssh", &driver, error))
    return -1;
  if (strcmp (driver, "proxmox") == 0)
    return configure_proxmox (state_dir, zone, request, error);
  if (!air_json_get_string (request, "host", AIR_SSH_MAX_HOST, &host, error) ||
      !air_json_get_opt_int (request, "port", 1, 65535, AIR_SSH_DEFAULT_PORT, &port, error) ||
      !air_json_get_opt_string (request, "user", AIR_SSH_MAX_USER, NULL, &user, error) ||
      !air_json_get_opt_string (request, "agent", AIR_SSH_MAX_PATH, AIR_SSH_DEFAULT_AGENT, &agent, error) ||
      !air_json_get_opt_int (request, "timeout", 1, AIR_SSH_MAX_TIMEOUT, AIR_SSH_DEFAULT_TIMEOUT, &timeout, error) ||
      !air_json_get_opt_string (request, "wireguard", AIR_WIREGUARD_MAX_ENDPOINT, NULL, &wireguard, error) ||
      !air_json_get_opt_string (request, "wireguard_peer_key", AIR_WIREGUARD_KEY_LEN, NULL, &peer_key, error) ||
      !air_json_get_opt_string (request, "wireguard_public_key", AIR_WIREGUARD_KEY_LEN, NULL, &own_key, error))
    return -1;

  g_free (config->host);
  config->host = g_strdup (host);
  config->port = port;
  config->user = g_strdup (user);
  g_free (config->agent_path);
  config->agent_path = g_strdup (agent);
  config->connect_timeout = timeout;
  config->wireguard = g_strdup (wireguard);
  if (wireguard != NULL && !air_wireguard_endpoint_validate (wireguard, error))
    return -1;
  if (peer_key != NULL && !air_wireguard_key_is_valid (peer_key))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The zone host's WireGuard key must be 44 characters of base64, as “wg pubkey” prints it"));
      return -1;
    }
  /* The gateway's private key is made and kept in the vault: only its
   * public half comes here. */
  if (wireguard != NULL && (own_key == NULL || !air_wireguard_key_is_valid (own_key)))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The gateway's WireGuard key is made in the vault: have it made there first "
                     "(“qair zone add %s --wireguard …” does), and send its public key"), zone);
      return -1;
    }

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
      !write_wireguard (state_dir, zone, own_key, peer_key, wireguard, builder, error))
    return -1;

  json_builder_end_object (builder);
  return answer (builder);
}

/* The tunnel */

typedef struct {
  gboolean  done;
  gboolean  timed_out;
  char     *err;
  GError   *error;
} ToolWait;

static void
tool_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ToolWait *wait = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, NULL, &wait->err, &wait->error);
  wait->done = TRUE;
}

static gboolean
tool_timeout_cb (gpointer user_data)
{
  ToolWait *wait = user_data;

  wait->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs ip or wg with a time limit (wg waits for ever on a userspace
 * WireGuard that hangs); @key_fd, when not -1, becomes its fd 3. */
static gboolean
run_tool (const char * const  *argv,
          int                  key_fd,
          GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timeout = NULL;
  ToolWait wait = { 0 };
  g_autofree char *shown = NULL;

  if (key_fd >= 0)
    g_subprocess_launcher_take_fd (launcher, key_fd, 3);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return FALSE;

  g_main_context_push_thread_default (context);
  timeout = g_timeout_source_new_seconds (10);
  g_source_set_callback (timeout, tool_timeout_cb, &wait, NULL);
  g_source_attach (timeout, context);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, tool_done_cb, &wait);
  while (!wait.done && !wait.timed_out)
    g_main_context_iteration (context, TRUE);
  if (!wait.done)
    {
      g_subprocess_force_exit (process);
      while (!wait.done)
        g_main_context_iteration (context, TRUE);
    }
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);

  if (wait.error != NULL)
    {
      g_propagate_error (error, wait.error);
      g_free (wait.err);
      return FALSE;
    }
  shown = air_text_sanitize (wait.err ? g_strstrip (wait.err) : "", -1, 200);
  g_free (wait.err);
  if (wait.timed_out)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("“%s” did not finish within 10 s"), argv[0]);
      return FALSE;
    }
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("“%s %s” failed: %s"), argv[0], argv[1], shown);
      return FALSE;
    }
  return TRUE;
}

static void
new_session (gpointer user_data)
{
  setsid ();
}

static gboolean
interface_exists (const char *interface)
{
  g_autofree char *path = g_build_filename ("/sys/class/net", interface, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* The kernel's WireGuard where there is one, else wireguard-go (userspace,
 * as in a qube whose kernel has no module): started in the foreground in
 * a session of its own, so it stays when this service ends. */
static gboolean
ensure_interface (const char  *interface,
                  GError     **error)
{
  const char *kernel[] = { "ip", "link", "add", "dev", interface, "type", "wireguard", NULL };
  const char *program = g_getenv ("AIR_WIREGUARD_GO");
  g_autofree char *socket = g_strdup_printf ("/var/run/wireguard/%s.sock", interface);
  const char *userspace[] = { program && program[0] ? program : "wireguard-go", "-f", interface, NULL };
  gint64 deadline;

  if (interface_exists (interface) || run_tool (kernel, -1, NULL))
    return TRUE;

  if (!g_spawn_async (NULL, (char **) userspace, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL |
                      G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      new_session, NULL, NULL, error))
    {
      g_prefix_error (error, _("There is no WireGuard in this qube's kernel, and wireguard-go "
                               "could not be started: "));
      return FALSE;
    }

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!(interface_exists (interface) && g_file_test (socket, G_FILE_TEST_EXISTS)))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                       _("wireguard-go did not make the interface %s within 10 s"), interface);
          return FALSE;
        }
      g_usleep (50 * 1000);
    }
  return TRUE;
}

typedef struct {
  GBytes  *secret;
  GError  *error;
  gboolean done;
} KeyWait;

static void
key_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  KeyWait *wait = user_data;

  wait->secret = air_vault_client_get_finish (AIR_VAULT_CLIENT (source), result, &wait->error);
  wait->done = TRUE;
}

/* The zone's WireGuard private key from the vault, which gives it to this
 * zone's gateway only. */
static GBytes *
fetch_key (const char  *zone,
           GError     **error)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autoptr(GMainContext) context = g_main_context_new ();
  KeyWait wait = { 0 };

  g_main_context_push_thread_default (context);
  air_vault_client_get_async (client, zone, "wireguard-key", NULL, key_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  if (wait.secret == NULL)
    {
      g_propagate_prefixed_error (error, wait.error,
                                  _("The WireGuard key of zone “%s” could not be read from the vault: "),
                                  zone);
      return NULL;
    }
  return wait.secret;
}

/* Brings the zone's tunnel up: the private key goes from the vault's
 * answer through a pipe to wg (as /dev/fd/3), never to a file, argv or
 * the environment. */
static gboolean
bring_up (const char  *state_dir,
          const char  *zone,
          const char  *contents,
          const char  *endpoint,
          GError     **error)
{
  g_autofree char *interface = air_wireguard_interface_name (zone);
  g_autofree char *peer = air_wireguard_config_value (contents, "PublicKey");
  g_autofree char *own = air_wireguard_config_value (contents, AIR_WIREGUARD_OWN_KEY_COMMENT);
  g_autofree char *gateway = NULL;
  g_autofree char *host = NULL;
  g_autofree char *address = NULL;
  g_autofree char *allowed = NULL;
  g_autoptr(GBytes) secret = NULL;
  char private_key[AIR_WIREGUARD_KEY_LEN + 2], public_key[AIR_WIREGUARD_KEY_LEN + 1];
  const char *data;
  gsize len;
  int fds[2];
  gboolean ok, created;

  if (peer == NULL || !air_wireguard_key_is_valid (peer) || own == NULL || !air_wireguard_key_is_valid (own))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The WireGuard configuration of zone “%s” on this gateway is damaged; "
                     "make it again with “qair zone rekey %s”"), zone, zone);
      return FALSE;
    }

  secret = fetch_key (zone, error);
  if (secret == NULL)
    return FALSE;
  data = g_bytes_get_data (secret, &len);
  while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == ' '))
    len--;
  if (len != AIR_WIREGUARD_KEY_LEN)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("The vault's WireGuard key of zone “%s” is not a WireGuard key"), zone);
      return FALSE;
    }
  memcpy (private_key, data, len);
  private_key[len] = '\0';
  ok = air_wireguard_key_public (private_key, public_key, error);
  if (ok && strcmp (public_key, own) != 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("The vault's WireGuard key of zone “%s” is not the one this gateway was set up with "
                     "(public key %s); run “qair zone rekey %s”"), zone, own, zone);
      ok = FALSE;
    }
  private_key[len] = '\n';
  /* 45 bytes fit in any pipe: written before wg runs, so nothing waits. */
  if (ok && !g_unix_open_pipe (fds, FD_CLOEXEC, error))
    ok = FALSE;
  if (ok)
    {
      if (write (fds[1], private_key, len + 1) != (ssize_t) len + 1)
        {
          int saved_errno = errno;

          g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot pass the key to wg: %s"),
                       g_strerror (saved_errno));
          close (fds[0]);
          ok = FALSE;
        }
      close (fds[1]);
    }
  sodium_memzero (private_key, sizeof private_key);
  if (!ok)
    return FALSE;

  created = !interface_exists (interface);
  if (!ensure_interface (interface, error))
    {
      close (fds[0]);
      return FALSE;
    }

  air_wireguard_addresses (zone, &gateway, &host);
  address = g_strdup_printf ("%s/30", gateway);
  allowed = g_strdup_printf ("%s/32", host);
  {
    const char *wg_set[] = { "wg", "set", interface, "private-key", "/dev/fd/3",
                             "peer", peer, "endpoint", endpoint, "allowed-ips", allowed,
                             "persistent-keepalive", "25", NULL };
    const char *ip_address[] = { "ip", "address", "replace", address, "dev", interface, NULL };
    const char *ip_up[] = { "ip", "link", "set", interface, "up", NULL };

    const char *ip_del[] = { "ip", "link", "del", "dev", interface, NULL };

    if (run_tool (wg_set, fds[0], error) &&
        run_tool (ip_address, -1, error) &&
        run_tool (ip_up, -1, error))
      return TRUE;
    /* Not left half made (wireguard-go ends with its interface). */
    if (created)
      run_tool (ip_del, -1, NULL);
    return FALSE;
  }
}

/* The zone's WireGuard settings here: its ssh configuration (endpoint) and
 * its wg-quick file. */
static char *
load_wireguard (const char     *state_dir,
                const char     *zone,
                AirSshConfig  **out_config,
                GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(AirSshConfig) config = air_zone_setup_load (state_dir, zone, &local_error);
  g_autofree char *path = wireguard_path (state_dir, zone);
  char *contents = NULL;

  if (config == NULL || config->wireguard == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                     _("Zone “%s” has no WireGuard tunnel on this gateway"), zone);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  *out_config = g_steal_pointer (&config);
  return contents;
}

static int
tunnel_up (const char  *state_dir,
           const char  *zone,
           GError     **error)
{
  g_autoptr(AirSshConfig) config = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *contents = load_wireguard (state_dir, zone, &config, error);
  g_autofree char *interface = air_wireguard_interface_name (zone);
  g_autofree char *legacy = NULL;

  if (contents == NULL)
    return -1;
  legacy = air_wireguard_config_value (contents, "PrivateKey");
  if (legacy != NULL)
    {
      sodium_memzero (legacy, strlen (legacy));
      sodium_memzero (contents, strlen (contents));
      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("The WireGuard key of zone “%s” is not in the vault yet: it is still in a file "
                     "of its gateway. Move it with “qair zone rekey %s” (a new key pair; the zone "
                     "host then needs the new peer configuration it prints)."), zone, zone);
      return -1;
    }
  if (!bring_up (state_dir, zone, contents, config->wireguard, error))
    return -1;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "interface");
  json_builder_add_string_value (builder, interface);
  json_builder_set_member_name (builder, "up");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  return answer (builder);
}

/* A new key pair (made in the vault; its public half in the request): the
 * wg-quick file is written again — the old one, which for a zone made
 * before the vault kept the keys held the private key, is overwritten and
 * removed first — and, when the tunnel is up, it takes the new key. */
static int
rekey (const char  *state_dir,
       const char  *zone,
       GError     **error)
{
  g_autoptr(JsonObject) request = read_request (error);
  g_autoptr(AirSshConfig) config = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *contents = NULL;
  g_autofree char *peer = NULL;
  g_autofree char *interface = air_wireguard_interface_name (zone);
  const char *own_key;

  if (request == NULL ||
      !air_json_get_string (request, "wireguard_public_key", AIR_WIREGUARD_KEY_LEN, &own_key, error))
    return -1;
  if (!air_wireguard_key_is_valid (own_key))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The gateway's new WireGuard public key must be 44 characters of base64"));
      return -1;
    }
  contents = load_wireguard (state_dir, zone, &config, error);
  if (contents == NULL)
    return -1;
  peer = air_wireguard_config_value (contents, "PublicKey");
  sodium_memzero (contents, strlen (contents));
  if (peer == NULL || !air_wireguard_key_is_valid (peer))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The WireGuard configuration of zone “%s” on this gateway names no zone host key; "
                     "add the zone again with “qair zone add … --wireguard-peer-key KEY”"), zone);
      return -1;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "zone");
  json_builder_add_string_value (builder, zone);
  /* The host keeps its own key: only its [Peer] is printed. */
  if (!write_wireguard (state_dir, zone, own_key, peer, config->wireguard, builder, error))
    return -1;
  if (interface_exists (interface))
    {
      g_autofree char *path = wireguard_path (state_dir, zone);
      g_autofree char *fresh = NULL;

      if (!g_file_get_contents (path, &fresh, NULL, error) ||
          !bring_up (state_dir, zone, fresh, config->wireguard, error))
        return -1;
      json_builder_set_member_name (builder, "tunnel_rekeyed");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
  return answer (builder);
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
scan_proxmox (AirProxmoxConfig  *config,
              GError           **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *pin = air_proxmox_fetch_pin (config->url, config->timeout, error);

  if (pin == NULL)
    return -1;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tls_pin");
  json_builder_add_string_value (builder, pin);
  json_builder_end_object (builder);
  return answer (builder);
}

static int
pin_proxmox (const char        *state_dir,
             const char        *zone,
             AirProxmoxConfig  *config,
             GError           **error)
{
  g_autoptr(JsonObject) request = read_request (error);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *pin = NULL;
  g_autofree char *fingerprint = NULL;
  const char *wanted;

  if (request == NULL ||
      !air_json_get_string (request, "fingerprint", 100, &wanted, error) ||
      (pin = air_proxmox_fetch_pin (config->url, config->timeout, error)) == NULL)
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
  return answer (builder);
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
  return answer (builder);
}

static int
pin (const char  *state_dir,
     const char  *zone,
     GError     **error)
{
  g_autoptr(JsonObject) request = read_request (error);
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
      return answer (builder);
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
  g_autofree char *wg = wireguard_path (state_dir, zone);
  g_autofree char *interface = air_wireguard_interface_name (zone);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  if (driver != NULL)
    {
      air_ssh_driver_disconnect (driver);
      g_unlink (air_ssh_driver_get_known_hosts (driver));
    }
  /* The zone's tunnel goes with it (wireguard-go ends with its interface). */
  if (g_file_test (wg, G_FILE_TEST_EXISTS) && interface_exists (interface))
    {
      const char *ip_del[] = { "ip", "link", "del", "dev", interface, NULL };

      run_tool (ip_del, -1, NULL);
    }
  wipe_file (wg);
  g_unlink (path);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "removed");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  return answer (builder);
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
             : strcmp (action, "scan") == 0 ? scan_proxmox (proxmox, &error)
             : pin_proxmox (state_dir, zone, proxmox, &error);
  else if (strcmp (action, "configure") == 0)
    status = configure (state_dir, zone, &error);
  else if (strcmp (action, "scan") == 0)
    status = scan (state_dir, zone, &error);
  else if (strcmp (action, "pin") == 0)
    status = pin (state_dir, zone, &error);
  else if (strcmp (action, "up") == 0)
    status = tunnel_up (state_dir, zone, &error);
  else if (strcmp (action, "rekey") == 0)
    status = rekey (state_dir, zone, &error);
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
