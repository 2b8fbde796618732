/* air-local-driver.h — a zone whose qubes are sandboxes on this machine
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "air-protocol.h"
#include "air-template-store.h"
#include "air-qube.h"

G_BEGIN_DECLS

#define AIR_TYPE_LOCAL_DRIVER (air_local_driver_get_type ())

G_DECLARE_FINAL_TYPE (AirLocalDriver, air_local_driver, AIR, LOCAL_DRIVER, GObject)

/* Exit status of Run/Disposable when the agent itself failed. */
#define AIR_RUN_EXIT_FAILED 125

AirLocalDriver *air_local_driver_new            (const char          *state_dir,
                                                 const char          *zone_name,
                                                 GError             **error);
const char     *air_local_driver_get_zone_name  (AirLocalDriver      *self);
const char     *air_local_driver_get_qubes_dir  (AirLocalDriver      *self);
const char     *air_local_driver_get_run_dir    (AirLocalDriver      *self);
/* Its templates: STATE/templates (air-template-store.h). */
AirTemplateStore *air_local_driver_get_templates (AirLocalDriver     *self);
AirZoneInfo    *air_local_driver_get_info       (AirLocalDriver      *self);
GPtrArray      *air_local_driver_list           (AirLocalDriver      *self,
                                                 GError             **error);
AirQube        *air_local_driver_lookup         (AirLocalDriver      *self,
                                                 const char          *name,
                                                 GError             **error);
int             air_local_driver_open_home      (AirLocalDriver      *self,
                                                 const char          *name,
                                                 GError             **error);
AirQube        *air_local_driver_create         (AirLocalDriver      *self,
                                                 const char          *name,
                                                 const AirQubeSpec   *spec,
                                                 GError             **error);
AirQube        *air_local_driver_set_prefs      (AirLocalDriver      *self,
                                                 const char          *name,
                                                 const AirQubePrefs  *prefs,
                                                 GError             **error);
gboolean        air_local_driver_remove         (AirLocalDriver      *self,
                                                 const char          *name,
                                                 GError             **error);
AirQube        *air_local_driver_start          (AirLocalDriver      *self,
                                                 const char          *name,
                                                 GError             **error);
AirQube        *air_local_driver_shutdown       (AirLocalDriver      *self,
                                                 const char          *name,
                                                 GError             **error);
AirQube        *air_local_driver_kill           (AirLocalDriver      *self,
                                                 const char          *name,
                                                 GError             **error);
int             air_local_driver_run            (AirLocalDriver      *self,
                                                 const char          *name,
                                                 const AirRunHeader  *header,
                                                 GError             **error);
int             air_local_driver_disposable     (AirLocalDriver      *self,
                                                 const char          *template_name,
                                                 const AirRunHeader  *header,
                                                 GError             **error);
int             air_local_driver_supervise      (AirLocalDriver      *self,
                                                 const char          *name);

G_END_DECLS
