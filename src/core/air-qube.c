/* air-qube.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-qube"

#include "config.h"

#include "air-enums.h"
#include "air-qube.h"
#include "air-utils.h"

struct _AirQube
{
  GObject       parent_instance;

  char         *zone;
  char         *name;
  char         *template_name;
  char         *ip;
  gint64        started;
  guint         memory;
  guint         vcpus;
  gboolean      network;
  AirQubeState  state;
  AirQubeKind   kind;
  AirLabel      label;
};

G_DEFINE_FINAL_TYPE (AirQube, air_qube, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ZONE,
  PROP_NAME,
  PROP_STATE,
  PROP_KIND,
  PROP_TEMPLATE,
  PROP_LABEL,
  PROP_MEMORY,
  PROP_VCPUS,
  PROP_NETWORK,
  PROP_IP,
  PROP_STARTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
air_qube_finalize (GObject *object)
{
  AirQube *self = (AirQube *)object;

  g_clear_pointer (&self->zone, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->template_name, g_free);
  g_clear_pointer (&self->ip, g_free);

  G_OBJECT_CLASS (air_qube_parent_class)->finalize (object);
}

static void
air_qube_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  AirQube *self = AIR_QUBE (object);

  switch (prop_id)
    {
    case PROP_ZONE:
      g_value_set_string (value, self->zone);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_TEMPLATE:
      g_value_set_string (value, self->template_name);
      break;
    case PROP_LABEL:
      g_value_set_enum (value, self->label);
      break;
    case PROP_MEMORY:
      g_value_set_uint (value, self->memory);
      break;
    case PROP_VCPUS:
      g_value_set_uint (value, self->vcpus);
      break;
    case PROP_NETWORK:
      g_value_set_boolean (value, self->network);
      break;
    case PROP_IP:
      g_value_set_string (value, self->ip);
      break;
    case PROP_STARTED:
      g_value_set_int64 (value, self->started);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_qube_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  AirQube *self = AIR_QUBE (object);

  switch (prop_id)
    {
    case PROP_ZONE:
      self->zone = g_value_dup_string (value);
      break;
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_STATE:
      air_qube_set_state (self, g_value_get_enum (value));
      break;
    case PROP_KIND:
      air_qube_set_kind (self, g_value_get_enum (value));
      break;
    case PROP_TEMPLATE:
      air_qube_set_template (self, g_value_get_string (value));
      break;
    case PROP_LABEL:
      air_qube_set_label (self, g_value_get_enum (value));
      break;
    case PROP_MEMORY:
      air_qube_set_memory (self, g_value_get_uint (value));
      break;
    case PROP_VCPUS:
      air_qube_set_vcpus (self, g_value_get_uint (value));
      break;
    case PROP_NETWORK:
      air_qube_set_network (self, g_value_get_boolean (value));
      break;
    case PROP_IP:
      air_qube_set_ip (self, g_value_get_string (value));
      break;
    case PROP_STARTED:
      air_qube_set_started (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_qube_class_init (AirQubeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = air_qube_finalize;
  object_class->get_property = air_qube_get_property;
  object_class->set_property = air_qube_set_property;

  properties[PROP_ZONE] =
    g_param_spec_string ("zone", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, AIR_TYPE_QUBE_STATE, AIR_QUBE_STATE_HALTED,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, AIR_TYPE_QUBE_KIND, AIR_QUBE_KIND_APP_VM,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEMPLATE] =
    g_param_spec_string ("template", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABEL] =
    g_param_spec_enum ("label", NULL, NULL, AIR_TYPE_LABEL, AIR_LABEL_RED,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MEMORY] =
    g_param_spec_uint ("memory", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VCPUS] =
    g_param_spec_uint ("vcpus", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Whether the qube reaches networks beyond its own loopback. */
  properties[PROP_NETWORK] =
    g_param_spec_boolean ("network", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IP] =
    g_param_spec_string ("ip", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STARTED] =
    g_param_spec_int64 ("started", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
air_qube_init (AirQube *self)
{
  self->template_name = g_strdup ("");
  self->ip = g_strdup ("");
}

AirQube *
air_qube_new (const char *zone,
              const char *name)
{
  g_return_val_if_fail (zone != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (AIR_TYPE_QUBE, "zone", zone, "name", name, NULL);
}

/* A qube with every property at once, filled in before anyone can listen:
 * a zone's List makes thousands, and eight notifications each were a
 * visible part of loading them (bench/app). */
AirQube *
air_qube_new_full (const char   *zone,
                   const char   *name,
                   AirQubeState  state,
                   AirQubeKind   kind,
                   AirLabel      label,
                   const char   *template_name,
                   const char   *ip,
                   guint         memory,
                   guint         vcpus,
                   gint64        started)
{
  AirQube *self = air_qube_new (zone, name);

  self->state = state;
  self->kind = kind;
  self->label = label;
  g_free (self->template_name);
  self->template_name = g_strdup (template_name ? template_name : "");
  g_free (self->ip);
  self->ip = g_strdup (ip ? ip : "");
  self->memory = memory;
  self->vcpus = vcpus;
  self->started = started;
  return self;
}

const char *
air_qube_get_zone (AirQube *self)
{
  g_return_val_if_fail (AIR_IS_QUBE (self), NULL);
  return self->zone;
}

const char *
air_qube_get_name (AirQube *self)
{
  g_return_val_if_fail (AIR_IS_QUBE (self), NULL);
  return self->name;
}

#define DEFINE_SCALAR(Type, field, PROP)                                   \
  Type                                                                     \
  air_qube_get_##field (AirQube *self)                                     \
  {                                                                        \
    g_return_val_if_fail (AIR_IS_QUBE (self), 0);                          \
    return self->field;                                                    \
  }                                                                        \
  void                                                                     \
  air_qube_set_##field (AirQube *self, Type value)                         \
  {                                                                        \
    g_return_if_fail (AIR_IS_QUBE (self));                                 \
    if (self->field == value)                                              \
      return;                                                              \
    self->field = value;                                                   \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);          \
  }

DEFINE_SCALAR (AirQubeState, state, PROP_STATE)
DEFINE_SCALAR (AirQubeKind, kind, PROP_KIND)
DEFINE_SCALAR (AirLabel, label, PROP_LABEL)
DEFINE_SCALAR (guint, memory, PROP_MEMORY)
DEFINE_SCALAR (guint, vcpus, PROP_VCPUS)
DEFINE_SCALAR (gboolean, network, PROP_NETWORK)
DEFINE_SCALAR (gint64, started, PROP_STARTED)

const char *
air_qube_get_template (AirQube *self)
{
  g_return_val_if_fail (AIR_IS_QUBE (self), NULL);
  return self->template_name;
}

void
air_qube_set_template (AirQube    *self,
                       const char *template_name)
{
  g_return_if_fail (AIR_IS_QUBE (self));

  if (air_set_str (&self->template_name, template_name ? template_name : ""))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEMPLATE]);
}

