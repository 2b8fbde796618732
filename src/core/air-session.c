/* air-session.c
 *
 * The session is the application's model (GNOME Text Editor's
 * EditorSession): it owns the zone registry, the inventory of every zone's
 * qubes and the list of jobs; windows only look at it.
 *
 * For each zone a link runs, all of it asynchronous so that an unreachable
 * zone never holds up another: the zone's Events stream is opened and List
 * fills the inventory (events that arrive meanwhile are applied after it),
 * then ZoneInfo tells the zone's templates and isolation. When the stream ends or a call fails the zone is shown
 * down with the reason, and the link tries again after a wait that doubles
 * up to a minute. Nothing polls.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-session"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-line-reader.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-session.h"

/* How often lists of zones connecting go into the inventory. */
#define APPLY_INTERVAL_MS 250

/* How long the zones' details wait for a zone still listing. */
#define INFO_DELAY_SECONDS 2

/* And once every zone has listed: the qubes just applied are drawn first,
 * without ten ZoneInfo calls' processes taking the CPU (bench/app). */
#define INFO_AFTER_LISTS_MS 500

/* Events a zone may send while its List is in flight. */
#define MAX_QUEUED_EVENTS 100000

/* How long the zone list must be still after a change on disk before it
 * is read again: one save is several file events. */
#define RELOAD_DELAY_MS 200

typedef struct {
  AirSession    *session;      /* borrowed; NULL once closed */
  AirZone       *zone;
  GCancellable  *cancellable;  /* of the current attempt */
  GSubprocess   *events;
  AirLineReader *reader;
  GPtrArray     *queued;       /* AirEvent, while listing */
  GError        *lost;         /* the event stream ended while listing */
  guint          retry_id;
  guint          backoff;
  gboolean       loading;
  gboolean       first_line;   /* the stream's first line may be its list */
  gboolean       listing;      /* a List call is in flight */
  gboolean       info_pending; /* ZoneInfo waits for the other zones' lists */
  GPtrArray     *listed;       /* AirQube: the first List, awaiting its turn */
  gint64         info_started; /* monotonic µs: the ZoneInfo call in flight */
} ZoneLink;

struct _AirSession
{
  GObject          parent_instance;

  /* Owned references */
  AirZoneRegistry *registry;
  AirInventory    *inventory;
  GListStore      *jobs;
  GHashTable      *links;      /* zone name → ZoneLink */
  guint            info_timeout_id;
  gint64           info_due;   /* when info_timeout_id fires */
  guint            apply_id;
  gint64           applied_at;   /* monotonic; when lists last went in */
  GFileMonitor    *registry_monitor;
  guint            reload_id;

  gboolean         loaded;
};

G_DEFINE_FINAL_TYPE (AirSession, air_session, G_TYPE_OBJECT)

