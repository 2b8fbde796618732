/* air-zone.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-enums.h"
#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-utils.h"
#include "air-zone.h"

#define MAX_SMALL_ANSWER (256 * 1024)

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

static const char * const action_verbs[] = {
  "qubesair.Start", "qubesair.Shutdown", "qubesair.Kill", "qubesair.Remove",
};

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

/* Every small call goes the same way: one bounded transport call, then the
 * answer decoded by @decode in the callback, or in a worker thread for a
 * decoder that touches nothing but the answer (a zone's list is most of
 * the app's work while zones arrive; its main loop is kept for drawing). */

typedef gpointer (*Decode) (AirZone *self, GBytes *answer, GDestroyNotify *free_func, GError **error);

typedef struct {
  Decode    decode;
  gboolean  in_thread;
  GBytes   *answer;
} ZoneCall;

static void
zone_call_free (ZoneCall *call)
{
  g_clear_pointer (&call->answer, g_bytes_unref);
  g_free (call);
}

static void
decode_answer (GTask *task)
{
  AirZone *self = g_task_get_source_object (task);
  ZoneCall *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GDestroyNotify free_func = NULL;
  gpointer value;

  value = call->decode (self, call->answer, &free_func, &error);
  if (error != NULL)
    {
      g_prefix_error (&error, _("Zone “%s” sent a bad answer: "), self->name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, value, free_func);
}

static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  decode_answer (task);
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AirZone *self = g_task_get_source_object (task);
  ZoneCall *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  call->answer = air_transport_call_finish (AIR_TRANSPORT (object), result, &error);
  if (call->answer == NULL)
    {
      g_prefix_error (&error, _("Zone “%s”: "), self->name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (call->in_thread)
    g_task_run_in_thread (task, decode_thread);
  else
    decode_answer (task);
}

static GTask *
zone_call_task_new (AirZone             *self,
                    gpointer             source_tag,
                    Decode               decode,
                    gboolean             in_thread,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ZoneCall *call = g_new0 (ZoneCall, 1);

  call->decode = decode;
  call->in_thread = in_thread;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, call, (GDestroyNotify) zone_call_free);
  return task;
}

static void
zone_call (AirZone             *self,
           gpointer             source_tag,
           const char          *verb,
           const char          *arg,
           GBytes              *input,
           gsize                max_output,
           Decode               decode,
           gboolean             in_thread,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = zone_call_task_new (self, source_tag, decode, in_thread, cancellable, callback, user_data);

  air_transport_call_async (air_zone_get_transport (self), self->gateway, verb, arg,
                            input, max_output, cancellable, call_cb, task);
}

static gpointer
decode_info (AirZone  *self,
             GBytes   *answer,
             GDestroyNotify *free_func,
             GError  **error)
{
  g_autoptr(AirZoneInfo) info = NULL;
  gsize len;
  const char *data = g_bytes_get_data (answer, &len);

  info = air_zone_info_parse (data, len, error);
  if (info == NULL)
    return NULL;

  air_zone_apply_info (self, info);
  return self;
}

void
air_zone_refresh_info_async (AirZone             *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (AIR_IS_ZONE (self));

  zone_call (self, air_zone_refresh_info_async, "qubesair.ZoneInfo", NULL, NULL,
             MAX_SMALL_ANSWER, decode_info, FALSE, cancellable, callback, user_data);
}

gboolean
air_zone_refresh_info_finish (AirZone       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

static gpointer
decode_list (AirZone  *self,
             GBytes   *answer,
             GDestroyNotify *free_func,
             GError  **error)
{
  gsize len;
  const char *data = g_bytes_get_data (answer, &len);

  *free_func = (GDestroyNotify) g_ptr_array_unref;
  return air_protocol_parse_list (data, len, self->name, error);
}

void
air_zone_list_qubes_async (AirZone             *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (AIR_IS_ZONE (self));

  zone_call (self, air_zone_list_qubes_async, "qubesair.List", NULL, NULL,
             AIR_JSON_MAX_MESSAGE, decode_list, TRUE, cancellable, callback, user_data);
}

/* A List answer met elsewhere (the first line of the zone's event
 * stream), decoded in a worker thread as the call's own answer is. */
void
air_zone_decode_list_async (AirZone             *self,
                            GBytes              *answer,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ZoneCall *call;

  g_return_if_fail (AIR_IS_ZONE (self));
  g_return_if_fail (answer != NULL);

  task = zone_call_task_new (self, air_zone_decode_list_async, decode_list, TRUE, cancellable, callback, user_data);
  call = g_task_get_task_data (task);
  call->answer = g_bytes_ref (answer);
  g_task_run_in_thread (task, decode_thread);
}

/**
 * air_zone_list_qubes_finish:
 *
 * Finishes air_zone_list_qubes_async() and air_zone_decode_list_async().
 *
 * Returns: (transfer full) (element-type AirQube): the zone's qubes
 */
GPtrArray *
air_zone_list_qubes_finish (AirZone       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
decode_qube (AirZone  *self,
             GBytes   *answer,
             GDestroyNotify *free_func,
             GError  **error)
{
  gsize len;
  const char *data = g_bytes_get_data (answer, &len);

  *free_func = g_object_unref;
  return air_protocol_parse_qube (data, len, self->name, error);
}

/* A call on one qube with a JSON object as its input (taken) and the
 * qube as the zone then has it as its answer. */
static void
qube_call_with_input (AirZone             *self,
                      gpointer             source_tag,
                      const char          *verb,
                      const char          *name,
                      const char          *template_name,
                      char                *json,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GBytes) input = g_bytes_new_take (json, strlen (json));
  GError *error = NULL;

  if (!air_name_validate (name, "qube", &error) ||
      (template_name != NULL && !air_name_validate (template_name, "template", &error)))
    {
      g_task_report_error (self, callback, user_data, source_tag, error);
      return;
    }
  zone_call (self, source_tag, verb, name, input,
             MAX_SMALL_ANSWER, decode_qube, FALSE, cancellable, callback, user_data);
}

void
air_zone_create_qube_async (AirZone             *self,
                            const char          *name,
                            const AirQubeSpec   *spec,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (AIR_IS_ZONE (self));
  g_return_if_fail (spec != NULL);

  qube_call_with_input (self, air_zone_create_qube_async, "qubesair.Create", name, spec->template_name,
                        air_qube_spec_to_json (spec), cancellable, callback, user_data);
}

AirQube *
air_zone_create_qube_finish (AirZone       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
air_zone_set_prefs_async (AirZone             *self,
                          const char          *name,
                          const AirQubePrefs  *prefs,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (AIR_IS_ZONE (self));
  g_return_if_fail (prefs != NULL);

  qube_call_with_input (self, air_zone_set_prefs_async, "qubesair.SetPrefs", name, NULL,
                        air_qube_prefs_to_json (prefs), cancellable, callback, user_data);
}

AirQube *
air_zone_set_prefs_finish (AirZone       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return air_zone_create_qube_finish (self, result, error);
}

static gpointer
decode_nothing (AirZone  *self,
                GBytes   *answer,
                GDestroyNotify *free_func,
                GError  **error)
{
  return self;
}

void
air_zone_qube_action_async (AirZone             *self,
                            AirZoneAction        action,
                            const char          *name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GError *error = NULL;

  g_return_if_fail (AIR_IS_ZONE (self));
  g_return_if_fail (action < G_N_ELEMENTS (action_verbs));

  if (!air_name_validate (name, "qube", &error))
    {
      g_task_report_error (self, callback, user_data, air_zone_qube_action_async, error);
      return;
    }

  zone_call (self, air_zone_qube_action_async, action_verbs[action], name, NULL,
             MAX_SMALL_ANSWER, decode_nothing, FALSE, cancellable, callback, user_data);
}

gboolean
air_zone_qube_action_finish (AirZone       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

static gpointer
decode_templates (AirZone         *self,
                  GBytes          *answer,
                  GDestroyNotify  *free_func,
                  GError         **error)
{
  gsize len;
  const char *data = g_bytes_get_data (answer, &len);

  *free_func = (GDestroyNotify) g_ptr_array_unref;
  return air_template_list_parse (data, len, error);
}

void
air_zone_list_templates_async (AirZone             *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (AIR_IS_ZONE (self));

  /* Up to AIR_TEMPLATE_MAX_LIST templates, each with its packages. */
  zone_call (self, air_zone_list_templates_async, "qubesair.TemplateList", NULL, NULL,
             AIR_JSON_MAX_MESSAGE, decode_templates, TRUE, cancellable, callback, user_data);
}

GPtrArray *
air_zone_list_templates_finish (AirZone       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
decode_template (AirZone         *self,
                 GBytes          *answer,
                 GDestroyNotify  *free_func,
                 GError         **error)
{
  gsize len;
  const char *data = g_bytes_get_data (answer, &len);

  *free_func = (GDestroyNotify) air_template_free;
  return air_template_parse (data, len, error);
}

void
air_zone_template_action_async (AirZone             *self,
                                const char          *service,
                                const char          *name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GError *error = NULL;

  g_return_if_fail (AIR_IS_ZONE (self));

  if (!air_name_validate (name, "template", &error))
    {
      g_task_report_error (self, callback, user_data, air_zone_template_action_async, error);
      return;
    }
  zone_call (self, air_zone_template_action_async, service, name, NULL, MAX_SMALL_ANSWER,
             strcmp (service, "qubesair.TemplateRollback") == 0 ? decode_template : decode_nothing,
             FALSE, cancellable, callback, user_data);
}

gboolean
air_zone_template_action_finish (AirZone       *self,
                                 GAsyncResult  *result,
                                 AirTemplate  **template,
                                 GError       **error)
{
  gpointer answer;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  answer = g_task_propagate_pointer (G_TASK (result), error);
  if (answer == NULL)
    return FALSE;
  /* decode_nothing's answer is the zone itself. */
  if (answer == (gpointer) self)
    answer = NULL;
  if (template != NULL)
    *template = answer;
  else
    air_template_free (answer);
  return TRUE;
}
