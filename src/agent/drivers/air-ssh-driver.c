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
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "air-error.h"
#include "air-names.h"
#include "air-ssh-agent-bridge.h"
#include "air-ssh-driver-private.h"

#define CONTROL_PERSIST_S 600

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

void
_air_ssh_argv_add (GPtrArray  *argv,
                   const char *arg)
{
  g_ptr_array_add (argv, g_strdup (arg));
}

void
_air_ssh_argv_add_option (GPtrArray  *argv,
                          const char *format,
                          ...)
{
  va_list args;

  _air_ssh_argv_add (argv, "-o");
  va_start (args, format);
  g_ptr_array_add (argv, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Everything that makes the connection what the zone's configuration says
 * and nothing else: no user or system ssh_config, no key files, no
 * prompts, no forwarding (but the one of our calls, added on request). */
GPtrArray *
_air_ssh_driver_argv_full (AirSshDriver *self,
                           gboolean      forwarding)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  _air_ssh_argv_add (argv, "ssh");
  _air_ssh_argv_add (argv, "-F");
  _air_ssh_argv_add (argv, "/dev/null");
  _air_ssh_argv_add (argv, "-T");
  _air_ssh_argv_add_option (argv, "BatchMode=yes");
  _air_ssh_argv_add_option (argv, "StrictHostKeyChecking=yes");
  _air_ssh_argv_add_option (argv, "UserKnownHostsFile=\"%s\"", self->known_hosts);
  _air_ssh_argv_add_option (argv, "GlobalKnownHostsFile=/dev/null");
  _air_ssh_argv_add_option (argv, "HostKeyAlias=%s", self->alias);
  _air_ssh_argv_add_option (argv, "CheckHostIP=no");
  _air_ssh_argv_add_option (argv, "UpdateHostKeys=no");
  _air_ssh_argv_add_option (argv, "ConnectTimeout=%u", self->config->connect_timeout);
  _air_ssh_argv_add_option (argv, "ServerAliveInterval=5");
  _air_ssh_argv_add_option (argv, "ServerAliveCountMax=3");
  _air_ssh_argv_add_option (argv, "IdentityFile=none");
  _air_ssh_argv_add_option (argv, "PreferredAuthentications=publickey");
  _air_ssh_argv_add_option (argv, "PasswordAuthentication=no");
  _air_ssh_argv_add_option (argv, "KbdInteractiveAuthentication=no");
  _air_ssh_argv_add_option (argv, "ForwardAgent=no");
  _air_ssh_argv_add_option (argv, "ForwardX11=no");
  if (!forwarding)
    _air_ssh_argv_add_option (argv, "ClearAllForwardings=yes");
  _air_ssh_argv_add_option (argv, "ControlPath=\"%s\"", self->control_path);
  _air_ssh_argv_add (argv, "-p");
  g_ptr_array_add (argv, g_strdup_printf ("%u", self->config->port));
  _air_ssh_argv_add (argv, "-l");
  _air_ssh_argv_add (argv, self->user);
  return argv;
}

GPtrArray *
_air_ssh_driver_argv (AirSshDriver *self)
{
  return _air_ssh_driver_argv_full (self, FALSE);
}

char *
_air_ssh_driver_calls_path (AirSshDriver *self,
                            const char   *suffix)
{
  /* The control path ends in ".ctl". */
  return g_strdup_printf ("%.*s.%s", (int) strlen (self->control_path) - 4, self->control_path, suffix);
}

gboolean
_air_ssh_driver_master_alive (AirSshDriver *self)
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

char *
_air_ssh_driver_endpoint (AirSshDriver *self)
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
  g_autofree char *where = _air_ssh_driver_endpoint (self);
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
      if (_air_ssh_driver_known_hosts_pinned (self))
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

  if (_air_ssh_driver_master_alive (self))
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
  if (_air_ssh_driver_master_alive (self))
    {
      ok = TRUE;
      goto out;
    }
  g_unlink (self->control_path);   /* a dead master's socket */
  {
    g_autofree char *refused = _air_ssh_driver_calls_path (self, "calls.refused");

    g_unlink (refused);   /* a new master may forward what the old did not */
  }

  if (!_air_ssh_driver_known_hosts_pinned (self))
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

  argv = _air_ssh_driver_argv (self);
  _air_ssh_argv_add (argv, "-M");
  _air_ssh_argv_add (argv, "-N");
  _air_ssh_argv_add (argv, "-f");
  _air_ssh_argv_add_option (argv, "ControlMaster=yes");
  _air_ssh_argv_add_option (argv, "ControlPersist=%d", CONTROL_PERSIST_S);
  _air_ssh_argv_add_option (argv, "LogLevel=ERROR");
  _air_ssh_argv_add (argv, "--");
  _air_ssh_argv_add (argv, self->config->host);
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
      for (guint i = 0; i < 100 && !(ok = _air_ssh_driver_master_alive (self)); i++)
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
gboolean
_air_ssh_driver_master_control (AirSshDriver *self,
                                const char   *command)
{
  g_autoptr(GPtrArray) argv = _air_ssh_driver_argv (self);
  int status = -1;

  _air_ssh_argv_add (argv, "-O");
  _air_ssh_argv_add (argv, command);
  _air_ssh_argv_add (argv, "--");
  _air_ssh_argv_add (argv, self->config->host);
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
      g_autofree char *path = _air_ssh_driver_calls_path (self, *suffix);

      g_unlink (path);
    }

  if (_air_ssh_driver_master_alive (self))
    _air_ssh_driver_master_control (self, "exit");
}
