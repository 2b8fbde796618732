/* fuzz-event.c — libFuzzer target: air_event_parse() (qubesair.Events)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-event"

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
  g_autoptr(AirEvent) event = NULL;
  g_autoptr(AirEvent) again = NULL;
  g_autofree char *line = NULL;

  fuzz_init ();

  event = air_event_parse ((const char *) data, size, "fuzz", &error);
  FUZZ_CHECK ((event == NULL) != (error == NULL));
  if (event == NULL)
    return 0;

  switch (event->kind)
    {
    case AIR_EVENT_QUBE_ADDED:
    case AIR_EVENT_QUBE_CHANGED:
      FUZZ_CHECK (event->qube != NULL);
      break;
    case AIR_EVENT_QUBE_REMOVED:
      FUZZ_CHECK (air_name_is_valid (event->name));
      break;
    case AIR_EVENT_ZONE_HEALTH:
      FUZZ_CHECK (event->reason != NULL);
      for (const char *p = event->reason; *p; p = g_utf8_next_char (p))
        FUZZ_CHECK (!g_unichar_iscntrl (g_utf8_get_char (p)));
      break;
    default:
      FUZZ_CHECK (FALSE);
    }

  line = air_event_to_line (event);
  again = air_event_parse (line, strlen (line), "fuzz", &error);
  if (again == NULL)
    FUZZ_FAIL ("re-parsing our own event failed: %s", error->message);
  FUZZ_CHECK (again->kind == event->kind);

  return 0;
}
