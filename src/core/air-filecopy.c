/* air-filecopy.c — qubes.Filecopy headers, CRC, name checks, push parser
 *
 * Everything here reads bytes from a hostile peer: every length is checked
 * against a fixed bound before anything is kept, and a refusal carries the
 * errno value Qubes' own unpacker would put in its result header.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-filecopy"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "air-error.h"
#include "air-filecopy.h"
#include "air-names.h"

#define NAME_MAX_COMPONENT 255

static void
put_u32 (guint8 *p, guint32 v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, 4);
}

static void
put_u64 (guint8 *p, guint64 v)
{
  v = GUINT64_TO_LE (v);
  memcpy (p, &v, 8);
}

static guint32
get_u32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static guint64
get_u64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

/* The layout of struct file_header on x86-64: no padding, 4+4+8+4+4+4+4. */
void
air_filecopy_header_encode (const AirFilecopyHeader *header,
                            guint8                   out[AIR_FILECOPY_HEADER_SIZE])
{
  put_u32 (out, header->namelen);
  put_u32 (out + 4, header->mode);
  put_u64 (out + 8, header->filelen);
  put_u32 (out + 16, header->atime);
  put_u32 (out + 20, header->atime_nsec);
  put_u32 (out + 24, header->mtime);
  put_u32 (out + 28, header->mtime_nsec);
}

void
air_filecopy_header_decode (const guint8       in[AIR_FILECOPY_HEADER_SIZE],
                            AirFilecopyHeader *header)
{
  header->namelen = get_u32 (in);
  header->mode = get_u32 (in + 4);
  header->filelen = get_u64 (in + 8);
  header->atime = get_u32 (in + 16);
  header->atime_nsec = get_u32 (in + 20);
  header->mtime = get_u32 (in + 24);
  header->mtime_nsec = get_u32 (in + 28);
}

gboolean
air_filecopy_header_is_end (const AirFilecopyHeader *header)
{
  return header->namelen == 0 && header->filelen == 0;
}

/* struct result_header { u32 error_code; u32 _pad; u64 crc32; } */
void
air_filecopy_result_encode (guint32 error_code,
                            guint32 crc,
                            guint8  out[AIR_FILECOPY_RESULT_SIZE])
{
  put_u32 (out, error_code);
  put_u32 (out + 4, 0);
  put_u64 (out + 8, crc);
}

void
air_filecopy_result_decode (const guint8  in[AIR_FILECOPY_RESULT_SIZE],
                            guint32      *error_code,
                            guint32      *crc)
{
  *error_code = get_u32 (in);
  *crc = (guint32) get_u64 (in + 8);
}

guint32
air_filecopy_crc32 (guint32     crc,
                    const void *data,
                    gsize       len)
{
  const guint8 *p = data;

  while (len > 0)
    {
      uInt chunk = (uInt) MIN (len, (gsize) G_MAXINT32);

      crc = (guint32) crc32 (crc, p, chunk);
      p += chunk;
      len -= chunk;
    }
  return crc;
}

/* Control characters, and the invisible ones that make a name look like
 * another: the rule air_text_sanitize() shows them by. */
static gboolean
text_is_clean (const char *text,
               gsize       len)
{
  const char *end;

  if (!g_utf8_validate (text, len, &end) || end != text + len)
    return FALSE;

  for (const char *p = text; p < text + len; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || air_unichar_is_invisible (c))
        return FALSE;
    }
  return TRUE;
}

static gboolean
refuse (GError     **error,
        const char  *message)
{
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, message);
  return FALSE;
}

