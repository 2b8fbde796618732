/* air-qube-call.c
 *
 * What a qube of a zone runs to call a local qube (air-uplink.c), under
 * the names it has in a Qubes qube — the agent is linked under them in
 * the qube's /run/qubes-air/bin, first in its PATH:
 *
 *   qrexec-client-vm [--] TARGET SERVICE[+ARG]   stdin and stdout are the call's
 *   qvm-copy-to-vm TARGET FILE...                 to TARGET's ~/QubesIncoming/<us>/
 *   qvm-copy FILE...                              the same, dom0 choosing the target
 *
 * The call goes to the qube's init on its calls socket and comes back as
 * frames (air-call-frames.h), as a forwarded call does.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-qube-call"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "air-call-client.h"
#include "air-call-frames.h"
#include "air-fd-io.h"
#include "air-filecopy.h"
#include "air-filecopy-writer.h"
#include "air-qube-call.h"
#include "air-uplink.h"

gboolean
air_qube_call_handles (const char *program)
{
  g_autofree char *name = g_path_get_basename (program);

  return strcmp (name, "qrexec-client-vm") == 0 || strcmp (name, "qvm-copy-to-vm") == 0 ||
         strcmp (name, "qvm-copy") == 0;
}

/* Connected, header sent, READY read; -1 after saying why not. */
static int
open_call (const char *target,
           const char *service_full_name)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  const char *path = g_getenv (AIR_QUBE_CALL_SOCKET_ENV);
  g_autofree char *service = g_strndup (service_full_name, strcspn (service_full_name, "+"));
  const char *arg = service_full_name + strlen (service);
  g_autofree char *header = NULL;
  g_autofree guint8 *frame = g_malloc (AIR_CALL_MAX_FRAME);
  AirCallFrame type;
  gsize len;
  int fd;

  if (!air_call_target_is_valid (target))
    {
      g_printerr (_("“%s” is not a qube name (nor @default, @dispvm or @dispvm:NAME)\n"), target);
      return -1;
    }
  if (path == NULL || strlen (path) >= sizeof address.sun_path)
    {
      g_printerr (_("This qube cannot call other qubes: it was not started by Qubes Air’s agent.\n"));
      return -1;
    }
  strcpy (address.sun_path, path);
  header = air_call_header_new (service, arg[0] == '+' ? arg + 1 : arg, g_get_host_name (), target);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &address, sizeof address) != 0 ||
      !air_fd_write_all (fd, header, strlen (header)) ||
      !air_call_read_frame (fd, &type, frame, &len, NULL) || type != AIR_CALL_FRAME_READY)
    {
      g_printerr (_("The qube’s init did not take the call (is the qube shutting down?)\n"));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

/* Sends @paths as qubes.Filecopy and reads the receiver's answer. */
static int
copy_to (const char  *target,
         char       **paths)
{
  g_autofree guint8 *frame = g_malloc (AIR_CALL_MAX_FRAME);
  g_autoptr(GError) error = NULL;
  guint8 result[AIR_FILECOPY_RESULT_SIZE];
  gsize have = 0, len;
  AirFilecopyWriter *writer;
  AirCallFrame type;
  guint32 status = AIR_UPLINK_EXIT_REFUSED, code = 0, crc = 0;
  gboolean sent = TRUE;
  int fd = open_call (target, "qubes.Filecopy");

  if (fd < 0)
    return AIR_UPLINK_EXIT_REFUSED;

  writer = air_filecopy_writer_new (fd);
  for (guint i = 0; sent && paths[i] != NULL; i++)
    sent = air_filecopy_writer_add_path (writer, AT_FDCWD, paths[i], FALSE, &error);
  sent = sent && air_filecopy_writer_finish (writer, &error);
  air_filecopy_writer_free (writer);
  shutdown (fd, SHUT_WR);

  while (air_call_read_frame (fd, &type, frame, &len, NULL))
    {
      if (type == AIR_CALL_FRAME_STDOUT)
        {
          gsize take = MIN (len, sizeof result - have);

          memcpy (result + have, frame, take);
          have += take;
        }
      else if (type == AIR_CALL_FRAME_STDERR)
        air_fd_write_all (STDERR_FILENO, frame, len);
      else if (type == AIR_CALL_FRAME_EXIT)
        {
          memcpy (&status, frame, 4);
          status = GUINT32_FROM_BE (status);
          break;
        }
    }
  close (fd);

  if (!sent)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (status != 0)
    return status <= 255 ? (int) status : 1;
  if (have == sizeof result)
    air_filecopy_result_decode (result, &code, &crc);
  else
    code = EIO;
  if (code != 0)
    {
      g_printerr (_("%s refused the files: %s\n"), target, g_strerror ((int) code));
      return 1;
    }
  return 0;
}

int
air_qube_call_main (int    argc,
                    char **argv)
{
  g_autofree char *name = g_path_get_basename (argv[0]);
  int fd;

  if (strcmp (name, "qvm-copy") == 0)
    {
      if (argc < 2)
        {
          g_printerr (_("Usage: qvm-copy FILE...\n"));
          return 2;
        }
      return copy_to ("@default", argv + 1);
    }
  if (strcmp (name, "qvm-copy-to-vm") == 0)
    {
      if (argc < 3)
        {
          g_printerr (_("Usage: qvm-copy-to-vm TARGET FILE...\n"));
          return 2;
        }
      return copy_to (argv[1], argv + 2);
    }

  if (argc > 1 && strcmp (argv[1], "--") == 0)
    {
      argv++;
      argc--;
    }
  if (argc != 3)
    {
      g_printerr (_("Usage: qrexec-client-vm [--] TARGET SERVICE[+ARGUMENT]\n"
                    "(In a qube of a Qubes Air zone the call’s stdin and stdout are this command’s; "
                    "a local program is not supported.)\n"));
      return 2;
    }
  fd = open_call (argv[1], argv[2]);
  if (fd < 0)
    return AIR_UPLINK_EXIT_REFUSED;
  return air_call_client_main (fd);
}
