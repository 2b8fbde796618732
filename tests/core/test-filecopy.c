/* test-filecopy.c — the qubes.Filecopy packer and the hostile-input-safe
 * unpacker: round trips, the exact bytes on the wire, and a crafted stream
 * for every refusal, each checked to leave nothing behind.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "air-error.h"
#include "air-file-transfer.h"
#include "air-filecopy.h"
#include "air-filecopy-reader.h"
#include "air-filecopy-writer.h"

typedef struct {
  char *root;      /* everything of one test */
  char *src;       /* what is sent */
  char *home;      /* the receiving qube's home */
  char *outside;   /* must stay empty */
  char *stream;    /* the stream, as a file */
} Fixture;

static void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", "--one-file-system", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->root = g_dir_make_tmp ("air-filecopy-XXXXXX", NULL);
  g_assert_nonnull (f->root);
  f->src = g_build_filename (f->root, "src", NULL);
  f->home = g_build_filename (f->root, "home", NULL);
  f->outside = g_build_filename (f->root, "outside", NULL);
  f->stream = g_build_filename (f->root, "stream", NULL);
  g_assert_cmpint (g_mkdir (f->src, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (f->home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (f->outside, 0700), ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->root);
  g_free (f->root);
  g_free (f->src);
  g_free (f->home);
  g_free (f->outside);
  g_free (f->stream);
}

static guint
count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
write_file (const char *path,
            const char *text,
            mode_t      mode,
            gint64      mtime)
{
  struct timespec times[2] = { { mtime, 0 }, { mtime, 123456789 } };

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_cmpint (chmod (path, mode), ==, 0);
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
}

/* Packs @paths (in f->src) into f->stream; returns the writer's CRC. */
static guint32
pack (Fixture            *f,
      const char * const *paths)
{
  g_autoptr(AirFilecopyWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  int out = open (f->stream, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int dir = open (f->src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  g_assert_cmpint (out, >=, 0);
  writer = air_filecopy_writer_new (out);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      air_filecopy_writer_add_path (writer, dir, paths[i], TRUE, &error);
      g_assert_no_error (error);
    }
  air_filecopy_writer_finish (writer, &error);
  g_assert_no_error (error);
  close (out);
  close (dir);
  return air_filecopy_writer_get_crc (writer);
}

/* Unpacks f->stream into home/QubesIncoming/work. */
static gboolean
unpack_limited (Fixture   *f,
                guint64    quota,
                guint64    max_entries,
                int       *errno_out,
                guint32   *crc_out,
                GError   **error)
{
  g_autoptr(AirFilecopyReader) reader = NULL;
  int home = open (f->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int in = open (f->stream, O_RDONLY | O_CLOEXEC);
  int incoming;
  gboolean ok = FALSE;

  g_assert_cmpint (home, >=, 0);
  g_assert_cmpint (in, >=, 0);
  incoming = air_filecopy_open_incoming (home, "work", error);
  if (incoming >= 0)
    {
      reader = air_filecopy_reader_new (incoming, error);
      g_assert_nonnull (reader);
      air_filecopy_reader_set_limits (reader, quota, max_entries);
      ok = air_filecopy_reader_run (reader, in, error);
      if (errno_out != NULL)
        *errno_out = air_filecopy_reader_get_errno (reader);
      if (crc_out != NULL)
        *crc_out = air_filecopy_reader_get_crc (reader);
      close (incoming);
    }
  close (in);
  close (home);
  return ok;
}

static gboolean
unpack (Fixture   *f,
        guint64    quota,
        int       *errno_out,
        guint32   *crc_out,
        GError   **error)
{
  return unpack_limited (f, quota, 100000, errno_out, crc_out, error);
}

static char *
incoming_path (Fixture    *f,
               const char *name)
{
  return g_build_filename (f->home, "QubesIncoming", "work", name, NULL);
}

static void
assert_file (const char *path,
             const char *text)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, text);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  const char * const paths[] = { "folder", "single.txt", "空.txt", "sparse.img", NULL };
  g_autofree char *folder = g_build_filename (f->src, "folder", NULL);
  g_autofree char *sub = g_build_filename (folder, "子目录", NULL);
  g_autofree char *path = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stream = NULL;
  gsize stream_len;
  guint32 writer_crc, reader_crc = 0;
  struct stat st;
  int fd;

  g_assert_cmpint (g_mkdir (folder, 0750), ==, 0);
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  path = g_build_filename (sub, "文件.txt", NULL);
  write_file (path, "你好，世界\n", 0640, 1500000000);
  g_free (path);
  path = g_build_filename (folder, "empty", NULL);
  write_file (path, "", 0600, 1400000000);
  g_free (path);
  path = g_build_filename (folder, "suid", NULL);
  write_file (path, "#!/bin/sh\n", 0600, 1400000000);
  g_assert_cmpint (chmod (path, 04755), ==, 0);
  g_free (path);
  /* Links: one inside the tree (kept), one out of it (skipped), a pipe. */
  path = g_build_filename (folder, "link-in", NULL);
  g_assert_cmpint (symlink ("子目录/文件.txt", path), ==, 0);
  g_free (path);
  path = g_build_filename (folder, "link-out", NULL);
  g_assert_cmpint (symlink ("../../outside", path), ==, 0);
  g_free (path);
  path = g_build_filename (folder, "fifo", NULL);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  g_free (path);
  path = g_build_filename (f->src, "single.txt", NULL);
  write_file (path, "one", 0644, 1234567890);
  g_free (path);
  path = g_build_filename (f->src, "空.txt", NULL);
  write_file (path, "空", 0644, 1234567890);
  g_free (path);
  /* 64 MiB, almost all hole, a few bytes at the end. */
  path = g_build_filename (f->src, "sparse.img", NULL);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (pwrite (fd, "end", 3, 64 * 1024 * 1024 - 3), ==, 3);
  close (fd);
  g_assert_cmpint (chmod (folder, 0750), ==, 0);
  {
    struct timespec times[2] = { { 1300000000, 0 }, { 1300000000, 0 } };
    g_assert_cmpint (utimensat (AT_FDCWD, folder, times, 0), ==, 0);
  }

  writer_crc = pack (f, paths);
  unpack (f, G_MAXUINT64, NULL, &reader_crc, &error);
  g_assert_no_error (error);

  /* The CRC both sides computed is that of every byte of the stream. */
  g_assert_true (g_file_get_contents (f->stream, &stream, &stream_len, NULL));
  g_assert_cmpuint (writer_crc, ==, reader_crc);
  g_assert_cmpuint (writer_crc, ==, (guint32) crc32 (0, (const guint8 *) stream, stream_len));

  g_free (path);
  path = incoming_path (f, "folder/子目录/文件.txt");
  assert_file (path, "你好，世界\n");
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, 1500000000);
  g_assert_cmpint (st.st_mtim.tv_nsec, ==, 123456789);
  g_free (path);
  path = incoming_path (f, "folder/empty");
  assert_file (path, "");
  g_free (path);
  path = incoming_path (f, "folder/suid");
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0755);
  g_free (path);
  path = incoming_path (f, "folder/link-in");
  target = g_file_read_link (path, NULL);
  g_assert_cmpstr (target, ==, "子目录/文件.txt");
  assert_file (path, "你好，世界\n");
  g_free (path);
  path = incoming_path (f, "folder/link-out");
  g_assert_false (g_file_test (path, G_FILE_TEST_IS_SYMLINK));
  g_free (path);
  path = incoming_path (f, "folder/fifo");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_free (path);
  path = incoming_path (f, "folder");
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0750);
  g_free (path);
  path = incoming_path (f, "single.txt");
  assert_file (path, "one");
  g_free (path);
  path = incoming_path (f, "空.txt");
  assert_file (path, "空");
  g_free (path);
  path = incoming_path (f, "sparse.img");
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 64 * 1024 * 1024);
  g_assert_cmpint ((gint64) st.st_blocks * 512, <, 8 * 1024 * 1024);

  /* Only what was sent: no staging folder, no part file. */
  g_free (path);
  path = g_build_filename (f->home, "QubesIncoming", "work", NULL);
  g_assert_cmpuint (count_entries (path), ==, 4);
  g_assert_cmpuint (count_entries (f->outside), ==, 0);
}