/* @namelen counts the terminating NUL, as on the wire. */
gboolean
air_filecopy_check_name (const char  *name,
                         gsize        namelen,
                         GError     **error)
{
  gsize len;
  guint depth = 0;

  if (namelen < 2 || name[namelen - 1] != '\0')
    return refuse (error, _("A file name is empty or not terminated"));
  len = namelen - 1;
  if (namelen > AIR_FILECOPY_MAX_NAME)
    return refuse (error, _("A file name is too long"));
  if (memchr (name, '\0', len) != NULL)
    return refuse (error, _("A file name contains a NUL byte"));
  if (!text_is_clean (name, len))
    return refuse (error, _("A file name is not valid UTF-8 or contains control or invisible characters"));
  if (name[0] == '/')
    return refuse (error, _("A file name is absolute"));

  for (const char *p = name; *p != '\0'; )
    {
      gsize clen = strcspn (p, "/");

      if (clen == 0)
        return refuse (error, _("A file name has an empty part"));
      if ((clen == 1 && p[0] == '.') || (clen == 2 && p[0] == '.' && p[1] == '.'))
        return refuse (error, _("A file name contains “.” or “..”"));
      if (clen > NAME_MAX_COMPONENT)
        return refuse (error, _("A file name is too long"));
      if (++depth > AIR_FILECOPY_MAX_DEPTH)
        return refuse (error, _("A file name is nested too deeply"));
      p += clen;
      if (*p == '/')
        {
          p++;
          if (*p == '\0')
            return refuse (error, _("A file name has an empty part"));
        }
    }

  return TRUE;
}

/* A symlink may point only down from its own folder: relative, inside a
 * top-level folder of the transfer, and no ".." anywhere in its target.
 * Checked alone, a link allowed to climb can look harmless while another
 * link of the same transfer, sent before or after it, makes it point out
 * (l1 → ../.., then x → l1/../../../etc/passwd). A link that only goes
 * down cannot: following any chain of them only ever goes down from a
 * folder inside the transfer, whatever order they came in, and checking
 * needs no memory of the links before it. A link that climbs is refused
 * (the sender skips it). */
gboolean
air_filecopy_check_link (const char  *name,
                         const char  *target,
                         gsize        target_len,
                         GError     **error)
{
  if (target_len == 0 || target_len > AIR_FILECOPY_MAX_LINK ||
      memchr (target, '\0', target_len) != NULL || !text_is_clean (target, target_len))
    return refuse (error, _("A symbolic link has an invalid target"));
  if (target[0] == '/' || strchr (name, '/') == NULL)
    return refuse (error, _("A symbolic link points outside the transfer"));

  for (gsize i = 0; i < target_len; )
    {
      gsize clen = 0;

      while (i + clen < target_len && target[i + clen] != '/')
        clen++;
      if (clen == 2 && target[i] == '.' && target[i + 1] == '.')
        return refuse (error, _("A symbolic link climbs out of its folder with “..”"));
      i += clen + 1;
    }

  return TRUE;
}

typedef enum {
  STATE_HEADER,
  STATE_NAME,
  STATE_DATA,
  STATE_LINK,
  STATE_DONE,
  STATE_FAILED,
} State;

struct _AirFilecopyParser
{
  AirFilecopyParserFuncs funcs;
  gpointer               user_data;

  State                  state;
  AirFilecopyHeader      header;
  guint8                 header_buf[AIR_FILECOPY_HEADER_SIZE];
  gsize                  have;        /* bytes of the current part */
  guint64                remaining;   /* file data still to come */
  char                   name[AIR_FILECOPY_MAX_NAME + 1];
  char                   last_name[AIR_FILECOPY_MAX_NAME + 1];
  char                   link[AIR_FILECOPY_MAX_LINK + 1];

  guint32                crc;
  guint64                max_bytes;
  guint64                max_entries;
  guint64                bytes;
  guint64                entries;
  int                    errno_value;
};

AirFilecopyParser *
air_filecopy_parser_new (const AirFilecopyParserFuncs *funcs,
                         gpointer                      user_data)
{
  AirFilecopyParser *self = g_new0 (AirFilecopyParser, 1);

  self->funcs = *funcs;
  self->user_data = user_data;
  self->max_bytes = G_MAXUINT64;
  self->max_entries = G_MAXUINT64;
  return self;
}

