/* air-template-call.c — see air-template-call.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-template-call"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-line-reader.h"
#include "air-names.h"
#include "air-template-call.h"
#include "air-transport.h"

struct _AirTemplateCall
{
  GObject        parent_instance;

  AirZone       *zone;
  char          *service;
  char          *name;
  char          *line;      /* NULL: the input is the files alone */
  GPtrArray     *paths;

  /* While it runs */
  GTask         *task;
  GSubprocess   *process;
  AirLineReader *reader;
  GByteArray    *errors;
  AirTemplate   *done;
  GError        *error;     /* the first local failure */
  guint          next_path;
  guint          pending;
  gulong         cancelled_id;
};

G_DEFINE_FINAL_TYPE (AirTemplateCall, air_template_call, G_TYPE_OBJECT)

enum {
  SIGNAL_STEP,
  SIGNAL_OUTPUT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
air_template_call_finalize (GObject *object)
{
  AirTemplateCall *self = AIR_TEMPLATE_CALL (object);

  g_clear_object (&self->zone);
  g_free (self->service);
  g_free (self->name);
  g_free (self->line);
  g_clear_pointer (&self->paths, g_ptr_array_unref);
  g_clear_object (&self->process);
  g_clear_object (&self->reader);
  g_clear_pointer (&self->errors, g_byte_array_unref);
  g_clear_pointer (&self->done, air_template_free);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (air_template_call_parent_class)->finalize (object);
}

static void
air_template_call_class_init (AirTemplateCallClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_template_call_finalize;

  /* A step begins: its text, its number, how many there are. */
  signals[SIGNAL_STEP] = g_signal_new ("step", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 3,
                                       G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT);
  /* A line of the template's output, cleaned. */
  signals[SIGNAL_OUTPUT] = g_signal_new ("output", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
air_template_call_init (AirTemplateCall *self)
{
  self->paths = g_ptr_array_new_with_free_func (g_free);
}

static AirTemplateCall *
call_new (AirZone    *zone,
          const char *service,
          const char *name)
{
  AirTemplateCall *self = g_object_new (AIR_TYPE_TEMPLATE_CALL, NULL);

  self->zone = g_object_ref (zone);
  self->service = g_strdup (service);
  self->name = g_strdup (name);
  return self;
}

AirTemplateCall *
air_template_call_new_import (AirZone    *zone,
                              const char *name,
                              const char *path)
{
  AirTemplateCall *self = call_new (zone, "qubesair.TemplateImport", name);

  g_ptr_array_add (self->paths, g_strdup (path));
  return self;
}

AirTemplateCall *
air_template_call_new_build (AirZone                  *zone,
                             const char               *name,
                             const AirTemplateRequest *request,
                             GPtrArray                *paths)
{
  AirTemplateCall *self = call_new (zone, request->base[0] != '\0' ? "qubesair.TemplateCreate"
                                                                   : "qubesair.TemplateUpdate", name);

  self->line = air_template_request_to_line (request);
  for (guint i = 0; paths != NULL && i < paths->len; i++)
    g_ptr_array_add (self->paths, g_strdup (g_ptr_array_index (paths, i)));
  return self;
}

static void
remember_error (AirTemplateCall *self,
                GError          *error)
{
  if (self->error == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->error = error;
  else
    g_error_free (error);
  if (self->process != NULL)
    g_subprocess_force_exit (self->process);
}

/* The end, once the input is written, the output and errors read and the
 * process gone. */
static void
complete (AirTemplateCall *self)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *message = NULL;
  GCancellable *cancellable;

  if (--self->pending > 0)
    return;
  task = g_steal_pointer (&self->task);
  cancellable = g_task_get_cancellable (task);
  g_cancellable_disconnect (cancellable, self->cancelled_id);
  self->cancelled_id = 0;

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      return;
    }
  if (self->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&self->error));
      return;
    }
  if (g_subprocess_get_if_exited (self->process) && g_subprocess_get_exit_status (self->process) == 0 &&
      self->done != NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&self->done), (GDestroyNotify) air_template_free);
      return;
    }
  message = air_text_sanitize ((const char *) self->errors->data, self->errors->len, AIR_TRANSPORT_MAX_ERROR);
  if (message[0] == '\0')
    {
      g_free (message);
      message = g_strdup (_("The zone ended the build without saying why."));
    }
  g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_REMOTE, _("Zone “%s”: %s"),
                           air_zone_get_name (self->zone), message);
}

/* --- The input: the line, then each file. */

static void write_next_file (AirTemplateCall *self);

static void
input_done (AirTemplateCall *self)
{
  g_output_stream_close_async (g_subprocess_get_stdin_pipe (self->process), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  complete (self);
  g_object_unref (self);
}

static void
splice_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  AirTemplateCall *self = user_data;
  g_autoptr(GError) error = NULL;

  /* The zone may stop reading (a step failed): its status says why. */
  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, &error) < 0)
    {
      input_done (self);
      return;
    }
  write_next_file (self);
}

