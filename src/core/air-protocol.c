/* air-protocol.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-protocol"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-utils.h"

#define MAX_IP_CHARS 45
#define MAX_USER_CHARS 32
#define MAX_ARG_CHARS 4096
#define MAX_STARTED (G_GINT64_CONSTANT (1) << 40)

static gboolean
prefix_error (GError     **error,
              const char  *what)
{
  g_prefix_error (error, "%s: ", what);
  return FALSE;
}

/* Read what is there for the syntax error it may hold, else say what is wrong. */
static gpointer
not_an_object (AirJsonCursor  *cursor,
               GError        **error)
{
  AirJsonValue value;

  if (air_json_cursor_read (cursor, &value, error))
    g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("Message is not a JSON object"));
  return NULL;
}

static gboolean
name_from_value (const AirJsonValue  *value,
                 const char          *member,
                 const char          *what,
                 const char         **out,
                 GError             **error)
{
  return air_json_value_require_string (value, member, AIR_NAME_MAX, out, error) &&
         air_name_validate (*out, what, error);
}

static gboolean
get_name (JsonObject  *object,
          const char  *member,
          const char  *what,
          const char **out,
          GError     **error)
{
  AirJsonValue value;

  air_json_value_from_node (&value, json_object_get_member (object, member));
  return name_from_value (&value, member, what, out, error);
}

static gboolean
enum_from_value (const AirJsonValue  *value,
                 const char          *member,
                 gboolean           (*from_string) (const char *, int *),
                 int                  fallback,
                 int                 *out,
                 GError             **error)
{
  const char *text;

  if (!air_json_value_get_string (value, member, 32, NULL, &text, error))
    return FALSE;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }

  if (!from_string (text, out))
    {
      g_autofree char *shown = air_text_sanitize (text, -1, 32);

      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Field “%s” has an unknown value “%s”"), member, shown);
      return FALSE;
    }

  return TRUE;
}

static gboolean
get_enum (JsonObject  *object,
          const char  *member,
          gboolean   (*from_string) (const char *, int *),
          int          fallback,
          int         *out,
          GError     **error)
{
  AirJsonValue value;

  air_json_value_from_node (&value, json_object_get_member (object, member));
  return enum_from_value (&value, member, from_string, fallback, out, error);
}

#define ENUM_FROM_VALUE(value, member, fn, fallback, out, error) \
  enum_from_value (value, member, (gboolean (*) (const char *, int *)) fn, fallback, (int *) (out), error)
#define GET_ENUM(obj, member, fn, fallback, out, error) \
  get_enum (obj, member, (gboolean (*) (const char *, int *)) fn, fallback, (int *) (out), error)

static gboolean
valid_ip (const char *ip)
{
  for (const char *p = ip; *p; p++)
    if (!g_ascii_isxdigit (*p) && *p != '.' && *p != ':')
      return FALSE;
  return TRUE;
}

/* The members of a qube record, however they were read. */
typedef enum {
  FIELD_NAME,
  FIELD_STATE,
  FIELD_CLASS,
  FIELD_LABEL,
  FIELD_TEMPLATE,
  FIELD_IP,
  FIELD_MEMORY,
  FIELD_VCPUS,
  FIELD_STARTED,
  FIELD_NETWORK,
  N_FIELDS
} QubeField;

static const char * const field_names[N_FIELDS] = {
  "name", "state", "class", "label", "template", "ip", "memory", "vcpus", "started", "network",
};

