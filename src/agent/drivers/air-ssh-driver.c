/* air-ssh-driver.c
 *
 * The gateway's side of a remote zone. The zone host runs qubes-air-agent
 * with its local driver; every qubesair.* call made to the gateway is run
 * there again, through OpenSSH, with the same service name, argument,
 * stdin, stdout and exit status.
 *
 * - One master connection per zone (ControlMaster, ControlPersist): the
 *   first call pays the handshake, later calls a round trip.
 * - The master authenticates through SSH_AUTH_SOCK = an AirSshAgentBridge
 *   socket that forwards to the vault's qubesair.SshAgent+ZONE: no private
 *   key is ever on the gateway, and the bridge lives only while a master
 *   authenticates.
 * - The host key is the one pinned in the zone's own known_hosts
 *   (StrictHostKeyChecking yes, no global files, a HostKeyAlias so the
 *   pin does not depend on the address); a changed key is refused.
 * - Connecting is bounded by ConnectTimeout and by our own timer.
 * - The zone host is hostile: answers of bounded services are parsed and
 *   written out again by our own code, events line by line; error text is
 *   sanitised and cut. Only the opaque streams of Run, Disposable, Relay
 *   and file transfer pass untouched, as they would through qrexec.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-ssh-driver"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "air-call-client.h"
#include "air-call-frames.h"
#include "air-error.h"
#include "air-fd-io.h"
#include "air-host-key.h"
#include "air-json.h"
#include "air-local-driver.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-ssh-agent-bridge.h"
#include "air-ssh-driver.h"
#include "air-template.h"
#include "air-transport.h"
#include "air-uplink.h"
#include "air-wireguard-key.h"

#define CONTROL_PERSIST_S 600
#define MAX_ERROR_TEXT    300
#define MAX_KEYSCAN       (64 * 1024)
#define HEALTH_INTERVAL_MS 30000

struct _AirSshDriver
{
  GObject        parent_instance;

  char          *state_dir;
  char          *zone;
  AirSshConfig  *config;
  char          *user;
  char          *known_hosts;
  char          *runtime_dir;
  char          *control_path;
  char          *alias;
  AirHealth      last_health;   /* what the event stream said last */
  char          *last_reason;
  gboolean       awaiting_list; /* the host's list is to be the stream's first line */
  gint64         wg_handshake;  /* WireGuard's last, as wireguard_health saw it */
};

G_DEFINE_FINAL_TYPE (AirSshDriver, air_ssh_driver, G_TYPE_OBJECT)

static void
air_ssh_driver_finalize (GObject *object)
{
  AirSshDriver *self = (AirSshDriver *)object;

  g_free (self->state_dir);
  g_free (self->zone);
  air_ssh_config_free (self->config);
  g_free (self->user);
  g_free (self->known_hosts);
  g_free (self->runtime_dir);
  g_free (self->control_path);
  g_free (self->alias);
  g_free (self->last_reason);

  G_OBJECT_CLASS (air_ssh_driver_parent_class)->finalize (object);
}

static void
air_ssh_driver_class_init (AirSshDriverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_ssh_driver_finalize;
}

static void
air_ssh_driver_init (AirSshDriver *self)
{
}

AirSshDriver *
air_ssh_driver_new (const char         *state_dir,
                    const char         *zone,
                    const AirSshConfig *config)
{
  AirSshDriver *self = g_object_new (AIR_TYPE_SSH_DRIVER, NULL);
  g_autofree char *hash = NULL;

  self->state_dir = g_strdup (state_dir);
  self->zone = g_strdup (zone);
  self->config = air_ssh_config_copy (config);
  self->user = g_strdup (config->user ? config->user : g_get_user_name ());
  self->known_hosts = config->known_hosts ? g_strdup (config->known_hosts)
                                          : g_build_filename (state_dir, "known_hosts", NULL);
  self->alias = g_strdup_printf ("qubes-air-zone-%s", zone);

  /* A UNIX socket path has room for 107 bytes; ssh adds a suffix to the
   * control path while it binds. */
  self->runtime_dir = g_build_filename (g_get_user_runtime_dir (), "qubes-air-ssh", NULL);
  self->control_path = g_strdup_printf ("%s/%s.ctl", self->runtime_dir, zone);
  if (strlen (self->control_path) > 80)
    {
      g_free (self->runtime_dir);
      g_free (self->control_path);
      self->runtime_dir = g_strdup_printf ("/tmp/qubes-air-ssh-%u", (guint) getuid ());
      hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, zone, -1);
      self->control_path = g_strdup_printf ("%s/%.16s.ctl", self->runtime_dir, hash);
    }

  return self;
}

const char *
air_ssh_driver_get_known_hosts (AirSshDriver *self)
{
  return self->known_hosts;
}

const char *
air_ssh_driver_get_control_path (AirSshDriver *self)
{
  return self->control_path;
}

static gboolean
prepare_runtime_dir (AirSshDriver  *self,
                     GError       **error)
{
  struct stat st;

  if (g_mkdir_with_parents (self->runtime_dir, 0700) != 0 ||
      lstat (self->runtime_dir, &st) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot create %s: %s"),
                   self->runtime_dir, g_strerror (saved_errno));
      return FALSE;
    }
  /* Someone else's directory (in /tmp) must not hold our sockets. */
  if (!S_ISDIR (st.st_mode) || st.st_uid != getuid () || (st.st_mode & 0077) != 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("%s must be a directory of this user that only it can open"), self->runtime_dir);
      return FALSE;
    }
  return TRUE;
}

static void
add (GPtrArray  *argv,
     const char *arg)
{
  g_ptr_array_add (argv, g_strdup (arg));
}

