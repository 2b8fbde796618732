/* air-run-dialog.c
 *
 * The command line is run by /bin/sh -c in the qube, as qvm-run runs it:
 * pipes, quotes, variables and globs mean what they mean in a terminal;
 * the output is shown as it arrives, as plain text already made safe by the
 * job, and the exit status when it ends. In disposable mode the user picks
 * a zone and a template, and the zone makes a disposable qube that lives as
 * long as the command.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-run-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "air-run-dialog.h"
#include "air-zone-picker.h"

struct _AirRunDialog
{
  GtkWindow      parent_instance;

  /* Template widgets */
  GtkLabel      *target_label;
  AirZonePicker *picker;
  GtkEntry      *command_entry;
  GtkTextView   *output_view;
  GtkLabel      *status_label;
  GtkSpinner    *spinner;
  GtkButton     *run_button;

  /* Owned references */
  AirSession    *session;
  AirJob        *job;
  char          *zone_name;
  char          *qube;

  gboolean       disposable;
};

G_DEFINE_FINAL_TYPE (AirRunDialog, air_run_dialog, GTK_TYPE_WINDOW)

static void
update_actions (AirRunDialog *self)
{
  const char *command = gtk_editable_get_text (GTK_EDITABLE (self->command_entry));
  gboolean running = self->job != NULL && !air_job_is_finished (self->job);
  gboolean target = self->disposable ? air_zone_picker_get_template (self->picker) != NULL : TRUE;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.run",
                                 !running && target && command[0] != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.stop", running);
  gtk_spinner_set_spinning (self->spinner, running);
}

static void
picker_changed_cb (AirRunDialog *self)
{
  update_actions (self);
}

static void
command_changed_cb (GtkEditable  *entry,
                    AirRunDialog *self)
{
  update_actions (self);
}

static void
append_text (AirRunDialog *self,
             const char   *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->output_view);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_scroll_to_iter (self->output_view, &end, 0.0, FALSE, 0.0, 1.0);
}

static void
job_output_cb (AirJob       *job,
               const char   *text,
               AirRunDialog *self)
{
  append_text (self, text);
}

static void
job_finished_cb (AirJob       *job,
                 AirRunDialog *self)
{
  g_autofree char *status = NULL;

  switch (air_job_get_state (job))
    {
    case AIR_JOB_SUCCEEDED:
      if (air_job_get_exit_status (job) == 0)
        status = g_strdup (_("Finished (exit status 0)"));
      else
        status = g_strdup_printf (_("Failed with exit status %d"), air_job_get_exit_status (job));
      break;
    case AIR_JOB_CANCELLED:
      status = g_strdup (_("Stopped"));
      break;
    case AIR_JOB_FAILED:
    case AIR_JOB_RUNNING:
    default:
      status = g_strdup_printf (_("Could not run: %s %s"),
                                air_job_get_error (job) ? air_job_get_error (job) : "",
                                air_job_get_hint (job) ? air_job_get_hint (job) : "");
      break;
    }

  gtk_label_set_text (self->status_label, status);
  update_actions (self);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  AirRunDialog *self = AIR_RUN_DIALOG (widget);
  const char *command = gtk_editable_get_text (GTK_EDITABLE (self->command_entry));
  const char *argv[] = { "/bin/sh", "-c", command, NULL };
  g_autofree char *stripped = g_strstrip (g_strdup (command));
  const char *zone, *target;

  if (stripped[0] == '\0')
    {
      gtk_label_set_text (self->status_label, _("Type a command to run."));
      return;
    }

  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->output_view), "", 0);
  gtk_label_set_text (self->status_label, _("Running…"));

  zone = self->disposable ? air_zone_get_name (air_zone_picker_get_zone (self->picker)) : self->zone_name;
  target = self->disposable ? air_zone_picker_get_template (self->picker) : self->qube;

  self->job = g_object_ref (air_session_run_command (self->session, zone, target,
                                                     argv, command, self->disposable));
  g_signal_connect_object (self->job, "output", G_CALLBACK (job_output_cb), self, 0);
  g_signal_connect_object (self->job, "finished", G_CALLBACK (job_finished_cb), self, 0);

  /* A job can end before it is returned (an unknown zone, say). */
  if (air_job_is_finished (self->job))
    {
      g_autofree char *output = air_job_dup_output (self->job);
      append_text (self, output);
      job_finished_cb (self->job, self);
    }

  update_actions (self);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  AirRunDialog *self = AIR_RUN_DIALOG (widget);

  if (self->job != NULL)
    air_job_cancel (self->job);
}

