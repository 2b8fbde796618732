/* air-json-cursor.c
 *
 * A message walked member by member, with air-json.c's strict reader:
 * no tree is built, for messages so large that its allocations would
 * dominate (a zone's List).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-json"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-json.h"
#include "air-json-reader.h"

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
  AirJsonReader    reader;
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

  if (!air_json_reader_start (&self->reader, data, len, max_len, error))
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
  AirJsonReader *r = &self->reader;

  air_json_reader_skip_space (r);
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
    return (air_json_reader_too_deep (&self->reader), cursor_fail (self));

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
  AirJsonReader *r = &self->reader;
  Level *level;

  if (!cursor_begin (self, error))
    return FALSE;
  g_return_val_if_fail (self->depth > 0, cursor_fail (self));
  level = &self->levels[self->depth];

  air_json_reader_skip_space (r);
  if (r->pos < r->len && r->data[r->pos] == close)
    {
      r->pos++;
      self->depth--;
      return FALSE;
    }

  if (level->n_items > 0)
    {
      if (r->pos >= r->len || r->data[r->pos] != ',')
        return (air_json_reader_syntax_error (r, r->pos, close == '}' ? _("expected “,” or “}”") : _("expected “,” or “]”")),
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
  AirJsonReader *r = &self->reader;
  gsize at;

  if (!next_item (self, '}', error))
    return FALSE;

  air_json_reader_skip_space (r);
  at = r->pos;
  if (r->pos >= r->len || r->data[r->pos] != '"')
    return (air_json_reader_syntax_error (r, r->pos, _("expected a member name")), cursor_fail (self));

  g_string_truncate (self->name, 0);
  if (!air_json_reader_read_string_into (r, self->name))
    return cursor_fail (self);
  if (!level_add_name (&self->levels[self->depth], self->name->str))
    return (air_json_reader_syntax_error (r, at, _("duplicate member")), cursor_fail (self));

  air_json_reader_skip_space (r);
  if (r->pos >= r->len || r->data[r->pos] != ':')
    return (air_json_reader_syntax_error (r, r->pos, _("expected “:”")), cursor_fail (self));
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
  AirJsonReader *r = &self->reader;

  *value = (AirJsonValue) { AIR_JSON_NULL, };
  if (!cursor_begin (self, error))
    return FALSE;

  air_json_reader_skip_space (r);
  if (r->pos >= r->len)
    return (air_json_reader_syntax_error (r, r->pos, _("expected a value")), cursor_fail (self));

  switch (r->data[r->pos])
    {
    case '{':
    case '[':
      {
        /* Read whole, with every check, but not kept. */
        g_autoptr(JsonNode) node = NULL;

        value->type = r->data[r->pos] == '{' ? AIR_JSON_OBJECT : AIR_JSON_ARRAY;
        node = air_json_reader_read_value (r, self->depth);
        return node != NULL || cursor_fail (self);
      }

    case '"':
      {
        const char *base = self->strings->str;
        gsize start = self->strings->len;

        if (!air_json_reader_read_string_into (r, self->strings))
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
      return air_json_reader_scan_number (r, value) || cursor_fail (self);

    default:
      return air_json_reader_scan_literal (r, value) || cursor_fail (self);
    }
}

gboolean
air_json_cursor_finish (AirJsonCursor  *self,
                        GError        **error)
{
  if (!cursor_begin (self, error))
    return FALSE;
  g_return_val_if_fail (self->depth == 0, cursor_fail (self));
  return air_json_reader_end (&self->reader) || cursor_fail (self);
}

/**
 * air_json_cursor_read_members:
 * @names: (array length=n_names): the members wanted
 * @values: (array length=n_names): where each goes; one absent stays
 *   AIR_JSON_NULL
 *
 * Reads the object the cursor is on whole: each member of @names into
 * @values, the others checked and dropped. A member given twice counts
 * as it is last given.
 */
gboolean
air_json_cursor_read_members (AirJsonCursor       *self,
                              const char * const  *names,
                              guint                n_names,
                              AirJsonValue        *values,
                              GError             **error)
{
  const char *member;

  for (guint i = 0; i < n_names; i++)
    values[i] = (AirJsonValue) { AIR_JSON_NULL, };
  if (!air_json_cursor_enter (self, error))
    return FALSE;
  while (air_json_cursor_next_member (self, &member, error))
    {
      AirJsonValue unknown;
      guint i;

      for (i = 0; i < n_names; i++)
        if (strcmp (member, names[i]) == 0)
          break;
      if (!air_json_cursor_read (self, i < n_names ? &values[i] : &unknown, error))
        return FALSE;
    }
  return !air_json_cursor_failed (self);
}