enum {
  ZONE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void link_connect (ZoneLink *link);
static void start_pending_infos (AirSession *self, gboolean now);

static ZoneLink *
link_ref (ZoneLink *link)
{
  return g_rc_box_acquire (link);
}

static void
link_clear (ZoneLink *link)
{
  g_clear_object (&link->zone);
  g_clear_object (&link->cancellable);
  g_clear_object (&link->events);
  g_clear_object (&link->reader);
  g_clear_pointer (&link->queued, g_ptr_array_unref);
  g_clear_pointer (&link->listed, g_ptr_array_unref);
  g_clear_error (&link->lost);
}

static void
link_unref (ZoneLink *link)
{
  g_rc_box_release_full (link, (GDestroyNotify) link_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZoneLink, link_unref)

static gboolean
link_is_gone (ZoneLink *link,
              GError   *error)
{
  return link->session == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
zone_changed (AirSession *self,
              const char *zone)
{
  g_signal_emit (self, signals[ZONE_CHANGED], 0, zone);
}

/* Stops the current attempt: calls in flight are cancelled, the event
 * stream's process ends. */
static void
link_stop (ZoneLink *link)
{
  if (link->cancellable != NULL)
    g_cancellable_cancel (link->cancellable);
  g_clear_object (&link->cancellable);
  if (link->events != NULL)
    g_subprocess_force_exit (link->events);
  g_clear_object (&link->events);
  g_clear_object (&link->reader);
  g_clear_pointer (&link->queued, g_ptr_array_unref);
  g_clear_pointer (&link->listed, g_ptr_array_unref);
  g_clear_error (&link->lost);
  g_clear_handle_id (&link->retry_id, g_source_remove);
  link->loading = FALSE;
  link->first_line = FALSE;
  link->listing = FALSE;
  link->info_pending = FALSE;
}

static void
link_close (ZoneLink *link)
{
  link_stop (link);
  link->session = NULL;
  link_unref (link);
}

static gboolean
retry_cb (gpointer user_data)
{
  ZoneLink *link = user_data;

  link->retry_id = 0;
  link_connect (link);
  return G_SOURCE_REMOVE;
}

/* The zone cannot be reached now: say so, and try again later. */
static void
link_down (ZoneLink     *link,
           const GError *error)
{
  AirSession *self = link->session;
  guint wait = link->backoff;

  g_debug ("Zone %s down: %s", air_zone_get_name (link->zone), error->message);

  link_stop (link);
  air_zone_set_health (link->zone, AIR_HEALTH_DOWN, error->message);
  zone_changed (self, air_zone_get_name (link->zone));

  link->backoff = CLAMP (wait * 2, AIR_SESSION_RETRY_MIN_SECONDS, AIR_SESSION_RETRY_MAX_SECONDS);
  link->retry_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, MAX (wait, 1),
                                               retry_cb, link_ref (link),
                                               (GDestroyNotify) link_unref);
  start_pending_infos (self, FALSE);   /* the others need not wait for this one */
}

static void
apply_event (ZoneLink *link,
             AirEvent *event)
{
  AirSession *self = link->session;
  const char *zone = air_zone_get_name (link->zone);

  if (event->kind == AIR_EVENT_ZONE_HEALTH)
    air_zone_set_health (link->zone, event->health, event->reason);
  else
    air_inventory_apply_event (self->inventory, zone, event);
}

static void read_event (ZoneLink *link);
static void info_cb (GObject *object, GAsyncResult *result, gpointer user_data);
static void list_cb (GObject *object, GAsyncResult *result, gpointer user_data);
static void schedule_apply (AirSession *self);
static void apply_list (ZoneLink *link, GPtrArray *qubes);

/* One line of the event stream, applied, or queued while listing. */
static void
take_event (ZoneLink *link,
            GBytes   *line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirEvent) event = NULL;
  gsize len;
  const char *data = g_bytes_get_data (line, &len);

  event = air_event_parse (data, len, air_zone_get_name (link->zone), &error);
  if (event == NULL)
    {
      /* A newer agent may send events this one does not know: skip them. */
      g_autofree char *shown = air_text_sanitize (error->message, -1, 200);
      g_debug ("Zone %s: ignored an event: %s", air_zone_get_name (link->zone), shown);
    }
  else if (link->queued != NULL)
    {
      if (link->queued->len < MAX_QUEUED_EVENTS)
        g_ptr_array_add (link->queued, g_steal_pointer (&event));
    }
  else
    {
      apply_event (link, event);
      zone_changed (link->session, air_zone_get_name (link->zone));
    }
}

/* A zone's list, from its stream or from List: applied at once on a
 * resync; while connecting, with the other zones' (schedule_apply()). */
static void
take_list (ZoneLink  *link,
           GPtrArray *qubes)   /* (transfer full) */
{
  if (!link->loading)
    {
      apply_list (link, qubes);
      g_ptr_array_unref (qubes);
      return;
    }
  g_clear_pointer (&link->listed, g_ptr_array_unref);
  link->listed = qubes;
  schedule_apply (link->session);
}

static void
list_zone (ZoneLink *link)
{
  link->listing = TRUE;
  air_zone_list_qubes_async (link->zone, link->cancellable, list_cb, link_ref (link));
}

typedef struct {
  ZoneLink *link;
  GBytes   *line;
} FirstLine;

static FirstLine *
first_line_new (ZoneLink *link,
                GBytes   *line)
{
  FirstLine *first = g_new0 (FirstLine, 1);

  first->link = link_ref (link);
  first->line = g_bytes_ref (line);
  return first;
}

static void
first_line_free (FirstLine *first)
{
  link_unref (first->link);
  g_bytes_unref (first->line);
  g_free (first);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FirstLine, first_line_free)

/* The stream's first line is the zone's list, or, from an agent older
 * than AIR_PROTOCOL_EVENTS_LISTED, an event: then List is called. */
static void
first_line_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(FirstLine) first = user_data;
  ZoneLink *link = first->link;
  g_autoptr(GPtrArray) qubes = NULL;
  g_autoptr(GError) error = NULL;

