/* air-libvirt-driver-calls.c — AirLibvirtDriver: calls to the qube's
 * agent through the virtio channel (run, disposables, the exit status)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-libvirt-driver"

#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <poll.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "air-call-frames.h"
#include "air-error.h"
#include "air-fd-io.h"
#include "air-json.h"
#include "air-libvirt-driver-private.h"
#include "air-names.h"
#include "air-vm-guest.h"

#define MAX_STALE_FRAMES         64
/* The guest's greeting: each connection waits this long before it is
 * made again, for at most GREETING_TIMEOUT_MS when the call has no limit
 * of its own; the pause lets the guest see the connection go. */
#define GREETING_ATTEMPT_MS      2000
#define GREETING_TIMEOUT_MS      60000
#define GREETING_PAUSE_MS        100

/* Takes a channel no other call of ours is using (each serves one call
 * at a time); when all are busy, waits for one. Returns its port, and
 * the lock to hold for the call in @lock_fd. */
static guint
take_channel (AirLibvirtDriver *self,
              const char       *name,
              int              *lock_fd)
{
  for (guint port = 0; port < AIR_VM_N_PORTS; port++)
    {
      g_autofree char *path = _air_libvirt_driver_channel_path (self, name, port, ".port-lock");
      int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

      if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) == 0)
        {
          *lock_fd = fd;
          return port;
        }
      if (fd >= 0)
        close (fd);
    }
  {
    guint port = (guint) getpid () % AIR_VM_N_PORTS;
    g_autofree char *path = _air_libvirt_driver_channel_path (self, name, port, ".port-lock");
    int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    while (fd >= 0 && flock (fd, LOCK_EX) != 0 && errno == EINTR)
      ;
    *lock_fd = fd;
    return port;
  }
}

/* Connects to the qube's channel @port, retrying while QEMU makes its socket. */
static int
connect_channel (AirLibvirtDriver  *self,
                 const char        *name,
                 guint              port,
                 GError           **error)
{
  g_autofree char *path = _air_libvirt_driver_channel_path (self, name, port, ".sock");
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof addr.sun_path)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("The agent’s state directory is too deep for a socket path: %s"), path);
      return -1;
    }
  strcpy (addr.sun_path, path);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                   _("Cannot reach the agent of qube “%s”: %s"), name, g_strerror (saved_errno));
      return -1;
    }
  return fd;
}

/* Reads frames until the guest's READY, within @deadline (monotonic µs;
 * 0: none). FALSE with @error on a timeout, a closed channel or junk. */
static gboolean
wait_ready (int          fd,
            const char  *name,
            gint64       deadline,
            GError     **error)
{
  g_autofree guint8 *buffer = g_malloc (AIR_CALL_MAX_FRAME);

  for (guint skipped = 0; skipped < MAX_STALE_FRAMES; skipped++)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      AirCallFrame type;
      gsize len;
      int wait_ms = deadline == 0 ? -1 : (int) MAX (0, (deadline - g_get_monotonic_time ()) / 1000);
      int n = poll (&pfd, 1, wait_ms);

      if (n < 0 && errno == EINTR)
        continue;
      if (n == 0)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                       _("The agent of qube “%s” did not answer"), name);
          return FALSE;
        }
      if (!air_call_read_frame (fd, &type, buffer, &len, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                         _("Qube “%s” closed its agent’s channel"), name);
          return FALSE;
        }
      if (type == AIR_CALL_FRAME_READY)
        return TRUE;
    }

  g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The agent of qube “%s” sent too much before answering"), name);
  return FALSE;
}

/* Connects to the guest, waits for its greeting (air-vm-guest.h: the
 * guest greets each connection once, after dropping whatever the one
 * before left), sends the call and waits for its READY. A guest that
 * has not yet seen the previous connection go does not greet: the
 * connection is made again, after a pause it cannot miss.
 * @timeout_ms < 0: no limit once greeted. Returns the channel, or -1. */
