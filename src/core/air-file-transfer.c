/* air-file-transfer.c — file streams between this qube and zones
 *
 * A transfer runs its byte pumping in a worker thread (blocking pipes, a
 * fixed buffer, constant memory) and reports to the caller's main context
 * with a timer, so the GTK main loop never waits on it. The receiving
 * FilePut is never killed: on cancel its stdin is closed before the end
 * marker, and the agent then removes everything of this transfer itself.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-file-transfer"
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "air-error.h"
#include "air-fd-io.h"
#include "air-file-transfer.h"
#include "air-filecopy.h"
#include "air-filecopy-writer.h"
#include "air-json.h"
#include "air-names.h"

#define PUMP_SIZE (256 * 1024)
#define MAX_LISTING AIR_JSON_MAX_MESSAGE
#define MAX_ENTRIES 5000

void
air_file_entry_free (AirFileEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->name);
  g_free (entry);
}

GPtrArray *
air_file_listing_parse (const char  *data,
                        gsize        len,
                        GError     **error)
{
  static const char * const types[] = { "file", "folder", "link", "other" };
  g_autoptr(JsonObject) root = air_json_parse_object (data, len, MAX_LISTING, error);
  g_autoptr(GPtrArray) entries = NULL;
  JsonArray *array;

  if (root == NULL)
    return NULL;
  array = air_json_get_opt_array (root, "entries", MAX_ENTRIES, error);
  if (array == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The listing has no entries"));
      return NULL;
    }

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) air_file_entry_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(AirFileEntry) entry = g_new0 (AirFileEntry, 1);
      JsonObject *object;
      const char *name, *type;
      gint64 size, mtime;
      guint t;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A listing entry is not an object"));
          return NULL;
        }
      object = json_node_get_object (node);
      if (!air_json_get_string (object, "name", 255, &name, error) ||
          !air_json_get_string (object, "type", 16, &type, error) ||
          !air_json_get_opt_int (object, "size", 0, G_MAXINT64, 0, &size, error) ||
          !air_json_get_opt_int (object, "mtime", G_MININT64, G_MAXINT64, 0, &mtime, error))
        return NULL;
      /* One clean path component, or the zone is lying. */
      if (!air_filecopy_check_name (name, strlen (name) + 1, error) || strchr (name, '/') != NULL)
        {
          g_clear_error (error);
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A listing entry has an invalid name"));
          return NULL;
        }
      for (t = 0; t < G_N_ELEMENTS (types) && strcmp (type, types[t]) != 0; t++)
        ;
      entry->name = g_strdup (name);
      entry->type = t < G_N_ELEMENTS (types) ? (AirFileType) t : AIR_FILE_TYPE_OTHER;
      entry->size = size;
      entry->mtime = mtime;
      g_ptr_array_add (entries, g_steal_pointer (&entry));
    }

  return g_steal_pointer (&entries);
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) answer = NULL;
  GError *error = NULL;
  GPtrArray *entries;
  gsize len;
  const char *data;

  answer = air_transport_call_finish (AIR_TRANSPORT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_bytes_get_data (answer, &len);
  entries = air_file_listing_parse (data, len, &error);
  if (entries == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

static char *
request_line (const char         *member,
              const char         *value,
              const char * const *values)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, member);
  if (values != NULL)
    {
      json_builder_begin_array (builder);
      for (guint i = 0; values[i] != NULL; i++)
        json_builder_add_string_value (builder, values[i]);
      json_builder_end_array (builder);
    }
  else
    json_builder_add_string_value (builder, value);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

void
air_file_transfer_list_async (AirZone             *zone,
                              const char          *qube,
                              const char          *path,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (zone, cancellable, callback, user_data);
  g_autoptr(GBytes) input = NULL;
  GError *error = NULL;
  char *line;

  g_task_set_source_tag (task, air_file_transfer_list_async);
  if (!air_name_validate (qube, "qube", &error))
    {
      g_task_return_error (task, error);
      return;
    }
  line = request_line ("path", path ? path : "", NULL);
  input = g_bytes_new_take (line, strlen (line));
  air_transport_call_async (air_zone_get_transport (zone), air_zone_get_gateway (zone),
                            "qubesair.FileList", qube, input, MAX_LISTING,
                            cancellable, list_cb, g_steal_pointer (&task));
}

GPtrArray *
air_file_transfer_list_finish (AirZone       *zone,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, zone), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* One transfer: FileGet (or local files) → FilePut. */
typedef struct {
  GSubprocess   *source;      /* FileGet, NULL for local files */
  GSubprocess   *dest;        /* FilePut or qubes.Filecopy */
  char         **local_paths;
  char          *request;     /* FileGet's input */
  char          *what;        /* the destination, for messages */
  gint           cancelled;
  guint64        bytes;       /* atomically written by the worker */
  guint32        crc;
  gboolean       crc_unknown;
  gulong         cancel_id;
  GCancellable  *cancellable;
  GSource       *timer;
  AirTransferProgress progress;
  gpointer       progress_data;
} Transfer;

static void
transfer_free (Transfer *t)
{
  if (t->cancel_id != 0)
    g_cancellable_disconnect (t->cancellable, t->cancel_id);
  if (t->timer != NULL)
    {
      g_source_destroy (t->timer);
      g_source_unref (t->timer);
    }
  g_clear_object (&t->cancellable);
  g_clear_object (&t->source);
  g_clear_object (&t->dest);
  g_strfreev (t->local_paths);
  g_free (t->request);
  g_free (t->what);
  g_free (t);
}

static int
out_fd (GSubprocess *process)
{
  return g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (g_subprocess_get_stdin_pipe (process)));
}