  qubes = air_zone_list_qubes_finish (AIR_ZONE (object), result, &error);
  if (link_is_gone (link, error))
    return;
  if (qubes != NULL)
    take_list (link, g_steal_pointer (&qubes));
  else
    {
      list_zone (link);
      take_event (link, first->line);
    }
  read_event (link);
}

static void
read_event_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ZoneLink) link = user_data;
  g_autoptr(GBytes) line = NULL;
  g_autoptr(GError) error = NULL;

  line = air_line_reader_read_line_finish (AIR_LINE_READER (object), result, &error);
  if (link_is_gone (link, error) || object != (GObject *) link->reader)
    return;

  if (line == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (AIR_ERROR, AIR_ERROR_UNREACHABLE,
                                     _("The zone closed its event stream"));
      else
        g_prefix_error (&error, _("The zone’s event stream failed: "));

      /* Before the list, List's failure (with the zone's own words) says
       * more; its success, that the zone was reached and lost again. */
      if (link->loading)
        {
          g_clear_error (&link->lost);
          link->lost = g_steal_pointer (&error);
          if (!link->listing && link->listed == NULL)
            list_zone (link);
          return;
        }
      link_down (link, error);
      return;
    }

  if (link->first_line)
    {
      link->first_line = FALSE;
      air_line_reader_set_max_line (link->reader, AIR_JSON_MAX_LINE);
      air_zone_decode_list_async (link->zone, line, link->cancellable, first_line_cb,
                                  first_line_new (link, line));
      return;   /* the next line once this one is in */
    }

  take_event (link, line);
  read_event (link);
}

static void
read_event (ZoneLink *link)
{
  air_line_reader_read_line_async (link->reader, link->cancellable,
                                   read_event_cb, link_ref (link));
}

/* TRUE while a zone connecting has not sent its list yet. */
static gboolean
zone_still_listing (AirSession *self)
{
  GHashTableIter iter;
  ZoneLink *link;

  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &link))
    if (link->loading && link->listed == NULL)
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
  ZoneLink *link;

  if (!now)
    {
      schedule_infos (self, zone_still_listing (self) ? INFO_DELAY_SECONDS * 1000 : INFO_AFTER_LISTS_MS);
      return;
    }

  g_clear_handle_id (&self->info_timeout_id, g_source_remove);
  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &link))
    if (link->info_pending)
      {
        link->info_pending = FALSE;
        link->info_started = g_get_monotonic_time ();
        air_zone_refresh_info_async (link->zone, link->cancellable, info_cb, link_ref (link));
      }
}

/* The zone's qubes, and what the zone said meanwhile, into the inventory. */
static void
apply_list (ZoneLink  *link,
            GPtrArray *qubes)
{
  AirSession *self = link->session;
  const char *zone = air_zone_get_name (link->zone);
  g_autoptr(GPtrArray) queued = NULL;

  air_inventory_replace_zone (self->inventory, zone, qubes);

  if (link->lost != NULL)
    {
      g_autoptr(GError) lost = g_steal_pointer (&link->lost);

      link_down (link, lost);
      return;
    }

  queued = g_steal_pointer (&link->queued);
  for (guint i = 0; queued != NULL && i < queued->len; i++)
    apply_event (link, g_ptr_array_index (queued, i));

  /* ZoneInfo (templates, isolation) once per connection, after the list:
   * the qubes come first, every zone's. */
  link->info_pending = link->loading;
  link->loading = FALSE;
  start_pending_infos (self, FALSE);
  link->backoff = 0;
  if (air_zone_get_health (link->zone) == AIR_HEALTH_UNKNOWN ||
      air_zone_get_health (link->zone) == AIR_HEALTH_DOWN)
    air_zone_set_health (link->zone, AIR_HEALTH_UP, "");

  zone_changed (self, zone);
}

