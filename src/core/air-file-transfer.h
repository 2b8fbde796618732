/* air-file-transfer.h — copying files into, out of and between qubes
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-zone.h"

G_BEGIN_DECLS

typedef enum {
  AIR_FILE_TYPE_FILE,
  AIR_FILE_TYPE_FOLDER,
  AIR_FILE_TYPE_LINK,
  AIR_FILE_TYPE_OTHER,
} AirFileType;

/* One entry of a qube's folder, as qubesair.FileList reports it: the name
 * is checked (one component, clean UTF-8) but still the zone's text. */
typedef struct {
  char        *name;
  AirFileType  type;
  guint64      size;
  gint64       mtime;
} AirFileEntry;

void          air_file_entry_free (AirFileEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirFileEntry, air_file_entry_free)

/* Called on the caller's main context, a few times a second, with the
 * files' bytes moved so far (not the stream's). */
typedef void (*AirTransferProgress) (guint64  bytes_done,
                                     gpointer user_data);

GPtrArray    *air_file_listing_parse        (const char          *data,
                                             gsize                len,
                                             GError             **error);

void          air_file_transfer_list_async  (AirZone             *zone,
                                             const char          *qube,
                                             const char          *path,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GPtrArray    *air_file_transfer_list_finish (AirZone             *zone,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Local files and folders into @qube's ~/QubesIncoming/<source>/;
 * @source NULL means this qube (QREXEC_REMOTE_DOMAIN). */
void          air_file_transfer_put_async   (AirZone             *zone,
                                             const char          *qube,
                                             const char          *source,
                                             const char * const  *local_paths,
                                             AirTransferProgress  progress,
                                             gpointer             progress_data,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* From @src_qube's home (@paths relative to it) to @dest_qube's
 * ~/QubesIncoming/<src_qube>/: the FileGet stream is piped straight into
 * FilePut, never stored. */
void          air_file_transfer_copy_async  (AirZone             *src_zone,
                                             const char          *src_qube,
                                             const char * const  *paths,
                                             AirZone             *dest_zone,
                                             const char          *dest_qube,
                                             AirTransferProgress  progress,
                                             gpointer             progress_data,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Both kinds end here; returns the files' bytes moved (their data, as
 * air_filecopy_measure() counts), 0 on error. */
guint64       air_file_transfer_finish      (GAsyncResult        *result,
                                             GError             **error);

/* The same, the stock qubes.Filecopy of a real Qubes system: only for a
 * qube of the local Qubes (qrexec transport). */
void          air_file_transfer_qubes_filecopy_async (const char          *qube,
                                                      const char * const  *local_paths,
                                                      AirTransferProgress  progress,
                                                      gpointer             progress_data,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);

void          air_file_transfer_measure_async  (const char * const  *local_paths,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
guint64       air_file_transfer_measure_finish (GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS
