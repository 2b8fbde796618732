/* air-json.h — strict reading of JSON that a zone (or any peer) sends
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Limits for one message from a peer. */
#define AIR_JSON_MAX_MESSAGE   (16 * 1024 * 1024)
#define AIR_JSON_MAX_LINE      (64 * 1024)
#define AIR_JSON_MAX_DEPTH     8
#define AIR_JSON_MAX_STRING    4096

JsonNode   *air_json_parse          (const char  *data,
                                     gsize        len,
                                     gsize        max_len,
                                     GError     **error);
JsonObject *air_json_parse_object   (const char  *data,
                                     gsize        len,
                                     gsize        max_len,
                                     GError     **error);

/* Typed, bounded getters: a missing member gives the default where one is
 * passed (_opt_), a member of the wrong type or out of range is an error. */
gboolean    air_json_get_string     (JsonObject  *object,
                                     const char  *member,
                                     gsize        max_chars,
                                     const char **out,
                                     GError     **error);
gboolean    air_json_get_opt_string (JsonObject  *object,
                                     const char  *member,
                                     gsize        max_chars,
                                     const char  *fallback,
                                     const char **out,
                                     GError     **error);
gboolean    air_json_get_opt_int    (JsonObject  *object,
                                     const char  *member,
                                     gint64       min,
                                     gint64       max,
                                     gint64       fallback,
                                     gint64      *out,
                                     GError     **error);
gboolean    air_json_get_opt_bool   (JsonObject  *object,
                                     const char  *member,
                                     gboolean     fallback,
                                     gboolean    *out,
                                     GError     **error);
JsonArray  *air_json_get_opt_array  (JsonObject  *object,
                                     const char  *member,
                                     guint        max_len,
                                     GError     **error);
char      **air_json_get_strv       (JsonObject  *object,
                                     const char  *member,
                                     guint        max_len,
                                     gsize        max_chars,
                                     GError     **error);

char       *air_json_to_string      (JsonNode    *node);
void        air_json_append_string  (GString     *out,
                                     const char  *value);
char       *air_json_builder_to_line (JsonBuilder *builder);

G_END_DECLS
