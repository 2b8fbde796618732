/* air-remotevm-dialog.c
 *
 * The management qube cannot run dom0 commands: this shows the script
 * "qair remotevm script" prints for one qube (air-remotevm.c), as a shell
 * script or a Salt state, to copy into dom0.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-remotevm-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "air-remotevm.h"
#include "air-remotevm-dialog.h"

struct _AirRemotevmDialog
{
  GtkWindow    parent_instance;

  /* Template widgets */
  GtkLabel    *heading;
  GtkLabel    *body;
  GtkDropDown *format;
  GtkTextView *text_view;

  /* Owned references */
  AirQube     *qube;
  char        *gateway;
};

G_DEFINE_FINAL_TYPE (AirRemotevmDialog, air_remotevm_dialog, GTK_TYPE_WINDOW)

static void
update_text (AirRemotevmDialog *self)
{
  AirQube *qubes[] = { self->qube };
  AirRemoteVmFormat format = gtk_drop_down_get_selected (self->format) == 1
                             ? AIR_REMOTEVM_FORMAT_SALT : AIR_REMOTEVM_FORMAT_SHELL;
  g_autofree char *text = air_remotevm_script (air_qube_get_zone (self->qube), self->gateway,
                                               qubes, 1, format);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);
}

static void
format_changed_cb (AirRemotevmDialog *self)
{
  update_text (self);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  AirRemotevmDialog *self = AIR_REMOTEVM_DIALOG (widget);
  g_autofree char *text = air_remotevm_dialog_dup_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

static void
air_remotevm_dialog_dispose (GObject *object)
{
  AirRemotevmDialog *self = AIR_REMOTEVM_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_REMOTEVM_DIALOG);
  g_clear_object (&self->qube);
  g_clear_pointer (&self->gateway, g_free);

  G_OBJECT_CLASS (air_remotevm_dialog_parent_class)->dispose (object);
}

static void
air_remotevm_dialog_class_init (AirRemotevmDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_remotevm_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-remotevm-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AirRemotevmDialog, heading);
  gtk_widget_class_bind_template_child (widget_class, AirRemotevmDialog, body);
  gtk_widget_class_bind_template_child (widget_class, AirRemotevmDialog, format);
  gtk_widget_class_bind_template_child (widget_class, AirRemotevmDialog, text_view);
  gtk_widget_class_bind_template_callback (widget_class, format_changed_cb);
  gtk_widget_class_install_action (widget_class, "dialog.copy", NULL, copy_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
air_remotevm_dialog_init (AirRemotevmDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

AirRemotevmDialog *
air_remotevm_dialog_new (GtkWindow  *parent,
                         AirQube    *qube,
                         const char *gateway)
{
  AirRemotevmDialog *self;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *dom0_name = NULL;

  g_return_val_if_fail (AIR_IS_QUBE (qube), NULL);
  g_return_val_if_fail (gateway != NULL, NULL);

  self = g_object_new (AIR_TYPE_REMOTEVM_DIALOG, "transient-for", parent, NULL);
  self->qube = g_object_ref (qube);
  self->gateway = g_strdup (gateway);

  dom0_name = air_remotevm_dom0_name (air_qube_get_zone (qube), air_qube_get_name (qube));
  heading = g_strdup_printf (_("Use “%s” from Other Qubes"), air_qube_get_name (qube));
  body = g_strdup_printf (_("With Qubes 4.3 or later, dom0 can know this qube as a RemoteVM called “%s”: "
                            "then qvm-run, qvm-copy and qvm-open-in-vm reach it from your qubes through "
                            "the gateway %s, each call asking first. Run this in dom0. Calls from this "
                            "qube to local qubes stay denied until you allow them in the policy it writes."),
                          dom0_name, gateway);
  gtk_window_set_title (GTK_WINDOW (self), heading);
  gtk_label_set_text (self->heading, heading);
  gtk_label_set_text (self->body, body);
  update_text (self);
  return self;
}

char *
air_remotevm_dialog_dup_text (AirRemotevmDialog *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (AIR_IS_REMOTEVM_DIALOG (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
