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
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "air-call-frames.h"
#include "air-call-listener.h"
#include "air-fd-io.h"

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
  char buffer[65536];
  ssize_t n;

  if (copy->leftover_len > 0 && !air_fd_write_all (copy->stdin_pipe, copy->leftover, copy->leftover_len))
    goto out;
  while ((n = read (copy->socket, buffer, sizeof buffer)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 || !air_fd_write_all (copy->stdin_pipe, buffer, n))
        break;
    }
out:
  close (copy->stdin_pipe);
  return NULL;
}

/* The header line; what came after it is the start of stdin. */
static char *
read_header (int     fd,
             gsize  *len,
             char  **leftover,
             gsize  *leftover_len)
{
  g_autofree char *buffer = g_malloc (AIR_CALL_MAX_HEADER + 1);
  gsize have = 0;

  while (have < AIR_CALL_MAX_HEADER)
    {
      ssize_t n = read (fd, buffer + have, AIR_CALL_MAX_HEADER - have);
      char *newline;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return NULL;
      have += n;
      newline = memchr (buffer, '\n', have);
      if (newline != NULL)
        {
          *len = newline - buffer;
          *leftover_len = have - *len - 1;
          *leftover = g_memdup2 (newline + 1, *leftover_len);
          return g_steal_pointer (&buffer);
        }
    }
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
            const char *agent)
{
  g_autofree char *header = NULL, *leftover = NULL;
  g_autofree char *service = NULL, *arg = NULL, *caller = NULL, *full_name = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = NULL;
  StdinCopy copy;
  gsize len = 0, leftover_len = 0;
  int in[2], out[2], err[2], wait_status = 0;
  gboolean lost = FALSE;
  guint32 status;
  pid_t pid;

  header = read_header (fd, &len, &leftover, &leftover_len);
  if (header == NULL || !air_call_header_parse (header, len, &service, &arg, &caller, &error))
    _exit (1);

  full_name = g_strdup_printf ("%s+%s", service, arg);
  env = g_get_environ ();
  env = g_environ_setenv (env, "QREXEC_SERVICE_FULL_NAME", full_name, TRUE);
  env = g_environ_setenv (env, "QREXEC_SERVICE_ARGUMENT", arg, TRUE);
  env = g_environ_setenv (env, "QREXEC_REMOTE_DOMAIN", caller, TRUE);

  if (pipe2 (in, O_CLOEXEC) != 0 || pipe2 (out, O_CLOEXEC) != 0 || pipe2 (err, O_CLOEXEC) != 0)
    _exit (1);

  pid = fork ();
  if (pid < 0)
    _exit (1);
  if (pid == 0)
    {
      const char *argv[] = { agent, arg[0] ? arg : NULL, NULL };

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

int
air_call_listener_main (void)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autofree char *agent = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = make_private_dir ();
  g_autofree char *path = NULL;
  guint active = 0;
  int listener;

  if (agent == NULL || dir == NULL)
    {
      g_printerr (_("Cannot make a directory for the zone’s calls\n"));
      return 1;
    }
  path = g_build_filename (dir, "calls", NULL);
  if (strlen (path) >= sizeof address.sun_path)
    {
      g_printerr (_("The path %s is too long for a socket\n"), path);
      g_rmdir (dir);
      return 1;
    }
  strcpy (address.sun_path, path);

  listener = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0 || bind (listener, (struct sockaddr *) &address, sizeof address) != 0 ||
      listen (listener, 64) != 0)
    {
      g_printerr (_("Cannot listen on %s: %s\n"), path, g_strerror (errno));
      g_rmdir (dir);
      return 1;
    }

  signal (SIGPIPE, SIG_IGN);
  printf ("ready %s\n", path);
  fflush (stdout);

  for (;;)
    {
      struct pollfd pfd[2] = {
        { .fd = listener, .events = POLLIN },
        { .fd = STDOUT_FILENO, .events = 0 },   /* POLLERR: the session ended */
      };
      int ready = poll (pfd, 2, IDLE_SECONDS * 1000);
      pid_t pid;
      int client;

      while ((pid = waitpid (-1, NULL, WNOHANG)) > 0)
        active--;

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready < 0 || (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
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
          serve_call (client, agent);
        }
      if (pid > 0)
        active++;
      close (client);
    }

  g_unlink (path);
  g_rmdir (dir);
  return 0;
}
