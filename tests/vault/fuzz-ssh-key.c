/* fuzz-ssh-key.c — fuzz target: importing an OpenSSH private key
 *
 * An imported key must be whole: its public half derivable and matching.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-ssh-key"

#include "config.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>

#include "air-ssh-key.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
  GError *error = NULL;
  AirSecret *secret;

  if (sodium_init () < 0)
    abort ();

  secret = air_ssh_key_import_openssh (data, size, &error);
  if (secret == NULL)
    {
      if (error == NULL)
        abort ();
      g_error_free (error);
      return 0;
    }

  if (secret->len != AIR_ED25519_SECRET_BYTES ||
      !air_ssh_key_public_from_secret (secret, public_key, NULL))
    abort ();
  air_secret_free (secret);
  return 0;
}
