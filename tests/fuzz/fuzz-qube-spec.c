/* fuzz-qube-spec.c — libFuzzer target: air_qube_spec_parse() (qubesair.Create)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-qube-spec"

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
  g_autoptr(AirQubeSpec) spec = NULL;
  g_autoptr(AirQubeSpec) again = NULL;
  g_autofree char *json = NULL;

  fuzz_init ();

  spec = air_qube_spec_parse ((const char *) data, size, &error);
  FUZZ_CHECK ((spec == NULL) != (error == NULL));
  if (spec == NULL)
    return 0;

  FUZZ_CHECK (air_name_is_valid (spec->template_name));
  FUZZ_CHECK (spec->memory >= 1 && spec->memory <= AIR_PROTOCOL_MAX_MEMORY);
  FUZZ_CHECK (spec->vcpus >= 1 && spec->vcpus <= AIR_PROTOCOL_MAX_VCPUS);

  json = air_qube_spec_to_json (spec);
  again = air_qube_spec_parse (json, strlen (json), &error);
  if (again == NULL)
    FUZZ_FAIL ("re-parsing our own spec failed: %s", error->message);
  FUZZ_CHECK (g_str_equal (again->template_name, spec->template_name));
  FUZZ_CHECK (again->kind == spec->kind && again->label == spec->label);
  FUZZ_CHECK (again->memory == spec->memory && again->vcpus == spec->vcpus);

  return 0;
}
