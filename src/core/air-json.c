/* air-json.c
 *
 * Every message is read here with strict syntax, bounded size and nesting,
 * no NUL bytes and valid UTF-8; then the getters check types and ranges
 * member by member.
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

/* A strict recursive-descent reader that builds json-glib nodes itself.
 * json-glib 1.6's own parser recurses without a limit and is lenient (it
 * takes comments, single-quoted strings, hex numbers and trailing data),
 * and it costs a GScanner per message: a zone's List of a thousand state
 * files spent most of its time setting scanners up (bench/agent). */
typedef struct {
  const char  *data;
  gsize        len;
  gsize        pos;
  GError     **error;
} Reader;

static JsonNode *read_value (Reader *r,
                             int     depth);

static gpointer
syntax_error (Reader     *r,
              gsize       offset,
              const char *what)
{
  if (r->error != NULL && *r->error == NULL)
    g_set_error (r->error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                 _("Malformed JSON at byte %lu: %s"), (unsigned long) offset, what);
  return NULL;
}

static void
skip_space (Reader *r)
{
  while (r->pos < r->len &&
         (r->data[r->pos] == ' ' || r->data[r->pos] == '\t' ||
          r->data[r->pos] == '\n' || r->data[r->pos] == '\r'))
    r->pos++;
}

static gboolean
read_hex4 (Reader  *r,
           gsize    at,
           guint   *value)
{
  *value = 0;
  if (r->len - at < 4)
    return FALSE;
  for (guint k = 0; k < 4; k++)
    {
      if (!g_ascii_isxdigit (r->data[at + k]))
        return FALSE;
      *value = *value * 16 + g_ascii_xdigit_value (r->data[at + k]);
    }
  return TRUE;
}

/* Returns the decoded string; r->pos is on the opening quote. */
static char *
read_string (Reader *r)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gsize start = r->pos++;

  for (;;)
    {
      guchar c;

      if (r->pos >= r->len)
        return syntax_error (r, start, _("unterminated string"));

      c = (guchar) r->data[r->pos];
      if (c == '"')
        {
          r->pos++;
          return g_string_free (g_steal_pointer (&out), FALSE);
        }
      if (c < 0x20)
        return syntax_error (r, r->pos, _("control character inside a string"));

      if (c != '\\')
        {
          /* Copy the run of plain bytes at once. */
          gsize run = r->pos;

          while (run < r->len && r->data[run] != '"' && r->data[run] != '\\' &&
                 (guchar) r->data[run] >= 0x20)
            run++;
          g_string_append_len (out, r->data + r->pos, run - r->pos);
          r->pos = run;
          continue;
        }

      if (++r->pos >= r->len)
        return syntax_error (r, start, _("unterminated string"));

      switch (r->data[r->pos])
        {
        case '"':  g_string_append_c (out, '"');  break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/':  g_string_append_c (out, '/');  break;
        case 'b':  g_string_append_c (out, '\b'); break;
        case 'f':  g_string_append_c (out, '\f'); break;
        case 'n':  g_string_append_c (out, '\n'); break;
        case 'r':  g_string_append_c (out, '\r'); break;
        case 't':  g_string_append_c (out, '\t'); break;
        case 'u':
          {
            gsize at = r->pos - 1;
            guint unit, low;
            gunichar ch;

            if (!read_hex4 (r, r->pos + 1, &unit))
              return syntax_error (r, at, _("incomplete \\u escape"));
            r->pos += 4;
            if (unit == 0)
              return syntax_error (r, at, _("NUL character inside a string"));

            if (unit >= 0xd800 && unit <= 0xdbff)
              {
                /* A high surrogate must be followed by its low half. */
                if (r->len - r->pos < 7 || r->data[r->pos + 1] != '\\' || r->data[r->pos + 2] != 'u' ||
                    !read_hex4 (r, r->pos + 3, &low) || low < 0xdc00 || low > 0xdfff)
                  return syntax_error (r, at, _("unpaired surrogate in a \\u escape"));
                r->pos += 6;
                ch = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
              }
            else if (unit >= 0xdc00 && unit <= 0xdfff)
              return syntax_error (r, at, _("unpaired surrogate in a \\u escape"));
            else
              ch = unit;

            g_string_append_unichar (out, ch);
          }
          break;
        default:
          return syntax_error (r, r->pos, _("invalid escape in a string"));
        }
      r->pos++;
    }
}

