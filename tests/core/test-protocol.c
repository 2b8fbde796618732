/* test-protocol.c — the decoders of everything a zone sends, and round trips
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test-protocol"

#include "config.h"

#include <string.h>

#include "air-error.h"
#include "test-util.h"
#include "air-json.h"
#include "air-names.h"
#include "air-protocol.h"

#define ZONE "alpha"

static void
assert_message (const GError *error,
                const char   *expect)
{
  g_assert_nonnull (error);
  if (expect != NULL && strstr (error->message, expect) == NULL)
    g_error ("message “%s” does not contain “%s”", error->message, expect);
}

static AirQube *
parse_qube (const char  *text,
            GError     **error)
{
  return air_protocol_parse_qube (text, strlen (text), ZONE, error);
}

/* Qube */

static void
test_qube_full (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) qube = parse_qube ("{\"name\":\"work\",\"class\":\"DispVM\",\"state\":\"Running\","
                                        "\"template\":\"debian-12\",\"label\":\"blue\",\"memory\":4000,"
                                        "\"vcpus\":4,\"ip\":\"10.137.0.5\",\"started\":1700000000}",
                                        &error);

  g_assert_no_error (error);
  g_assert_cmpstr (air_qube_get_zone (qube), ==, ZONE);
  g_assert_cmpstr (air_qube_get_name (qube), ==, "work");
  g_assert_cmpint (air_qube_get_kind (qube), ==, AIR_QUBE_KIND_DISP_VM);
  g_assert_cmpint (air_qube_get_state (qube), ==, AIR_QUBE_STATE_RUNNING);
  g_assert_true (air_qube_is_running (qube));
  g_assert_cmpstr (air_qube_get_template (qube), ==, "debian-12");
  g_assert_cmpint (air_qube_get_label (qube), ==, AIR_LABEL_BLUE);
  g_assert_cmpuint (air_qube_get_memory (qube), ==, 4000);
  g_assert_cmpuint (air_qube_get_vcpus (qube), ==, 4);
  g_assert_cmpstr (air_qube_get_ip (qube), ==, "10.137.0.5");
  g_assert_cmpint (air_qube_get_started (qube), ==, 1700000000);
}

static void
test_qube_defaults_and_unknown_fields (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) qube = parse_qube ("{\"name\":\"q\",\"future\":{\"x\":[1,2,{\"y\":null}]},"
                                        "\"more\":\"\\u202e\",\"memory\":null}", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (air_qube_get_name (qube), ==, "q");
  g_assert_cmpint (air_qube_get_state (qube), ==, AIR_QUBE_STATE_UNKNOWN);
  g_assert_cmpint (air_qube_get_kind (qube), ==, AIR_QUBE_KIND_APP_VM);
  g_assert_cmpint (air_qube_get_label (qube), ==, AIR_LABEL_RED);
  g_assert_cmpstr (air_qube_get_template (qube), ==, "");
  g_assert_cmpstr (air_qube_get_ip (qube), ==, "");
  g_assert_cmpuint (air_qube_get_memory (qube), ==, 0);
  g_assert_cmpuint (air_qube_get_vcpus (qube), ==, 0);
}

typedef struct {
  const char *text;
  int         code;
  const char *expect;
} Bad;

static const Bad bad_qubes[] = {
  { "", AIR_ERROR_PROTOCOL, "Empty" },
  { "{\"name\":\"work\"", AIR_ERROR_PROTOCOL, NULL },
  { "[]", AIR_ERROR_PROTOCOL, "not a JSON object" },
  { "{}", AIR_ERROR_PROTOCOL, "“name” is missing" },
  { "{\"name\":null}", AIR_ERROR_PROTOCOL, "“name” is missing" },
  { "{\"name\":42}", AIR_ERROR_PROTOCOL, "“name” must be a string" },
  { "{\"name\":[\"work\"]}", AIR_ERROR_PROTOCOL, "must be a string" },
  { "{\"name\":\"\"}", AIR_ERROR_INVALID_NAME, "empty" },
  { "{\"name\":\"../x\"}", AIR_ERROR_INVALID_NAME, "must start with a letter" },
  { "{\"name\":\"a/b\"}", AIR_ERROR_INVALID_NAME, "may contain only" },
  { "{\"name\":\"dom0\"}", AIR_ERROR_INVALID_NAME, "reserved" },
  { "{\"name\":\"a\\u001b[2J\"}", AIR_ERROR_INVALID_NAME, NULL },
  { "{\"name\":\"abcdefghijklmnopqrstuvwxyz012345\"}", AIR_ERROR_PROTOCOL, "longer than 31" },
  { "{\"name\":\"q\",\"state\":\"Exploded\"}", AIR_ERROR_PROTOCOL, "“state” has an unknown value “Exploded”" },
  { "{\"name\":\"q\",\"state\":\"running\"}", AIR_ERROR_PROTOCOL, "unknown value" },
  { "{\"name\":\"q\",\"state\":1}", AIR_ERROR_PROTOCOL, "“state” must be a string" },
  { "{\"name\":\"q\",\"class\":\"AdminVM\"}", AIR_ERROR_PROTOCOL, "“class” has an unknown value" },
  { "{\"name\":\"q\",\"label\":\"pink\"}", AIR_ERROR_PROTOCOL, "“label” has an unknown value" },
  { "{\"name\":\"q\",\"label\":\"\\u001b[31mred\"}", AIR_ERROR_PROTOCOL, "unknown value" },
  { "{\"name\":\"q\",\"template\":\"../etc\"}", AIR_ERROR_INVALID_NAME, "template" },
  { "{\"name\":\"q\",\"template\":5}", AIR_ERROR_PROTOCOL, "qube “q”: Field “template” must be a string" },
  { "{\"name\":\"q\",\"memory\":-1}", AIR_ERROR_PROTOCOL, "qube “q”: Field “memory” is out of range" },
  { "{\"name\":\"q\",\"memory\":1048577}", AIR_ERROR_PROTOCOL, "“memory” is out of range" },
  { "{\"name\":\"q\",\"memory\":4294967296}", AIR_ERROR_PROTOCOL, "“memory” is out of range" },
  { "{\"name\":\"q\",\"memory\":400.5}", AIR_ERROR_PROTOCOL, "“memory” must be an integer" },
  { "{\"name\":\"q\",\"memory\":4e2}", AIR_ERROR_PROTOCOL, "“memory” must be an integer" },
  { "{\"name\":\"q\",\"memory\":1e308}", AIR_ERROR_PROTOCOL, "“memory” must be an integer" },
  { "{\"name\":\"q\",\"memory\":1e309}", AIR_ERROR_PROTOCOL, "out of range" },
  { "{\"name\":\"q\",\"memory\":-18446744073709551215}", AIR_ERROR_PROTOCOL, "out of range" },
  { "{\"name\":\"q\",\"memory\":\"400\"}", AIR_ERROR_PROTOCOL, "“memory” must be an integer" },
  { "{\"name\":\"q\",\"memory\":true}", AIR_ERROR_PROTOCOL, "“memory” must be an integer" },
  { "{\"name\":\"q\",\"vcpus\":1025}", AIR_ERROR_PROTOCOL, "“vcpus” is out of range" },
  { "{\"name\":\"q\",\"started\":-5}", AIR_ERROR_PROTOCOL, "“started” is out of range" },
  { "{\"name\":\"q\",\"started\":9223372036854775807}", AIR_ERROR_PROTOCOL, "“started” is out of range" },
  { "{\"name\":\"q\",\"ip\":\"10.0.0.1; rm -rf /\"}", AIR_ERROR_PROTOCOL, "“ip” is not an IP address" },
  { "{\"name\":\"q\",\"ip\":\"\\u202e1.1.1.1\"}", AIR_ERROR_PROTOCOL, "“ip” is not an IP address" },
  { "{\"name\":\"q\",\"ip\":\"1111111111111111111111111111111111111111111111111\"}", AIR_ERROR_PROTOCOL, "longer than 45" },
  { "{\"name\":\"q\",\"name\":\"../x\"}", AIR_ERROR_PROTOCOL, "duplicate member" },
  { "{\"name\":\"q\"} {}", AIR_ERROR_PROTOCOL, "more than one value" },
  { "{\"name\":\"q\",\"x\":[[[[[[[[[1]]]]]]]]]}", AIR_ERROR_PROTOCOL, "nested deeper" },
  { "{\"name\":\"w\xff\"}", AIR_ERROR_PROTOCOL, "UTF-8" },
  { "{\"name\":\"w\\u0000x\"}", AIR_ERROR_PROTOCOL, "NUL" },
};

