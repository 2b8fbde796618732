/* fuzz-filecopy.c — libFuzzer target: the qubes.Filecopy push parser and
 * its name and symlink checks (what a sending qube controls in FilePut)
 *
 * The input is fed in slices whose sizes come from its first byte, so the
 * parser's resumption at every boundary is exercised too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-filecopy"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "air-filecopy.h"
#include "fuzz-common.h"

typedef struct {
  guint64 data_left;
  guint   entries;
} State;

static gboolean
on_entry (const AirFilecopyHeader *header, const char *name, gpointer user_data, GError **error)
{
  State *state = user_data;

  FUZZ_CHECK (air_filecopy_check_name (name, strlen (name) + 1, NULL));
  FUZZ_CHECK ((header->mode & S_IFMT) == S_IFREG || (header->mode & S_IFMT) == S_IFDIR);
  state->data_left = header->filelen;
  state->entries++;
  return TRUE;
}

static gboolean
on_data (const guint8 *data, gsize len, gpointer user_data, GError **error)
{
  State *state = user_data;

  FUZZ_CHECK (len > 0 && len <= state->data_left);
  state->data_left -= len;
  return TRUE;
}

static gboolean
on_entry_done (const AirFilecopyHeader *header, const char *name, gpointer user_data, GError **error)
{
  State *state = user_data;

  FUZZ_CHECK (state->data_left == 0);
  return TRUE;
}

static gboolean
on_symlink (const AirFilecopyHeader *header, const char *name, const char *target,
            gpointer user_data, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (target, "/", -1);

  FUZZ_CHECK (target[0] != '/' && strlen (target) == header->filelen);
  FUZZ_CHECK (strchr (name, '/') != NULL);
  /* Only down from its folder, so no chain of links can climb out. */
  for (guint i = 0; parts[i] != NULL; i++)
    FUZZ_CHECK (strcmp (parts[i], "..") != 0);
  return TRUE;
}

static const AirFilecopyParserFuncs funcs = { on_entry, on_data, on_entry_done, on_symlink };

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(AirFilecopyParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  State state = { 0 };
  gsize step, used = 0;

  fuzz_init ();

  if (size == 0)
    return 0;
  step = 1 + data[0] % 64;
  data++;
  size--;

  /* The raw input as one name, too. */
  air_filecopy_check_name ((const char *) data, size, NULL);

  parser = air_filecopy_parser_new (&funcs, &state);
  air_filecopy_parser_set_limits (parser, 1 << 20, 1000);
  while (used < size)
    {
      gsize len = MIN (step, size - used);
      gssize done = air_filecopy_parser_feed (parser, data + used, len, &error);

      if (done < 0)
        {
          FUZZ_CHECK (error != NULL);
          FUZZ_CHECK (air_filecopy_parser_get_errno (parser) != 0);
          break;
        }
      FUZZ_CHECK ((gsize) done <= len);
      used += done;
      if (air_filecopy_parser_is_done (parser))
        break;
    }
  return 0;
}
