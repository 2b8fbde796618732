/* air-session-zones.c
 *
 * The session's zone list, changed by the user: add, update and remove a
 * zone. The list in memory changes at once (the map and the inventory
 * follow it), the file is written atomically, and a write that fails puts
 * the list back as it was. The _async forms write off the main thread;
 * the others are for programs with no main loop to keep free.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-session"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "air-error.h"
#include "air-names.h"
#include "air-session-private.h"

typedef enum {
  ZONE_ADDED,
  ZONE_UPDATED,
  ZONE_REMOVED,
} ZoneChangeKind;

/* What a change did, to undo it if the list cannot be written. */
typedef struct {
  AirSession     *session;
  ZoneChangeKind  kind;
  AirZone        *zone;
  char           *old_gateway;   /* ZONE_UPDATED */
  char           *old_driver;
} ZoneChange;

static void
zone_change_free (ZoneChange *change)
{
  g_clear_object (&change->session);
  g_clear_object (&change->zone);
  g_free (change->old_gateway);
  g_free (change->old_driver);
  g_free (change);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZoneChange, zone_change_free)

static gboolean
check_zone_fields (const char  *name,
                   const char  *gateway,
                   const char  *driver,
                   GError     **error)
{
  static const char * const drivers[] = { "local", "ssh", "proxmox", NULL };

  if (!air_name_validate (name, "zone", error) ||
      !air_name_validate (gateway, "gateway qube", error))
    return FALSE;

  if (driver == NULL || !g_strv_contains (drivers, driver))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("Unknown zone driver. Use one of: local, ssh, proxmox."));
      return FALSE;
    }

  return TRUE;
}

/* The change, made in memory; NULL with @error when it cannot be. */
static ZoneChange *
change_zones (AirSession      *self,
              ZoneChangeKind   kind,
              const char      *name,
              const char      *gateway,
              const char      *driver,
              GError         **error)
{
  g_autoptr(ZoneChange) change = g_new0 (ZoneChange, 1);
  AirZone *zone;

  change->session = g_object_ref (self);
  change->kind = kind;

  if (kind != ZONE_REMOVED && !check_zone_fields (name, gateway, driver, error))
    return NULL;

  switch (kind)
    {
    case ZONE_ADDED:
      change->zone = air_zone_new (name, gateway, driver);
      if (!air_zone_registry_add (self->registry, change->zone, error))
        return NULL;
      break;

    case ZONE_UPDATED:
      zone = air_session_lookup_zone (self, name);
      if (zone == NULL)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND, _("There is no zone called “%s”."), name);
          return NULL;
        }
      change->zone = g_object_ref (zone);
      change->old_gateway = g_strdup (air_zone_get_gateway (zone));
      change->old_driver = g_strdup (air_zone_get_driver (zone));
      g_object_freeze_notify (G_OBJECT (zone));
      air_zone_set_gateway (zone, gateway);
      air_zone_set_driver (zone, driver);
      g_object_thaw_notify (G_OBJECT (zone));
      break;

    case ZONE_REMOVED:
      zone = air_session_lookup_zone (self, name);
      change->zone = zone != NULL ? g_object_ref (zone) : NULL;
      if (!air_zone_registry_remove (self->registry, name, error))
        return NULL;
      break;

    default:
      g_assert_not_reached ();
    }

  return g_steal_pointer (&change);
}

static void
undo_change (ZoneChange *change)
{
  AirZoneRegistry *registry = change->session->registry;

  switch (change->kind)
    {
    case ZONE_ADDED:
      air_zone_registry_remove (registry, air_zone_get_name (change->zone), NULL);
      break;
    case ZONE_UPDATED:
      g_object_freeze_notify (G_OBJECT (change->zone));
      air_zone_set_gateway (change->zone, change->old_gateway);
      air_zone_set_driver (change->zone, change->old_driver);
      g_object_thaw_notify (G_OBJECT (change->zone));
      break;
    case ZONE_REMOVED:
      if (change->zone != NULL)
        air_zone_registry_add (registry, change->zone, NULL);
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
change_and_save (AirSession      *self,
                 ZoneChangeKind   kind,
                 const char      *name,
                 const char      *gateway,
                 const char      *driver,
                 GError         **error)
{
  g_autoptr(ZoneChange) change = NULL;

  g_return_val_if_fail (AIR_IS_SESSION (self), FALSE);

  change = change_zones (self, kind, name, gateway, driver, error);
  if (change == NULL)
    return FALSE;
  if (!air_zone_registry_save (self->registry, error))
    {
      undo_change (change);
      return FALSE;
    }
  return TRUE;
}

gboolean
air_session_add_zone (AirSession  *self,
                      const char  *name,
                      const char  *gateway,
                      const char  *driver,
                      GError     **error)
{
  return change_and_save (self, ZONE_ADDED, name, gateway, driver, error);
}

gboolean
air_session_update_zone (AirSession  *self,
                         const char  *name,
                         const char  *gateway,
                         const char  *driver,
                         GError     **error)
{
  return change_and_save (self, ZONE_UPDATED, name, gateway, driver, error);
}

gboolean
air_session_remove_zone (AirSession  *self,
                         const char  *name,
                         GError     **error)
{
  return change_and_save (self, ZONE_REMOVED, name, NULL, NULL, error);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZoneChange *change = g_task_get_task_data (task);
  GError *error = NULL;

  change->session->saves_pending--;
  if (!air_zone_registry_save_finish (AIR_ZONE_REGISTRY (object), result, &error))
    {
      undo_change (change);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
change_and_save_async (AirSession          *self,
                       ZoneChangeKind       kind,
                       const char          *name,
                       const char          *gateway,
                       const char          *driver,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ZoneChange *change;
  GError *error = NULL;

  g_return_if_fail (AIR_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, change_and_save_async);

  change = change_zones (self, kind, name, gateway, driver, &error);
  if (change == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, change, (GDestroyNotify) zone_change_free);
  /* Until it is written, a reload would read the list from before it. */
  self->saves_pending++;
  air_zone_registry_save_async (self->registry, cancellable, saved_cb, g_steal_pointer (&task));
}

void
air_session_add_zone_async (AirSession          *self,
                            const char          *name,
                            const char          *gateway,
                            const char          *driver,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  change_and_save_async (self, ZONE_ADDED, name, gateway, driver, cancellable, callback, user_data);
}

void
air_session_update_zone_async (AirSession          *self,
                               const char          *name,
                               const char          *gateway,
                               const char          *driver,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  change_and_save_async (self, ZONE_UPDATED, name, gateway, driver, cancellable, callback, user_data);
}

void
air_session_remove_zone_async (AirSession          *self,
                               const char          *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  change_and_save_async (self, ZONE_REMOVED, name, NULL, NULL, cancellable, callback, user_data);
}

gboolean
air_session_change_zone_finish (AirSession    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == change_and_save_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