static AirQube *
qube_from_values (const AirJsonValue  *values,
                  const char          *zone,
                  GError             **error)
{
  const char *name, *template_name, *ip;
  AirQubeState state;
  AirQubeKind kind;
  AirLabel label;
  gint64 memory, vcpus, started;
  gboolean network;
  AirQube *qube;

  if (!name_from_value (&values[FIELD_NAME], "name", "qube", &name, error))
    return NULL;

  if (!ENUM_FROM_VALUE (&values[FIELD_STATE], "state", air_qube_state_from_string, AIR_QUBE_STATE_UNKNOWN, &state, error) ||
      !ENUM_FROM_VALUE (&values[FIELD_CLASS], "class", air_qube_kind_from_string, AIR_QUBE_KIND_APP_VM, &kind, error) ||
      !ENUM_FROM_VALUE (&values[FIELD_LABEL], "label", air_label_from_string, AIR_LABEL_RED, &label, error) ||
      !air_json_value_get_string (&values[FIELD_TEMPLATE], "template", AIR_NAME_MAX, "", &template_name, error) ||
      !air_json_value_get_string (&values[FIELD_IP], "ip", MAX_IP_CHARS, "", &ip, error) ||
      !air_json_value_get_int (&values[FIELD_MEMORY], "memory", 0, AIR_PROTOCOL_MAX_MEMORY, 0, &memory, error) ||
      !air_json_value_get_int (&values[FIELD_VCPUS], "vcpus", 0, AIR_PROTOCOL_MAX_VCPUS, 0, &vcpus, error) ||
      !air_json_value_get_int (&values[FIELD_STARTED], "started", 0, MAX_STARTED, 0, &started, error) ||
      !air_json_value_get_bool (&values[FIELD_NETWORK], "network", FALSE, &network, error))
    {
      g_autofree char *what = g_strdup_printf (_("qube “%s”"), name);
      return (prefix_error (error, what), NULL);
    }

  if (template_name[0] != '\0' && !air_name_validate (template_name, "template", error))
    return NULL;

  if (!valid_ip (ip))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("qube “%s”: field “ip” is not an IP address"), name);
      return NULL;
    }

  qube = air_qube_new_full (zone, name, state, kind, label, template_name, ip,
                            (guint) memory, (guint) vcpus, started);
  air_qube_set_network (qube, network);
  return qube;
}

AirQube *
air_protocol_qube_from_object (JsonObject  *object,
                               const char  *zone,
                               GError     **error)
{
  AirJsonValue values[N_FIELDS];

  for (guint i = 0; i < N_FIELDS; i++)
    air_json_value_from_node (&values[i], json_object_get_member (object, field_names[i]));
  return qube_from_values (values, zone, error);
}

static AirQube *
qube_from_cursor (AirJsonCursor  *cursor,
                  const char     *zone,
                  GError        **error)
{
  AirJsonValue values[N_FIELDS] = { { AIR_JSON_NULL, }, };
  const char *member;

  if (!air_json_cursor_enter (cursor, error))
    return NULL;

  while (air_json_cursor_next_member (cursor, &member, error))
    {
      AirJsonValue unknown;
      guint i;

      for (i = 0; i < N_FIELDS; i++)
        if (strcmp (member, field_names[i]) == 0)
          break;

      if (!air_json_cursor_read (cursor, i < N_FIELDS ? &values[i] : &unknown, error))
        return NULL;
    }
  if (air_json_cursor_failed (cursor))
    return NULL;

  return qube_from_values (values, zone, error);
}

/* printf would be a tenth of writing a large List. */
static void
append_number (GString *out,
               guint64  value)
{
  char digits[24];
  guint at = sizeof digits;

  do
    digits[--at] = '0' + value % 10;
  while ((value /= 10) != 0);
  g_string_append_len (out, digits + at, sizeof digits - at);
}

/* Written directly rather than through a JsonBuilder: List of a large zone
 * spends most of its time here (see bench/agent). */
void
air_protocol_append_qube (GString *out,
                          AirQube *qube)
{
  g_string_append (out, "{\"name\":");
  air_json_append_string (out, air_qube_get_name (qube));
  g_string_append (out, ",\"class\":");
  air_json_append_string (out, air_qube_kind_to_string (air_qube_get_kind (qube)));
  g_string_append (out, ",\"state\":");
  air_json_append_string (out, air_qube_state_to_string (air_qube_get_state (qube)));
  g_string_append (out, ",\"template\":");
  air_json_append_string (out, air_qube_get_template (qube));
  g_string_append (out, ",\"label\":");
  air_json_append_string (out, air_label_to_string (air_qube_get_label (qube)));
  g_string_append (out, ",\"memory\":");
  append_number (out, air_qube_get_memory (qube));
  g_string_append (out, ",\"vcpus\":");
  append_number (out, air_qube_get_vcpus (qube));
  if (air_qube_get_network (qube))
    g_string_append (out, ",\"network\":true");
  g_string_append (out, ",\"ip\":");
  air_json_append_string (out, air_qube_get_ip (qube));
  g_string_append (out, ",\"started\":");
  append_number (out, MAX (air_qube_get_started (qube), 0));
  g_string_append_c (out, '}');
}

