/* fuzz-file-listing.c — libFuzzer target: air_file_listing_parse(), the
 * directory listing a zone sends for the file pane
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-file-listing"

#include "config.h"

#include <string.h>

#include "air-file-transfer.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) entries = NULL;

  fuzz_init ();

  entries = air_file_listing_parse ((const char *) data, size, NULL);
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      AirFileEntry *entry = entries->pdata[i];

      /* what the pane shows must be one safe path component */
      if (entry->name == NULL || *entry->name == '\0' || strchr (entry->name, '/') != NULL ||
          strcmp (entry->name, ".") == 0 || strcmp (entry->name, "..") == 0 ||
          !g_utf8_validate (entry->name, -1, NULL))
        FUZZ_FAIL ("an unsafe name was accepted");
    }
  return 0;
}