static int
in_fd (GSubprocess *process)
{
  return g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (process)));
}

/* What a service said on stderr, made safe to show. */
static char *
read_errors (GSubprocess *process)
{
  GInputStream *stream = g_subprocess_get_stderr_pipe (process);
  char buffer[4096];
  gsize len = 0;

  g_input_stream_read_all (stream, buffer, sizeof buffer, &len, NULL, NULL);
  return air_text_sanitize (buffer, len, 300);
}

static void
store_progress (guint64  bytes,
                gpointer user_data)
{
  Transfer *t = user_data;

  __atomic_store_n (&t->bytes, bytes, __ATOMIC_RELAXED);
}

/* The relay reads the stream to count what the user asked to move: the
 * files' data, not the headers and names around it (a 57-byte file is
 * 57 bytes, not the 132 of its stream). */
static gboolean
count_entry (const AirFilecopyHeader *header, const char *name, gpointer user_data, GError **error)
{
  return TRUE;
}

static gboolean
count_data (const guint8 *data, gsize len, gpointer user_data, GError **error)
{
  *(guint64 *) user_data += len;
  return TRUE;
}

static gboolean
count_symlink (const AirFilecopyHeader *header, const char *name, const char *target,
               gpointer user_data, GError **error)
{
  return TRUE;
}

static const AirFilecopyParserFuncs count_funcs = {
  count_entry, count_data, count_entry, count_symlink,
};

/* FileGet's stdout into FilePut's stdin, through a fixed buffer. The
 * receiver computes the stream's CRC itself, and a copy relayed here has
 * no sender CRC to compare it with (FileGet's stdout is the stream), so
 * none is compared. The counting parser is no judge: when it refuses the
 * stream, counting stops and the receiver gives the reason. */
static gboolean
pump (Transfer  *t,
      GError   **error)
{
  int from = in_fd (t->source), to = out_fd (t->dest);
  g_autoptr(AirFilecopyParser) counter = NULL;
  g_autofree guint8 *buffer = g_malloc (PUMP_SIZE);
  guint64 data_bytes = 0;

  t->crc_unknown = TRUE;
  counter = air_filecopy_parser_new (&count_funcs, &data_bytes);
  for (;;)
    {
      ssize_t n = read (from, buffer, PUMP_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return TRUE;
      if (counter != NULL && air_filecopy_parser_feed (counter, buffer, n, NULL) < 0)
        g_clear_pointer (&counter, air_filecopy_parser_free);
      /* EPIPE also when the receiver has read the end marker and left
       * while the sender is still exiting: its answer tells which. */
      if (!air_fd_write_all (to, buffer, n))
        return TRUE;
      store_progress (data_bytes, t);
    }
}

static gboolean
status_ok (GSubprocess *process)
{
  return g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0;
}

static void
transfer_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Transfer *t = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dest_errors = NULL;
  g_autofree char *source_errors = NULL;
  guint8 result[AIR_FILECOPY_RESULT_SIZE];
  guint32 code = 0, crc = 0;
  gboolean sent;
  sigset_t pipe_set;

  /* A reader that went away is an EPIPE here, not a signal for the app. */
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, NULL);

  if (t->source != NULL)
    {
      air_fd_write_all (out_fd (t->source), t->request, strlen (t->request));
      g_output_stream_close (g_subprocess_get_stdin_pipe (t->source), NULL, NULL);
      sent = pump (t, &error);
      /* A sender still writing stops now (EPIPE) instead of blocking. */
      g_input_stream_close (g_subprocess_get_stdout_pipe (t->source), NULL, NULL);
    }
  else
    {
      g_autoptr(AirFilecopyWriter) writer = air_filecopy_writer_new (out_fd (t->dest));

      air_filecopy_writer_set_progress (writer, store_progress, t);
      air_filecopy_writer_set_cancel (writer, &t->cancelled);
      sent = TRUE;
      for (guint i = 0; sent && t->local_paths[i] != NULL; i++)
        sent = air_filecopy_writer_add_path (writer, AT_FDCWD, t->local_paths[i], FALSE, &error);
      sent = sent && air_filecopy_writer_finish (writer, &error);
      t->crc = air_filecopy_writer_get_crc (writer);
    }

  /* EOF for the receiver: complete, or broken off before the end marker. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (t->dest), NULL, NULL);

  if (air_fd_read_full (in_fd (t->dest), result, sizeof result) == sizeof result)
    air_filecopy_result_decode (result, &code, &crc);
  else
    code = EIO;
  g_subprocess_wait (t->dest, NULL, NULL);
  dest_errors = read_errors (t->dest);
  if (t->source != NULL)
    {
      g_subprocess_wait (t->source, NULL, NULL);
      source_errors = read_errors (t->source);
    }

  /* Drop any SIGPIPE that was raised while blocked. */
  {
    struct timespec zero = { 0, 0 };
    while (sigtimedwait (&pipe_set, NULL, &zero) > 0)
      ;
  }

  if (g_atomic_int_get (&t->cancelled))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The transfer was cancelled"));
  else if (t->source != NULL && g_subprocess_get_if_exited (t->source) &&
           g_subprocess_get_exit_status (t->source) != 0)
    g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_REMOTE, _("Reading the files failed: %s"),
                             source_errors[0] ? source_errors : _("the sending qube gave no reason"));
  else if (code != 0)
    g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_REMOTE, _("%s refused the files: %s"), t->what,
                             dest_errors[0] ? dest_errors : g_strerror ((int) code));
  else if (!sent)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (!t->crc_unknown && crc != t->crc)
    g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_REMOTE,
                             _("The transfer failed: checksum mismatch"));
  else if (!status_ok (t->dest))
    g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_REMOTE, _("%s refused the files: %s"), t->what,
                             dest_errors[0] ? dest_errors : _("no reason given"));
  else
    g_task_return_int (task, (gssize) __atomic_load_n (&t->bytes, __ATOMIC_RELAXED));
}

