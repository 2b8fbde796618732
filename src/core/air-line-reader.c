/* air-line-reader.c
 *
 * GDataInputStream reads a line of any length; a hostile peer could send an
 * endless one. This reader fails a line longer than its limit instead.
 * read_line_finish returns NULL without an error at the end of the stream.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-line-reader"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-line-reader.h"

struct _AirLineReader
{
  GObject       parent_instance;

  GInputStream *stream;
  GByteArray   *buffer;
  gsize         max_line;
  gsize         scanned;   /* bytes of buffer known to hold no newline */
  gboolean      eof;
};

G_DEFINE_FINAL_TYPE (AirLineReader, air_line_reader, G_TYPE_OBJECT)

static void
air_line_reader_finalize (GObject *object)
{
  AirLineReader *self = (AirLineReader *)object;

  g_clear_object (&self->stream);
  g_clear_pointer (&self->buffer, g_byte_array_unref);

  G_OBJECT_CLASS (air_line_reader_parent_class)->finalize (object);
}

static void
air_line_reader_class_init (AirLineReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_line_reader_finalize;
}

static void
air_line_reader_init (AirLineReader *self)
{
  self->buffer = g_byte_array_new ();
}

AirLineReader *
air_line_reader_new (GInputStream *stream,
                     gsize         max_line)
{
  AirLineReader *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  self = g_object_new (AIR_TYPE_LINE_READER, NULL);
  self->stream = g_object_ref (stream);
  self->max_line = max_line;
  return self;
}

/* The longest line taken from now on: a stream may begin with a larger
 * message than those that follow. */
void
air_line_reader_set_max_line (AirLineReader *self,
                              gsize          max_line)
{
  g_return_if_fail (AIR_IS_LINE_READER (self));

  self->max_line = max_line;
}

/* Returns TRUE when the task was completed. */
static gboolean
take_line (AirLineReader *self,
           GTask         *task)
{
  const guint8 *newline = NULL;
  GBytes *line;
  gsize len;

  /* An empty GByteArray's data is NULL, which memchr() must not get. A
   * long line (a zone's list) is not searched again from its start at
   * each read. */
  if (self->buffer->len > self->scanned)
    newline = memchr (self->buffer->data + self->scanned, '\n', self->buffer->len - self->scanned);

  if (newline == NULL)
    {
      self->scanned = self->buffer->len;
      if (self->buffer->len > self->max_line)
        {
          g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_PROTOCOL,
                                   _("A message is longer than the limit of %lu bytes"),
                                   (unsigned long) self->max_line);
          return TRUE;
        }
      if (self->eof)
        {
          if (self->buffer->len > 0)
            g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_PROTOCOL,
                                     _("The stream ended in the middle of a message"));
          else
            g_task_return_pointer (task, NULL, NULL);
          return TRUE;
        }
      return FALSE;
    }

  len = newline - self->buffer->data;
  if (len > self->max_line)
    {
      g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("A message is longer than the limit of %lu bytes"),
                               (unsigned long) self->max_line);
      return TRUE;
    }

  line = g_bytes_new (self->buffer->data, len);
  g_byte_array_remove_range (self->buffer, 0, len + 1);
  self->scanned = 0;
  g_task_return_pointer (task, line, (GDestroyNotify) g_bytes_unref);
  return TRUE;
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AirLineReader *self = g_task_get_source_object (task);
  g_autoptr(GBytes) bytes = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    self->eof = TRUE;
  else
    g_byte_array_append (self->buffer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  if (take_line (self, task))
    return;

  /* The cancellable is fetched before the task is stolen: in one argument
   * list the order of evaluation is unspecified. */
  cancellable = g_task_get_cancellable (task);
  g_input_stream_read_bytes_async (self->stream, 16384, G_PRIORITY_DEFAULT,
                                   cancellable, read_cb, g_steal_pointer (&task));
}

void
air_line_reader_read_line_async (AirLineReader       *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (AIR_IS_LINE_READER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, air_line_reader_read_line_async);

  if (take_line (self, task))
    return;

  g_input_stream_read_bytes_async (self->stream, 16384, G_PRIORITY_DEFAULT,
                                   cancellable, read_cb, g_steal_pointer (&task));
}

GBytes *
air_line_reader_read_line_finish (AirLineReader  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (AIR_IS_LINE_READER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
