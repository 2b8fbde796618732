/* air-session-jobs.c
 *
 * The session's jobs: the list the job pane shows (newest first, the
 * oldest finished ones making room), and the calls that are jobs — create
 * a qube, start/stop/kill/remove one, run a command. What a create or an
 * action changed goes into the inventory through the zone's link.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-session"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-session-private.h"
#include "air-zone-link-private.h"

void
air_session_clear_finished_jobs (AirSession *self)
{
  guint n;

  g_return_if_fail (AIR_IS_SESSION (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(AirJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i - 1);

      if (air_job_is_finished (job))
        g_list_store_remove (self->jobs, i - 1);
    }
}

/* New jobs go first; the oldest finished ones make room. */
static void
add_job (AirSession *self,
         AirJob     *job)
{
  guint n, finished = 0;

  g_list_store_insert (self->jobs, 0, job);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirJob) other = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (air_job_is_finished (other) && ++finished > AIR_SESSION_MAX_FINISHED_JOBS)
        {
          g_list_store_remove (self->jobs, i);
          break;
        }
    }
}

/* Shows a job that is not a zone call (the vault's, for one) in the job
 * list, with the others. */
void
air_session_add_job (AirSession *self,
                     AirJob     *job)
{
  g_return_if_fail (AIR_IS_SESSION (self));
  g_return_if_fail (AIR_IS_JOB (job));

  add_job (self, job);
}

static AirJob *
start_job (AirSession  *self,
           const char  *zone_name,
           AirZone    **zone,
           char        *title)   /* (transfer full) */
{
  g_autofree char *owned_title = title;
  AirJob *job = air_job_new (owned_title, zone_name);

  add_job (self, job);
  g_object_unref (job);   /* the list holds it */

  *zone = air_session_lookup_zone (self, zone_name);
  if (*zone == NULL)
    {
      g_autofree char *shown = air_text_sanitize (zone_name, -1, 40);
      g_autoptr(GError) error = g_error_new (AIR_ERROR, AIR_ERROR_NOT_FOUND,
                                             _("There is no zone called “%s”."), shown);
      air_job_fail (job, error);
    }

  return job;
}

/* A zone call made for a job: the session and the job, until the zone
 * answers. */
typedef struct {
  AirSession *session;
  AirJob     *job;
} JobCall;

static JobCall *
job_call_new (AirSession *session,
              AirJob     *job)
{
  JobCall *call = g_new0 (JobCall, 1);

  call->session = g_object_ref (session);
  call->job = g_object_ref (job);
  return call;
}

static void
job_call_free (JobCall *call)
{
  g_clear_object (&call->session);
  g_clear_object (&call->job);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JobCall, job_call_free)

/* A clone's percentage is the job's; its text, the job's detail. */
static void
create_progress (int         percent,
                 const char *text,
                 gpointer    user_data)
{
  JobCall *call = user_data;

  air_job_set_progress (call->job, percent >= 0 ? percent / 100.0 : -1.0);
  if (text[0] != '\0')
    air_job_set_detail (call->job, text);
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(JobCall) call = user_data;
  AirSession *self = call->session;
  AirJob *job = call->job;
  g_autoptr(AirQube) qube = NULL;
  g_autoptr(GError) error = NULL;
  AirEvent event = { .kind = AIR_EVENT_QUBE_ADDED };
  AirZoneLink *link;

  qube = air_zone_create_qube_finish (AIR_ZONE (object), result, &error);
  if (qube == NULL)
    {
      air_job_fail (job, error);
      return;
    }

  /* In the list at once, not when the zone's event comes. */
  event.qube = qube;
  link = air_session_get_link (self, air_zone_get_name (AIR_ZONE (object)));
  if (self->loaded && link != NULL)
    air_zone_link_apply_event (link, &event);
  air_job_succeed (job);
}

/**
 * air_session_create_qube:
 *
 * Returns: (transfer none): the job, held by the job list
 */
AirJob *
air_session_create_qube (AirSession        *self,
                         const char        *zone_name,
                         const char        *name,
                         const AirQubeSpec *spec)
{
  AirZone *zone;
  AirJob *job;
  JobCall *call;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  shown = air_text_sanitize (name, -1, AIR_NAME_MAX);
  job = start_job (self, zone_name, &zone, g_strdup_printf (_("Create %s"), shown));
  if (zone == NULL)
    return job;

  call = job_call_new (self, job);
  air_zone_create_qube_async (zone, name, spec, create_progress, call, air_job_get_cancellable (job),
                              create_cb, call);
  return job;
}

static void
action_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(JobCall) call = user_data;
  AirSession *self = call->session;
  AirJob *job = call->job;
  g_autoptr(GError) error = NULL;
  AirZoneLink *link;

  if (!air_zone_qube_action_finish (AIR_ZONE (object), result, &error))
    air_job_fail (job, error);
  else
    air_job_succeed (job);

  /* The list again, so the view is right at once even where the zone's
   * events come late. */
  link = air_session_get_link (self, air_zone_get_name (AIR_ZONE (object)));
  if (self->loaded && link != NULL)
    _air_zone_link_resync (link);
}

/**
 * air_session_qube_action:
 *
 * Returns: (transfer none): the job, held by the job list
 */