const char *
air_qube_get_ip (AirQube *self)
{
  g_return_val_if_fail (AIR_IS_QUBE (self), NULL);
  return self->ip;
}

void
air_qube_set_ip (AirQube    *self,
                 const char *ip)
{
  g_return_if_fail (AIR_IS_QUBE (self));

  if (air_set_str (&self->ip, ip ? ip : ""))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IP]);
}

gboolean
air_qube_is_running (AirQube *self)
{
  g_return_val_if_fail (AIR_IS_QUBE (self), FALSE);
  return self->state == AIR_QUBE_STATE_RUNNING;
}

/* Copies what a newer report says, notifying only what really changed, so
 * rows bound to @self redraw only where needed. */
void
air_qube_update_from (AirQube *self,
                      AirQube *other)
{
  g_return_if_fail (AIR_IS_QUBE (self));
  g_return_if_fail (AIR_IS_QUBE (other));

  g_object_freeze_notify (G_OBJECT (self));
  air_qube_set_state (self, other->state);
  air_qube_set_kind (self, other->kind);
  air_qube_set_template (self, other->template_name);
  air_qube_set_label (self, other->label);
  air_qube_set_memory (self, other->memory);
  air_qube_set_vcpus (self, other->vcpus);
  air_qube_set_network (self, other->network);
  air_qube_set_ip (self, other->ip);
  air_qube_set_started (self, other->started);
  g_object_thaw_notify (G_OBJECT (self));
}
