/* fuzz-zone-info.c — libFuzzer target: air_zone_info_parse() (qubesair.ZoneInfo)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-zone-info"

#include "config.h"

#include <string.h>

#include "air-names.h"
#include "air-protocol.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZoneInfo) info = NULL;
  g_autoptr(AirZoneInfo) again = NULL;
  g_autofree char *json = NULL;

  fuzz_init ();

  info = air_zone_info_parse ((const char *) data, size, &error);
  FUZZ_CHECK ((info == NULL) != (error == NULL));
  if (info == NULL)
    return 0;

  FUZZ_CHECK (air_name_is_valid (info->name));
  FUZZ_CHECK (info->templates != NULL);
  for (guint i = 0; info->templates[i]; i++)
    FUZZ_CHECK (air_name_is_valid (info->templates[i]));

  json = air_zone_info_to_json (info);
  again = air_zone_info_parse (json, strlen (json), &error);
  if (again == NULL)
    FUZZ_FAIL ("re-parsing our own zone info failed: %s", error->message);
  FUZZ_CHECK (g_str_equal (again->name, info->name));
  FUZZ_CHECK (g_strv_equal ((const char * const *) again->templates,
                            (const char * const *) info->templates));
  FUZZ_CHECK (again->memory_total == info->memory_total);

  return 0;
}
