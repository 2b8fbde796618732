/* test-json.c — strict parsing of JSON from a peer, and the bounded getters
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test-json"

#include "config.h"

#include <string.h>

#include "air-error.h"
#include "test-util.h"
#include "air-json.h"

#define LIMIT (1024 * 1024)

static JsonNode *
parse (const char  *text,
       GError     **error)
{
  return air_json_parse (text, strlen (text), LIMIT, error);
}

static void
assert_refused (const char *text,
                gsize       len,
                const char *expect)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = air_json_parse (text, len, LIMIT, &error);

  g_assert_null (node);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  if (expect != NULL && strstr (error->message, expect) == NULL)
    g_error ("message “%s” does not contain “%s”", error->message, expect);
}

static void
test_valid (void)
{
  static const char * const valid[] = {
    "{}", "[]", "1", "-1", "0", "-0", "1.5", "1e3", "1E-3", "-0.25e+2", "true", "false", "null",
    "\"string\"", "\"\"", " \t\r\n{ \"a\" : [ 1 , 2 ] } \n",
    "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}",
    "{\"a\":\"caf\xc3\xa9\"}",
    "[9223372036854775807,-9223372036854775808]",
    "[[[[[[[[1]]]]]]]]",                                  /* depth 8: the limit */
    "{\"[\":\"{{{{{{{{{{{{\",\"\\\"[[[[[[[[[[[[\":1}",     /* brackets in strings */
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      test_note ("valid", i, valid[i]);
      node = parse (valid[i], &error);
      g_assert_no_error (error);
      g_assert_nonnull (node);
    }
}

static void
test_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = parse ("{\"a\":\"x\\u00e9\\n\",\"b\":-42,\"c\":[true,null]}", &error);
  JsonObject *object;

  g_assert_no_error (error);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "a"), ==, "x\xc3\xa9\n");
  g_assert_cmpint (json_object_get_int_member (object, "b"), ==, -42);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "c")), ==, 2);
}

typedef struct {
  const char *text;
  const char *expect;
} Refused;

static void
test_malformed (void)
{
  static const Refused refused[] = {
    { "{", NULL },
    { "[1,2", NULL },
    { "{\"a\":", NULL },
    { "{\"a\":\"unterminated", "unterminated string" },
    { "\"\\", "unterminated string" },
    { "[1,]", NULL },
    { "{\"a\":1,}", NULL },
    { "{a:1}", "member name" },
    { "['single']", "unexpected character" },
    { "{'a':1}", "member name" },
    { "{\"a\":1,\"a\":2}", "duplicate member" },
    { "{\"a\" 1}", "expected “:”" },
    { "[1 2]", "expected “,” or “]”" },
    { "{\"a\":1 \"b\":2}", "expected “,” or “}”" },
    { "[\"\\udc00\"]", "surrogate" },
    { "[\"\\ud800\\u0041\"]", "surrogate" },
    { "/* comment */ []", "unexpected character" },
    { "// comment\n[]", "unexpected character" },
    { "# comment\n[]", "unexpected character" },
    { "[1] [2]", "more than one value" },
    { "{} x", "unexpected character" },
    { "1 2", "more than one value" },
    { "[1]]", "unbalanced bracket" },
    { "]", "unbalanced bracket" },
    { "[}", NULL },
    { "{]", NULL },
    { "[TRUE]", "unexpected character" },
    { "[nul]", "unexpected character" },
    { "[truefalse]", "unexpected character" },
    { "[NaN]", "unexpected character" },
    { "[Infinity]", "unexpected character" },
    { "[-Infinity]", "invalid number" },
    { "[0x10]", "invalid number" },
    { "[01]", "invalid number" },
    { "[00]", "invalid number" },
    { "[.5]", "unexpected character" },
    { "[1.]", "invalid number" },
    { "[1.e5]", "invalid number" },
    { "[1e]", "invalid number" },
    { "[1e+]", "invalid number" },
    { "[+1]", "unexpected character" },
    { "[-]", "invalid number" },
    { "[--1]", "invalid number" },
    { "[1a]", "invalid number" },
    { "[\"tab\there\"]", "control character" },
    { "[\"new\nline\"]", "control character" },
    { "[\"esc\x1b\"]", "control character" },
    { "[\"\\x41\"]", "invalid escape" },
    { "[\"\\'\"]", "invalid escape" },
    { "[\"\\u12\"]", "incomplete" },
    { "[\"\\u12g4\"]", "incomplete" },
    { "[\"\\u0000\"]", "NUL" },
    { "[\"a\\u0000b\"]", "NUL" },
    { "[\"\\ud800\"]", NULL },                  /* a lone surrogate */
    { "\xef\xbb\xbf[]", "unexpected character" },  /* a byte-order mark */
    { "[\xc2\xa0]", "unexpected character" },      /* no-break space */
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      test_note ("refused", i, refused[i].text);
      assert_refused (refused[i].text, strlen (refused[i].text), refused[i].expect);
    }
}

