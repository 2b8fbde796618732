/* fuzz-age-header.c — libFuzzer target: air_age_header_parse(), and
 * air_age_decrypt() with a fixed identity and passphrase over the same
 * bytes (a configuration file to import is untrusted input)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-age"

#include "config.h"

#include <string.h>

#include "air-age.h"
#include "fuzz-common.h"

/* A fixed identity, so a seed made for it reaches the payload. */
#define IDENTITY "AGE-SECRET-KEY-1U0CGAUFQCMYENDC47PQEJ5LUHMF0HGZN7HCVNXN3PC9V2MCRF37QWCLZNH"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(AirAgeHeader) header = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) plain = NULL;
  const char *identities[] = { IDENTITY, NULL };

  fuzz_init ();

  header = air_age_header_parse (data, size, NULL);
  if (header != NULL)
    {
      if (header->length > size || header->mac_offset >= header->length ||
          header->stanzas->len == 0 || header->stanzas->len > AIR_AGE_MAX_STANZAS)
        FUZZ_FAIL ("header bounds out of range");
      for (guint i = 0; i < header->stanzas->len; i++)
        {
          AirAgeStanza *stanza = header->stanzas->pdata[i];

          if (stanza->type == NULL || *stanza->type == '\0' || stanza->body == NULL)
            FUZZ_FAIL ("stanza without type or body");
        }
    }

  /* scrypt is slow by design: only the identity path is fuzzed through. */
  bytes = g_bytes_new (data, size);
  if (!air_age_needs_passphrase (bytes))
    plain = air_age_decrypt (bytes, identities, NULL, NULL);
  return 0;
}
