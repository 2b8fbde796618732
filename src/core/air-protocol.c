/* air-protocol.c
 *
 * The protocol's messages about qubes: a qube's record, a zone's List, the
 * spec of a qube to create and the preferences to change. Events, zone
 * info and run headers are in air-protocol-zone.c.
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
#include "air-protocol-private.h"
#include "air-utils.h"

#define MAX_IP_CHARS 45
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

/* A member that must be a valid name (air_name_validate) of @what. */
gboolean
air_protocol_get_name (JsonObject  *object,
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

gboolean
air_protocol_get_enum (JsonObject  *object,
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
  AirJsonValue values[N_FIELDS];

  if (!air_json_cursor_read_members (cursor, field_names, N_FIELDS, values, error))
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
      !air_json_get_opt_bool (object, "network", spec->network, &spec->network, error) ||
      !air_json_get_opt_bool (object, "progress", FALSE, &spec->progress, error))
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
  if (spec->progress)
    {
      json_builder_set_member_name (builder, "progress");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);

  return air_json_builder_to_line (builder);
}

/* Progress */

#define PROGRESS_PREFIX "{\"progress\":"

char *
air_progress_to_line (int         percent,
                      const char *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *shown = air_text_sanitize (text != NULL ? text : "", -1, AIR_PROTOCOL_MAX_PROGRESS_TEXT);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "progress");
  json_builder_add_int_value (builder, CLAMP (percent, -1, 100));
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, shown);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

/* Whether a line of an answer is a progress line (as our agents write
 * them), without parsing it: the answer itself never begins so. */
gboolean
air_progress_line_matches (const char *line,
                           gsize       len)
{
  return len >= strlen (PROGRESS_PREFIX) && memcmp (line, PROGRESS_PREFIX, strlen (PROGRESS_PREFIX)) == 0;
}

gboolean
air_progress_parse (const char  *line,
                    gsize        len,
                    int         *percent,
                    char       **text,
                    GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (line, len, AIR_JSON_MAX_LINE, error);
  const char *value;
  gint64 number;

  if (object == NULL ||
      !air_json_get_opt_int (object, "progress", -1, 100, -1, &number, error) ||
      !air_json_get_opt_string (object, "text", AIR_PROTOCOL_MAX_PROGRESS_TEXT * 4, "", &value, error))
    return FALSE;
  *percent = (int) number;
  *text = air_text_sanitize (value, -1, AIR_PROTOCOL_MAX_PROGRESS_TEXT);
  return TRUE;
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