static void
apply_listed (AirSession *self)
{
  g_autoptr(GPtrArray) ready = g_ptr_array_new_with_free_func ((GDestroyNotify) link_unref);
  GHashTableIter iter;
  ZoneLink *link;

  g_clear_handle_id (&self->apply_id, g_source_remove);
  self->applied_at = g_get_monotonic_time ();

  /* Applying may take a link down, which does not touch the table. */
  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &link))
    if (link->listed != NULL)
      g_ptr_array_add (ready, link_ref (link));
  for (guint i = 0; i < ready->len; i++)
    {
      ZoneLink *ready_link = g_ptr_array_index (ready, i);
      g_autoptr(GPtrArray) qubes = g_steal_pointer (&ready_link->listed);

      if (qubes != NULL && ready_link->session != NULL)
        apply_list (ready_link, qubes);
    }
}

static gboolean
apply_listed_cb (gpointer user_data)
{
  AirSession *self = user_data;

  self->apply_id = 0;
  apply_listed (self);
  return G_SOURCE_REMOVE;
}

/* While zones connect, their lists go into the inventory together, at most
 * every APPLY_INTERVAL_MS: every zone arriving on its own would have the
 * inventory's views re-sorted and redrawn for each. The first list goes in
 * at once, and so does the last one awaited. */
static void
schedule_apply (AirSession *self)
{
  gint64 next = self->applied_at + APPLY_INTERVAL_MS * 1000;
  gint64 now = g_get_monotonic_time ();

  if (!zone_still_listing (self) || self->applied_at == 0 || now >= next)
    apply_listed (self);
  else if (self->apply_id == 0)
    self->apply_id = g_timeout_add ((guint) ((next - now) / 1000) + 1, apply_listed_cb, self);
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ZoneLink) link = user_data;
  g_autoptr(GPtrArray) qubes = NULL;
  g_autoptr(GError) error = NULL;

  qubes = air_zone_list_qubes_finish (AIR_ZONE (object), result, &error);
  if (link_is_gone (link, error))
    return;
  link->listing = FALSE;
  if (qubes == NULL)
    {
      link_down (link, error);
      return;
    }

  take_list (link, g_steal_pointer (&qubes));
}

static void
info_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ZoneLink) link = user_data;
  g_autoptr(GError) error = NULL;

  if (!air_zone_refresh_info_finish (AIR_ZONE (object), result, &error))
    {
      if (!link_is_gone (link, error))
        link_down (link, error);
      return;
    }
  if (link->session == NULL)
    return;

  /* ZoneInfo is small and answered at once: its time is the chain's round
   * trip (gateway, link, zone host), which the map shows. */
  if (link->info_started > 0)
    air_zone_set_round_trip (link->zone,
                             (guint) MAX (1, (g_get_monotonic_time () - link->info_started + 999) / 1000));
  zone_changed (link->session, air_zone_get_name (link->zone));
}

static void
events_spawned_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ZoneLink) link = user_data;
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  g_autoptr(GSubprocess) events = NULL;
  g_autoptr(GError) error = NULL;

  events = air_transport_spawn_finish (AIR_TRANSPORT (object), result, &error);
  /* This attempt was stopped while the process started. */
  if (link->session == NULL || cancellable != link->cancellable)
    {
      if (events != NULL)
        g_subprocess_force_exit (events);
      return;
    }
  if (events == NULL)
    {
      link_down (link, error);
      return;
    }

  link->events = g_steal_pointer (&events);
  link->reader = air_line_reader_new (g_subprocess_get_stdout_pipe (link->events), AIR_JSON_MAX_MESSAGE);
  read_event (link);
}

/* One call: the event stream, asked to begin with the zone's list (an
 * older agent's is listed by a List call of its own); ZoneInfo follows the
 * list. Events met before the list are queued. */
