/* air-job.c
 *
 * A job is what the user sees of one slow action: a title, the zone it runs
 * in, progress (or pulsing while unknown), its state and, when it failed, the
 * zone's error text made safe plus a hint at what to do. Commands run in a
 * qube also stream their output through the job, made safe for display.
 * Nothing here needs GTK, so the tray and qair can use jobs too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-job"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-job.h"
#include "air-names.h"
#include "air-utils.h"

struct _AirJob
{
  GObject       parent_instance;

  /* Owned references */
  GCancellable *cancellable;
  char         *title;
  char         *zone;
  char         *error;
  char         *hint;
  char         *detail;       /* e.g. bytes, speed and time left */
  GString      *output;
  GByteArray   *pending;      /* an incomplete UTF-8 sequence of the output */

  double        progress;     /* < 0: pulsing */
  gint64        started;      /* monotonic, µs */
  gint64        finished;
  AirJobState   state;
  int           exit_status;
  gboolean      output_truncated;
};

G_DEFINE_ENUM_TYPE (AirJobState, air_job_state,
                    G_DEFINE_ENUM_VALUE (AIR_JOB_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (AIR_JOB_SUCCEEDED, "succeeded"),
                    G_DEFINE_ENUM_VALUE (AIR_JOB_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (AIR_JOB_CANCELLED, "cancelled"))

G_DEFINE_FINAL_TYPE (AirJob, air_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_ZONE,
  PROP_STATE,
  PROP_PROGRESS,
  PROP_PULSING,
  PROP_ERROR,
  PROP_HINT,
  PROP_EXIT_STATUS,
  PROP_DETAIL,
  N_PROPS
};

enum {
  OUTPUT,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
air_job_finalize (GObject *object)
{
  AirJob *self = (AirJob *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->zone, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->hint, g_free);
  g_clear_pointer (&self->detail, g_free);
  g_string_free (self->output, TRUE);
  g_byte_array_unref (self->pending);

  G_OBJECT_CLASS (air_job_parent_class)->finalize (object);
}

static void
air_job_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  AirJob *self = AIR_JOB (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_ZONE:
      g_value_set_string (value, self->zone);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, MAX (self->progress, 0.0));
      break;
    case PROP_PULSING:
      g_value_set_boolean (value, air_job_get_pulsing (self));
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_HINT:
      g_value_set_string (value, self->hint);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    case PROP_EXIT_STATUS:
      g_value_set_int (value, self->exit_status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_job_class_init (AirJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = air_job_finalize;
  object_class->get_property = air_job_get_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZONE] =
    g_param_spec_string ("zone", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, AIR_TYPE_JOB_STATE, AIR_JOB_RUNNING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PULSING] =
    g_param_spec_boolean ("pulsing", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HINT] =
    g_param_spec_string ("hint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EXIT_STATUS] =
    g_param_spec_int ("exit-status", NULL, NULL, -1, 255, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_DETAIL] =
    g_param_spec_string ("detail", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Already made safe: valid UTF-8, no control characters but newline and tab. */
  signals[OUTPUT] =
    g_signal_new ("output", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
air_job_init (AirJob *self)
{
  self->cancellable = g_cancellable_new ();
  self->progress = -1.0;
  self->started = g_get_monotonic_time ();
  self->exit_status = -1;
  self->output = g_string_new (NULL);
  self->pending = g_byte_array_new ();
}

AirJob *
air_job_new (const char *title,
             const char *zone)
{
  AirJob *self;

  g_return_val_if_fail (title != NULL, NULL);

  self = g_object_new (AIR_TYPE_JOB, NULL);
  self->title = g_strdup (title);
  self->zone = g_strdup (zone ? zone : "");
  return self;
}

const char *
air_job_get_title (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), NULL);
  return self->title;
}

const char *
air_job_get_zone (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), NULL);
  return self->zone;
}

AirJobState
air_job_get_state (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), AIR_JOB_FAILED);
  return self->state;
}

gboolean
air_job_is_finished (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), TRUE);
  return self->state != AIR_JOB_RUNNING;
}

double
air_job_get_progress (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), 0.0);
  return MAX (self->progress, 0.0);
}

/* A negative @progress means "not known": the job pulses. */
void
air_job_set_progress (AirJob *self,
                      double  progress)
{
  gboolean was_pulsing;

  g_return_if_fail (AIR_IS_JOB (self));

  if (progress > 1.0)
    progress = 1.0;
  if (progress < 0.0)
    progress = -1.0;
  if (progress == self->progress)
    return;

  was_pulsing = air_job_get_pulsing (self);
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  if (was_pulsing != air_job_get_pulsing (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PULSING]);
}

