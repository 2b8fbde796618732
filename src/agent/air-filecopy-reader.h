/* air-filecopy-reader.h — unpacks a hostile qubes.Filecopy stream safely
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AirFilecopyReader AirFilecopyReader;

/* Opens (creating if needed) @home_fd/QubesIncoming/@source without
 * following any symlink; returns a directory fd or -1. */
int                air_filecopy_open_incoming       (int                 home_fd,
                                                     const char         *source,
                                                     GError            **error);

AirFilecopyReader *air_filecopy_reader_new          (int                 incoming_fd,
                                                     GError            **error);
void               air_filecopy_reader_free         (AirFilecopyReader  *self);
void               air_filecopy_reader_set_limits   (AirFilecopyReader  *self,
                                                     guint64             max_bytes,
                                                     guint64             max_entries);
/* Reads @in_fd to the end marker; on success every top-level entry has
 * been moved into the incoming folder (renamed if its name was taken). On
 * failure nothing of this transfer is left. */
gboolean           air_filecopy_reader_run          (AirFilecopyReader  *self,
                                                     int                 in_fd,
                                                     GError            **error);
int                air_filecopy_reader_get_errno    (AirFilecopyReader  *self);
guint32            air_filecopy_reader_get_crc      (AirFilecopyReader  *self);
const char        *air_filecopy_reader_get_last_name (AirFilecopyReader *self);
guint64            air_filecopy_reader_get_bytes    (AirFilecopyReader  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirFilecopyReader, air_filecopy_reader_free)

G_END_DECLS