AirQube *
air_protocol_parse_qube (const char  *data,
                         gsize        len,
                         const char  *zone,
                         GError     **error)
{
  g_autoptr(AirJsonCursor) cursor = air_json_cursor_new (data, len, AIR_JSON_MAX_LINE, error);
  g_autoptr(AirQube) qube = NULL;

  if (cursor == NULL)
    return NULL;

  if (air_json_cursor_peek (cursor) != AIR_JSON_OBJECT)
    return not_an_object (cursor, error);

  qube = qube_from_cursor (cursor, zone, error);
  if (qube == NULL || !air_json_cursor_finish (cursor, error))
    return NULL;
  return g_steal_pointer (&qube);
}

char *
air_protocol_qube_to_json (AirQube *qube)
{
  GString *out = g_string_sized_new (192);

  air_protocol_append_qube (out, qube);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

/* A zone's List can hold a hundred thousand qubes: it is read with a
 * cursor, straight into AirQube, without a tree (bench/agent). */
GPtrArray *
air_protocol_parse_list (const char  *data,
                         gsize        len,
                         const char  *zone,
                         GError     **error)
{
  g_autoptr(AirJsonCursor) cursor = air_json_cursor_new (data, len, AIR_JSON_MAX_MESSAGE, error);
  g_autoptr(GPtrArray) qubes = NULL;
  g_autoptr(GHashTable) seen = NULL;
  const char *member;

  if (cursor == NULL)
    return NULL;

  if (air_json_cursor_peek (cursor) != AIR_JSON_OBJECT)
    return not_an_object (cursor, error);
  if (!air_json_cursor_enter (cursor, error))
    return NULL;

  while (air_json_cursor_next_member (cursor, &member, error))
    {
      AirJsonValue value;

      if (strcmp (member, "qubes") != 0 || air_json_cursor_peek (cursor) != AIR_JSON_ARRAY)
        {
          if (!air_json_cursor_read (cursor, &value, error))
            return NULL;
          if (strcmp (member, "qubes") == 0 && value.type != AIR_JSON_NULL)
            {
              g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("Field “qubes” must be a list"));
              return NULL;
            }
          continue;
        }

      if (!air_json_cursor_enter (cursor, error))
        return NULL;
      qubes = g_ptr_array_new_with_free_func (g_object_unref);
      seen = g_hash_table_new (g_str_hash, g_str_equal);

      while (air_json_cursor_next_element (cursor, error))
        {
          AirQube *qube;

          if (qubes->len == AIR_PROTOCOL_MAX_QUBES)
            {
              g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Field “%s” has more than %u entries"), "qubes", AIR_PROTOCOL_MAX_QUBES);
              return NULL;
            }

          if (air_json_cursor_peek (cursor) != AIR_JSON_OBJECT)
            {
              if (air_json_cursor_read (cursor, &value, error))
                g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                                     _("Entries of “qubes” must be objects"));
              return NULL;
            }

          qube = qube_from_cursor (cursor, zone, error);
          if (qube == NULL)
            return NULL;
          g_ptr_array_add (qubes, qube);

          if (!g_hash_table_add (seen, (gpointer) air_qube_get_name (qube)))
            {
              g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Qube “%s” is listed twice"), air_qube_get_name (qube));
              return NULL;
            }
        }
    }
  if (air_json_cursor_failed (cursor) || !air_json_cursor_finish (cursor, error))
    return NULL;

  if (qubes == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("Field “qubes” is missing"));
      return NULL;
    }

  return g_steal_pointer (&qubes);
}

char *
air_protocol_list_to_json (const char *zone,
                           GPtrArray  *qubes)
{
  GString *out = g_string_sized_new (64 + 192 * qubes->len);

  g_string_append_printf (out, "{\"version\":%d,\"zone\":", AIR_PROTOCOL_VERSION);
  air_json_append_string (out, zone);
  g_string_append (out, ",\"qubes\":[");
  for (guint i = 0; i < qubes->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      air_protocol_append_qube (out, g_ptr_array_index (qubes, i));
    }
  g_string_append (out, "]}\n");
  return g_string_free (out, FALSE);
}

/* Spec */

AirQubeSpec *
air_qube_spec_new (void)
{
  AirQubeSpec *spec = g_new0 (AirQubeSpec, 1);

  spec->template_name = g_strdup ("host");
  spec->kind = AIR_QUBE_KIND_APP_VM;
  spec->label = AIR_LABEL_RED;
  spec->memory = 400;
  spec->vcpus = 2;
  return spec;
}

