/* air-job-row.c
 *
 * Title, zone, progress (a spinner while the job cannot say), how long it
 * has run, a cancel button while it runs, and when it failed the zone's
 * error (already made safe by the job) with what to do about it. The
 * duration ticks once a second while the job runs and stops with it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-job-row"

#include "config.h"

#include <glib/gi18n.h>

#include "air-job-row.h"

struct _AirJobRow
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkImage       *state_icon;
  GtkSpinner     *spinner;
  GtkLabel       *title;
  GtkLabel       *subtitle;
  GtkProgressBar *progress;
  GtkLabel       *error;
  GtkLabel       *hint;
  GtkButton      *cancel_button;

  /* Owned references */
  AirJob         *job;
  GSignalGroup   *signals;

  guint           tick_id;
};

G_DEFINE_FINAL_TYPE (AirJobRow, air_job_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_JOB,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_duration (double seconds)
{
  int s = (int) seconds;

  if (s < 60)
    /* Translators: a duration in seconds */
    return g_strdup_printf (_("%d s"), s);
  /* Translators: a duration in minutes and seconds */
  return g_strdup_printf (_("%d min %d s"), s / 60, s % 60);
}

static void
update_subtitle (AirJobRow *self)
{
  g_autofree char *duration = NULL;
  g_autofree char *text = NULL;
  const char *state;

  if (self->job == NULL)
    return;

  duration = format_duration (air_job_get_duration (self->job));
  switch (air_job_get_state (self->job))
    {
    case AIR_JOB_SUCCEEDED:
      state = air_job_get_exit_status (self->job) > 0 ? _("ended with an error status") : _("done");
      break;
    case AIR_JOB_FAILED:
      state = _("failed");
      break;
    case AIR_JOB_CANCELLED:
      state = _("cancelled");
      break;
    case AIR_JOB_RUNNING:
    default:
      state = _("running");
      break;
    }

  /* Translators: zone · state · duration */
  text = g_strdup_printf (_("%s · %s · %s"), air_job_get_zone (self->job), state, duration);
  if (air_job_get_detail (self->job) != NULL && air_job_get_detail (self->job)[0] != '\0')
    {
      char *longer = g_strdup_printf ("%s · %s", text, air_job_get_detail (self->job));
      g_free (text);
      text = longer;
    }
  gtk_label_set_text (self->subtitle, text);
}

static gboolean
tick_cb (gpointer user_data)
{
  AirJobRow *self = user_data;

  update_subtitle (self);
  return G_SOURCE_CONTINUE;
}

static void
update (AirJobRow *self)
{
  AirJob *job = self->job;
  AirJobState state;
  const char *error;
  const char *names[] = { _("Running"), _("Done"), _("Failed"), _("Cancelled") };
  static const char * const icons[] = {
    "content-loading-symbolic", "object-select-symbolic",
    "dialog-error-symbolic", "process-stop-symbolic",
  };

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (job == NULL)
    return;

  state = air_job_get_state (job);
  gtk_label_set_text (self->title, air_job_get_title (job));
  gtk_image_set_from_icon_name (self->state_icon, icons[MIN ((guint) state, 3)]);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->state_icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  names[MIN ((guint) state, 3)], -1);
  gtk_widget_set_visible (GTK_WIDGET (self->state_icon), state != AIR_JOB_RUNNING);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), state == AIR_JOB_RUNNING);
  gtk_spinner_set_spinning (self->spinner, state == AIR_JOB_RUNNING);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), state == AIR_JOB_RUNNING);
  gtk_widget_set_visible (GTK_WIDGET (self->progress),
                          state == AIR_JOB_RUNNING && !air_job_get_pulsing (job));
  gtk_progress_bar_set_fraction (self->progress, air_job_get_progress (job));

  error = state == AIR_JOB_FAILED ? air_job_get_error (job) : NULL;
  gtk_label_set_text (self->error, error ? error : "");
  gtk_label_set_text (self->hint, error ? air_job_get_hint (job) : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error), error != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->hint), error != NULL);

  if (state == AIR_JOB_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self), "failed");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "failed");

  update_subtitle (self);
  if (state == AIR_JOB_RUNNING)
    self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
}

static void
cancel_clicked_cb (GtkButton *button,
                   AirJobRow *self)
{
  if (self->job != NULL)
    air_job_cancel (self->job);
}

static void
air_job_row_dispose (GObject *object)
{
  AirJobRow *self = (AirJobRow *)object;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->signals != NULL)
    g_signal_group_set_target (self->signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_JOB_ROW);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->job);
  g_clear_object (&self->signals);

  G_OBJECT_CLASS (air_job_row_parent_class)->dispose (object);
}

static void
air_job_row_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  AirJobRow *self = AIR_JOB_ROW (object);

  switch (prop_id)
    {
    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_job_row_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  AirJobRow *self = AIR_JOB_ROW (object);

  switch (prop_id)
    {
    case PROP_JOB:
      air_job_row_set_job (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_job_row_class_init (AirJobRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_job_row_dispose;
  object_class->get_property = air_job_row_get_property;
  object_class->set_property = air_job_row_set_property;

  properties[PROP_JOB] =
    g_param_spec_object ("job", NULL, NULL, AIR_TYPE_JOB,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "jobrow");
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-job-row.ui");
  gtk_widget_class_bind_template_child (widget_class, AirJobRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, AirJobRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, AirJobRow, title);
  gtk_widget_class_bind_template_child (widget_class, AirJobRow, subtitle);
  gtk_widget_class_bind_template_child (widget_class, AirJobRow, progress);
  gtk_widget_class_bind_template_child (widget_class, AirJobRow, error);
  gtk_widget_class_bind_template_child (widget_class, AirJobRow, hint);
  gtk_widget_class_bind_template_child (widget_class, AirJobRow, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
air_job_row_init (AirJobRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->signals = g_signal_group_new (AIR_TYPE_JOB);
  g_signal_group_connect_swapped (self->signals, "notify", G_CALLBACK (update), self);
}

GtkWidget *
air_job_row_new (void)
{
  return g_object_new (AIR_TYPE_JOB_ROW, NULL);
}

AirJob *
air_job_row_get_job (AirJobRow *self)
{
  g_return_val_if_fail (AIR_IS_JOB_ROW (self), NULL);
  return self->job;
}

void
air_job_row_set_job (AirJobRow *self,
                     AirJob    *job)
{
  g_return_if_fail (AIR_IS_JOB_ROW (self));

  if (!g_set_object (&self->job, job))
    return;

  g_signal_group_set_target (self->signals, job);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB]);
}