static void
test_qube_hostile (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_qubes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AirQube) qube = NULL;

      test_note ("bad qube", i, bad_qubes[i].text);
      qube = parse_qube (bad_qubes[i].text, &error);
      g_assert_null (qube);
      g_assert_error (error, AIR_ERROR, bad_qubes[i].code);
      assert_message (error, bad_qubes[i].expect);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_null (strchr (error->message, '\x1b'));
    }
}

static void
test_qube_nul_byte (void)
{
  static const char text[] = "{\"name\":\"work\0evil\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) qube = air_protocol_parse_qube (text, sizeof text - 1, ZONE, &error);

  g_assert_null (qube);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  assert_message (error, "NUL");
}

static void
test_qube_oversized (void)
{
  g_autoptr(GString) text = g_string_new ("{\"name\":\"q\",\"pad\":\"");
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) qube = NULL;

  while (text->len <= AIR_JSON_MAX_LINE)
    g_string_append_c (text, 'x');
  g_string_append (text, "\"}");

  qube = air_protocol_parse_qube (text->str, text->len, ZONE, &error);
  g_assert_null (qube);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  assert_message (error, "larger than the limit");
}

static void
test_qube_round_trip (void)
{
  static const AirQubeState states[] = {
    AIR_QUBE_STATE_HALTED, AIR_QUBE_STATE_STARTING, AIR_QUBE_STATE_RUNNING, AIR_QUBE_STATE_HALTING,
    AIR_QUBE_STATE_PAUSED, AIR_QUBE_STATE_CRASHED, AIR_QUBE_STATE_UNKNOWN,
  };

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autoptr(AirQube) qube = air_qube_new (ZONE, "abcdefghijklmnopqrstuvwxyz.-_01");
      g_autoptr(AirQube) back = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *json = NULL;

      air_qube_set_state (qube, states[i]);
      air_qube_set_kind (qube, (AirQubeKind) (i % 4));
      air_qube_set_label (qube, (AirLabel) (i % 8));
      air_qube_set_template (qube, i % 2 ? "fedora-39" : "");
      air_qube_set_memory (qube, i == 0 ? AIR_PROTOCOL_MAX_MEMORY : 400 * i);
      air_qube_set_vcpus (qube, i == 0 ? AIR_PROTOCOL_MAX_VCPUS : i);
      air_qube_set_ip (qube, i % 2 ? "fd09:24ef:4179::a89.1" : "10.137.0.255");
      air_qube_set_started (qube, 1700000000 + i);

      json = air_protocol_qube_to_json (qube);
      g_assert_true (g_str_has_suffix (json, "\n"));
      back = air_protocol_parse_qube (json, strlen (json) - 1, "beta", &error);
      g_assert_no_error (error);

      g_assert_cmpstr (air_qube_get_zone (back), ==, "beta");
      g_assert_cmpstr (air_qube_get_name (back), ==, air_qube_get_name (qube));
      g_assert_cmpint (air_qube_get_state (back), ==, states[i]);
      g_assert_cmpint (air_qube_get_kind (back), ==, air_qube_get_kind (qube));
      g_assert_cmpint (air_qube_get_label (back), ==, air_qube_get_label (qube));
      g_assert_cmpstr (air_qube_get_template (back), ==, air_qube_get_template (qube));
      g_assert_cmpuint (air_qube_get_memory (back), ==, air_qube_get_memory (qube));
      g_assert_cmpuint (air_qube_get_vcpus (back), ==, air_qube_get_vcpus (qube));
      g_assert_cmpstr (air_qube_get_ip (back), ==, air_qube_get_ip (qube));
      g_assert_cmpint (air_qube_get_started (back), ==, air_qube_get_started (qube));
    }
}

/* List */

static void
test_list (void)
{
  const char *text = "{\"version\":1,\"zone\":\"whatever\",\"extra\":[1],\"qubes\":["
                     "{\"name\":\"a\",\"state\":\"Running\"},{\"name\":\"b\"},{\"name\":\"c\",\"x\":1}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) qubes = air_protocol_parse_list (text, strlen (text), ZONE, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (qubes->len, ==, 3);
  g_assert_cmpstr (air_qube_get_name (g_ptr_array_index (qubes, 0)), ==, "a");
  g_assert_cmpstr (air_qube_get_name (g_ptr_array_index (qubes, 2)), ==, "c");
  /* The zone is ours, not the one the message claims. */
  g_assert_cmpstr (air_qube_get_zone (g_ptr_array_index (qubes, 1)), ==, ZONE);
}

static void
test_list_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) qubes = air_protocol_parse_list ("{\"qubes\":[]}", 12, ZONE, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (qubes->len, ==, 0);
}