void
air_qube_spec_free (AirQubeSpec *spec)
{
  if (spec == NULL)
    return;
  g_free (spec->template_name);
  g_free (spec);
}

AirQubeSpec *
air_qube_spec_parse (const char  *data,
                     gsize        len,
                     GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (data, len, AIR_JSON_MAX_LINE, error);
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  const char *template_name;
  gint64 memory, vcpus;

  if (object == NULL)
    return NULL;

  if (!air_json_get_opt_string (object, "template", AIR_NAME_MAX, spec->template_name, &template_name, error) ||
      !GET_ENUM (object, "class", air_qube_kind_from_string, spec->kind, &spec->kind, error) ||
      !GET_ENUM (object, "label", air_label_from_string, spec->label, &spec->label, error) ||
      !air_json_get_opt_int (object, "memory", 1, AIR_PROTOCOL_MAX_MEMORY, spec->memory, &memory, error) ||
      !air_json_get_opt_int (object, "vcpus", 1, AIR_PROTOCOL_MAX_VCPUS, spec->vcpus, &vcpus, error) ||
      !air_json_get_opt_bool (object, "network", spec->network, &spec->network, error))
    return NULL;

  if (!air_name_validate (template_name, "template", error))
    return NULL;

  air_set_str (&spec->template_name, template_name);
  spec->memory = (guint) memory;
  spec->vcpus = (guint) vcpus;

  return g_steal_pointer (&spec);
}

char *
air_qube_spec_to_json (const AirQubeSpec *spec)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "template");
  json_builder_add_string_value (builder, spec->template_name);
  json_builder_set_member_name (builder, "class");
  json_builder_add_string_value (builder, air_qube_kind_to_string (spec->kind));
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, air_label_to_string (spec->label));
  json_builder_set_member_name (builder, "memory");
  json_builder_add_int_value (builder, spec->memory);
  json_builder_set_member_name (builder, "vcpus");
  json_builder_add_int_value (builder, spec->vcpus);
  json_builder_set_member_name (builder, "network");
  json_builder_add_boolean_value (builder, spec->network);
  json_builder_end_object (builder);

  return air_json_builder_to_line (builder);
}

gboolean
air_qube_prefs_parse (const char    *data,
                      gsize          len,
                      AirQubePrefs  *prefs,
                      GError       **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (data, len, AIR_JSON_MAX_LINE, error);
  gint64 memory, vcpus;

  memset (prefs, 0, sizeof *prefs);
  if (object == NULL)
    return FALSE;

  prefs->has_label = json_object_has_member (object, "label");
  if (!GET_ENUM (object, "label", air_label_from_string, AIR_LABEL_RED, &prefs->label, error) ||
      !air_json_get_opt_int (object, "memory", 1, AIR_PROTOCOL_MAX_MEMORY, 0, &memory, error) ||
      !air_json_get_opt_int (object, "vcpus", 1, AIR_PROTOCOL_MAX_VCPUS, 0, &vcpus, error))
    return FALSE;
  prefs->memory = (guint) memory;
  prefs->vcpus = (guint) vcpus;

  if (!prefs->has_label && prefs->memory == 0 && prefs->vcpus == 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("Nothing to change: give a label, memory or vCPUs"));
      return FALSE;
    }
  return TRUE;
}

char *
air_qube_prefs_to_json (const AirQubePrefs *prefs)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  if (prefs->has_label)
    {
      json_builder_set_member_name (builder, "label");
      json_builder_add_string_value (builder, air_label_to_string (prefs->label));
    }
  if (prefs->memory > 0)
    {
      json_builder_set_member_name (builder, "memory");
      json_builder_add_int_value (builder, prefs->memory);
    }
  if (prefs->vcpus > 0)
    {
      json_builder_set_member_name (builder, "vcpus");
      json_builder_add_int_value (builder, prefs->vcpus);
    }
  json_builder_end_object (builder);

  return air_json_builder_to_line (builder);
}

/* Events */

void
air_event_free (AirEvent *event)
{
  if (event == NULL)
    return;
  g_clear_object (&event->qube);
  g_free (event->name);
  g_free (event->reason);
  g_free (event);
}

static const char * const event_names[] = {
  "qube-added", "qube-changed", "qube-removed", "zone-health",
};

