/* test-names.c — Qubes' naming rules and text sanitising
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test-names"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "air-error.h"
#include "test-util.h"
#include "air-names.h"

static void
test_valid (void)
{
  static const char * const valid[] = {
    "a", "Z", "work", "personal-2", "sys.net", "my_qube", "a-b.c_d",
    "A1", "qube--", "x.", "domain0", "dom0x", "nonexistent", "defaults",
    "Dom0", "NONE", "Default",
    "abcdefghijklmnopqrstuvwxyz01234",   /* 31 bytes */
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;

      test_note ("valid", i, valid[i]);
      g_assert_true (air_name_is_valid (valid[i]));
      g_assert_true (air_name_validate (valid[i], "qube", &error));
      g_assert_no_error (error);
    }
}

typedef struct {
  const char *name;
  const char *expect;   /* a piece of the message */
} Invalid;

static void
test_invalid (void)
{
  static const Invalid invalid[] = {
    { "", "empty" },
    { "../x", "must start with a letter" },
    { "x/../y", "may contain only" },
    { "1abc", "must start with a letter" },
    { "-abc", "must start with a letter" },
    { "_abc", "must start with a letter" },
    { ".abc", "must start with a letter" },
    { " abc", "must start with a letter" },
    { "ab c", "may contain only" },
    { "ab/c", "may contain only" },
    { "ab\\c", "may contain only" },
    { "ab+c", "may contain only" },
    { "ab:c", "may contain only" },
    { "ab\nc", "may contain only" },
    { "ab\tc", "may contain only" },
    { "ab\x01" "c", "may contain only" },
    { "ab\x7f" "c", "may contain only" },
    { "ab\x1b[31mc", "may contain only" },
    { "caf\xc3\xa9", "may contain only" },          /* é: letters are ASCII only */
    { "\xc3\xa9t\xc3\xa9", "must start with a letter" },
    { "ab\xff", "may contain only" },              /* invalid UTF-8 */
    { "ab\xe2\x80\xae" "cd", "may contain only" },  /* RLO bidi override */
    { "dom0", "reserved" },
    { "none", "reserved" },
    { "default", "reserved" },
    { "abcdefghijklmnopqrstuvwxyz012345", "too long" },   /* 32 bytes */
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("invalid #%u", i);
      g_assert_false (air_name_is_valid (invalid[i].name));
      g_assert_false (air_name_validate (invalid[i].name, "qube", &error));
      g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
      g_assert_nonnull (strstr (error->message, invalid[i].expect));
      /* The message is safe to print: valid UTF-8, no control characters. */
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      for (const char *p = error->message; *p; p++)
        g_assert_false (g_ascii_iscntrl (*p));
    }
}

