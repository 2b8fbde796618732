/* air-call-client.c
 *
 * The ssh driver opens the call (header written, READY read) and runs
 * this with the socket as descriptor 3 and the call's stdin, stdout and
 * stderr as its own: it then behaves as “ssh host command” did, stdin
 * copied out, stdout and stderr copied in, and exits with the call's
 * status, or AIR_CALL_EXIT_LOST when the connection broke first.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-call-client"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "air-call-client.h"
#include "air-call-frames.h"
#include "air-fd-io.h"
#include "air-names.h"

static gpointer
copy_stdin (gpointer data)
{
  int fd = GPOINTER_TO_INT (data);

  air_fd_copy (STDIN_FILENO, fd);
  shutdown (fd, SHUT_WR);
  return NULL;
}

int
air_call_client_main (int fd)
{
  g_autofree guint8 *buffer = g_malloc (AIR_CALL_MAX_FRAME);
  g_autoptr(GError) error = NULL;
  AirCallFrame type;
  gsize len;

  signal (SIGPIPE, SIG_IGN);
  g_thread_unref (g_thread_new ("stdin", copy_stdin, GINT_TO_POINTER (fd)));

  while (air_call_read_frame (fd, &type, buffer, &len, &error))
    {
      switch (type)
        {
        case AIR_CALL_FRAME_STDOUT:
          /* Our caller went away: so does the call. */
          if (!air_fd_write_all (STDOUT_FILENO, buffer, len))
            return AIR_CALL_EXIT_LOST;
          break;
        case AIR_CALL_FRAME_STDERR:
          air_fd_write_all (STDERR_FILENO, buffer, len);
          break;
        case AIR_CALL_FRAME_EXIT:
          {
            guint32 status;

            memcpy (&status, buffer, 4);
            status = GUINT32_FROM_BE (status);
            return status <= 255 ? (int) status : AIR_CALL_EXIT_LOST;
          }
        case AIR_CALL_FRAME_READY:
        default:
          /* The driver took READY: a second one is not the host's to send. */
          g_printerr ("%s\n", _("The call’s stream holds a frame that is not valid"));
          return AIR_CALL_EXIT_LOST;
        }
    }

  if (error != NULL)
    {
      g_autofree char *shown = air_text_sanitize (error->message, -1, 200);
      g_printerr ("%s\n", shown);
    }
  return AIR_CALL_EXIT_LOST;
}