gboolean
air_job_get_pulsing (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), FALSE);
  return self->progress < 0.0 && self->state == AIR_JOB_RUNNING;
}

const char *
air_job_get_error (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), NULL);
  return self->error;
}

const char *
air_job_get_hint (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), NULL);
  return self->hint;
}

const char *
air_job_get_detail (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), NULL);
  return self->detail;
}

/* A short line of what a running job has done so far (our own text). */
void
air_job_set_detail (AirJob     *self,
                    const char *detail)
{
  g_return_if_fail (AIR_IS_JOB (self));

  if (g_strcmp0 (self->detail, detail) == 0)
    return;
  g_free (self->detail);
  self->detail = g_strdup (detail);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAIL]);
}

gint64
air_job_get_started (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), 0);
  return self->started;
}

/* Seconds so far, or until the job finished. */
double
air_job_get_duration (AirJob *self)
{
  gint64 end;

  g_return_val_if_fail (AIR_IS_JOB (self), 0.0);

  end = self->finished ? self->finished : g_get_monotonic_time ();
  return (double) (end - self->started) / G_USEC_PER_SEC;
}

/* The exit status of a command the job ran; -1 before it ended or when the
 * job was not a command. */
int
air_job_get_exit_status (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), -1);
  return self->exit_status;
}

/**
 * air_job_get_cancellable:
 *
 * Returns: (transfer none): cancelled when the user cancels the job
 */
GCancellable *
air_job_get_cancellable (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), NULL);
  return self->cancellable;
}

void
air_job_cancel (AirJob *self)
{
  g_return_if_fail (AIR_IS_JOB (self));

  if (self->state == AIR_JOB_RUNNING)
    g_cancellable_cancel (self->cancellable);
}

static void
finish (AirJob      *self,
        AirJobState  state)
{
  g_object_freeze_notify (G_OBJECT (self));

  self->finished = g_get_monotonic_time ();
  self->state = state;
  if (state == AIR_JOB_SUCCEEDED && self->progress < 1.0)
    {
      self->progress = 1.0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PULSING]);

  g_object_thaw_notify (G_OBJECT (self));

  g_signal_emit (self, signals[FINISHED], 0);
}

void
air_job_succeed (AirJob *self)
{
  g_return_if_fail (AIR_IS_JOB (self));

  if (self->state != AIR_JOB_RUNNING)
    return;

  air_job_flush_output (self);
  finish (self, AIR_JOB_SUCCEEDED);
}

/* Ended a command: the job succeeded when it ran, whatever its status; the
 * status is for the user to read. */
void
air_job_finish_command (AirJob *self,
                        int     exit_status)
{
  g_return_if_fail (AIR_IS_JOB (self));

  if (self->state != AIR_JOB_RUNNING)
    return;

  air_job_flush_output (self);
  self->exit_status = CLAMP (exit_status, -1, 255);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXIT_STATUS]);
  if (self->exit_status == 0)
    {
      finish (self, AIR_JOB_SUCCEEDED);
      return;
    }

  /* A command that could not start or ended badly is a failed job, told
   * with the last line it wrote (already made safe as output). */
  {
    g_auto(GStrv) lines = g_strsplit (self->output->str, "\n", -1);
    const char *last = "";

    for (guint i = 0; lines[i] != NULL; i++)
      if (g_strstrip (lines[i])[0] != '\0')
        last = lines[i];
    g_free (self->error);
    self->error = air_text_sanitize (last[0] != '\0' ? last : "", -1, AIR_JOB_MAX_ERROR);
    if (self->error[0] == '\0')
      {
        g_free (self->error);
        self->error = g_strdup_printf (_("The command ended with exit status %d."), self->exit_status);
      }
    g_free (self->hint);
    if (self->exit_status == 127)
      self->hint = g_strdup (_("The program is not installed in the qube: install it in its template."));
    else if (self->exit_status == 126)
      self->hint = g_strdup (_("The program could not be run in the qube."));
    else
      self->hint = g_strdup_printf (_("The command ended with exit status %d."), self->exit_status);
  }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HINT]);
  finish (self, AIR_JOB_FAILED);
}

