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

static gboolean
syntax_failed (Reader     *r,
               gsize       offset,
               const char *what)
{
  syntax_error (r, offset, what);
  return FALSE;
}

static gpointer
too_deep (Reader *r)
{
  if (r->error != NULL && *r->error == NULL)
    g_set_error (r->error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                 _("Message nested deeper than %d levels"), AIR_JSON_MAX_DEPTH);
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

static void
append_c (GString *out,
          char     c)
{
  if (out != NULL)
    g_string_append_c (out, c);
}

/* Decodes the string at r->pos (its opening quote) and appends it to @out,
 * or only checks it when @out is NULL. */
static gboolean
read_string_into (Reader  *r,
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
read_string (Reader *r)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (!read_string_into (r, out))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* RFC 8259 numbers only (no hex, no leading zeros or dots, no "1."), and an
 * integer must fit in 64 bits: wrapping -18446744073709551615 to 1, as
 * json-glib does, would let a peer pass any range check. */
static gboolean
scan_number (Reader       *r,
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
static gboolean
scan_literal (Reader       *r,
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
  AirJsonValue value = { AIR_JSON_NULL, };

  skip_space (r);
  if (r->pos >= r->len)
    return syntax_error (r, r->pos, _("expected a value"));

  switch (r->data[r->pos])
    {
    case '{':
    case '[':
      if (depth + 1 > AIR_JSON_MAX_DEPTH)
        return too_deep (r);
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
      if (!scan_number (r, &value))
        return NULL;
      if (value.type == AIR_JSON_INT)
        return json_node_init_int (json_node_alloc (), value.integer);
      return json_node_init_double (json_node_alloc (), value.number);

    default:
      if (!scan_literal (r, &value))
        return NULL;
      if (value.type == AIR_JSON_NULL)
        return json_node_init_null (json_node_alloc ());
      return json_node_init_boolean (json_node_alloc (), value.boolean);
    }
}

/* The checks on a whole message before any of it is read. */
static gboolean
reader_start (Reader      *r,
              const char  *data,
              gsize        len,
              gsize        max_len,
              GError     **error)
{
  *r = (Reader) { data, len, 0, error };

  if (len > max_len)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Message of %lu bytes is larger than the limit of %lu"),
                   (unsigned long) len, (unsigned long) max_len);
      return FALSE;
    }

  skip_space (r);
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
static gboolean
reader_end (Reader *r)
{
  char c;

  skip_space (r);
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
  Reader reader;

  if (!reader_start (&reader, data, len, max_len, error))
    return NULL;

  root = read_value (&reader, 0);
  if (root == NULL || !reader_end (&reader))
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

/* The cursor: the same reader, walked by the caller instead of building a
 * tree, for messages so large that the tree's allocations would dominate
 * (a zone's List). */

#define FEW_NAMES 16

typedef struct {
  GString    *names;     /* members seen in this object, each NUL-terminated */
  guint       n_names;
  GHashTable *many;      /* the same, once a linear search would be slow */
  guint       n_items;   /* members or elements read so far */
} Level;

struct _AirJsonCursor {
  Reader    reader;
  int       depth;
  Level     levels[AIR_JSON_MAX_DEPTH + 1];
  GString  *name;
  GString  *strings;   /* every string read, each NUL-terminated */
  gboolean  failed;
};

AirJsonCursor *
air_json_cursor_new (const char  *data,
                     gsize        len,
                     gsize        max_len,
                     GError     **error)
{
  AirJsonCursor *self = g_new0 (AirJsonCursor, 1);

  if (!reader_start (&self->reader, data, len, max_len, error))
    {
      air_json_cursor_free (self);
      return NULL;
    }
  self->name = g_string_new (NULL);
  /* A string decoded with its NUL is never longer than it was quoted, so
   * this never grows and the strings handed out never move. */
  self->strings = g_string_sized_new (len + 1);
  return self;
}

void
air_json_cursor_free (AirJsonCursor *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (self->levels); i++)
    {
      if (self->levels[i].names != NULL)
        g_string_free (self->levels[i].names, TRUE);
      g_clear_pointer (&self->levels[i].many, g_hash_table_unref);
    }
  if (self->name != NULL)
    g_string_free (self->name, TRUE);
  if (self->strings != NULL)
    g_string_free (self->strings, TRUE);
  g_free (self);
}

/* Every step after a failure fails too, so callers check once. */
static gboolean
cursor_begin (AirJsonCursor  *self,
              GError        **error)
{
  self->reader.error = error;
  return !self->failed;
}

static gboolean
cursor_fail (AirJsonCursor *self)
{
  self->failed = TRUE;
  return FALSE;
}

gboolean
air_json_cursor_failed (AirJsonCursor *self)
{
  return self->failed;
}

AirJsonType
air_json_cursor_peek (AirJsonCursor *self)
{
  Reader *r = &self->reader;

  skip_space (r);
  if (r->pos >= r->len)
    return AIR_JSON_NULL;

  switch (r->data[r->pos])
    {
    case '{': return AIR_JSON_OBJECT;
    case '[': return AIR_JSON_ARRAY;
    case '"': return AIR_JSON_STRING;
    case 't': case 'f': return AIR_JSON_BOOL;
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return AIR_JSON_INT;
    default: return AIR_JSON_NULL;
    }
}

gboolean
air_json_cursor_enter (AirJsonCursor  *self,
                       GError        **error)
{
  AirJsonType type;
  Level *level;

  if (!cursor_begin (self, error))
    return FALSE;

  type = air_json_cursor_peek (self);
  g_return_val_if_fail (type == AIR_JSON_OBJECT || type == AIR_JSON_ARRAY, cursor_fail (self));

  if (self->depth + 1 > AIR_JSON_MAX_DEPTH)
    return (too_deep (&self->reader), cursor_fail (self));

  self->reader.pos++;
  level = &self->levels[++self->depth];
  level->n_items = 0;
  level->n_names = 0;
  if (level->names == NULL)
    level->names = g_string_new (NULL);
  g_string_truncate (level->names, 0);
  g_clear_pointer (&level->many, g_hash_table_unref);
  return TRUE;
}

/* Two readers of one message must never disagree on its meaning. */
static gboolean
level_add_name (Level      *level,
                const char *name)
{
  if (level->many == NULL)
    {
      for (gsize at = 0; at < level->names->len; at += strlen (level->names->str + at) + 1)
        if (strcmp (level->names->str + at, name) == 0)
          return FALSE;

      if (++level->n_names <= FEW_NAMES)
        {
          g_string_append_len (level->names, name, strlen (name) + 1);
          return TRUE;
        }

      level->many = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (gsize at = 0; at < level->names->len; at += strlen (level->names->str + at) + 1)
        g_hash_table_add (level->many, g_strdup (level->names->str + at));
    }

  return g_hash_table_add (level->many, g_strdup (name));
}

/* Steps over the separator to the next item (TRUE), or out of the
 * container at its end (FALSE, as on failure). */
static gboolean
next_item (AirJsonCursor  *self,
           char            close,
           GError        **error)
{
  Reader *r = &self->reader;
  Level *level;

  if (!cursor_begin (self, error))
    return FALSE;
  g_return_val_if_fail (self->depth > 0, cursor_fail (self));
  level = &self->levels[self->depth];

  skip_space (r);
  if (r->pos < r->len && r->data[r->pos] == close)
    {
      r->pos++;
      self->depth--;
      return FALSE;
    }

  if (level->n_items > 0)
    {
      if (r->pos >= r->len || r->data[r->pos] != ',')
        return (syntax_error (r, r->pos, close == '}' ? _("expected “,” or “}”") : _("expected “,” or “]”")),
                cursor_fail (self));
      r->pos++;
    }

  level->n_items++;
  return TRUE;
}

gboolean
air_json_cursor_next_member (AirJsonCursor  *self,
                             const char    **name,
                             GError        **error)
{
  Reader *r = &self->reader;
  gsize at;

  if (!next_item (self, '}', error))
    return FALSE;

  skip_space (r);
  at = r->pos;
  if (r->pos >= r->len || r->data[r->pos] != '"')
    return (syntax_error (r, r->pos, _("expected a member name")), cursor_fail (self));

  g_string_truncate (self->name, 0);
  if (!read_string_into (r, self->name))
    return cursor_fail (self);
  if (!level_add_name (&self->levels[self->depth], self->name->str))
    return (syntax_error (r, at, _("duplicate member")), cursor_fail (self));

  skip_space (r);
  if (r->pos >= r->len || r->data[r->pos] != ':')
    return (syntax_error (r, r->pos, _("expected “:”")), cursor_fail (self));
  r->pos++;

  *name = self->name->str;
  return TRUE;
}

gboolean
air_json_cursor_next_element (AirJsonCursor  *self,
                              GError        **error)
{
  return next_item (self, ']', error);
}

gboolean
air_json_cursor_read (AirJsonCursor  *self,
                      AirJsonValue   *value,
                      GError        **error)
{
  Reader *r = &self->reader;

  *value = (AirJsonValue) { AIR_JSON_NULL, };
  if (!cursor_begin (self, error))
    return FALSE;

  skip_space (r);
  if (r->pos >= r->len)
    return (syntax_error (r, r->pos, _("expected a value")), cursor_fail (self));

  switch (r->data[r->pos])
    {
    case '{':
    case '[':
      {
        /* Read whole, with every check, but not kept. */
        g_autoptr(JsonNode) node = NULL;

        value->type = r->data[r->pos] == '{' ? AIR_JSON_OBJECT : AIR_JSON_ARRAY;
        node = read_value (r, self->depth);
        return node != NULL || cursor_fail (self);
      }

    case '"':
      {
        const char *base = self->strings->str;
        gsize start = self->strings->len;

        if (!read_string_into (r, self->strings))
          return cursor_fail (self);
        g_string_append_c (self->strings, '\0');
        g_assert (self->strings->str == base);
        value->type = AIR_JSON_STRING;
        value->string = self->strings->str + start;
        return TRUE;
      }

    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return scan_number (r, value) || cursor_fail (self);

    default:
      return scan_literal (r, value) || cursor_fail (self);
    }
}

gboolean
air_json_cursor_finish (AirJsonCursor  *self,
                        GError        **error)
{
  if (!cursor_begin (self, error))
    return FALSE;
  g_return_val_if_fail (self->depth == 0, cursor_fail (self));
  return reader_end (&self->reader) || cursor_fail (self);
}

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
