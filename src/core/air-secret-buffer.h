/* air-secret-buffer.h — memory for a secret on its way to the vault
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @size zeroed bytes, locked in memory where the system allows (so never
 * in swap) and wiped when freed. */
typedef struct {
  char  *data;
  gsize  size;
} AirSecretBuffer;

AirSecretBuffer *air_secret_buffer_new      (gsize            size);
void             air_secret_buffer_free     (AirSecretBuffer *buffer);
/* Takes @buffer: its first @len bytes, wiped when the GBytes goes. */
GBytes          *air_secret_buffer_to_bytes (AirSecretBuffer *buffer,
                                             gsize            len);

G_END_DECLS