static const Bad bad_lists[] = {
  { "", AIR_ERROR_PROTOCOL, "Empty" },
  { "{\"qubes\":[", AIR_ERROR_PROTOCOL, NULL },
  { "[]", AIR_ERROR_PROTOCOL, "not a JSON object" },
  { "{}", AIR_ERROR_PROTOCOL, "“qubes” is missing" },
  { "{\"qubes\":null}", AIR_ERROR_PROTOCOL, "“qubes” is missing" },
  { "{\"qubes\":{}}", AIR_ERROR_PROTOCOL, "“qubes” must be a list" },
  { "{\"qubes\":\"a\"}", AIR_ERROR_PROTOCOL, "“qubes” must be a list" },
  { "{\"qubes\":[1]}", AIR_ERROR_PROTOCOL, "must be objects" },
  { "{\"qubes\":[[]]}", AIR_ERROR_PROTOCOL, "must be objects" },
  { "{\"qubes\":[null]}", AIR_ERROR_PROTOCOL, "must be objects" },
  { "{\"qubes\":[{\"name\":\"a\"},{\"name\":\"a\"}]}", AIR_ERROR_PROTOCOL, "“a” is listed twice" },
  { "{\"qubes\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"a\",\"state\":\"Running\"}]}",
    AIR_ERROR_PROTOCOL, "listed twice" },
  { "{\"qubes\":[{\"name\":\"a\"},{\"name\":\"../b\"}]}", AIR_ERROR_INVALID_NAME, "must start with a letter" },
  { "{\"qubes\":[{\"name\":\"a\"},{\"name\":\"none\"}]}", AIR_ERROR_INVALID_NAME, "reserved" },
  { "{\"qubes\":[{\"name\":\"a\",\"vcpus\":-1}]}", AIR_ERROR_PROTOCOL, "qube “a”: Field “vcpus” is out of range" },
  { "{\"qubes\":[{\"name\":\"a\"}]}x", AIR_ERROR_PROTOCOL, NULL },
};

static void
test_list_hostile (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_lists); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) qubes = NULL;

      test_note ("bad list", i, bad_lists[i].text);
      qubes = air_protocol_parse_list (bad_lists[i].text, strlen (bad_lists[i].text), ZONE, &error);
      g_assert_null (qubes);
      g_assert_error (error, AIR_ERROR, bad_lists[i].code);
      assert_message (error, bad_lists[i].expect);
    }
}

static void
test_list_too_many (void)
{
  g_autoptr(GString) text = g_string_new ("{\"qubes\":[");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) qubes = NULL;

  for (guint i = 0; i <= AIR_PROTOCOL_MAX_QUBES; i++)
    g_string_append_printf (text, "%s{\"name\":\"q%u\"}", i ? "," : "", i);
  g_string_append (text, "]}");

  qubes = air_protocol_parse_list (text->str, text->len, ZONE, &error);
  g_assert_null (qubes);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  assert_message (error, "more than 100000 entries");
}

static void
test_list_oversized (void)
{
  gsize len = AIR_JSON_MAX_MESSAGE + 1;
  g_autofree char *text = g_malloc (len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) qubes = NULL;

  memset (text, ' ', len);
  memcpy (text, "{\"qubes\":[]}", 12);

  qubes = air_protocol_parse_list (text, len, ZONE, &error);
  g_assert_null (qubes);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  assert_message (error, "larger than the limit");

  g_clear_error (&error);

  /* The limit itself is fine. */
  qubes = air_protocol_parse_list (text, len - 1, ZONE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (qubes);
}

static void
test_list_round_trip (void)
{
  g_autoptr(GPtrArray) qubes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *name = g_strdup_printf ("q%u", i);
      AirQube *qube = air_qube_new (ZONE, name);

      air_qube_set_state (qube, i % 3 ? AIR_QUBE_STATE_HALTED : AIR_QUBE_STATE_RUNNING);
      air_qube_set_memory (qube, i);
      g_ptr_array_add (qubes, qube);
    }

  json = air_protocol_list_to_json (ZONE, qubes);
  back = air_protocol_parse_list (json, strlen (json), ZONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, qubes->len);
  for (guint i = 0; i < back->len; i++)
    {
      AirQube *a = g_ptr_array_index (qubes, i), *b = g_ptr_array_index (back, i);

      g_assert_cmpstr (air_qube_get_name (a), ==, air_qube_get_name (b));
      g_assert_cmpint (air_qube_get_state (a), ==, air_qube_get_state (b));
      g_assert_cmpuint (air_qube_get_memory (a), ==, air_qube_get_memory (b));
    }
}

/* Events */

static AirEvent *
parse_event (const char  *text,
             GError     **error)
{
  return air_event_parse (text, strlen (text), ZONE, error);
}

static void
test_event_kinds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirEvent) added = parse_event ("{\"event\":\"qube-added\",\"qube\":{\"name\":\"n\",\"state\":\"Halted\"}}", &error);
  g_autoptr(AirEvent) changed = NULL;
  g_autoptr(AirEvent) removed = NULL;
  g_autoptr(AirEvent) health = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (added->kind, ==, AIR_EVENT_QUBE_ADDED);
  g_assert_cmpstr (air_qube_get_name (added->qube), ==, "n");
  g_assert_cmpstr (air_qube_get_zone (added->qube), ==, ZONE);

  changed = parse_event ("{\"event\":\"qube-changed\",\"qube\":{\"name\":\"n\",\"state\":\"Running\"},\"x\":1}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (changed->kind, ==, AIR_EVENT_QUBE_CHANGED);
  g_assert_cmpint (air_qube_get_state (changed->qube), ==, AIR_QUBE_STATE_RUNNING);

  removed = parse_event ("{\"event\":\"qube-removed\",\"name\":\"n\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (removed->kind, ==, AIR_EVENT_QUBE_REMOVED);
  g_assert_cmpstr (removed->name, ==, "n");
  g_assert_null (removed->qube);

  health = parse_event ("{\"event\":\"zone-health\",\"health\":\"degraded\","
                        "\"reason\":\"disk\\nfull \\u001b[31m\\u202e\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (health->kind, ==, AIR_EVENT_ZONE_HEALTH);
  g_assert_cmpint (health->health, ==, AIR_HEALTH_DEGRADED);
  /* Sanitised: no newline, escape or bidi override survives. */
  g_assert_cmpstr (health->reason, ==, "disk full \xef\xbf\xbd[31m\xef\xbf\xbd");
}

static void
test_event_unknown (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirEvent) event = parse_event ("{\"event\":\"qube-exploded\",\"name\":\"n\"}", &error);

  /* An event from a newer agent: NOT_FOUND, so a caller can skip it. */
  g_assert_null (event);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND);
}

