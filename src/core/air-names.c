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

/* Makes text from an untrusted peer safe for a terminal, a log or a label:
 * valid UTF-8, no control characters (newline and tab become spaces), and at
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
      else if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029 ||
               g_unichar_type (c) == G_UNICODE_FORMAT)
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