AirJob *
air_session_qube_action (AirSession    *self,
                         const char    *zone_name,
                         const char    *name,
                         AirZoneAction  action)
{
  g_autofree char *shown = NULL;
  AirZone *zone;
  AirJob *job;
  char *title;

  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);

  shown = air_text_sanitize (name, -1, AIR_NAME_MAX);
  switch (action)
    {
    case AIR_ZONE_ACTION_START:
      title = g_strdup_printf (_("Start %s"), shown);
      break;
    case AIR_ZONE_ACTION_SHUTDOWN:
      title = g_strdup_printf (_("Shut down %s"), shown);
      break;
    case AIR_ZONE_ACTION_KILL:
      title = g_strdup_printf (_("Kill %s"), shown);
      break;
    case AIR_ZONE_ACTION_REMOVE:
      title = g_strdup_printf (_("Remove %s"), shown);
      break;
    default:
      g_return_val_if_reached (NULL);
    }

  job = start_job (self, zone_name, &zone, title);
  if (zone == NULL)
    return job;

  air_zone_qube_action_async (zone, action, name, air_job_get_cancellable (job),
                              action_cb, job_call_new (self, job));
  return job;
}

/* A command: its header line written, its stdout and stderr streamed into
 * the job, its exit status the job's end. */
typedef struct {
  AirJob      *job;
  GSubprocess *process;
  gulong       cancel_id;
  guint        pending;
  char        *header;    /* being written to the command's stdin */
} RunOp;

static void
run_op_free (RunOp *op)
{
  g_cancellable_disconnect (air_job_get_cancellable (op->job), op->cancel_id);
  g_clear_object (&op->process);
  g_clear_object (&op->job);
  g_free (op->header);
  g_free (op);
}

static void
run_op_done (RunOp *op)
{
  int status;

  if (--op->pending > 0)
    return;

  if (g_cancellable_is_cancelled (air_job_get_cancellable (op->job)))
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "");
      air_job_fail (op->job, error);
    }
  else if (g_subprocess_get_if_exited (op->process))
    air_job_finish_command (op->job, g_subprocess_get_exit_status (op->process));
  else if (g_subprocess_get_if_signaled (op->process))
    {
      status = 128 + g_subprocess_get_term_sig (op->process);
      air_job_finish_command (op->job, MIN (status, 255));
    }
  else
    air_job_finish_command (op->job, -1);

  run_op_free (op);
}

static void run_read (RunOp *op, GInputStream *stream);

static void
run_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunOp *op = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      run_op_done (op);
      return;
    }

  air_job_append_output (op->job, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  run_read (op, G_INPUT_STREAM (object));
}

static void
run_read (RunOp        *op,
          GInputStream *stream)
{
  g_input_stream_read_bytes_async (stream, 65536, G_PRIORITY_DEFAULT, NULL, run_read_cb, op);
}

static void
run_wait_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunOp *op = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  run_op_done (op);
}

static void
run_write_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  RunOp *op = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL);
  /* No input for the command but the header: the command sees end of file. */
  g_output_stream_close (G_OUTPUT_STREAM (object), NULL, NULL);
  run_op_done (op);
}

static void
run_cancelled_cb (GCancellable *cancellable,
                  RunOp        *op)
{
  g_subprocess_force_exit (op->process);
}

/**
 * air_session_run_command:
 * @target: the qube, or with @disposable the disposable template
 * @what: (nullable): the command as the job names it, else argv[0]
 *
 * Returns: (transfer none): the job, held by the job list; its "output"
 *   signal carries the command's output, "exit-status" its end.
 */
AirJob *
air_session_run_command (AirSession         *self,
                         const char         *zone_name,
                         const char         *target,
                         const char * const *argv,
                         const char         *what,
                         gboolean            disposable)
{
  g_autofree char *shown = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  AirZone *zone;
  AirJob *job;
  RunOp *op;

  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);
  g_return_val_if_fail (argv != NULL, NULL);

  shown = air_text_sanitize (target, -1, AIR_NAME_MAX);
  command = air_text_sanitize (what ? what : argv[0] ? argv[0] : "", -1, 40);
  job = start_job (self, zone_name, &zone,
                   disposable ? g_strdup_printf (_("Run %s in a disposable of %s"), command, shown)
                              : g_strdup_printf (_("Run %s in %s"), command, shown));
  if (zone == NULL)
    return job;

  if (argv[0] == NULL || g_strv_length ((char **) argv) > AIR_PROTOCOL_MAX_ARGV)
    {
      error = g_error_new_literal (AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("No command to run"));
      air_job_fail (job, error);
      return job;
    }

  if (!air_name_validate (target, disposable ? "template" : "qube", &error) ||
      !(process = air_zone_spawn (zone, disposable ? "qubesair.Disposable" : "qubesair.Run", target,
                                  G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                  G_SUBPROCESS_FLAGS_STDERR_PIPE, &error)))
    {
      air_job_fail (job, error);
      return job;
    }

  op = g_new0 (RunOp, 1);
  op->job = g_object_ref (job);
  op->process = g_steal_pointer (&process);
  op->pending = 4;   /* header written, stdout, stderr, exit */
  op->cancel_id = g_cancellable_connect (air_job_get_cancellable (job),
                                         G_CALLBACK (run_cancelled_cb), op, NULL);

  op->header = air_run_header_to_line (argv, NULL);
  g_output_stream_write_all_async (g_subprocess_get_stdin_pipe (op->process),
                                   op->header, strlen (op->header), G_PRIORITY_DEFAULT, NULL,
                                   run_write_cb, op);
  run_read (op, g_subprocess_get_stdout_pipe (op->process));
  run_read (op, g_subprocess_get_stderr_pipe (op->process));
  g_subprocess_wait_async (op->process, NULL, run_wait_cb, op);

  return job;
}