AirEvent *
air_event_parse (const char  *line,
                 gsize        len,
                 const char  *zone,
                 GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (line, len, AIR_JSON_MAX_LINE, error);
  g_autoptr(AirEvent) event = g_new0 (AirEvent, 1);
  const char *kind, *text;
  JsonNode *qube_node;
  guint i;

  if (object == NULL)
    return NULL;

  if (!air_json_get_string (object, "event", 32, &kind, error))
    return NULL;

  for (i = 0; i < G_N_ELEMENTS (event_names); i++)
    if (strcmp (kind, event_names[i]) == 0)
      break;

  if (i == G_N_ELEMENTS (event_names))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND, _("Unknown event"));
      return NULL;
    }
  event->kind = i;

  switch (event->kind)
    {
    case AIR_EVENT_QUBE_ADDED:
    case AIR_EVENT_QUBE_CHANGED:
      qube_node = json_object_get_member (object, "qube");
      if (qube_node == NULL || !JSON_NODE_HOLDS_OBJECT (qube_node))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("Field “qube” must be an object"));
          return NULL;
        }
      event->qube = air_protocol_qube_from_object (json_node_get_object (qube_node), zone, error);
      if (event->qube == NULL)
        return NULL;
      break;

    case AIR_EVENT_QUBE_REMOVED:
      if (!get_name (object, "name", "qube", &text, error))
        return NULL;
      event->name = g_strdup (text);
      break;

    case AIR_EVENT_ZONE_HEALTH:
      if (!GET_ENUM (object, "health", air_health_from_string, AIR_HEALTH_UNKNOWN, &event->health, error) ||
          !air_json_get_opt_string (object, "reason", AIR_PROTOCOL_MAX_REASON, "", &text, error))
        return NULL;
      event->reason = air_text_sanitize (text, -1, AIR_PROTOCOL_MAX_REASON);
      break;

    default:
      g_assert_not_reached ();
    }

  return g_steal_pointer (&event);
}

/* A health reason as the reader takes it: what a gateway adds to a host's
 * words (the link's state) could make it longer than the reader's limit,
 * and the whole event or ZoneInfo would then be refused. */
static char *
reason_to_send (const char *reason)
{
  return air_text_sanitize (reason, -1, AIR_PROTOCOL_MAX_REASON - 1);   /* room for “…” */
}

