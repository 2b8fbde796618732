/* air-zone-picker.c
 *
 * New Qube and Open a Disposable both ask for a zone and a template of
 * it. The zones are the session's when the picker is given it; the
 * templates are those the chosen zone reported in ZoneInfo
 * (air_zone_get_templates), followed as the zone reports them again.
 * Without any, the template list is off and a line says why.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-picker"

#include "config.h"

#include "air-zone-picker.h"

struct _AirZonePicker
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkWidget     *grid;
  GtkWidget     *zone_label;
  GtkWidget     *template_label;
  GtkDropDown   *zone_dropdown;
  GtkDropDown   *template_dropdown;
  GtkWidget     *template_message;

  /* Owned references */
  AirSession    *session;
  AirZone       *zone;
  GtkStringList *zones;
  GtkStringList *templates;
  GSignalGroup  *zone_signals;

  gboolean       filling;   /* the zone list being replaced */
};

G_DEFINE_FINAL_TYPE (AirZonePicker, air_zone_picker, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ZONE,
  PROP_TEMPLATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
selected_string (GtkDropDown *dropdown)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (dropdown);

  return item ? gtk_string_object_get_string (item) : NULL;
}

static void
fill_templates (AirZonePicker *self)
{
  const char * const *templates = self->zone ? air_zone_get_templates (self->zone) : NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->templates));
  gboolean any = templates != NULL && templates[0] != NULL;

  gtk_string_list_splice (self->templates, 0, n, templates);
  gtk_widget_set_sensitive (GTK_WIDGET (self->template_dropdown), any);
  gtk_widget_set_visible (self->template_message, !any);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEMPLATE]);
}

static void
templates_changed_cb (AirZonePicker *self)
{
  fill_templates (self);
}

static void
zone_selected_cb (GtkDropDown   *dropdown,
                  GParamSpec    *pspec,
                  AirZonePicker *self)
{
  AirZone *zone = NULL;

  if (self->filling)
    return;
  if (self->session != NULL)
    zone = air_session_lookup_zone (self->session, selected_string (dropdown));
  if (g_set_object (&self->zone, zone))
    {
      g_signal_group_set_target (self->zone_signals, zone);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZONE]);
    }
  fill_templates (self);
}

static void
template_selected_cb (GtkDropDown   *dropdown,
                      GParamSpec    *pspec,
                      AirZonePicker *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEMPLATE]);
}

static void
air_zone_picker_dispose (GObject *object)
{
  AirZonePicker *self = AIR_ZONE_PICKER (object);

  g_signal_group_set_target (self->zone_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_ZONE_PICKER);

  G_OBJECT_CLASS (air_zone_picker_parent_class)->dispose (object);
}

static void
air_zone_picker_finalize (GObject *object)
{
  AirZonePicker *self = AIR_ZONE_PICKER (object);

  g_clear_object (&self->session);
  g_clear_object (&self->zone);
  g_clear_object (&self->zones);
  g_clear_object (&self->templates);
  g_clear_object (&self->zone_signals);

  G_OBJECT_CLASS (air_zone_picker_parent_class)->finalize (object);
}

static void
air_zone_picker_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AirZonePicker *self = AIR_ZONE_PICKER (object);

  switch (prop_id)
    {
    case PROP_ZONE:
      g_value_set_object (value, self->zone);
      break;
    case PROP_TEMPLATE:
      g_value_set_string (value, air_zone_picker_get_template (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_zone_picker_class_init (AirZonePickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_zone_picker_dispose;
  object_class->finalize = air_zone_picker_finalize;
  object_class->get_property = air_zone_picker_get_property;

  properties[PROP_ZONE] =
    g_param_spec_object ("zone", NULL, NULL, AIR_TYPE_ZONE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* the chosen template, NULL when the zone has none */
  properties[PROP_TEMPLATE] =
    g_param_spec_string ("template", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-zone-picker.ui");
  gtk_widget_class_bind_template_child (widget_class, AirZonePicker, grid);
  gtk_widget_class_bind_template_child (widget_class, AirZonePicker, zone_label);
  gtk_widget_class_bind_template_child (widget_class, AirZonePicker, template_label);
  gtk_widget_class_bind_template_child (widget_class, AirZonePicker, zone_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirZonePicker, template_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirZonePicker, template_message);
  gtk_widget_class_bind_template_callback (widget_class, zone_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, template_selected_cb);
}

static void
air_zone_picker_init (AirZonePicker *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->zones = gtk_string_list_new (NULL);
  self->templates = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->template_dropdown, G_LIST_MODEL (self->templates));
  self->zone_signals = g_signal_group_new (AIR_TYPE_ZONE);
  g_signal_group_connect_swapped (self->zone_signals, "notify::templates", G_CALLBACK (templates_changed_cb), self);
}

GtkWidget *
air_zone_picker_new (void)
{
  return g_object_new (AIR_TYPE_ZONE_PICKER, NULL);
}

/**
 * air_zone_picker_set_session:
 * @zone: (nullable): the zone to choose first; without it, the first
 *
 * Lists the session's zones as they are now.
 */
void
air_zone_picker_set_session (AirZonePicker *self,
                             AirSession    *session,
                             const char    *zone)
{
  GListModel *zones;
  guint n, selected = 0;

  g_return_if_fail (AIR_IS_ZONE_PICKER (self));
  g_return_if_fail (AIR_IS_SESSION (session));

  g_set_object (&self->session, session);
  self->filling = TRUE;
  zones = air_session_get_zones (session);
  n = g_list_model_get_n_items (zones);
  gtk_string_list_splice (self->zones, 0, g_list_model_get_n_items (G_LIST_MODEL (self->zones)), NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirZone) item = g_list_model_get_item (zones, i);

      gtk_string_list_append (self->zones, air_zone_get_name (item));
      if (g_strcmp0 (air_zone_get_name (item), zone) == 0)
        selected = i;
    }

  gtk_drop_down_set_model (self->zone_dropdown, G_LIST_MODEL (self->zones));
  gtk_drop_down_set_selected (self->zone_dropdown, selected);
  self->filling = FALSE;
  zone_selected_cb (self->zone_dropdown, NULL, self);
}

/**
 * air_zone_picker_get_zone:
 *
 * Returns: (transfer none) (nullable): the chosen zone
 */
AirZone *
air_zone_picker_get_zone (AirZonePicker *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_PICKER (self), NULL);
  return self->zone;
}

/* The chosen template's name, NULL when the zone has none. */
const char *
air_zone_picker_get_template (AirZonePicker *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_PICKER (self), NULL);
  return selected_string (self->template_dropdown);
}

/* The picker's two labels, sized with the dialog's own, so that its
 * fields line up with those around it. */
void
air_zone_picker_add_labels_to (AirZonePicker *self,
                               GtkSizeGroup  *group)
{
  g_return_if_fail (AIR_IS_ZONE_PICKER (self));
  g_return_if_fail (GTK_IS_SIZE_GROUP (group));

  gtk_size_group_add_widget (group, self->zone_label);
  gtk_size_group_add_widget (group, self->template_label);
}
