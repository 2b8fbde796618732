/* air-template-call.h — one template operation on a zone, as it goes
 *
 * Import, Create and Update take minutes: their input (a tarball, or a
 * request line and package files) is streamed to the zone while its
 * progress lines come back, each checked (air-template.h) and told as
 * "step" and "output". List, Rollback and Remove are small calls of
 * AirZone (air-zone.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-template.h"
#include "air-zone.h"

G_BEGIN_DECLS

#define AIR_TYPE_TEMPLATE_CALL (air_template_call_get_type ())

G_DECLARE_FINAL_TYPE (AirTemplateCall, air_template_call, AIR, TEMPLATE_CALL, GObject)

/* TemplateImport of the tarball at @path. */
AirTemplateCall *air_template_call_new_import  (AirZone                  *zone,
                                                const char               *name,
                                                const char               *path);
/* TemplateCreate (request->base set) or TemplateUpdate; @paths are the
 * package files the request lists, in its order. */
AirTemplateCall *air_template_call_new_build   (AirZone                  *zone,
                                                const char               *name,
                                                const AirTemplateRequest *request,
                                                GPtrArray                *paths);
void             air_template_call_run_async   (AirTemplateCall          *self,
                                                GCancellable             *cancellable,
                                                GAsyncReadyCallback       callback,
                                                gpointer                  user_data);
AirTemplate     *air_template_call_run_finish  (AirTemplateCall          *self,
                                                GAsyncResult             *result,
                                                GError                  **error);

G_END_DECLS