static void
air_run_dialog_dispose (GObject *object)
{
  AirRunDialog *self = (AirRunDialog *)object;

  /* The command goes on in the job list when the dialog closes. */
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_RUN_DIALOG);

  G_OBJECT_CLASS (air_run_dialog_parent_class)->dispose (object);
}

static void
air_run_dialog_finalize (GObject *object)
{
  AirRunDialog *self = (AirRunDialog *)object;

  g_clear_object (&self->session);
  g_clear_object (&self->job);
  g_clear_pointer (&self->zone_name, g_free);
  g_clear_pointer (&self->qube, g_free);

  G_OBJECT_CLASS (air_run_dialog_parent_class)->finalize (object);
}

static void
air_run_dialog_class_init (AirRunDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_run_dialog_dispose;
  object_class->finalize = air_run_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-run-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AirRunDialog, target_label);
  gtk_widget_class_bind_template_child (widget_class, AirRunDialog, picker);
  gtk_widget_class_bind_template_child (widget_class, AirRunDialog, command_entry);
  gtk_widget_class_bind_template_child (widget_class, AirRunDialog, output_view);
  gtk_widget_class_bind_template_child (widget_class, AirRunDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, AirRunDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, AirRunDialog, run_button);
  gtk_widget_class_bind_template_callback (widget_class, picker_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, command_changed_cb);

  gtk_widget_class_install_action (widget_class, "dialog.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "dialog.stop", NULL, stop_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
air_run_dialog_init (AirRunDialog *self)
{
  g_type_ensure (AIR_TYPE_ZONE_PICKER);
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * air_run_dialog_new:
 * @zone: (nullable): the zone; with @disposable only a preselection
 * @qube: (nullable): the qube to run in; ignored with @disposable
 */
AirRunDialog *
air_run_dialog_new (GtkWindow  *parent,
                    AirSession *session,
                    const char *zone,
                    const char *qube,
                    gboolean    disposable)
{
  AirRunDialog *self;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);

  self = g_object_new (AIR_TYPE_RUN_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->zone_name = g_strdup (zone);
  self->qube = g_strdup (qube);
  self->disposable = disposable;

  gtk_widget_set_visible (GTK_WIDGET (self->picker), disposable);
  gtk_widget_set_visible (GTK_WIDGET (self->target_label), !disposable);

  if (disposable)
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Open a Disposable"));
      air_zone_picker_set_session (self->picker, session, zone);
    }
  else
    {
      g_autofree char *title = g_strdup_printf (_("Run in %s"), qube);
      /* Translators: a qube and its zone */
      g_autofree char *target = g_strdup_printf (_("Qube %s in the zone %s"), qube, zone);

      gtk_window_set_title (GTK_WINDOW (self), title);
      gtk_label_set_text (self->target_label, target);
    }

  gtk_widget_grab_focus (GTK_WIDGET (self->command_entry));
  update_actions (self);
  return self;
}

void
air_run_dialog_set_command (AirRunDialog *self,
                            const char   *command)
{
  g_return_if_fail (AIR_IS_RUN_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->command_entry), command);
}

/**
 * air_run_dialog_get_job:
 *
 * Returns: (transfer none) (nullable): the last command run
 */
AirJob *
air_run_dialog_get_job (AirRunDialog *self)
{
  g_return_val_if_fail (AIR_IS_RUN_DIALOG (self), NULL);
  return self->job;
}

char *
air_run_dialog_dup_output (AirRunDialog *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (AIR_IS_RUN_DIALOG (self), NULL);

  buffer = gtk_text_view_get_buffer (self->output_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
