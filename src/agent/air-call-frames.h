/* air-call-frames.h — one qubesair call over one stream socket
 *
 * A remote zone's calls travel as channels of the zone's one SSH
 * connection, forwarded to a socket of the zone host's agent (see
 * air-call-listener.c), instead of a new SSH session each.
 *
 * The caller writes one header line, {"service":…,"arg":…,"caller":…},
 * then the call's stdin, raw, and shuts its side down at the end. The
 * host answers with frames: a type byte, a 32-bit big-endian length and
 * that many bytes. READY once the call is taken (nothing of stdin is read
 * before), then STDOUT and STDERR data as it comes, then EXIT with the
 * status as four bytes. The caller trusts none of it: unknown types,
 * oversized frames or a bad status end the call.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AIR_CALL_MAX_HEADER  8192
#define AIR_CALL_MAX_FRAME   65536

/* The status a caller exits with when the call's connection broke. */
#define AIR_CALL_EXIT_LOST   255

typedef enum {
  AIR_CALL_FRAME_READY  = 'R',
  AIR_CALL_FRAME_STDOUT = 'O',
  AIR_CALL_FRAME_STDERR = 'E',
  AIR_CALL_FRAME_EXIT   = 'X',
} AirCallFrame;

/* @target is NULL for a call into a zone; a call out of one (see
 * air-uplink.c) names the local qube it goes to, and is parsed with a
 * non-NULL @target: a header with a target is refused otherwise, and
 * one without it then. */
char     *air_call_header_new   (const char  *service,
                                 const char  *arg,
                                 const char  *caller,
                                 const char  *target);
gboolean  air_call_header_parse (const char  *line,
                                 gsize        len,
                                 char       **service,
                                 char       **arg,
                                 char       **caller,
                                 char       **target,
                                 GError     **error);
gboolean  air_call_target_is_valid (const char *target);
/* Reads the header line (at most AIR_CALL_MAX_HEADER bytes) from @fd. */
char     *air_call_read_header  (int          fd,
                                 gsize       *len,
                                 char       **leftover,
                                 gsize       *leftover_len);

gboolean  air_call_write_frame  (int           fd,
                                 AirCallFrame  type,
                                 const void   *data,
                                 gsize         len);
void      air_call_refuse       (int           fd,
                                 guint32       status,
                                 const char   *text);
/* Reads one frame into @buffer (AIR_CALL_MAX_FRAME bytes). FALSE with
 * @error unset at a clean end of the stream before a frame. */
gboolean  air_call_read_frame   (int            fd,
                                 AirCallFrame  *type,
                                 guint8        *buffer,
                                 gsize         *len,
                                 GError       **error);

G_END_DECLS