static int
open_call_on (AirLibvirtDriver  *self,
              const char        *name,
              guint              port,
              const char        *service,
              const char        *extra_line,
              int                timeout_ms,
              GError           **error)
{
  g_autofree char *header = air_call_header_new (service, "", "dom0", NULL);
  gint64 limit = timeout_ms < 0 ? GREETING_TIMEOUT_MS : timeout_ms;
  gint64 deadline = g_get_monotonic_time () + limit * 1000;
  guint pause_ms = GREETING_PAUSE_MS / 2;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 attempt = MIN (deadline, g_get_monotonic_time () + GREETING_ATTEMPT_MS * 1000);
      int fd = connect_channel (self, name, port, error);

      if (fd < 0)
        return -1;
      if (wait_ready (fd, name, attempt, &local_error))
        {
          /* A channel that closes after its greeting is tried again, as
           * one that gives none. */
          if (!air_fd_send_all (fd, header, strlen (header)) ||
              (extra_line != NULL && !air_fd_send_all (fd, extra_line, strlen (extra_line))))
            g_set_error (&local_error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                         _("Cannot reach the agent of qube “%s”"), name);
          else if (!wait_ready (fd, name, timeout_ms < 0 ? 0 : deadline, error))
            {
              close (fd);
              return -1;
            }
          else
            return fd;
        }
      close (fd);
      if (g_get_monotonic_time () >= deadline ||
          !g_error_matches (local_error, AIR_ERROR, AIR_ERROR_UNREACHABLE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
      /* Longer each time: a guest slow to be scheduled must see the gap. */
      pause_ms = MIN (pause_ms * 2, 1600);
      g_usleep (pause_ms * 1000);
    }
}

/* A call on a free channel: the channel, and in @lock_fd the lock that
 * keeps it ours until both are closed (close_call). */
int
_air_libvirt_driver_open_call (AirLibvirtDriver  *self,
                               const char        *name,
                               const char        *service,
                               const char        *extra_line,
                               int                timeout_ms,
                               int               *lock_fd,
                               GError           **error)
{
  guint port = take_channel (self, name, lock_fd);
  int fd = open_call_on (self, name, port, service, extra_line, timeout_ms, error);

  if (fd < 0 && *lock_fd >= 0)
    {
      close (*lock_fd);
      *lock_fd = -1;
    }
  return fd;
}

void
_air_libvirt_close_call (int fd,
                         int lock_fd)
{
  close (fd);
  if (lock_fd >= 0)
    close (lock_fd);
}

gboolean
_air_libvirt_read_exit (int          fd,
                        const char  *name,
                        int          timeout_ms,
                        GError     **error)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  g_autofree guint8 *buffer = g_malloc (AIR_CALL_MAX_FRAME);
  AirCallFrame type;
  gsize len;

  if (poll (&pfd, 1, timeout_ms) <= 0 ||
      !air_call_read_frame (fd, &type, buffer, &len, NULL) || type != AIR_CALL_FRAME_EXIT)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE, _("The agent of qube “%s” did not answer"), name);
      return FALSE;
    }
  return TRUE;
}

/* Relays our stdin to the guest as STDIN frames and its frames to our
 * stdout and stderr, until its EXIT — or until our caller goes away,
 * which closes the channel and so ends the command in the guest. */
int
_air_libvirt_relay_command (int          fd,
                            const char  *name,
                            int          in_fd,
                            int          out_fd,
                            int          err_fd,
                            GError     **error)
{
  g_autofree guint8 *buffer = g_malloc (AIR_CALL_MAX_FRAME);
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  gboolean stdin_done = in_fd < 0;

  /* No input: its end, at once. */
  if (stdin_done)
    g_byte_array_append (pending, (const guint8 []) { AIR_VM_FRAME_STDIN, 0, 0, 0, 0 }, 5);

  for (;;)
    {
      struct pollfd pfd[3] = {
        { .fd = (!stdin_done && pending->len == 0) ? in_fd : -1, .events = POLLIN },
        { .fd = fd, .events = POLLIN | (pending->len > 0 ? POLLOUT : 0) },
        { .fd = out_fd, .events = 0 },   /* POLLERR: our caller closed its end */
      };

      if (poll (pfd, G_N_ELEMENTS (pfd), -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }

      if (pfd[2].revents & (POLLERR | POLLHUP | POLLNVAL))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED, _("The caller went away"));
          return -1;
        }

      if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          ssize_t n = read (in_fd, buffer + 5, AIR_CALL_MAX_FRAME - 5);
          guint32 be;

          if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
          if (n <= 0)
            {
              n = 0;
              stdin_done = TRUE;
            }
          buffer[0] = AIR_VM_FRAME_STDIN;
          be = GUINT32_TO_BE ((guint32) n);
          memcpy (buffer + 1, &be, 4);
          g_byte_array_append (pending, buffer, n + 5);
        }

      if (pending->len > 0 && (pfd[1].revents & POLLOUT))
        {
          ssize_t n = send (fd, pending->data, pending->len, MSG_DONTWAIT | MSG_NOSIGNAL);

          if (n > 0)
            g_byte_array_remove_range (pending, 0, n);
          else if (n < 0 && errno != EAGAIN && errno != EINTR)
            break;
        }

      if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          AirCallFrame type;
          gsize len;
          guint32 status;

          if (!air_call_read_frame (fd, &type, buffer, &len, NULL))
            break;
          switch (type)
            {
            case AIR_CALL_FRAME_STDOUT:
            case AIR_CALL_FRAME_STDERR:
              if (!air_fd_write_all (type == AIR_CALL_FRAME_STDOUT ? out_fd : err_fd, buffer, len) &&
                  type == AIR_CALL_FRAME_STDOUT)
                {
                  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED, _("The caller went away"));
                  return -1;
                }
              break;
            case AIR_CALL_FRAME_EXIT:
              memcpy (&status, buffer, 4);
              status = GUINT32_FROM_BE (status);
              if (status > 255)
                {
                  g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("Qube “%s” sent an exit status that is not valid"), name);
                  return -1;
                }
              return (int) status;
            default:
              goto lost;
            }
        }
    }