static void
link_connect (ZoneLink *link)
{
  link_stop (link);
  link->cancellable = g_cancellable_new ();
  link->loading = TRUE;
  link->first_line = TRUE;
  link->queued = g_ptr_array_new_with_free_func ((GDestroyNotify) air_event_free);

  air_transport_spawn_async (air_zone_get_transport (link->zone), air_zone_get_gateway (link->zone),
                             "qubesair.Events", AIR_PROTOCOL_EVENTS_LISTED,
                             G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             link->cancellable, events_spawned_cb, link_ref (link));
}

static ZoneLink *
link_new (AirSession *self,
          AirZone    *zone)
{
  ZoneLink *link = g_rc_box_new0 (ZoneLink);

  link->session = self;
  link->zone = g_object_ref (zone);
  return link;
}

static void
zone_settings_changed_cb (AirZone    *zone,
                          GParamSpec *pspec,
                          AirSession *self)
{
  ZoneLink *link = g_hash_table_lookup (self->links, air_zone_get_name (zone));

  /* Another gateway or driver: a new start. */
  if (link != NULL)
    {
      link->backoff = 0;
      link_connect (link);
    }
}

/* Keeps one link per zone of the registry. */
static void
sync_links (AirSession *self)
{
  GListModel *zones = air_zone_registry_get_zones (self->registry);
  g_autoptr(GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;
  guint n = g_list_model_get_n_items (zones);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      const char *name = air_zone_get_name (zone);
      ZoneLink *link = g_hash_table_lookup (self->links, name);

      g_hash_table_add (present, (gpointer) name);

      if (link != NULL && link->zone == zone)
        continue;
      if (link != NULL)
        {
          g_signal_handlers_disconnect_by_data (link->zone, self);
          g_hash_table_remove (self->links, name);
        }

      link = link_new (self, zone);
      g_hash_table_insert (self->links, g_strdup (name), link);
      g_signal_connect_object (zone, "notify::gateway", G_CALLBACK (zone_settings_changed_cb), self, 0);
      g_signal_connect_object (zone, "notify::driver", G_CALLBACK (zone_settings_changed_cb), self, 0);
      link_connect (link);
    }

  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (present, key))
      {
        ZoneLink *link = value;

        g_signal_handlers_disconnect_by_data (link->zone, self);
        air_inventory_remove_zone (self->inventory, key);
        g_hash_table_iter_steal (&iter);
        link_close (link);
        g_free (key);
      }
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

  /* Something about the zone changed: its qubes, its health, its loading. */
  signals[ZONE_CHANGED] =
    g_signal_new ("zone-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
air_session_init (AirSession *self)
{
  self->inventory = air_inventory_new ();
  self->jobs = g_list_store_new (AIR_TYPE_JOB);
  self->links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) link_close);
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
    g_hash_table_remove_all (self->links);

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

/* TRUE until the zone's first List after (re)connecting has arrived. */
gboolean
air_session_zone_is_loading (AirSession *self,
                             const char *name)
{
  ZoneLink *link;

  g_return_val_if_fail (AIR_IS_SESSION (self), FALSE);

  link = g_hash_table_lookup (self->links, name);
  return link != NULL && link->loading;
}

void
air_session_reconnect_zone (AirSession *self,
                            const char *name)
{
  ZoneLink *link;

  g_return_if_fail (AIR_IS_SESSION (self));

  link = g_hash_table_lookup (self->links, name);
  if (link != NULL)
    {
      link->backoff = 0;
      link_connect (link);
      zone_changed (self, name);
    }
}

void
air_session_clear_finished_jobs (AirSession *self)
{
  guint n;

  g_return_if_fail (AIR_IS_SESSION (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(AirJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i - 1);

      if (air_job_is_finished (job))
        g_list_store_remove (self->jobs, i - 1);
    }
}

/* New jobs go first; the oldest finished ones make room. */
static void
add_job (AirSession *self,
         AirJob     *job)
{
  guint n, finished = 0;

  g_list_store_insert (self->jobs, 0, job);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirJob) other = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (air_job_is_finished (other) && ++finished > AIR_SESSION_MAX_FINISHED_JOBS)
        {
          g_list_store_remove (self->jobs, i);
          break;
        }
    }
}

