/* air-session.c
 *
 * The session is the application's model (GNOME Text Editor's
 * EditorSession): it owns the zone registry, the inventory of every zone's
 * qubes, one AirZoneLink per zone, and the list of jobs; windows only look
 * at it.
 *
 * Each link reaches its zone on its own (air-zone-link.c); the session
 * only paces them: the lists of zones connecting together go into the
 * inventory together, and every zone's qubes come before any zone's
 * details (ZoneInfo). The jobs are in air-session-jobs.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-session"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-session-private.h"
#include "air-zone-link-private.h"

/* How often lists of zones connecting go into the inventory. */
#define APPLY_INTERVAL_MS 250

/* How long the zones' details wait for a zone still listing. */
#define INFO_DELAY_SECONDS 2

/* And once every zone has listed: the qubes just applied are drawn first,
 * without ten ZoneInfo calls' processes taking the CPU (bench/app). */
#define INFO_AFTER_LISTS_MS 500

/* How long the zone list must be still after a change on disk before it
 * is read again: one save is several file events. */
#define RELOAD_DELAY_MS 200

G_DEFINE_FINAL_TYPE (AirSession, air_session, G_TYPE_OBJECT)


static void start_pending_infos (AirSession *self, gboolean now);

/* A link still waiting for its zone's first list. */
static gboolean
zone_still_listing (AirSession *self)
{
  GHashTableIter iter;
  AirZoneLink *link;

  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &link))
    if (_air_zone_link_awaits_list (link))
      return TRUE;
  return FALSE;
}

static gboolean
info_timeout_cb (gpointer user_data)
{
  AirSession *self = user_data;

  self->info_timeout_id = 0;
  start_pending_infos (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* Has the ZoneInfo calls held back start in @delay_ms, or sooner if they
 * are due sooner already. */
static void
schedule_infos (AirSession *self,
                guint       delay_ms)
{
  gint64 due = g_get_monotonic_time () + delay_ms * G_GINT64_CONSTANT (1000);

  if (self->info_timeout_id != 0 && self->info_due <= due)
    return;
  g_clear_handle_id (&self->info_timeout_id, g_source_remove);
  self->info_due = due;
  self->info_timeout_id = g_timeout_add (delay_ms, info_timeout_cb, self);
}

/* Starts the ZoneInfo calls held back while zones were still listing: at
 * start every zone's qubes come before any zone's details, unless a slow
 * zone keeps the others waiting more than INFO_DELAY_SECONDS. */
static void
start_pending_infos (AirSession *self,
                     gboolean    now)
{
  GHashTableIter iter;
  AirZoneLink *link;

  if (!now)
    {
      schedule_infos (self, zone_still_listing (self) ? INFO_DELAY_SECONDS * 1000 : INFO_AFTER_LISTS_MS);
      return;
    }

  g_clear_handle_id (&self->info_timeout_id, g_source_remove);
  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &link))
    _air_zone_link_start_info (link);
}

/* A link went down or listed: the details held back may be due sooner. */
void
_air_session_infos_due (AirSession *self)
{
  if (self != NULL)
    start_pending_infos (self, FALSE);
}

static void
apply_held (AirSession *self)
{
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  AirZoneLink *link;

  g_clear_handle_id (&self->apply_id, g_source_remove);
  self->applied_at = g_get_monotonic_time ();

  /* Applying may take a link down, which does not touch the table. */
  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &link))
    g_ptr_array_add (links, g_object_ref (link));
  for (guint i = 0; i < links->len; i++)
    _air_zone_link_apply_held (g_ptr_array_index (links, i));
}

static gboolean
apply_held_cb (gpointer user_data)
{
  AirSession *self = user_data;

  self->apply_id = 0;
  apply_held (self);
  return G_SOURCE_REMOVE;
}

/* While zones connect, their lists go into the inventory together, at most
 * every APPLY_INTERVAL_MS: every zone arriving on its own would have the
 * inventory's views re-sorted and redrawn for each. The first list goes in
 * at once, and so does the last one awaited. */
void
_air_session_list_held (AirSession *self)
{
  gint64 next = self->applied_at + APPLY_INTERVAL_MS * 1000;
  gint64 now = g_get_monotonic_time ();

  if (!zone_still_listing (self) || self->applied_at == 0 || now >= next)
    apply_held (self);
  else if (self->apply_id == 0)
    self->apply_id = g_timeout_add ((guint) ((next - now) / 1000) + 1, apply_held_cb, self);
}

