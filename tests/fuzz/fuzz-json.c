/* fuzz-json.c — libFuzzer target: air_json_parse(), air_json_parse_object()
 * and the cursor
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-json"

#include "config.h"

#include <string.h>

#include "air-json.h"
#include "fuzz-common.h"

/* json-glib 1.6 writes a double such as 1e30 as "1e+30.0", which is not
 * JSON: our own messages carry no doubles, so the round trip is checked on
 * documents without them. */
static gboolean
has_double (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node))
    return json_node_get_value_type (node) == G_TYPE_DOUBLE;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (has_double (json_array_get_element (array, i)))
          return TRUE;
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        if (has_double (member))
          return TRUE;
    }

  return FALSE;
}

/* The cursor walks what the tree reader reads; a message one of them takes
 * and the other refuses would let two parts of Qubes Air see two messages. */
static gboolean
walk (AirJsonCursor *cursor,
      GError       **error)
{
  AirJsonType type = air_json_cursor_peek (cursor);
  const char *member;
  AirJsonValue value;

  if (type != AIR_JSON_OBJECT && type != AIR_JSON_ARRAY)
    {
      if (!air_json_cursor_read (cursor, &value, error))
        return FALSE;
      FUZZ_CHECK (value.type != AIR_JSON_STRING || g_utf8_validate (value.string, -1, NULL));
      return TRUE;
    }

  if (!air_json_cursor_enter (cursor, error))
    return FALSE;
  if (type == AIR_JSON_OBJECT)
    while (air_json_cursor_next_member (cursor, &member, error))
      {
        if (!walk (cursor, error))
          return FALSE;
      }
  else
    while (air_json_cursor_next_element (cursor, error))
      if (!walk (cursor, error))
        return FALSE;
  return !air_json_cursor_failed (cursor);
}

static gboolean
cursor_accepts (const char *data,
                size_t      size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirJsonCursor) cursor = air_json_cursor_new (data, size, AIR_JSON_MAX_MESSAGE, &error);
  gboolean ok = cursor != NULL && walk (cursor, &error) && air_json_cursor_finish (cursor, &error);

  FUZZ_CHECK (ok == (error == NULL));
  return ok;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) object = NULL;

  fuzz_init ();

  node = air_json_parse ((const char *) data, size, AIR_JSON_MAX_MESSAGE, &error);
  FUZZ_CHECK ((node == NULL) != (error == NULL));
  if (cursor_accepts ((const char *) data, size) != (node != NULL))
    FUZZ_FAIL ("the cursor and the tree reader disagree (tree: %s)", error ? error->message : "ok");

  if (node != NULL && !has_double (node))
    {
      g_autofree char *text = air_json_to_string (node);
      g_autoptr(GError) again_error = NULL;
      g_autoptr(JsonNode) again = air_json_parse (text, strlen (text), G_MAXSIZE, &again_error);

      if (again == NULL)
        FUZZ_FAIL ("re-parsing our own output failed: %s", again_error->message);
      FUZZ_CHECK (json_node_equal (node, again));
    }

  g_clear_error (&error);
  object = air_json_parse_object ((const char *) data, size, AIR_JSON_MAX_LINE, &error);
  FUZZ_CHECK ((object == NULL) != (error == NULL));

  return 0;
}
