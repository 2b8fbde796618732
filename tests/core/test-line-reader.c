/* test-line-reader.c — bounded, newline-framed messages
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test-line-reader"

#include "config.h"

#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <string.h>
#include <unistd.h>

#include "air-error.h"
#include "test-util.h"
#include "air-line-reader.h"

/* A stream handing out at most @chunk bytes per read — or, with @endless,
 * the same byte forever — so lines arrive split as a pipe may split them. */
#define TEST_TYPE_TRICKLE_STREAM (test_trickle_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestTrickleStream, test_trickle_stream, TEST, TRICKLE_STREAM, GInputStream)

struct _TestTrickleStream
{
  GInputStream  parent_instance;
  GBytes       *data;
  gsize         offset;
  gsize         chunk;
  gboolean      endless;
  guint64       served;
};

G_DEFINE_FINAL_TYPE (TestTrickleStream, test_trickle_stream, G_TYPE_INPUT_STREAM)

static gssize
test_trickle_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  TestTrickleStream *self = TEST_TRICKLE_STREAM (stream);
  gsize size, n;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  if (self->endless)
    {
      n = MIN (count, self->chunk);
      memset (buffer, 'x', n);
      self->served += n;
      return n;
    }

  size = g_bytes_get_size (self->data);
  n = MIN (MIN (count, self->chunk), size - self->offset);
  memcpy (buffer, (const guint8 *) g_bytes_get_data (self->data, NULL) + self->offset, n);
  self->offset += n;
  self->served += n;
  return n;
}

static void
test_trickle_stream_finalize (GObject *object)
{
  g_clear_pointer (&TEST_TRICKLE_STREAM (object)->data, g_bytes_unref);
  G_OBJECT_CLASS (test_trickle_stream_parent_class)->finalize (object);
}

static void
test_trickle_stream_class_init (TestTrickleStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_trickle_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = test_trickle_stream_read;
}

static void
test_trickle_stream_init (TestTrickleStream *self)
{
}

static GInputStream *
trickle_new (const char *data,
             gsize       len,
             gsize       chunk)
{
  TestTrickleStream *self = g_object_new (TEST_TYPE_TRICKLE_STREAM, NULL);

  self->data = g_bytes_new (data, len);
  self->chunk = chunk;
  return G_INPUT_STREAM (self);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Reads one line on a private main context, as a test may block. */
static GBytes *
read_line (AirLineReader  *reader,
           GCancellable   *cancellable,
           GError        **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  air_line_reader_read_line_async (reader, cancellable, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return air_line_reader_read_line_finish (reader, result, error);
}

static void
assert_line (AirLineReader *reader,
             const char    *expect)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) line = read_line (reader, NULL, &error);
  gsize size;
  const char *data;

  g_assert_no_error (error);
  g_assert_nonnull (line);
  data = g_bytes_get_data (line, &size);
  g_assert_cmpmem (data, size, expect, strlen (expect));
}

static void
assert_eof (AirLineReader *reader)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) line = read_line (reader, NULL, &error);

  g_assert_no_error (error);
  g_assert_null (line);
}

static void
assert_fails (AirLineReader *reader,
              const char    *expect)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) line = read_line (reader, NULL, &error);

  g_assert_null (line);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, expect));
}

static void
test_lines (void)
{
  const char *text = "first\nsecond line\n\n{\"json\":true}\n";
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (text, strlen (text), NULL);
  g_autoptr(AirLineReader) reader = air_line_reader_new (stream, 100);

  assert_line (reader, "first");
  assert_line (reader, "second line");
  assert_line (reader, "");
  assert_line (reader, "{\"json\":true}");
  assert_eof (reader);
  /* And it stays at the end. */
  assert_eof (reader);
}

static void
test_empty_stream (void)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new ();
  g_autoptr(AirLineReader) reader = air_line_reader_new (stream, 100);

  assert_eof (reader);
}

