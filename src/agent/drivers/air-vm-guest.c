/* air-vm-guest.c
 *
 * PID 1 of a VM qube after its initramfs mounted the volumes: serves the
 * host's calls on the virtio-serial port, one per connection, greeting
 * each connection first (see air_vm_guest_main). While the host has no
 * connection open, the port reads as hung up.
 *
 * The host is trusted here (it owns the VM); this side still bounds what
 * it reads, so a confused host cannot make init allocate without limit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vm-guest"

#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "air-call-frames.h"
#include "air-fd-io.h"
#include "air-json.h"
#include "air-protocol.h"
#include "air-vm-guest.h"

#define PENDING_MAX (4 * AIR_CALL_MAX_FRAME)

/* A call's header line, the first thing on a connection after our
 * greeting: nothing a connection before left can be taken for one. */
static gboolean
read_header_line (int      fd,
                  GString *line)
{
  return air_fd_read_line_into (fd, line, AIR_CALL_MAX_HEADER, NULL) && line->len > 0 && line->str[0] == '{';
}

/* Drops what is readable: what a connection that is gone, or the call
 * already served on this one, still sent (the end of a command's stdin a
 * refused copy was sending). Never parsed: it may be anything a file
 * being copied holds. */
static void
drain (int port)
{
  guint8 junk[16384];

  for (guint i = 0; i < 4096; i++)
    {
      struct pollfd pfd = { .fd = port, .events = POLLIN };

      if (poll (&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN) ||
          read (port, junk, sizeof junk) <= 0)
        return;
    }
}

/* PID 1's other port servers, restarted when one dies. */
static pid_t port_servers[AIR_VM_N_PORTS];
static char **port_paths;

static pid_t start_port_server (const char *path);

/* Reaps what ended: orphans (PID 1 inherits them) and, in PID 1, a port
 * server, which is started again. */
static void
reap_children (void)
{
  pid_t pid;

  while ((pid = waitpid (-1, NULL, WNOHANG)) > 0)
    for (guint port = 1; port_paths != NULL && port < AIR_VM_N_PORTS; port++)
      if (port_servers[port] == pid)
        port_servers[port] = start_port_server (port_paths[port]);
}

static void
exec_command (const AirRunHeader *header,
              int                 in_fd,
              int                 out_fd,
              int                 err_fd)
{
  gboolean as_root = g_strcmp0 (header->user, "root") == 0;
  const char *home = as_root ? "/root" : AIR_VM_HOME;
  char *env[] = {
    (char *) (as_root ? "HOME=/root" : "HOME=" AIR_VM_HOME),
    (char *) (as_root ? "USER=root" : "USER=user"),
    (char *) "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
    (char *) "LANG=C.UTF-8",
    NULL,
  };

  setsid ();
  if (dup2 (in_fd, 0) < 0 || dup2 (out_fd, 1) < 0 || dup2 (err_fd, 2) < 0)
    _exit (AIR_VM_EXIT_FAILED);
  for (int fd = 3; fd < 1024; fd++)
    close (fd);
  signal (SIGPIPE, SIG_DFL);
  if (!as_root &&
      (setgroups (0, NULL) != 0 || setgid (AIR_VM_USER_UID) != 0 || setuid (AIR_VM_USER_UID) != 0))
    {
      dprintf (2, "qubes-air-agent: cannot become the user: %s\n", g_strerror (errno));
      _exit (AIR_VM_EXIT_FAILED);
    }
  if (chdir (home) != 0 && chdir ("/") != 0)
    _exit (AIR_VM_EXIT_FAILED);
  execvpe (header->argv[0], header->argv, env);
  dprintf (2, "%s: %s\n", header->argv[0], g_strerror (errno));
  _exit (errno == ENOENT ? 127 : 126);
}

static void
send_exit (int      port,
           guint32  status)
{
  guint32 be = GUINT32_TO_BE (status);

  air_call_write_frame (port, AIR_CALL_FRAME_EXIT, &be, 4);
}

/* One command: the port's STDIN frames to its stdin, its output to the
 * port, until it has exited and closed its output. */
