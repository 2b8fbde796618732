/* air-ssh-driver-calls.c — AirSshDriver: how a call reaches the zone
 * host (a forwarded call on the master connection, the host's listener
 * and uplink, or an SSH session of its own)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-ssh-driver"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <poll.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "air-call-client.h"
#include "air-call-frames.h"
#include "air-driver.h"
#include "air-fd-io.h"
#include "air-names.h"
#include "air-ssh-driver-private.h"
#include "air-uplink.h"

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
  g_autofree char *path = _air_ssh_driver_calls_path (self, "calls");
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

/* The host's "ready PATH" line: a path we pass to ssh, so only plain
 * characters. */
static char *
read_listener_path (AirSshDriver *self,
                    GSubprocess  *process,
                    gboolean     *slow)
{
  int fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (process)));
  char line[256];
  gsize have = 0;

  while (have < sizeof line - 1 && memchr (line, '\n', have) == NULL)
    {
      ssize_t n;

      if (!wait_readable (fd, self->config->connect_timeout))
        {
          *slow = TRUE;
          return NULL;
        }
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
  g_autoptr(GPtrArray) argv = _air_ssh_driver_argv_full (self, TRUE);
  g_autofree char *agent = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *local = _air_ssh_driver_calls_path (self, "uplink");
  g_autofree char *remote_dir = g_path_get_dirname (remote_calls);
  const char *session = g_subprocess_get_identifier (listener);
  char line[16];
  int fd;

  if (agent == NULL || session == NULL)
    return;
  g_subprocess_launcher_take_stdin_fd (launcher, open ("/dev/null", O_RDONLY | O_CLOEXEC));
  g_subprocess_launcher_set_child_setup (launcher, air_driver_child_new_session, NULL, NULL);
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

  _air_ssh_argv_add (argv, "-O");
  _air_ssh_argv_add (argv, "forward");
  _air_ssh_argv_add (argv, "-R");
  g_ptr_array_add (argv, g_strdup_printf ("%s/%s:%s", remote_dir, AIR_UPLINK_SOCKET_NAME, local));
  _air_ssh_argv_add (argv, "--");
  _air_ssh_argv_add (argv, self->config->host);
  g_ptr_array_add (argv, NULL);
  forward = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL);
  if (forward == NULL || !g_subprocess_wait_check (forward, NULL, NULL))
    g_subprocess_force_exit (uplink);
}

/* Starts the host's listener in a session of the master connection and
 * forwards our calls socket to it; returns the session's ssh. The listener
 * lives as long as that session, which lives as long as the master. */
/* NULL when none could be started; @slow is set when the host's agent
 * did not say it listens in time (a busy host), which says nothing about
 * whether the host takes forwarded calls. */
static GSubprocess *
start_listener (AirSshDriver *self,
                gboolean     *slow)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) listener = NULL;
  g_autoptr(GSubprocess) forward = NULL;
  g_autoptr(GPtrArray) argv = _air_ssh_driver_argv (self);
  g_autoptr(GPtrArray) forward_argv = _air_ssh_driver_argv_full (self, TRUE);
  g_autofree char *q_zone = g_shell_quote (self->zone);
  g_autofree char *q_agent = g_shell_quote (self->config->agent_path);
  g_autofree char *remote = NULL;
  g_autofree char *local = _air_ssh_driver_calls_path (self, "calls");

  g_subprocess_launcher_unsetenv (launcher, "SSH_AUTH_SOCK");
  g_subprocess_launcher_take_stdin_fd (launcher, open ("/dev/null", O_RDONLY | O_CLOEXEC));
  /* Not in the session of the call that starts it: it outlives the call. */
  g_subprocess_launcher_set_child_setup (launcher, air_driver_child_new_session, NULL, NULL);
  _air_ssh_argv_add_option (argv, "ControlMaster=no");
  _air_ssh_argv_add_option (argv, "LogLevel=QUIET");
  _air_ssh_argv_add (argv, "--");
  _air_ssh_argv_add (argv, self->config->host);
  g_ptr_array_add (argv, g_strdup_printf ("exec env AIR_ZONE_NAME=%s %s --listen", q_zone, q_agent));
  g_ptr_array_add (argv, NULL);
  listener = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, NULL);
  if (listener == NULL)
    return NULL;
  remote = read_listener_path (self, listener, slow);
  if (remote == NULL)
    {
      g_subprocess_force_exit (listener);
      return NULL;
    }

  _air_ssh_argv_add_option (forward_argv, "StreamLocalBindUnlink=yes");
  _air_ssh_argv_add_option (forward_argv, "StreamLocalBindMask=0177");
  _air_ssh_argv_add (forward_argv, "-O");
  _air_ssh_argv_add (forward_argv, "forward");
  _air_ssh_argv_add (forward_argv, "-L");
  g_ptr_array_add (forward_argv, g_strdup_printf ("%s:%s", local, remote));
  _air_ssh_argv_add (forward_argv, "--");
  _air_ssh_argv_add (forward_argv, self->config->host);
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
  g_autofree char *lock_path = _air_ssh_driver_calls_path (self, "calls.lock");
  g_autofree char *refused = _air_ssh_driver_calls_path (self, "calls.refused");
  g_autoptr(GSubprocess) listener = NULL;
  gboolean slow = FALSE;
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
  if (fd < 0 && (listener = start_listener (self, &slow)) != NULL)
    fd = open_forwarded_call (self, service, arg);
  if (fd < 0 && listener != NULL)
    g_subprocess_force_exit (listener);
  /* Forwarding refused, or an agent without a listener: every call of this
   * master goes as an SSH session. A listener merely slow to start under
   * load is tried again by the next call instead. */
  if (fd < 0 && !slow)
    g_file_set_contents (refused, "", 0, NULL);
  close (lock_fd);
  return fd;
}

GSubprocess *
_air_ssh_driver_spawn_call (AirSshDriver      *self,
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

  argv = _air_ssh_driver_argv (self);
  g_subprocess_launcher_unsetenv (launcher, "SSH_AUTH_SOCK");
  _air_ssh_argv_add_option (argv, "ControlMaster=no");
  _air_ssh_argv_add_option (argv, "LogLevel=QUIET");
  _air_ssh_argv_add (argv, "--");
  _air_ssh_argv_add (argv, self->config->host);
  g_ptr_array_add (argv, remote_command (self, service, arg));
  g_ptr_array_add (argv, NULL);

  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}