/* The link leaves the session; with @forget_qubes (its zone was removed)
 * its qubes leave the inventory. */
static void
drop_link (AirSession  *self,
           const char  *name,
           gboolean     forget_qubes)
{
  AirZoneLink *link = g_hash_table_lookup (self->links, name);
  guint position;

  if (link == NULL)
    return;
  _air_zone_link_close (link, forget_qubes);
  if (g_list_store_find (self->link_list, link, &position))
    g_list_store_remove (self->link_list, position);
  g_hash_table_remove (self->links, name);
}

/* Keeps one link per zone of the registry. */
static void
sync_links (AirSession *self)
{
  GListModel *zones = air_zone_registry_get_zones (self->registry);
  g_autoptr(GHashTable) present = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;
  guint n = g_list_model_get_n_items (zones);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      const char *name = air_zone_get_name (zone);
      AirZoneLink *link = g_hash_table_lookup (self->links, name);

      g_hash_table_add (present, g_strdup (name));

      if (link != NULL && air_zone_link_get_zone (link) == zone)
        continue;
      drop_link (self, name, FALSE);

      link = _air_zone_link_new (self, zone);
      g_hash_table_insert (self->links, g_strdup (name), link);
      g_list_store_append (self->link_list, link);
      _air_zone_link_connect (link);
    }

  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (present, key))
      g_ptr_array_add (gone, g_strdup (key));
  for (guint i = 0; i < gone->len; i++)
    drop_link (self, g_ptr_array_index (gone, i), TRUE);
}

static void
zones_changed_cb (GListModel *zones,
                  guint       position,
                  guint       removed,
                  guint       added,
                  AirSession *self)
{
  if (self->loaded)
    sync_links (self);
}

static void
air_session_dispose (GObject *object)
{
  AirSession *self = (AirSession *)object;

  air_session_shutdown (self);
  g_clear_handle_id (&self->info_timeout_id, g_source_remove);
  g_clear_handle_id (&self->apply_id, g_source_remove);

  G_OBJECT_CLASS (air_session_parent_class)->dispose (object);
}

static void
air_session_finalize (GObject *object)
{
  AirSession *self = (AirSession *)object;

  g_clear_pointer (&self->links, g_hash_table_unref);
  g_clear_object (&self->link_list);
  g_clear_object (&self->registry);
  g_clear_object (&self->inventory);
  g_clear_object (&self->jobs);

  G_OBJECT_CLASS (air_session_parent_class)->finalize (object);
}

static void
air_session_class_init (AirSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = air_session_dispose;
  object_class->finalize = air_session_finalize;
}

static void
air_session_init (AirSession *self)
{
  self->inventory = air_inventory_new ();
  self->jobs = g_list_store_new (AIR_TYPE_JOB);
  self->link_list = g_list_store_new (AIR_TYPE_ZONE_LINK);
  self->links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/**
 * air_session_new:
 * @registry: (nullable): the zones, or %NULL for the user's zone list
 */
AirSession *
air_session_new (AirZoneRegistry *registry)
{
  AirSession *self = g_object_new (AIR_TYPE_SESSION, NULL);

  self->registry = registry ? g_object_ref (registry) : air_zone_registry_new (NULL);
  g_signal_connect_object (air_zone_registry_get_zones (self->registry), "items-changed",
                           G_CALLBACK (zones_changed_cb), self, 0);
  return self;
}

static gboolean
reload_registry_cb (gpointer user_data)
{
  AirSession *self = user_data;
  g_autoptr(GError) error = NULL;

  /* Our own write first: the file still holds the list from before it. */
  if (self->saves_pending > 0)
    return G_SOURCE_CONTINUE;
  self->reload_id = 0;
  /* A file broken by hand keeps the zones as they were: the next start
   * says what is wrong with it. */
  if (!air_zone_registry_reload (self->registry, &error))
    g_debug ("zone list not reloaded: %s", error->message);
  return G_SOURCE_REMOVE;
}

/* The zone list changed on disk — qair zone add|rm, another window, an
 * import: applied once the writes have settled. What this session saved
 * itself reloads to no change. */
static void
registry_changed_cb (GFileMonitor      *monitor,
                     GFile             *file,
                     GFile             *other_file,
                     GFileMonitorEvent  event,
                     gpointer           user_data)
{
  AirSession *self = user_data;

  if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT && event != G_FILE_MONITOR_EVENT_CREATED &&
      event != G_FILE_MONITOR_EVENT_DELETED && event != G_FILE_MONITOR_EVENT_CHANGED)
    return;
  g_clear_handle_id (&self->reload_id, g_source_remove);
  self->reload_id = g_timeout_add (RELOAD_DELAY_MS, reload_registry_cb, self);
}