static void
add_option (GPtrArray  *argv,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static void
add_option (GPtrArray  *argv,
            const char *format,
            ...)
{
  va_list args;

  add (argv, "-o");
  va_start (args, format);
  g_ptr_array_add (argv, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Everything that makes the connection what the zone's configuration says
 * and nothing else: no user or system ssh_config, no key files, no
 * prompts, no forwarding (but the one of our calls, added on request). */
static GPtrArray *
ssh_argv_full (AirSshDriver *self,
               gboolean      forwarding)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  add (argv, "ssh");
  add (argv, "-F");
  add (argv, "/dev/null");
  add (argv, "-T");
  add_option (argv, "BatchMode=yes");
  add_option (argv, "StrictHostKeyChecking=yes");
  add_option (argv, "UserKnownHostsFile=\"%s\"", self->known_hosts);
  add_option (argv, "GlobalKnownHostsFile=/dev/null");
  add_option (argv, "HostKeyAlias=%s", self->alias);
  add_option (argv, "CheckHostIP=no");
  add_option (argv, "UpdateHostKeys=no");
  add_option (argv, "ConnectTimeout=%u", self->config->connect_timeout);
  add_option (argv, "ServerAliveInterval=5");
  add_option (argv, "ServerAliveCountMax=3");
  add_option (argv, "IdentityFile=none");
  add_option (argv, "PreferredAuthentications=publickey");
  add_option (argv, "PasswordAuthentication=no");
  add_option (argv, "KbdInteractiveAuthentication=no");
  add_option (argv, "ForwardAgent=no");
  add_option (argv, "ForwardX11=no");
  if (!forwarding)
    add_option (argv, "ClearAllForwardings=yes");
  add_option (argv, "ControlPath=\"%s\"", self->control_path);
  add (argv, "-p");
  g_ptr_array_add (argv, g_strdup_printf ("%u", self->config->port));
  add (argv, "-l");
  add (argv, self->user);
  return argv;
}

static GPtrArray *
ssh_argv (AirSshDriver *self)
{
  return ssh_argv_full (self, FALSE);
}

static char *
calls_path (AirSshDriver *self,
            const char   *suffix)
{
  /* The control path ends in ".ctl". */
  return g_strdup_printf ("%.*s.%s", (int) strlen (self->control_path) - 4, self->control_path, suffix);
}

static gboolean
master_alive (AirSshDriver *self)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd;
  gboolean alive;

  if (strlen (self->control_path) >= sizeof address.sun_path)
    return FALSE;
  strcpy (address.sun_path, self->control_path);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  alive = connect (fd, (struct sockaddr *) &address, sizeof address) == 0;
  close (fd);
  return alive;
}

static gboolean
known_hosts_pinned (AirSshDriver *self)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (self->known_hosts, &contents, NULL, NULL) &&
         strstr (contents, self->alias) != NULL;
}

/* The fingerprint of the key pinned for this zone, "" when none is. */
static char *
pinned_fingerprint (AirSshDriver *self)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (self->known_hosts, &contents, NULL, NULL))
    return g_strdup ("");
  lines = g_strsplit (contents, "\n", 64);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *rest;
      g_autofree char *key = NULL;

      if (!g_str_has_prefix (lines[i], self->alias) || lines[i][strlen (self->alias)] != ' ')
        continue;
      rest = lines[i] + strlen (self->alias) + 1;
      key = air_host_key_normalize (rest, -1, NULL);
      if (key != NULL)
        return air_host_key_fingerprint (key);
    }
  return g_strdup ("");
}

static char *
endpoint (AirSshDriver *self)
{
  return g_strdup_printf ("%s@%s:%u", self->user, self->config->host, self->config->port);
}

/* What ssh said, turned into what the user should know. */
static void
set_connect_error (AirSshDriver  *self,
                   const char    *ssh_errors,
                   gboolean       timed_out,
                   GError       **error)
{
  g_autofree char *where = endpoint (self);
  g_autofree char *said = air_text_sanitize (ssh_errors, -1, MAX_ERROR_TEXT);

  if (timed_out || strstr (ssh_errors, "timed out") != NULL)
    g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                 /* The caller names the zone. */
                 _("The zone host did not answer within %u seconds (%s)."),
                 self->config->connect_timeout, where);
  else if (strstr (ssh_errors, "IDENTIFICATION HAS CHANGED") != NULL ||
           strstr (ssh_errors, "Host key verification failed") != NULL ||
           strstr (ssh_errors, "host key") != NULL)
    {
      if (known_hosts_pinned (self))
        g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                     _("The host of zone “%s” (%s) presented a host key that is not the one pinned "
                       "for this zone. The connection was refused: someone may be impersonating the "
                       "host. If the host was reinstalled, check its new key and pin it again with "
                       "“qair zone trust %s”."),
                     self->zone, where, self->zone);
      else
        g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                     _("No host key is pinned for zone “%s” yet. Pin it with “qair zone trust %s”."),
                     self->zone, self->zone);
    }
  else if (strstr (ssh_errors, "Permission denied") != NULL)
    g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                 _("The host of zone “%s” (%s) refused the zone's key. Add the public key that "
                   "“qair key generate --zone %s” printed to the host's authorized_keys."),
                 self->zone, where, self->zone);
  else
    g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                 _("Zone “%s” cannot be reached (%s): %s"), self->zone, where,
                 said[0] ? said : _("ssh failed"));
}

typedef struct {
  gboolean exited;
  gboolean timed_out;
} MasterWait;

static void
master_exited_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  MasterWait *wait = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  wait->exited = TRUE;
}

static gboolean
master_timeout_cb (gpointer user_data)
{
  MasterWait *wait = user_data;

  wait->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static char *
read_fd_text (int fd)
{
  char buffer[4096];
  ssize_t n;

  if (lseek (fd, 0, SEEK_SET) < 0)
    return g_strdup ("");
  n = read (fd, buffer, sizeof buffer - 1);
  if (n < 0)
    n = 0;
  buffer[n] = '\0';
  return g_strdup (buffer);
}

static int
open_scratch_file (AirSshDriver *self)
{
  g_autofree char *path = g_build_filename (self->runtime_dir, "ssh-errors-XXXXXX", NULL);
  int fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600);

  if (fd >= 0)
    g_unlink (path);
  return fd;
}

/* Starts the zone's master connection unless one is up. Two calls that
 * start at once take turns on a lock, so only one master is made. */