void
air_filecopy_parser_free (AirFilecopyParser *self)
{
  g_free (self);
}

void
air_filecopy_parser_set_limits (AirFilecopyParser *self,
                                guint64            max_bytes,
                                guint64            max_entries)
{
  self->max_bytes = max_bytes;
  self->max_entries = max_entries;
}

gboolean
air_filecopy_parser_is_done (AirFilecopyParser *self)
{
  return self->state == STATE_DONE;
}

guint32
air_filecopy_parser_get_crc (AirFilecopyParser *self)
{
  return self->crc;
}

const char *
air_filecopy_parser_get_last_name (AirFilecopyParser *self)
{
  return self->last_name;
}

int
air_filecopy_parser_get_errno (AirFilecopyParser *self)
{
  return self->errno_value;
}

void
air_filecopy_parser_set_errno (AirFilecopyParser *self,
                               int                errno_value)
{
  if (self->errno_value == 0)
    self->errno_value = errno_value;
}

static gboolean
fail (AirFilecopyParser  *self,
      int                 errno_value,
      GError            **error,
      const char         *message)
{
  air_filecopy_parser_set_errno (self, errno_value);
  self->state = STATE_FAILED;
  if (message != NULL)
    g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, message);
  return FALSE;
}

/* A callback failed: keep its error, default to EIO. */
static gboolean
fail_cb (AirFilecopyParser *self)
{
  air_filecopy_parser_set_errno (self, EIO);
  self->state = STATE_FAILED;
  return FALSE;
}

static gboolean
check_header (AirFilecopyParser  *self,
              GError            **error)
{
  const AirFilecopyHeader *h = &self->header;
  guint32 type = h->mode & S_IFMT;

  if (h->namelen == 0)
    return fail (self, EINVAL, error, _("The stream is corrupt: an entry has no name"));
  if (h->namelen > AIR_FILECOPY_MAX_NAME)
    return fail (self, ENAMETOOLONG, error, _("A file name is too long"));
  if (h->atime_nsec >= 1000000000 || h->mtime_nsec >= 1000000000)
    return fail (self, EINVAL, error, _("The stream is corrupt: a time is invalid"));

  if (type == S_IFDIR)
    {
      if (h->filelen != 0)
        return fail (self, EINVAL, error, _("The stream is corrupt: a folder has data"));
    }
  else if (type == S_IFLNK)
    {
      if (h->filelen == 0 || h->filelen > AIR_FILECOPY_MAX_LINK)
        return fail (self, EINVAL, error, _("A symbolic link has an invalid target"));
    }
  else if (type != S_IFREG)
    return fail (self, EINVAL, error, _("Device files, sockets and pipes are not accepted"));

  if (self->entries >= self->max_entries)
    {
      g_autofree char *max = g_strdup_printf ("%" G_GUINT64_FORMAT, self->max_entries);

      fail (self, EDQUOT, NULL, NULL);
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("The transfer has too many files and folders: at most %s are accepted "
                     "in one transfer. Send them in parts, or as one archive."), max);
      return FALSE;
    }
  /* In this order nothing overflows, whatever filelen a sender claims. */
  if (self->bytes > self->max_bytes ||
      self->max_bytes - self->bytes < AIR_FILECOPY_ENTRY_COST ||
      h->filelen > self->max_bytes - self->bytes - AIR_FILECOPY_ENTRY_COST)
    {
      g_autofree char *quota = g_format_size (self->max_bytes);
      g_autofree char *cost = g_format_size_full (AIR_FILECOPY_ENTRY_COST, G_FORMAT_SIZE_IEC_UNITS);

      fail (self, EDQUOT, NULL, NULL);
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("The transfer is larger than the space allowed for it (%s, each file "
                     "and folder counting %s besides its data)"), quota, cost);
      return FALSE;
    }
  self->bytes += h->filelen + AIR_FILECOPY_ENTRY_COST;
  self->entries++;

  return TRUE;
}