static const Bad bad_events[] = {
  { "", AIR_ERROR_PROTOCOL, "Empty" },
  { "{}", AIR_ERROR_PROTOCOL, "“event” is missing" },
  { "[\"qube-added\"]", AIR_ERROR_PROTOCOL, "not a JSON object" },
  { "{\"event\":1}", AIR_ERROR_PROTOCOL, "“event” must be a string" },
  { "{\"event\":\"qube-added-qube-added-qube-added-qube-added\"}", AIR_ERROR_PROTOCOL, "longer than 32" },
  { "{\"event\":\"qube-added\"}", AIR_ERROR_PROTOCOL, "“qube” must be an object" },
  { "{\"event\":\"qube-added\",\"qube\":\"n\"}", AIR_ERROR_PROTOCOL, "“qube” must be an object" },
  { "{\"event\":\"qube-added\",\"qube\":[]}", AIR_ERROR_PROTOCOL, "“qube” must be an object" },
  { "{\"event\":\"qube-changed\",\"qube\":{}}", AIR_ERROR_PROTOCOL, "“name” is missing" },
  { "{\"event\":\"qube-changed\",\"qube\":{\"name\":\"../n\"}}", AIR_ERROR_INVALID_NAME, NULL },
  { "{\"event\":\"qube-changed\",\"qube\":{\"name\":\"n\",\"state\":\"Up\"}}", AIR_ERROR_PROTOCOL, "unknown value" },
  { "{\"event\":\"qube-removed\"}", AIR_ERROR_PROTOCOL, "“name” is missing" },
  { "{\"event\":\"qube-removed\",\"name\":\"default\"}", AIR_ERROR_INVALID_NAME, "reserved" },
  { "{\"event\":\"qube-removed\",\"name\":\"a b\"}", AIR_ERROR_INVALID_NAME, NULL },
  { "{\"event\":\"qube-removed\",\"name\":[\"n\"]}", AIR_ERROR_PROTOCOL, "must be a string" },
  { "{\"event\":\"zone-health\",\"health\":\"great\"}", AIR_ERROR_PROTOCOL, "“health” has an unknown value" },
  { "{\"event\":\"zone-health\",\"health\":\"up\",\"reason\":7}", AIR_ERROR_PROTOCOL, "“reason” must be a string" },
};

static void
test_event_hostile (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_events); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AirEvent) event = NULL;

      test_note ("bad event", i, bad_events[i].text);
      event = parse_event (bad_events[i].text, &error);
      g_assert_null (event);
      g_assert_error (error, AIR_ERROR, bad_events[i].code);
      assert_message (error, bad_events[i].expect);
    }
}

static void
test_event_long_reason (void)
{
  g_autoptr(GString) text = g_string_new ("{\"event\":\"zone-health\",\"health\":\"down\",\"reason\":\"");
  g_autoptr(GError) error = NULL;
  g_autoptr(AirEvent) event = NULL;

  for (guint i = 0; i < AIR_PROTOCOL_MAX_REASON + 1; i++)
    g_string_append_c (text, 'r');
  g_string_append (text, "\"}");

  event = parse_event (text->str, &error);
  g_assert_null (event);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  assert_message (error, "“reason” is longer than 200");
}

/* What is written is always what the reader takes: a reason longer than
 * the limit (a gateway adds the link's state to a host's words) is cut. */
static void
test_long_reason_written (void)
{
  g_autofree char *reason = g_strnfill (AIR_PROTOCOL_MAX_REASON + 100, 'r');
  AirEvent event = { .kind = AIR_EVENT_ZONE_HEALTH, .health = AIR_HEALTH_DEGRADED, .reason = reason };
  AirZoneInfo info = { .name = (char *) "zone-1", .driver = (char *) "ssh", .health_reason = reason };
  g_autofree char *line = air_event_to_line (&event);
  g_autofree char *json = air_zone_info_to_json (&info);
  g_autoptr(GError) error = NULL;
  g_autoptr(AirEvent) event_back = parse_event (line, &error);
  g_autoptr(AirZoneInfo) info_back = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (g_utf8_strlen (event_back->reason, -1), ==, AIR_PROTOCOL_MAX_REASON);
  g_assert_true (g_str_has_prefix (event_back->reason, "rrr"));
  g_assert_true (g_str_has_suffix (event_back->reason, "…"));

  info_back = air_zone_info_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_utf8_strlen (info_back->health_reason, -1), ==, AIR_PROTOCOL_MAX_REASON);
}