gboolean
air_ssh_driver_connect (AirSshDriver  *self,
                        GError       **error)
{
  g_autoptr(AirSshAgentBridge) bridge = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autofree char *lock_path = NULL;
  g_autofree char *agent_socket = NULL;
  g_autofree char *ssh_errors = NULL;
  MasterWait wait = { FALSE, FALSE };
  gboolean ok = FALSE;
  guint timer;
  int lock_fd = -1, err_fd = -1;

  if (master_alive (self))
    return TRUE;
  if (!prepare_runtime_dir (self, error))
    return FALSE;

  lock_path = g_strdup_printf ("%s.lock", self->control_path);
  lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot lock %s: %s"),
                   lock_path, g_strerror (saved_errno));
      goto out;
    }
  if (master_alive (self))
    {
      ok = TRUE;
      goto out;
    }
  g_unlink (self->control_path);   /* a dead master's socket */
  {
    g_autofree char *refused = calls_path (self, "calls.refused");

    g_unlink (refused);   /* a new master may forward what the old did not */
  }

  if (!known_hosts_pinned (self))
    {
      set_connect_error (self, "host key", FALSE, error);
      goto out;
    }

  agent_socket = g_strdup_printf ("%s/%s.agent.%d", self->runtime_dir, self->zone, (int) getpid ());
  bridge = air_ssh_agent_bridge_new (NULL, NULL, self->zone);
  if (!air_ssh_agent_bridge_listen (bridge, agent_socket, error))
    goto out;

  err_fd = open_scratch_file (self);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "SSH_AUTH_SOCK", agent_socket, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "SSH_ASKPASS");
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_take_stdin_fd (launcher, open ("/dev/null", O_RDONLY | O_CLOEXEC));
  g_subprocess_launcher_take_stdout_fd (launcher, open ("/dev/null", O_WRONLY | O_CLOEXEC));
  if (err_fd >= 0)
    g_subprocess_launcher_take_stderr_fd (launcher, dup (err_fd));

  argv = ssh_argv (self);
  add (argv, "-M");
  add (argv, "-N");
  add (argv, "-f");
  add_option (argv, "ControlMaster=yes");
  add_option (argv, "ControlPersist=%d", CONTROL_PERSIST_S);
  add_option (argv, "LogLevel=ERROR");
  add (argv, "--");
  add (argv, self->config->host);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (process == NULL)
    goto out;

  /* The bridge answers on this thread's main context while we wait. */
  g_subprocess_wait_async (process, NULL, master_exited_cb, &wait);
  timer = g_timeout_add_seconds (self->config->connect_timeout + 5, master_timeout_cb, &wait);
  while (!wait.exited && !wait.timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!wait.timed_out)
    g_source_remove (timer);
  else
    {
      g_subprocess_force_exit (process);
      while (!wait.exited)
        g_main_context_iteration (NULL, TRUE);
    }

  ssh_errors = err_fd >= 0 ? read_fd_text (err_fd) : g_strdup ("");
  if (!wait.timed_out && g_subprocess_get_if_exited (process) &&
      g_subprocess_get_exit_status (process) == 0)
    {
      /* The backgrounded master listens before it forks; allow a moment. */
      for (guint i = 0; i < 100 && !(ok = master_alive (self)); i++)
        g_usleep (10000);
      if (!ok)
        set_connect_error (self, ssh_errors, FALSE, error);
    }
  else
    set_connect_error (self, ssh_errors, wait.timed_out, error);

out:
  if (bridge != NULL)
    air_ssh_agent_bridge_stop (bridge);
  if (agent_socket != NULL)
    g_unlink (agent_socket);
  if (err_fd >= 0)
    close (err_fd);
  if (lock_fd >= 0)
    close (lock_fd);
  return ok;
}

/* "ssh -O COMMAND" to the master: check (it answers on its socket, not
 * only accepts: a master being killed closes the call's channel before
 * its listening socket) or exit. */
static gboolean
master_control (AirSshDriver *self,
                const char   *command)
{
  g_autoptr(GPtrArray) argv = ssh_argv (self);
  int status = -1;

  add (argv, "-O");
  add (argv, command);
  add (argv, "--");
  add (argv, self->config->host);
  g_ptr_array_add (argv, NULL);
  return g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                       G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, NULL) &&
         g_spawn_check_wait_status (status, NULL);
}

/* Ends the master connection (the zone was removed or re-pinned). */
void
air_ssh_driver_disconnect (AirSshDriver *self)
{
  for (const char * const *suffix = (const char * const []) { "calls", "calls.refused", "calls.lock", NULL };
       *suffix != NULL; suffix++)
    {
      g_autofree char *path = calls_path (self, *suffix);

      g_unlink (path);
    }

  if (master_alive (self))
    master_control (self, "exit");
}

/* Who called, as qrexec told us (dom0 when it did not say). */
static const char *
caller_name (void)
{
  const char *caller = g_getenv ("QREXEC_REMOTE_DOMAIN");

  return caller != NULL && air_name_is_valid (caller) ? caller : "dom0";
}

/* The command the zone host's shell runs: its agent, with the
 * environment qrexec would give it. Every part is quoted, and was
 * validated before (service and argument by qrexec's rules, the path by
 * the zone's configuration). */
static char *
remote_command (AirSshDriver *self,
                const char   *service,
                const char   *arg)
{
  g_autofree char *full_name = g_strdup_printf ("%s+%s", service, arg);
  g_autofree char *q_full = g_shell_quote (full_name);
  g_autofree char *q_arg = g_shell_quote (arg);
  g_autofree char *q_caller = g_shell_quote (caller_name ());
  g_autofree char *q_zone = g_shell_quote (self->zone);
  g_autofree char *q_agent = g_shell_quote (self->config->agent_path);

  return g_strdup_printf ("exec env QREXEC_SERVICE_FULL_NAME=%s QREXEC_SERVICE_ARGUMENT=%s "
                          "QREXEC_REMOTE_DOMAIN=%s AIR_ZONE_NAME=%s %s%s%s",
                          q_full, q_arg, q_caller, q_zone, q_agent,
                          arg[0] ? " " : "", arg[0] ? q_arg : "");
}

