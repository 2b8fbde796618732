/* air-transfer.h — a file transfer onto a qube, shown as a job
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-job.h"
#include "air-qube.h"
#include "air-session.h"

G_BEGIN_DECLS

/* What an in-app drag of files out of a qube's file browser carries. */
typedef struct {
  char    *zone;
  char    *qube;
  char   **paths;    /* relative to the qube's home */
  guint64  total;    /* bytes, 0 if unknown (folders) */
} AirFileDrag;

#define AIR_TYPE_FILE_DRAG (air_file_drag_get_type ())
GType        air_file_drag_get_type (void) G_GNUC_CONST;
AirFileDrag *air_file_drag_new      (const char         *zone,
                                     const char         *qube,
                                     const char * const *paths,
                                     guint64             total);
AirFileDrag *air_file_drag_copy     (const AirFileDrag  *drag);
void         air_file_drag_free     (AirFileDrag        *drag);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirFileDrag, air_file_drag_free)

#define AIR_TYPE_TRANSFER (air_transfer_get_type ())

G_DECLARE_FINAL_TYPE (AirTransfer, air_transfer, AIR, TRANSFER, GObject)

AirJob        *air_transfer_put_files       (AirSession        *session,
                                             AirQube           *dest,
                                             GSList            *files);
AirJob        *air_transfer_copy            (AirSession        *session,
                                             const AirFileDrag *drag,
                                             AirQube           *dest);
/* A drop target for files from the desktop (GdkFileList) and from the
 * app's file browser (AirFileDrag); highlighted while a drag is over it. */
GtkDropTarget *air_transfer_drop_target_new (void);
/* Starts the transfer a drop asks for; FALSE if @value cannot go there. */
gboolean       air_transfer_handle_drop     (AirSession        *session,
                                             AirQube           *dest,
                                             const GValue      *value);

G_END_DECLS
