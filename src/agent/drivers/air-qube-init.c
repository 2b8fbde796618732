/* air-qube-init.c
 *
 * Listens on the qube's control socket. A "run" request carries the caller's
 * stdin, stdout and stderr; the command gets them directly, in a process
 * group of its own, and the exit status goes back on the request's
 * connection. If that connection closes first, the caller is gone and the
 * command is killed. "shutdown" ends every command and then init itself,
 * which ends the qube. A disposable qube shuts down after its first command.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-qube-init"

#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include "air-control-channel.h"
#include "air-json.h"
#include "air-protocol.h"
#include "air-qube-init.h"

#define SHUTDOWN_GRACE_MS 3000

typedef struct {
  int    fd;
  guint  watch;
  GPid   pid;
} Request;

typedef struct {
  GMainLoop  *loop;
  GHashTable *requests;      /* Request* set */
  const char *home;
  gboolean    disposable;
  gboolean    confined;
  gboolean    shutting_down;
  guint       n_started;
} Init;

static Init init;

static void
request_free (Request *request)
{
  if (request->watch != 0)
    g_source_remove (request->watch);
  if (request->fd >= 0)
    close (request->fd);
  g_free (request);
}

static void
kill_all (int signal_number)
{
  GHashTableIter iter;
  Request *request;

  g_hash_table_iter_init (&iter, init.requests);
  while (g_hash_table_iter_next (&iter, (gpointer *) &request, NULL))
    if (request->pid > 0)
      kill (-request->pid, signal_number);
}

static gboolean
shutdown_timeout_cb (gpointer user_data)
{
  kill_all (SIGKILL);
  g_main_loop_quit (init.loop);
  return G_SOURCE_REMOVE;
}

static void
begin_shutdown (void)
{
  if (init.shutting_down)
    return;

  init.shutting_down = TRUE;
  kill_all (SIGTERM);

  if (g_hash_table_size (init.requests) == 0)
    g_main_loop_quit (init.loop);
  else
    g_timeout_add (SHUTDOWN_GRACE_MS, shutdown_timeout_cb, NULL);
}

static void
finish_request (Request *request)
{
  g_hash_table_remove (init.requests, request);

  if (init.disposable || (init.shutting_down && g_hash_table_size (init.requests) == 0))
    {
      init.shutting_down = FALSE;
      begin_shutdown ();
    }
}

static void
child_exited_cb (GPid     pid,
                 gint     wait_status,
                 gpointer user_data)
{
  Request *request = user_data;
  g_autofree char *reply = NULL;
  int status;

  g_spawn_close_pid (pid);

  /* The command's whole group goes with it, like a qube's session. */
  kill (-pid, SIGKILL);
  request->pid = 0;

  if (WIFEXITED (wait_status))
    status = WEXITSTATUS (wait_status);
  else if (WIFSIGNALED (wait_status))
    status = 128 + WTERMSIG (wait_status);
  else
    status = 255;

  if (request->fd >= 0)
    {
      reply = g_strdup_printf ("{\"status\":%d}", status);
      air_control_send (request->fd, reply, NULL, 0, NULL);
    }

  finish_request (request);
}

static gboolean
caller_gone_cb (int          fd,
                GIOCondition condition,
                gpointer     user_data)
{
  Request *request = user_data;
  char buffer[16];

  /* Nothing more is expected on a run connection: data or hangup both mean
   * the caller is done with it. */
  if (read (fd, buffer, sizeof buffer) > 0 && !(condition & (G_IO_HUP | G_IO_ERR)))
    return G_SOURCE_CONTINUE;

  request->watch = 0;
  if (request->pid > 0)
    kill (-request->pid, SIGKILL);
  close (request->fd);
  request->fd = -1;
  return G_SOURCE_REMOVE;
}

static void
child_setup (gpointer user_data)
{
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  signal (SIGPIPE, SIG_DFL);
}