/* The stream is byte for byte what qfile-agent sends. */
static void
test_wire_format (Fixture       *f,
                  gconstpointer  data)
{
  const char * const paths[] = { "a", NULL };
  g_autofree char *path = g_build_filename (f->src, "a", NULL);
  g_autofree char *stream = NULL;
  gsize len;
  guint8 expected[32 + 2 + 2 + 32];
  struct stat st;
  guint32 crc;

  write_file (path, "hi", 0644, 1600000000);
  g_assert_cmpint (lstat (path, &st), ==, 0);
  crc = pack (f, paths);
  g_assert_true (g_file_get_contents (f->stream, &stream, &len, NULL));
  g_assert_cmpuint (len, ==, sizeof expected);

  memset (expected, 0, sizeof expected);
  expected[0] = 2;                                   /* namelen, NUL included */
  expected[4] = st.st_mode & 0xff;                   /* mode, little-endian */
  expected[5] = (st.st_mode >> 8) & 0xff;
  expected[6] = (st.st_mode >> 16) & 0xff;
  expected[8] = 2;                                   /* filelen (u64) */
  memcpy (expected + 16, &(guint32) { GUINT32_TO_LE ((guint32) st.st_atim.tv_sec) }, 4);
  memcpy (expected + 20, &(guint32) { GUINT32_TO_LE ((guint32) st.st_atim.tv_nsec) }, 4);
  memcpy (expected + 24, &(guint32) { GUINT32_TO_LE (1600000000) }, 4);
  memcpy (expected + 28, &(guint32) { GUINT32_TO_LE (123456789) }, 4);
  memcpy (expected + 32, "a", 2);
  memcpy (expected + 34, "hi", 2);
  /* then 32 zero bytes: the end marker */
  g_assert_cmpmem (stream, len, expected, sizeof expected);
  g_assert_cmpuint (crc, ==, (guint32) crc32 (0, expected, sizeof expected));

  {
    guint8 result[16];
    guint32 code, got_crc;

    air_filecopy_result_encode (EDQUOT, 0xdeadbeef, result);
    g_assert_cmpuint (result[0], ==, EDQUOT);
    g_assert_cmpuint (result[8], ==, 0xef);
    g_assert_cmpuint (result[12], ==, 0);
    air_filecopy_result_decode (result, &code, &got_crc);
    g_assert_cmpuint (code, ==, EDQUOT);
    g_assert_cmpuint (got_crc, ==, 0xdeadbeef);
  }
}

