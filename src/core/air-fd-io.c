/* air-fd-io.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE   /* close_range */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "air-error.h"
#include "air-fd-io.h"

/* Writes all of @data, with send(MSG_NOSIGNAL) while @fd is a socket
 * and write() once it proves not to be; resumes after signals. */
static gboolean
put_all (int         fd,
         const void *data,
         gsize       len,
         gboolean    as_socket)
{
  const guint8 *p = data;

  while (len > 0)
    {
      ssize_t n = as_socket ? send (fd, p, len, MSG_NOSIGNAL) : write (fd, p, len);

      if (n < 0 && as_socket && errno == ENOTSOCK)
        {
          as_socket = FALSE;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= n;
    }
  return TRUE;
}

/* Writes all of @data, resuming after signals; FALSE when the reader has
 * gone or the write failed (errno tells). */
gboolean
air_fd_write_all (int         fd,
                  const void *data,
                  gsize       len)
{
  return put_all (fd, data, len, FALSE);
}

gboolean
air_fd_read_line_into (int       fd,
                       GString  *line,
                       gsize     max,
                       GError  **error)
{
  for (;;)
    {
      char c;
      ssize_t n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      if (c == '\n')
        return TRUE;
      if (line->len >= max)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A line is longer than %lu bytes"), (unsigned long) max);
          return FALSE;
        }
      g_string_append_c (line, c);
    }
}

char *
air_fd_read_line (int      fd,
                  gsize    max,
                  GError **error)
{
  g_autoptr(GString) line = g_string_new (NULL);

  if (!air_fd_read_line_into (fd, line, max, error))
    return NULL;
  return g_string_free (g_steal_pointer (&line), FALSE);
}

gboolean
air_fd_send_all (int         fd,
                 const void *data,
                 gsize       len)
{
  return put_all (fd, data, len, TRUE);
}

gboolean
air_fd_copy (int from,
             int to)
{
  char buffer[65536];
  ssize_t n;

  while ((n = read (from, buffer, sizeof buffer)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 || !air_fd_write_all (to, buffer, n))
        return FALSE;
    }
  return TRUE;
}

/* Reads until @len bytes or the end; returns how many were read. */
gsize
air_fd_read_full (int    fd,
                  void  *buffer,
                  gsize  len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = read (fd, (guint8 *) buffer + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += n;
    }
  return done;
}

/* Reads a whole request up to its end, refusing more than @max bytes. */
GBytes *
air_fd_read_to_end (int      fd,
                    gsize    max,
                    GError **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 buffer[8192];

  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, "%s", g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      if (data->len + (gsize) n > max)
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The request is too large"));
          return NULL;
        }
      g_byte_array_append (data, buffer, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/* TRUE when every descriptor above stderr closes on exec, so a child can be
 * spawned without GLib closing them one by one in a forked copy of this
 * process: then GLib uses posix_spawn, which does not copy the page tables
 * of a large process such as the app (a third of its start with ten zones,
 * bench/app). One descriptor that would be inherited says no. */
gboolean
air_fd_none_inherited (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      guint64 fd;
      int flags;

      if (!g_ascii_string_to_unsigned (name, 10, 3, G_MAXINT, &fd, NULL))
        continue;
      flags = fcntl ((int) fd, F_GETFD);
      if (flags >= 0 && (flags & FD_CLOEXEC) == 0)
        return FALSE;
    }

  return TRUE;
}

/* Marks every descriptor above stderr close-on-exec: what a launcher left
 * open in a long-lived process is of no use to it and must not reach the
 * processes it starts. */
void
air_fd_set_cloexec_above_stderr (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

#ifdef CLOSE_RANGE_CLOEXEC
  if (close_range (3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return;
#endif
  dir = g_dir_open ("/proc/self/fd", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      guint64 fd;
      int flags;

      if (g_ascii_string_to_unsigned (name, 10, 3, G_MAXINT, &fd, NULL) &&
          (flags = fcntl ((int) fd, F_GETFD)) >= 0 && (flags & FD_CLOEXEC) == 0)
        fcntl ((int) fd, F_SETFD, flags | FD_CLOEXEC);
    }
}
