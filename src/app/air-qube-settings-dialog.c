/* air-qube-settings-dialog.c
 *
 * A qube's label, memory and vCPUs, as `qair prefs` changes them. Memory
 * and vCPUs change only while the qube is halted — on a VM backend they
 * are the machine's at its next start — so their fields follow the
 * qube's state as the zone's events report it. Only what the user
 * changed is sent; the zone's answer comes back through its events.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-qube-settings-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "air-label-colors.h"
#include "air-message-label.h"
#include "air-qube-settings-dialog.h"
#include "air-spin-button.h"

struct _AirQubeSettingsDialog
{
  GtkWindow      parent_instance;

  /* Template widgets */
  GtkLabel      *heading;
  GtkDropDown   *label_dropdown;
  GtkSpinButton *memory_spin;
  GtkSpinButton *vcpus_spin;
  GtkLabel      *state_note;
  GtkLabel      *message;

  /* Owned references */
  AirZone       *zone;
  AirQube       *qube;
  GCancellable  *cancellable;
};

G_DEFINE_FINAL_TYPE (AirQubeSettingsDialog, air_qube_settings_dialog, GTK_TYPE_WINDOW)

static gboolean
resizable (AirQubeSettingsDialog *self)
{
  return air_qube_get_state (self->qube) == AIR_QUBE_STATE_HALTED;
}

static void
state_changed_cb (AirQube               *qube,
                  GParamSpec            *pspec,
                  AirQubeSettingsDialog *self)
{
  gboolean halted = resizable (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->memory_spin), halted);
  gtk_widget_set_sensitive (GTK_WIDGET (self->vcpus_spin), halted);
  gtk_label_set_text (self->state_note,
                      halted ? _("Memory and vCPUs take effect when the qube next starts.")
                             : _("Memory and vCPUs change only while the qube is halted: shut it down first."));
}

static void
set_prefs_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AirQubeSettingsDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) answer = air_zone_set_prefs_finish (AIR_ZONE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.apply", TRUE);
  if (answer == NULL)
    {
      /* Plain text: the error may quote the zone. */
      air_message_label_set (self->message, error->message, TRUE);
      return;
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  AirQubeSettingsDialog *self = AIR_QUBE_SETTINGS_DIALOG (widget);
  AirQubePrefs prefs = { 0 };
  guint label, memory, vcpus;

  if (self->cancellable != NULL)
    return;

  /* A number typed but not yet committed counts. */
  gtk_spin_button_update (self->memory_spin);
  gtk_spin_button_update (self->vcpus_spin);
  label = MIN (gtk_drop_down_get_selected (self->label_dropdown), AIR_LABEL_BLACK);
  memory = (guint) gtk_spin_button_get_value_as_int (self->memory_spin);
  vcpus = (guint) gtk_spin_button_get_value_as_int (self->vcpus_spin);

  if (label != air_qube_get_label (self->qube))
    {
      prefs.has_label = TRUE;
      prefs.label = (AirLabel) label;
    }
  if (resizable (self) && memory != air_qube_get_memory (self->qube))
    prefs.memory = memory;
  if (resizable (self) && vcpus != air_qube_get_vcpus (self->qube))
    prefs.vcpus = vcpus;

  if (!prefs.has_label && prefs.memory == 0 && prefs.vcpus == 0)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  air_message_label_set (self->message, _("Saving…"), FALSE);
  gtk_widget_action_set_enabled (widget, "dialog.apply", FALSE);
  self->cancellable = g_cancellable_new ();
  air_zone_set_prefs_async (self->zone, air_qube_get_name (self->qube), &prefs,
                            self->cancellable, set_prefs_cb, g_object_ref (self));
}

static void
air_qube_settings_dialog_dispose (GObject *object)
{
  AirQubeSettingsDialog *self = (AirQubeSettingsDialog *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->qube != NULL)
    g_signal_handlers_disconnect_by_data (self->qube, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_QUBE_SETTINGS_DIALOG);

  G_OBJECT_CLASS (air_qube_settings_dialog_parent_class)->dispose (object);
}

static void
air_qube_settings_dialog_finalize (GObject *object)
{
  AirQubeSettingsDialog *self = (AirQubeSettingsDialog *)object;

  g_clear_object (&self->zone);
  g_clear_object (&self->qube);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (air_qube_settings_dialog_parent_class)->finalize (object);
}

static void
air_qube_settings_dialog_class_init (AirQubeSettingsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_qube_settings_dialog_dispose;
  object_class->finalize = air_qube_settings_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/qubesair/QubesAir/ui/air-qube-settings-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AirQubeSettingsDialog, heading);
  gtk_widget_class_bind_template_child (widget_class, AirQubeSettingsDialog, label_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirQubeSettingsDialog, memory_spin);
  gtk_widget_class_bind_template_child (widget_class, AirQubeSettingsDialog, vcpus_spin);
  gtk_widget_class_bind_template_child (widget_class, AirQubeSettingsDialog, state_note);
  gtk_widget_class_bind_template_child (widget_class, AirQubeSettingsDialog, message);

  gtk_widget_class_install_action (widget_class, "dialog.apply", NULL, apply_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
air_qube_settings_dialog_init (AirQubeSettingsDialog *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  air_spin_button_set_activates_default (self->memory_spin);
  air_spin_button_set_activates_default (self->vcpus_spin);

  for (guint i = 0; i <= AIR_LABEL_BLACK; i++)
    gtk_string_list_append (labels, air_label_get_display_name (i));
  gtk_drop_down_set_model (self->label_dropdown, G_LIST_MODEL (labels));
}

AirQubeSettingsDialog *
air_qube_settings_dialog_new (GtkWindow *parent,
                              AirZone   *zone,
                              AirQube   *qube)
{
  AirQubeSettingsDialog *self;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (AIR_IS_ZONE (zone), NULL);
  g_return_val_if_fail (AIR_IS_QUBE (qube), NULL);

  self = g_object_new (AIR_TYPE_QUBE_SETTINGS_DIALOG, "transient-for", parent, NULL);
  self->zone = g_object_ref (zone);
  self->qube = g_object_ref (qube);

  /* Translators: the heading of Qube Settings: a qube and its zone */
  heading = g_strdup_printf (_("%s in %s"), air_qube_get_name (qube), air_qube_get_zone (qube));
  gtk_label_set_text (self->heading, heading);
  gtk_drop_down_set_selected (self->label_dropdown, air_qube_get_label (qube));
  gtk_spin_button_set_value (self->memory_spin, air_qube_get_memory (qube));
  gtk_spin_button_set_value (self->vcpus_spin, air_qube_get_vcpus (qube));
  g_signal_connect (qube, "notify::state", G_CALLBACK (state_changed_cb), self);
  state_changed_cb (qube, NULL, self);

  return self;
}
