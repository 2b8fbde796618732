/* air-secret.h — secret bytes in locked memory, wiped when freed
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bytes held with sodium_malloc(): guard pages, mlock() where the system
 * allows it, never swapped, zeroed by air_secret_free(). */
typedef struct {
  guint8 *data;
  gsize   len;    /* bytes in use */
  gsize   size;   /* bytes allocated */
} AirSecret;

gboolean   air_secret_init      (GError      **error);
AirSecret *air_secret_new       (gsize         size);
AirSecret *air_secret_new_copy  (const void   *data,
                                 gsize         len);
void       air_secret_free      (AirSecret    *secret);
gboolean   air_secret_append    (AirSecret    *secret,
                                 const void   *data,
                                 gsize         len);
AirSecret *air_secret_read_fd   (int           fd,
                                 gsize         max_len,
                                 GError      **error);
gboolean   air_secret_write_fd  (const AirSecret *secret,
                                 int           fd,
                                 GError      **error);
guint8    *air_secret_steal_data (AirSecret  *secret);
void       air_secret_data_free  (gpointer    data);
void       air_secret_wipe_string (char       *string);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirSecret, air_secret_free)

G_END_DECLS
