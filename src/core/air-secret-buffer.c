/* air-secret-buffer.c
 *
 * One place for the secret the user types or pipes in (a token, a key):
 * the dialogs and qair copy it here from the entry or stdin, and the
 * vault client sends it from here; nothing else keeps it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-secret-buffer"

#include "config.h"

#include <string.h>
#include <sys/mman.h>

#include "air-secret-buffer.h"

AirSecretBuffer *
air_secret_buffer_new (gsize size)
{
  AirSecretBuffer *buffer = g_new0 (AirSecretBuffer, 1);

  buffer->size = MAX (size, 1);
  buffer->data = g_malloc0 (buffer->size);
  /* Best effort: RLIMIT_MEMLOCK may refuse, the wipe still happens. */
  mlock (buffer->data, buffer->size);
  return buffer;
}

void
air_secret_buffer_free (AirSecretBuffer *buffer)
{
  if (buffer == NULL)
    return;
  explicit_bzero (buffer->data, buffer->size);
  munlock (buffer->data, buffer->size);
  g_free (buffer->data);
  g_free (buffer);
}

GBytes *
air_secret_buffer_to_bytes (AirSecretBuffer *buffer,
                            gsize            len)
{
  g_return_val_if_fail (buffer != NULL && len <= buffer->size, NULL);
  return g_bytes_new_with_free_func (buffer->data, len, (GDestroyNotify) air_secret_buffer_free, buffer);
}
