/* air-qube-call.c
 *
 * What a qube of a zone runs to call a local qube (air-uplink.c), under
 * the names it has in a Qubes qube — the agent is linked under them in
 * the qube's /run/qubes-air/bin, first in its PATH:
 *
 *   qrexec-client-vm [--] TARGET SERVICE[+ARG]   stdin and stdout are the call's
 *   qvm-copy-to-vm TARGET FILE...                 to TARGET's ~/QubesIncoming/<us>/
 *   qvm-copy FILE...                              the same, dom0 choosing the target
 *   qvm-open-in-vm [--view-only] TARGET FILE      opened in TARGET, taken back if changed
 *   qvm-open-in-dvm [--view-only] FILE            the same in a new disposable
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
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "air-call-client.h"
#include "air-call-frames.h"
#include "air-fd-io.h"
#include "air-filecopy.h"
#include "air-filecopy-writer.h"
#include "air-qube-call.h"
#include "air-relay.h"
#include "air-uplink.h"

gboolean
air_qube_call_handles (const char *program)
{
  g_autofree char *name = g_path_get_basename (program);

  return strcmp (name, "qrexec-client-vm") == 0 || strcmp (name, "qvm-copy-to-vm") == 0 ||
         strcmp (name, "qvm-copy") == 0 || strcmp (name, "qvm-open-in-vm") == 0 ||
         strcmp (name, "qvm-open-in-dvm") == 0;
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

typedef void (*StdoutFunc) (const guint8 *data,
                            gsize         len,
                            gpointer      user_data);

/* The call's answer, after our side of it is sent: its stdout goes to
 * @stdout_func, its stderr to ours. Returns the status it exited with,
 * AIR_UPLINK_EXIT_REFUSED when the stream ended without one; @fd is
 * closed. */
static guint32
read_answer (int         fd,
             StdoutFunc  stdout_func,
             gpointer    user_data)
{
  g_autofree guint8 *frame = g_malloc (AIR_CALL_MAX_FRAME);
  guint32 status = AIR_UPLINK_EXIT_REFUSED;
  AirCallFrame type;
  gsize len;

  while (air_call_read_frame (fd, &type, frame, &len, NULL))
    {
      if (type == AIR_CALL_FRAME_STDOUT)
        stdout_func (frame, len, user_data);
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
  return status;
}

/* The receiver's result, AIR_FILECOPY_RESULT_SIZE bytes; more is dropped. */
typedef struct {
  guint8 data[AIR_FILECOPY_RESULT_SIZE];
  gsize  have;
} CopyResult;

static void
keep_result (const guint8 *data,
             gsize         len,
             gpointer      user_data)
{
  CopyResult *result = user_data;
  gsize take = MIN (len, sizeof result->data - result->have);

  memcpy (result->data + result->have, data, take);
  result->have += take;
}

/* Sends @paths as qubes.Filecopy and reads the receiver's answer. */
static int
copy_to (const char  *target,
         char       **paths)
{
  g_autoptr(GError) error = NULL;
  CopyResult result = { .have = 0 };
  AirFilecopyWriter *writer;
  guint32 status, code = 0, crc = 0;
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
  status = read_answer (fd, keep_result, &result);

  /* A refused or failed call said why on stderr already. */
  if (status != 0)
    return status <= 255 ? (int) status : 1;
  if (!sent)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (result.have == sizeof result.data)
    air_filecopy_result_decode (result.data, &code, &crc);
  else
    code = EIO;
  if (code != 0)
    {
      g_printerr (_("%s refused the files: %s\n"), target, g_strerror ((int) code));
      return 1;
    }
  return 0;
}

/* The file as changed in the other qube, written to our copy beside it. */
typedef struct {
  int      out;
  gboolean kept;
  guint64  received;
} ChangedFile;

static void
keep_changed (const guint8 *data,
              gsize         len,
              gpointer      user_data)
{
  ChangedFile *changed = user_data;

  changed->kept = changed->kept && air_fd_write_all (changed->out, data, len);
  changed->received += len;
}

/* qubes.OpenInVM: the file's name in 256 bytes (NUL-padded, after
 * "view-only-" when asked), then the file; what comes back is the file
 * as changed there, or nothing. A changed file replaces ours at once
 * (renamed over it), never half. */
static int
open_in (const char *target,
         const char *path,
         gboolean    view_only)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *back = g_build_filename (dir, ".qvm-open-XXXXXX", NULL);
  char header[OPEN_IN_VM_NAME_SIZE] = { 0, };
  ChangedFile changed = { .kept = TRUE };
  guint32 status;
  struct stat st;
  int fd, in, out;

  if (g_snprintf (header, sizeof header, "%s%s", view_only ? OPEN_IN_VM_VIEW_ONLY : "", base) >= (int) sizeof header)
    {
      g_printerr (_("The file name “%s” is too long to open in another qube\n"), base);
      return 1;
    }
  in = open (path, O_RDONLY | O_CLOEXEC);
  if (in < 0 || fstat (in, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_printerr (_("Cannot open “%s”: %s\n"), path, in < 0 ? g_strerror (errno) : _("not a regular file"));
      if (in >= 0)
        close (in);
      return 1;
    }
  out = g_mkstemp_full (back, O_RDWR | O_CLOEXEC, st.st_mode & 0777);
  fd = out < 0 ? -1 : open_call (target, "qubes.OpenInVM");
  if (fd < 0)
    {
      if (out < 0)
        g_printerr (_("Cannot write beside “%s”: %s\n"), path, g_strerror (errno));
      else
        {
          close (out);
          g_unlink (back);
        }
      close (in);
      return AIR_UPLINK_EXIT_REFUSED;
    }

  if (air_fd_write_all (fd, header, sizeof header))
    {
      char buffer[65536];
      ssize_t n;

      while ((n = read (in, buffer, sizeof buffer)) > 0 && air_fd_write_all (fd, buffer, n))
        ;
    }
  close (in);
  shutdown (fd, SHUT_WR);
  changed.out = out;
  status = read_answer (fd, keep_changed, &changed);

  changed.kept = changed.kept && fsync (out) == 0;
  close (out);
  if (status == 0 && changed.received > 0 && !view_only)
    {
      if (!changed.kept || g_rename (back, path) != 0)
        {
          g_printerr (_("The changed file could not be saved over “%s”: %s\n"), path, g_strerror (errno));
          g_unlink (back);
          return 1;
        }
      return 0;
    }
  g_unlink (back);
  return status <= 255 ? (int) status : 1;
}

int
air_qube_call_main (int    argc,
                    char **argv)
{
  g_autofree char *name = g_path_get_basename (argv[0]);
  int fd;

  /* A call that ends early is an EPIPE while we write, not our death. */
  signal (SIGPIPE, SIG_IGN);

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

  if (strcmp (name, "qvm-open-in-vm") == 0 || strcmp (name, "qvm-open-in-dvm") == 0)
    {
      gboolean dvm = strcmp (name, "qvm-open-in-dvm") == 0;
      gboolean view_only = argc > 1 && strcmp (argv[1], "--view-only") == 0;
      int first = view_only ? 2 : 1;

      if (argc != first + (dvm ? 1 : 2))
        {
          g_printerr (dvm ? _("Usage: qvm-open-in-dvm [--view-only] FILE\n")
                          : _("Usage: qvm-open-in-vm [--view-only] TARGET FILE\n"));
          return 2;
        }
      return open_in (dvm ? "@dispvm" : argv[first], argv[argc - 1], view_only);
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
