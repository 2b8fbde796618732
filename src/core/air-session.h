/* air-session.h — zones, the inventory of their qubes, and the jobs running
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-inventory.h"
#include "air-job.h"
#include "air-zone.h"
#include "air-zone-link.h"
#include "air-zone-registry.h"

G_BEGIN_DECLS

#define AIR_TYPE_SESSION (air_session_get_type ())

G_DECLARE_FINAL_TYPE (AirSession, air_session, AIR, SESSION, GObject)

/* Waits between attempts to reach a zone again, doubling up to the maximum. */
#define AIR_SESSION_RETRY_MIN_SECONDS 1
#define AIR_SESSION_RETRY_MAX_SECONDS 60
/* Finished jobs kept in the job list. */
#define AIR_SESSION_MAX_FINISHED_JOBS 50

AirSession      *air_session_new                 (AirZoneRegistry     *registry);
gboolean         air_session_load                (AirSession          *self,
                                                  GError             **error);
void             air_session_shutdown            (AirSession          *self);
AirZoneRegistry *air_session_get_registry        (AirSession          *self);
GListModel      *air_session_get_zones           (AirSession          *self);
AirInventory    *air_session_get_inventory       (AirSession          *self);
GListModel      *air_session_get_jobs            (AirSession          *self);
AirZone         *air_session_lookup_zone         (AirSession          *self,
                                                  const char          *name);
AirZoneLink     *air_session_get_link            (AirSession          *self,
                                                  const char          *zone);
GListModel      *air_session_get_links           (AirSession          *self);
gboolean         air_session_zone_is_loading     (AirSession          *self,
                                                  const char          *name);
void             air_session_reconnect_zone      (AirSession          *self,
                                                  const char          *name);
void             air_session_clear_finished_jobs (AirSession          *self);
void             air_session_add_job             (AirSession          *self,
                                                  AirJob              *job);

AirJob          *air_session_create_qube         (AirSession          *self,
                                                  const char          *zone,
                                                  const char          *name,
                                                  const AirQubeSpec   *spec);
AirJob          *air_session_qube_action         (AirSession          *self,
                                                  const char          *zone,
                                                  const char          *name,
                                                  AirZoneAction        action);
AirJob          *air_session_run_command         (AirSession          *self,
                                                  const char          *zone,
                                                  const char          *target,
                                                  const char * const  *argv,
                                                  const char          *what,
                                                  gboolean             disposable);

gboolean         air_session_add_zone            (AirSession          *self,
                                                  const char          *name,
                                                  const char          *gateway,
                                                  const char          *driver,
                                                  GError             **error);
gboolean         air_session_update_zone         (AirSession          *self,
                                                  const char          *name,
                                                  const char          *gateway,
                                                  const char          *driver,
                                                  GError             **error);
gboolean         air_session_remove_zone         (AirSession          *self,
                                                  const char          *name,
                                                  GError             **error);
/* The same, the list written off the main thread; each ends with
 * air_session_change_zone_finish(). A failed write puts the list back. */
void             air_session_add_zone_async      (AirSession          *self,
                                                  const char          *name,
                                                  const char          *gateway,
                                                  const char          *driver,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
void             air_session_update_zone_async   (AirSession          *self,
                                                  const char          *name,
                                                  const char          *gateway,
                                                  const char          *driver,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
void             air_session_remove_zone_async   (AirSession          *self,
                                                  const char          *name,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean         air_session_change_zone_finish  (AirSession          *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
