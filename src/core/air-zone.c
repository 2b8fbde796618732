/* air-zone.c
 *
 * A zone as the management side knows it: its name, gateway and driver,
 * its health and what its info said. Its calls are in air-zone-calls.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone"

#include "config.h"

#include <string.h>

#include "air-enums.h"
#include "air-names.h"
#include "air-utils.h"
#include "air-zone.h"

struct _AirZone
{
  GObject       parent_instance;

  /* Owned references */
  AirTransport *transport;
  char         *name;
  char         *gateway;
  char         *driver;
  char         *health_reason;
  char        **templates;
  char         *link;
  char         *endpoint;
  char         *host_key;

  AirHealth     health;
  AirIsolation  isolation;
  char         *acceleration;
  char         *disk_encryption;
  gint64        handshake;
  guint         round_trip_ms;
};

G_DEFINE_FINAL_TYPE (AirZone, air_zone, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_GATEWAY,
  PROP_DRIVER,
  PROP_HEALTH,
  PROP_HEALTH_REASON,
  PROP_ISOLATION,
  PROP_TEMPLATES,
  PROP_LINK,
  PROP_ENDPOINT,
  PROP_HOST_KEY,
  PROP_HANDSHAKE,
  PROP_ROUND_TRIP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
air_zone_finalize (GObject *object)
{
  AirZone *self = (AirZone *)object;

  g_clear_object (&self->transport);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->gateway, g_free);
  g_clear_pointer (&self->driver, g_free);
  g_clear_pointer (&self->acceleration, g_free);
  g_clear_pointer (&self->disk_encryption, g_free);
  g_clear_pointer (&self->health_reason, g_free);
  g_clear_pointer (&self->templates, g_strfreev);
  g_clear_pointer (&self->link, g_free);
  g_clear_pointer (&self->endpoint, g_free);
  g_clear_pointer (&self->host_key, g_free);

  G_OBJECT_CLASS (air_zone_parent_class)->finalize (object);
}

static void
air_zone_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  AirZone *self = AIR_ZONE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_GATEWAY:
      g_value_set_string (value, self->gateway);
      break;
    case PROP_DRIVER:
      g_value_set_string (value, self->driver);
      break;
    case PROP_HEALTH:
      g_value_set_enum (value, self->health);
      break;
    case PROP_HEALTH_REASON:
      g_value_set_string (value, self->health_reason);
      break;
    case PROP_ISOLATION:
      g_value_set_enum (value, self->isolation);
      break;
    case PROP_TEMPLATES:
      g_value_set_boxed (value, self->templates);
      break;
    case PROP_LINK:
      g_value_set_string (value, air_zone_get_link (self));
      break;
    case PROP_ENDPOINT:
      g_value_set_string (value, self->endpoint);
      break;
    case PROP_HOST_KEY:
      g_value_set_string (value, self->host_key);
      break;
    case PROP_HANDSHAKE:
      g_value_set_int64 (value, self->handshake);
      break;
    case PROP_ROUND_TRIP:
      g_value_set_uint (value, self->round_trip_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_zone_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  AirZone *self = AIR_ZONE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_GATEWAY:
      air_zone_set_gateway (self, g_value_get_string (value));
      break;
    case PROP_DRIVER:
      air_zone_set_driver (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_zone_class_init (AirZoneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = air_zone_finalize;
  object_class->get_property = air_zone_get_property;
  object_class->set_property = air_zone_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GATEWAY] =
    g_param_spec_string ("gateway", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DRIVER] =
    g_param_spec_string ("driver", NULL, NULL, "local",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEALTH] =
    g_param_spec_enum ("health", NULL, NULL, AIR_TYPE_HEALTH, AIR_HEALTH_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEALTH_REASON] =
    g_param_spec_string ("health-reason", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ISOLATION] =
    g_param_spec_enum ("isolation", NULL, NULL, AIR_TYPE_ISOLATION, AIR_ISOLATION_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEMPLATES] =
    g_param_spec_boxed ("templates", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* How the gateway reaches the zone host: "qrexec", "ssh", "wireguard-ssh". */
  properties[PROP_LINK] =
    g_param_spec_string ("link", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENDPOINT] =
    g_param_spec_string ("endpoint", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST_KEY] =
    g_param_spec_string ("host-key", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HANDSHAKE] =
    g_param_spec_int64 ("handshake", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Milliseconds the last completed call to the gateway took; 0: none yet. */
  properties[PROP_ROUND_TRIP] =
    g_param_spec_uint ("round-trip", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
air_zone_init (AirZone *self)
{
  self->driver = g_strdup ("local");
  self->health_reason = g_strdup ("");
  self->templates = g_new0 (char *, 1);
  self->link = g_strdup ("");
  self->endpoint = g_strdup ("");
  self->host_key = g_strdup ("");
}

/* The convention of the architecture: zone Z is served by sys-remote-Z. */
char *
air_zone_dup_gateway_for (const char *zone_name)
{
  return g_strdup_printf ("sys-remote-%s", zone_name);
}

AirZone *
air_zone_new (const char *name,
              const char *gateway,
              const char *driver)
{
  g_autofree char *default_gateway = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  if (gateway == NULL)
    gateway = default_gateway = air_zone_dup_gateway_for (name);

  return g_object_new (AIR_TYPE_ZONE,
                       "name", name,
                       "gateway", gateway,
                       "driver", driver ? driver : "local",
                       NULL);
}

const char *
air_zone_get_name (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), NULL);
  return self->name;
}

const char *
air_zone_get_gateway (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), NULL);
  return self->gateway;
}

void
air_zone_set_gateway (AirZone    *self,
                      const char *gateway)
{
  g_return_if_fail (AIR_IS_ZONE (self));

  if (air_set_str (&self->gateway, gateway))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GATEWAY]);
}

