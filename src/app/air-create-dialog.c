/* air-create-dialog.c
 *
 * The name is checked as it is typed, with the rules every program of
 * Qubes Air uses (air_name_validate) and against the qubes the zone has;
 * the zone and its template come from an AirZonePicker.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-create-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "air-create-dialog.h"
#include "air-label-colors.h"
#include "air-message-label.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-spin-button.h"
#include "air-zone-picker.h"

static const AirQubeKind kinds[] = {
  AIR_QUBE_KIND_APP_VM, AIR_QUBE_KIND_STANDALONE_VM, AIR_QUBE_KIND_TEMPLATE_VM,
};

struct _AirCreateDialog
{
  GtkWindow      parent_instance;

  /* Template widgets */
  AirZonePicker *picker;
  GtkEntry      *name_entry;
  GtkLabel      *name_message;
  GtkDropDown   *label_dropdown;
  GtkDropDown   *class_dropdown;
  GtkSpinButton *memory_spin;
  GtkSpinButton *vcpus_spin;
  GtkCheckButton *network_check;
  GtkSizeGroup  *label_group;

  /* Owned references */
  AirSession    *session;
  char          *problem;
};

G_DEFINE_FINAL_TYPE (AirCreateDialog, air_create_dialog, GTK_TYPE_WINDOW)

enum {
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Sets the problem that keeps "Create" off, NULL when there is none. */
static void
validate (AirCreateDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  AirZone *zone = air_zone_picker_get_zone (self->picker);
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  gboolean show = TRUE;

  if (self->session == NULL)
    return;

  if (zone == NULL)
    problem = g_strdup (_("Choose a zone."));
  else if (name[0] == '\0')
    {
      problem = g_strdup (_("A name starts with a letter and may contain letters, digits, “_”, “.” and “-”."));
      show = FALSE;
    }
  else if (!air_name_validate (name, "qube", &error))
    problem = g_strdup (error->message);
  else if (air_inventory_lookup (air_session_get_inventory (self->session),
                                 air_zone_get_name (zone), name) != NULL)
    problem = g_strdup_printf (_("The zone %s has a qube called %s already."),
                               air_zone_get_name (zone), name);
  else if (air_zone_picker_get_template (self->picker) == NULL)
    problem = g_strdup (_("The zone has no template to make the qube from."));

  g_free (self->problem);
  self->problem = g_steal_pointer (&problem);

  air_message_label_set (self->name_message, self->problem ? self->problem : _("The name is free."),
                         self->problem != NULL && show);
  if (self->problem != NULL && show)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->name_entry), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->name_entry),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE, -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->name_entry), "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (self->name_entry), GTK_ACCESSIBLE_STATE_INVALID);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.create", self->problem == NULL);
}

static void
picker_changed_cb (AirCreateDialog *self)
{
  validate (self);
}

static void
name_changed_cb (GtkEditable     *entry,
                 AirCreateDialog *self)
{
  validate (self);
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AirCreateDialog *self = AIR_CREATE_DIALOG (widget);
  g_autoptr(AirQubeSpec) spec = NULL;
  const char *name;
  AirJob *job;
  guint kind;

  validate (self);
  if (self->problem != NULL)
    return;

  name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  spec = air_qube_spec_new ();
  g_free (spec->template_name);
  spec->template_name = g_strdup (air_zone_picker_get_template (self->picker));
  spec->label = (AirLabel) MIN (gtk_drop_down_get_selected (self->label_dropdown), AIR_LABEL_BLACK);
  kind = MIN (gtk_drop_down_get_selected (self->class_dropdown), G_N_ELEMENTS (kinds) - 1);
  spec->kind = kinds[kind];
  /* A number typed but not yet committed (Enter in another field) counts. */
  gtk_spin_button_update (self->memory_spin);
  gtk_spin_button_update (self->vcpus_spin);
  spec->memory = (guint) gtk_spin_button_get_value_as_int (self->memory_spin);
  spec->vcpus = (guint) gtk_spin_button_get_value_as_int (self->vcpus_spin);
  spec->network = gtk_check_button_get_active (self->network_check);

  job = air_session_create_qube (self->session, air_zone_get_name (air_zone_picker_get_zone (self->picker)),
                                 name, spec);
  g_signal_emit (self, signals[CREATED], 0, job, name);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
air_create_dialog_dispose (GObject *object)
{
  AirCreateDialog *self = (AirCreateDialog *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_CREATE_DIALOG);

  G_OBJECT_CLASS (air_create_dialog_parent_class)->dispose (object);
}

static void
air_create_dialog_finalize (GObject *object)
{
  AirCreateDialog *self = (AirCreateDialog *)object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->problem, g_free);

  G_OBJECT_CLASS (air_create_dialog_parent_class)->finalize (object);
}