gssize
air_filecopy_parser_feed (AirFilecopyParser  *self,
                          const guint8       *data,
                          gsize               len,
                          GError            **error)
{
  gsize used = 0;

  while (used < len)
    {
      const guint8 *p = data + used;
      gsize avail = len - used, take;

      switch (self->state)
        {
        case STATE_HEADER:
          take = MIN (avail, AIR_FILECOPY_HEADER_SIZE - self->have);
          memcpy (self->header_buf + self->have, p, take);
          self->crc = air_filecopy_crc32 (self->crc, p, take);
          self->have += take;
          used += take;
          if (self->have < AIR_FILECOPY_HEADER_SIZE)
            break;
          self->have = 0;
          air_filecopy_header_decode (self->header_buf, &self->header);
          if (air_filecopy_header_is_end (&self->header))
            {
              self->state = STATE_DONE;
              return used;
            }
          if (!check_header (self, error))
            return -1;
          self->state = STATE_NAME;
          break;

        case STATE_NAME:
          take = MIN (avail, self->header.namelen - self->have);
          memcpy (self->name + self->have, p, take);
          self->crc = air_filecopy_crc32 (self->crc, p, take);
          self->have += take;
          used += take;
          if (self->have < self->header.namelen)
            break;
          self->have = 0;
          self->name[self->header.namelen] = '\0';
          memcpy (self->last_name, self->name, self->header.namelen + 1);
          if (!air_filecopy_check_name (self->name, self->header.namelen, error))
            {
              fail (self, EINVAL, NULL, NULL);
              return -1;
            }
          self->remaining = self->header.filelen;
          if ((self->header.mode & S_IFMT) == S_IFLNK)
            {
              self->state = STATE_LINK;
              break;
            }
          if (!self->funcs.entry (&self->header, self->name, self->user_data, error))
            {
              fail_cb (self);
              return -1;
            }
          if ((self->header.mode & S_IFMT) == S_IFDIR)
            {
              self->state = STATE_HEADER;
              break;
            }
          self->state = STATE_DATA;
          if (self->remaining == 0 &&
              !self->funcs.entry_done (&self->header, self->name, self->user_data, error))
            {
              fail_cb (self);
              return -1;
            }
          if (self->remaining == 0)
            self->state = STATE_HEADER;
          break;

        case STATE_DATA:
          take = (gsize) MIN ((guint64) avail, self->remaining);
          self->crc = air_filecopy_crc32 (self->crc, p, take);
          if (!self->funcs.data (p, take, self->user_data, error))
            {
              fail_cb (self);
              return -1;
            }
          self->remaining -= take;
          used += take;
          if (self->remaining > 0)
            break;
          if (!self->funcs.entry_done (&self->header, self->name, self->user_data, error))
            {
              fail_cb (self);
              return -1;
            }
          self->state = STATE_HEADER;
          break;

        case STATE_LINK:
          take = (gsize) MIN ((guint64) avail, self->remaining);
          memcpy (self->link + self->have, p, take);
          self->crc = air_filecopy_crc32 (self->crc, p, take);
          self->have += take;
          self->remaining -= take;
          used += take;
          if (self->remaining > 0)
            break;
          self->link[self->have] = '\0';
          if (!air_filecopy_check_link (self->name, self->link, self->have, error))
            {
              fail (self, EINVAL, NULL, NULL);
              return -1;
            }
          self->have = 0;
          if (!self->funcs.symlink (&self->header, self->name, self->link, self->user_data, error))
            {
              fail_cb (self);
              return -1;
            }
          self->state = STATE_HEADER;
          break;

        case STATE_DONE:
          return used;

        case STATE_FAILED:
        default:
          fail (self, EINVAL, error, _("The stream has already failed"));
          return -1;
        }
    }

  return used;
}
