/* fuzz-list.c — libFuzzer target: air_protocol_parse_list() (qubesair.List)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-list"

#include "config.h"

#include <string.h>

#include "air-protocol.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) qubes = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *json = NULL;

  fuzz_init ();

  qubes = air_protocol_parse_list ((const char *) data, size, "fuzz", &error);
  FUZZ_CHECK ((qubes == NULL) != (error == NULL));
  if (qubes == NULL)
    return 0;

  json = air_protocol_list_to_json ("fuzz", qubes);
  again = air_protocol_parse_list (json, strlen (json), "fuzz", &error);
  if (again == NULL)
    FUZZ_FAIL ("re-parsing our own list failed: %s", error->message);
  FUZZ_CHECK (again->len == qubes->len);
  for (guint i = 0; i < qubes->len; i++)
    FUZZ_CHECK (g_str_equal (air_qube_get_name (g_ptr_array_index (qubes, i)),
                             air_qube_get_name (g_ptr_array_index (again, i))));

  return 0;
}
