/* fuzz-line-reader.c — libFuzzer target: AirLineReader, every line then
 * through air_event_parse() as the events stream does
 *
 * The first byte picks the line limit; the rest is the stream.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-line-reader"

#include "config.h"

#include <string.h>

#include "air-json.h"
#include "air-line-reader.h"
#include "air-protocol.h"
#include "fuzz-common.h"

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(AirLineReader) reader = NULL;
  gsize max_line;

  fuzz_init ();

  if (size < 1)
    return 0;

  /* 1 to 256 bytes, or the real limit. */
  max_line = data[0] == 0xff ? AIR_JSON_MAX_LINE : (gsize) data[0] + 1;
  stream = g_memory_input_stream_new_from_data (data + 1, size - 1, NULL);
  reader = air_line_reader_new (stream, max_line);
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);

  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) line = NULL;
      g_autoptr(AirEvent) event = NULL;
      const char *bytes;
      gsize len;

      air_line_reader_read_line_async (reader, NULL, result_cb, &result);
      while (result == NULL)
        g_main_context_iteration (context, TRUE);

      line = air_line_reader_read_line_finish (reader, result, &error);
      if (line == NULL)
        break;

      bytes = g_bytes_get_data (line, &len);
      FUZZ_CHECK (len <= max_line);
      FUZZ_CHECK (len == 0 || memchr (bytes, '\n', len) == NULL);

      event = air_event_parse (bytes, len, "fuzz", &error);
      FUZZ_CHECK ((event == NULL) != (error == NULL));
    }

  g_main_context_pop_thread_default (context);
  return 0;
}