/* Shows a job that is not a zone call (the vault's, for one) in the job
 * list, with the others. */
void
air_session_add_job (AirSession *self,
                     AirJob     *job)
{
  g_return_if_fail (AIR_IS_SESSION (self));
  g_return_if_fail (AIR_IS_JOB (job));

  add_job (self, job);
}

static AirJob *
start_job (AirSession  *self,
           const char  *zone_name,
           AirZone    **zone,
           char        *title)   /* (transfer full) */
{
  g_autofree char *owned_title = title;
  AirJob *job = air_job_new (owned_title, zone_name);

  add_job (self, job);
  g_object_unref (job);   /* the list holds it */

  *zone = air_session_lookup_zone (self, zone_name);
  if (*zone == NULL)
    {
      g_autofree char *shown = air_text_sanitize (zone_name, -1, 40);
      g_autoptr(GError) error = g_error_new (AIR_ERROR, AIR_ERROR_NOT_FOUND,
                                             _("There is no zone called “%s”."), shown);
      air_job_fail (job, error);
    }

  return job;
}

/* Asks the zone for its list again, so the view is right at once even where
 * the zone's events come late. */
static void
resync_zone (AirSession *self,
             const char *zone)
{
  ZoneLink *link = g_hash_table_lookup (self->links, zone);

  if (link == NULL || link->cancellable == NULL || link->loading || link->events == NULL)
    return;

  list_zone (link);
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AirJob) job = user_data;
  g_autoptr(AirSession) self = g_object_get_data (G_OBJECT (job), "air-session");
  g_autoptr(AirQube) qube = NULL;
  g_autoptr(GError) error = NULL;
  AirEvent event = { .kind = AIR_EVENT_QUBE_ADDED };

  g_object_set_data (G_OBJECT (job), "air-session", NULL);

  qube = air_zone_create_qube_finish (AIR_ZONE (object), result, &error);
  if (qube == NULL)
    {
      air_job_fail (job, error);
      return;
    }

  event.qube = qube;
  if (self->loaded && g_hash_table_contains (self->links, air_zone_get_name (AIR_ZONE (object))))
    {
      air_inventory_apply_event (self->inventory, air_zone_get_name (AIR_ZONE (object)), &event);
      zone_changed (self, air_zone_get_name (AIR_ZONE (object)));
    }
  air_job_succeed (job);
}

/**
 * air_session_create_qube:
 *
 * Returns: (transfer none): the job, held by the job list
 */
AirJob *
air_session_create_qube (AirSession        *self,
                         const char        *zone_name,
                         const char        *name,
                         const AirQubeSpec *spec)
{
  AirZone *zone;
  AirJob *job;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  shown = air_text_sanitize (name, -1, AIR_NAME_MAX);
  job = start_job (self, zone_name, &zone, g_strdup_printf (_("Create %s"), shown));
  if (zone == NULL)
    return job;

  g_object_set_data (G_OBJECT (job), "air-session", g_object_ref (self));
  air_zone_create_qube_async (zone, name, spec, air_job_get_cancellable (job),
                              create_cb, g_object_ref (job));
  return job;
}

static void
action_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AirJob) job = user_data;
  g_autoptr(AirSession) self = g_object_get_data (G_OBJECT (job), "air-session");
  g_autoptr(GError) error = NULL;

  g_object_set_data (G_OBJECT (job), "air-session", NULL);

  if (!air_zone_qube_action_finish (AIR_ZONE (object), result, &error))
    air_job_fail (job, error);
  else
    air_job_succeed (job);

  if (self->loaded)
    resync_zone (self, air_zone_get_name (AIR_ZONE (object)));
}

/**
 * air_session_qube_action:
 *
 * Returns: (transfer none): the job, held by the job list
 */