static void
test_message_valid_utf8 (void)
{
  g_autoptr(GString) text = g_string_new ("{\"");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  /* json-glib quotes the offending token cut at a byte count, which can
   * split a character: the message must still be valid UTF-8. */
  for (guint i = 0; i < 100; i++)
    g_string_append (text, "\xc3\xa9");
  g_string_append (text, "\" 1}");

  node = parse (text->str, &error);
  g_assert_null (node);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (g_utf8_strlen (error->message, -1), <=, 250);
}

static void
test_empty (void)
{
  assert_refused ("", 0, "Empty");
  assert_refused ("   \n\t ", 6, "Empty");
  assert_refused ("{}", 0, "Empty");
}

static void
test_nul (void)
{
  static const char with_nul[] = "{\"a\":\"x\0y\"}";
  static const char trailing_nul[] = "{}\0";

  assert_refused (with_nul, sizeof with_nul - 1, "NUL");
  assert_refused (trailing_nul, sizeof trailing_nul - 1, "NUL");
}

static void
test_bad_utf8 (void)
{
  static const char * const bad[] = {
    "[\"\xff\"]",
    "[\"\xc3\"]",             /* truncated sequence */
    "[\"\xc0\xaf\"]",         /* overlong */
    "[\"\xed\xa0\x80\"]",     /* encoded surrogate */
    "[\"\xf4\x90\x80\x80\"]", /* beyond U+10FFFF */
    "\xfe[]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_refused (bad[i], strlen (bad[i]), "UTF-8");
}

static void
test_numbers_out_of_range (void)
{
  static const char * const out_of_range[] = {
    "[9223372036854775808]",
    "[-9223372036854775809]",
    "[18446744073709551615]",
    "[18446744073709551621]",       /* json-glib would wrap this to -1 */
    "[-18446744073709551615]",      /* … and this to 1 */
    "[99999999999999999999999999999999]",
    "[1e999]",
    "[-1e999]",
    "[1e400]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (out_of_range); i++)
    {
      test_note ("out of range", i, out_of_range[i]);
      assert_refused (out_of_range[i], strlen (out_of_range[i]), "out of range");
    }
}

static void
test_long_number (void)
{
  g_autoptr(GString) text = g_string_new ("[0.");

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '1');
  g_string_append_c (text, ']');
  assert_refused (text->str, text->len, "out of range");
}

static void
test_deep_nesting (void)
{
  static const char * const openers[] = { "[", "{\"a\":", "[{\"a\":" };

  assert_refused ("[[[[[[[[[1]]]]]]]]]", 19, "nested deeper");

  for (guint k = 0; k < G_N_ELEMENTS (openers); k++)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < 100000; i++)
        g_string_append (text, openers[k]);
      assert_refused (text->str, text->len, "nested deeper");
    }
}