lost:
  g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Qube “%s” stopped before the command finished."), name);
  return -1;
}

static int
run_in_qube (AirLibvirtDriver    *self,
             const char          *name,
             const AirRunHeader  *header,
             GError             **error)
{
  g_autofree char *line = air_run_header_to_line ((const char * const *) header->argv, header->user);
  int fd, lock_fd = -1, status;

  if (strlen (line) > AIR_JSON_MAX_LINE)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("The command line is too long"));
      return -1;
    }
  fd = _air_libvirt_driver_open_call (self, name, "run", line, -1, &lock_fd, error);
  if (fd < 0)
    return -1;
  status = _air_libvirt_relay_command (fd, name, STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, error);
  _air_libvirt_close_call (fd, lock_fd);
  return status;
}

int
_air_libvirt_driver_run (AirDriver           *driver,
                         const char          *name,
                         const AirRunHeader  *header,
                         GError             **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQube) qube = _air_libvirt_driver_lookup (driver, name, error);

  if (qube == NULL)
    return -1;
  /* Like qvm-run, a halted qube is started first. */
  if (!air_qube_is_running (qube))
    {
      g_clear_object (&qube);
      qube = _air_libvirt_driver_start (driver, name, error);
      if (qube == NULL)
        return -1;
    }
  return run_in_qube (self, name, header, error);
}

int
_air_libvirt_driver_take_lock (AirLibvirtDriver *self,
                               const char       *name)
{
  g_autofree char *path = air_driver_path_in (self->run_dir, name, ".lock");
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

typedef struct {
  AirLibvirtDriver *self;
  int               lock_fd;
} LockedCreate;

/* A name whose lock another agent holds is taken, as one whose qube is. */
static AirQube *
create_locked (const char         *name,
               const AirQubeSpec  *spec,
               gpointer            user_data,
               GError            **error)
{
  LockedCreate *create = user_data;
  AirQube *qube;

  create->lock_fd = _air_libvirt_driver_take_lock (create->self, name);
  if (create->lock_fd < 0)
    return NULL;
  qube = _air_libvirt_driver_create_qube (AIR_DRIVER (create->self), name, spec, TRUE, error);
  if (qube == NULL)
    {
      close (create->lock_fd);
      create->lock_fd = -1;
    }
  return qube;
}

char *
_air_libvirt_driver_create_locked (AirLibvirtDriver   *self,
                                   const char         *prefix,
                                   const AirQubeSpec  *spec,
                                   const char         *busy_message,
                                   int                *lock_fd,
                                   GError            **error)
{
  LockedCreate create = { self, -1 };
  char *name = air_driver_create_unnamed (prefix, spec, create_locked, &create, busy_message, error);

  *lock_fd = create.lock_fd;
  return name;
}

/* A disposable lives as long as this process: its domain is started with
 * AUTODESTROY (libvirt destroys it when our connection goes, even after a
 * kill -9), and its lock, released by the kernel then, lets the next
 * agent remove what is left (collect_dead_disposables). */
int
_air_libvirt_driver_disposable (AirDriver           *driver,
                                const char          *template_name,
                                const AirRunHeader  *header,
                                GError             **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(AirQube) qube = NULL;
  g_autofree char *name = NULL;
  int lock_fd = -1, status;

  if (!air_name_validate (template_name, "template", error))
    return -1;
  g_free (spec->template_name);
  spec->template_name = g_strdup (template_name);
  spec->kind = AIR_QUBE_KIND_DISP_VM;

  name = _air_libvirt_driver_create_locked (self, "disp", spec, _("No free name for a disposable"),
                                            &lock_fd, error);
  if (name == NULL)
    return -1;

  qube = _air_libvirt_driver_start_qube (self, name, VIR_DOMAIN_START_AUTODESTROY, error);
  status = qube != NULL ? run_in_qube (self, name, header, error) : -1;

  _air_libvirt_driver_destroy_domain (self, name);
  _air_libvirt_driver_remove_volumes (self, name);
  close (lock_fd);
  return status;
}

/* Disposables whose owning agent died: their lock is free. */
void
_air_libvirt_driver_collect_dead_disposables (AirLibvirtDriver *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->qubes_dir, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name = NULL;
      g_autoptr(AirQubeSpec) spec = NULL;
      int lock_fd;

      if (!_air_libvirt_name_from_entry (entry, &name) || !g_str_has_prefix (name, "disp"))
        continue;
      spec = _air_libvirt_driver_read_settings (self, name, NULL);
      if (spec == NULL || spec->kind != AIR_QUBE_KIND_DISP_VM)
        continue;
      lock_fd = _air_libvirt_driver_take_lock (self, name);
      if (lock_fd < 0)
        continue;
      _air_libvirt_driver_destroy_domain (self, name);
      _air_libvirt_driver_remove_volumes (self, name);
      close (lock_fd);
    }
}
