/* air-filecopy-writer.h — packs files and folders into a qubes.Filecopy stream
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AirFilecopyWriter AirFilecopyWriter;

/* Called after every chunk written, with the files' bytes sent so far:
 * their data only, not the stream's headers, names and link targets, so
 * it adds up to what air_filecopy_measure() counts. */
typedef void (*AirFilecopyProgress) (guint64 bytes_done, gpointer user_data);

AirFilecopyWriter *air_filecopy_writer_new          (int                  out_fd);
void               air_filecopy_writer_free         (AirFilecopyWriter   *self);
void               air_filecopy_writer_set_progress (AirFilecopyWriter   *self,
                                                     AirFilecopyProgress  func,
                                                     gpointer             user_data);
void               air_filecopy_writer_set_cancel   (AirFilecopyWriter   *self,
                                                     const gint          *cancelled);
/* Sends @path (relative to @dir_fd) under its last component's name, and
 * everything under it. With @confined, no component of @path is followed
 * if it is a symlink and @path may not climb out of @dir_fd: the folder
 * belongs to a qube that may have planted links in it. */
gboolean           air_filecopy_writer_add_path     (AirFilecopyWriter   *self,
                                                     int                  dir_fd,
                                                     const char          *path,
                                                     gboolean             confined,
                                                     GError             **error);
/* The end marker; the stream is complete once this returns TRUE. */
gboolean           air_filecopy_writer_finish       (AirFilecopyWriter   *self,
                                                     GError             **error);
guint32            air_filecopy_writer_get_crc      (AirFilecopyWriter   *self);
guint64            air_filecopy_writer_get_bytes    (AirFilecopyWriter   *self);
guint64            air_filecopy_writer_get_data_bytes (AirFilecopyWriter *self);
guint              air_filecopy_writer_get_skipped  (AirFilecopyWriter   *self);

/* Sum of the regular files' sizes under @path, for a progress total. */
guint64            air_filecopy_measure             (int                  dir_fd,
                                                     const char          *path);
/* The same, stopping (with a partial sum) once *@cancelled is set. */
guint64            air_filecopy_measure_cancellable (int                  dir_fd,
                                                     const char          *path,
                                                     const gint          *cancelled);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirFilecopyWriter, air_filecopy_writer_free)

G_END_DECLS