/* Ways json-glib's lenient lexer could hide brackets from a naive depth
 * count: these crashed the parser (stack overflow) before the strict scan. */
static void
test_hidden_nesting (void)
{
  static const char * const prefixes[] = {
    "/* \" */ ", "['\"', ", "// \"\n", "[\"\\\"\", ",
  };

  for (guint k = 0; k < G_N_ELEMENTS (prefixes); k++)
    {
      g_autoptr(GString) text = g_string_new (prefixes[k]);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      for (guint i = 0; i < 1000000; i++)
        g_string_append_c (text, '[');
      node = air_json_parse (text->str, text->len, AIR_JSON_MAX_MESSAGE, &error);
      g_assert_null (node);
      g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
    }
}

static void
test_oversized (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new ("[\"");
  g_autoptr(JsonNode) node = NULL;

  while (text->len < 1000)
    g_string_append_c (text, 'x');
  g_string_append (text, "\"]");

  node = air_json_parse (text->str, text->len, 999, &error);
  g_assert_null (node);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "larger than the limit"));
  g_clear_error (&error);

  node = air_json_parse (text->str, text->len, text->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
}

static void
test_parse_object (void)
{
  static const char * const not_objects[] = { "[]", "1", "\"s\"", "null", "true" };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (not_objects); i++)
    {
      g_autoptr(JsonObject) none = air_json_parse_object (not_objects[i], strlen (not_objects[i]),
                                                          LIMIT, &error);
      g_assert_null (none);
      g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "not a JSON object"));
      g_clear_error (&error);
    }

  object = air_json_parse_object ("{\"a\":1}", 7, LIMIT, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (object, "a"));
}

static JsonObject *
object_from (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = air_json_parse_object (text, strlen (text), LIMIT, &error);

  g_assert_no_error (error);
  return object;
}