static void
serve_run (int                 port,
           const AirRunHeader *header)
{
  int in_pipe[2], out_pipe[2], err_pipe[2];
  int child_in, child_out, child_err;
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  gboolean stdin_done = FALSE, host_gone = FALSE;
  guint8 *buffer = g_malloc (AIR_CALL_MAX_FRAME);
  int status = 0;
  pid_t pid;

  if (pipe2 (in_pipe, O_CLOEXEC) != 0 || pipe2 (out_pipe, O_CLOEXEC) != 0 || pipe2 (err_pipe, O_CLOEXEC) != 0)
    {
      send_exit (port, AIR_VM_EXIT_FAILED);
      g_free (buffer);
      return;
    }

  pid = fork ();
  if (pid == 0)
    exec_command (header, in_pipe[0], out_pipe[1], err_pipe[1]);
  close (in_pipe[0]);
  close (out_pipe[1]);
  close (err_pipe[1]);
  child_in = in_pipe[1];
  child_out = out_pipe[0];
  child_err = err_pipe[0];
  g_unix_set_fd_nonblocking (child_in, TRUE, NULL);

  air_call_write_frame (port, AIR_CALL_FRAME_READY, NULL, 0);

  while (pid > 0 && !host_gone && (child_out >= 0 || child_err >= 0))
    {
      struct pollfd pfd[4] = {
        { .fd = port, .events = (!stdin_done && pending->len < PENDING_MAX) ? POLLIN : 0 },
        { .fd = child_out, .events = POLLIN },
        { .fd = child_err, .events = POLLIN },
        { .fd = pending->len > 0 ? child_in : -1, .events = POLLOUT },
      };

      if (poll (pfd, G_N_ELEMENTS (pfd), -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }

      if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
        host_gone = TRUE;
      else if (pfd[0].revents & POLLIN)
        {
          guint8 head[5];
          guint32 len;

          if (air_fd_read_full (port, head, 5) != 5)
            host_gone = TRUE;
          else
            {
              memcpy (&len, head + 1, 4);
              len = GUINT32_FROM_BE (len);
              if (head[0] != AIR_VM_FRAME_STDIN || len > AIR_CALL_MAX_FRAME ||
                  air_fd_read_full (port, buffer, len) != len)
                host_gone = TRUE;
              else if (len == 0)
                stdin_done = TRUE;
              else
                g_byte_array_append (pending, buffer, len);
            }
        }

      if (child_in >= 0 && pending->len > 0 && (pfd[3].revents & (POLLOUT | POLLERR | POLLHUP)))
        {
          ssize_t n = write (child_in, pending->data, pending->len);

          if (n > 0)
            g_byte_array_remove_range (pending, 0, n);
          else if (n < 0 && errno != EAGAIN && errno != EINTR)
            {
              /* The command stopped reading: the rest of stdin goes nowhere. */
              g_byte_array_set_size (pending, 0);
              close (child_in);
              child_in = -1;
            }
        }
      if (child_in >= 0 && stdin_done && pending->len == 0)
        {
          close (child_in);
          child_in = -1;
        }
      if (child_in < 0)
        g_byte_array_set_size (pending, 0);

      for (guint i = 1; i <= 2; i++)
        if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
          {
            int *fd = i == 1 ? &child_out : &child_err;
            ssize_t n = read (*fd, buffer, AIR_CALL_MAX_FRAME);

            if (n > 0)
              {
                if (!air_call_write_frame (port, i == 1 ? AIR_CALL_FRAME_STDOUT : AIR_CALL_FRAME_STDERR, buffer, n))
                  host_gone = TRUE;
              }
            else if (n == 0 || errno != EINTR)
              {
                close (*fd);
                *fd = -1;
              }
          }
    }

  if (host_gone && pid > 0)
    kill (-pid, SIGKILL);
  if (pid > 0)
    while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
      ;
  for (guint i = 0; i < 3; i++)
    {
      int fd = i == 0 ? child_in : i == 1 ? child_out : child_err;

      if (fd >= 0)
        close (fd);
    }

  if (!host_gone)
    send_exit (port, pid < 0 ? AIR_VM_EXIT_FAILED
                     : WIFEXITED (status) ? WEXITSTATUS (status)
                     : 128 + WTERMSIG (status));
  g_free (buffer);
}

static void
serve_call (int port)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *service = NULL, *arg = NULL, *caller = NULL;

  if (!read_header_line (port, line) ||
      !air_call_header_parse (line->str, line->len, &service, &arg, &caller, NULL, NULL))
    return;

  if (strcmp (service, "ping") == 0)
    {
      air_call_write_frame (port, AIR_CALL_FRAME_READY, NULL, 0);
      send_exit (port, 0);
    }
  else if (strcmp (service, "shutdown") == 0)
    {
      air_call_write_frame (port, AIR_CALL_FRAME_READY, NULL, 0);
      kill (-1, SIGTERM);
      g_usleep (G_USEC_PER_SEC / 2);
      kill (-1, SIGKILL);
      sync ();
      send_exit (port, 0);
      reboot (RB_POWER_OFF);
    }
  else if (strcmp (service, "run") == 0)
    {
      g_autoptr(GString) run_line = g_string_new (NULL);
      g_autoptr(AirRunHeader) header = NULL;

      if (air_fd_read_line_into (port, run_line, AIR_JSON_MAX_LINE, NULL))
        header = air_run_header_parse (run_line->str, run_line->len, NULL);
      if (header == NULL)
        {
          air_call_write_frame (port, AIR_CALL_FRAME_READY, NULL, 0);
          send_exit (port, AIR_VM_EXIT_FAILED);
          return;
        }
      serve_run (port, header);
    }
}

