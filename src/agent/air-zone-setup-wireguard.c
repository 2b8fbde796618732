/* air-zone-setup-wireguard.c — qubesair.ZoneSetup: the zone's WireGuard
 * tunnel on the gateway (its wg-quick file without a private key, the
 * key from the vault through a pipe to wg, the interface brought up,
 * rekeyed)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-setup"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-driver.h"
#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-vault-client.h"
#include "air-wireguard-key.h"
#include "air-zone-setup-private.h"

char *
_air_zone_setup_wireguard_path (const char *state_dir,
                                const char *zone)
{
  g_autofree char *interface = air_wireguard_interface_name (zone);
  g_autofree char *file = g_strdup_printf ("%s.conf", interface);

  return g_build_filename (state_dir, "wireguard", file, NULL);
}

/* Overwrites a file with zeros before removing it: a wg-quick file of a
 * zone made before the keys moved to the vault holds a private key. */
void
_air_zone_setup_wipe_file (const char *path)
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
gboolean
_air_zone_setup_write_wireguard (const char   *state_dir,
                                 const char   *zone,
                                 const char   *own_key,
                                 const char   *peer_key,
                                 const char   *endpoint,
                                 JsonBuilder  *builder,
                                 GError      **error)
{
  char host_private[AIR_WIREGUARD_KEY_LEN + 1] = "", host_public[AIR_WIREGUARD_KEY_LEN + 1];
  g_autofree char *conf_path = _air_zone_setup_wireguard_path (state_dir, zone);
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
  _air_zone_setup_wipe_file (conf_path);
  if (!_air_zone_setup_write_private (conf_path, gateway_conf, error))
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
gboolean
_air_zone_setup_run_tool (const char * const  *argv,
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
  g_autoptr(GError) local_error = NULL;

  if (key_fd >= 0)
    g_subprocess_launcher_take_fd (launcher, key_fd, 3);
  process = g_subprocess_launcher_spawnv (launcher, argv, &local_error);
  if (process == NULL)
    {
      if (g_error_matches (local_error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
        g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                     _("“%s” is not installed in this gateway: install %s in its template"),
                     argv[0], strcmp (argv[0], "wg") == 0 ? "wireguard-tools" : "iproute2");
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

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

gboolean
_air_zone_setup_interface_exists (const char *interface)
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

  if (_air_zone_setup_interface_exists (interface) || _air_zone_setup_run_tool (kernel, -1, NULL))
    return TRUE;

  if (!g_spawn_async (NULL, (char **) userspace, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL |
                      G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      air_driver_child_new_session, NULL, NULL, error))
    {
      g_prefix_error (error, _("There is no WireGuard in this qube's kernel, and wireguard-go "
                               "could not be started: "));
      return FALSE;
    }

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!(_air_zone_setup_interface_exists (interface) && g_file_test (socket, G_FILE_TEST_EXISTS)))
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

/* The zone's WireGuard private key from the vault, which gives it to this
 * zone's gateway only. */
static GBytes *
fetch_key (const char  *zone,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GBytes *secret = air_vault_fetch_end (air_vault_fetch_begin (zone, "wireguard-key"), &local_error);

  if (secret == NULL)
    g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                _("The WireGuard key of zone “%s” could not be read from the vault: "), zone);
  return secret;
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

  created = !_air_zone_setup_interface_exists (interface);
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

    if (_air_zone_setup_run_tool (wg_set, fds[0], error) &&
        _air_zone_setup_run_tool (ip_address, -1, error) &&
        _air_zone_setup_run_tool (ip_up, -1, error))
      return TRUE;
    /* Not left half made (wireguard-go ends with its interface). */
    if (created)
      _air_zone_setup_run_tool (ip_del, -1, NULL);
    return FALSE;
  }
}

/* The zone's WireGuard endpoint here, from its ssh or proxmox
 * configuration; NULL with a message when it has no tunnel. */
static char *
load_endpoint (const char  *state_dir,
               const char  *zone,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(AirSshConfig) config = air_zone_setup_load (state_dir, zone, &local_error);
  g_autoptr(AirProxmoxConfig) proxmox = NULL;

  if (config != NULL && config->wireguard != NULL)
    return g_strdup (config->wireguard);
  if (config == NULL && local_error == NULL)
    proxmox = air_zone_setup_load_proxmox (state_dir, &local_error);
  if (proxmox != NULL && proxmox->wireguard != NULL)
    return g_strdup (proxmox->wireguard);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                 _("Zone “%s” has no WireGuard tunnel on this gateway"), zone);
  return NULL;
}