char *
air_event_to_line (const AirEvent *event)
{
  GString *out = g_string_new ("{\"event\":");

  air_json_append_string (out, event_names[event->kind]);
  switch (event->kind)
    {
    case AIR_EVENT_QUBE_ADDED:
    case AIR_EVENT_QUBE_CHANGED:
      g_string_append (out, ",\"qube\":");
      air_protocol_append_qube (out, event->qube);
      break;
    case AIR_EVENT_QUBE_REMOVED:
      g_string_append (out, ",\"name\":");
      air_json_append_string (out, event->name);
      break;
    case AIR_EVENT_ZONE_HEALTH:
      {
        g_autofree char *reason = reason_to_send (event->reason);

        g_string_append (out, ",\"health\":");
        air_json_append_string (out, air_health_to_string (event->health));
        g_string_append (out, ",\"reason\":");
        air_json_append_string (out, reason);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  g_string_append (out, "}\n");
  return g_string_free (out, FALSE);
}

/* Zone info */

gboolean
air_zone_link_is_known (const char *link)
{
  return g_strcmp0 (link, "qrexec") == 0 || g_strcmp0 (link, "ssh") == 0 ||
         g_strcmp0 (link, "wireguard-ssh") == 0 || g_strcmp0 (link, "https") == 0;
}

static gboolean
zone_link_is_valid (const char *link)
{
  return link[0] == '\0' || air_zone_link_is_known (link);
}

/* "SHA256:" and unpadded base64, as ssh-keygen -l prints it. */
static gboolean
host_key_is_valid (const char *key)
{
  if (key[0] == '\0')
    return TRUE;
  if (!g_str_has_prefix (key, "SHA256:") || key[7] == '\0')
    return FALSE;
  for (const char *p = key + 7; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return FALSE;
  return TRUE;
}

void
air_zone_info_free (AirZoneInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->driver);
  g_free (info->acceleration);
  g_strfreev (info->templates);
  g_free (info->health_reason);
  g_free (info->link);
  g_free (info->endpoint);
  g_free (info->host_key);
  g_free (info->disk_encryption);
  g_free (info);
}

AirZoneInfo *
air_zone_info_parse (const char  *data,
                     gsize        len,
                     GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (data, len, AIR_JSON_MAX_LINE, error);
  g_autoptr(AirZoneInfo) info = g_new0 (AirZoneInfo, 1);
  g_autoptr(GError) local_error = NULL;
  const char *name, *driver, *reason, *link, *endpoint, *host_key, *acceleration, *disk_encryption;
  gint64 n_qubes, n_running, memory_total, vcpus_total, handshake;

  if (object == NULL)
    return NULL;

  if (!get_name (object, "name", "zone", &name, error) ||
      !air_json_get_opt_string (object, "driver", 16, "", &driver, error) ||
      !GET_ENUM (object, "isolation", air_isolation_from_string, AIR_ISOLATION_UNKNOWN, &info->isolation, error) ||
      !air_json_get_opt_string (object, "acceleration", 8, "", &acceleration, error) ||
      !GET_ENUM (object, "health", air_health_from_string, AIR_HEALTH_UNKNOWN, &info->health, error) ||
      !air_json_get_opt_string (object, "health-reason", AIR_PROTOCOL_MAX_REASON, "", &reason, error) ||
      !air_json_get_opt_int (object, "qubes", 0, AIR_PROTOCOL_MAX_QUBES, 0, &n_qubes, error) ||
      !air_json_get_opt_int (object, "running", 0, AIR_PROTOCOL_MAX_QUBES, 0, &n_running, error) ||
      !air_json_get_opt_int (object, "memory-total", 0, G_MAXINT32, 0, &memory_total, error) ||
      !air_json_get_opt_int (object, "vcpus-total", 0, AIR_PROTOCOL_MAX_VCPUS * 64, 0, &vcpus_total, error) ||
      !air_json_get_opt_string (object, "link", 16, "", &link, error) ||
      !air_json_get_opt_string (object, "endpoint", AIR_PROTOCOL_MAX_ENDPOINT, "", &endpoint, error) ||
      !air_json_get_opt_string (object, "host-key", AIR_PROTOCOL_MAX_HOST_KEY, "", &host_key, error) ||
      !air_json_get_opt_int (object, "handshake", 0, G_MAXINT64 / G_USEC_PER_SEC, 0, &handshake, error) ||
      !air_json_get_opt_string (object, "disk-encryption", 16, "", &disk_encryption, error))
    return NULL;

  if (!zone_link_is_valid (link))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Field “%s” has an unknown value"), "link");
      return NULL;
    }
  if (!host_key_is_valid (host_key))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Field “%s” is not a key fingerprint"), "host-key");
      return NULL;
    }

  for (const char *p = driver; *p; p++)
    if (!g_ascii_isalnum (*p))
      {
        g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                             _("Field “driver” may contain only letters and digits"));
        return NULL;
      }

  info->templates = air_json_get_strv (object, "templates", 1024, AIR_NAME_MAX, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (info->templates == NULL)
    info->templates = g_new0 (char *, 1);

  for (guint i = 0; info->templates[i]; i++)
    if (!air_name_validate (info->templates[i], "template", error))
      return NULL;

  info->name = g_strdup (name);
  info->driver = g_strdup (driver);
  info->health_reason = air_text_sanitize (reason, -1, AIR_PROTOCOL_MAX_REASON);
  info->n_qubes = n_qubes;
  info->n_running = n_running;
  info->memory_total = memory_total;
  info->vcpus_total = vcpus_total;
  info->link = g_strdup (link);
  /* Shown to the user: printable text only. */
  info->endpoint = air_text_sanitize (endpoint, -1, AIR_PROTOCOL_MAX_ENDPOINT);
  info->host_key = g_strdup (host_key);
  info->handshake = handshake;
  /* Only what a VM zone can say; anything else is nothing. */
  info->acceleration = g_strdup (info->isolation == AIR_ISOLATION_VM &&
                                 (strcmp (acceleration, "kvm") == 0 || strcmp (acceleration, "tcg") == 0)
                                 ? acceleration : "");
  /* Likewise: what the zone cannot be taken to say is unknown. */
  info->disk_encryption = g_strdup (strcmp (disk_encryption, "luks") == 0 || strcmp (disk_encryption, "none") == 0
                                    ? disk_encryption : "");

  return g_steal_pointer (&info);
}

