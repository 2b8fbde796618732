/* air-names.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-names"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-names.h"

static const char * const reserved_names[] = { "dom0", "none", "default", NULL };

gboolean
air_name_is_valid (const char *name)
{
  gsize len;

  if (name == NULL || !g_ascii_isalpha (name[0]))
    return FALSE;

  len = strnlen (name, AIR_NAME_MAX + 1);
  if (len > AIR_NAME_MAX)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = name[i];

      if (!g_ascii_isalnum (c) && c != '_' && c != '.' && c != '-')
        return FALSE;
    }

  return !g_strv_contains (reserved_names, name);
}

/* The kinds of name callers pass as @what, listed for translation. */
static const char * const name_kinds[] G_GNUC_UNUSED = {
  N_("qube"), N_("zone"), N_("template"), N_("gateway qube"), N_("source qube"), N_("vault qube"),
};

/* @what names the kind of thing ("qube", "zone", "template") so the message
 * tells the user which field to fix. */
gboolean
air_name_validate (const char  *name,
                   const char  *what,
                   GError     **error)
{
  g_autofree char *shown = NULL;

  if (air_name_is_valid (name))
    return TRUE;

  what = _(what);

  if (name == NULL || name[0] == '\0')
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME,
                   _("The %s name is empty. Give a name that starts with a letter."), what);
      return FALSE;
    }

  shown = air_text_sanitize (name, -1, 40);

  if (strnlen (name, AIR_NAME_MAX + 1) > AIR_NAME_MAX)
    g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME,
                 _("The %s name “%s” is too long: at most %d characters."),
                 what, shown, AIR_NAME_MAX);
  else if (g_strv_contains (reserved_names, name))
    g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME,
                 _("“%s” is reserved by Qubes and cannot be a %s name."), shown, what);
  else if (!g_ascii_isalpha (name[0]))
    g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME,
                 _("The %s name “%s” must start with a letter."), what, shown);
  else
    g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME,
                 _("The %s name “%s” may contain only letters, digits, “_”, “.” and “-”."),
                 what, shown);
  return FALSE;
}

/* Characters that show nothing, or change how the text around them is
 * shown, so a name holding them can pass for another: every format
 * character (Cf: zero-width spaces and joiners, bidirectional marks and
 * overrides, U+061C, U+FEFF, tags…), line and paragraph separators, the
 * rest of Unicode's default-ignorable code points (U+034F, U+115F, U+1160,
 * U+17B4, U+17B5, U+180B–U+180F, U+3164, variation selectors, U+FFA0…),
 * and the blank that is no space (U+2800). One rule for a received file
 * name and for text shown to the user. */
gboolean
air_unichar_is_invisible (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  if (type == G_UNICODE_FORMAT || type == G_UNICODE_LINE_SEPARATOR ||
      type == G_UNICODE_PARAGRAPH_SEPARATOR)
    return TRUE;

  return c == 0x00AD || c == 0x034F || c == 0x061C ||
         c == 0x115F || c == 0x1160 ||
         c == 0x17B4 || c == 0x17B5 ||
         (c >= 0x180B && c <= 0x180F) ||
         (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2060 && c <= 0x206F) ||
         c == 0x2800 || c == 0x3164 ||
         (c >= 0xFE00 && c <= 0xFE0F) ||
         c == 0xFEFF || c == 0xFFA0 ||
         (c >= 0xFFF0 && c <= 0xFFF8) ||
         (c >= 0x1BCA0 && c <= 0x1BCA3) ||
         (c >= 0x1D173 && c <= 0x1D17A) ||
         (c >= 0xE0000 && c <= 0xE0FFF);
}

/* Makes text from an untrusted peer safe for a terminal, a log or a label:
 * valid UTF-8, no control or invisible characters (newline and tab become
 * spaces; the others U+FFFD, so a hidden one still shows), and at
 * most @max_chars characters, with an ellipsis when cut. */
char *
air_text_sanitize (const char *text,
                   gssize      len,
                   gsize       max_chars)
{
  g_autofree char *valid = NULL;
  GString *out;
  gsize count = 0;

  if (text == NULL)
    return g_strdup ("");

  valid = g_utf8_make_valid (text, len);
  out = g_string_sized_new (MIN (strlen (valid), max_chars * 4) + 4);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (count == max_chars)
        {
          g_string_append (out, "…");
          break;
        }

      if (c == '\n' || c == '\t' || c == '\r')
        c = ' ';
      else if (g_unichar_iscntrl (c) || air_unichar_is_invisible (c))
        c = 0xFFFD;

      g_string_append_unichar (out, c);
      count++;
    }

  /* Trailing whitespace from a final newline reads badly in a message. */
  while (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);

  return g_string_free (out, FALSE);
}

/* One digit run of a name: its significant digits (leading zeros skipped)
 * and its whole length. */
typedef struct {
  const char *digits;
  gsize       n_digits;
  gsize       len;
} DigitRun;

static const char *
digit_run (const char *p,
           DigitRun   *run)
{
  const char *start = p;

  while (*p == '0')
    p++;
  run->digits = p;
  while (g_ascii_isdigit (*p))
    p++;
  run->n_digits = p - run->digits;
  run->len = p - start;
  return p;
}

/* Compares two runs by value without converting them, so a run of any
 * length (a hostile name's hundred digits) neither overflows nor ties. */
static int
digit_run_compare (const DigitRun *a,
                   const DigitRun *b)
{
  int c;

  if (a->n_digits != b->n_digits)
    return a->n_digits < b->n_digits ? -1 : 1;
  c = memcmp (a->digits, b->digits, a->n_digits);
  return c < 0 ? -1 : c > 0;
}

/* Orders names as people read them: "q2" before "q10", "Beta" between
 * "alpha" and "gamma". Three levels, each deciding only when the ones
 * before tie, so the order is total (0 only for equal strings) and the
 * same on every run:
 *   1. runs of ASCII digits by value, every other byte with ASCII case
 *      folded (a run sorts where a digit would: after "/", before ":");
 *   2. at the first pair of runs of equal value but different length, the
 *      shorter first ("q1" before "q01");
 *   3. strcmp() ("Work" before "work").
 * Other bytes compare as bytes, which for UTF-8 is code-point order.
 * NULL sorts before every string. */
int
air_name_collate (const char *a,
                  const char *b)
{
  const char *p, *q;
  int zeros = 0;
  int c;

  if (a == NULL || b == NULL)
    return (a != NULL) - (b != NULL);

  p = a;
  q = b;
  while (*p != '\0' && *q != '\0')
    {
      if (g_ascii_isdigit (*p) && g_ascii_isdigit (*q))
        {
          DigitRun ra, rb;

          p = digit_run (p, &ra);
          q = digit_run (q, &rb);
          c = digit_run_compare (&ra, &rb);
          if (c != 0)
            return c;
          if (zeros == 0 && ra.len != rb.len)
            zeros = ra.len < rb.len ? -1 : 1;
          continue;
        }

      c = (int) (guchar) g_ascii_tolower (*p) - (int) (guchar) g_ascii_tolower (*q);
      if (c != 0)
        return c < 0 ? -1 : 1;
      p++;
      q++;
    }

  if (*p != '\0' || *q != '\0')
    return *p == '\0' ? -1 : 1;
  if (zeros != 0)
    return zeros;

  c = strcmp (a, b);
  return c < 0 ? -1 : c > 0;
}
