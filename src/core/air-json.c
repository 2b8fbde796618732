/* air-json.c
 *
 * json-glib's parser recurses without a limit and takes any size, so every
 * message is checked here first: size, NUL bytes, UTF-8, strict syntax and
 * nesting depth; then the getters check types and ranges member by member.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-json"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"

static gboolean
syntax_error (GError     **error,
              gsize        offset,
              const char  *what)
{
  g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
               _("Malformed JSON at byte %" G_GSIZE_FORMAT ": %s"), offset, what);
  return FALSE;
}

/* Counts one value at the top level; a second one is trailing data, which
 * json-glib would silently ignore. */
static gboolean
count_top_value (int          depth,
                 guint       *n_top,
                 gsize        offset,
                 GError     **error)
{
  if (depth == 0 && ++(*n_top) > 1)
    return syntax_error (error, offset, _("more than one value"));
  return TRUE;
}

static gboolean
scan_string (const char  *data,
             gsize        len,
             gsize       *pos,
             GError     **error)
{
  gsize i = *pos + 1;

  for (;;)
    {
      guchar c;

      if (i >= len)
        return syntax_error (error, *pos, _("unterminated string"));

      c = (guchar) data[i];
      if (c == '"')
        break;

      if (c < 0x20)
        return syntax_error (error, i, _("control character inside a string"));

      if (c == '\\')
        {
          if (++i >= len)
            return syntax_error (error, *pos, _("unterminated string"));

          switch (data[i])
            {
            case '"': case '\\': case '/':
            case 'b': case 'f': case 'n': case 'r': case 't':
              break;
            case 'u':
              {
                guint value = 0;

                if (len - i <= 4)
                  return syntax_error (error, i, _("incomplete \\u escape"));
                for (guint k = 1; k <= 4; k++)
                  {
                    if (!g_ascii_isxdigit (data[i + k]))
                      return syntax_error (error, i, _("incomplete \\u escape"));
                    value = value * 16 + g_ascii_xdigit_value (data[i + k]);
                  }
                if (value == 0)
                  return syntax_error (error, i, _("NUL character inside a string"));
                i += 4;
              }
              break;
            default:
              return syntax_error (error, i, _("invalid escape in a string"));
            }
        }
      i++;
    }

  *pos = i + 1;
  return TRUE;
}

/* RFC 8259 numbers only (no hex, no leading zeros or dots, no "1."), and an
 * integer must fit in 64 bits: json-glib silently wraps larger ones
 * (-18446744073709551615 would read as 1). */
static gboolean
scan_number (const char  *data,
             gsize        len,
             gsize       *pos,
             GError     **error)
{
  gsize start = *pos, i = *pos;
  gboolean integer = TRUE;
  g_autofree char *token = NULL;

  if (i < len && data[i] == '-')
    i++;

  if (i < len && data[i] == '0')
    i++;
  else if (i < len && data[i] >= '1' && data[i] <= '9')
    while (i < len && g_ascii_isdigit (data[i]))
      i++;
  else
    return syntax_error (error, start, _("invalid number"));

  if (i < len && data[i] == '.')
    {
      integer = FALSE;
      if (++i >= len || !g_ascii_isdigit (data[i]))
        return syntax_error (error, start, _("invalid number"));
      while (i < len && g_ascii_isdigit (data[i]))
        i++;
    }

  if (i < len && (data[i] == 'e' || data[i] == 'E'))
    {
      integer = FALSE;
      i++;
      if (i < len && (data[i] == '+' || data[i] == '-'))
        i++;
      if (i >= len || !g_ascii_isdigit (data[i]))
        return syntax_error (error, start, _("invalid number"));
      while (i < len && g_ascii_isdigit (data[i]))
        i++;
    }

  if (i < len && (g_ascii_isalnum (data[i]) || data[i] == '.'))
    return syntax_error (error, start, _("invalid number"));

  if (i - start > 64)
    return syntax_error (error, start, _("number out of range"));

  token = g_strndup (data + start, i - start);
  if (integer)
    {
      if (!g_ascii_string_to_signed (token, 10, G_MININT64, G_MAXINT64, NULL, NULL))
        return syntax_error (error, start, _("number out of range"));
    }
  else
    {
      double value = g_ascii_strtod (token, NULL);

      if (!isfinite (value))
        return syntax_error (error, start, _("number out of range"));
    }

  *pos = i;
  return TRUE;
}

/* json-glib 1.6 recurses without a limit and is lenient: it takes comments,
 * single-quoted strings, hex numbers and trailing data. A comment or a
 * single-quoted string could hide brackets from a depth count, so this scan
 * accepts strict JSON only and counts the nesting on the same tokens the
 * parser will see. */
static gboolean
check_syntax (const char  *data,
              gsize        len,
              GError     **error)
{
  static const char * const literals[] = { "true", "false", "null" };
  guint n_top = 0;
  int depth = 0;
  gsize i = 0;

  while (i < len)
    {
      char c = data[i];

      switch (c)
        {
        case ' ': case '\t': case '\n': case '\r':
        case ':': case ',':
          i++;
          break;

        case '[':
        case '{':
          if (!count_top_value (depth, &n_top, i, error))
            return FALSE;
          if (++depth > AIR_JSON_MAX_DEPTH)
            {
              g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Message nested deeper than %d levels"), AIR_JSON_MAX_DEPTH);
              return FALSE;
            }
          i++;
          break;

        case ']':
        case '}':
          if (depth == 0)
            return syntax_error (error, i, _("unbalanced bracket"));
          depth--;
          i++;
          break;

        case '"':
          if (!count_top_value (depth, &n_top, i, error) ||
              !scan_string (data, len, &i, error))
            return FALSE;
          break;

        case '-':
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
          if (!count_top_value (depth, &n_top, i, error) ||
              !scan_number (data, len, &i, error))
            return FALSE;
          break;

        default:
          {
            gsize start = i;
            gboolean known = FALSE;

            while (i < len && g_ascii_isalpha (data[i]))
              i++;

            for (guint k = 0; k < G_N_ELEMENTS (literals); k++)
              if (i - start == strlen (literals[k]) &&
                  memcmp (data + start, literals[k], i - start) == 0)
                known = TRUE;

            if (!known)
              return syntax_error (error, start, _("unexpected character"));
            if (!count_top_value (depth, &n_top, start, error))
              return FALSE;
          }
          break;
        }
    }

  if (n_top == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("Empty message"));
      return FALSE;
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

  if (memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Message contains a NUL byte"));
      return NULL;
    }

  if (!g_utf8_validate_len (data, len, NULL))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Message is not valid UTF-8"));
      return NULL;
    }

  if (!check_syntax (data, len, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      /* json-glib quotes the offending token, cut anywhere: make it safe. */
      g_autofree char *shown = air_text_sanitize (local_error->message, -1, 200);

      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("Malformed JSON: %s"), shown);
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
