/* air-crypto.c
 *
 * libsodium must be initialised before its random numbers, keys or
 * guarded memory are used; sodium_init() may be called any number of
 * times, from any thread. Everything that uses it asks here first, so the
 * failure reads the same everywhere.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-crypto"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "air-crypto.h"
#include "air-error.h"

gboolean
air_crypto_init (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED,
                           _("The cryptography library cannot be initialised"));
      return FALSE;
    }
  return TRUE;
}