static void
watch_registry (AirSession *self)
{
  g_autoptr(GFile) file = NULL;

  if (self->registry_monitor != NULL)
    return;
  file = g_file_new_for_path (air_zone_registry_get_path (self->registry));
  self->registry_monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, NULL);
  if (self->registry_monitor != NULL)
    g_signal_connect (self->registry_monitor, "changed", G_CALLBACK (registry_changed_cb), self);
}

/* Reads the zone list and starts reaching every zone. Without a zone list
 * the "local" zone is there; with a broken one, no zone is, and the error
 * says how to fix it. */
gboolean
air_session_load (AirSession  *self,
                  GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (AIR_IS_SESSION (self), FALSE);

  self->loaded = FALSE;
  ok = air_zone_registry_load (self->registry, error);
  self->loaded = TRUE;
  sync_links (self);
  watch_registry (self);
  return ok;
}

/* Ends every event stream and call; the session can be loaded again. */
void
air_session_shutdown (AirSession *self)
{
  guint n;

  g_return_if_fail (AIR_IS_SESSION (self));

  self->loaded = FALSE;
  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->registry_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->registry_monitor, self);
      g_file_monitor_cancel (self->registry_monitor);
      g_clear_object (&self->registry_monitor);
    }
  if (self->links != NULL)
    {
      GHashTableIter iter;
      AirZoneLink *link;

      g_hash_table_iter_init (&iter, self->links);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &link))
        _air_zone_link_close (link, FALSE);
      g_hash_table_remove_all (self->links);
      g_list_store_remove_all (self->link_list);
    }

  if (self->jobs != NULL)
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(AirJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);
          air_job_cancel (job);
        }
    }
}

AirZoneRegistry *
air_session_get_registry (AirSession *self)
{
  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);
  return self->registry;
}

/**
 * air_session_get_zones:
 *
 * Returns: (transfer none): a list model of #AirZone
 */
GListModel *
air_session_get_zones (AirSession *self)
{
  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);
  return air_zone_registry_get_zones (self->registry);
}

AirInventory *
air_session_get_inventory (AirSession *self)
{
  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);
  return self->inventory;
}

/**
 * air_session_get_jobs:
 *
 * Returns: (transfer none): a list model of #AirJob, newest first
 */
GListModel *
air_session_get_jobs (AirSession *self)
{
  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);
  return G_LIST_MODEL (self->jobs);
}

AirZone *
air_session_lookup_zone (AirSession *self,
                         const char *name)
{
  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);

  if (name == NULL)
    return NULL;
  return air_zone_registry_lookup (self->registry, name);
}

/**
 * air_session_get_link:
 *
 * Returns: (transfer none) (nullable): the zone's link, while the session
 *   is loaded and has the zone
 */
AirZoneLink *
air_session_get_link (AirSession *self,
                      const char *zone)
{
  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);

  if (zone == NULL)
    return NULL;
  return g_hash_table_lookup (self->links, zone);
}

/**
 * air_session_get_links:
 *
 * Returns: (transfer none): a list model of #AirZoneLink, one per zone
 */
GListModel *
air_session_get_links (AirSession *self)
{
  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);
  return G_LIST_MODEL (self->link_list);
}

/* TRUE until the zone's first List after (re)connecting has arrived. */
gboolean
air_session_zone_is_loading (AirSession *self,
                             const char *name)
{
  AirZoneLink *link;

  g_return_val_if_fail (AIR_IS_SESSION (self), FALSE);

  link = air_session_get_link (self, name);
  return link != NULL && air_zone_link_is_loading (link);
}

void
air_session_reconnect_zone (AirSession *self,
                            const char *name)
{
  AirZoneLink *link;

  g_return_if_fail (AIR_IS_SESSION (self));

  link = air_session_get_link (self, name);
  if (link != NULL)
    air_zone_link_reconnect (link);
}
