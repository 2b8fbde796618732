/* air-fd-io.h — whole reads and writes on plain file descriptors, for the
 * service programs whose stdin and stdout are qrexec's pipes
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  air_fd_write_all   (int          fd,
                              const void  *data,
                              gsize        len);
/* air_fd_write_all, but a socket whose peer has gone is an error (EPIPE)
 * for the caller, never a SIGPIPE that ends the process. */
gboolean  air_fd_send_all    (int          fd,
                              const void  *data,
                              gsize        len);
/* Copies from @from to its end (TRUE), or until a read fails or the
 * writer to @to finds it gone (FALSE). */
gboolean  air_fd_copy        (int          from,
                              int          to);
gsize     air_fd_read_full   (int          fd,
                              void        *buffer,
                              gsize        len);
GBytes   *air_fd_read_to_end (int          fd,
                              gsize        max,
                              GError     **error);
/* One line, without its newline, read byte by byte so that what follows
 * stays in @fd; NULL at the end of input (@error unset) or when the line
 * is longer than @max. */
char     *air_fd_read_line   (int          fd,
                              gsize        max,
                              GError     **error);
/* The same, appended to @line: TRUE with a whole line; its length tells
 * of any NUL byte in it. */
gboolean  air_fd_read_line_into (int        fd,
                              GString    *line,
                              gsize       max,
                              GError    **error);
void      air_fd_set_cloexec_above_stderr (void);
gboolean  air_fd_none_inherited (void);

G_END_DECLS
