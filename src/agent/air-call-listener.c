/* air-call-listener.c — the zone host's end of a remote zone's calls
 *
 * “qubes-air-agent --listen”, started on the zone host once per SSH
 * master connection by the gateway's ssh driver, listens on a socket of
 * its own (a fresh 0700 directory) that the gateway forwards over that
 * connection. Each connection is one call (air-call-frames.h), served by
 * a process of its own that runs the agent exactly as a new SSH session
 * would, with pipes for stdin, stdout and stderr: nothing it runs ever
 * holds the socket.
 *
 * It ends with its SSH session (its stdout is that session's), or after
 * an idle while, so the master connection can end too.
 *
 * “qubes-air-agent --uplink-listen ZONE PATH PID” is its mirror on the
 * gateway, for calls out of the zone (air-uplink.c): the master forwards
 * the host's "uplink" socket to PATH, and each call is run by
 * “qubes-air-agent --uplink-call”. It ends with the host listener's
 * session (PID), which ends the forward too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-call-listener"

#include "config.h"

#define _GNU_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "air-call-frames.h"
#include "air-call-listener.h"
#include "air-fd-io.h"
#include "air-names.h"
#include "air-uplink.h"

#define IDLE_SECONDS 600

typedef struct {
  int     socket;
  int     stdin_pipe;
  char   *leftover;
  gsize   leftover_len;
} StdinCopy;

/* The call's stdin, from the socket to the agent's pipe, until the caller
 * shuts its side down. */
static gpointer
copy_stdin (gpointer data)
{
  StdinCopy *copy = data;

  if (copy->leftover_len == 0 || air_fd_write_all (copy->stdin_pipe, copy->leftover, copy->leftover_len))
    air_fd_copy (copy->socket, copy->stdin_pipe);
  close (copy->stdin_pipe);
  return NULL;
}

static int
status_of (int wait_status)
{
  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  if (WIFSIGNALED (wait_status))
    return 128 + WTERMSIG (wait_status);
  return AIR_CALL_EXIT_LOST;
}

/* One call: runs in a process of its own and ends with it. */
static void G_GNUC_NORETURN
serve_call (int         fd,
            const char *agent,
            const char *uplink_zone)
{
  g_autofree char *header = NULL, *leftover = NULL;
  g_autofree char *service = NULL, *arg = NULL, *caller = NULL, *target = NULL, *full_name = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = NULL;
  StdinCopy copy;
  gsize len = 0, leftover_len = 0;
  int in[2], out[2], err[2], wait_status = 0;
  gboolean lost = FALSE;
  guint32 status;
  pid_t pid;

  header = air_call_read_header (fd, &len, &leftover, &leftover_len);
  if (header == NULL ||
      !air_call_header_parse (header, len, &service, &arg, &caller,
                              uplink_zone != NULL ? &target : NULL, &error))
    _exit (1);

  full_name = g_strdup_printf ("%s+%s", service, arg);
  env = g_get_environ ();
  env = g_environ_setenv (env, "QREXEC_SERVICE_FULL_NAME", full_name, TRUE);
  env = g_environ_setenv (env, "QREXEC_SERVICE_ARGUMENT", arg, TRUE);
  env = g_environ_setenv (env, "QREXEC_REMOTE_DOMAIN", caller, TRUE);
  if (uplink_zone != NULL)
    {
      env = g_environ_setenv (env, "AIR_UPLINK_TARGET", target, TRUE);
      env = g_environ_setenv (env, "AIR_ZONE_NAME", uplink_zone, TRUE);
    }

  if (pipe2 (in, O_CLOEXEC) != 0 || pipe2 (out, O_CLOEXEC) != 0 || pipe2 (err, O_CLOEXEC) != 0)
    _exit (1);

  pid = fork ();
  if (pid < 0)
    _exit (1);
  if (pid == 0)
    {
      const char *argv[] = { agent, uplink_zone != NULL ? "--uplink-call" : arg[0] ? arg : NULL, NULL };

      if (dup2 (in[0], 0) < 0 || dup2 (out[1], 1) < 0 || dup2 (err[1], 2) < 0)
        _exit (AIR_CALL_EXIT_LOST);
      signal (SIGPIPE, SIG_DFL);
      execve (agent, (char **) argv, env);
      _exit (127);
    }
  close (in[0]);
  close (out[1]);
  close (err[1]);

  if (!air_call_write_frame (fd, AIR_CALL_FRAME_READY, NULL, 0))
    lost = TRUE;

  copy = (StdinCopy) { fd, in[1], leftover, leftover_len };
  g_thread_unref (g_thread_new ("stdin", copy_stdin, &copy));

  while (!lost && (out[0] >= 0 || err[0] >= 0))
    {
      struct pollfd pfd[3] = {
        { .fd = out[0], .events = POLLIN },
        { .fd = err[0], .events = POLLIN },
        { .fd = fd, .events = 0 },   /* POLLHUP: the caller is gone altogether */
      };
      char buffer[AIR_CALL_MAX_FRAME];

      if (poll (pfd, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (pfd[2].revents & (POLLHUP | POLLERR | POLLNVAL))
        lost = TRUE;

      for (guint i = 0; i < 2 && !lost; i++)
        {
          int *pipe_fd = i == 0 ? &out[0] : &err[0];
          ssize_t n;

          if (*pipe_fd < 0 || pfd[i].revents == 0)
            continue;
          n = read (*pipe_fd, buffer, sizeof buffer);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              close (*pipe_fd);
              *pipe_fd = -1;
              continue;
            }
          if (!air_call_write_frame (fd, i == 0 ? AIR_CALL_FRAME_STDOUT : AIR_CALL_FRAME_STDERR, buffer, n))
            lost = TRUE;
        }
    }

  /* The caller went away: the agent learns it as from a closed session,
   * its stdout and stderr gone (a disposable is then removed). */
  if (out[0] >= 0)
    close (out[0]);
  if (err[0] >= 0)
    close (err[0]);

  while (waitpid (pid, &wait_status, 0) < 0 && errno == EINTR)
    ;
  status = GUINT32_TO_BE ((guint32) status_of (wait_status));
  if (!lost)
    air_call_write_frame (fd, AIR_CALL_FRAME_EXIT, &status, sizeof status);
  _exit (0);
}

static char *
make_private_dir (void)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *template = NULL;

  if (runtime == NULL || !g_file_test (runtime, G_FILE_TEST_IS_DIR))
    runtime = g_get_tmp_dir ();
  template = g_build_filename (runtime, "qubes-air-calls-XXXXXX", NULL);
  return g_mkdtemp_full (template, 0700) ? g_steal_pointer (&template) : NULL;
}

