/* fuzz-host-key.c — libFuzzer target: air_host_key_normalize(), the host
 * key lines ssh-keyscan reports from a zone host, and their fingerprint
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-host-key"

#include "config.h"

#include <string.h>

#include "air-host-key.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *key = NULL;
  g_autofree char *again = NULL;
  g_autofree char *fingerprint = NULL;

  fuzz_init ();

  key = air_host_key_normalize ((const char *) data, size, NULL);
  if (key == NULL)
    return 0;

  /* an accepted key is one printable line, stable when read again */
  for (const char *p = key; *p != '\0'; p++)
    if (*p < 0x20 || *p > 0x7e)
      FUZZ_FAIL ("a control or non-ASCII byte in an accepted key");
  again = air_host_key_normalize (key, -1, NULL);
  if (again == NULL || strcmp (again, key) != 0)
    FUZZ_FAIL ("an accepted key is not accepted again unchanged");
  fingerprint = air_host_key_fingerprint (key);
  if (fingerprint == NULL || !g_str_has_prefix (fingerprint, "SHA256:"))
    FUZZ_FAIL ("an accepted key has no fingerprint");
  return 0;
}
