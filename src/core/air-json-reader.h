/* air-json-reader.h — the strict reader that air-json.c builds trees with
 * and air-json-cursor.c walks; private to those two files
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-json.h"

G_BEGIN_DECLS

/* A strict recursive-descent reader that builds json-glib nodes itself.
 * json-glib 1.6's own parser recurses without a limit and is lenient (it
 * takes comments, single-quoted strings, hex numbers and trailing data),
 * and it costs a GScanner per message: a zone's List of a thousand state
 * files spent most of its time setting scanners up (bench/agent). */
typedef struct {
  const char  *data;
  gsize        len;
  gsize        pos;
  GError     **error;
} AirJsonReader;

gboolean   air_json_reader_start            (AirJsonReader  *r,
                                             const char     *data,
                                             gsize           len,
                                             gsize           max_len,
                                             GError        **error);
void       air_json_reader_skip_space       (AirJsonReader  *r);
gboolean   air_json_reader_read_string_into (AirJsonReader  *r,
                                             GString        *out);
gboolean   air_json_reader_scan_number      (AirJsonReader  *r,
                                             AirJsonValue   *value);
gboolean   air_json_reader_scan_literal     (AirJsonReader  *r,
                                             AirJsonValue   *value);
JsonNode * air_json_reader_read_value       (AirJsonReader  *r,
                                             int             depth);
gboolean   air_json_reader_end              (AirJsonReader  *r);
gpointer   air_json_reader_syntax_error     (AirJsonReader  *r,
                                             gsize           offset,
                                             const char     *what);
gpointer   air_json_reader_too_deep         (AirJsonReader  *r);

G_END_DECLS