static int
bind_socket (const char *path)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int listener;

  if (strlen (path) >= sizeof address.sun_path)
    {
      g_printerr (_("The path %s is too long for a socket\n"), path);
      return -1;
    }
  strcpy (address.sun_path, path);

  listener = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0 || bind (listener, (struct sockaddr *) &address, sizeof address) != 0 ||
      listen (listener, 64) != 0)
    {
      g_printerr (_("Cannot listen on %s: %s\n"), path, g_strerror (errno));
      if (listener >= 0)
        close (listener);
      return -1;
    }
  return listener;
}

/* Accepts calls until @end_fd reports @end_events (or, with @idle, the
 * listener has been idle that long); each is served in a process of its
 * own. */
static void
serve (int          listener,
       int          end_fd,
       short        end_events,
       gboolean     idle,
       const char  *agent,
       const char  *uplink_zone)
{
  guint active = 0;

  signal (SIGPIPE, SIG_IGN);
  for (;;)
    {
      struct pollfd pfd[2] = {
        { .fd = listener, .events = POLLIN },
        { .fd = end_fd, .events = end_events },
      };
      int ready = poll (pfd, 2, idle ? IDLE_SECONDS * 1000 : -1);
      pid_t pid;
      int client;

      while ((pid = waitpid (-1, NULL, WNOHANG)) > 0)
        active--;

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready < 0 || (pfd[1].revents & (end_events | POLLERR | POLLHUP | POLLNVAL)) != 0)
        break;
      if (ready == 0)
        {
          if (active == 0)
            break;
          continue;
        }

      client = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
      if (client < 0)
        continue;
      pid = fork ();
      if (pid == 0)
        {
          close (listener);
          serve_call (client, agent, uplink_zone);
        }
      if (pid > 0)
        active++;
      close (client);
    }
}

int
air_call_listener_main (const char *state_dir)
{
  g_autofree char *agent = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = make_private_dir ();
  g_autofree char *path = NULL;
  g_autofree char *uplink = NULL;
  int listener;

  if (agent == NULL || dir == NULL)
    {
      g_printerr (_("Cannot make a directory for the zone’s calls\n"));
      return 1;
    }
  path = g_build_filename (dir, "calls", NULL);
  listener = bind_socket (path);
  if (listener < 0)
    {
      g_rmdir (dir);
      return 1;
    }

  /* The gateway forwards its end of calls out of the zone to "uplink"
   * beside our socket; the zone's qubes find it through the state. */
  uplink = g_build_filename (dir, AIR_UPLINK_SOCKET_NAME, NULL);
  air_uplink_publish (state_dir, uplink);

  printf ("ready %s\n", path);
  fflush (stdout);

  /* POLLERR on our stdout: the SSH session ended. */
  serve (listener, STDOUT_FILENO, 0, TRUE, agent, NULL);

  air_uplink_unpublish (state_dir, uplink);
  g_unlink (uplink);
  g_unlink (path);
  g_rmdir (dir);
  return 0;
}

int
air_call_listener_uplink_main (const char *zone,
                               const char *path,
                               const char *session_pid)
{
  g_autofree char *agent = g_file_read_link ("/proc/self/exe", NULL);
  gint64 pid = g_ascii_strtoll (session_pid, NULL, 10);
  int listener, session;

  if (agent == NULL || !air_name_is_valid (zone) || pid <= 1 || pid > G_MAXINT)
    return 2;
  /* It lives as long as the host's listener session: its forward ends
   * with it. */
  session = (int) syscall (SYS_pidfd_open, (pid_t) pid, 0);
  if (session < 0)
    return 1;
  g_unlink (path);
  listener = bind_socket (path);
  if (listener < 0)
    return 1;

  printf ("ready\n");
  fflush (stdout);
  serve (listener, session, POLLIN, FALSE, agent, zone);

  g_unlink (path);
  return 0;
}
