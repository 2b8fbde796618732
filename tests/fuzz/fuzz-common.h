/* fuzz-common.h — what every fuzz target shares
 *
 * Each fuzz-*.c defines LLVMFuzzerTestOneInput() for one parser of zone
 * input. Built with -Dfuzzing=true (clang) they are libFuzzer programs;
 * otherwise standalone-fuzz-main.c feeds them their seed corpus as an
 * ordinary test.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A critical or a warning is a bug the fuzzer should report, as a crash. */
static inline void
fuzz_init (void)
{
  static gboolean done;

  if (!done)
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      done = TRUE;
    }
}

/* A failed check aborts (not g_error()'s trap), so libFuzzer saves the
 * input. Accepted input, for one, must be accepted again after our own
 * encoder wrote it: a zone's agent encodes, a client decodes strictly. */
#define FUZZ_FAIL(...)                                                        \
  G_STMT_START {                                                              \
    g_printerr ("%s:%d: ", __FILE__, __LINE__);                               \
    g_printerr (__VA_ARGS__);                                                 \
    g_printerr ("\n");                                                        \
    abort ();                                                                 \
  } G_STMT_END

#define FUZZ_CHECK(expr)                                                      \
  G_STMT_START {                                                              \
    if (!(expr))                                                              \
      FUZZ_FAIL ("check failed: %s", #expr);                                  \
  } G_STMT_END