static void
test_existing_name (Fixture       *f,
                    gconstpointer  data)
{
  const char * const paths[] = { "a.txt", "dir", NULL };
  g_autofree char *path = g_build_filename (f->src, "a.txt", NULL);
  g_autofree char *dir = g_build_filename (f->src, "dir", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *old = NULL;
  g_autofree char *renamed = NULL;

  write_file (path, "new", 0644, 1600000000);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  pack (f, paths);

  unpack (f, G_MAXUINT64, NULL, NULL, &error);
  g_assert_no_error (error);
  old = incoming_path (f, "a.txt");
  g_assert_true (g_file_set_contents (old, "old", -1, NULL));

  unpack (f, G_MAXUINT64, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_file (old, "old");
  renamed = incoming_path (f, "a (2).txt");
  assert_file (renamed, "new");
  g_free (renamed);
  renamed = incoming_path (f, "dir (2)");
  g_assert_true (g_file_test (renamed, G_FILE_TEST_IS_DIR));
}

/* A crafted stream: entries of (mode, name with its NUL, data). */
static void
add_entry (GByteArray *stream,
           guint32     mode,
           const char *name,
           gsize       namelen,
           const char *body,
           guint64     filelen)
{
  AirFilecopyHeader header = { namelen, mode, filelen, 1, 0, 2, 0 };
  guint8 raw[AIR_FILECOPY_HEADER_SIZE];

  air_filecopy_header_encode (&header, raw);
  g_byte_array_append (stream, raw, sizeof raw);
  g_byte_array_append (stream, (const guint8 *) name, namelen);
  if (body != NULL)
    g_byte_array_append (stream, (const guint8 *) body, filelen);
}

static void
add_end (GByteArray *stream)
{
  guint8 end[AIR_FILECOPY_HEADER_SIZE] = { 0 };

  g_byte_array_append (stream, end, sizeof end);
}

#define NAME(s) (s), sizeof (s)

typedef struct {
  const char *what;
  int         expected_errno;
  void      (*build) (GByteArray *stream);
} Hostile;

static void b_absolute (GByteArray *s) { add_entry (s, S_IFREG | 0644, NAME ("/etc/passwd"), "x", 1); add_end (s); }
static void b_dotdot (GByteArray *s) { add_entry (s, S_IFREG | 0644, NAME ("../../outside/x"), "x", 1); add_end (s); }
static void b_inner_dotdot (GByteArray *s)
{
  add_entry (s, S_IFDIR | 0755, NAME ("d"), NULL, 0);
  add_entry (s, S_IFREG | 0644, NAME ("d/../../x"), "x", 1);
  add_end (s);
}
static void b_control (GByteArray *s) { add_entry (s, S_IFREG | 0644, NAME ("evil\033[2Jname"), "x", 1); add_end (s); }
static void b_newline (GByteArray *s) { add_entry (s, S_IFREG | 0644, NAME ("a\nb"), "x", 1); add_end (s); }
static void b_bad_utf8 (GByteArray *s) { add_entry (s, S_IFREG | 0644, NAME ("bad\xff\xfe"), "x", 1); add_end (s); }
static void b_bidi (GByteArray *s) { add_entry (s, S_IFREG | 0644, NAME ("invoice\xe2\x80\xaegpj.exe"), "x", 1); add_end (s); }
static void b_no_nul (GByteArray *s) { add_entry (s, S_IFREG | 0644, "abc", 3, "x", 1); add_end (s); }
static void b_inner_nul (GByteArray *s) { add_entry (s, S_IFREG | 0644, "a\0b", 4, "x", 1); add_end (s); }
static void b_link_out (GByteArray *s)
{
  add_entry (s, S_IFDIR | 0755, NAME ("d"), NULL, 0);
  add_entry (s, S_IFLNK | 0777, NAME ("d/l"), "../../../outside", 16);
  add_end (s);
}
static void b_link_abs (GByteArray *s)
{
  add_entry (s, S_IFDIR | 0755, NAME ("d"), NULL, 0);
  add_entry (s, S_IFLNK | 0777, NAME ("d/l"), "/etc", 4);
  add_end (s);
}
/* Each link alone stays inside d/ as a lexical check sees it; together
 * x points to home/outside (l1 is d, l1/.. the received folder). */
static void b_link_chain (GByteArray *s)
{
  add_entry (s, S_IFDIR | 0755, NAME ("d"), NULL, 0);
  add_entry (s, S_IFDIR | 0755, NAME ("d/e"), NULL, 0);
  add_entry (s, S_IFDIR | 0755, NAME ("d/e/f"), NULL, 0);
  add_entry (s, S_IFLNK | 0777, NAME ("d/e/f/l1"), "../..", 5);
  add_entry (s, S_IFLNK | 0777, NAME ("d/e/f/x"), "l1/../../../outside", 19);
  add_end (s);
}
/* The same, the climbing link last: an order a check that remembers only
 * the links before it would miss. */
static void b_link_chain_late (GByteArray *s)
{
  add_entry (s, S_IFDIR | 0755, NAME ("d"), NULL, 0);
  add_entry (s, S_IFDIR | 0755, NAME ("d/e"), NULL, 0);
  add_entry (s, S_IFDIR | 0755, NAME ("d/e/f"), NULL, 0);
  add_entry (s, S_IFLNK | 0777, NAME ("d/e/f/x"), "l1/../../../outside", 19);
  add_entry (s, S_IFLNK | 0777, NAME ("d/e/f/l1"), "../..", 5);
  add_end (s);
}
static void b_link_top (GByteArray *s) { add_entry (s, S_IFLNK | 0777, NAME ("l"), "other", 5); add_end (s); }
static void b_chardev (GByteArray *s) { add_entry (s, S_IFCHR | 0666, NAME ("null"), NULL, 0); add_end (s); }
static void b_blockdev (GByteArray *s) { add_entry (s, S_IFBLK | 0666, NAME ("sda"), NULL, 0); add_end (s); }
static void b_fifo (GByteArray *s) { add_entry (s, S_IFIFO | 0666, NAME ("fifo"), NULL, 0); add_end (s); }
static void b_long_name (GByteArray *s)
{
  g_autofree char *name = g_strnfill (AIR_FILECOPY_MAX_NAME + 10, 'a');
  add_entry (s, S_IFREG | 0644, name, strlen (name) + 1, "x", 1);
  add_end (s);
}
static void b_long_component (GByteArray *s)
{
  g_autofree char *name = g_strnfill (300, 'a');
  add_entry (s, S_IFREG | 0644, name, strlen (name) + 1, "x", 1);
  add_end (s);
}
static void b_quota (GByteArray *s)
{
  add_entry (s, S_IFREG | 0644, NAME ("ok"), "1234", 4);
  add_entry (s, S_IFREG | 0644, NAME ("big"), NULL, 1ULL << 40);
}
static void b_truncated (GByteArray *s)
{
  add_entry (s, S_IFDIR | 0755, NAME ("d"), NULL, 0);
  add_entry (s, S_IFREG | 0644, NAME ("d/half"), "only part", 9);
  s->len -= 4;
}
static void b_no_end (GByteArray *s) { add_entry (s, S_IFREG | 0644, NAME ("complete"), "data", 4); }
static void b_no_parent (GByteArray *s) { add_entry (s, S_IFREG | 0644, NAME ("nodir/x"), "x", 1); add_end (s); }
static void b_twice (GByteArray *s)
{
  add_entry (s, S_IFREG | 0644, NAME ("same"), "1", 1);
  add_entry (s, S_IFREG | 0644, NAME ("same"), "2", 1);
  add_end (s);
}
static void b_dir_with_data (GByteArray *s) { add_entry (s, S_IFDIR | 0755, NAME ("d"), "xxxx", 4); add_end (s); }
static void b_empty_component (GByteArray *s)
{
  add_entry (s, S_IFDIR | 0755, NAME ("d"), NULL, 0);
  add_entry (s, S_IFREG | 0644, NAME ("d//x"), "x", 1);
  add_end (s);
}
/* A hostile receiver's own planted link, under a name the sender uses. */
static void b_through_link (GByteArray *s)
{
  add_entry (s, S_IFDIR | 0755, NAME ("planted"), NULL, 0);
  add_entry (s, S_IFREG | 0644, NAME ("planted/x"), "x", 1);
  add_entry (s, S_IFREG | 0644, NAME ("bad"), "y", 1);
  add_entry (s, S_IFCHR | 0644, NAME ("dev"), NULL, 0);
  add_end (s);
}

static const Hostile hostile[] = {
  { "absolute name", EINVAL, b_absolute },
  { "..", EINVAL, b_dotdot },
  { ".. inside", EINVAL, b_inner_dotdot },
  { "escape sequence", EINVAL, b_control },
  { "newline", EINVAL, b_newline },
  { "invalid UTF-8", EINVAL, b_bad_utf8 },
  { "bidi override", EINVAL, b_bidi },
  { "name without NUL", EINVAL, b_no_nul },
  { "NUL inside a name", EINVAL, b_inner_nul },
  { "symlink out", EINVAL, b_link_out },
  { "absolute symlink", EINVAL, b_link_abs },
  { "top-level symlink", EINVAL, b_link_top },
  { "symlink chain", EINVAL, b_link_chain },
  { "symlink chain, climbing link last", EINVAL, b_link_chain_late },
  { "character device", EINVAL, b_chardev },
  { "block device", EINVAL, b_blockdev },
  { "fifo", EINVAL, b_fifo },
  { "over-long name", ENAMETOOLONG, b_long_name },
  { "over-long component", EINVAL, b_long_component },
  { "over quota", EDQUOT, b_quota },
  { "truncated", EIO, b_truncated },
  { "no end marker", EIO, b_no_end },
  { "folder not sent first", EINVAL, b_no_parent },
  { "same name twice", EEXIST, b_twice },
  { "folder with data", EINVAL, b_dir_with_data },
  { "empty component", EINVAL, b_empty_component },
  { "through a planted link", EINVAL, b_through_link },
};

static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  const Hostile *h = data;
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *incoming = g_build_filename (f->home, "QubesIncoming", "work", NULL);
  g_autofree char *planted = g_build_filename (incoming, "planted", NULL);
  int errno_value = 0;

  g_test_message ("hostile stream: %s", h->what);
  g_assert_cmpint (g_mkdir_with_parents (incoming, 0700), ==, 0);
  /* The qube planted a link to outside under a name the stream uses. */
  g_assert_cmpint (symlink (f->outside, planted), ==, 0);

  h->build (stream);
  g_assert_true (g_file_set_contents (f->stream, (const char *) stream->data, stream->len, NULL));

  g_assert_false (unpack (f, 1024 * 1024, &errno_value, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  g_assert_cmpint (errno_value, ==, h->expected_errno);

  /* Nothing outside, nothing but the planted link inside. */
  g_assert_cmpuint (count_entries (f->outside), ==, 0);
  g_assert_cmpuint (count_entries (incoming), ==, 1);
  g_assert_true (g_file_test (planted, G_FILE_TEST_IS_SYMLINK));
}

/* The receiving qube made QubesIncoming a link to somewhere else. */
static void
test_planted_incoming (Fixture       *f,
                       gconstpointer  data)
{
  const char * const paths[] = { "a", NULL };
  g_autofree char *path = g_build_filename (f->src, "a", NULL);
  g_autofree char *incoming = g_build_filename (f->home, "QubesIncoming", NULL);
  g_autoptr(GError) error = NULL;

  write_file (path, "x", 0644, 1);
  pack (f, paths);
  g_assert_cmpint (symlink (f->outside, incoming), ==, 0);
  g_assert_false (unpack (f, G_MAXUINT64, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (count_entries (f->outside), ==, 0);
  g_clear_error (&error);

  /* One level down too. */
  g_assert_cmpint (unlink (incoming), ==, 0);
  g_assert_cmpint (g_mkdir (incoming, 0700), ==, 0);
  g_free (path);
  path = g_build_filename (incoming, "work", NULL);
  g_assert_cmpint (symlink (f->outside, path), ==, 0);
  g_assert_false (unpack (f, G_MAXUINT64, NULL, NULL, &error));
  g_assert_cmpuint (count_entries (f->outside), ==, 0);
}

/* A staging folder left by a killed agent goes at the next transfer. */
static void
test_abandoned (Fixture       *f,
                gconstpointer  data)
{
  const char * const paths[] = { "a", NULL };
  g_autofree char *path = g_build_filename (f->src, "a", NULL);
  g_autofree char *incoming = g_build_filename (f->home, "QubesIncoming", "work", NULL);
  g_autofree char *stale = g_build_filename (incoming, ".air-partial-dead", "half", NULL);
  g_autoptr(GError) error = NULL;

  write_file (path, "x", 0644, 1);
  pack (f, paths);
  g_assert_cmpint (g_mkdir_with_parents (stale, 0700), ==, 0);
  unpack (f, G_MAXUINT64, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_entries (incoming), ==, 1);
}

/* Links that only go down, chained and in any order, are received and
 * resolve inside the transfer. */
static void
test_link_down_chain (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *x = NULL;

  add_entry (stream, S_IFDIR | 0755, NAME ("d"), NULL, 0);
  add_entry (stream, S_IFLNK | 0777, NAME ("d/x"), "l1/f", 4);
  add_entry (stream, S_IFLNK | 0777, NAME ("d/l1"), "g", 1);
  add_entry (stream, S_IFDIR | 0755, NAME ("d/g"), NULL, 0);
  add_entry (stream, S_IFREG | 0644, NAME ("d/g/f"), "inside", 6);
  add_end (stream);
  g_assert_true (g_file_set_contents (f->stream, (const char *) stream->data, stream->len, NULL));
  g_assert_true (unpack (f, G_MAXUINT64, NULL, NULL, &error));
  g_assert_no_error (error);
  x = incoming_path (f, "d/x");
  assert_file (x, "inside");
}

/* The sender skips what the receiver would refuse: a link climbing with
 * "..", even one that stays inside the tree. */
static void
test_writer_skips_climbing_links (Fixture       *f,
                                  gconstpointer  data)
{
  const char * const paths[] = { "d", NULL };
  g_autofree char *dir = g_build_filename (f->src, "d", "e", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  path = g_build_filename (dir, "file", NULL);
  write_file (path, "x", 0644, 1);
  g_free (path);
  path = g_build_filename (dir, "up", NULL);
  g_assert_cmpint (symlink ("../e/file", path), ==, 0);
  g_free (path);
  path = g_build_filename (dir, "down", NULL);
  g_assert_cmpint (symlink ("file", path), ==, 0);
  pack (f, paths);
  g_assert_true (unpack (f, G_MAXUINT64, NULL, NULL, &error));
  g_assert_no_error (error);
  g_free (path);
  path = incoming_path (f, "d/e/up");
  g_assert_false (g_file_test (path, G_FILE_TEST_IS_SYMLINK));
  g_free (path);
  path = incoming_path (f, "d/e/down");
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_SYMLINK));
}

/* Characters that show nothing, or turn the text around them, in a
 * received name or link target: each refused. */
static const gunichar invisible[] = {
  0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0x2800, 0x3164, 0x115F, 0x1160,
  0xFFA0, 0x180E, 0x00AD, 0x034F, 0x17B4, 0x2060, 0x2066, 0x202E, 0xFEFF, 0xFE0F,
  0x2028, 0x2029, 0xE0001, 0x1D173,
};

static void
test_invisible_names (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invisible); i++)
    {
      char utf8[8] = { 0 };
      g_autofree char *name = NULL;
      g_autofree char *nested = NULL;

      g_unichar_to_utf8 (invisible[i], utf8);
      name = g_strdup_printf ("a%sb.txt", utf8);
      nested = g_strdup_printf ("d/%s", utf8);
      g_test_message ("U+%04X", invisible[i]);
      g_assert_false (air_filecopy_check_name (name, strlen (name) + 1, NULL));
      g_assert_false (air_filecopy_check_name (nested, strlen (nested) + 1, NULL));
      g_assert_false (air_filecopy_check_link ("d/l", name, strlen (name), NULL));
    }
  /* Visible text still passes. */
  {
    static const char visible[] = "caf\xc3\xa9 \xe6\x96\x87\xf0\x9f\x98\x80";

    g_assert_true (air_filecopy_check_name (visible, sizeof visible, NULL));
  }
}

/* ...and a stream carrying one is refused with nothing left behind. */
static void
test_invisible_stream (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *incoming = g_build_filename (f->home, "QubesIncoming", "work", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (invisible); i++)
    {
      g_autoptr(GByteArray) stream = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *name = NULL;
      char utf8[8] = { 0 };
      int errno_value = 0;

      g_unichar_to_utf8 (invisible[i], utf8);
      name = g_strdup_printf ("invoice%s.pdf", utf8);
      add_entry (stream, S_IFREG | 0644, name, strlen (name) + 1, "x", 1);
      add_end (stream);
      g_assert_true (g_file_set_contents (f->stream, (const char *) stream->data, stream->len, NULL));
      g_assert_false (unpack (f, G_MAXUINT64, &errno_value, NULL, &error));
      g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
      g_assert_cmpint (errno_value, ==, EINVAL);
      g_assert_cmpuint (count_entries (incoming), ==, 0);
    }
}

static void
add_empty_files (GByteArray *stream,
                 guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      char name[32];
      int len = g_snprintf (name, sizeof name, "e%u", i);

      add_entry (stream, S_IFREG | 0644, name, len + 1, NULL, 0);
    }
  add_end (stream);
}

/* 100,000 empty files carry no bytes, but over the quota they are
 * refused all the same, nothing of them left. */
static void
test_empty_files_quota (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *incoming = g_build_filename (f->home, "QubesIncoming", "work", NULL);
  int errno_value = 0;

  add_empty_files (stream, 100000);
  g_assert_true (g_file_set_contents (f->stream, (const char *) stream->data, stream->len, NULL));
  /* 100 MiB: 25,600 entries' worth. */
  g_assert_false (unpack_limited (f, 100 * 1024 * 1024, AIR_FILECOPY_MAX_ENTRIES, &errno_value, NULL, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "larger than the space allowed"));
  g_assert_cmpint (errno_value, ==, EDQUOT);
  g_assert_cmpuint (count_entries (incoming), ==, 0);

  /* Within the quota they pass. */
  g_clear_error (&error);
  g_assert_true (unpack_limited (f, 1024ULL * 1024 * 1024, AIR_FILECOPY_MAX_ENTRIES, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_entries (incoming), ==, 100000);
}

/* The entry count holds whatever the byte quota: folders count too. */
static void
test_entry_limit (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *incoming = g_build_filename (f->home, "QubesIncoming", "work", NULL);
  int errno_value = 0;

  add_entry (stream, S_IFDIR | 0755, NAME ("d"), NULL, 0);
  add_entry (stream, S_IFDIR | 0755, NAME ("d"), NULL, 0);
  add_empty_files (stream, 9);
  g_assert_true (g_file_set_contents (f->stream, (const char *) stream->data, stream->len, NULL));
  g_assert_false (unpack_limited (f, G_MAXUINT64, 10, &errno_value, NULL, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "too many files and folders"));
  g_assert_cmpint (errno_value, ==, EDQUOT);
  g_assert_cmpuint (count_entries (incoming), ==, 0);

  g_clear_error (&error);
  g_assert_true (unpack_limited (f, G_MAXUINT64, 11, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
record_progress (guint64  bytes,
                 gpointer user_data)
{
  guint64 *last = user_data;

  g_assert_cmpuint (bytes, >=, *last);
  *last = bytes;
}

/* Progress counts the files' bytes, not the stream's: a 57-byte file is
 * 57 bytes, whatever its header, name and folders add. */
static void
test_writer_progress (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(AirFilecopyWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (f->src, "folder", "sub", NULL);
  g_autofree char *path = NULL;
  g_autofree char *big = g_malloc0 (600 * 1024);
  guint64 last = 0;
  int out, src;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  path = g_build_filename (dir, "fifty-seven bytes.txt", NULL);
  write_file (path, "123456789012345678901234567890123456789012345678901234567", 0644, 1);
  g_free (path);
  path = g_build_filename (dir, "link", NULL);
  g_assert_cmpint (symlink ("fifty-seven bytes.txt", path), ==, 0);
  g_free (path);
  path = g_build_filename (f->src, "big", NULL);
  memset (big, 'b', 600 * 1024);
  g_assert_true (g_file_set_contents (path, big, 600 * 1024, NULL));

  out = open (f->stream, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  src = open (f->src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  writer = air_filecopy_writer_new (out);
  air_filecopy_writer_set_progress (writer, record_progress, &last);
  g_assert_true (air_filecopy_writer_add_path (writer, src, "folder", TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (last, ==, 0);   /* nothing flushed yet */
  g_assert_true (air_filecopy_writer_finish (writer, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (last, ==, 57);
  g_assert_cmpuint (air_filecopy_writer_get_data_bytes (writer), ==, 57);
  g_assert_cmpuint (air_filecopy_writer_get_bytes (writer), >, 57);
  g_assert_cmpuint (air_filecopy_measure (src, "folder"), ==, 57);

  g_assert_true (air_filecopy_writer_add_path (writer, src, "big", TRUE, &error));
  g_assert_cmpuint (last, >, 57);          /* flushed as it went */
  g_assert_cmpuint (last, <=, 57 + 600 * 1024);
  g_assert_true (air_filecopy_writer_finish (writer, &error));
  g_assert_cmpuint (last, ==, 57 + 600 * 1024);
  close (src);
  close (out);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static guint64
measure_and_wait (const char    *path,
                  GCancellable  *cancellable,
                  GError       **error)
{
  const char *paths[] = { path, NULL };
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  air_file_transfer_measure_async (paths, cancellable, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  return air_file_transfer_measure_finish (result, error);
}

/* A dropped folder is measured in a worker for the job's total; the job's
 * Cancel stops the walk, not only the copy. */
static void
test_measure_cancelled (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->src, "folder", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint cancelled = 0;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/d%u", folder, i);
      g_autofree char *path = g_strdup_printf ("%s/f", dir);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      write_file (path, "0123456789", 0644, 1);
    }

  g_assert_cmpuint (measure_and_wait (folder, cancellable, &error), ==, 200);
  g_assert_no_error (error);

  /* the flag the worker watches, set: nothing more is walked */
  g_assert_cmpuint (air_filecopy_measure_cancellable (AT_FDCWD, folder, &cancelled), ==, 200);
  cancelled = 1;
  g_assert_cmpuint (air_filecopy_measure_cancellable (AT_FDCWD, folder, &cancelled), ==, 0);

  g_cancellable_cancel (cancellable);
  g_assert_cmpuint (measure_and_wait (folder, cancellable, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_names (void)
{
  const char *good[] = { "a", "a/b", "文件", ".hidden", "a b", "..a", "a..", NULL };
  const char *bad[] = { "/a", "a/", "a//b", ".", "..", "a/./b", "a/..", "\x01", "\xc3\x28", NULL };

  for (guint i = 0; good[i]; i++)
    g_assert_true (air_filecopy_check_name (good[i], strlen (good[i]) + 1, NULL));
  for (guint i = 0; bad[i]; i++)
    g_assert_false (air_filecopy_check_name (bad[i], strlen (bad[i]) + 1, NULL));

  g_assert_true (air_filecopy_check_link ("d/l", "x", 1, NULL));
  g_assert_true (air_filecopy_check_link ("d/l", "x/y", 3, NULL));
  g_assert_true (air_filecopy_check_link ("d/l", "./x", 3, NULL));
  g_assert_true (air_filecopy_check_link ("d/l", "..x/y..", 7, NULL));
  /* Any "..", even one that lexically stays inside: through a link it
   * need not (l1/.. is the folder above where l1 points). */
  g_assert_false (air_filecopy_check_link ("d/e/l", "../x", 4, NULL));
  g_assert_false (air_filecopy_check_link ("d/l", "./x/../y", 8, NULL));
  g_assert_false (air_filecopy_check_link ("d/l", "x/..", 4, NULL));
  g_assert_false (air_filecopy_check_link ("d/l", "..", 2, NULL));
  g_assert_false (air_filecopy_check_link ("d/l", "../d/x", 6, NULL));
  g_assert_false (air_filecopy_check_link ("l", "x", 1, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/filecopy/names", test_names);
  g_test_add ("/filecopy/round-trip", Fixture, NULL, fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/filecopy/wire-format", Fixture, NULL, fixture_set_up, test_wire_format, fixture_tear_down);
  g_test_add ("/filecopy/existing-name", Fixture, NULL, fixture_set_up, test_existing_name, fixture_tear_down);
  g_test_add ("/filecopy/planted-incoming", Fixture, NULL, fixture_set_up, test_planted_incoming, fixture_tear_down);
  g_test_add ("/filecopy/abandoned", Fixture, NULL, fixture_set_up, test_abandoned, fixture_tear_down);
  g_test_add ("/filecopy/link-down-chain", Fixture, NULL, fixture_set_up, test_link_down_chain, fixture_tear_down);
  g_test_add ("/filecopy/writer-skips-climbing-links", Fixture, NULL, fixture_set_up,
              test_writer_skips_climbing_links, fixture_tear_down);
  g_test_add_func ("/filecopy/invisible-names", test_invisible_names);
  g_test_add ("/filecopy/invisible-stream", Fixture, NULL, fixture_set_up, test_invisible_stream, fixture_tear_down);
  g_test_add ("/filecopy/empty-files-quota", Fixture, NULL, fixture_set_up, test_empty_files_quota, fixture_tear_down);
  g_test_add ("/filecopy/entry-limit", Fixture, NULL, fixture_set_up, test_entry_limit, fixture_tear_down);
  g_test_add ("/filecopy/writer-progress", Fixture, NULL, fixture_set_up, test_writer_progress, fixture_tear_down);
  g_test_add ("/filecopy/measure-cancelled", Fixture, NULL, fixture_set_up, test_measure_cancelled, fixture_tear_down);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autofree char *path = g_strdup_printf ("/filecopy/hostile/%u", i);

      g_test_add (path, Fixture, &hostile[i], fixture_set_up, test_hostile, fixture_tear_down);
    }

  return g_test_run ();
}