static void
test_many_lines_one_chunk (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(AirLineReader) reader = NULL;

  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (text, "line %u\n", i);

  stream = g_memory_input_stream_new_from_data (text->str, text->len, NULL);
  reader = air_line_reader_new (stream, 100);

  for (guint i = 0; i < 5000; i++)
    {
      g_autofree char *expect = g_strdup_printf ("line %u", i);
      assert_line (reader, expect);
    }
  assert_eof (reader);
}

static void
test_line_across_chunks (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(AirLineReader) reader = NULL;

  for (guint i = 0; i < 3000; i++)
    g_string_append_c (text, 'a' + i % 26);
  g_string_append (text, "\nshort\n");

  /* One byte per read: 3000 reads for the first line. */
  stream = trickle_new (text->str, text->len, 1);
  reader = air_line_reader_new (stream, 4096);
  text->str[3000] = '\0';
  assert_line (reader, text->str);
  assert_line (reader, "short");
  assert_eof (reader);
}

static void
test_chunk_sizes (void)
{
  const char *text = "a\nbb\nccc\n\ndddd\n";

  for (gsize chunk = 1; chunk <= strlen (text) + 1; chunk++)
    {
      g_autoptr(GInputStream) stream = trickle_new (text, strlen (text), chunk);
      g_autoptr(AirLineReader) reader = air_line_reader_new (stream, 4);

      assert_line (reader, "a");
      assert_line (reader, "bb");
      assert_line (reader, "ccc");
      assert_line (reader, "");
      assert_line (reader, "dddd");
      assert_eof (reader);
    }
}

static void
test_limit (void)
{
  /* Exactly the limit is fine; one more byte is not. */
  const char *text = "12345678\n123456789\n";
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (text, strlen (text), NULL);
  g_autoptr(AirLineReader) reader = air_line_reader_new (stream, 8);

  assert_line (reader, "12345678");
  assert_fails (reader, "longer than the limit of 8 bytes");
}

static void
test_limit_without_newline (void)
{
  /* A long line with no newline in sight fails as soon as it passes the
   * limit, however it is chunked. */
  for (gsize chunk = 1; chunk <= 64; chunk *= 4)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(AirLineReader) reader = NULL;

      for (guint i = 0; i < 200; i++)
        g_string_append_c (text, 'x');
      stream = trickle_new (text->str, text->len, chunk);
      reader = air_line_reader_new (stream, 100);
      assert_fails (reader, "longer than the limit");
    }
}

/* A stream may begin with a larger message (a zone's list) than those
 * that follow: the limit is lowered once it is in. */
static void
test_larger_first_line (void)
{
  for (gsize chunk = 7; chunk <= 70000; chunk *= 100)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GString) first = NULL;
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(AirLineReader) reader = NULL;

      for (guint i = 0; i < 50000; i++)
        g_string_append_c (text, 'a' + i % 26);
      first = g_string_new (text->str);
      g_string_append (text, "\n12345678\n123456789\n");
      stream = trickle_new (text->str, text->len, chunk);
      reader = air_line_reader_new (stream, 50000);

      assert_line (reader, first->str);
      air_line_reader_set_max_line (reader, 8);
      assert_line (reader, "12345678");
      assert_fails (reader, "longer than the limit of 8 bytes");
    }
}

static void
test_endless_line (void)
{
  /* A peer sending one endless line: an error after about the limit, no
   * hang and no unbounded buffer. */
  g_autoptr(GInputStream) stream = trickle_new ("", 0, 65536);
  g_autoptr(AirLineReader) reader = NULL;

  TEST_TRICKLE_STREAM (stream)->endless = TRUE;
  reader = air_line_reader_new (stream, 64 * 1024);
  assert_fails (reader, "longer than the limit");
  g_assert_cmpuint (TEST_TRICKLE_STREAM (stream)->served, <=, 64 * 1024 + 65536);
}

static void
test_ends_mid_line (void)
{
  const char *text = "complete\nincompl";
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (text, strlen (text), NULL);
  g_autoptr(AirLineReader) reader = air_line_reader_new (stream, 100);

  assert_line (reader, "complete");
  assert_fails (reader, "ended in the middle of a message");
}

