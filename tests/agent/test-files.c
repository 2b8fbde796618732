/* test-files.c — qair copy → loopback → qubes-air-agent → a qube's home,
 * for real: round trips, a FileGet stream checked against the documented
 * qubes.Filecopy layout, a hostile FilePut stream, a killed sender and a
 * cancelled copy, each leaving nothing behind.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-files"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *base_dir;
static char *zone_dir;

static GSubprocess *
spawn_qair (GSubprocessFlags   flags,
            const char        *first,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("QAIR_PROGRAM"));
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata, flags, &error);
  g_assert_no_error (error);
  return process;
}

static int
wait_status (GSubprocess *process,
             char       **err)
{
  g_autoptr(GBytes) err_bytes = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate (process, NULL, NULL, NULL, &err_bytes, &error);
  g_assert_no_error (error);
  if (err != NULL)
    *err = g_strndup (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes));
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : 128;
}

/* The agent run as qrexec would run @service+@arg, @input on stdin;
 * @quota_mib sets AIR_FILE_QUOTA_MIB unless NULL. */
static GSubprocess *
spawn_service_quota (const char *service,
                     const char *arg,
                     const char *quota_mib,
                     const char *stdin_path)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new ((stdin_path ? 0 : G_SUBPROCESS_FLAGS_STDIN_PIPE) |
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *full = g_strdup_printf ("%s+%s", service, arg);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "QREXEC_SERVICE_FULL_NAME", full, TRUE);
  g_subprocess_launcher_setenv (launcher, "QREXEC_SERVICE_ARGUMENT", arg, TRUE);
  g_subprocess_launcher_setenv (launcher, "QREXEC_REMOTE_DOMAIN", "mgmt", TRUE);
  g_subprocess_launcher_setenv (launcher, "AIR_AGENT_DIR", zone_dir, TRUE);
  if (quota_mib != NULL)
    g_subprocess_launcher_setenv (launcher, "AIR_FILE_QUOTA_MIB", quota_mib, TRUE);
  if (stdin_path != NULL)
    g_subprocess_launcher_set_stdin_file_path (launcher, stdin_path);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AIR_AGENT_PROGRAM"), arg, NULL);
  g_assert_no_error (error);
  return process;
}

static GSubprocess *
spawn_service (const char *service,
               const char *arg)
{
  return spawn_service_quota (service, arg, NULL, NULL);
}

static char *
home_path (const char *qube,
           const char *rest)
{
  return g_build_filename (zone_dir, "private", qube, rest, NULL);
}

static guint
count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
assert_same_file (const char *a,
                  const char *b)
{
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  gsize xl, yl;

  g_assert_true (g_file_get_contents (a, &x, &xl, NULL));
  g_assert_true (g_file_get_contents (b, &y, &yl, NULL));
  g_assert_cmpmem (x, xl, y, yl);
}

static void
make_tree (const char *root)
{
  g_autofree char *dir = g_build_filename (root, "项目", "sub", NULL);
  g_autofree char *path = NULL;
  g_autofree char *data = g_malloc (3 * 1024 * 1024 + 7);
  int fd;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (gsize i = 0; i < 3 * 1024 * 1024 + 7; i++)
    data[i] = (char) (i * 7 + i / 4096);
  path = g_build_filename (root, "项目", "sub", "数据.bin", NULL);
  g_assert_true (g_file_set_contents (path, data, 3 * 1024 * 1024 + 7, NULL));
  g_free (path);
  path = g_build_filename (root, "项目", "empty", NULL);
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  g_free (path);
  path = g_build_filename (root, "项目", "link", NULL);
  g_assert_cmpint (symlink ("sub/数据.bin", path), ==, 0);
  g_free (path);
  path = g_build_filename (root, "sparse", NULL);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (pwrite (fd, "tail", 4, 512 * 1024 * 1024), ==, 4);
  close (fd);
}