/* RFC 8259 numbers only (no hex, no leading zeros or dots, no "1."), and an
 * integer must fit in 64 bits: wrapping -18446744073709551615 to 1, as
 * json-glib does, would let a peer pass any range check. */
static JsonNode *
read_number (Reader *r)
{
  gsize start = r->pos, i = r->pos;
  gboolean integer = TRUE;
  char token[65];

  if (i < r->len && r->data[i] == '-')
    i++;

  if (i < r->len && r->data[i] == '0')
    i++;
  else if (i < r->len && r->data[i] >= '1' && r->data[i] <= '9')
    while (i < r->len && g_ascii_isdigit (r->data[i]))
      i++;
  else
    return syntax_error (r, start, _("invalid number"));

  if (i < r->len && r->data[i] == '.')
    {
      integer = FALSE;
      if (++i >= r->len || !g_ascii_isdigit (r->data[i]))
        return syntax_error (r, start, _("invalid number"));
      while (i < r->len && g_ascii_isdigit (r->data[i]))
        i++;
    }

  if (i < r->len && (r->data[i] == 'e' || r->data[i] == 'E'))
    {
      integer = FALSE;
      i++;
      if (i < r->len && (r->data[i] == '+' || r->data[i] == '-'))
        i++;
      if (i >= r->len || !g_ascii_isdigit (r->data[i]))
        return syntax_error (r, start, _("invalid number"));
      while (i < r->len && g_ascii_isdigit (r->data[i]))
        i++;
    }

  if (i < r->len && (g_ascii_isalnum (r->data[i]) || r->data[i] == '.'))
    return syntax_error (r, start, _("invalid number"));

  if (i - start >= sizeof token)
    return syntax_error (r, start, _("number out of range"));

  memcpy (token, r->data + start, i - start);
  token[i - start] = '\0';
  r->pos = i;

  if (integer)
    {
      gint64 value;

      if (!g_ascii_string_to_signed (token, 10, G_MININT64, G_MAXINT64, &value, NULL))
        return syntax_error (r, start, _("number out of range"));
      return json_node_init_int (json_node_alloc (), value);
    }
  else
    {
      double value = g_ascii_strtod (token, NULL);

      if (!isfinite (value))
        return syntax_error (r, start, _("number out of range"));
      return json_node_init_double (json_node_alloc (), value);
    }
}

static JsonNode *
read_object (Reader *r,
             int     depth)
{
  g_autoptr(JsonObject) object = json_object_new ();

  r->pos++;
  skip_space (r);
  if (r->pos < r->len && r->data[r->pos] == '}')
    {
      r->pos++;
      return json_node_init_object (json_node_alloc (), object);
    }

  for (;;)
    {
      g_autofree char *name = NULL;
      gsize at;
      JsonNode *value;

      skip_space (r);
      at = r->pos;
      if (r->pos >= r->len || r->data[r->pos] != '"')
        return syntax_error (r, r->pos, _("expected a member name"));
      name = read_string (r);
      if (name == NULL)
        return NULL;
      /* Two readers of one message must never disagree on its meaning. */
      if (json_object_has_member (object, name))
        return syntax_error (r, at, _("duplicate member"));

      skip_space (r);
      if (r->pos >= r->len || r->data[r->pos] != ':')
        return syntax_error (r, r->pos, _("expected “:”"));
      r->pos++;

      value = read_value (r, depth);
      if (value == NULL)
        return NULL;
      json_object_set_member (object, name, value);

      skip_space (r);
      if (r->pos < r->len && r->data[r->pos] == ',')
        {
          r->pos++;
          continue;
        }
      if (r->pos < r->len && r->data[r->pos] == '}')
        {
          r->pos++;
          return json_node_init_object (json_node_alloc (), object);
        }
      return syntax_error (r, r->pos, _("expected “,” or “}”"));
    }
}