static const char *
hint_for (const GError *error)
{
  if (error->domain == AIR_ERROR)
    switch ((AirError) error->code)
      {
      case AIR_ERROR_INVALID_NAME:
      case AIR_ERROR_EXISTS:
        return _("Choose another name and try again.");
      case AIR_ERROR_NOT_FOUND:
        return _("The qube or zone is gone. The list shows what the zone has now.");
      case AIR_ERROR_BUSY:
        return _("The qube is busy. Wait for its current action to end, then try again.");
      case AIR_ERROR_REFUSED:
        return _("The qrexec policy refused the call. Allow it in the policy of dom0, then try again.");
      case AIR_ERROR_UNREACHABLE:
        return _("The zone cannot be reached. Check that its gateway qube is running and its network is up.");
      case AIR_ERROR_PROTOCOL:
        return _("The zone sent an answer Qubes Air refuses. Update qubes-air-agent in the zone’s gateway.");
      case AIR_ERROR_REMOTE:
        return _("The zone reported this failure. Fix its cause in the zone, then try again.");
      case AIR_ERROR_INVALID_ARGUMENT:
        return _("Correct the values you entered and try again.");
      case AIR_ERROR_FAILED:
      default:
        break;
      }

  return _("Try again. If it keeps failing, check the zone’s gateway qube.");
}

void
air_job_fail (AirJob       *self,
              const GError *error)
{
  g_return_if_fail (AIR_IS_JOB (self));
  g_return_if_fail (error != NULL);

  if (self->state != AIR_JOB_RUNNING)
    return;

  air_job_flush_output (self);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      finish (self, AIR_JOB_CANCELLED);
      return;
    }

  /* The message may carry the zone's own text: make it safe once, here. */
  g_free (self->error);
  self->error = air_text_sanitize (error->message, -1, AIR_JOB_MAX_ERROR);
  g_free (self->hint);
  self->hint = g_strdup (hint_for (error));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HINT]);

  finish (self, AIR_JOB_FAILED);
}

/* Appends @len bytes of valid UTF-8 from @text to the output, keeping
 * newlines and tabs, turning carriage returns into nothing and every other
 * control or formatting character into U+FFFD. */
static void
emit_clean (AirJob     *self,
            const char *text,
            gsize       len)
{
  g_autoptr(GString) clean = g_string_sized_new (len);
  const char *end = text + len;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\r')
        continue;
      if (c != '\n' && c != '\t' &&
          (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029 ||
           g_unichar_type (c) == G_UNICODE_FORMAT))
        c = 0xFFFD;
      g_string_append_unichar (clean, c);
    }

  if (clean->len == 0)
    return;

  if (self->output->len + clean->len > AIR_JOB_MAX_OUTPUT)
    {
      if (!self->output_truncated)
        {
          const char *note = _("\n[The output is longer than Qubes Air shows; the rest is left out.]\n");

          self->output_truncated = TRUE;
          g_string_append (self->output, note);
          g_signal_emit (self, signals[OUTPUT], 0, note);
        }
      return;
    }

  g_string_append_len (self->output, clean->str, clean->len);
  g_signal_emit (self, signals[OUTPUT], 0, clean->str);
}

/* Output of a command in a zone: any bytes, split anywhere. */
void
air_job_append_output (AirJob     *self,
                       const void *data,
                       gsize       len)
{
  const char *text, *valid_end;
  gsize size;

  g_return_if_fail (AIR_IS_JOB (self));

  if (len == 0 || self->output_truncated)
    return;

  g_byte_array_append (self->pending, data, len);
  text = (const char *) self->pending->data;
  size = self->pending->len;

  while (size > 0)
    {
      if (g_utf8_validate_len (text, size, &valid_end))
        {
          emit_clean (self, text, size);
          size = 0;
          break;
        }

      emit_clean (self, text, valid_end - text);
      size -= valid_end - text;
      text = valid_end;

      /* A sequence cut at the end of the chunk waits for the next one. */
      if (size < 4 && g_utf8_get_char_validated (text, size) == (gunichar) -2)
        break;

      /* Anything else that is not UTF-8 (including NUL) is replaced. */
      emit_clean (self, "\xef\xbf\xbd", 3);
      text++;
      size--;
    }

  g_byte_array_remove_range (self->pending, 0, self->pending->len - size);
}

void
air_job_flush_output (AirJob *self)
{
  g_return_if_fail (AIR_IS_JOB (self));

  if (self->pending->len > 0)
    {
      g_byte_array_set_size (self->pending, 0);
      emit_clean (self, "\xef\xbf\xbd", 3);
    }
}

char *
air_job_dup_output (AirJob *self)
{
  g_return_val_if_fail (AIR_IS_JOB (self), NULL);
  return g_strndup (self->output->str, self->output->len);
}