static void
test_null (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (air_name_is_valid (NULL));
  g_assert_false (air_name_validate (NULL, "zone", &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
  g_assert_nonnull (strstr (error->message, "zone"));
  g_assert_nonnull (strstr (error->message, "empty"));

  /* No GError wanted: still just FALSE. */
  g_assert_false (air_name_validate ("../x", "qube", NULL));
}

static void
test_length_boundary (void)
{
  char name[64];
  g_autoptr(GError) error = NULL;

  for (guint len = 1; len < sizeof name; len++)
    {
      memset (name, 'q', len);
      name[len] = '\0';
      g_assert_cmpint (air_name_is_valid (name), ==, len <= AIR_NAME_MAX);
    }

  memset (name, 'q', 32);
  name[32] = '\0';
  g_assert_false (air_name_validate (name, "template", &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
  g_assert_nonnull (strstr (error->message, "template"));
  g_assert_nonnull (strstr (error->message, "31"));
}

static void
test_message_names_kind (void)
{
  static const char * const kinds[] = { "qube", "zone", "template", "gateway qube" };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (air_name_validate ("bad name", kinds[i], &error));
      g_assert_nonnull (strstr (error->message, kinds[i]));
      g_assert_nonnull (strstr (error->message, "bad name"));
    }
}

static void
test_message_sanitises_name (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) huge = g_string_new ("a");

  /* A hostile name does not bring its escape sequences or its length into
   * the message. */
  for (guint i = 0; i < 10000; i++)
    g_string_append (huge, "\x1b[2J\xe2\x80\xae");

  g_assert_false (air_name_validate (huge->str, "qube", &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
  g_assert_null (strchr (error->message, '\x1b'));
  g_assert_null (strstr (error->message, "\xe2\x80\xae"));
  g_assert_cmpuint (strlen (error->message), <, 400);
  g_assert_nonnull (strstr (error->message, "…"));
}

typedef struct {
  const char *in;
  gssize      len;
  gsize       max;
  const char *out;
} Sanitize;

static void
test_sanitize (void)
{
  static const Sanitize cases[] = {
    { "plain", -1, 100, "plain" },
    { "", -1, 100, "" },
    { "line\nbreak\ttab\rcr", -1, 100, "line break tab cr" },
    { "trailing\n\n", -1, 100, "trailing" },
    { "bell\a esc\x1b[31m", -1, 100, "bell\xef\xbf\xbd esc\xef\xbf\xbd[31m" },
    { "del\x7f", -1, 100, "del\xef\xbf\xbd" },
    { "c1\xc2\x9b" "x", -1, 100, "c1\xef\xbf\xbdx" },                        /* U+009B CSI */
    { "rlo\xe2\x80\xae" "x", -1, 100, "rlo\xef\xbf\xbdx" },                   /* U+202E */
    { "lri\xe2\x81\xa6" "x", -1, 100, "lri\xef\xbf\xbdx" },                   /* U+2066 */
    { "zwj\xe2\x80\x8d" "x", -1, 100, "zwj\xef\xbf\xbdx" },                   /* U+200D */
    { "ls\xe2\x80\xa8ps\xe2\x80\xa9", -1, 100, "ls\xef\xbf\xbdps\xef\xbf\xbd" },
    { "bad\xff\xfe", -1, 100, "bad\xef\xbf\xbd\xef\xbf\xbd" },
    { "cut\xe2\x82", -1, 100, "cut\xef\xbf\xbd\xef\xbf\xbd" },                /* truncated € */
    { "ovl\xc0\xaf", -1, 100, "ovl\xef\xbf\xbd\xef\xbf\xbd" },                /* overlong / */
    { "caf\xc3\xa9 \xf0\x9f\x98\x80", -1, 100, "caf\xc3\xa9 \xf0\x9f\x98\x80" },
    { "abcdef", -1, 3, "abc…" },
    { "abc", -1, 3, "abc" },
    { "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", -1, 2, "\xc3\xa9\xc3\xa9…" },        /* counts characters */
    { "abc", -1, 0, "…" },
    { "ab\0cd", 5, 100, "ab\xef\xbf\xbd" "cd" },                              /* NUL inside */
    { "abcdef", 3, 100, "abc" },                                              /* length honoured */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = air_text_sanitize (cases[i].in, cases[i].len, cases[i].max);

      g_test_message ("sanitize #%u", i);
      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_true (g_utf8_validate (out, -1, NULL));
    }
}

static void
test_sanitize_null (void)
{
  g_autofree char *out = air_text_sanitize (NULL, -1, 10);

  g_assert_cmpstr (out, ==, "");
}

static void
test_sanitize_random (void)
{
  /* Any bytes in: valid UTF-8 without control or format characters out,
   * never more than max characters plus the ellipsis. */
  for (guint round = 0; round < 2000; round++)
    {
      guint8 bytes[64];
      gsize len = g_test_rand_int_range (0, sizeof bytes);
      gsize max = g_test_rand_int_range (0, 40);
      g_autofree char *out = NULL;
      gsize n = 0;

      for (gsize i = 0; i < len; i++)
        bytes[i] = g_test_rand_int_range (0, 256);

      out = air_text_sanitize ((const char *) bytes, len, max);
      g_assert_true (g_utf8_validate (out, -1, NULL));
      for (const char *p = out; *p; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          g_assert_false (g_unichar_iscntrl (c));
          g_assert_cmpint (g_unichar_type (c), !=, G_UNICODE_FORMAT);
          n++;
        }
      g_assert_cmpuint (n, <=, max + 1);
    }
}

/* The one rule for invisible characters, shared by received file names
 * and shown text: each listed code point is caught, and sanitised text
 * shows it as U+FFFD instead of hiding it. */
static void
test_invisible (void)
{
  static const gunichar invisible[] = {
    0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0x2800, 0x3164, 0x115F, 0x1160,
    0xFFA0, 0x180E, 0x180B, 0x00AD, 0x034F, 0x17B4, 0x17B5, 0x2060, 0x2061, 0x2064,
    0x2066, 0x2069, 0x202A, 0x202E, 0x2028, 0x2029, 0xFEFF, 0xFE00, 0xFE0F, 0xFFF9,
    0x110BD, 0x1BCA0, 0x1D173, 0xE0001, 0xE0041, 0xE0100, 0xE01EF,
  };
  static const gunichar visible[] = {
    'a', ' ', '.', 0x00E9, 0x6587, 0x1F600, 0x3000, 0x00A0, 0x2003, 0xAC00, 0x0627, 0x05D0,
  };

  for (guint i = 0; i < G_N_ELEMENTS (invisible); i++)
    {
      char in[16] = "a";
      g_autofree char *out = NULL;

      g_test_message ("U+%04X", invisible[i]);
      g_assert_true (air_unichar_is_invisible (invisible[i]));
      g_unichar_to_utf8 (invisible[i], in + 1);
      strcat (in, "b");
      out = air_text_sanitize (in, -1, 10);
      g_assert_cmpstr (out, ==, "a\xef\xbf\xbd" "b");
    }
  for (guint i = 0; i < G_N_ELEMENTS (visible); i++)
    {
      g_test_message ("U+%04X", visible[i]);
      g_assert_false (air_unichar_is_invisible (visible[i]));
    }
  /* Every format character, whatever GLib's Unicode version adds. */
  for (gunichar c = 0; c <= 0x10FFFF; c++)
    if (g_unichar_type (c) == G_UNICODE_FORMAT)
      g_assert_true (air_unichar_is_invisible (c));
}

static int
sign (int v)
{
  return (v > 0) - (v < 0);
}

static void
test_collate_order (void)
{
  /* Each before the next, as a person reading the list expects. */
  static const char * const sorted[] = {
    "",
    "a",
    "alpha",
    "Beta",
    "beta",
    "gamma",
    "q",
    "q0",
    "q00",
    "q1",
    "q01",
    "q001",
    "q1a",
    "q1b",
    "q2",
    "q02",
    "q9",
    "q10",
    "q10-dev",
    "q11",
    "q99",
    "q100",
    "q18446744073709551615",         /* G_MAXUINT64 */
    "q18446744073709551616",         /* one more: no overflow */
    "q100000000000000000000000000000",
    "sys-net",
    "sys-net2",
    "sys-net10",
    "work",
    "Work-x",
    "work-x",
    "work.1",
    "work.2",
    "work.10",
    "work1",
    "work2",
    "work10",
    "zone9-host2",
    "zone9-host10",
    "zone10-host1",
  };

  g_assert_cmpint (air_name_collate (NULL, NULL), ==, 0);
  g_assert_cmpint (air_name_collate (NULL, ""), <, 0);
  g_assert_cmpint (air_name_collate ("", NULL), >, 0);

  for (guint i = 0; i < G_N_ELEMENTS (sorted); i++)
    for (guint j = 0; j < G_N_ELEMENTS (sorted); j++)
      {
        int want = (i > j) - (i < j);
        int got = sign (air_name_collate (sorted[i], sorted[j]));

        if (got != want)
          g_error ("collate (\"%s\", \"%s\") is %d, expected %d",
                   sorted[i], sorted[j], got, want);
      }
}

static int
collate_ptr (gconstpointer a,
             gconstpointer b)
{
  return air_name_collate (*(const char * const *) a, *(const char * const *) b);
}

static void
test_collate_sorts (void)
{
  const char *names[] = { "q10", "q2", "Q3", "q1", "q01", "sys-usb", "q100", "sys-firewall" };
  static const char * const want[] = { "q1", "q01", "q2", "Q3", "q10", "q100", "sys-firewall", "sys-usb" };

  qsort (names, G_N_ELEMENTS (names), sizeof names[0], collate_ptr);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (names[i], ==, want[i]);
}

static void
test_collate_total (void)
{
  /* Random names from the characters that matter (digits, zeros, both
   * cases, the bytes either side of the digits, UTF-8): the order must be
   * antisymmetric, transitive, and 0 only for equal strings, or a sort
   * would depend on the input order. */
  static const char alphabet[] = "0019aA/:-.\xc3\xa9";
  enum { N = 300 };
  char *names[N];

  for (guint i = 0; i < N; i++)
    {
      gsize len = g_test_rand_int_range (0, 7);
      char *name = g_malloc (len + 1);

      for (gsize k = 0; k < len; k++)
        name[k] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
      name[len] = '\0';
      names[i] = name;
    }

  for (guint i = 0; i < N; i++)
    for (guint j = 0; j < N; j++)
      {
        int ij = sign (air_name_collate (names[i], names[j]));
        int ji = sign (air_name_collate (names[j], names[i]));

        g_assert_cmpint (ij, ==, -ji);
        g_assert_cmpint (ij == 0, ==, strcmp (names[i], names[j]) == 0);
      }

  /* Transitivity, checked on a sorted copy: every earlier name must be at
   * most every later one, not just its neighbour. */
  qsort (names, N, sizeof names[0], collate_ptr);
  for (guint i = 0; i < N; i++)
    for (guint j = i + 1; j < N; j++)
      if (air_name_collate (names[i], names[j]) > 0)
        {
          g_autofree char *a = g_strescape (names[i], NULL);
          g_autofree char *b = g_strescape (names[j], NULL);

          g_error ("not transitive: \"%s\" sorted before \"%s\"", a, b);
        }

  for (guint i = 0; i < N; i++)
    g_free (names[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = test_isolate_dirs ();
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/air/names/valid", test_valid);
  g_test_add_func ("/air/names/invalid", test_invalid);
  g_test_add_func ("/air/names/null", test_null);
  g_test_add_func ("/air/names/length-boundary", test_length_boundary);
  g_test_add_func ("/air/names/message-names-kind", test_message_names_kind);
  g_test_add_func ("/air/names/message-sanitises-name", test_message_sanitises_name);
  g_test_add_func ("/air/names/sanitize", test_sanitize);
  g_test_add_func ("/air/names/sanitize-null", test_sanitize_null);
  g_test_add_func ("/air/names/sanitize-random", test_sanitize_random);
  g_test_add_func ("/air/names/invisible", test_invisible);
  g_test_add_func ("/air/names/collate-order", test_collate_order);
  g_test_add_func ("/air/names/collate-sorts", test_collate_sorts);
  g_test_add_func ("/air/names/collate-total", test_collate_total);

  status = g_test_run ();
  test_remove_tree (home);
  return status;
}
