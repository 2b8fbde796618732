/* air-control-channel.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-control"

#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "air-control-channel.h"
#include "air-error.h"

static gboolean
fill_address (struct sockaddr_un  *address,
              const char          *path,
              GError             **error)
{
  memset (address, 0, sizeof *address);
  address->sun_family = AF_UNIX;

  if (strlen (path) >= sizeof address->sun_path)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("The socket path %s is too long; use a shorter state directory"), path);
      return FALSE;
    }

  strcpy (address->sun_path, path);
  return TRUE;
}

static int
set_errno_error (GError     **error,
                 const char  *what)
{
  int saved_errno = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s: %s", what, g_strerror (saved_errno));
  return -1;
}

/* Our SOCK_SEQPACKET socket at @path: bound there and listening (what
 * was at @path before is replaced), or connected to it. */
static int
open_socket (const char  *path,
             gboolean     listening,
             GError     **error)
{
  struct sockaddr_un address;
  int fd;

  if (!fill_address (&address, path, error))
    return -1;

  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return set_errno_error (error, "socket");

  if (listening)
    unlink (path);
  if (listening
      ? bind (fd, (struct sockaddr *) &address, sizeof address) < 0 || listen (fd, 16) < 0
      : connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      set_errno_error (error, path);
      close (fd);
      return -1;
    }

  return fd;
}

int
air_control_listen (const char  *path,
                    GError     **error)
{
  return open_socket (path, TRUE, error);
}

int
air_control_connect (const char  *path,
                     GError     **error)
{
  return open_socket (path, FALSE, error);
}

gboolean
air_control_send (int          fd,
                  const char  *message,
                  const int   *fds,
                  guint        n_fds,
                  GError     **error)
{
  union {
    char buffer[CMSG_SPACE (sizeof (int) * AIR_CONTROL_MAX_FDS)];
    struct cmsghdr align;
  } control;
  struct iovec iov = { (void *) message, strlen (message) };
  struct msghdr msg = { 0 };

  g_return_val_if_fail (n_fds <= AIR_CONTROL_MAX_FDS, FALSE);

  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;

  if (n_fds > 0)
    {
      struct cmsghdr *cmsg;

      memset (&control, 0, sizeof control);
      msg.msg_control = control.buffer;
      msg.msg_controllen = CMSG_SPACE (sizeof (int) * n_fds);
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
      memcpy (CMSG_DATA (cmsg), fds, sizeof (int) * n_fds);
    }

  while (sendmsg (fd, &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      {
        set_errno_error (error, _("Sending to the qube"));
        return FALSE;
      }

  return TRUE;
}

gssize
air_control_receive (int          fd,
                     char        *buffer,
                     gsize        size,
                     int         *fds,
                     guint       *n_fds,
                     GError     **error)
{
  union {
    char buffer[CMSG_SPACE (sizeof (int) * AIR_CONTROL_MAX_FDS)];
    struct cmsghdr align;
  } control;
  struct iovec iov = { buffer, size - 1 };
  struct msghdr msg = { 0 };
  ssize_t len;

  *n_fds = 0;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buffer;
  msg.msg_controllen = sizeof control.buffer;

  do
    len = recvmsg (fd, &msg, MSG_CMSG_CLOEXEC);
  while (len < 0 && errno == EINTR);

  if (len < 0)
    return set_errno_error (error, _("Reading from the qube"));

  for (struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg); cmsg; cmsg = CMSG_NXTHDR (&msg, cmsg))
    if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
      {
        guint n = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);

        memcpy (fds, CMSG_DATA (cmsg), sizeof (int) * MIN (n, AIR_CONTROL_MAX_FDS));
        *n_fds = MIN (n, AIR_CONTROL_MAX_FDS);
      }

  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
    {
      for (guint i = 0; i < *n_fds; i++)
        close (fds[i]);
      *n_fds = 0;
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("Control message too large"));
      return -1;
    }

  buffer[len] = '\0';
  return len;
}
