/* air-qube-details.c
 *
 * The labels are bound to the qube's properties in the template through
 * expressions, so they follow the zone's events without any code here.
 * The qube's zone (found in the application's session) gives its
 * isolation, and the zone the Settings dialog talks to.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-qube-details"

#include "config.h"

#include <glib/gi18n.h>

#include "air-application.h"
#include "air-label-colors.h"
#include "air-qube-details.h"
#include "air-qube-settings-dialog.h"

struct _AirQubeDetails
{
  GtkWidget  parent_instance;

  /* Template widgets */
  GtkWidget *stack;

  /* Owned references */
  AirQube   *qube;
  AirZone   *zone;
};

G_DEFINE_FINAL_TYPE (AirQubeDetails, air_qube_details, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_QUBE,
  PROP_ZONE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
state_text (gpointer     unused,
            AirQubeState state)
{
  return g_strdup (air_qube_state_get_display_name (state));
}

static char *
kind_text (gpointer    unused,
           AirQubeKind kind)
{
  return g_strdup (air_qube_kind_get_display_name (kind));
}

static char *
label_text (gpointer unused,
            AirLabel label)
{
  return g_strdup (air_label_get_display_name (label));
}

static char **
label_classes (gpointer unused,
               AirLabel label)
{
  char **classes = g_new0 (char *, 3);

  classes[0] = g_strdup ("label-dot");
  classes[1] = g_strdup (air_label_get_css_class (label));
  return classes;
}

static char *
resources_text (gpointer unused,
                guint    mib,
                guint    vcpus)
{
  if (mib == 0)
    return g_strdup ("—");
  /* Translators: a qube's memory and its number of vCPUs */
  return g_strdup_printf (ngettext ("%u MiB, %u vCPU", "%u MiB, %u vCPUs", vcpus), mib, vcpus);
}

static char *
text_or_dash (gpointer    unused,
              const char *text)
{
  return g_strdup (text && text[0] ? text : "—");
}

static char *
started_text (gpointer     unused,
              gint64       started,
              AirQubeState state)
{
  g_autoptr(GDateTime) when = NULL;

  if (started <= 0 || state != AIR_QUBE_STATE_RUNNING)
    return g_strdup ("—");

  when = g_date_time_new_from_unix_local (started);
  if (when == NULL)
    return g_strdup ("—");
  /* Translators: when a qube started; a strftime() format */
  return g_date_time_format (when, _("%Y-%m-%d %H:%M"));
}

static char *
isolation_text (gpointer      unused,
                AirZone      *zone,
                AirIsolation  isolation)
{
  return g_strdup (zone != NULL ? air_zone_get_isolation_display_name (zone) : "—");
}

static char *
network_text (gpointer    unused,
              const char *ip,
              gboolean    network)
{
  if (ip != NULL && ip[0] != '\0')
    return g_strdup (ip);
  return g_strdup (network ? _("The zone host’s network") : _("None (its own loopback only)"));
}

static void
settings_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  AirQubeDetails *self = AIR_QUBE_DETAILS (widget);
  AirQubeSettingsDialog *dialog;

  if (self->qube == NULL || self->zone == NULL)
    return;
  dialog = air_qube_settings_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->zone, self->qube);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The zone of @qube in the running application's session, if any. */
static AirZone *
find_zone (AirQube *qube)
{
  GApplication *app = g_application_get_default ();

  if (qube == NULL || !AIR_IS_APPLICATION (app) || air_application_get_session (AIR_APPLICATION (app)) == NULL)
    return NULL;
  return air_session_lookup_zone (air_application_get_session (AIR_APPLICATION (app)), air_qube_get_zone (qube));
}

static void
air_qube_details_dispose (GObject *object)
{
  AirQubeDetails *self = (AirQubeDetails *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_QUBE_DETAILS);
  g_clear_object (&self->qube);
  g_clear_object (&self->zone);

  G_OBJECT_CLASS (air_qube_details_parent_class)->dispose (object);
}

static void
air_qube_details_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  AirQubeDetails *self = AIR_QUBE_DETAILS (object);

  switch (prop_id)
    {
    case PROP_QUBE:
      g_value_set_object (value, self->qube);
      break;
    case PROP_ZONE:
      g_value_set_object (value, self->zone);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_qube_details_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  AirQubeDetails *self = AIR_QUBE_DETAILS (object);

  switch (prop_id)
    {
    case PROP_QUBE:
      air_qube_details_set_qube (self, g_value_get_object (value));
      break;
    case PROP_ZONE:
      air_qube_details_set_zone (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_qube_details_class_init (AirQubeDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_qube_details_dispose;
  object_class->get_property = air_qube_details_get_property;
  object_class->set_property = air_qube_details_set_property;

  properties[PROP_QUBE] =
    g_param_spec_object ("qube", NULL, NULL, AIR_TYPE_QUBE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZONE] =
    g_param_spec_object ("zone", NULL, NULL, AIR_TYPE_ZONE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "qubedetails");
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-qube-details.ui");
  gtk_widget_class_bind_template_child (widget_class, AirQubeDetails, stack);
  gtk_widget_class_bind_template_callback (widget_class, state_text);
  gtk_widget_class_bind_template_callback (widget_class, kind_text);
  gtk_widget_class_bind_template_callback (widget_class, label_text);
  gtk_widget_class_bind_template_callback (widget_class, label_classes);
  gtk_widget_class_bind_template_callback (widget_class, resources_text);
  gtk_widget_class_bind_template_callback (widget_class, text_or_dash);
  gtk_widget_class_bind_template_callback (widget_class, started_text);
  gtk_widget_class_bind_template_callback (widget_class, isolation_text);
  gtk_widget_class_bind_template_callback (widget_class, network_text);

  gtk_widget_class_install_action (widget_class, "details.settings", NULL, settings_action);
}

static void
air_qube_details_init (AirQubeDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.settings", FALSE);
}

AirQube *
air_qube_details_get_qube (AirQubeDetails *self)
{
  g_return_val_if_fail (AIR_IS_QUBE_DETAILS (self), NULL);
  return self->qube;
}

void
air_qube_details_set_qube (AirQubeDetails *self,
                           AirQube        *qube)
{
  g_return_if_fail (AIR_IS_QUBE_DETAILS (self));

  if (!g_set_object (&self->qube, qube))
    return;

  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), qube ? "qube" : "none");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUBE]);
  air_qube_details_set_zone (self, find_zone (qube));
}

AirZone *
air_qube_details_get_zone (AirQubeDetails *self)
{
  g_return_val_if_fail (AIR_IS_QUBE_DETAILS (self), NULL);
  return self->zone;
}

/* Set by air_qube_details_set_qube() from the application's session; a
 * test without one sets it itself. */
void
air_qube_details_set_zone (AirQubeDetails *self,
                           AirZone        *zone)
{
  g_return_if_fail (AIR_IS_QUBE_DETAILS (self));

  if (!g_set_object (&self->zone, zone))
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.settings", zone != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZONE]);
}