static void
test_event_round_trip (void)
{
  g_autoptr(AirQube) qube = air_qube_new (ZONE, "rt");
  AirEvent events[] = {
    { .kind = AIR_EVENT_QUBE_ADDED, .qube = qube },
    { .kind = AIR_EVENT_QUBE_CHANGED, .qube = qube },
    { .kind = AIR_EVENT_QUBE_REMOVED, .name = (char *) "rt" },
    { .kind = AIR_EVENT_ZONE_HEALTH, .health = AIR_HEALTH_DOWN, .reason = (char *) "no route \xe2\x86\x92 host" },
    { .kind = AIR_EVENT_ZONE_HEALTH, .health = AIR_HEALTH_UP, .reason = NULL },
  };

  air_qube_set_state (qube, AIR_QUBE_STATE_PAUSED);
  air_qube_set_label (qube, AIR_LABEL_PURPLE);

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      g_autofree char *line = air_event_to_line (&events[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(AirEvent) back = NULL;

      g_assert_true (g_str_has_suffix (line, "\n"));
      g_assert_null (memchr (line, '\n', strlen (line) - 1));
      back = air_event_parse (line, strlen (line), ZONE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (back->kind, ==, events[i].kind);

      switch (back->kind)
        {
        case AIR_EVENT_QUBE_ADDED:
        case AIR_EVENT_QUBE_CHANGED:
          g_assert_cmpstr (air_qube_get_name (back->qube), ==, "rt");
          g_assert_cmpint (air_qube_get_state (back->qube), ==, AIR_QUBE_STATE_PAUSED);
          g_assert_cmpint (air_qube_get_label (back->qube), ==, AIR_LABEL_PURPLE);
          break;
        case AIR_EVENT_QUBE_REMOVED:
          g_assert_cmpstr (back->name, ==, "rt");
          break;
        case AIR_EVENT_ZONE_HEALTH:
          g_assert_cmpint (back->health, ==, events[i].health);
          g_assert_cmpstr (back->reason, ==, events[i].reason ? events[i].reason : "");
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* Zone info */

static void
test_zone_info (void)
{
  const char *text = "{\"version\":1,\"name\":\"local\",\"driver\":\"local\",\"isolation\":\"namespaces\","
                     "\"templates\":[\"host\",\"debian-12\"],\"health\":\"up\",\"health-reason\":\"ok\\u0007\","
                     "\"qubes\":12,\"running\":3,\"memory-total\":64000,\"vcpus-total\":16,\"new\":{}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZoneInfo) info = air_zone_info_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_cmpstr (info->name, ==, "local");
  g_assert_cmpstr (info->driver, ==, "local");
  g_assert_cmpint (info->isolation, ==, AIR_ISOLATION_NAMESPACES);
  g_assert_cmpstrv (info->templates, ((const char *[]) { "host", "debian-12", NULL }));
  g_assert_cmpint (info->health, ==, AIR_HEALTH_UP);
  g_assert_cmpstr (info->health_reason, ==, "ok\xef\xbf\xbd");
  g_assert_cmpuint (info->n_qubes, ==, 12);
  g_assert_cmpuint (info->n_running, ==, 3);
  g_assert_cmpuint (info->memory_total, ==, 64000);
  g_assert_cmpuint (info->vcpus_total, ==, 16);
}

/* A VM zone says whether its VMs have hardware acceleration; only "kvm"
 * or "tcg" from a VM zone is taken, and it survives the gateway's
 * rewriting (parse, then to_json). */
static void
test_zone_info_acceleration (void)
{
  static const struct { const char *isolation, *sent, *kept; } cases[] = {
    { "vm", "tcg", "tcg" }, { "vm", "kvm", "kvm" }, { "vm", "fast", "" },
    { "vm", "<b>", "" }, { "namespaces", "kvm", "" },
  };
  const char *long_text = "{\"name\":\"z\",\"isolation\":\"vm\",\"acceleration\":\"kvm-and-more\"}";
  g_autoptr(GError) long_error = NULL;

  /* Longer than any value: the answer is refused, as for other fields. */
  g_assert_null (air_zone_info_parse (long_text, strlen (long_text), &long_error));
  g_assert_error (long_error, AIR_ERROR, AIR_ERROR_PROTOCOL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"name\":\"z\",\"isolation\":\"%s\",\"acceleration\":\"%s\"}",
                                               cases[i].isolation, cases[i].sent);
      g_autoptr(GError) error = NULL;
      g_autoptr(AirZoneInfo) info = air_zone_info_parse (text, strlen (text), &error);
      g_autoptr(AirZoneInfo) again = NULL;
      g_autofree char *json = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (info->acceleration, ==, cases[i].kept);
      json = air_zone_info_to_json (info);
      again = air_zone_info_parse (json, strlen (json), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (again->acceleration, ==, cases[i].kept);
    }
}

/* Whether the zone encrypts its qubes' disks: "luks" or "none" is kept
 * through the gateway's rewriting; absent (an older agent) or anything
 * else is unknown, "". */
static void
test_zone_info_disk_encryption (void)
{
  static const struct { const char *member, *kept; } cases[] = {
    { ",\"disk-encryption\":\"luks\"", "luks" }, { ",\"disk-encryption\":\"none\"", "none" },
    { "", "" }, { ",\"disk-encryption\":\"rot13\"", "" }, { ",\"disk-encryption\":\"<b>\"", "" },
  };
  const char *long_text = "{\"name\":\"z\",\"disk-encryption\":\"luks-and-a-lot-more\"}";
  g_autoptr(GError) long_error = NULL;

  g_assert_null (air_zone_info_parse (long_text, strlen (long_text), &long_error));
  g_assert_error (long_error, AIR_ERROR, AIR_ERROR_PROTOCOL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"name\":\"z\",\"isolation\":\"vm\"%s}", cases[i].member);
      g_autoptr(GError) error = NULL;
      g_autoptr(AirZoneInfo) info = air_zone_info_parse (text, strlen (text), &error);
      g_autoptr(AirZoneInfo) again = NULL;
      g_autofree char *json = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (info->disk_encryption, ==, cases[i].kept);
      json = air_zone_info_to_json (info);
      again = air_zone_info_parse (json, strlen (json), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (again->disk_encryption, ==, cases[i].kept);
    }
}

static void
test_zone_info_minimal (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZoneInfo) info = air_zone_info_parse ("{\"name\":\"z\"}", 12, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (info->driver, ==, "");
  g_assert_nonnull (info->templates);
  g_assert_null (info->templates[0]);
  g_assert_cmpint (info->isolation, ==, AIR_ISOLATION_UNKNOWN);
  g_assert_cmpint (info->health, ==, AIR_HEALTH_UNKNOWN);
  g_assert_cmpstr (info->health_reason, ==, "");
}

static const Bad bad_infos[] = {
  { "", AIR_ERROR_PROTOCOL, "Empty" },
  { "{}", AIR_ERROR_PROTOCOL, "“name” is missing" },
  { "{\"name\":\"../z\"}", AIR_ERROR_INVALID_NAME, "zone" },
  { "{\"name\":\"z\",\"driver\":\"lo cal\"}", AIR_ERROR_PROTOCOL, "“driver” may contain only" },
  { "{\"name\":\"z\",\"driver\":\"../../bin/sh\"}", AIR_ERROR_PROTOCOL, "“driver” may contain only" },
  { "{\"name\":\"z\",\"driver\":\"abcdefghijklmnopq\"}", AIR_ERROR_PROTOCOL, "longer than 16" },
  { "{\"name\":\"z\",\"isolation\":\"total\"}", AIR_ERROR_PROTOCOL, "“isolation” has an unknown value" },
  { "{\"name\":\"z\",\"health\":\"fine\"}", AIR_ERROR_PROTOCOL, "“health” has an unknown value" },
  { "{\"name\":\"z\",\"templates\":\"host\"}", AIR_ERROR_PROTOCOL, "“templates” must be a list" },
  { "{\"name\":\"z\",\"templates\":[1]}", AIR_ERROR_PROTOCOL, "must be strings" },
  { "{\"name\":\"z\",\"templates\":[\"host\",\"../t\"]}", AIR_ERROR_INVALID_NAME, "template" },
  { "{\"name\":\"z\",\"templates\":[\"abcdefghijklmnopqrstuvwxyz012345\"]}", AIR_ERROR_PROTOCOL, "longer than 31" },
  { "{\"name\":\"z\",\"qubes\":-1}", AIR_ERROR_PROTOCOL, "“qubes” is out of range" },
  { "{\"name\":\"z\",\"qubes\":100001}", AIR_ERROR_PROTOCOL, "“qubes” is out of range" },
  { "{\"name\":\"z\",\"running\":1.5}", AIR_ERROR_PROTOCOL, "“running” must be an integer" },
  { "{\"name\":\"z\",\"memory-total\":2147483648}", AIR_ERROR_PROTOCOL, "“memory-total” is out of range" },
  { "{\"name\":\"z\",\"vcpus-total\":65537}", AIR_ERROR_PROTOCOL, "“vcpus-total” is out of range" },
  { "{\"name\":\"z\",\"health-reason\":[]}", AIR_ERROR_PROTOCOL, "must be a string" },
};

static void
test_zone_info_hostile (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_infos); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AirZoneInfo) info = NULL;

      test_note ("bad zone info", i, bad_infos[i].text);
      info = air_zone_info_parse (bad_infos[i].text, strlen (bad_infos[i].text), &error);
      g_assert_null (info);
      g_assert_error (error, AIR_ERROR, bad_infos[i].code);
      assert_message (error, bad_infos[i].expect);
    }
}

static void
test_zone_info_too_many_templates (void)
{
  g_autoptr(GString) text = g_string_new ("{\"name\":\"z\",\"templates\":[");
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZoneInfo) info = NULL;

  for (guint i = 0; i < 1025; i++)
    g_string_append (text, i ? ",\"t\"" : "\"t\"");
  g_string_append (text, "]}");

  info = air_zone_info_parse (text->str, text->len, &error);
  g_assert_null (info);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  assert_message (error, "more than 1024 entries");
}

/* The gateway's view of its link: optional, validated, bounded. */
static void
test_zone_info_link (void)
{
  g_autoptr(GError) error = NULL;
  const char *good = "{\"name\":\"z\",\"link\":\"wireguard-ssh\",\"endpoint\":\"air@host\\u001b[31m:22\","
                     "\"host-key\":\"SHA256:abc+/def\",\"handshake\":1700000000}";
  const char *bad[] = {
    "{\"name\":\"z\",\"link\":\"telnet\"}",
    "{\"name\":\"z\",\"host-key\":\"MD5:aa\"}",
    "{\"name\":\"z\",\"host-key\":\"SHA256:a b\"}",
    "{\"name\":\"z\",\"handshake\":-1}",
    "{\"name\":\"z\",\"link\":7}",
  };
  g_autoptr(AirZoneInfo) info = air_zone_info_parse (good, strlen (good), &error);
  g_autoptr(AirZoneInfo) back = NULL;
  g_autofree char *json = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (info->link, ==, "wireguard-ssh");
  /* No terminal escape reaches the map. */
  g_assert_null (strchr (info->endpoint, '\x1b'));
  g_assert_cmpstr (info->host_key, ==, "SHA256:abc+/def");
  g_assert_cmpint (info->handshake, ==, 1700000000);

  json = air_zone_info_to_json (info);
  back = air_zone_info_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->link, ==, info->link);
  g_assert_cmpstr (back->endpoint, ==, info->endpoint);
  g_assert_cmpstr (back->host_key, ==, info->host_key);
  g_assert_cmpint (back->handshake, ==, info->handshake);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(AirZoneInfo) refused = air_zone_info_parse (bad[i], strlen (bad[i]), &error);

      g_assert_null (refused);
      g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
      g_clear_error (&error);
    }
}