static void
check_tree (const char *src,
            const char *dest)
{
  g_autofree char *a = g_build_filename (src, "项目", "sub", "数据.bin", NULL);
  g_autofree char *b = g_build_filename (dest, "项目", "sub", "数据.bin", NULL);
  g_autofree char *link = g_build_filename (dest, "项目", "link", NULL);
  g_autofree char *target = g_file_read_link (link, NULL);
  g_autofree char *empty = g_build_filename (dest, "项目", "empty", NULL);
  g_autofree char *sparse = g_build_filename (dest, "sparse", NULL);
  struct stat st;

  assert_same_file (a, b);
  g_assert_cmpstr (target, ==, "sub/数据.bin");
  g_assert_true (g_file_test (empty, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (stat (sparse, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 512 * 1024 * 1024 + 4);
  g_assert_cmpint ((gint64) st.st_blocks * 512, <, 16 * 1024 * 1024);
}

static void
test_round_trip (void)
{
  g_autofree char *src = g_build_filename (base_dir, "src", NULL);
  g_autofree char *p1 = g_build_filename (src, "项目", NULL);
  g_autofree char *p2 = g_build_filename (src, "sparse", NULL);
  g_autofree char *in_work = home_path ("work", "QubesIncoming/mgmt");
  g_autofree char *in_dev = home_path ("dev", "QubesIncoming/work");
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) copy = NULL;
  g_autoptr(GSubprocess) again = NULL;

  g_assert_cmpint (g_mkdir (src, 0700), ==, 0);
  make_tree (src);

  /* Local files into a qube: they come from this qube, "mgmt". */
  copy = spawn_qair (G_SUBPROCESS_FLAGS_STDERR_PIPE, "copy", p1, p2, "work", NULL);
  if (wait_status (copy, &err) != 0)
    g_error ("qair copy failed: %s", err);
  check_tree (src, in_work);

  /* Between qubes: they come from "work". */
  g_clear_pointer (&err, g_free);
  again = spawn_qair (G_SUBPROCESS_FLAGS_STDERR_PIPE, "copy",
                      "work:QubesIncoming/mgmt/项目", "work:QubesIncoming/mgmt/sparse", "dev", NULL);
  if (wait_status (again, &err) != 0)
    g_error ("qair copy between qubes failed: %s", err);
  check_tree (src, in_dev);
}

static guint32
le32 (const guint8 *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (guint32) p[3] << 24;
}

/* FileGet's stdout decoded with nothing but the documented layout. */
static void
test_file_get_format (void)
{
  g_autoptr(GSubprocess) get = spawn_service ("qubesair.FileGet", "work");
  static const char request[] = "{\"paths\":[\"QubesIncoming/mgmt/项目\"]}";
  g_autoptr(GBytes) input = g_bytes_new_static (request, strlen (request));
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *p, *end;
  gsize len;
  guint files = 0, dirs = 0, links = 0;

  g_subprocess_communicate (get, input, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (get), ==, 0);
  p = g_bytes_get_data (out, &len);
  end = p + len;

  for (;;)
    {
      guint32 namelen, mode;
      guint64 filelen;

      g_assert_cmpint (end - p, >=, 32);
      namelen = le32 (p);
      mode = le32 (p + 4);
      filelen = le32 (p + 8) | (guint64) le32 (p + 12) << 32;
      if (namelen == 0)
        {
          static const guint8 zeros[32];
          g_assert_cmpmem (p, 32, zeros, 32);
          p += 32;
          break;
        }
      g_assert_cmpuint (le32 (p + 20), <, 1000000000);
      g_assert_cmpuint (le32 (p + 28), <, 1000000000);
      p += 32;
      g_assert_cmpint (p[namelen - 1], ==, '\0');
      g_assert_cmpuint (strlen ((const char *) p), ==, namelen - 1);
      g_assert_true (g_str_has_prefix ((const char *) p, "项目"));
      p += namelen;
      if (S_ISDIR (mode))
        {
          g_assert_cmpuint (filelen, ==, 0);
          dirs++;
        }
      else if (S_ISLNK (mode))
        links++;
      else
        {
          g_assert_true (S_ISREG (mode));
          files++;
        }
      p += filelen;
    }
  g_assert_true (p == end);
  /* 项目 and 项目/sub, each sent before and after their contents. */
  g_assert_cmpuint (dirs, ==, 4);
  g_assert_cmpuint (files, ==, 2);
  g_assert_cmpuint (links, ==, 1);
}

static void
test_hostile_put (void)
{
  g_autoptr(GSubprocess) put = spawn_service ("qubesair.FilePut", "dev+evil");
  /* "/etc/passwd" as a name. */
  static const guint8 stream[] = {
    12, 0, 0, 0, 0xa4, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    '/', 'e', 't', 'c', '/', 'p', 'a', 's', 's', 'w', 'd', 0, 'x',
  };
  g_autoptr(GBytes) input = g_bytes_new_static (stream, sizeof stream);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *incoming = home_path ("dev", "QubesIncoming/evil");
  const guint8 *result;
  gsize len;

  g_subprocess_communicate (put, input, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (put), !=, 0);
  result = g_bytes_get_data (out, &len);
  g_assert_cmpuint (len, >=, 16);
  g_assert_cmpuint (le32 (result), ==, EINVAL);
  g_assert_cmpuint (count_entries (incoming), ==, 0);
}

/* The sender dies half way through a file: no half file, no folder. */
static void
test_killed_sender (void)
{
  g_autoptr(GSubprocess) put = spawn_service ("qubesair.FilePut", "dev+killed");
  static const guint8 start[] = {
    5, 0, 0, 0, 0xa4, 0x81, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    'h', 'a', 'l', 'f', 0, 'd', 'a', 't', 'a',
  };
  GOutputStream *in = g_subprocess_get_stdin_pipe (put);
  g_autofree char *incoming = home_path ("dev", "QubesIncoming/killed");
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (in, start, sizeof start, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (in, NULL, NULL);
  g_subprocess_wait (put, NULL, &error);
  g_assert_cmpint (g_subprocess_get_exit_status (put), !=, 0);
  g_assert_cmpuint (count_entries (incoming), ==, 0);
}

/* Ctrl+C during a copy: qair fails and the qube has nothing of it. */
static void
test_cancel (void)
{
  g_autofree char *big = g_build_filename (base_dir, "big.img", NULL);
  g_autofree char *incoming = home_path ("dev", "QubesIncoming/mgmt");
  g_autoptr(GSubprocess) copy = NULL;
  int fd;

  fd = open (big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (ftruncate (fd, (off_t) 8 * 1024 * 1024 * 1024), ==, 0);
  close (fd);

  copy = spawn_qair (G_SUBPROCESS_FLAGS_STDERR_PIPE, "copy", big, "dev", NULL);
  /* Interrupt once the receiver has begun (its staging folder exists). */
  for (guint i = 0; i < 1000 && count_entries (incoming) == 0; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (count_entries (incoming), ==, 1);
  g_subprocess_send_signal (copy, SIGINT);
  g_assert_cmpint (wait_status (copy, NULL), ==, 1);
  g_assert_cmpuint (count_entries (incoming), ==, 0);
  g_unlink (big);
}

/* Ctrl+C in a terminal reaches the whole process group: qair and, on the
 * loopback transport, the agent receiving the files. The agent must not
 * die with its staging folder (the .air-partial-* data) left behind. */
static void
new_process_group (gpointer user_data)
{
  setpgid (0, 0);
}

static void
test_cancel_group (void)
{
  g_autofree char *big = g_build_filename (base_dir, "big-group.img", NULL);
  g_autofree char *incoming = home_path ("dev", "QubesIncoming/mgmt");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  pid_t group;
  int fd;

  fd = open (big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (ftruncate (fd, (off_t) 8 * 1024 * 1024 * 1024), ==, 0);
  close (fd);

  g_subprocess_launcher_set_child_setup (launcher, new_process_group, NULL, NULL);
  copy = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("QAIR_PROGRAM"), "copy", big, "dev", NULL);
  g_assert_no_error (error);
  group = atoi (g_subprocess_get_identifier (copy));
  for (guint i = 0; i < 1000 && count_entries (incoming) == 0; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (count_entries (incoming), ==, 1);
  g_usleep (200 * 1000);   /* well into the stream */
  g_assert_cmpint (kill (-group, SIGINT), ==, 0);
  g_assert_cmpint (wait_status (copy, &err), !=, 0);
  g_test_message ("qair: %s", err);
  /* The agent may outlive qair by a moment. */
  for (guint i = 0; i < 500 && count_entries (incoming) != 0; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (count_entries (incoming), ==, 0);
  g_unlink (big);
}

/* The receiving service itself stopped by a signal, its sender still
 * there (qrexec ending the call, an administrator's kill): nothing left. */
static void
test_put_signalled (void)
{
  static const int signals[] = { SIGTERM, SIGINT, SIGHUP };

  for (guint s = 0; s < G_N_ELEMENTS (signals); s++)
    {
      g_autoptr(GSubprocess) put = spawn_service ("qubesair.FilePut", "dev+signalled");
      /* "big", 64 MiB announced, the first MiB sent. */
      guint8 header[32 + 4] = { 4, 0, 0, 0, 0xa4, 0x81, 0, 0, 0, 0, 0, 4 };
      g_autofree guint8 *chunk = g_malloc (1024 * 1024);
      GOutputStream *in = g_subprocess_get_stdin_pipe (put);
      g_autofree char *incoming = home_path ("dev", "QubesIncoming/signalled");
      g_autoptr(GError) error = NULL;

      memcpy (header + 32, "big", 4);
      memset (chunk, 'x', 1024 * 1024);
      g_output_stream_write_all (in, header, sizeof header, NULL, NULL, &error);
      g_assert_no_error (error);
      g_output_stream_write_all (in, chunk, 1024 * 1024, NULL, NULL, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < 1000 && count_entries (incoming) == 0; i++)
        g_usleep (10 * 1000);
      g_assert_cmpuint (count_entries (incoming), ==, 1);
      g_usleep (100 * 1000);
      g_test_message ("signal %d", signals[s]);
      g_subprocess_send_signal (put, signals[s]);
      g_subprocess_wait (put, NULL, &error);
      g_assert_no_error (error);
      /* Stopped (an error status, not killed), nothing left. */
      g_assert_true (g_subprocess_get_if_exited (put));
      g_assert_cmpint (g_subprocess_get_exit_status (put), !=, 0);
      g_assert_cmpuint (count_entries (incoming), ==, 0);
      g_output_stream_close (in, NULL, NULL);
    }
}

/* 100,000 empty files: no bytes of data, but over a 100 MiB quota once
 * each entry counts. Refused (EDQUOT) with a clear reason, nothing left. */
static void
test_empty_files_quota (void)
{
  g_autoptr(GSubprocess) put = NULL;
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *incoming = home_path ("dev", "QubesIncoming/flood");
  g_autofree char *path = g_build_filename (base_dir, "flood.stream", NULL);
  g_autofree char *message = NULL;
  static const guint8 end[32];
  const guint8 *result;
  gsize len;

  for (guint i = 0; i < 100000; i++)
    {
      guint8 header[32] = { 0, 0, 0, 0, 0xa4, 0x81 };
      char name[16];
      int n = g_snprintf (name, sizeof name, "f%u", i);

      header[0] = n + 1;
      g_byte_array_append (stream, header, sizeof header);
      g_byte_array_append (stream, (const guint8 *) name, n + 1);
    }
  g_byte_array_append (stream, end, sizeof end);
  g_assert_true (g_file_set_contents (path, (const char *) stream->data, stream->len, NULL));

  put = spawn_service_quota ("qubesair.FilePut", "dev+flood", "100", path);
  g_subprocess_communicate (put, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (put), !=, 0);
  result = g_bytes_get_data (out, &len);
  g_assert_cmpuint (len, >=, 16);
  g_assert_cmpuint (le32 (result), ==, EDQUOT);
  message = g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err));
  g_test_message ("FilePut: %s", message);
  g_assert_nonnull (strstr (message, "larger than the space allowed"));
  g_assert_cmpuint (count_entries (incoming), ==, 0);
  g_unlink (path);
}

/* A chain of links each harmless alone, through the agent: refused. */
static void
test_link_chain_put (void)
{
  g_autoptr(GSubprocess) put = spawn_service ("qubesair.FilePut", "dev+chain");
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  static const struct { guint32 mode; const char *name; const char *data; } entries[] = {
    { 040755, "d", "" },
    { 040755, "d/e", "" },
    { 040755, "d/e/f", "" },
    { 0120777, "d/e/f/l1", "../.." },
    { 0120777, "d/e/f/x", "l1/../../../escaped" },   /* ~/escaped */
  };
  static const guint8 end[32];
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *incoming = home_path ("dev", "QubesIncoming/chain");
  const guint8 *result;
  gsize len;

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      guint8 header[32] = { 0 };
      guint32 namelen = GUINT32_TO_LE (strlen (entries[i].name) + 1);
      guint32 mode = GUINT32_TO_LE (entries[i].mode);
      guint32 filelen = GUINT32_TO_LE (strlen (entries[i].data));

      memcpy (header, &namelen, 4);
      memcpy (header + 4, &mode, 4);
      memcpy (header + 8, &filelen, 4);
      g_byte_array_append (stream, header, sizeof header);
      g_byte_array_append (stream, (const guint8 *) entries[i].name, strlen (entries[i].name) + 1);
      g_byte_array_append (stream, (const guint8 *) entries[i].data, strlen (entries[i].data));
    }
  g_byte_array_append (stream, end, sizeof end);
  input = g_byte_array_free_to_bytes (g_steal_pointer (&stream));
  g_subprocess_communicate (put, input, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (put), !=, 0);
  result = g_bytes_get_data (out, &len);
  g_assert_cmpuint (len, >=, 16);
  g_assert_cmpuint (le32 (result), ==, EINVAL);
  g_assert_cmpuint (count_entries (incoming), ==, 0);
}

/* A stock qvm-copy from a local qube to a RemoteVM arrives as
 * qubesair.Relay+QUBE+qubes.Filecopy: the files land under the caller. */
static void
test_relay_filecopy (void)
{
  g_autoptr(GSubprocess) get = spawn_service ("qubesair.FileGet", "work");
  g_autoptr(GSubprocess) put = spawn_service ("qubesair.Relay", "dev+qubes.Filecopy");
  static const char request[] = "{\"paths\":[\"QubesIncoming/mgmt/项目\"]}";
  g_autoptr(GBytes) input = g_bytes_new_static (request, strlen (request));
  g_autoptr(GBytes) stream = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *src = g_build_filename (base_dir, "src", NULL);
  g_autofree char *a = g_build_filename (src, "项目", "sub", "数据.bin", NULL);
  g_autofree char *b = home_path ("dev", "QubesIncoming/mgmt/项目/sub/数据.bin");
  const guint8 *result;
  gsize len;

  g_subprocess_communicate (get, input, NULL, &stream, NULL, &error);
  g_assert_no_error (error);
  /* An agent without the relay exits at once, unread stream and all. */
  g_subprocess_communicate (put, stream, NULL, &answer, NULL, &error);
  if (error != NULL)
    g_subprocess_wait (put, NULL, NULL);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
      g_subprocess_get_exit_status (put) == 127)
    {
      g_test_skip ("this agent has no qubesair.Relay");
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (put), ==, 0);
  result = g_bytes_get_data (answer, &len);
  g_assert_cmpuint (len, >=, 16);
  g_assert_cmpuint (le32 (result), ==, 0);
  assert_same_file (a, b);
}

static void
qair_ok (const char *a,
         const char *b,
         const char *c,
         const char *d)
{
  g_autoptr(GSubprocess) p = spawn_qair (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                         a, b, c, d, NULL);
  g_autofree char *err = NULL;

  if (wait_status (p, &err) != 0)
    g_error ("qair %s %s: %s", a, b, err);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* A service that exits early is an EPIPE for the test, not its end. */
  signal (SIGPIPE, SIG_IGN);

  base_dir = g_dir_make_tmp ("air-test-files-XXXXXX", NULL);
  g_setenv ("HOME", base_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", base_dir, TRUE);
  g_setenv ("XDG_DATA_HOME", base_dir, TRUE);
  g_setenv ("AIR_LOOPBACK_DIR", base_dir, TRUE);
  zone_dir = g_build_filename (base_dir, "sys-remote-local", NULL);

  qair_ok ("create", "work", "--zone", "local");
  qair_ok ("create", "dev", "--zone", "local");

  g_test_add_func ("/files/round-trip", test_round_trip);
  g_test_add_func ("/files/file-get-format", test_file_get_format);
  g_test_add_func ("/files/hostile-put", test_hostile_put);
  g_test_add_func ("/files/killed-sender", test_killed_sender);
  g_test_add_func ("/files/cancel", test_cancel);
  g_test_add_func ("/files/cancel-process-group", test_cancel_group);
  g_test_add_func ("/files/put-signalled", test_put_signalled);
  g_test_add_func ("/files/empty-files-quota", test_empty_files_quota);
  g_test_add_func ("/files/link-chain", test_link_chain_put);
  g_test_add_func ("/files/relay-filecopy", test_relay_filecopy);
  status = g_test_run ();

  {
    const char *rm[] = { "rm", "-rf", "--one-file-system", base_dir, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (zone_dir);
  g_free (base_dir);
  return status;
}