char *
air_zone_info_to_json (const AirZoneInfo *info)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *reason = reason_to_send (info->health_reason);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, AIR_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, info->name);
  json_builder_set_member_name (builder, "driver");
  json_builder_add_string_value (builder, info->driver);
  json_builder_set_member_name (builder, "isolation");
  json_builder_add_string_value (builder, air_isolation_to_string (info->isolation));
  if (info->acceleration != NULL && info->acceleration[0] != '\0')
    {
      json_builder_set_member_name (builder, "acceleration");
      json_builder_add_string_value (builder, info->acceleration);
    }
  json_builder_set_member_name (builder, "templates");
  json_builder_begin_array (builder);
  for (guint i = 0; info->templates && info->templates[i]; i++)
    json_builder_add_string_value (builder, info->templates[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "health");
  json_builder_add_string_value (builder, air_health_to_string (info->health));
  json_builder_set_member_name (builder, "health-reason");
  json_builder_add_string_value (builder, reason);
  json_builder_set_member_name (builder, "qubes");
  json_builder_add_int_value (builder, info->n_qubes);
  json_builder_set_member_name (builder, "running");
  json_builder_add_int_value (builder, info->n_running);
  json_builder_set_member_name (builder, "memory-total");
  json_builder_add_int_value (builder, (gint64) info->memory_total);
  json_builder_set_member_name (builder, "vcpus-total");
  json_builder_add_int_value (builder, info->vcpus_total);
  if (info->link != NULL && info->link[0] != '\0')
    {
      json_builder_set_member_name (builder, "link");
      json_builder_add_string_value (builder, info->link);
    }
  if (info->endpoint != NULL && info->endpoint[0] != '\0')
    {
      json_builder_set_member_name (builder, "endpoint");
      json_builder_add_string_value (builder, info->endpoint);
    }
  if (info->host_key != NULL && info->host_key[0] != '\0')
    {
      json_builder_set_member_name (builder, "host-key");
      json_builder_add_string_value (builder, info->host_key);
    }
  if (info->handshake > 0)
    {
      json_builder_set_member_name (builder, "handshake");
      json_builder_add_int_value (builder, info->handshake);
    }
  if (info->disk_encryption != NULL && info->disk_encryption[0] != '\0')
    {
      json_builder_set_member_name (builder, "disk-encryption");
      json_builder_add_string_value (builder, info->disk_encryption);
    }
  json_builder_end_object (builder);

  return air_json_builder_to_line (builder);
}

/* Run header */

void
air_run_header_free (AirRunHeader *header)
{
  if (header == NULL)
    return;
  g_strfreev (header->argv);
  g_free (header->user);
  g_free (header);
}

/* The account a command runs as: a portable POSIX user name, so it cannot
 * be a path, an option or anything a shell would read. */
static gboolean
valid_user (const char *user)
{
  if (!g_ascii_isalpha (user[0]) && user[0] != '_')
    return FALSE;
  for (const char *p = user; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

AirRunHeader *
air_run_header_parse (const char  *line,
                      gsize        len,
                      GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (line, len, AIR_JSON_MAX_LINE, error);
  g_autoptr(AirRunHeader) header = g_new0 (AirRunHeader, 1);
  g_autoptr(GError) local_error = NULL;
  const char *user;

  if (object == NULL)
    return NULL;

  header->argv = air_json_get_strv (object, "argv", AIR_PROTOCOL_MAX_ARGV, MAX_ARG_CHARS, &local_error);
  if (header->argv == NULL)
    {
      if (local_error == NULL)
        local_error = g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL, _("Field “argv” is missing"));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (header->argv[0] == NULL || header->argv[0][0] == '\0')
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("No command to run"));
      return NULL;
    }

  if (!air_json_get_opt_string (object, "user", MAX_USER_CHARS, "user", &user, error))
    return NULL;

  if (!valid_user (user))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Field “user” is not a valid user name"));
      return NULL;
    }

  header->user = g_strdup (user);
  return g_steal_pointer (&header);
}

char *
air_run_header_to_line (const char * const *argv,
                        const char         *user)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "argv");
  json_builder_begin_array (builder);
  for (guint i = 0; argv[i]; i++)
    json_builder_add_string_value (builder, argv[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, user ? user : "user");
  json_builder_end_object (builder);

  return air_json_builder_to_line (builder);
}
