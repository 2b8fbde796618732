/* air-line-reader.h — newline-framed messages from a peer, each bounded
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define AIR_TYPE_LINE_READER (air_line_reader_get_type ())

G_DECLARE_FINAL_TYPE (AirLineReader, air_line_reader, AIR, LINE_READER, GObject)

AirLineReader *air_line_reader_new              (GInputStream        *stream,
                                                 gsize                max_line);
void           air_line_reader_set_max_line     (AirLineReader       *self,
                                                 gsize                max_line);
void           air_line_reader_read_line_async  (AirLineReader       *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GBytes        *air_line_reader_read_line_finish (AirLineReader       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
