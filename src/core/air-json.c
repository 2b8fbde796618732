/* air-json.c
 *
 * Every message is read here with strict syntax, bounded size and nesting,
 * no NUL bytes and valid UTF-8 — into a json-glib tree, or walked by a
 * cursor (air-json-cursor.c) — then the getters (air-json-values.c) check
 * types and ranges member by member.
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
#include "air-json-reader.h"



gpointer
air_json_reader_syntax_error (AirJsonReader     *r,
                              gsize       offset,
                              const char *what)
{
  if (r->error != NULL && *r->error == NULL)
    g_set_error (r->error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                 _("Malformed JSON at byte %lu: %s"), (unsigned long) offset, what);
  return NULL;
}

static gboolean
syntax_failed (AirJsonReader     *r,
               gsize       offset,
               const char *what)
{
  air_json_reader_syntax_error (r, offset, what);
  return FALSE;
}

gpointer
air_json_reader_too_deep (AirJsonReader *r)
{
  if (r->error != NULL && *r->error == NULL)
    g_set_error (r->error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                 _("Message nested deeper than %d levels"), AIR_JSON_MAX_DEPTH);
  return NULL;
}

void
air_json_reader_skip_space (AirJsonReader *r)
{
  while (r->pos < r->len &&
         (r->data[r->pos] == ' ' || r->data[r->pos] == '\t' ||
          r->data[r->pos] == '\n' || r->data[r->pos] == '\r'))
    r->pos++;
}

static gboolean
read_hex4 (AirJsonReader  *r,
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

static void
append_c (GString *out,
          char     c)
{
  if (out != NULL)
    g_string_append_c (out, c);
}

/* Decodes the string at r->pos (its opening quote) and appends it to @out,
 * or only checks it when @out is NULL. */
gboolean
air_json_reader_read_string_into (AirJsonReader  *r,
                                  GString *out)
{
  gsize start = r->pos++;

  for (;;)
    {
      guchar c;

      if (r->pos >= r->len)
        return syntax_failed (r, start, _("unterminated string"));

      c = (guchar) r->data[r->pos];
      if (c == '"')
        {
          r->pos++;
          return TRUE;
        }
      if (c < 0x20)
        return syntax_failed (r, r->pos, _("control character inside a string"));

      if (c != '\\')
        {
          /* Copy the run of plain bytes at once. */
          gsize run = r->pos;

          while (run < r->len && r->data[run] != '"' && r->data[run] != '\\' &&
                 (guchar) r->data[run] >= 0x20)
            run++;
          if (out != NULL)
            g_string_append_len (out, r->data + r->pos, run - r->pos);
          r->pos = run;
          continue;
        }

      if (++r->pos >= r->len)
        return syntax_failed (r, start, _("unterminated string"));

      switch (r->data[r->pos])
        {
        case '"':  append_c (out, '"');  break;
        case '\\': append_c (out, '\\'); break;
        case '/':  append_c (out, '/');  break;
        case 'b':  append_c (out, '\b'); break;
        case 'f':  append_c (out, '\f'); break;
        case 'n':  append_c (out, '\n'); break;
        case 'r':  append_c (out, '\r'); break;
        case 't':  append_c (out, '\t'); break;
        case 'u':
          {
            gsize at = r->pos - 1;
            guint unit, low;
            gunichar ch;

            if (!read_hex4 (r, r->pos + 1, &unit))
              return syntax_failed (r, at, _("incomplete \\u escape"));
            r->pos += 4;
            if (unit == 0)
              return syntax_failed (r, at, _("NUL character inside a string"));

            if (unit >= 0xd800 && unit <= 0xdbff)
              {
                /* A high surrogate must be followed by its low half. */
                if (r->len - r->pos < 7 || r->data[r->pos + 1] != '\\' || r->data[r->pos + 2] != 'u' ||
                    !read_hex4 (r, r->pos + 3, &low) || low < 0xdc00 || low > 0xdfff)
                  return syntax_failed (r, at, _("unpaired surrogate in a \\u escape"));
                r->pos += 6;
                ch = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
              }
            else if (unit >= 0xdc00 && unit <= 0xdfff)
              return syntax_failed (r, at, _("unpaired surrogate in a \\u escape"));
            else
              ch = unit;

            if (out != NULL)
              g_string_append_unichar (out, ch);
          }
          break;
        default:
          return syntax_failed (r, r->pos, _("invalid escape in a string"));
        }
      r->pos++;
    }
}