static JsonNode *
read_array (Reader *r,
            int     depth)
{
  g_autoptr(JsonArray) array = json_array_new ();

  r->pos++;
  skip_space (r);
  if (r->pos < r->len && r->data[r->pos] == ']')
    {
      r->pos++;
      return json_node_init_array (json_node_alloc (), array);
    }

  for (;;)
    {
      JsonNode *value = read_value (r, depth);

      if (value == NULL)
        return NULL;
      json_array_add_element (array, value);

      skip_space (r);
      if (r->pos < r->len && r->data[r->pos] == ',')
        {
          r->pos++;
          continue;
        }
      if (r->pos < r->len && r->data[r->pos] == ']')
        {
          r->pos++;
          return json_node_init_array (json_node_alloc (), array);
        }
      return syntax_error (r, r->pos, _("expected “,” or “]”"));
    }
}

static JsonNode *
read_value (Reader *r,
            int     depth)
{
  static const char * const literals[] = { "true", "false", "null" };

  skip_space (r);
  if (r->pos >= r->len)
    return syntax_error (r, r->pos, _("expected a value"));

  switch (r->data[r->pos])
    {
    case '{':
    case '[':
      if (depth + 1 > AIR_JSON_MAX_DEPTH)
        {
          if (r->error != NULL && *r->error == NULL)
            g_set_error (r->error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                         _("Message nested deeper than %d levels"), AIR_JSON_MAX_DEPTH);
          return NULL;
        }
      return r->data[r->pos] == '{' ? read_object (r, depth + 1) : read_array (r, depth + 1);

    case '"':
      {
        g_autofree char *text = read_string (r);

        if (text == NULL)
          return NULL;
        return json_node_init_string (json_node_alloc (), text);
      }

    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return read_number (r);

    default:
      for (guint k = 0; k < G_N_ELEMENTS (literals); k++)
        {
          gsize n = strlen (literals[k]);

          if (r->len - r->pos >= n && memcmp (r->data + r->pos, literals[k], n) == 0 &&
              (r->len - r->pos == n || !g_ascii_isalnum (r->data[r->pos + n])))
            {
              r->pos += n;
              if (k == 2)
                return json_node_init_null (json_node_alloc ());
              return json_node_init_boolean (json_node_alloc (), k == 0);
            }
        }
      if (r->data[r->pos] == ']' || r->data[r->pos] == '}')
        return syntax_error (r, r->pos, _("unbalanced bracket"));
      return syntax_error (r, r->pos, _("unexpected character"));
    }
}

JsonNode *
air_json_parse (const char  *data,
                gsize        len,
                gsize        max_len,
                GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  Reader reader = { data, len, 0, error };

  if (len > max_len)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Message of %lu bytes is larger than the limit of %lu"),
                   (unsigned long) len, (unsigned long) max_len);
      return NULL;
    }

  skip_space (&reader);
  if (reader.pos == len)
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

  root = read_value (&reader, 0);
  if (root == NULL)
    return NULL;

  skip_space (&reader);
  if (reader.pos != len)
    {
      char c = data[reader.pos];

      if (c == ']' || c == '}')
        return syntax_error (&reader, reader.pos, _("unbalanced bracket"));
      if (strchr ("{[\"-0123456789", c) != NULL)
        return syntax_error (&reader, reader.pos, _("more than one value"));
      return syntax_error (&reader, reader.pos, _("unexpected character"));
    }

  return g_steal_pointer (&root);
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
                   _("Field “%s” is longer than %lu characters"),
                   member, (unsigned long) max_chars);
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
                   _("Field “%s” is out of range (%lld to %lld)"),
                   member, (long long) min, (long long) max);
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