/* Forwarded calls (air-call-frames.h): the zone host's agent listens on a
 * socket that the master connection forwards here, so a call costs a
 * channel on the connection, not a new SSH session and a shell. Where the
 * host cannot (forwarding refused, an older agent), the master is marked
 * and its calls go as SSH sessions. */

static gboolean
wait_readable (int   fd,
               guint seconds)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  int ready;

  do
    ready = poll (&pfd, 1, (int) seconds * 1000);
  while (ready < 0 && errno == EINTR);
  return ready > 0;
}

/* Connected, header written, READY read: the call is the host's. */
static int
open_forwarded_call (AirSshDriver *self,
                     const char   *service,
                     const char   *arg)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autofree char *path = calls_path (self, "calls");
  g_autofree char *header = air_call_header_new (service, arg, caller_name (), NULL);
  g_autofree guint8 *frame = g_malloc (AIR_CALL_MAX_FRAME);
  AirCallFrame type;
  gsize len;
  int fd;

  if (strlen (path) >= sizeof address.sun_path)
    return -1;
  strcpy (address.sun_path, path);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0 ||
      !air_fd_write_all (fd, header, strlen (header)) ||
      !wait_readable (fd, self->config->connect_timeout) ||
      !air_call_read_frame (fd, &type, frame, &len, NULL) ||
      type != AIR_CALL_FRAME_READY)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
new_session (gpointer user_data)
{
  setsid ();
}

/* The host's "ready PATH" line: a path we pass to ssh, so only plain
 * characters. */
static char *
read_listener_path (AirSshDriver *self,
                    GSubprocess  *process)
{
  int fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (process)));
  char line[256];
  gsize have = 0;

  while (have < sizeof line - 1 && memchr (line, '\n', have) == NULL)
    {
      ssize_t n;

      if (!wait_readable (fd, self->config->connect_timeout))
        return NULL;
      n = read (fd, line + have, sizeof line - 1 - have);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return NULL;
      have += n;
    }
  line[have] = '\0';
  if (!g_str_has_prefix (line, "ready /") || strchr (line, '\n') == NULL)
    return NULL;
  *strchr (line, '\n') = '\0';
  for (const char *p = line + 6; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("/._-", *p) == NULL)
      return NULL;
  return g_strdup (line + 6);
}

/* Calls out of the zone (air-uplink.c): our --uplink-listen, for as long
 * as the host's listener session lives, and the master forwarding the
 * host's "uplink" socket beside the listener's to it. Without them the
 * zone's qubes only cannot call out. */
static void
start_uplink (AirSshDriver *self,
              GSubprocess  *listener,
              const char   *remote_calls)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) uplink = NULL;
  g_autoptr(GSubprocess) forward = NULL;
  g_autoptr(GPtrArray) argv = ssh_argv_full (self, TRUE);
  g_autofree char *agent = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *local = calls_path (self, "uplink");
  g_autofree char *remote_dir = g_path_get_dirname (remote_calls);
  const char *session = g_subprocess_get_identifier (listener);
  char line[16];
  int fd;

  if (agent == NULL || session == NULL)
    return;
  g_subprocess_launcher_take_stdin_fd (launcher, open ("/dev/null", O_RDONLY | O_CLOEXEC));
  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
  uplink = g_subprocess_launcher_spawn (launcher, NULL, agent, "--uplink-listen", self->zone, local, session, NULL);
  if (uplink == NULL)
    return;
  fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (uplink)));
  if (!wait_readable (fd, self->config->connect_timeout) || read (fd, line, sizeof line) < 5 ||
      strncmp (line, "ready", 5) != 0)
    {
      g_subprocess_force_exit (uplink);
      return;
    }

  add (argv, "-O");
  add (argv, "forward");
  add (argv, "-R");
  g_ptr_array_add (argv, g_strdup_printf ("%s/%s:%s", remote_dir, AIR_UPLINK_SOCKET_NAME, local));
  add (argv, "--");
  add (argv, self->config->host);
  g_ptr_array_add (argv, NULL);
  forward = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL);
  if (forward == NULL || !g_subprocess_wait_check (forward, NULL, NULL))
    g_subprocess_force_exit (uplink);
}

/* Starts the host's listener in a session of the master connection and
 * forwards our calls socket to it; returns the session's ssh. The listener
 * lives as long as that session, which lives as long as the master. */
static GSubprocess *
start_listener (AirSshDriver *self)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) listener = NULL;
  g_autoptr(GSubprocess) forward = NULL;
  g_autoptr(GPtrArray) argv = ssh_argv (self);
  g_autoptr(GPtrArray) forward_argv = ssh_argv_full (self, TRUE);
  g_autofree char *q_zone = g_shell_quote (self->zone);
  g_autofree char *q_agent = g_shell_quote (self->config->agent_path);
  g_autofree char *remote = NULL;
  g_autofree char *local = calls_path (self, "calls");

  g_subprocess_launcher_unsetenv (launcher, "SSH_AUTH_SOCK");
  g_subprocess_launcher_take_stdin_fd (launcher, open ("/dev/null", O_RDONLY | O_CLOEXEC));
  /* Not in the session of the call that starts it: it outlives the call. */
  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
  add_option (argv, "ControlMaster=no");
  add_option (argv, "LogLevel=QUIET");
  add (argv, "--");
  add (argv, self->config->host);
  g_ptr_array_add (argv, g_strdup_printf ("exec env AIR_ZONE_NAME=%s %s --listen", q_zone, q_agent));
  g_ptr_array_add (argv, NULL);
  listener = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, NULL);
  if (listener == NULL)
    return NULL;
  remote = read_listener_path (self, listener);
  if (remote == NULL)
    {
      g_subprocess_force_exit (listener);
      return NULL;
    }

  add_option (forward_argv, "StreamLocalBindUnlink=yes");
  add_option (forward_argv, "StreamLocalBindMask=0177");
  add (forward_argv, "-O");
  add (forward_argv, "forward");
  add (forward_argv, "-L");
  g_ptr_array_add (forward_argv, g_strdup_printf ("%s:%s", local, remote));
  add (forward_argv, "--");
  add (forward_argv, self->config->host);
  g_ptr_array_add (forward_argv, NULL);
  forward = g_subprocess_newv ((const char * const *) forward_argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL);
  if (forward == NULL || !g_subprocess_wait_check (forward, NULL, NULL))
    {
      g_subprocess_force_exit (listener);
      return NULL;
    }
  start_uplink (self, listener, remote);
  return g_steal_pointer (&listener);
}

/* A forwarded call, the listener started when there is none; -1 when the
 * host cannot take calls that way. */
static int
open_call (AirSshDriver *self,
           const char   *service,
           const char   *arg)
{
  g_autofree char *lock_path = calls_path (self, "calls.lock");
  g_autofree char *refused = calls_path (self, "calls.refused");
  g_autoptr(GSubprocess) listener = NULL;
  int fd, lock_fd;

  if (g_file_test (refused, G_FILE_TEST_EXISTS))
    return -1;
  fd = open_forwarded_call (self, service, arg);
  if (fd >= 0)
    return fd;

  /* One listener per master: whoever comes second uses the first's. */
  lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX) != 0)
    {
      if (lock_fd >= 0)
        close (lock_fd);
      return -1;
    }
  fd = open_forwarded_call (self, service, arg);
  if (fd < 0 && (listener = start_listener (self)) != NULL)
    fd = open_forwarded_call (self, service, arg);
  if (fd < 0)
    {
      /* Forwarding refused: no listener left waiting for nothing. */
      if (listener != NULL)
        g_subprocess_force_exit (listener);
      g_file_set_contents (refused, "", 0, NULL);
    }
  close (lock_fd);
  return fd;
}

static GSubprocess *
spawn_call (AirSshDriver      *self,
            const char        *service,
            const char        *arg,
            GSubprocessFlags   flags,
            GError           **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) argv = NULL;
  g_autofree char *agent = g_file_read_link ("/proc/self/exe", NULL);
  int fd = agent != NULL ? open_call (self, service, arg) : -1;

  if (fd >= 0)
    {
      g_subprocess_launcher_take_fd (launcher, fd, AIR_CALL_CLIENT_FD);
      return g_subprocess_launcher_spawn (launcher, error, agent, "--call-socket", NULL);
    }

  argv = ssh_argv (self);
  g_subprocess_launcher_unsetenv (launcher, "SSH_AUTH_SOCK");
  add_option (argv, "ControlMaster=no");
  add_option (argv, "LogLevel=QUIET");
  add (argv, "--");
  add (argv, self->config->host);
  g_ptr_array_add (argv, remote_command (self, service, arg));
  g_ptr_array_add (argv, NULL);

  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

static void
print_error (const char *text,
             gsize       len)
{
  g_autofree char *shown = air_text_sanitize (text, len, MAX_ERROR_TEXT);

  if (shown[0] != '\0')
    g_printerr ("%s\n", shown);
}

/* ssh, and the call client, exit 255 for their own failures. Whether the
 * connection is what failed is told by the master: gone means lost. */
static gboolean
connection_lost (AirSshDriver *self,
                 GSubprocess  *process)
{
  return g_subprocess_get_if_exited (process) &&
         g_subprocess_get_exit_status (process) == 255 &&
         (!master_alive (self) || !master_control (self, "check"));
}

static int
exit_status_of (GSubprocess *process)
{
  if (g_subprocess_get_if_exited (process))
    return g_subprocess_get_exit_status (process);
  return 128 + g_subprocess_get_term_sig (process);
}

static void
print_lost (AirSshDriver *self)
{
  g_printerr (_("The connection to zone “%s” was lost during the call.\n"), self->zone);
}

/* Run, Disposable, Relay, file streams: our stdin, stdout and stderr are
 * the remote agent's, byte for byte, as qrexec would pass them. */
static int
relay_stream (AirSshDriver *self,
              const char   *service,
              const char   *arg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  process = spawn_call (self, service, arg, G_SUBPROCESS_FLAGS_STDIN_INHERIT, &error);
  if (process == NULL || !g_subprocess_wait (process, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return AIR_RUN_EXIT_FAILED;
    }
  if (connection_lost (self, process))
    {
      print_lost (self);
      return AIR_RUN_EXIT_FAILED;
    }
  return exit_status_of (process);
}

/* Reads the call's stdout and stderr together (so neither pipe can fill
 * up and stall the other), stdout at most @max bytes; @line_cb, when
 * given, takes stdout line by line as it comes instead. */
typedef gboolean (*LineFunc) (AirSshDriver *self, const char *line, gsize len);

static gboolean
pump (AirSshDriver  *self,
      GSubprocess   *process,
      gsize          max,
      LineFunc       line_cb,
      GByteArray    *out,
      GByteArray    *err,
      GError       **error)
{
  struct pollfd pfd[4] = {
    { .fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (process))), .events = POLLIN },
    { .fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stderr_pipe (process))), .events = POLLIN },
    { .fd = STDOUT_FILENO, .events = 0 },   /* POLLERR: our caller closed its end */
    { .fd = -1, .events = POLLIN },          /* end of stdin: our caller went */
  };
  char buffer[65536];
  struct stat st;

  /* Under qrexec the caller's end of stdout can outlive the caller: a
   * stream also ends with its stdin, when that is a pipe or socket. */
  if (line_cb != NULL && fstat (STDIN_FILENO, &st) == 0 && (S_ISFIFO (st.st_mode) || S_ISSOCK (st.st_mode)))
    pfd[3].fd = STDIN_FILENO;

  while (pfd[0].fd >= 0 || pfd[1].fd >= 0)
    {
      /* A stream (events) ends when its reader goes away, even while the
       * zone is quiet. */
      int ready = poll (pfd, line_cb ? 4 : 2, line_cb ? HEALTH_INTERVAL_MS : -1);

      if (ready < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      /* Quiet for a while: @line_cb gets NULL, a tick. */
      if (ready == 0)
        {
          if (!line_cb (self, NULL, 0))
            {
              g_subprocess_force_exit (process);
              return g_subprocess_wait (process, NULL, error);
            }
          continue;
        }
      if (line_cb != NULL && pfd[3].revents != 0 &&
          (read (STDIN_FILENO, buffer, sizeof buffer) <= 0 || (pfd[3].revents & (POLLERR | POLLNVAL)) != 0))
        pfd[2].revents |= POLLHUP;
      if (line_cb != NULL && (pfd[2].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
        {
          g_subprocess_force_exit (process);
          return g_subprocess_wait (process, NULL, error);
        }

      for (guint i = 0; i < 2; i++)
        {
          ssize_t n;

          if (pfd[i].fd < 0 || pfd[i].revents == 0)
            continue;
          n = read (pfd[i].fd, buffer, sizeof buffer);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              pfd[i].fd = -1;
              continue;
            }
          if (i == 1)
            {
              if (err->len < AIR_TRANSPORT_MAX_ERROR)
                g_byte_array_append (err, (guint8 *) buffer, MIN ((gsize) n, AIR_TRANSPORT_MAX_ERROR - err->len));
              continue;
            }
          if (out->len + (gsize) n > max)
            {
              g_subprocess_force_exit (process);
              g_subprocess_wait (process, NULL, NULL);
              g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Zone “%s” sent an answer larger than %lu bytes; it was refused."),
                           self->zone, (gulong) max);
              return FALSE;
            }
          g_byte_array_append (out, (guint8 *) buffer, n);
          if (line_cb != NULL)
            {
              guint8 *newline;

              while ((newline = memchr (out->data, '\n', out->len)) != NULL)
                {
                  gsize len = newline - out->data;

                  if (!line_cb (self, (const char *) out->data, len))
                    {
                      g_subprocess_force_exit (process);
                      return g_subprocess_wait (process, NULL, error);
                    }
                  g_byte_array_remove_range (out, 0, len + 1);
                }
            }
        }
    }

  return g_subprocess_wait (process, NULL, error);
}