static char *
read_string (AirJsonReader *r)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (!air_json_reader_read_string_into (r, out))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* RFC 8259 numbers only (no hex, no leading zeros or dots, no "1."), and an
 * integer must fit in 64 bits: wrapping -18446744073709551615 to 1, as
 * json-glib does, would let a peer pass any range check. */
gboolean
air_json_reader_scan_number (AirJsonReader       *r,
                             AirJsonValue *value)
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
    return syntax_failed (r, start, _("invalid number"));

  if (i < r->len && r->data[i] == '.')
    {
      integer = FALSE;
      if (++i >= r->len || !g_ascii_isdigit (r->data[i]))
        return syntax_failed (r, start, _("invalid number"));
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
        return syntax_failed (r, start, _("invalid number"));
      while (i < r->len && g_ascii_isdigit (r->data[i]))
        i++;
    }

  if (i < r->len && (g_ascii_isalnum (r->data[i]) || r->data[i] == '.'))
    return syntax_failed (r, start, _("invalid number"));

  if (i - start >= sizeof token)
    return syntax_failed (r, start, _("number out of range"));

  memcpy (token, r->data + start, i - start);
  token[i - start] = '\0';
  r->pos = i;

  if (integer)
    {
      value->type = AIR_JSON_INT;
      if (!g_ascii_string_to_signed (token, 10, G_MININT64, G_MAXINT64, &value->integer, NULL))
        return syntax_failed (r, start, _("number out of range"));
    }
  else
    {
      value->type = AIR_JSON_DOUBLE;
      value->number = g_ascii_strtod (token, NULL);
      if (!isfinite (value->number))
        return syntax_failed (r, start, _("number out of range"));
    }
  return TRUE;
}

/* true, false or null; anything else is an error. */
gboolean
air_json_reader_scan_literal (AirJsonReader       *r,
                              AirJsonValue *value)
{
  static const char * const literals[] = { "true", "false", "null" };

  for (guint k = 0; k < G_N_ELEMENTS (literals); k++)
    {
      gsize n = strlen (literals[k]);

      if (r->len - r->pos >= n && memcmp (r->data + r->pos, literals[k], n) == 0 &&
          (r->len - r->pos == n || !g_ascii_isalnum (r->data[r->pos + n])))
        {
          r->pos += n;
          value->type = k == 2 ? AIR_JSON_NULL : AIR_JSON_BOOL;
          value->boolean = k == 0;
          return TRUE;
        }
    }
  if (r->data[r->pos] == ']' || r->data[r->pos] == '}')
    return syntax_failed (r, r->pos, _("unbalanced bracket"));
  return syntax_failed (r, r->pos, _("unexpected character"));
}

static JsonNode *
read_object (AirJsonReader *r,
             int     depth)
{
  g_autoptr(JsonObject) object = json_object_new ();

  r->pos++;
  air_json_reader_skip_space (r);
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

      air_json_reader_skip_space (r);
      at = r->pos;
      if (r->pos >= r->len || r->data[r->pos] != '"')
        return air_json_reader_syntax_error (r, r->pos, _("expected a member name"));
      name = read_string (r);
      if (name == NULL)
        return NULL;
      /* Two readers of one message must never disagree on its meaning. */
      if (json_object_has_member (object, name))
        return air_json_reader_syntax_error (r, at, _("duplicate member"));

      air_json_reader_skip_space (r);
      if (r->pos >= r->len || r->data[r->pos] != ':')
        return air_json_reader_syntax_error (r, r->pos, _("expected “:”"));
      r->pos++;

      value = air_json_reader_read_value (r, depth);
      if (value == NULL)
        return NULL;
      json_object_set_member (object, name, value);

      air_json_reader_skip_space (r);
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
      return air_json_reader_syntax_error (r, r->pos, _("expected “,” or “}”"));
    }
}

