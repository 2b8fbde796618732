/* fuzz-run-header.c — libFuzzer target: air_run_header_parse() (qubesair.Run)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-run-header"

#include "config.h"

#include <string.h>

#include "air-protocol.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirRunHeader) header = NULL;
  g_autoptr(AirRunHeader) again = NULL;
  g_autofree char *line = NULL;

  fuzz_init ();

  header = air_run_header_parse ((const char *) data, size, &error);
  FUZZ_CHECK ((header == NULL) != (error == NULL));
  if (header == NULL)
    return 0;

  FUZZ_CHECK (header->argv != NULL && header->argv[0] != NULL && header->argv[0][0] != '\0');
  FUZZ_CHECK (header->user != NULL && header->user[0] != '\0');

  line = air_run_header_to_line ((const char * const *) header->argv, header->user);
  again = air_run_header_parse (line, strlen (line), &error);
  if (again == NULL)
    FUZZ_FAIL ("re-parsing our own run header failed: %s", error->message);
  FUZZ_CHECK (g_strv_equal ((const char * const *) again->argv, (const char * const *) header->argv));
  FUZZ_CHECK (g_str_equal (again->user, header->user));

  return 0;
}