const char *
air_zone_get_driver (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), NULL);
  return self->driver;
}

void
air_zone_set_driver (AirZone    *self,
                     const char *driver)
{
  g_return_if_fail (AIR_IS_ZONE (self));

  if (air_set_str (&self->driver, driver))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRIVER]);
}

AirHealth
air_zone_get_health (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), AIR_HEALTH_UNKNOWN);
  return self->health;
}

const char *
air_zone_get_health_reason (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), NULL);
  return self->health_reason;
}

/* @reason may come from the zone: it is sanitised here once for every view. */
void
air_zone_set_health (AirZone    *self,
                     AirHealth   health,
                     const char *reason)
{
  g_autofree char *clean = NULL;

  g_return_if_fail (AIR_IS_ZONE (self));

  clean = air_text_sanitize (reason, -1, AIR_PROTOCOL_MAX_REASON);

  if (self->health != health)
    {
      self->health = health;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH]);
    }

  if (air_set_str (&self->health_reason, clean))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH_REASON]);
}

/* For VM zones, "kvm" or "tcg" (no hardware acceleration); else "". */
const char *
air_zone_get_acceleration (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), "");
  return self->acceleration ? self->acceleration : "";
}

/* "luks" when the zone encrypts its qubes' private volumes (each with a
 * key of its own kept in the vault), "none" when it does not, "" when the
 * zone has not said (an older agent, or not asked yet). Notified with
 * "isolation". */
const char *
air_zone_get_disk_encryption (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), "");
  return self->disk_encryption ? self->disk_encryption : "";
}

AirIsolation
air_zone_get_isolation (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), AIR_ISOLATION_UNKNOWN);
  return self->isolation;
}

/* The gateway's word when it gave one; else what the driver implies: a
 * local zone is reached over qrexec alone, an ssh zone over SSH (perhaps in
 * WireGuard, which only the gateway can say); "" when not known. */
const char *
air_zone_get_link (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), NULL);

  if (self->link[0] == '\0' && g_strcmp0 (self->driver, "local") == 0)
    return "qrexec";
  if (self->link[0] == '\0' && g_strcmp0 (self->driver, "ssh") == 0)
    return "ssh";
  return self->link;
}

const char *
air_zone_get_endpoint (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), NULL);
  return self->endpoint;
}

const char *
air_zone_get_host_key (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), NULL);
  return self->host_key;
}

gint64
air_zone_get_handshake (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), 0);
  return self->handshake;
}

guint
air_zone_get_round_trip (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), 0);
  return self->round_trip_ms;
}

void
air_zone_set_round_trip (AirZone *self,
                         guint    milliseconds)
{
  g_return_if_fail (AIR_IS_ZONE (self));

  if (self->round_trip_ms == milliseconds)
    return;
  self->round_trip_ms = milliseconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROUND_TRIP]);
}

const char * const *
air_zone_get_templates (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), NULL);
  return (const char * const *) self->templates;
}

void
air_zone_apply_info (AirZone           *self,
                     const AirZoneInfo *info)
{
  g_return_if_fail (AIR_IS_ZONE (self));
  g_return_if_fail (info != NULL);

  g_object_freeze_notify (G_OBJECT (self));

  if (self->isolation != info->isolation ||
      g_strcmp0 (self->acceleration, info->acceleration ? info->acceleration : "") != 0 ||
      g_strcmp0 (air_zone_get_disk_encryption (self), info->disk_encryption ? info->disk_encryption : "") != 0)
    {
      self->isolation = info->isolation;
      g_free (self->acceleration);
      self->acceleration = g_strdup (info->acceleration ? info->acceleration : "");
      g_free (self->disk_encryption);
      self->disk_encryption = g_strdup (info->disk_encryption ? info->disk_encryption : "");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ISOLATION]);
    }

  if (!g_strv_equal ((const char * const *) self->templates, (const char * const *) info->templates))
    {
      g_strfreev (self->templates);
      self->templates = g_strdupv (info->templates);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEMPLATES]);
    }

  if (info->link != NULL && air_set_str (&self->link, info->link))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINK]);
  if (info->endpoint != NULL && air_set_str (&self->endpoint, info->endpoint))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDPOINT]);
  if (info->host_key != NULL && air_set_str (&self->host_key, info->host_key))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_KEY]);
  if (self->handshake != info->handshake)
    {
      self->handshake = info->handshake;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HANDSHAKE]);
    }

  air_zone_set_health (self, info->health, info->health_reason);

  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * air_zone_get_transport:
 *
 * Returns: (transfer none): the zone's transport, the default one unless set.
 */
AirTransport *
air_zone_get_transport (AirZone *self)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), NULL);

  return self->transport ? self->transport : air_transport_get_default ();
}

void
air_zone_set_transport (AirZone      *self,
                        AirTransport *transport)
{
  g_return_if_fail (AIR_IS_ZONE (self));

  g_set_object (&self->transport, transport);
}

GSubprocess *
air_zone_spawn (AirZone           *self,
                const char        *verb,
                const char        *arg,
                GSubprocessFlags   flags,
                GError           **error)
{
  g_return_val_if_fail (AIR_IS_ZONE (self), NULL);

  return air_transport_spawn (air_zone_get_transport (self), self->gateway, verb, arg, flags, error);
}