static JsonNode *
read_array (AirJsonReader *r,
            int     depth)
{
  g_autoptr(JsonArray) array = json_array_new ();

  r->pos++;
  air_json_reader_skip_space (r);
  if (r->pos < r->len && r->data[r->pos] == ']')
    {
      r->pos++;
      return json_node_init_array (json_node_alloc (), array);
    }

  for (;;)
    {
      JsonNode *value = air_json_reader_read_value (r, depth);

      if (value == NULL)
        return NULL;
      json_array_add_element (array, value);

      air_json_reader_skip_space (r);
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
      return air_json_reader_syntax_error (r, r->pos, _("expected “,” or “]”"));
    }
}

JsonNode *
air_json_reader_read_value (AirJsonReader *r,
                            int     depth)
{
  AirJsonValue value = { AIR_JSON_NULL, };

  air_json_reader_skip_space (r);
  if (r->pos >= r->len)
    return air_json_reader_syntax_error (r, r->pos, _("expected a value"));

  switch (r->data[r->pos])
    {
    case '{':
    case '[':
      if (depth + 1 > AIR_JSON_MAX_DEPTH)
        return air_json_reader_too_deep (r);
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
      if (!air_json_reader_scan_number (r, &value))
        return NULL;
      if (value.type == AIR_JSON_INT)
        return json_node_init_int (json_node_alloc (), value.integer);
      return json_node_init_double (json_node_alloc (), value.number);

    default:
      if (!air_json_reader_scan_literal (r, &value))
        return NULL;
      if (value.type == AIR_JSON_NULL)
        return json_node_init_null (json_node_alloc ());
      return json_node_init_boolean (json_node_alloc (), value.boolean);
    }
}

/* The checks on a whole message before any of it is read. */
gboolean
air_json_reader_start (AirJsonReader      *r,
                       const char  *data,
                       gsize        len,
                       gsize        max_len,
                       GError     **error)
{
  *r = (AirJsonReader) { data, len, 0, error };

  if (len > max_len)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Message of %lu bytes is larger than the limit of %lu"),
                   (unsigned long) len, (unsigned long) max_len);
      return FALSE;
    }

  air_json_reader_skip_space (r);
  if (r->pos == len)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("Empty message"));
      return FALSE;
    }

  if (memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Message contains a NUL byte"));
      return FALSE;
    }

  if (!g_utf8_validate_len (data, len, NULL))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Message is not valid UTF-8"));
      return FALSE;
    }

  return TRUE;
}

/* Nothing but space may follow the one value of a message. */
gboolean
air_json_reader_end (AirJsonReader *r)
{
  char c;

  air_json_reader_skip_space (r);
  if (r->pos == r->len)
    return TRUE;

  c = r->data[r->pos];
  if (c == ']' || c == '}')
    return syntax_failed (r, r->pos, _("unbalanced bracket"));
  if (strchr ("{[\"-0123456789", c) != NULL)
    return syntax_failed (r, r->pos, _("more than one value"));
  return syntax_failed (r, r->pos, _("unexpected character"));
}

JsonNode *
air_json_parse (const char  *data,
                gsize        len,
                gsize        max_len,
                GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  AirJsonReader reader;

  if (!air_json_reader_start (&reader, data, len, max_len, error))
    return NULL;

  root = air_json_reader_read_value (&reader, 0);
  if (root == NULL || !air_json_reader_end (&reader))
    return NULL;

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