AirJob *
air_session_qube_action (AirSession    *self,
                         const char    *zone_name,
                         const char    *name,
                         AirZoneAction  action)
{
  g_autofree char *shown = NULL;
  AirZone *zone;
  AirJob *job;
  char *title;

  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);

  shown = air_text_sanitize (name, -1, AIR_NAME_MAX);
  switch (action)
    {
    case AIR_ZONE_ACTION_START:
      title = g_strdup_printf (_("Start %s"), shown);
      break;
    case AIR_ZONE_ACTION_SHUTDOWN:
      title = g_strdup_printf (_("Shut down %s"), shown);
      break;
    case AIR_ZONE_ACTION_KILL:
      title = g_strdup_printf (_("Kill %s"), shown);
      break;
    case AIR_ZONE_ACTION_REMOVE:
      title = g_strdup_printf (_("Remove %s"), shown);
      break;
    default:
      g_return_val_if_reached (NULL);
    }

  job = start_job (self, zone_name, &zone, title);
  if (zone == NULL)
    return job;

  g_object_set_data (G_OBJECT (job), "air-session", g_object_ref (self));
  air_zone_qube_action_async (zone, action, name, air_job_get_cancellable (job),
                              action_cb, g_object_ref (job));
  return job;
}

/* A command: its header line written, its stdout and stderr streamed into
 * the job, its exit status the job's end. */
typedef struct {
  AirJob      *job;
  GSubprocess *process;
  gulong       cancel_id;
  guint        pending;
} RunOp;

static void
run_op_free (RunOp *op)
{
  g_cancellable_disconnect (air_job_get_cancellable (op->job), op->cancel_id);
  g_clear_object (&op->process);
  g_clear_object (&op->job);
  g_free (op);
}

static void
run_op_done (RunOp *op)
{
  int status;

  if (--op->pending > 0)
    return;

  if (g_cancellable_is_cancelled (air_job_get_cancellable (op->job)))
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "");
      air_job_fail (op->job, error);
    }
  else if (g_subprocess_get_if_exited (op->process))
    air_job_finish_command (op->job, g_subprocess_get_exit_status (op->process));
  else if (g_subprocess_get_if_signaled (op->process))
    {
      status = 128 + g_subprocess_get_term_sig (op->process);
      air_job_finish_command (op->job, MIN (status, 255));
    }
  else
    air_job_finish_command (op->job, -1);

  run_op_free (op);
}

static void run_read (RunOp *op, GInputStream *stream);

static void
run_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunOp *op = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      run_op_done (op);
      return;
    }

  air_job_append_output (op->job, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  run_read (op, G_INPUT_STREAM (object));
}

static void
run_read (RunOp        *op,
          GInputStream *stream)
{
  g_input_stream_read_bytes_async (stream, 65536, G_PRIORITY_DEFAULT, NULL, run_read_cb, op);
}

static void
run_wait_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunOp *op = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  run_op_done (op);
}

static void
run_write_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  RunOp *op = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL);
  /* No input for the command but the header: the command sees end of file. */
  g_output_stream_close (G_OUTPUT_STREAM (object), NULL, NULL);
  run_op_done (op);
}

static void
run_cancelled_cb (GCancellable *cancellable,
                  RunOp        *op)
{
  g_subprocess_force_exit (op->process);
}

/**
 * air_session_run_command:
 * @target: the qube, or with @disposable the disposable template
 * @what: (nullable): the command as the job names it, else argv[0]
 *
 * Returns: (transfer none): the job, held by the job list; its "output"
 *   signal carries the command's output, "exit-status" its end.
 */