/* What the zone host says of itself (isolation, say) with what the link
 * to it is: the worse of the two, and both reasons. A host that says it
 * is down is down. */
static AirHealth
with_link_health (AirSshDriver  *self,
                  AirHealth      host,
                  const char    *host_reason,
                  char         **reason)
{
  g_autofree char *link_reason = NULL;
  AirHealth link = air_ssh_driver_link_health (self, &link_reason);

  if (host == AIR_HEALTH_DOWN || host_reason == NULL || host_reason[0] == '\0')
    *reason = g_strdup (host == AIR_HEALTH_DOWN && host_reason != NULL ? host_reason : link_reason);
  else
    *reason = g_strdup_printf ("%s — %s", host_reason, link_reason);
  return host == AIR_HEALTH_DOWN ? host : MAX (host, link);
}

/* Checks a bounded answer and writes our own rendering of it. */
static char *
rewrite_answer (AirSshDriver  *self,
                const char    *service,
                const char    *data,
                gsize          len,
                GError       **error)
{
  if (strcmp (service, "qubesair.List") == 0)
    {
      g_autoptr(GPtrArray) qubes = air_protocol_parse_list (data, len, self->zone, error);

      return qubes ? air_protocol_list_to_json (self->zone, qubes) : NULL;
    }
  if (strcmp (service, "qubesair.Create") == 0 || strcmp (service, "qubesair.Start") == 0 ||
      strcmp (service, "qubesair.Shutdown") == 0 || strcmp (service, "qubesair.Kill") == 0 ||
      strcmp (service, "qubesair.SetPrefs") == 0)
    {
      g_autoptr(AirQube) qube = air_protocol_parse_qube (data, len, self->zone, error);

      return qube ? air_protocol_qube_to_json (qube) : NULL;
    }
  if (strcmp (service, "qubesair.TemplateList") == 0)
    {
      g_autoptr(GPtrArray) templates = air_template_list_parse (data, len, error);

      return templates ? air_template_list_to_json (self->zone, templates) : NULL;
    }
  if (strcmp (service, "qubesair.TemplateRollback") == 0)
    {
      g_autoptr(AirTemplate) template = air_template_parse (data, len, error);

      return template ? air_template_to_json (template) : NULL;
    }
  if (strcmp (service, "qubesair.ZoneInfo") == 0)
    {
      g_autoptr(AirZoneInfo) info = air_zone_info_parse (data, len, error);
      g_autofree char *reason = NULL;
      AirHealth health;

      if (info == NULL)
        return NULL;
      g_free (info->name);
      info->name = g_strdup (self->zone);
      g_free (info->driver);
      info->driver = g_strdup ("ssh");
      health = with_link_health (self, info->health, info->health_reason, &reason);
      info->health = health;
      g_free (info->health_reason);
      info->health_reason = g_steal_pointer (&reason);
      /* What the map shows of the link: never the zone host's word. */
      g_free (info->link);
      info->link = g_strdup (self->config->wireguard != NULL ? "wireguard-ssh" : "ssh");
      g_free (info->endpoint);
      info->endpoint = endpoint (self);
      g_free (info->host_key);
      info->host_key = pinned_fingerprint (self);
      info->handshake = self->wg_handshake;
      return air_zone_info_to_json (info);
    }

  /* Other answers (Remove, file listings…) must at least be JSON. */
  {
    g_autoptr(JsonNode) node = air_json_parse (data, len, AIR_SSH_MAX_ANSWER, error);

    if (node == NULL)
      return NULL;
    return g_strndup (data, len);
  }
}

