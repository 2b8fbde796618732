/* air-ssh-wire.h — the SSH wire encoding (RFC 4251 §5): uint32 and string
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

/* A bounds-checked cursor over bytes from a peer. */
typedef struct {
  const guint8 *pos;
  gsize         left;
} AirSshReader;

static inline void
air_ssh_reader_init (AirSshReader *reader,
                     const guint8 *data,
                     gsize         len)
{
  reader->pos = data;
  reader->left = len;
}

static inline gboolean
air_ssh_read_u8 (AirSshReader *reader,
                 guint8       *out)
{
  if (reader->left < 1)
    return FALSE;
  *out = reader->pos[0];
  reader->pos++;
  reader->left--;
  return TRUE;
}

static inline gboolean
air_ssh_read_u32 (AirSshReader *reader,
                  guint32      *out)
{
  if (reader->left < 4)
    return FALSE;
  *out = ((guint32) reader->pos[0] << 24) | ((guint32) reader->pos[1] << 16) |
         ((guint32) reader->pos[2] << 8) | (guint32) reader->pos[3];
  reader->pos += 4;
  reader->left -= 4;
  return TRUE;
}

/* The string's bytes stay where they are: *out points into the input. */
static inline gboolean
air_ssh_read_string (AirSshReader  *reader,
                     const guint8 **out,
                     gsize         *out_len)
{
  guint32 len;

  if (!air_ssh_read_u32 (reader, &len) || len > reader->left)
    return FALSE;
  *out = reader->pos;
  *out_len = len;
  reader->pos += len;
  reader->left -= len;
  return TRUE;
}

static inline gboolean
air_ssh_string_equal (const guint8 *data,
                      gsize         len,
                      const char   *expected)
{
  return len == strlen (expected) && memcmp (data, expected, len) == 0;
}

static inline void
air_ssh_put_u32 (GByteArray *out,
                 guint32     value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, bytes, 4);
}

static inline void
air_ssh_put_string (GByteArray   *out,
                    const void   *data,
                    gsize         len)
{
  air_ssh_put_u32 (out, (guint32) len);
  g_byte_array_append (out, data, len);
}

G_END_DECLS