static gboolean
timer_cb (gpointer user_data)
{
  Transfer *t = user_data;

  if (t->progress != NULL)
    t->progress (__atomic_load_n (&t->bytes, __ATOMIC_RELAXED), t->progress_data);
  return G_SOURCE_CONTINUE;
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Transfer *t = user_data;

  g_atomic_int_set (&t->cancelled, 1);
  /* The sender may die; the receiver hears EOF and cleans up. */
  if (t->source != NULL)
    g_subprocess_force_exit (t->source);
}

/* Put, copy and Filecopy each spawn their ends first; @error is what a
 * spawn that failed said: then the transfer goes no further, and freeing
 * it closes the end that did start (FilePut, its stdin closed at once,
 * stops with nothing). */
static void
start (GTask               *task,
       Transfer            *t,
       GError              *error,
       GCancellable        *cancellable,
       AirTransferProgress  progress,
       gpointer             progress_data)
{
  if (error != NULL)
    {
      transfer_free (t);
      g_task_return_error (task, error);
      return;
    }
  t->progress = progress;
  t->progress_data = progress_data;
  g_task_set_task_data (task, t, (GDestroyNotify) transfer_free);
  /* Cancellation is handled by the worker: it must still wait for the
   * receiver's answer so nothing is left half done. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_return_on_cancel (task, FALSE);
  if (cancellable != NULL)
    {
      t->cancellable = g_object_ref (cancellable);
      t->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), t, NULL);
    }
  if (progress != NULL)
    {
      t->timer = g_timeout_source_new (200);
      g_source_set_callback (t->timer, timer_cb, t, NULL);
      g_source_attach (t->timer, g_task_get_context (task));
    }
  g_task_run_in_thread (task, transfer_thread);
}

/* Put and copy both start with a task and two qube names, checked before
 * anything is spawned: the sender and the receiver for a copy, the
 * receiver and (if the files come from another qube) their origin for a
 * put. A refused name is the task's error, and there is no task to go on
 * with (%NULL). */
static GTask *
transfer_task_new (gpointer             source_tag,
                   const char          *qube,
                   const char          *other_qube,
                   gboolean             other_optional,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  if (!air_name_validate (qube, "qube", &error) ||
      ((other_qube != NULL || !other_optional) && !air_name_validate (other_qube, "qube", &error)))
    {
      g_task_return_error (task, error);
      return NULL;
    }
  return g_steal_pointer (&task);
}

static GSubprocess *
spawn (AirZone     *zone,
       const char  *service,
       const char  *arg,
       GError     **error)
{
  return air_zone_spawn (zone, service, arg,
                         G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                         G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
}

void
air_file_transfer_put_async (AirZone             *zone,
                             const char          *qube,
                             const char          *source,
                             const char * const  *local_paths,
                             AirTransferProgress  progress,
                             gpointer             progress_data,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *arg = NULL;
  GError *error = NULL;
  Transfer *t;

  task = transfer_task_new (air_file_transfer_put_async, qube, source, TRUE, cancellable, callback, user_data);
  if (task == NULL)
    return;

  t = g_new0 (Transfer, 1);
  t->local_paths = g_strdupv ((char **) local_paths);
  t->what = g_strdup (qube);
  arg = source ? g_strdup_printf ("%s+%s", qube, source) : g_strdup (qube);
  t->dest = spawn (zone, "qubesair.FilePut", arg, &error);
  start (task, t, error, cancellable, progress, progress_data);
}

void
air_file_transfer_copy_async (AirZone             *src_zone,
                              const char          *src_qube,
                              const char * const  *paths,
                              AirZone             *dest_zone,
                              const char          *dest_qube,
                              AirTransferProgress  progress,
                              gpointer             progress_data,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *arg = NULL;
  GError *error = NULL;
  Transfer *t;

  task = transfer_task_new (air_file_transfer_copy_async, src_qube, dest_qube, FALSE,
                            cancellable, callback, user_data);
  if (task == NULL)
    return;
  for (guint i = 0; paths[i] != NULL; i++)
    if (!air_filecopy_check_name (paths[i], strlen (paths[i]) + 1, &error))
      {
        g_task_return_error (task, error);
        return;
      }

  t = g_new0 (Transfer, 1);
  t->what = g_strdup (dest_qube);
  t->request = request_line ("paths", NULL, paths);
  /* The files keep their origin: ~/QubesIncoming/<src_qube>/. */
  arg = g_strdup_printf ("%s+%s", dest_qube, src_qube);
  t->dest = spawn (dest_zone, "qubesair.FilePut", arg, &error);
  if (t->dest != NULL)
    t->source = spawn (src_zone, "qubesair.FileGet", src_qube, &error);
  start (task, t, error, cancellable, progress, progress_data);
}

void
air_file_transfer_qubes_filecopy_async (const char          *qube,
                                        const char * const  *local_paths,
                                        AirTransferProgress  progress,
                                        gpointer             progress_data,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;
  Transfer *t;

  g_task_set_source_tag (task, air_file_transfer_put_async);
  t = g_new0 (Transfer, 1);
  t->local_paths = g_strdupv ((char **) local_paths);
  t->what = g_strdup (qube);
  t->dest = air_transport_spawn (air_transport_get_default (), qube, "qubes.Filecopy", NULL,
                                 G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                 G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  start (task, t, error, cancellable, progress, progress_data);
}

guint64
air_file_transfer_finish (GAsyncResult  *result,
                          GError       **error)
{
  gssize bytes;

  g_return_val_if_fail (G_IS_TASK (result), 0);
  bytes = g_task_propagate_int (G_TASK (result), error);
  return bytes < 0 ? 0 : (guint64) bytes;
}

/* ---- measuring local files for a progress total ---- */

typedef struct {
  char    **paths;
  gint      cancelled;
  guint64   total;
} Measure;

static void
measure_free (Measure *m)
{
  g_strfreev (m->paths);
  g_free (m);
}

static void
measure_cancelled_cb (GCancellable *cancellable,
                      gint         *cancelled)
{
  g_atomic_int_set (cancelled, 1);
}

static void
measure_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Measure *m = task_data;
  gulong id = 0;

  /* a folder of millions of files takes long: cancelling stops the walk */
  if (cancellable != NULL)
    id = g_cancellable_connect (cancellable, G_CALLBACK (measure_cancelled_cb), &m->cancelled, NULL);
  for (guint i = 0; m->paths[i] != NULL && !g_atomic_int_get (&m->cancelled); i++)
    m->total += air_filecopy_measure_cancellable (AT_FDCWD, m->paths[i], &m->cancelled);
  g_cancellable_disconnect (cancellable, id);
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

/**
 * air_file_transfer_measure_async:
 *
 * Adds up, in a worker thread, the sizes of the regular files under
 * @local_paths, as air_filecopy_measure() does for one.
 */
void
air_file_transfer_measure_async (const char * const  *local_paths,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Measure *m;

  g_return_if_fail (local_paths != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  m = g_new0 (Measure, 1);
  m->paths = g_strdupv ((char **) local_paths);
  g_task_set_source_tag (task, air_file_transfer_measure_async);
  g_task_set_task_data (task, m, (GDestroyNotify) measure_free);
  g_task_run_in_thread (task, measure_thread);
}

/* The total in bytes; 0 with @error set if cancelled. */
guint64
air_file_transfer_measure_finish (GAsyncResult  *result,
                                  GError       **error)
{
  Measure *m;

  g_return_val_if_fail (g_task_is_valid (result, NULL), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == air_file_transfer_measure_async, 0);

  m = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return 0;
  return m->total;
}