static void
test_get_string (void)
{
  g_autoptr(JsonObject) object = object_from ("{\"s\":\"h\xc3\xa9llo\",\"n\":1,\"b\":true,\"z\":null,"
                                              "\"a\":[],\"o\":{},\"e\":\"\"}");
  g_autoptr(GError) error = NULL;
  const char *out = NULL;

  g_assert_true (air_json_get_string (object, "s", 5, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "h\xc3\xa9llo");

  /* Characters are counted, not bytes. */
  g_assert_false (air_json_get_string (object, "s", 4, &out, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "“s” is longer than 4"));
  g_clear_error (&error);

  g_assert_true (air_json_get_string (object, "e", 5, &out, &error));
  g_assert_cmpstr (out, ==, "");

  g_assert_false (air_json_get_string (object, "missing", 5, &out, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "“missing” is missing"));
  g_clear_error (&error);

  g_assert_false (air_json_get_string (object, "z", 5, &out, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_clear_error (&error);

  for (guint i = 0; i < 4; i++)
    {
      const char *member = (const char *[]) { "n", "b", "a", "o" }[i];

      g_assert_false (air_json_get_string (object, member, 5, &out, &error));
      g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "must be a string"));
      g_clear_error (&error);
    }

  g_assert_true (air_json_get_opt_string (object, "missing", 5, "fallback", &out, &error));
  g_assert_cmpstr (out, ==, "fallback");
  g_assert_true (air_json_get_opt_string (object, "z", 5, "fallback", &out, &error));
  g_assert_cmpstr (out, ==, "fallback");
  g_assert_true (air_json_get_opt_string (object, "missing", 5, NULL, &out, &error));
  g_assert_null (out);
  g_assert_no_error (error);
}

static void
test_get_string_long (void)
{
  g_autoptr(GString) text = g_string_new ("{\"s\":\"");
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  const char *out;

  for (guint i = 0; i < 100000; i++)
    g_string_append (text, "\xe2\x82\xac");
  g_string_append (text, "\"}");

  object = object_from (text->str);
  g_assert_false (air_json_get_string (object, "s", AIR_JSON_MAX_STRING, &out, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_true (air_json_get_string (object, "s", 100000, &out, NULL));
}

static void
test_get_int (void)
{
  g_autoptr(JsonObject) object = object_from ("{\"i\":42,\"neg\":-5,\"f\":1.0,\"e\":1e3,\"s\":\"42\","
                                              "\"b\":false,\"z\":null,\"big\":9223372036854775807,"
                                              "\"a\":[1],\"o\":{\"x\":1}}");
  g_autoptr(GError) error = NULL;
  gint64 out = 0;

  g_assert_true (air_json_get_opt_int (object, "i", 0, 100, 7, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out, ==, 42);

  g_assert_true (air_json_get_opt_int (object, "i", 42, 42, 7, &out, &error));
  g_assert_cmpint (out, ==, 42);

  g_assert_true (air_json_get_opt_int (object, "missing", 0, 100, 7, &out, &error));
  g_assert_cmpint (out, ==, 7);
  g_assert_true (air_json_get_opt_int (object, "z", 0, 100, 8, &out, &error));
  g_assert_cmpint (out, ==, 8);

  g_assert_false (air_json_get_opt_int (object, "i", 0, 41, 7, &out, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "“i” is out of range (0 to 41)"));
  g_clear_error (&error);

  g_assert_false (air_json_get_opt_int (object, "neg", 0, 100, 7, &out, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_clear_error (&error);

  g_assert_false (air_json_get_opt_int (object, "big", 0, G_MAXINT32, 7, &out, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_clear_error (&error);

  for (guint i = 0; i < 6; i++)
    {
      const char *member = (const char *[]) { "f", "e", "s", "b", "a", "o" }[i];

      test_note ("wrong type", 0, member);
      g_assert_false (air_json_get_opt_int (object, member, G_MININT64, G_MAXINT64, 7, &out, &error));
      g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "must be an integer"));
      g_clear_error (&error);
    }
}

static void
test_get_bool (void)
{
  g_autoptr(JsonObject) object = object_from ("{\"t\":true,\"f\":false,\"i\":1,\"s\":\"true\",\"z\":null}");
  g_autoptr(GError) error = NULL;
  gboolean out = FALSE;

  g_assert_true (air_json_get_opt_bool (object, "t", FALSE, &out, &error));
  g_assert_true (out);
  g_assert_true (air_json_get_opt_bool (object, "f", TRUE, &out, &error));
  g_assert_false (out);
  g_assert_true (air_json_get_opt_bool (object, "missing", TRUE, &out, &error));
  g_assert_true (out);
  g_assert_true (air_json_get_opt_bool (object, "z", TRUE, &out, &error));
  g_assert_true (out);
  g_assert_no_error (error);

  g_assert_false (air_json_get_opt_bool (object, "i", FALSE, &out, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "must be true or false"));
  g_clear_error (&error);
  g_assert_false (air_json_get_opt_bool (object, "s", FALSE, &out, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
}

static void
test_get_array (void)
{
  g_autoptr(JsonObject) object = object_from ("{\"a\":[1,2,3],\"o\":{},\"s\":\"[]\",\"z\":null}");
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  array = air_json_get_opt_array (object, "a", 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (array), ==, 3);

  array = air_json_get_opt_array (object, "a", 2, &error);
  g_assert_null (array);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "more than 2 entries"));
  g_clear_error (&error);

  g_assert_null (air_json_get_opt_array (object, "missing", 3, &error));
  g_assert_no_error (error);
  g_assert_null (air_json_get_opt_array (object, "z", 3, &error));
  g_assert_no_error (error);

  g_assert_null (air_json_get_opt_array (object, "o", 3, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "must be a list"));
  g_clear_error (&error);
  g_assert_null (air_json_get_opt_array (object, "s", 3, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
}

static void
test_get_strv (void)
{
  g_autoptr(JsonObject) object = object_from ("{\"v\":[\"a\",\"b\xc3\xa9\"],\"e\":[],\"mixed\":[\"a\",1],"
                                              "\"nested\":[[\"a\"]],\"nulls\":[null],\"long\":[\"abcdef\"],"
                                              "\"s\":\"a\"}");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) strv = NULL;

  strv = air_json_get_strv (object, "v", 2, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (strv, ((const char *[]) { "a", "b\xc3\xa9", NULL }));
  g_clear_pointer (&strv, g_strfreev);

  strv = air_json_get_strv (object, "e", 2, 2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strv);
  g_assert_null (strv[0]);
  g_clear_pointer (&strv, g_strfreev);

  /* Missing: NULL without an error. */
  g_assert_null (air_json_get_strv (object, "missing", 2, 2, &error));
  g_assert_no_error (error);

  g_assert_null (air_json_get_strv (object, "v", 1, 2, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_clear_error (&error);

  for (guint i = 0; i < 3; i++)
    {
      const char *member = (const char *[]) { "mixed", "nested", "nulls" }[i];

      g_assert_null (air_json_get_strv (object, member, 10, 10, &error));
      g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "must be strings"));
      g_clear_error (&error);
    }

  g_assert_null (air_json_get_strv (object, "long", 10, 5, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "longer than 5"));
  g_clear_error (&error);

  g_assert_null (air_json_get_strv (object, "s", 10, 5, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
}

static void
test_builder_to_line (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *line = NULL;
  const char *out;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "s");
  json_builder_add_string_value (builder, "multi\nline \"quoted\" \x01 caf\xc3\xa9");
  json_builder_end_object (builder);

  line = air_json_builder_to_line (builder);
  /* One line: the only newline is the terminator. */
  g_assert_true (g_str_has_suffix (line, "\n"));
  g_assert_null (memchr (line, '\n', strlen (line) - 1));

  /* What we write, we read back under the strict rules. */
  object = air_json_parse_object (line, strlen (line) - 1, LIMIT, &error);
  g_assert_no_error (error);
  g_assert_true (air_json_get_string (object, "s", 100, &out, &error));
  g_assert_cmpstr (out, ==, "multi\nline \"quoted\" \x01 caf\xc3\xa9");
}

static void
test_random_bytes (void)
{
  /* Whatever the bytes, an answer and never a crash. */
  static const char alphabet[] = "[]{}\":,0123456789-+.eE\\u/*'tfnrl \n\xc3\xa9\xff";

  for (guint round = 0; round < 20000; round++)
    {
      char text[48];
      gsize len = g_test_rand_int_range (0, sizeof text);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      for (gsize i = 0; i < len; i++)
        text[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];

      node = air_json_parse (text, len, LIMIT, &error);
      g_assert_true ((node == NULL) != (error == NULL));
      if (error != NULL)
        g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
    }
}

/* Escapes decode to the characters they name, surrogate pairs included. */
static void
test_escapes_decode (void)
{
  const char *text = "{\"v\":\"\\ud83d\\ude00 \\u4e2d \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = air_json_parse_object (text, strlen (text), AIR_JSON_MAX_LINE, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (object, "v"), ==, "\xf0\x9f\x98\x80 \xe4\xb8\xad \" \\ / \b\f\n\r\t");
}

/* The direct writer's strings read back, byte for byte, through the
 * strict reader: quotes, backslashes, control bytes and non-ASCII. */
static void
test_append_string_round_trip (void)
{
  const char *values[] = { "", "plain", "q\"uote", "back\\slash", "tab\tnew\nline",
                           "\x01\x1f\x7f", "中文名字", "</script>" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GString) out = g_string_new ("{\"v\":");
      g_autoptr(JsonObject) object = NULL;
      g_autoptr(GError) error = NULL;

      air_json_append_string (out, values[i]);
      g_string_append_c (out, '}');
      object = air_json_parse_object (out->str, out->len, AIR_JSON_MAX_LINE, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (object, "v"), ==, values[i]);
      g_assert_null (strchr (out->str, '\n'));
    }
}

/* Cursor */

static void
test_cursor_walk (void)
{
  const char *text = " {\"name\":\"caf\\u00e9\",\"n\":-42,\"d\":2.5,\"b\":false,\"z\":null,"
                     "\"skip\":{\"x\":[1,{\"y\":2}]},\"list\":[\"a\",[],3]} ";
  g_autoptr(AirJsonCursor) cursor = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  const char *member, *name = NULL;
  AirJsonValue value;

  cursor = air_json_cursor_new (text, strlen (text), LIMIT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (air_json_cursor_peek (cursor), ==, AIR_JSON_OBJECT);
  g_assert_true (air_json_cursor_enter (cursor, &error));

  while (air_json_cursor_next_member (cursor, &member, &error))
    {
      g_string_append_printf (seen, "%s:", member);
      if (strcmp (member, "list") == 0)
        {
          g_assert_true (air_json_cursor_enter (cursor, &error));
          while (air_json_cursor_next_element (cursor, &error))
            {
              g_assert_true (air_json_cursor_read (cursor, &value, &error));
              g_string_append_printf (seen, "%d,", value.type);
            }
          g_string_append_c (seen, ' ');
          continue;
        }

      g_assert_true (air_json_cursor_read (cursor, &value, &error));
      if (strcmp (member, "name") == 0)
        name = value.string;
      if (strcmp (member, "n") == 0)
        g_assert_cmpint (value.integer, ==, -42);
      if (strcmp (member, "d") == 0)
        g_assert_cmpfloat (value.number, ==, 2.5);
      g_string_append_printf (seen, "%d ", value.type);
    }
  g_assert_no_error (error);
  g_assert_false (air_json_cursor_failed (cursor));
  g_assert_true (air_json_cursor_finish (cursor, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (seen->str, ==,
                   "name:1 n:2 d:3 b:4 z:0 skip:5 list:1,6,2, ");
  /* Strings stay as long as the cursor. */
  g_assert_cmpstr (name, ==, "caf\xc3\xa9");
}

/* Read every value of @text with the cursor, as a zone's List is read. */
static gboolean
cursor_read_all (const char  *text,
                 GError     **error)
{
  g_autoptr(AirJsonCursor) cursor = air_json_cursor_new (text, strlen (text), LIMIT, error);
  const char *member;
  AirJsonValue value;

  if (cursor == NULL)
    return FALSE;
  if (air_json_cursor_peek (cursor) != AIR_JSON_OBJECT && air_json_cursor_peek (cursor) != AIR_JSON_ARRAY)
    return air_json_cursor_read (cursor, &value, error) && air_json_cursor_finish (cursor, error);

  if (!air_json_cursor_enter (cursor, error))
    return FALSE;
  if (text[strspn (text, " ")] == '{')
    while (air_json_cursor_next_member (cursor, &member, error))
      air_json_cursor_read (cursor, &value, error);
  else
    while (air_json_cursor_next_element (cursor, error))
      air_json_cursor_read (cursor, &value, error);

  return !air_json_cursor_failed (cursor) && air_json_cursor_finish (cursor, error);
}

static void
test_cursor_refuses (void)
{
  static const struct {
    const char *text;
    const char *expect;
  } bad[] = {
    { "{\"a\":1,}", "expected a member name" },
    { "[1,]", "unbalanced bracket" },
    { "[,1]", "unexpected character" },
    { "[1 2]", "expected “,” or “]”" },
    { "{\"a\":1 \"b\":2}", "expected “,” or “}”" },
    { "{\"a\" 1}", "expected “:”" },
    { "{\"a\":1,\"a\":2}", "duplicate member" },
    { "{\"a\":{\"b\":1,\"b\":1}}", "duplicate member" },
    { "{\"a\":[[[[[[[[1]]]]]]]]}", "nested deeper" },
    { "{\"a\":1}]", "unbalanced bracket" },
    { "{\"a\":1} 2", "more than one value" },
    { "{\"a\":\"x", "unterminated string" },
    { "[01]", "invalid number" },
    { "{\"a\":", "expected a value" },
    { "{", "expected a member name" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      test_note ("bad", i, bad[i].text);
      g_assert_false (cursor_read_all (bad[i].text, &error));
      g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
      if (strstr (error->message, bad[i].expect) == NULL)
        g_error ("message “%s” does not contain “%s”", error->message, bad[i].expect);
    }
}

/* Past a few members the cursor keeps their names in a hash table; the
 * refusal of a repeated one must not depend on where it is. */
static void
test_cursor_many_members (void)
{
  for (guint repeat = 0; repeat < 40; repeat += 13)
    {
      g_autoptr(GString) text = g_string_new ("{");
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < 40; i++)
        g_string_append_printf (text, "\"m%u\":%u,", i, i);
      g_string_append_printf (text, "\"m%u\":0}", repeat);

      g_assert_false (cursor_read_all (text->str, &error));
      g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "duplicate member"));
    }
}

static void
test_cursor_message_checks (void)
{
  static const char nul[] = "{\"a\":\"x\0y\"}";
  g_autoptr(GError) error = NULL;

  g_assert_null (air_json_cursor_new (nul, sizeof nul - 1, LIMIT, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "NUL"));
  g_clear_error (&error);

  g_assert_null (air_json_cursor_new ("{\"a\":\"\xff\"}", 8, LIMIT, &error));
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);

  g_assert_null (air_json_cursor_new ("  ", 2, LIMIT, &error));
  g_assert_nonnull (strstr (error->message, "Empty"));
  g_clear_error (&error);

  g_assert_null (air_json_cursor_new ("{}", 2, 1, &error));
  g_assert_nonnull (strstr (error->message, "larger than the limit"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = test_isolate_dirs ();
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/air/json/valid", test_valid);
  g_test_add_func ("/air/json/append-string", test_append_string_round_trip);
  g_test_add_func ("/air/json/escapes", test_escapes_decode);
  g_test_add_func ("/air/json/values", test_values);
  g_test_add_func ("/air/json/malformed", test_malformed);
  g_test_add_func ("/air/json/message-valid-utf8", test_message_valid_utf8);
  g_test_add_func ("/air/json/empty", test_empty);
  g_test_add_func ("/air/json/nul", test_nul);
  g_test_add_func ("/air/json/bad-utf8", test_bad_utf8);
  g_test_add_func ("/air/json/numbers-out-of-range", test_numbers_out_of_range);
  g_test_add_func ("/air/json/long-number", test_long_number);
  g_test_add_func ("/air/json/deep-nesting", test_deep_nesting);
  g_test_add_func ("/air/json/hidden-nesting", test_hidden_nesting);
  g_test_add_func ("/air/json/oversized", test_oversized);
  g_test_add_func ("/air/json/parse-object", test_parse_object);
  g_test_add_func ("/air/json/get-string", test_get_string);
  g_test_add_func ("/air/json/get-string-long", test_get_string_long);
  g_test_add_func ("/air/json/get-int", test_get_int);
  g_test_add_func ("/air/json/get-bool", test_get_bool);
  g_test_add_func ("/air/json/get-array", test_get_array);
  g_test_add_func ("/air/json/get-strv", test_get_strv);
  g_test_add_func ("/air/json/builder-to-line", test_builder_to_line);
  g_test_add_func ("/air/json/random-bytes", test_random_bytes);
  g_test_add_func ("/air/json/cursor/walk", test_cursor_walk);
  g_test_add_func ("/air/json/cursor/refuses", test_cursor_refuses);
  g_test_add_func ("/air/json/cursor/many-members", test_cursor_many_members);
  g_test_add_func ("/air/json/cursor/message-checks", test_cursor_message_checks);

  status = g_test_run ();
  test_remove_tree (home);
  return status;
}
