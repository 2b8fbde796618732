/* fuzz-qube.c — libFuzzer target: air_protocol_parse_qube()
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-qube"

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
  g_autoptr(AirQube) qube = NULL;
  g_autoptr(AirQube) again = NULL;
  g_autofree char *json = NULL;

  fuzz_init ();

  qube = air_protocol_parse_qube ((const char *) data, size, "fuzz", &error);
  FUZZ_CHECK ((qube == NULL) != (error == NULL));
  if (qube == NULL)
    {
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  FUZZ_CHECK (air_name_is_valid (air_qube_get_name (qube)));
  FUZZ_CHECK (air_qube_get_template (qube)[0] == '\0' ||
              air_name_is_valid (air_qube_get_template (qube)));
  FUZZ_CHECK (air_qube_get_memory (qube) <= AIR_PROTOCOL_MAX_MEMORY);
  FUZZ_CHECK (air_qube_get_vcpus (qube) <= AIR_PROTOCOL_MAX_VCPUS);

  json = air_protocol_qube_to_json (qube);
  again = air_protocol_parse_qube (json, strlen (json), "fuzz", &error);
  if (again == NULL)
    FUZZ_FAIL ("re-parsing our own qube failed: %s", error->message);
  FUZZ_CHECK (g_str_equal (air_qube_get_name (qube), air_qube_get_name (again)));
  FUZZ_CHECK (g_str_equal (air_qube_get_ip (qube), air_qube_get_ip (again)));
  FUZZ_CHECK (air_qube_get_state (qube) == air_qube_get_state (again));
  FUZZ_CHECK (air_qube_get_started (qube) == air_qube_get_started (again));

  return 0;
}
