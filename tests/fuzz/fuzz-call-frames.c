/* fuzz-call-frames.c — libFuzzer target: a call's header line as the zone
 * host's listener reads it, and the answer frames as the gateway reads
 * them (air-call-frames.c)
 *
 * The first byte picks which: even, the header; odd, the frames.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-call-frames"

#include "config.h"

#include <string.h>
#include <stdio.h>

#include "air-call-frames.h"
#include "fuzz-common.h"

static void
fuzz_header (const uint8_t *data, size_t size)
{
  g_autofree char *service = NULL;
  g_autofree char *arg = NULL;
  g_autofree char *caller = NULL;
  g_autofree char *out_service = NULL, *out_arg = NULL, *out_caller = NULL, *target = NULL;

  if (air_call_header_parse ((const char *) data, size, &service, &arg, &caller, NULL, NULL) &&
      (service == NULL || caller == NULL))
    FUZZ_FAIL ("an accepted header without service or caller");
  /* A call out of a zone (air-uplink.c): its target is one qrexec takes. */
  if (air_call_header_parse ((const char *) data, size, &out_service, &out_arg, &out_caller, &target, NULL) &&
      !air_call_target_is_valid (target))
    FUZZ_FAIL ("an accepted call out with a target that is not valid");
}

static void
fuzz_frames (const uint8_t *data, size_t size)
{
  static guint8 buffer[AIR_CALL_MAX_FRAME];
  FILE *file = tmpfile ();
  int fd;

  if (file == NULL || fwrite (data, 1, size, file) != size || fflush (file) != 0)
    FUZZ_FAIL ("tmpfile");
  rewind (file);
  fd = fileno (file);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      AirCallFrame type;
      gsize len = 0;

      if (!air_call_read_frame (fd, &type, buffer, &len, &error))
        break;
      if (len > AIR_CALL_MAX_FRAME)
        FUZZ_FAIL ("a frame longer than the buffer");
    }
  fclose (file);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_init ();

  if (size < 1)
    return 0;
  if (data[0] % 2 == 0)
    fuzz_header (data + 1, size - 1);
  else
    fuzz_frames (data + 1, size - 1);
  return 0;
}
