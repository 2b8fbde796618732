/* air-qube-details.c
 *
 * The labels are bound to the qube's properties in the template through
 * expressions, so they follow the zone's events without any code here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-qube-details"

#include "config.h"

#include <glib/gi18n.h>

#include "air-label-colors.h"
#include "air-qube-details.h"

struct _AirQubeDetails
{
  GtkWidget  parent_instance;

  /* Template widgets */
  GtkWidget *stack;

  /* Owned references */
  AirQube   *qube;
};

G_DEFINE_FINAL_TYPE (AirQubeDetails, air_qube_details, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_QUBE,
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
memory_text (gpointer unused,
             guint    mib)
{
  return mib ? g_strdup_printf (_("%u MiB"), mib) : g_strdup ("—");
}

static char *
number_text (gpointer unused,
             guint    value)
{
  return value ? g_strdup_printf ("%u", value) : g_strdup ("—");
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

static void
air_qube_details_dispose (GObject *object)
{
  AirQubeDetails *self = (AirQubeDetails *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_QUBE_DETAILS);
  g_clear_object (&self->qube);

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
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "qubedetails");
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-qube-details.ui");
  gtk_widget_class_bind_template_child (widget_class, AirQubeDetails, stack);
  gtk_widget_class_bind_template_callback (widget_class, state_text);
  gtk_widget_class_bind_template_callback (widget_class, kind_text);
  gtk_widget_class_bind_template_callback (widget_class, label_text);
  gtk_widget_class_bind_template_callback (widget_class, label_classes);
  gtk_widget_class_bind_template_callback (widget_class, memory_text);
  gtk_widget_class_bind_template_callback (widget_class, number_text);
  gtk_widget_class_bind_template_callback (widget_class, text_or_dash);
  gtk_widget_class_bind_template_callback (widget_class, started_text);
}

static void
air_qube_details_init (AirQubeDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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
}
