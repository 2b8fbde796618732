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

/* One value of a message, as the cursor reads it or a tree holds it. */
typedef enum {
  AIR_JSON_NULL,     /* null, or a member that is absent */
  AIR_JSON_STRING,
  AIR_JSON_INT,
  AIR_JSON_DOUBLE,
  AIR_JSON_BOOL,
  AIR_JSON_OBJECT,
  AIR_JSON_ARRAY,
} AirJsonType;

typedef struct {
  AirJsonType  type;
  const char  *string;    /* AIR_JSON_STRING */
  gint64       integer;   /* AIR_JSON_INT */
  double       number;    /* AIR_JSON_DOUBLE */
  gboolean     boolean;   /* AIR_JSON_BOOL */
} AirJsonValue;

/* A cursor walks a message without building a tree, with the same checks
 * as air_json_parse(): enter an object or array, step through its members
 * or elements (FALSE at its end, or on error: see _failed()), read each
 * value, and finish to refuse trailing data. Strings read stay valid as
 * long as the cursor; objects and arrays read are checked but not kept. */
typedef struct _AirJsonCursor AirJsonCursor;

AirJsonCursor *air_json_cursor_new       (const char     *data,
                                          gsize           len,
                                          gsize           max_len,
                                          GError        **error);
void        air_json_cursor_free         (AirJsonCursor  *self);
gboolean    air_json_cursor_failed       (AirJsonCursor  *self);
/* The type of the next value as its first byte tells (AIR_JSON_INT for any
 * number, AIR_JSON_NULL also for what is no value: reading it fails). */
AirJsonType air_json_cursor_peek         (AirJsonCursor  *self);
gboolean    air_json_cursor_enter        (AirJsonCursor  *self,
                                          GError        **error);
gboolean    air_json_cursor_next_member  (AirJsonCursor  *self,
                                          const char    **name,
                                          GError        **error);
gboolean    air_json_cursor_next_element (AirJsonCursor  *self,
                                          GError        **error);
gboolean    air_json_cursor_read         (AirJsonCursor  *self,
                                          AirJsonValue   *value,
                                          GError        **error);
gboolean    air_json_cursor_finish       (AirJsonCursor  *self,
                                          GError        **error);
gboolean    air_json_cursor_read_members (AirJsonCursor  *self,
                                          const char * const *names,
                                          guint           n_names,
                                          AirJsonValue   *values,
                                          GError        **error);

void        air_json_value_from_node     (AirJsonValue   *value,
                                          JsonNode       *node);
gboolean    air_json_value_get_string    (const AirJsonValue *value,
                                          const char     *member,
                                          gsize           max_chars,
                                          const char     *fallback,
                                          const char    **out,
                                          GError        **error);
gboolean    air_json_value_require_string (const AirJsonValue *value,
                                          const char     *member,
                                          gsize           max_chars,
                                          const char    **out,
                                          GError        **error);
gboolean    air_json_value_get_bool      (const AirJsonValue *value,
                                          const char     *member,
                                          gboolean        fallback,
                                          gboolean       *out,
                                          GError        **error);
gboolean    air_json_value_get_int       (const AirJsonValue *value,
                                          const char     *member,
                                          gint64          min,
                                          gint64          max,
                                          gint64          fallback,
                                          gint64         *out,
                                          GError        **error);

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirJsonCursor, air_json_cursor_free)

G_END_DECLS