static void
file_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  AirTemplateCall *self = user_data;
  g_autoptr(GFileInputStream) in = NULL;
  GError *error = NULL;

  in = g_file_read_finish (G_FILE (object), result, &error);
  if (in == NULL)
    {
      remember_error (self, error);
      input_done (self);
      return;
    }
  g_output_stream_splice_async (g_subprocess_get_stdin_pipe (self->process), G_INPUT_STREAM (in),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, G_PRIORITY_DEFAULT,
                                g_task_get_cancellable (self->task), splice_cb, self);
}

static void
write_next_file (AirTemplateCall *self)
{
  g_autoptr(GFile) file = NULL;

  if (self->next_path >= self->paths->len)
    {
      input_done (self);
      return;
    }
  file = g_file_new_for_path (g_ptr_array_index (self->paths, self->next_path++));
  g_file_read_async (file, G_PRIORITY_DEFAULT, g_task_get_cancellable (self->task), file_read_cb, self);
}

static void
line_written_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AirTemplateCall *self = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL))
    {
      input_done (self);
      return;
    }
  write_next_file (self);
}

/* --- The output: progress lines. */

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  AirTemplateCall *self = user_data;
  g_autoptr(GBytes) line = NULL;
  g_autoptr(AirTemplateProgress) progress = NULL;
  GError *error = NULL;
  gsize len;
  const char *data;

  line = air_line_reader_read_line_finish (AIR_LINE_READER (object), result, &error);
  if (line == NULL)
    {
      if (error != NULL)
        remember_error (self, error);
      complete (self);
      g_object_unref (self);
      return;
    }
  data = g_bytes_get_data (line, &len);
  progress = air_template_progress_parse (data, len, &error);
  if (progress == NULL)
    {
      g_prefix_error (&error, _("Zone “%s” sent a bad progress line: "), air_zone_get_name (self->zone));
      remember_error (self, error);
      complete (self);
      g_object_unref (self);
      return;
    }
  switch (progress->kind)
    {
    case AIR_TEMPLATE_PROGRESS_STEP:
      g_signal_emit (self, signals[SIGNAL_STEP], 0, progress->text, progress->index, progress->count);
      break;
    case AIR_TEMPLATE_PROGRESS_OUTPUT:
      g_signal_emit (self, signals[SIGNAL_OUTPUT], 0, progress->text);
      break;
    case AIR_TEMPLATE_PROGRESS_DONE:
      g_clear_pointer (&self->done, air_template_free);
      self->done = g_steal_pointer (&progress->template);
      break;
    }
  air_line_reader_read_line_async (self->reader, g_task_get_cancellable (self->task), read_line_cb, self);
}

static void
read_errors_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  AirTemplateCall *self = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      complete (self);
      g_object_unref (self);
      return;
    }
  if (self->errors->len < AIR_TRANSPORT_MAX_ERROR)
    g_byte_array_append (self->errors, g_bytes_get_data (bytes, NULL),
                         MIN (g_bytes_get_size (bytes), AIR_TRANSPORT_MAX_ERROR - self->errors->len));
  g_input_stream_read_bytes_async (G_INPUT_STREAM (object), 4096, G_PRIORITY_DEFAULT, NULL, read_errors_cb, self);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  AirTemplateCall *self = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  complete (self);
  g_object_unref (self);
}

static void
cancelled_cb (GCancellable    *cancellable,
              AirTemplateCall *self)
{
  /* The zone's agent ends with its caller, and its build with it. */
  if (self->process != NULL)
    g_subprocess_force_exit (self->process);
}

static void
spawned_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(AirTemplateCall) self = user_data;
  GCancellable *cancellable = g_task_get_cancellable (self->task);
  GError *error = NULL;

  self->process = air_transport_spawn_finish (AIR_TRANSPORT (object), result, &error);
  if (self->process == NULL)
    {
      g_prefix_error (&error, _("Zone “%s”: "), air_zone_get_name (self->zone));
      g_task_return_error (g_steal_pointer (&self->task), error);
      return;
    }
  /* Connected until complete(): runs at once when already cancelled. */
  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self, NULL);

  self->errors = g_byte_array_new ();
  self->reader = air_line_reader_new (g_subprocess_get_stdout_pipe (self->process), AIR_JSON_MAX_LINE);
  self->pending = 4;
  air_line_reader_read_line_async (self->reader, cancellable, read_line_cb, g_object_ref (self));
  g_input_stream_read_bytes_async (g_subprocess_get_stderr_pipe (self->process), 4096, G_PRIORITY_DEFAULT,
                                   NULL, read_errors_cb, g_object_ref (self));
  g_subprocess_wait_async (self->process, NULL, wait_cb, g_object_ref (self));
  if (self->line != NULL)
    g_output_stream_write_all_async (g_subprocess_get_stdin_pipe (self->process), self->line, strlen (self->line),
                                     G_PRIORITY_DEFAULT, cancellable, line_written_cb, g_object_ref (self));
  else
    {
      g_object_ref (self);
      write_next_file (self);
    }
}

void
air_template_call_run_async (AirTemplateCall     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (AIR_IS_TEMPLATE_CALL (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, air_template_call_run_async);
  air_transport_spawn_async (air_zone_get_transport (self->zone), air_zone_get_gateway (self->zone),
                             self->service, self->name,
                             G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             cancellable, spawned_cb, g_object_ref (self));
}

AirTemplate *
air_template_call_run_finish (AirTemplateCall  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