AirJob *
air_session_run_command (AirSession         *self,
                         const char         *zone_name,
                         const char         *target,
                         const char * const *argv,
                         const char         *what,
                         gboolean            disposable)
{
  g_autofree char *shown = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  char *header;
  AirZone *zone;
  AirJob *job;
  RunOp *op;

  g_return_val_if_fail (AIR_IS_SESSION (self), NULL);
  g_return_val_if_fail (argv != NULL, NULL);

  shown = air_text_sanitize (target, -1, AIR_NAME_MAX);
  command = air_text_sanitize (what ? what : argv[0] ? argv[0] : "", -1, 40);
  job = start_job (self, zone_name, &zone,
                   disposable ? g_strdup_printf (_("Run %s in a disposable of %s"), command, shown)
                              : g_strdup_printf (_("Run %s in %s"), command, shown));
  if (zone == NULL)
    return job;

  if (argv[0] == NULL || g_strv_length ((char **) argv) > AIR_PROTOCOL_MAX_ARGV)
    {
      error = g_error_new_literal (AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("No command to run"));
      air_job_fail (job, error);
      return job;
    }

  if (!air_name_validate (target, disposable ? "template" : "qube", &error) ||
      !(process = air_zone_spawn (zone, disposable ? "qubesair.Disposable" : "qubesair.Run", target,
                                  G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                  G_SUBPROCESS_FLAGS_STDERR_PIPE, &error)))
    {
      air_job_fail (job, error);
      return job;
    }

  op = g_new0 (RunOp, 1);
  op->job = g_object_ref (job);
  op->process = g_steal_pointer (&process);
  op->pending = 4;   /* header written, stdout, stderr, exit */
  op->cancel_id = g_cancellable_connect (air_job_get_cancellable (job),
                                         G_CALLBACK (run_cancelled_cb), op, NULL);

  header = air_run_header_to_line (argv, NULL);
  g_output_stream_write_all_async (g_subprocess_get_stdin_pipe (op->process),
                                   header, strlen (header), G_PRIORITY_DEFAULT, NULL,
                                   run_write_cb, op);
  g_object_set_data_full (G_OBJECT (op->job), "air-run-header", header, g_free);
  run_read (op, g_subprocess_get_stdout_pipe (op->process));
  run_read (op, g_subprocess_get_stderr_pipe (op->process));
  g_subprocess_wait_async (op->process, NULL, run_wait_cb, op);

  return job;
}

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

gboolean
air_session_add_zone (AirSession  *self,
                      const char  *name,
                      const char  *gateway,
                      const char  *driver,
                      GError     **error)
{
  g_autoptr(AirZone) zone = NULL;

  g_return_val_if_fail (AIR_IS_SESSION (self), FALSE);

  if (!check_zone_fields (name, gateway, driver, error))
    return FALSE;

  zone = air_zone_new (name, gateway, driver);
  if (!air_zone_registry_add (self->registry, zone, error))
    return FALSE;

  if (!air_zone_registry_save (self->registry, error))
    {
      air_zone_registry_remove (self->registry, name, NULL);
      return FALSE;
    }

  return TRUE;
}

gboolean
air_session_update_zone (AirSession  *self,
                         const char  *name,
                         const char  *gateway,
                         const char  *driver,
                         GError     **error)
{
  g_autofree char *old_gateway = NULL;
  g_autofree char *old_driver = NULL;
  AirZone *zone;

  g_return_val_if_fail (AIR_IS_SESSION (self), FALSE);

  if (!check_zone_fields (name, gateway, driver, error))
    return FALSE;

  zone = air_session_lookup_zone (self, name);
  if (zone == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND, _("There is no zone called “%s”."), name);
      return FALSE;
    }

  old_gateway = g_strdup (air_zone_get_gateway (zone));
  old_driver = g_strdup (air_zone_get_driver (zone));
  g_object_freeze_notify (G_OBJECT (zone));
  air_zone_set_gateway (zone, gateway);
  air_zone_set_driver (zone, driver);
  g_object_thaw_notify (G_OBJECT (zone));

  if (!air_zone_registry_save (self->registry, error))
    {
      air_zone_set_gateway (zone, old_gateway);
      air_zone_set_driver (zone, old_driver);
      return FALSE;
    }

  return TRUE;
}

gboolean
air_session_remove_zone (AirSession  *self,
                         const char  *name,
                         GError     **error)
{
  g_autoptr(AirZone) zone = NULL;

  g_return_val_if_fail (AIR_IS_SESSION (self), FALSE);

  zone = air_session_lookup_zone (self, name);
  if (zone != NULL)
    g_object_ref (zone);

  if (!air_zone_registry_remove (self->registry, name, error))
    return FALSE;

  if (!air_zone_registry_save (self->registry, error))
    {
      air_zone_registry_add (self->registry, zone, NULL);
      return FALSE;
    }

  return TRUE;
}
