/* air-json.c
 *
 * json-glib's parser recurses without a limit and takes any size, so every
 * message is checked here first: size, UTF-8 and nesting depth; then the
 * getters check types and ranges member by member.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-json"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"

static gboolean
check_depth (const char  *data,
             gsize        len,
             GError     **error)
{
  gboolean in_string = FALSE;
  int depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > AIR_JSON_MAX_DEPTH)
            {
              g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Message nested deeper than %d levels"), AIR_JSON_MAX_DEPTH);
              return FALSE;
            }
          break;
        case ']':
        case '}':
          depth--;
          break;
        case '\0':
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("Message contains a NUL byte"));
          return FALSE;
        default:
          break;
        }
    }

  return TRUE;
}

JsonNode *
air_json_parse (const char  *data,
                gsize        len,
                gsize        max_len,
                GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (len > max_len)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Message of %" G_GSIZE_FORMAT " bytes is larger than the limit of %" G_GSIZE_FORMAT),
                   len, max_len);
      return NULL;
    }

  if (len == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("Empty message"));
      return NULL;
    }

  if (!g_utf8_validate_len (data, len, NULL))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Message is not valid UTF-8"));
      return NULL;
    }

  if (!check_depth (data, len, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Malformed JSON: %s"), local_error->message);
      return NULL;
    }

  root = json_parser_steal_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("Empty message"));
      return NULL;
    }

  return root;
}

JsonObject *
air_json_parse_object (const char  *data,
                       gsize        len,
                       gsize        max_len,
                       GError     **error)
{
  g_autoptr(JsonNode) root = air_json_parse (data, len, max_len, error);

  if (root == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Message is not a JSON object"));
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
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
air_json_get_opt_string (JsonObject  *object,
                         const char  *member,
                         gsize        max_chars,
                         const char  *fallback,
                         const char **out,
                         GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = fallback;
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return wrong_type (member, _("a string"), error);

  value = json_node_get_string (node);
  if (strlen (value) > max_chars * 4 || g_utf8_strlen (value, -1) > (glong) max_chars)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Field “%s” is longer than %" G_GSIZE_FORMAT " characters"),
                   member, max_chars);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

gboolean
air_json_get_string (JsonObject  *object,
                     const char  *member,
                     gsize        max_chars,
                     const char **out,
                     GError     **error)
{
  if (!air_json_get_opt_string (object, member, max_chars, NULL, out, error))
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
air_json_get_opt_int (JsonObject  *object,
                      const char  *member,
                      gint64       min,
                      gint64       max,
                      gint64       fallback,
                      gint64      *out,
                      GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  gint64 value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = fallback;
      return TRUE;
    }

  /* A double such as 1e300 is not an integer we accept. */
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return wrong_type (member, _("an integer"), error);

  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Field “%s” is out of range (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")"),
                   member, min, max);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

gboolean
air_json_get_opt_bool (JsonObject  *object,
                       const char  *member,
                       gboolean     fallback,
                       gboolean    *out,
                       GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = fallback;
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return wrong_type (member, _("true or false"), error);

  *out = json_node_get_boolean (node);
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
                       _("An entry of “%s” is longer than %" G_GSIZE_FORMAT " characters"),
                       member, max_chars);
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

/* One compact line, newline-terminated: the framing of every stream. */
char *
air_json_builder_to_line (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = air_json_to_string (root);

  return g_strconcat (text, "\n", NULL);
}
