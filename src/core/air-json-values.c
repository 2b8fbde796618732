/* air-json-values.c
 *
 * One value of a message, from the cursor or a tree, checked for its
 * type and range; and the writers of compact JSON lines.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-json"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"

/* Values */

void
air_json_value_from_node (AirJsonValue *value,
                          JsonNode     *node)
{
  *value = (AirJsonValue) { AIR_JSON_NULL, };

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return;
  if (JSON_NODE_HOLDS_OBJECT (node))
    value->type = AIR_JSON_OBJECT;
  else if (JSON_NODE_HOLDS_ARRAY (node))
    value->type = AIR_JSON_ARRAY;
  else
    switch (json_node_get_value_type (node))
      {
      case G_TYPE_STRING:
        value->type = AIR_JSON_STRING;
        value->string = json_node_get_string (node);
        break;
      case G_TYPE_INT64:
        value->type = AIR_JSON_INT;
        value->integer = json_node_get_int (node);
        break;
      case G_TYPE_BOOLEAN:
        value->type = AIR_JSON_BOOL;
        value->boolean = json_node_get_boolean (node);
        break;
      default:
        value->type = AIR_JSON_DOUBLE;
        value->number = json_node_get_double (node);
        break;
      }
}

static gboolean
wrong_type (const char  *member,
            const char  *expected,
            GError     **error)
{
  g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
               _("Field “%s” must be %s"), member, expected);
  return FALSE;
}

gboolean
air_json_value_get_string (const AirJsonValue  *value,
                           const char          *member,
                           gsize                max_chars,
                           const char          *fallback,
                           const char         **out,
                           GError             **error)
{
  if (value->type == AIR_JSON_NULL)
    {
      *out = fallback;
      return TRUE;
    }

  if (value->type != AIR_JSON_STRING)
    return wrong_type (member, _("a string"), error);

  if (strlen (value->string) > max_chars * 4 || g_utf8_strlen (value->string, -1) > (glong) max_chars)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Field “%s” is longer than %lu characters"),
                   member, (unsigned long) max_chars);
      return FALSE;
    }

  *out = value->string;
  return TRUE;
}

gboolean
air_json_value_require_string (const AirJsonValue  *value,
                               const char          *member,
                               gsize                max_chars,
                               const char         **out,
                               GError             **error)
{
  if (!air_json_value_get_string (value, member, max_chars, NULL, out, error))
    return FALSE;

  if (*out == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Field “%s” is missing"), member);
      return FALSE;
    }

  return TRUE;
}

gboolean
air_json_value_get_bool (const AirJsonValue  *value,
                         const char          *member,
                         gboolean             fallback,
                         gboolean            *out,
                         GError             **error)
{
  if (value->type == AIR_JSON_NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (value->type != AIR_JSON_BOOL)
    return wrong_type (member, _("true or false"), error);
  *out = value->boolean;
  return TRUE;
}

gboolean
air_json_value_get_int (const AirJsonValue  *value,
                        const char          *member,
                        gint64               min,
                        gint64               max,
                        gint64               fallback,
                        gint64              *out,
                        GError             **error)
{
  if (value->type == AIR_JSON_NULL)
    {
      *out = fallback;
      return TRUE;
    }

  /* A double such as 1e300 is not an integer we accept. */
  if (value->type != AIR_JSON_INT)
    return wrong_type (member, _("an integer"), error);

  if (value->integer < min || value->integer > max)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Field “%s” is out of range (%lld to %lld)"),
                   member, (long long) min, (long long) max);
      return FALSE;
    }

  *out = value->integer;
  return TRUE;
}

gboolean
air_json_get_opt_string (JsonObject  *object,
                         const char  *member,
                         gsize        max_chars,
                         const char  *fallback,
                         const char **out,
                         GError     **error)
{
  AirJsonValue value;

  air_json_value_from_node (&value, json_object_get_member (object, member));
  return air_json_value_get_string (&value, member, max_chars, fallback, out, error);
}

gboolean
air_json_get_string (JsonObject  *object,
                     const char  *member,
                     gsize        max_chars,
                     const char **out,
                     GError     **error)
{
  AirJsonValue value;

  air_json_value_from_node (&value, json_object_get_member (object, member));
  return air_json_value_require_string (&value, member, max_chars, out, error);
}

gboolean
air_json_get_opt_int (JsonObject  *object,
                      const char  *member,
                      gint64       min,
                      gint64       max,
                      gint64       fallback,
                      gint64      *out,
                      GError     **error)
{
  AirJsonValue value;

  air_json_value_from_node (&value, json_object_get_member (object, member));
  return air_json_value_get_int (&value, member, min, max, fallback, out, error);
}

gboolean
air_json_get_opt_bool (JsonObject  *object,
                       const char  *member,
                       gboolean     fallback,
                       gboolean    *out,
                       GError     **error)
{
  AirJsonValue value;

  air_json_value_from_node (&value, json_object_get_member (object, member));
  if (value.type == AIR_JSON_NULL)
    {
      *out = fallback;
      return TRUE;
    }

  if (value.type != AIR_JSON_BOOL)
    return wrong_type (member, _("true or false"), error);

  *out = value.boolean;
  return TRUE;
}

JsonArray *
air_json_get_opt_array (JsonObject  *object,
                        const char  *member,
                        guint        max_len,
                        GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      wrong_type (member, _("a list"), error);
      return NULL;
    }

  array = json_node_get_array (node);
  if (json_array_get_length (array) > max_len)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Field “%s” has more than %u entries"), member, max_len);
      return NULL;
    }

  return array;
}

/* Returns NULL with @error unset for a missing member. */
char **
air_json_get_strv (JsonObject  *object,
                   const char  *member,
                   guint        max_len,
                   gsize        max_chars,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;
  guint n;

  array = air_json_get_opt_array (object, member, max_len, &local_error);
  if (array == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  builder = g_strv_builder_new ();
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *value;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                       _("Entries of “%s” must be strings"), member);
          return NULL;
        }

      value = json_node_get_string (node);
      if (g_utf8_strlen (value, -1) > (glong) max_chars)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                       _("An entry of “%s” is longer than %lu characters"),
                       member, (unsigned long) max_chars);
          return NULL;
        }

      g_strv_builder_add (builder, value);
    }

  return g_strv_builder_end (builder);
}

char *
air_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/* A JSON string literal, for the writers of hot, flat records that would
 * spend most of their time building json-glib trees. */
void
air_json_append_string (GString    *out,
                        const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value ? value : ""; *p; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, c);
        }
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

/* One compact line, newline-terminated: the framing of every stream. */
char *
air_json_builder_to_line (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = air_json_to_string (root);

  return g_strconcat (text, "\n", NULL);
}
