/* air-filecopy.h — the wire format of Qubes' qubes.Filecopy
 *
 * The stream qfile-agent sends and qfile-unpacker reads: for each entry a
 * 32-byte little-endian header, the entry's relative name (NUL included),
 * then its data (a file's bytes, a symlink's target). A directory's header
 * comes again after its contents. A header of all zeros ends the stream.
 * A CRC-32 (the one of gzip) runs over every byte sent; the receiver
 * answers with a result header carrying an errno value and that CRC.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AIR_FILECOPY_HEADER_SIZE  32
#define AIR_FILECOPY_RESULT_SIZE  16
/* Longest name we accept, NUL included; longer is refused, not truncated. */
#define AIR_FILECOPY_MAX_NAME     4096
#define AIR_FILECOPY_MAX_LINK     4096
#define AIR_FILECOPY_MAX_DEPTH    256
/* What every entry (file, folder, link) costs against a transfer's byte
 * quota besides its data: about what it takes on disk (an inode, a block),
 * so a flood of empty files is refused like a flood of bytes. */
#define AIR_FILECOPY_ENTRY_COST   4096
/* Entries accepted in one transfer at most, whatever the quota: every
 * header counts (a folder's comes twice), as each costs the receiver work. */
#define AIR_FILECOPY_MAX_ENTRIES  1000000

typedef struct {
  guint32 namelen;
  guint32 mode;
  guint64 filelen;
  guint32 atime;
  guint32 atime_nsec;
  guint32 mtime;
  guint32 mtime_nsec;
} AirFilecopyHeader;

void     air_filecopy_header_encode (const AirFilecopyHeader *header,
                                     guint8                   out[AIR_FILECOPY_HEADER_SIZE]);
void     air_filecopy_header_decode (const guint8             in[AIR_FILECOPY_HEADER_SIZE],
                                     AirFilecopyHeader       *header);
gboolean air_filecopy_header_is_end (const AirFilecopyHeader *header);

void     air_filecopy_result_encode (guint32                  error_code,
                                     guint32                  crc,
                                     guint8                   out[AIR_FILECOPY_RESULT_SIZE]);
void     air_filecopy_result_decode (const guint8             in[AIR_FILECOPY_RESULT_SIZE],
                                     guint32                 *error_code,
                                     guint32                 *crc);

guint32  air_filecopy_crc32         (guint32                  crc,
                                     const void              *data,
                                     gsize                    len);

gboolean air_filecopy_check_name    (const char              *name,
                                     gsize                    namelen,
                                     GError                 **error);
gboolean air_filecopy_check_link    (const char              *name,
                                     const char              *target,
                                     gsize                    target_len,
                                     GError                 **error);

/* A push parser: fed any slices of a stream, it validates every header and
 * name and calls back per entry, with constant memory (a symlink's target,
 * bounded, is the only data it keeps). Any callback may fail the stream. */

typedef struct _AirFilecopyParser AirFilecopyParser;

typedef struct {
  /* A regular file or directory begins (files then get their data). */
  gboolean (*entry) (const AirFilecopyHeader *header, const char *name,
                     gpointer user_data, GError **error);
  gboolean (*data)  (const guint8 *data, gsize len,
                     gpointer user_data, GError **error);
  /* A regular file's data is complete. */
  gboolean (*entry_done) (const AirFilecopyHeader *header, const char *name,
                          gpointer user_data, GError **error);
  /* A symlink, its target checked. */
  gboolean (*symlink) (const AirFilecopyHeader *header, const char *name,
                       const char *target, gpointer user_data, GError **error);
} AirFilecopyParserFuncs;

AirFilecopyParser *air_filecopy_parser_new        (const AirFilecopyParserFuncs *funcs,
                                                   gpointer                      user_data);
void               air_filecopy_parser_free       (AirFilecopyParser            *self);
/* @max_bytes counts data plus AIR_FILECOPY_ENTRY_COST per entry;
 * @max_entries every header. Both refuse with EDQUOT. */
void               air_filecopy_parser_set_limits (AirFilecopyParser            *self,
                                                   guint64                       max_bytes,
                                                   guint64                       max_entries);
/* Returns the bytes consumed: fewer than @len only once the end is seen. */
gssize             air_filecopy_parser_feed       (AirFilecopyParser            *self,
                                                   const guint8                 *data,
                                                   gsize                         len,
                                                   GError                      **error);
gboolean           air_filecopy_parser_is_done    (AirFilecopyParser            *self);
guint32            air_filecopy_parser_get_crc    (AirFilecopyParser            *self);
const char        *air_filecopy_parser_get_last_name (AirFilecopyParser         *self);
/* An errno value for the result header: why the stream was refused. */
int                air_filecopy_parser_get_errno  (AirFilecopyParser            *self);
void               air_filecopy_parser_set_errno  (AirFilecopyParser            *self,
                                                   int                           errno_value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirFilecopyParser, air_filecopy_parser_free)

G_END_DECLS