static int
relay_answer (AirSshDriver *self,
              const char   *service,
              const char   *arg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) err = g_byte_array_new ();
  g_autofree char *answer = NULL;
  int status;

  process = spawn_call (self, service, arg,
                        G_SUBPROCESS_FLAGS_STDIN_INHERIT | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                        G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (process == NULL || !pump (self, process, AIR_SSH_MAX_ANSWER, NULL, out, err, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (connection_lost (self, process))
    {
      print_lost (self);
      return 1;
    }

  status = exit_status_of (process);
  if (status != 0)
    {
      print_error ((const char *) err->data, err->len);
      return status;
    }

  answer = rewrite_answer (self, service, (const char *) out->data, out->len, &error);
  if (answer == NULL)
    {
      g_autofree char *shown = air_text_sanitize (error->message, -1, MAX_ERROR_TEXT);
      g_printerr (_("Zone “%s” sent an answer that is not valid: %s\n"), self->zone, shown);
      return 1;
    }
  if (!g_str_has_suffix (answer, "\n"))
    {
      char *with_newline = g_strconcat (answer, "\n", NULL);
      g_free (answer);
      answer = with_newline;
    }
  return air_fd_write_all (STDOUT_FILENO, answer, strlen (answer)) ? 0 : 1;
}

static gboolean
print_event (AirSshDriver *self,
             AirHealth     health,
             const char   *reason)
{
  AirEvent event = { .kind = AIR_EVENT_ZONE_HEALTH, .health = health, .reason = (char *) reason };
  g_autofree char *line = air_event_to_line (&event);

  self->last_health = health;
  g_free (self->last_reason);
  self->last_reason = g_strdup (reason);
  return air_fd_write_all (STDOUT_FILENO, line, strlen (line));
}

/* The link's health again; an event only when its state changed (the
 * WireGuard counters alone do not make one). */
static gboolean
health_tick (AirSshDriver *self)
{
  g_autofree char *reason = NULL;
  AirHealth health;

  if (self->awaiting_list)
    return TRUE;   /* nothing before the list */
  health = air_ssh_driver_link_health (self, &reason);
  if (health == self->last_health)
    return TRUE;
  return print_event (self, health, reason);
}

static gboolean event_line_cb (AirSshDriver *self, const char *line, gsize len);

/* The host's first line, asked to be its list: passed on as our own
 * rendering (the host's health follows it, and goes on joined with the
 * link's). From an older host agent it is an event: the link's health goes
 * first, and the caller, taking it for an older gateway, calls List. */
static gboolean
first_line (AirSshDriver *self,
            const char   *line,
            gsize         len)
{
  g_autoptr(GPtrArray) qubes = air_protocol_parse_list (line, len, self->zone, NULL);
  g_autofree char *reason = NULL;
  AirHealth health;

  self->awaiting_list = FALSE;
  if (qubes != NULL)
    {
      g_autofree char *json = air_protocol_list_to_json (self->zone, qubes);

      return air_fd_write_all (STDOUT_FILENO, json, strlen (json));
    }
  health = air_ssh_driver_link_health (self, &reason);
  return print_event (self, health, reason) && event_line_cb (self, line, len);
}

static gboolean
event_line_cb (AirSshDriver *self,
               const char   *line,
               gsize         len)
{
  g_autoptr(AirEvent) event = NULL;
  g_autofree char *out = NULL;

  if (line == NULL)
    return health_tick (self);
  if (len == 0)
    return TRUE;
  if (self->awaiting_list)
    return first_line (self, line, len);
  event = air_event_parse (line, len, self->zone, NULL);
  if (event == NULL)
    return TRUE;   /* unknown or bad: dropped, as the app would */
  if (event->kind == AIR_EVENT_ZONE_HEALTH)
    {
      g_autofree char *reason = NULL;
      AirHealth health = with_link_health (self, event->health, event->reason, &reason);

      return print_event (self, health, reason);
    }
  out = air_event_to_line (event);
  /* Our caller went away: the stream ends. */
  return air_fd_write_all (STDOUT_FILENO, out, strlen (out));
}

/* With @listed (AIR_PROTOCOL_EVENTS_LISTED), the host's list comes first,
 * and the link's health after it; else the health first. */
static int
relay_events (AirSshDriver *self,
              gboolean      listed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) err = g_byte_array_new ();
  g_autofree char *reason = NULL;
  AirHealth health = air_ssh_driver_link_health (self, &reason);

  if (!listed && !print_event (self, health, reason))
    return 0;

  self->awaiting_list = listed;
  /* Its stdin, a pipe kept open and never written, tells the zone host's
   * Events service we follow; it ends when we do. */
  process = spawn_call (self, "qubesair.Events", listed ? AIR_PROTOCOL_EVENTS_LISTED : "",
                        G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                        G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (process == NULL ||
      !pump (self, process, listed ? AIR_SSH_MAX_ANSWER : AIR_JSON_MAX_LINE + 1, event_line_cb, out, err, &error))
    {
      g_autofree char *message = air_text_sanitize (error->message, -1, MAX_ERROR_TEXT);
      print_event (self, AIR_HEALTH_DOWN, message);
      return 1;
    }

  if (connection_lost (self, process))
    {
      g_autofree char *message = g_strdup_printf (_("The connection to zone “%s” was lost."), self->zone);

      print_event (self, AIR_HEALTH_DOWN, message);
      g_printerr ("%s\n", message);
      return 1;
    }
  print_error ((const char *) err->data, err->len);
  return exit_status_of (process);
}

int
air_ssh_driver_serve (AirSshDriver *self,
                      const char   *service,
                      const char   *arg)
{
  g_autoptr(GError) error = NULL;
  gboolean streaming = strcmp (service, "qubesair.Run") == 0 ||
                       strcmp (service, "qubesair.Disposable") == 0 ||
                       strcmp (service, "qubesair.Relay") == 0;

  if (!air_transport_check_argument (arg, &error) ||
      !air_ssh_driver_connect (self, &error))
    {
      if (strcmp (service, "qubesair.Events") == 0)
        print_event (self, AIR_HEALTH_DOWN, error->message);
      g_printerr ("%s\n", error->message);
      return streaming ? AIR_RUN_EXIT_FAILED : 1;
    }

  if (strcmp (service, "qubesair.Events") == 0)
    return relay_events (self, g_strcmp0 (arg, AIR_PROTOCOL_EVENTS_LISTED) == 0);
  if (strcmp (service, "qubesair.ZoneInfo") == 0 || strcmp (service, "qubesair.List") == 0 ||
      strcmp (service, "qubesair.Create") == 0 || strcmp (service, "qubesair.Start") == 0 ||
      strcmp (service, "qubesair.Shutdown") == 0 || strcmp (service, "qubesair.Kill") == 0 ||
      strcmp (service, "qubesair.Remove") == 0 || strcmp (service, "qubesair.FileList") == 0 ||
      strcmp (service, "qubesair.SetPrefs") == 0 || strcmp (service, "qubesair.TemplateList") == 0 ||
      strcmp (service, "qubesair.TemplateRollback") == 0 || strcmp (service, "qubesair.TemplateRemove") == 0)
    return relay_answer (self, service, arg);

  /* Everything else, known here or not, is the zone host's to answer:
   * an unknown service gets its 127 from there. */
  return relay_stream (self, service, arg);
}

/* The keys the host offers, each "TYPE BASE64", checked. */
GPtrArray *
air_ssh_driver_scan_host_keys (AirSshDriver  *self,
                               GError       **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) err = g_byte_array_new ();
  g_autofree char *port = g_strdup_printf ("%u", self->config->port);
  g_autofree char *timeout = g_strdup_printf ("%u", self->config->connect_timeout);
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error,
                              "ssh-keyscan", "-T", timeout, "-p", port,
                              "-t", "ed25519,ecdsa,rsa", "--", self->config->host, NULL);
  if (process == NULL || !pump (self, process, MAX_KEYSCAN, NULL, out, err, error))
    return NULL;

  /* A host that does not answer gives no output at all: an empty array,
   * whose data may be NULL. */
  text = g_strndup (out->len > 0 ? (const char *) out->data : "", out->len);
  lines = g_strsplit (text, "\n", 64);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strchr (lines[i], ' ');
      char *key;

      if (lines[i][0] == '#' || space == NULL)
        continue;
      key = air_host_key_normalize (space + 1, -1, NULL);
      if (key != NULL)
        g_ptr_array_add (keys, key);
    }

  if (keys->len == 0)
    {
      g_autofree char *said = air_text_sanitize ((const char *) err->data, err->len, MAX_ERROR_TEXT);

      g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                   _("The host of zone “%s” did not answer with an SSH host key on %s:%u within %u seconds "
                     "(nothing listening there, a firewall, or not an SSH server). %s"),
                   self->zone, self->config->host, self->config->port, self->config->connect_timeout, said);
      return NULL;
    }
  return g_steal_pointer (&keys);
}

