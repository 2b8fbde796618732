/* fuzz-vmexec.c — libFuzzer target: air_vmexec_decode(), the command line
 * a RemoteVM's caller encodes in qubes.VMExec's argument
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-vmexec"

#include "config.h"

#include <string.h>

#include "air-vmexec.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *arg = g_strndup ((const char *) data, size);
  g_auto(GStrv) argv = NULL;
  guint n;

  fuzz_init ();

  argv = air_vmexec_decode (arg, NULL);
  if (argv == NULL)
    return 0;

  /* an accepted command has a first word, no more words than allowed,
   * and no NUL inside a word (the encoding cannot say one) */
  n = g_strv_length (argv);
  if (n == 0 || n > AIR_VMEXEC_MAX_ARGS || argv[0][0] == '\0')
    FUZZ_FAIL ("an accepted command without a first word, or with too many");
  for (guint i = 0; i < n; i++)
    if (strlen (argv[i]) > strlen (arg))
      FUZZ_FAIL ("a decoded word longer than its encoding");
  return 0;
}
