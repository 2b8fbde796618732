/* air-confirm-dialog.c
 *
 * Heading and body are plain text: they name qubes and zones, which come
 * from zones.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-confirm-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "air-confirm-dialog.h"

struct _AirConfirmDialog
{
  GtkWindow  parent_instance;

  /* Template widgets */
  GtkLabel  *heading;
  GtkLabel  *body;
  GtkButton *accept_button;
};

G_DEFINE_FINAL_TYPE (AirConfirmDialog, air_confirm_dialog, GTK_TYPE_WINDOW)

enum {
  CONFIRMED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
confirm_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  g_signal_emit (widget, signals[CONFIRMED], 0);
  gtk_window_destroy (GTK_WINDOW (widget));
}

static void
air_confirm_dialog_class_init (AirConfirmDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  signals[CONFIRMED] =
    g_signal_new ("confirmed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-confirm-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AirConfirmDialog, heading);
  gtk_widget_class_bind_template_child (widget_class, AirConfirmDialog, body);
  gtk_widget_class_bind_template_child (widget_class, AirConfirmDialog, accept_button);

  gtk_widget_class_install_action (widget_class, "dialog.confirm", NULL, confirm_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
air_confirm_dialog_init (AirConfirmDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

AirConfirmDialog *
air_confirm_dialog_new (GtkWindow  *parent,
                        const char *heading,
                        const char *body,
                        const char *accept_label)
{
  AirConfirmDialog *self = g_object_new (AIR_TYPE_CONFIRM_DIALOG,
                                         "transient-for", parent,
                                         NULL);

  gtk_label_set_text (self->heading, heading);
  gtk_label_set_text (self->body, body);
  gtk_button_set_label (self->accept_button, accept_label);
  gtk_window_set_title (GTK_WINDOW (self), heading);
  return self;
}