static void
start_command (int         fd,
               const char *message,
               gssize      len,
               int        *fds,
               guint       n_fds)
{
  g_autoptr(AirRunHeader) header = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) environ = NULL;
  Request *request;
  GPid pid;

  header = air_run_header_parse (message, len, &error);
  if (header == NULL || n_fds != 3 || init.shutting_down)
    {
      g_autofree char *reply = g_strdup_printf ("{\"error\":\"%s\"}",
                                                init.shutting_down ? "shutting down" : "bad request");
      air_control_send (fd, reply, NULL, 0, NULL);
      close (fd);
      for (guint i = 0; i < n_fds; i++)
        close (fds[i]);
      return;
    }

  environ = g_get_environ ();
  environ = g_environ_unsetenv (environ, "AIR_QUBE_DISPOSABLE");
  environ = g_environ_unsetenv (environ, "AIR_INIT_READY_FD");
  environ = g_environ_unsetenv (environ, "AIR_QUBE_CONFINED");

  /* The caller's descriptors become the command's standard streams. */
  if (!g_spawn_async_with_pipes_and_fds (init.home,
                                         (const char * const *) header->argv,
                                         (const char * const *) environ,
                                         G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                         child_setup, NULL,
                                         fds[0], fds[1], fds[2],
                                         NULL, NULL, 0,
                                         &pid, NULL, NULL, NULL, &error))
    {
      g_autofree char *text = g_strdup_printf ("%s\n", error->message);

      /* The caller sees the reason on its stderr, and status 127 as a
       * shell gives for a missing command. */
      if (write (fds[2], text, strlen (text)) < 0)
        {
          /* the caller is gone; nothing more to tell */
        }
      air_control_send (fd, "{\"status\":127}", NULL, 0, NULL);
      close (fd);
      for (guint i = 0; i < n_fds; i++)
        close (fds[i]);
      if (init.disposable)
        begin_shutdown ();
      return;
    }

  for (guint i = 0; i < n_fds; i++)
    close (fds[i]);

  request = g_new0 (Request, 1);
  request->fd = fd;
  request->pid = pid;
  request->watch = g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, caller_gone_cb, request);
  g_hash_table_add (init.requests, request);
  init.n_started++;
  g_child_watch_add (pid, child_exited_cb, request);
}

static gboolean
request_cb (int          fd,
            GIOCondition condition,
            gpointer     user_data)
{
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *message = g_malloc (AIR_CONTROL_MAX_MESSAGE + 1);
  int fds[AIR_CONTROL_MAX_FDS];
  const char *op = NULL;
  guint n_fds = 0;
  gssize len;

  len = air_control_receive (fd, message, AIR_CONTROL_MAX_MESSAGE + 1, fds, &n_fds, NULL);
  if (len > 0)
    object = air_json_parse_object (message, len, AIR_CONTROL_MAX_MESSAGE, NULL);
  if (object != NULL)
    air_json_get_opt_string (object, "op", 16, "", &op, NULL);

  if (g_strcmp0 (op, "run") == 0)
    start_command (fd, message, len, fds, n_fds);
  else
    {
      for (guint i = 0; i < n_fds; i++)
        close (fds[i]);

      if (g_strcmp0 (op, "shutdown") == 0)
        {
          air_control_send (fd, "{\"ok\":true}", NULL, 0, NULL);
          begin_shutdown ();
        }
      else if (g_strcmp0 (op, "ping") == 0)
        air_control_send (fd, "{\"ok\":true}", NULL, 0, NULL);
      close (fd);
    }

  return G_SOURCE_REMOVE;
}

static gboolean
accept_cb (int          listen_fd,
           GIOCondition condition,
           gpointer     user_data)
{
  int fd = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);
  struct ucred peer;
  socklen_t len = sizeof peer;

  /* Only the qube's agent, outside, may ask: a process of this qube (or
   * of anywhere else that could reach the socket) is in our PID namespace
   * or another one below the host's, and never has pid 0 as seen from
   * here — only a process outside this qube's namespace does. */
  if (fd >= 0 && init.confined &&
      (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.pid != 0))
    {
      close (fd);
      return G_SOURCE_CONTINUE;
    }

  if (fd >= 0)
    g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, request_cb, NULL);

  return G_SOURCE_CONTINUE;
}

static gboolean
terminate_cb (gpointer user_data)
{
  begin_shutdown ();
  return G_SOURCE_CONTINUE;
}

int
air_qube_init_main (const char *socket_path,
                    const char *home)
{
  g_autoptr(GError) error = NULL;
  const char *ready = g_getenv ("AIR_INIT_READY_FD");
  int listen_fd;

  /* Unconfined qubes have no namespace to end them with their supervisor. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  signal (SIGPIPE, SIG_IGN);

  init.home = home;
  init.disposable = g_strcmp0 (g_getenv ("AIR_QUBE_DISPOSABLE"), "1") == 0;
  init.confined = g_strcmp0 (g_getenv ("AIR_QUBE_CONFINED"), "1") == 0;
  init.requests = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) request_free, NULL);
  init.loop = g_main_loop_new (NULL, FALSE);

  listen_fd = air_control_listen (socket_path, &error);
  if (listen_fd < 0)
    {
      g_printerr ("qube init: %s\n", error->message);
      return 1;
    }

  g_unix_fd_add (listen_fd, G_IO_IN, accept_cb, NULL);
  g_unix_signal_add (SIGTERM, terminate_cb, NULL);

  if (ready != NULL)
    {
      int ready_fd = atoi (ready);

      if (write (ready_fd, "R", 1) != 1)
        return 1;
      close (ready_fd);
    }

  g_main_loop_run (init.loop);

  kill_all (SIGKILL);
  close (listen_fd);
  unlink (socket_path);
  return 0;
}