/* Serves one port until the process ends. */
static void G_GNUC_NORETURN
serve_port (const char *port_path)
{
  gboolean served = FALSE;
  int port = -1;

  /* One call per host connection. The guest greets a new connection
   * with READY only once it has seen the one before go, and drops what
   * that one left: the host sends its call after the greeting, so no
   * stale byte is ever read as a call. The port stays open throughout:
   * while no host is connected it reads as hung up. */
  for (;;)
    {
      struct pollfd pfd = { .events = POLLIN | (served ? 0 : POLLOUT) };

      if (port < 0 && (port = open (port_path, O_RDWR | O_CLOEXEC)) < 0)
        {
          g_printerr ("qubes-air-agent: cannot open %s: %s\n", port_path, g_strerror (errno));
          g_usleep (G_USEC_PER_SEC);
          continue;
        }
      pfd.fd = port;

      if (poll (&pfd, 1, -1) < 0)
        continue;
      reap_children ();
      if (pfd.revents & POLLHUP)
        {
          /* No host: what is left is a gone connection's. */
          drain (port);
          served = FALSE;
          g_usleep (G_USEC_PER_SEC / 50);
        }
      else if (pfd.revents & POLLIN)
        /* Sent on a connection we did not greet, or after its call. */
        drain (port);
      else if (!served && (pfd.revents & POLLOUT))
        {
          served = TRUE;
          if (air_call_write_frame (port, AIR_CALL_FRAME_READY, NULL, 0))
            serve_call (port);
        }
    }
}

static pid_t
start_port_server (const char *path)
{
  pid_t pid = fork ();

  if (pid == 0)
    {
      /* Only PID 1 restarts servers. */
      port_paths = NULL;
      serve_port (path);
    }
  return pid;
}

/* The device of each further port (AIR_VM_PORT_PREFIX1 …), from sysfs. */
static void
find_ports (char *paths[AIR_VM_N_PORTS])
{
  g_autoptr(GDir) dir = g_dir_open ("/sys/class/virtio-ports", 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name_file = g_build_filename ("/sys/class/virtio-ports", entry, "name", NULL);
      g_autofree char *name = NULL;

      if (!g_file_get_contents (name_file, &name, NULL, NULL))
        continue;
      g_strchomp (name);
      for (guint port = 1; port < AIR_VM_N_PORTS; port++)
        {
          g_autofree char *wanted = g_strdup_printf ("%s%u", AIR_VM_PORT_PREFIX, port);

          if (strcmp (name, wanted) == 0 && paths[port] == NULL)
            paths[port] = g_build_filename ("/dev", entry, NULL);
        }
    }
}

int
air_vm_guest_main (const char *port_path)
{
  char *paths[AIR_VM_N_PORTS] = { NULL };

  signal (SIGPIPE, SIG_IGN);

  /* PID 1 serves the first port and restarts the others' servers (one
   * process each: a call on one never waits for another's). */
  find_ports (paths);
  for (guint port = 1; port < AIR_VM_N_PORTS; port++)
    if (paths[port] != NULL)
      port_servers[port] = start_port_server (paths[port]);
  port_paths = paths;
  serve_port (port_path);
}