static void
test_zone_info_round_trip (void)
{
  char *templates[] = { (char *) "host", (char *) "fedora-39", NULL };
  AirZoneInfo info = {
    .name = (char *) "zone-1", .driver = (char *) "ssh", .isolation = AIR_ISOLATION_VM,
    .templates = templates, .health = AIR_HEALTH_DEGRADED, .health_reason = (char *) "slow",
    .n_qubes = AIR_PROTOCOL_MAX_QUBES, .n_running = 7, .memory_total = G_MAXINT32, .vcpus_total = 64,
  };
  g_autofree char *json = air_zone_info_to_json (&info);
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZoneInfo) back = air_zone_info_parse (json, strlen (json), &error);

  g_assert_no_error (error);
  g_assert_cmpstr (back->name, ==, info.name);
  g_assert_cmpstr (back->driver, ==, info.driver);
  g_assert_cmpint (back->isolation, ==, info.isolation);
  g_assert_cmpstrv (back->templates, info.templates);
  g_assert_cmpint (back->health, ==, info.health);
  g_assert_cmpstr (back->health_reason, ==, info.health_reason);
  g_assert_cmpuint (back->n_qubes, ==, info.n_qubes);
  g_assert_cmpuint (back->n_running, ==, info.n_running);
  g_assert_cmpuint (back->memory_total, ==, info.memory_total);
  g_assert_cmpuint (back->vcpus_total, ==, info.vcpus_total);
}

/* Qube spec */

static void
test_spec (void)
{
  const char *text = "{\"template\":\"debian-12\",\"class\":\"StandaloneVM\",\"label\":\"green\","
                     "\"memory\":2048,\"vcpus\":8,\"later\":true}";
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQubeSpec) spec = air_qube_spec_parse (text, strlen (text), &error);
  g_autoptr(AirQubeSpec) defaults = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (spec->template_name, ==, "debian-12");
  g_assert_cmpint (spec->kind, ==, AIR_QUBE_KIND_STANDALONE_VM);
  g_assert_cmpint (spec->label, ==, AIR_LABEL_GREEN);
  g_assert_cmpuint (spec->memory, ==, 2048);
  g_assert_cmpuint (spec->vcpus, ==, 8);

  defaults = air_qube_spec_parse ("{}", 2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (defaults->template_name, ==, "host");
  g_assert_cmpint (defaults->kind, ==, AIR_QUBE_KIND_APP_VM);
  g_assert_cmpint (defaults->label, ==, AIR_LABEL_RED);
  g_assert_cmpuint (defaults->memory, ==, 400);
  g_assert_cmpuint (defaults->vcpus, ==, 2);
}

static const Bad bad_specs[] = {
  { "", AIR_ERROR_PROTOCOL, "Empty" },
  { "null", AIR_ERROR_PROTOCOL, "not a JSON object" },
  { "{\"template\":\"\"}", AIR_ERROR_INVALID_NAME, "empty" },
  { "{\"template\":\"../../etc\"}", AIR_ERROR_INVALID_NAME, "template" },
  { "{\"template\":\"dom0\"}", AIR_ERROR_INVALID_NAME, "reserved" },
  { "{\"template\":1}", AIR_ERROR_PROTOCOL, "“template” must be a string" },
  { "{\"class\":\"AdminVM\"}", AIR_ERROR_PROTOCOL, "“class” has an unknown value" },
  { "{\"label\":\"\"}", AIR_ERROR_PROTOCOL, "“label” has an unknown value" },
  { "{\"memory\":0}", AIR_ERROR_PROTOCOL, "“memory” is out of range" },
  { "{\"memory\":1048577}", AIR_ERROR_PROTOCOL, "“memory” is out of range" },
  { "{\"memory\":1e3}", AIR_ERROR_PROTOCOL, "“memory” must be an integer" },
  { "{\"vcpus\":0}", AIR_ERROR_PROTOCOL, "“vcpus” is out of range" },
  { "{\"vcpus\":-9223372036854775808}", AIR_ERROR_PROTOCOL, "“vcpus” is out of range" },
  { "{\"vcpus\":18446744073709551617}", AIR_ERROR_PROTOCOL, "out of range" },
};