/* The zone's WireGuard settings here: its endpoint and its wg-quick file. */
static char *
load_wireguard (const char  *state_dir,
                const char  *zone,
                char       **out_endpoint,
                GError     **error)
{
  g_autofree char *endpoint = load_endpoint (state_dir, zone, error);
  g_autofree char *path = _air_zone_setup_wireguard_path (state_dir, zone);
  char *contents = NULL;

  if (endpoint == NULL || !g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  *out_endpoint = g_steal_pointer (&endpoint);
  return contents;
}

int
_air_zone_setup_tunnel_up (const char  *state_dir,
                           const char  *zone,
                           GError     **error)
{
  g_autofree char *endpoint = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *contents = load_wireguard (state_dir, zone, &endpoint, error);
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
  if (!bring_up (state_dir, zone, contents, endpoint, error))
    return -1;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "interface");
  json_builder_add_string_value (builder, interface);
  json_builder_set_member_name (builder, "up");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  return _air_zone_setup_answer (builder);
}

/* A new key pair (made in the vault; its public half in the request): the
 * wg-quick file is written again — the old one, which for a zone made
 * before the vault kept the keys held the private key, is overwritten and
 * removed first — and, when the tunnel is up, it takes the new key. */
int
_air_zone_setup_rekey (const char  *state_dir,
                       const char  *zone,
                       GError     **error)
{
  g_autoptr(JsonObject) request = _air_zone_setup_read_request (error);
  g_autofree char *endpoint = NULL;
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
  contents = load_wireguard (state_dir, zone, &endpoint, error);
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
  if (!_air_zone_setup_write_wireguard (state_dir, zone, own_key, peer, endpoint, builder, error))
    return -1;
  if (_air_zone_setup_interface_exists (interface))
    {
      g_autofree char *path = _air_zone_setup_wireguard_path (state_dir, zone);
      g_autofree char *fresh = NULL;

      if (!g_file_get_contents (path, &fresh, NULL, error) ||
          !bring_up (state_dir, zone, fresh, endpoint, error))
        return -1;
      json_builder_set_member_name (builder, "tunnel_rekeyed");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
  return _air_zone_setup_answer (builder);
}

/* A proxmox zone's link, as an ssh zone's health reads it from WireGuard:
 * the API is not tried through a tunnel that is not there, nor through one
 * whose peer has not answered a handshake for longer than WireGuard keeps
 * a session (180 s), and the reason says so. No handshake yet is let
 * through: the request itself starts one. */
/* The peer of a WireGuard interface as "wg show IFACE dump" gives it
 * (its line's fields 5–7): FALSE when wg did not answer; *has_peer FALSE
 * when the interface has none. */
gboolean
air_zone_setup_wireguard_peer (const char *interface,
                               gboolean   *has_peer,
                               guint64    *handshake,
                               guint64    *received,
                               guint64    *sent)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) fields = NULL;
  int status = -1;

  *has_peer = FALSE;
  *handshake = *received = *sent = 0;
  /* wg can hang on a wedged userspace interface: bounded. */
  if (!g_spawn_sync (NULL, (char *[]) { "timeout", "2", "wg", "show", (char *) interface, "dump", NULL }, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return FALSE;
  lines = g_strsplit (out, "\n", 3);
  if (lines[0] == NULL || lines[1] == NULL || lines[1][0] == '\0')
    return TRUE;
  fields = g_strsplit (lines[1], "\t", 9);
  if (g_strv_length (fields) < 7)
    return FALSE;
  *has_peer = TRUE;
  g_ascii_string_to_unsigned (fields[4], 10, 0, G_MAXUINT64, handshake, NULL);
  g_ascii_string_to_unsigned (fields[5], 10, 0, G_MAXUINT64, received, NULL);
  g_ascii_string_to_unsigned (fields[6], 10, 0, G_MAXUINT64, sent, NULL);
  return TRUE;
}

gboolean
air_zone_setup_proxmox_tunnel_check (const char              *state_dir,
                                     const char              *zone,
                                     const AirProxmoxConfig  *config,
                                     GError                 **error)
{
  g_autofree char *interface = NULL;
  guint64 handshake = 0, received = 0, sent = 0;
  gboolean has_peer = FALSE;
  gint64 age;

  if (config->wireguard == NULL)
    return TRUE;
  interface = air_wireguard_interface_name (zone);
  if (!_air_zone_setup_interface_exists (interface))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("WireGuard: the tunnel to the Proxmox server is not up in this gateway (no interface %s); "
                     "bring it up with “qair zone up %s”"), interface, zone);
      return FALSE;
    }
  if (!air_zone_setup_wireguard_peer (interface, &has_peer, &handshake, &received, &sent))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("WireGuard: “wg show %s” did not answer in this gateway (is wireguard-tools installed?)"),
                   interface);
      return FALSE;
    }
  if (!has_peer)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("WireGuard: the tunnel has no peer; bring it up again with “qair zone up %s”"), zone);
      return FALSE;
    }
  age = MAX (0, g_get_real_time () / G_USEC_PER_SEC - (gint64) MIN (handshake, (guint64) G_MAXINT64));
  if (handshake != 0 && age > 180)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("WireGuard: last handshake %lu s ago; the Proxmox server's end of the tunnel does not answer "
                     "(is “wg-quick@%s” running there?)"), (gulong) age, interface);
      return FALSE;
    }
  return TRUE;
}