static void
test_binary (void)
{
  /* Bytes are bytes: NULs and invalid UTF-8 arrive untouched (the JSON
   * layer refuses them), and "\r" is not a line end. */
  static const char text[] = "a\0b\xff\r\nnext\n";
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (text, sizeof text - 1, NULL);
  g_autoptr(AirLineReader) reader = air_line_reader_new (stream, 100);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) line = read_line (reader, NULL, &error);
  gsize size;
  const char *data;

  g_assert_no_error (error);
  data = g_bytes_get_data (line, &size);
  g_assert_cmpmem (data, size, "a\0b\xff\r", 5);
  assert_line (reader, "next");
  assert_eof (reader);
}

typedef struct {
  int         fd;
  const char *data;
  gsize       len;
} Writer;

static gpointer
writer_thread (gpointer user_data)
{
  Writer *writer = user_data;

  /* Small writes, so the reader sees many short reads. */
  for (gsize i = 0; i < writer->len; i += 7)
    {
      gsize n = MIN (7, writer->len - i);
      g_assert_cmpint (write (writer->fd, writer->data + i, n), ==, (gssize) n);
    }
  close (writer->fd);
  return NULL;
}

static void
test_pipe (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(AirLineReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;
  Writer writer;
  int fds[2];

  for (guint i = 0; i < 500; i++)
    g_string_append_printf (text, "{\"n\":%u}\n", i);
  g_string_append (text, "tail-without-newline");

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_assert_no_error (error);
  stream = g_unix_input_stream_new (fds[0], TRUE);
  reader = air_line_reader_new (stream, 64);

  writer = (Writer) { fds[1], text->str, text->len };
  thread = g_thread_new ("writer", writer_thread, &writer);

  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *expect = g_strdup_printf ("{\"n\":%u}", i);
      assert_line (reader, expect);
    }
  assert_fails (reader, "ended in the middle");
  g_thread_join (thread);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(AirLineReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) line = NULL;
  g_autoptr(GSource) source = NULL;
  int fds[2];

  /* A pipe whose writer stays open and silent: only cancelling ends the
   * read. */
  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  stream = g_unix_input_stream_new (fds[0], TRUE);
  reader = air_line_reader_new (stream, 64);
  g_assert_cmpint (write (fds[1], "partial", 7), ==, 7);

  g_main_context_push_thread_default (context);
  air_line_reader_read_line_async (reader, cancellable, result_cb, &result);
  source = g_idle_source_new ();
  g_source_set_callback (source, cancel_cb, cancellable, NULL);
  g_source_attach (source, context);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  line = air_line_reader_read_line_finish (reader, result, &error);
  g_assert_null (line);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  close (fds[1]);
}

static void
test_lifetime (void)
{
  GInputStream *stream = g_memory_input_stream_new_from_data ("x\n", 2, NULL);
  AirLineReader *reader = air_line_reader_new (stream, 10);

  assert_line (reader, "x");
  g_assert_finalize_object (reader);
  g_assert_finalize_object (stream);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = test_isolate_dirs ();
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/air/line-reader/lines", test_lines);
  g_test_add_func ("/air/line-reader/empty-stream", test_empty_stream);
  g_test_add_func ("/air/line-reader/many-lines-one-chunk", test_many_lines_one_chunk);
  g_test_add_func ("/air/line-reader/line-across-chunks", test_line_across_chunks);
  g_test_add_func ("/air/line-reader/chunk-sizes", test_chunk_sizes);
  g_test_add_func ("/air/line-reader/limit", test_limit);
  g_test_add_func ("/air/line-reader/limit-without-newline", test_limit_without_newline);
  g_test_add_func ("/air/line-reader/larger-first-line", test_larger_first_line);
  g_test_add_func ("/air/line-reader/endless-line", test_endless_line);
  g_test_add_func ("/air/line-reader/ends-mid-line", test_ends_mid_line);
  g_test_add_func ("/air/line-reader/binary", test_binary);
  g_test_add_func ("/air/line-reader/pipe", test_pipe);
  g_test_add_func ("/air/line-reader/cancel", test_cancel);
  g_test_add_func ("/air/line-reader/lifetime", test_lifetime);

  status = g_test_run ();
  test_remove_tree (home);
  return status;
}