static void
test_spec_hostile (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_specs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AirQubeSpec) spec = NULL;

      test_note ("bad spec", i, bad_specs[i].text);
      spec = air_qube_spec_parse (bad_specs[i].text, strlen (bad_specs[i].text), &error);
      g_assert_null (spec);
      g_assert_error (error, AIR_ERROR, bad_specs[i].code);
      assert_message (error, bad_specs[i].expect);
    }
}

static void
test_spec_round_trip (void)
{
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(AirQubeSpec) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  g_free (spec->template_name);
  spec->template_name = g_strdup ("whonix-gw-17");
  spec->kind = AIR_QUBE_KIND_TEMPLATE_VM;
  spec->label = AIR_LABEL_BLACK;
  spec->memory = AIR_PROTOCOL_MAX_MEMORY;
  spec->vcpus = AIR_PROTOCOL_MAX_VCPUS;

  json = air_qube_spec_to_json (spec);
  back = air_qube_spec_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->template_name, ==, spec->template_name);
  g_assert_cmpint (back->kind, ==, spec->kind);
  g_assert_cmpint (back->label, ==, spec->label);
  g_assert_cmpuint (back->memory, ==, spec->memory);
  g_assert_cmpuint (back->vcpus, ==, spec->vcpus);
}

/* SetPrefs: only what is given changes; nothing given, an unknown label or
 * a value out of range is refused before any driver sees it. */
static void
test_prefs (void)
{
  static const char * const bad[] = {
    "{}", "{\"memory\":0}", "{\"vcpus\":-1}", "{\"memory\":1048577}", "{\"label\":\"pink\"}",
    "{\"label\":3}", "[1]", "{\"memory\":\"800\"}",
  };
  AirQubePrefs prefs = { 0 }, back;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  static const char good[] = "{\"vcpus\":4,\"x\":1}";

  g_assert_true (air_qube_prefs_parse (good, strlen (good), &back, &error));
  g_assert_no_error (error);
  g_assert_false (back.has_label);
  g_assert_cmpuint (back.memory, ==, 0);
  g_assert_cmpuint (back.vcpus, ==, 4);

  prefs.has_label = TRUE;
  prefs.label = AIR_LABEL_PURPLE;
  prefs.memory = 1024;
  json = air_qube_prefs_to_json (&prefs);
  g_assert_true (air_qube_prefs_parse (json, strlen (json), &back, &error));
  g_assert_no_error (error);
  g_assert_true (back.has_label);
  g_assert_cmpint (back.label, ==, AIR_LABEL_PURPLE);
  g_assert_cmpuint (back.memory, ==, 1024);
  g_assert_cmpuint (back.vcpus, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) bad_error = NULL;

      g_assert_false (air_qube_prefs_parse (bad[i], strlen (bad[i]), &back, &bad_error));
      g_assert_nonnull (bad_error);
    }
}

/* Run header */

static void
test_run_header (void)
{
  const char *text = "{\"argv\":[\"sh\",\"-c\",\"echo \\\"hi\\\"; exit 3\",\"\"],\"user\":\"root\",\"tty\":false}";
  g_autoptr(GError) error = NULL;
  g_autoptr(AirRunHeader) header = air_run_header_parse (text, strlen (text), &error);
  g_autoptr(AirRunHeader) defaults = NULL;

  g_assert_no_error (error);
  g_assert_cmpstrv (header->argv, ((const char *[]) { "sh", "-c", "echo \"hi\"; exit 3", "", NULL }));
  g_assert_cmpstr (header->user, ==, "root");

  defaults = air_run_header_parse ("{\"argv\":[\"true\"]}", 17, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (defaults->user, ==, "user");
}

static const Bad bad_headers[] = {
  { "", AIR_ERROR_PROTOCOL, "Empty" },
  { "{}", AIR_ERROR_PROTOCOL, "“argv” is missing" },
  { "{\"argv\":null}", AIR_ERROR_PROTOCOL, "“argv” is missing" },
  { "{\"argv\":[]}", AIR_ERROR_PROTOCOL, "No command" },
  { "{\"argv\":[\"\"]}", AIR_ERROR_PROTOCOL, "No command" },
  { "{\"argv\":\"sh -c x\"}", AIR_ERROR_PROTOCOL, "“argv” must be a list" },
  { "{\"argv\":[\"sh\",1]}", AIR_ERROR_PROTOCOL, "must be strings" },
  { "{\"argv\":[\"sh\",null]}", AIR_ERROR_PROTOCOL, "must be strings" },
  { "{\"argv\":[[\"sh\"]]}", AIR_ERROR_PROTOCOL, "must be strings" },
  { "{\"argv\":[\"sh\\u0000-c\"]}", AIR_ERROR_PROTOCOL, "NUL" },
  { "{\"argv\":[\"sh\"],\"user\":1}", AIR_ERROR_PROTOCOL, "“user” must be a string" },
  { "{\"argv\":[\"sh\"],\"user\":\"abcdefghijklmnopqrstuvwxyzabcdefg\"}", AIR_ERROR_PROTOCOL, "longer than 32" },
  { "{\"argv\":[\"sh\"],\"user\":\"\"}", AIR_ERROR_PROTOCOL, "“user”" },
  { "{\"argv\":[\"sh\"],\"user\":\"../root\"}", AIR_ERROR_PROTOCOL, "“user”" },
  { "{\"argv\":[\"sh\"],\"user\":\"-oProxyCommand\"}", AIR_ERROR_PROTOCOL, "“user”" },
  { "{\"argv\":[\"sh\"],\"user\":\"a b\"}", AIR_ERROR_PROTOCOL, "“user”" },
  { "{\"argv\":[\"sh\"],\"user\":\"u\\nroot\"}", AIR_ERROR_PROTOCOL, "“user”" },
};

static void
test_run_header_hostile (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_headers); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AirRunHeader) header = NULL;

      test_note ("bad run header", i, bad_headers[i].text);
      header = air_run_header_parse (bad_headers[i].text, strlen (bad_headers[i].text), &error);
      g_assert_null (header);
      g_assert_error (error, AIR_ERROR, bad_headers[i].code);
      assert_message (error, bad_headers[i].expect);
    }
}

