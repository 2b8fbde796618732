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
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include "air-call-frames.h"
#include "air-control-channel.h"
#include "air-json.h"
#include "air-protocol.h"
#include "air-qube-call.h"
#include "air-qube-init.h"
#include "air-uplink.h"

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
  int         calls_fd;      /* the supervisor's, for calls out of the qube */
  char       *calls_path;
  char       *bin_dir;
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
  environ = g_environ_setenv (environ, AIR_QUBE_CALL_SOCKET_ENV, init.calls_path, TRUE);
  if (init.bin_dir != NULL)
    {
      g_autofree char *path = g_strconcat (init.bin_dir, ":", g_environ_getenv (environ, "PATH"), NULL);

      environ = g_environ_setenv (environ, "PATH", path, TRUE);
    }

  /* The caller's descriptors become the command's standard streams. */
  if (!g_spawn_async_with_pipes_and_fds (init.home,
                                         (const char * const *) header->argv,
                                         (const char * const *) environ,
                                         G_SPAWN_SEARCH_PATH_FROM_ENVP | G_SPAWN_DO_NOT_REAP_CHILD,
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
  else if (g_strcmp0 (op, "calls") == 0)
    {
      /* The supervisor takes the qube's calls out from now on. */
      for (guint i = 0; i < n_fds; i++)
        close (fds[i]);
      if (init.calls_fd >= 0)
        close (init.calls_fd);
      init.calls_fd = fd;
    }
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

/* A process of the qube calls out: its connection goes to the
 * supervisor, which alone says which qube calls. */
static gboolean
accept_call_cb (int          listen_fd,
                GIOCondition condition,
                gpointer     user_data)
{
  int fd = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);

  if (fd < 0)
    return G_SOURCE_CONTINUE;
  if (init.calls_fd < 0 || !air_control_send (init.calls_fd, "{\"op\":\"call\"}", &fd, 1, NULL))
    {
      if (init.calls_fd >= 0)
        close (init.calls_fd);
      init.calls_fd = -1;
      air_call_refuse (fd, AIR_UPLINK_EXIT_REFUSED, _("This qube’s agent takes no calls to other qubes."));
    }
  close (fd);
  return G_SOURCE_CONTINUE;
}

/* The calls socket beside the control socket, and the commands that use
 * it, as they are called in a Qubes qube (air-qube-call.c). */
static int
listen_for_calls (const char *socket_path)
{
  static const char * const commands[] = {
    "qrexec-client-vm", "qvm-copy-to-vm", "qvm-copy", "qvm-open-in-vm", "qvm-open-in-dvm",
  };
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autofree char *dir = g_path_get_dirname (socket_path);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  int fd;

  init.calls_path = g_build_filename (dir, "calls", NULL);
  init.bin_dir = g_build_filename (dir, "bin", NULL);
  if (self == NULL || (g_mkdir (init.bin_dir, 0755) != 0 && errno != EEXIST))
    g_clear_pointer (&init.bin_dir, g_free);
  for (guint i = 0; init.bin_dir != NULL && i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *link = g_build_filename (init.bin_dir, commands[i], NULL);

      unlink (link);
      if (symlink (self, link) != 0)
        g_printerr ("qube init: %s: %s\n", link, g_strerror (errno));
    }

  if (strlen (init.calls_path) >= sizeof address.sun_path)
    return -1;
  strcpy (address.sun_path, init.calls_path);
  unlink (init.calls_path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && (bind (fd, (struct sockaddr *) &address, sizeof address) != 0 || listen (fd, 16) != 0))
    {
      close (fd);
      fd = -1;
    }
  if (fd >= 0)
    g_unix_fd_add (fd, G_IO_IN, accept_call_cb, NULL);
  return fd;
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
  int listen_fd, calls_fd;

  /* Unconfined qubes have no namespace to end them with their supervisor. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  signal (SIGPIPE, SIG_IGN);

  init.home = home;
  init.disposable = g_strcmp0 (g_getenv ("AIR_QUBE_DISPOSABLE"), "1") == 0;
  init.confined = g_strcmp0 (g_getenv ("AIR_QUBE_CONFINED"), "1") == 0;
  init.requests = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) request_free, NULL);
  init.loop = g_main_loop_new (NULL, FALSE);
  init.calls_fd = -1;

  listen_fd = air_control_listen (socket_path, &error);
  if (listen_fd < 0)
    {
      g_printerr ("qube init: %s\n", error->message);
      return 1;
    }

  g_unix_fd_add (listen_fd, G_IO_IN, accept_cb, NULL);
  calls_fd = listen_for_calls (socket_path);
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
  if (calls_fd >= 0)
    {
      close (calls_fd);
      unlink (init.calls_path);
    }
  return 0;
}