static void
air_create_dialog_class_init (AirCreateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_create_dialog_dispose;
  object_class->finalize = air_create_dialog_finalize;

  /* The job making the qube, and the qube's name. */
  signals[CREATED] =
    g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, AIR_TYPE_JOB, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-create-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AirCreateDialog, picker);
  gtk_widget_class_bind_template_child (widget_class, AirCreateDialog, name_entry);
  gtk_widget_class_bind_template_child (widget_class, AirCreateDialog, name_message);
  gtk_widget_class_bind_template_child (widget_class, AirCreateDialog, label_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirCreateDialog, class_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirCreateDialog, memory_spin);
  gtk_widget_class_bind_template_child (widget_class, AirCreateDialog, vcpus_spin);
  gtk_widget_class_bind_template_child (widget_class, AirCreateDialog, network_check);
  gtk_widget_class_bind_template_child (widget_class, AirCreateDialog, label_group);
  gtk_widget_class_bind_template_callback (widget_class, picker_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);

  gtk_widget_class_install_action (widget_class, "dialog.create", NULL, create_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
air_create_dialog_init (AirCreateDialog *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) classes = gtk_string_list_new (NULL);

  g_type_ensure (AIR_TYPE_ZONE_PICKER);
  gtk_widget_init_template (GTK_WIDGET (self));
  air_zone_picker_add_labels_to (self->picker, self->label_group);
  air_spin_button_set_activates_default (self->memory_spin);
  air_spin_button_set_activates_default (self->vcpus_spin);

  for (guint i = 0; i <= AIR_LABEL_BLACK; i++)
    gtk_string_list_append (labels, air_label_get_display_name (i));
  gtk_drop_down_set_model (self->label_dropdown, G_LIST_MODEL (labels));

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    gtk_string_list_append (classes, air_qube_kind_get_display_name (kinds[i]));
  gtk_drop_down_set_model (self->class_dropdown, G_LIST_MODEL (classes));

  gtk_spin_button_set_range (self->memory_spin, 200, AIR_PROTOCOL_MAX_MEMORY);
  gtk_spin_button_set_value (self->memory_spin, 400);
  gtk_spin_button_set_range (self->vcpus_spin, 1, 64);
  gtk_spin_button_set_value (self->vcpus_spin, 2);
}

/**
 * air_create_dialog_new:
 * @zone: (nullable): the zone to preselect
 */
AirCreateDialog *
air_create_dialog_new (GtkWindow  *parent,
                       AirSession *session,
                       const char *zone)
{
  AirCreateDialog *self;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);

  self = g_object_new (AIR_TYPE_CREATE_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  air_zone_picker_set_session (self->picker, session, zone);
  validate (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));

  return self;
}

void
air_create_dialog_set_name (AirCreateDialog *self,
                            const char      *name)
{
  g_return_if_fail (AIR_IS_CREATE_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
}

/* Why the qube cannot be created as entered; NULL when it can. */
const char *
air_create_dialog_get_problem (AirCreateDialog *self)
{
  g_return_val_if_fail (AIR_IS_CREATE_DIALOG (self), NULL);
  return self->problem;
}
