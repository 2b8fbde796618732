/* air-protocol-private.h — shared by air-protocol.c and air-protocol-zone.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean air_protocol_get_name (JsonObject  *object,
                                const char  *member,
                                const char  *what,
                                const char **out,
                                GError     **error);
/* A member that holds one of an enum's names, or is absent (@fallback). */
gboolean air_protocol_get_enum (JsonObject  *object,
                                const char  *member,
                                gboolean   (*from_string) (const char *, int *),
                                int          fallback,
                                int         *out,
                                GError     **error);

#define GET_ENUM(obj, member, fn, fallback, out, error) \
  air_protocol_get_enum (obj, member, (gboolean (*) (const char *, int *)) fn, fallback, (int *) (out), error)

G_END_DECLS