/* Pins @key (as the user accepted it) as the zone's only host key, under
 * the zone's alias, and ends any connection made with the old one. */
gboolean
air_ssh_driver_pin_host_key (AirSshDriver  *self,
                             const char    *key,
                             GError       **error)
{
  g_autofree char *normal = air_host_key_normalize (key, -1, error);
  g_autofree char *line = NULL;
  g_autofree char *dir = NULL;

  if (normal == NULL)
    return FALSE;

  line = g_strdup_printf ("%s %s\n", self->alias, normal);
  dir = g_path_get_dirname (self->known_hosts);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot create %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  air_ssh_driver_disconnect (self);
  return g_file_set_contents_full (self->known_hosts, line, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

/* WireGuard's view when the zone has a tunnel and its interface exists:
 * the peer's latest handshake and transfer counters. Otherwise the SSH
 * connection's. */
static gboolean
wireguard_health (AirSshDriver  *self,
                  AirHealth     *health,
                  char         **reason)
{
  g_autofree char *interface = NULL;
  g_autofree char *sys_path = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  int status = -1;

  if (self->config->wireguard == NULL)
    return FALSE;
  interface = air_wireguard_interface_name (self->zone);
  sys_path = g_build_filename ("/sys/class/net", interface, NULL);
  if (!g_file_test (sys_path, G_FILE_TEST_EXISTS))
    return FALSE;

  /* wg can hang on a wedged userspace interface: bounded. */
  if (!g_spawn_sync (NULL, (char *[]) { "timeout", "2", "wg", "show", interface, "dump", NULL }, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return FALSE;

  lines = g_strsplit (out, "\n", 3);
  if (lines[0] == NULL || lines[1] == NULL || lines[1][0] == '\0')
    {
      *health = AIR_HEALTH_DEGRADED;
      *reason = g_strdup (_("WireGuard: the tunnel has no peer"));
      return TRUE;
    }

  {
    g_auto(GStrv) fields = g_strsplit (lines[1], "\t", 9);
    guint64 handshake = 0, rx = 0, tx = 0;
    gint64 age;
    g_autofree char *rx_text = NULL;
    g_autofree char *tx_text = NULL;

    if (g_strv_length (fields) < 7)
      return FALSE;
    g_ascii_string_to_unsigned (fields[4], 10, 0, G_MAXUINT64, &handshake, NULL);
    g_ascii_string_to_unsigned (fields[5], 10, 0, G_MAXUINT64, &rx, NULL);
    g_ascii_string_to_unsigned (fields[6], 10, 0, G_MAXUINT64, &tx, NULL);
    rx_text = g_format_size (rx);
    tx_text = g_format_size (tx);
    self->wg_handshake = (gint64) MIN (handshake, (guint64) (G_MAXINT64 / G_USEC_PER_SEC));
    if (handshake == 0)
      {
        *health = AIR_HEALTH_DEGRADED;
        *reason = g_strdup (_("WireGuard: no handshake yet"));
        return TRUE;
      }
    age = MAX (0, g_get_real_time () / G_USEC_PER_SEC - (gint64) handshake);
    /* WireGuard re-keys every two minutes while there is traffic. */
    *health = age > 180 ? AIR_HEALTH_DEGRADED : AIR_HEALTH_UP;
    *reason = g_strdup_printf (_("WireGuard: last handshake %lu s ago, %s received, %s sent"),
                               (gulong) age, rx_text, tx_text);
    return TRUE;
  }
}

AirHealth
air_ssh_driver_link_health (AirSshDriver  *self,
                            char         **reason)
{
  AirHealth health = AIR_HEALTH_UNKNOWN;
  g_autofree char *where = endpoint (self);
  g_autofree char *text = NULL;

  if (wireguard_health (self, &health, &text))
    {
      *reason = g_steal_pointer (&text);
      return health;
    }
  if (master_alive (self))
    {
      *reason = g_strdup_printf (_("SSH: connected to %s"), where);
      return AIR_HEALTH_UP;
    }
  *reason = g_strdup_printf (_("SSH: not connected to %s"), where);
  return AIR_HEALTH_DOWN;
}