static void
test_run_header_limits (void)
{
  g_autoptr(GString) many = g_string_new ("{\"argv\":[");
  g_autoptr(GString) longer = g_string_new ("{\"argv\":[\"");
  g_autoptr(GError) error = NULL;
  g_autoptr(AirRunHeader) header = NULL;

  for (guint i = 0; i <= AIR_PROTOCOL_MAX_ARGV; i++)
    g_string_append (many, i ? ",\"a\"" : "\"a\"");
  g_string_append (many, "]}");
  header = air_run_header_parse (many->str, many->len, &error);
  g_assert_null (header);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  assert_message (error, "more than 4096 entries");
  g_clear_error (&error);

  for (guint i = 0; i <= 4096; i++)
    g_string_append_c (longer, 'x');
  g_string_append (longer, "\"]}");
  header = air_run_header_parse (longer->str, longer->len, &error);
  g_assert_null (header);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  assert_message (error, "longer than 4096");
}

static void
test_run_header_round_trip (void)
{
  const char * const argv[] = { "printf", "%s\\n", "tab\there", "caf\xc3\xa9", "\"q\"", "", NULL };
  g_autofree char *line = air_run_header_to_line (argv, NULL);
  g_autofree char *line_root = air_run_header_to_line (argv, "root");
  g_autoptr(GError) error = NULL;
  g_autoptr(AirRunHeader) back = NULL;
  g_autoptr(AirRunHeader) back_root = NULL;

  g_assert_null (memchr (line, '\n', strlen (line) - 1));
  back = air_run_header_parse (line, strlen (line), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (back->argv, argv);
  g_assert_cmpstr (back->user, ==, "user");

  back_root = air_run_header_parse (line_root, strlen (line_root), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back_root->user, ==, "root");
}

/* Enumerations */

static void
test_enum_strings (void)
{
  for (int i = 0; i <= AIR_QUBE_STATE_UNKNOWN; i++)
    {
      AirQubeState out;

      g_assert_true (air_qube_state_from_string (air_qube_state_to_string (i), &out));
      g_assert_cmpint (out, ==, i);
    }
  for (int i = 0; i <= AIR_LABEL_BLACK; i++)
    {
      AirLabel out;

      g_assert_true (air_label_from_string (air_label_to_string (i), &out));
      g_assert_cmpint (out, ==, i);
    }
  for (int i = 0; i <= AIR_QUBE_KIND_STANDALONE_VM; i++)
    {
      AirQubeKind out;

      g_assert_true (air_qube_kind_from_string (air_qube_kind_to_string (i), &out));
      g_assert_cmpint (out, ==, i);
    }
  for (int i = 0; i <= AIR_HEALTH_DOWN; i++)
    {
      AirHealth out;

      g_assert_true (air_health_from_string (air_health_to_string (i), &out));
      g_assert_cmpint (out, ==, i);
    }
  for (int i = 0; i <= AIR_ISOLATION_VM; i++)
    {
      AirIsolation out;

      g_assert_true (air_isolation_from_string (air_isolation_to_string (i), &out));
      g_assert_cmpint (out, ==, i);
    }

  {
    AirLabel label = AIR_LABEL_BLUE;

    g_assert_false (air_label_from_string (NULL, &label));
    g_assert_false (air_label_from_string ("", &label));
    g_assert_false (air_label_from_string ("Red", &label));
    g_assert_false (air_label_from_string ("red ", &label));
    g_assert_cmpint (label, ==, AIR_LABEL_BLUE);
    /* Out-of-range values print as the first name, never out of bounds. */
    g_assert_cmpstr (air_label_to_string ((AirLabel) 1000), ==, "red");
    g_assert_cmpstr (air_qube_state_to_string ((AirQubeState) -1), ==, "Halted");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = test_isolate_dirs ();
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/air/protocol/qube/full", test_qube_full);
  g_test_add_func ("/air/protocol/qube/defaults-and-unknown-fields", test_qube_defaults_and_unknown_fields);
  g_test_add_func ("/air/protocol/qube/hostile", test_qube_hostile);
  g_test_add_func ("/air/protocol/qube/nul-byte", test_qube_nul_byte);
  g_test_add_func ("/air/protocol/qube/oversized", test_qube_oversized);
  g_test_add_func ("/air/protocol/qube/round-trip", test_qube_round_trip);
  g_test_add_func ("/air/protocol/list/valid", test_list);
  g_test_add_func ("/air/protocol/list/empty", test_list_empty);
  g_test_add_func ("/air/protocol/list/hostile", test_list_hostile);
  g_test_add_func ("/air/protocol/list/too-many", test_list_too_many);
  g_test_add_func ("/air/protocol/list/oversized", test_list_oversized);
  g_test_add_func ("/air/protocol/list/round-trip", test_list_round_trip);
  g_test_add_func ("/air/protocol/event/kinds", test_event_kinds);
  g_test_add_func ("/air/protocol/event/unknown", test_event_unknown);
  g_test_add_func ("/air/protocol/event/hostile", test_event_hostile);
  g_test_add_func ("/air/protocol/event/long-reason", test_event_long_reason);
  g_test_add_func ("/air/protocol/event/round-trip", test_event_round_trip);
  g_test_add_func ("/air/protocol/long-reason-written", test_long_reason_written);
  g_test_add_func ("/air/protocol/zone-info/valid", test_zone_info);
  g_test_add_func ("/air/protocol/zone-info/minimal", test_zone_info_minimal);
  g_test_add_func ("/air/protocol/zone-info/acceleration", test_zone_info_acceleration);
  g_test_add_func ("/air/protocol/zone-info/disk-encryption", test_zone_info_disk_encryption);
  g_test_add_func ("/air/protocol/zone-info/hostile", test_zone_info_hostile);
  g_test_add_func ("/air/protocol/zone-info/too-many-templates", test_zone_info_too_many_templates);
  g_test_add_func ("/air/protocol/zone-info/round-trip", test_zone_info_round_trip);
  g_test_add_func ("/air/protocol/zone-info/link", test_zone_info_link);
  g_test_add_func ("/air/protocol/spec/valid", test_spec);
  g_test_add_func ("/air/protocol/spec/hostile", test_spec_hostile);
  g_test_add_func ("/air/protocol/spec/round-trip", test_spec_round_trip);
  g_test_add_func ("/air/protocol/prefs", test_prefs);
  g_test_add_func ("/air/protocol/run-header/valid", test_run_header);
  g_test_add_func ("/air/protocol/run-header/hostile", test_run_header_hostile);
  g_test_add_func ("/air/protocol/run-header/limits", test_run_header_limits);
  g_test_add_func ("/air/protocol/run-header/round-trip", test_run_header_round_trip);
  g_test_add_func ("/air/protocol/enum-strings", test_enum_strings);

  status = g_test_run ();
  test_remove_tree (home);
  return status;
}
