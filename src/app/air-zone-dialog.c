/* air-zone-dialog.c
 *
 * A zone is a name, the gateway qube that serves it and the driver the
 * gateway uses. The gateway defaults to sys-remote-NAME as the architecture
 * names it; the entry shows that until the user types another.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "air-names.h"
#include "air-zone-dialog.h"

static const char * const drivers[] = { "local", "ssh", NULL };

struct _AirZoneDialog
{
  GtkWindow    parent_instance;

  /* Template widgets */
  GtkEntry    *name_entry;
  GtkEntry    *gateway_entry;
  GtkDropDown *driver_dropdown;
  GtkLabel    *message;
  GtkButton   *save_button;

  /* Owned references */
  AirSession  *session;
  AirZone     *zone;
};

G_DEFINE_FINAL_TYPE (AirZoneDialog, air_zone_dialog, GTK_TYPE_WINDOW)

static char *
dup_gateway (AirZoneDialog *self)
{
  const char *gateway = gtk_editable_get_text (GTK_EDITABLE (self->gateway_entry));

  if (gateway[0] != '\0')
    return g_strdup (gateway);
  return air_zone_dup_gateway_for (gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
}

static void
show_message (AirZoneDialog *self,
              const char    *text,
              gboolean       is_error)
{
  gtk_label_set_text (self->message, text);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message), "error");
}

static void
validate (AirZoneDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autofree char *gateway = NULL;
  g_autofree char *placeholder = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  if (self->session == NULL)
    return;

  placeholder = air_zone_dup_gateway_for (name[0] ? name : "NAME");
  gtk_entry_set_placeholder_text (self->gateway_entry, placeholder);
  gateway = dup_gateway (self);

  if (name[0] == '\0')
    show_message (self, _("Name the zone, for example “office” or “cloud”."), FALSE);
  else if (!air_name_validate (name, "zone", &error) ||
           !air_name_validate (gateway, "gateway qube", &error))
    show_message (self, error->message, TRUE);
  else if (self->zone == NULL && air_session_lookup_zone (self->session, name) != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("A zone called %s exists already."), name);
      show_message (self, text, TRUE);
    }
  else
    {
      show_message (self, "", FALSE);
      ok = TRUE;
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", ok);
}

static void
changed_cb (GtkEditable   *editable,
            AirZoneDialog *self)
{
  validate (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  AirZoneDialog *self = AIR_ZONE_DIALOG (widget);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autofree char *gateway = dup_gateway (self);
  const char *driver = drivers[MIN (gtk_drop_down_get_selected (self->driver_dropdown), 1)];
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (self->zone != NULL)
    ok = air_session_update_zone (self->session, name, gateway, driver, &error);
  else
    ok = air_session_add_zone (self->session, name, gateway, driver, &error);

  if (!ok)
    {
      show_message (self, error->message, TRUE);
      return;
    }

  gtk_window_destroy (GTK_WINDOW (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  gtk_window_destroy (GTK_WINDOW (widget));
}

static void
air_zone_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), AIR_TYPE_ZONE_DIALOG);

  G_OBJECT_CLASS (air_zone_dialog_parent_class)->dispose (object);
}

static void
air_zone_dialog_finalize (GObject *object)
{
  AirZoneDialog *self = (AirZoneDialog *)object;

  g_clear_object (&self->session);
  g_clear_object (&self->zone);

  G_OBJECT_CLASS (air_zone_dialog_parent_class)->finalize (object);
}

static void
air_zone_dialog_class_init (AirZoneDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_zone_dialog_dispose;
  object_class->finalize = air_zone_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-zone-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, name_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, gateway_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, driver_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, message);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, save_button);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "dialog.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "dialog.cancel", NULL);
}

static void
air_zone_dialog_init (AirZoneDialog *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (drivers);

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drop_down_set_model (self->driver_dropdown, G_LIST_MODEL (list));
}

/**
 * air_zone_dialog_new:
 * @zone: (nullable): the zone to change, or %NULL to add one
 */
AirZoneDialog *
air_zone_dialog_new (GtkWindow  *parent,
                     AirSession *session,
                     AirZone    *zone)
{
  AirZoneDialog *self;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);

  self = g_object_new (AIR_TYPE_ZONE_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);

  if (zone != NULL)
    {
      self->zone = g_object_ref (zone);
      gtk_window_set_title (GTK_WINDOW (self), _("Edit Zone"));
      gtk_button_set_label (self->save_button, _("_Save"));
      air_zone_dialog_set_fields (self, air_zone_get_name (zone), air_zone_get_gateway (zone),
                                  air_zone_get_driver (zone));
      gtk_editable_set_editable (GTK_EDITABLE (self->name_entry), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->name_entry), FALSE);
    }

  validate (self);
  return self;
}

void
air_zone_dialog_set_fields (AirZoneDialog *self,
                            const char    *name,
                            const char    *gateway,
                            const char    *driver)
{
  g_return_if_fail (AIR_IS_ZONE_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name ? name : "");
  gtk_editable_set_text (GTK_EDITABLE (self->gateway_entry), gateway ? gateway : "");
  for (guint i = 0; drivers[i]; i++)
    if (g_strcmp0 (drivers[i], driver) == 0)
      gtk_drop_down_set_selected (self->driver_dropdown, i);
  validate (self);
}
