/* air-zone-link.c
 *
 * One zone's connection, and the only writer of that zone's part of the
 * inventory: the list, the events, and what the session knows happened (a
 * qube it created) all go in here. All of it is asynchronous, so an
 * unreachable zone never holds up another.
 *
 *   CONNECTING  the Events stream is being opened; it is asked to begin
 *               with the zone's list
 *   LISTING     the first line came (the list, or from an agent older than
 *               AIR_PROTOCOL_EVENTS_LISTED an event: then List is called);
 *               events met meanwhile are queued, and the list is held until
 *               the session lets the lists of zones connecting together go
 *               in together
 *   LIVE        listed: each event is applied as it comes; ZoneInfo (the
 *               templates, the isolation) once the session says it is due
 *   DOWN        the stream ended or a call failed: the zone is shown down
 *               with the reason, and tried again after a wait that doubles
 *               up to AIR_SESSION_RETRY_MAX_SECONDS. Nothing polls.
 *
 * The properties are notified only when they change, so views bound to
 * them redraw a zone only when something about it did.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-link"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "air-enums.h"
#include "air-error.h"
#include "air-json.h"
#include "air-line-reader.h"
#include "air-names.h"
#include "air-utils.h"
#include "air-zone-link-private.h"

/* Events a zone may send while its List is in flight. */
#define MAX_QUEUED_EVENTS 100000

struct _AirZoneLink
{
  GObject           parent_instance;

  /* Borrowed references */
  AirSession       *session;      /* NULL once closed */

  /* Owned references */
  AirZone          *zone;
  GCancellable     *cancellable;  /* of the current attempt */
  GSubprocess      *events;
  AirLineReader    *reader;
  GPtrArray        *queued;       /* AirEvent, met before the list */
  GPtrArray        *held;         /* AirQube: the first list, awaiting its turn */
  GError           *lost;         /* the stream ended before the list was in */
  char             *health_reason;

  AirZoneLinkState  state;
  guint             n_qubes;
  guint             n_running;
  guint             retry_id;
  guint             backoff;
  gboolean          listing;      /* a List call is in flight */
  gboolean          relist;       /* a resync asked for while it was */
  gboolean          info_pending; /* ZoneInfo waits for the session's word */
  gint64            info_started; /* monotonic µs: the ZoneInfo call in flight */
};

G_DEFINE_FINAL_TYPE (AirZoneLink, air_zone_link, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ZONE,
  PROP_STATE,
  PROP_HEALTH_REASON,
  PROP_N_QUBES,
  PROP_N_RUNNING,
  N_PROPS
};

enum {
  QUBES_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void read_event (AirZoneLink *self);

static gboolean
is_gone (AirZoneLink *self,
         GError      *error)
{
  return self->session == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
set_state (AirZoneLink      *self,
           AirZoneLinkState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* The zone's counts as the inventory keeps them (no scan), notified when
 * they moved; and the views that draw each qube told to look again. */
static void
qubes_changed (AirZoneLink *self)
{
  AirInventory *inventory;
  guint n_qubes, n_running = 0;

  if (self->session == NULL)
    return;
  inventory = air_session_get_inventory (self->session);
  n_qubes = air_inventory_count_zone (inventory, air_zone_get_name (self->zone), &n_running);

  if (self->n_qubes != n_qubes)
    {
      self->n_qubes = n_qubes;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_QUBES]);
    }
  if (self->n_running != n_running)
    {
      self->n_running = n_running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RUNNING]);
    }
  g_signal_emit (self, signals[QUBES_CHANGED], 0);
}

static void
health_reason_cb (AirZone     *zone,
                  GParamSpec  *pspec,
                  AirZoneLink *self)
{
  if (air_set_str (&self->health_reason, air_zone_get_health_reason (zone)))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH_REASON]);
}

/* Stops the current attempt: calls in flight are cancelled, the event
 * stream's process ends. */
static void
stop (AirZoneLink *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->events != NULL)
    g_subprocess_force_exit (self->events);
  g_clear_object (&self->events);
  g_clear_object (&self->reader);
  g_clear_pointer (&self->queued, g_ptr_array_unref);
  g_clear_pointer (&self->held, g_ptr_array_unref);
  g_clear_error (&self->lost);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->listing = FALSE;
  self->relist = FALSE;
  self->info_pending = FALSE;
}

static gboolean
retry_cb (gpointer user_data)
{
  AirZoneLink *self = user_data;

  self->retry_id = 0;
  _air_zone_link_connect (self);
  return G_SOURCE_REMOVE;
}

/* The zone cannot be reached now: say so, and try again later. */
static void
go_down (AirZoneLink  *self,
         const GError *error)
{
  guint wait = self->backoff;

  g_debug ("Zone %s down: %s", air_zone_get_name (self->zone), error->message);

  stop (self);
  g_object_freeze_notify (G_OBJECT (self));
  set_state (self, AIR_ZONE_LINK_DOWN);
  air_zone_set_health (self->zone, AIR_HEALTH_DOWN, error->message);
  g_object_thaw_notify (G_OBJECT (self));

  self->backoff = CLAMP (wait * 2, AIR_SESSION_RETRY_MIN_SECONDS, AIR_SESSION_RETRY_MAX_SECONDS);
  self->retry_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, MAX (wait, 1),
                                               retry_cb, g_object_ref (self), g_object_unref);
  _air_session_infos_due (self->session);   /* the others need not wait for this one */
}

/* One event into the inventory (or, the zone's health, into the zone). */
static void
apply_one (AirZoneLink    *self,
           const AirEvent *event)
{
  if (event->kind == AIR_EVENT_ZONE_HEALTH)
    air_zone_set_health (self->zone, event->health, event->reason);
  else
    air_inventory_apply_event (air_session_get_inventory (self->session),
                               air_zone_get_name (self->zone), event);
}

/* The zone's qubes, and what the zone said meanwhile, into the inventory. */
static void
apply_list (AirZoneLink *self,
            GPtrArray   *qubes)
{
  g_autoptr(GPtrArray) queued = NULL;
  gboolean loading = air_zone_link_is_loading (self);

  g_object_freeze_notify (G_OBJECT (self));
  air_inventory_replace_zone (air_session_get_inventory (self->session),
                              air_zone_get_name (self->zone), qubes);

  if (self->lost != NULL)
    {
      g_autoptr(GError) lost = g_steal_pointer (&self->lost);

      qubes_changed (self);
      go_down (self, lost);
      g_object_thaw_notify (G_OBJECT (self));
      return;
    }

  queued = g_steal_pointer (&self->queued);
  for (guint i = 0; queued != NULL && i < queued->len; i++)
    apply_one (self, g_ptr_array_index (queued, i));

  /* ZoneInfo (templates, isolation) once per connection, after the list:
   * the qubes come first, every zone's. */
  self->info_pending = loading;
  set_state (self, AIR_ZONE_LINK_LIVE);
  _air_session_infos_due (self->session);
  self->backoff = 0;
  if (air_zone_get_health (self->zone) == AIR_HEALTH_UNKNOWN ||
      air_zone_get_health (self->zone) == AIR_HEALTH_DOWN)
    air_zone_set_health (self->zone, AIR_HEALTH_UP, "");

  qubes_changed (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* One line of the event stream, applied, or queued while listing. */
static void
take_event (AirZoneLink *self,
            GBytes      *line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirEvent) event = NULL;
  gsize len;
  const char *data = g_bytes_get_data (line, &len);

  event = air_event_parse (data, len, air_zone_get_name (self->zone), &error);
  if (event == NULL)
    {
      /* A newer agent may send events this one does not know: skip them. */
      g_autofree char *shown = air_text_sanitize (error->message, -1, 200);
      g_debug ("Zone %s: ignored an event: %s", air_zone_get_name (self->zone), shown);
    }
  else if (self->queued != NULL)
    {
      if (self->queued->len < MAX_QUEUED_EVENTS)
        g_ptr_array_add (self->queued, g_steal_pointer (&event));
    }
  else
    air_zone_link_apply_event (self, event);
}

/* A zone's list, from its stream or from List: applied at once on a
 * resync; while connecting, when the session says (the zones' lists go in
 * together). */
static void
take_list (AirZoneLink *self,
           GPtrArray   *qubes)   /* (transfer full) */
{
  if (!air_zone_link_is_loading (self))
    {
      apply_list (self, qubes);
      g_ptr_array_unref (qubes);
      return;
    }
  g_clear_pointer (&self->held, g_ptr_array_unref);
  self->held = qubes;
  _air_session_list_held (self->session);
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(AirZoneLink) self = user_data;
  g_autoptr(GPtrArray) qubes = NULL;
  g_autoptr(GError) error = NULL;

  qubes = air_zone_list_qubes_finish (AIR_ZONE (object), result, &error);
  if (is_gone (self, error))
    return;
  self->listing = FALSE;
  if (qubes == NULL)
    {
      go_down (self, error);
      return;
    }

  take_list (self, g_steal_pointer (&qubes));
  if (self->relist)
    {
      self->relist = FALSE;
      _air_zone_link_resync (self);
    }
}

static void
list_zone (AirZoneLink *self)
{
  self->listing = TRUE;
  if (self->state == AIR_ZONE_LINK_CONNECTING)
    set_state (self, AIR_ZONE_LINK_LISTING);
  air_zone_list_qubes_async (self->zone, self->cancellable, list_cb, g_object_ref (self));
}

typedef struct {
  AirZoneLink *link;
  GBytes      *line;
} FirstLine;

static void
first_line_free (FirstLine *first)
{
  g_object_unref (first->link);
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
  AirZoneLink *self = first->link;
  g_autoptr(GPtrArray) qubes = NULL;
  g_autoptr(GError) error = NULL;

  qubes = air_zone_list_qubes_finish (AIR_ZONE (object), result, &error);
  if (is_gone (self, error))
    return;
  if (qubes != NULL)
    take_list (self, g_steal_pointer (&qubes));
  else
    {
      list_zone (self);
      take_event (self, first->line);
    }
  read_event (self);
}

static void
read_event_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(AirZoneLink) self = user_data;
  g_autoptr(GBytes) line = NULL;
  g_autoptr(GError) error = NULL;
  FirstLine *first;

  line = air_line_reader_read_line_finish (AIR_LINE_READER (object), result, &error);
  if (is_gone (self, error) || object != (GObject *) self->reader)
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
      if (air_zone_link_is_loading (self))
        {
          g_clear_error (&self->lost);
          self->lost = g_steal_pointer (&error);
          if (!self->listing && self->held == NULL)
            list_zone (self);
          return;
        }
      go_down (self, error);
      return;
    }

  if (self->state == AIR_ZONE_LINK_CONNECTING)
    {
      set_state (self, AIR_ZONE_LINK_LISTING);
      air_line_reader_set_max_line (self->reader, AIR_JSON_MAX_LINE);
      first = g_new0 (FirstLine, 1);
      first->link = g_object_ref (self);
      first->line = g_bytes_ref (line);
      air_zone_decode_list_async (self->zone, line, self->cancellable, first_line_cb, first);
      return;   /* the next line once this one is in */
    }

  take_event (self, line);
  read_event (self);
}

static void
read_event (AirZoneLink *self)
{
  air_line_reader_read_line_async (self->reader, self->cancellable,
                                   read_event_cb, g_object_ref (self));
}

static void
events_spawned_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(AirZoneLink) self = user_data;
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  g_autoptr(GSubprocess) events = NULL;
  g_autoptr(GError) error = NULL;

  events = air_transport_spawn_finish (AIR_TRANSPORT (object), result, &error);
  /* This attempt was stopped while the process started. */
  if (self->session == NULL || cancellable != self->cancellable)
    {
      if (events != NULL)
        g_subprocess_force_exit (events);
      return;
    }
  if (events == NULL)
    {
      go_down (self, error);
      return;
    }

  self->events = g_steal_pointer (&events);
  self->reader = air_line_reader_new (g_subprocess_get_stdout_pipe (self->events), AIR_JSON_MAX_MESSAGE);
  read_event (self);
}

static void
info_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(AirZoneLink) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!air_zone_refresh_info_finish (AIR_ZONE (object), result, &error))
    {
      if (!is_gone (self, error))
        go_down (self, error);
      return;
    }
  if (self->session == NULL)
    return;

  /* ZoneInfo is small and answered at once: its time is the chain's round
   * trip (gateway, link, zone host), which the map shows. */
  if (self->info_started > 0)
    air_zone_set_round_trip (self->zone,
                             (guint) MAX (1, (g_get_monotonic_time () - self->info_started + 999) / 1000));
}

static void
settings_changed_cb (AirZone     *zone,
                     GParamSpec  *pspec,
                     AirZoneLink *self)
{
  /* Another gateway or driver: a new start. */
  air_zone_link_reconnect (self);
}

static void
air_zone_link_dispose (GObject *object)
{
  AirZoneLink *self = (AirZoneLink *)object;

  if (self->session != NULL)
    _air_zone_link_close (self, FALSE);

  G_OBJECT_CLASS (air_zone_link_parent_class)->dispose (object);
}

static void
air_zone_link_finalize (GObject *object)
{
  AirZoneLink *self = (AirZoneLink *)object;

  stop (self);
  g_clear_object (&self->zone);
  g_clear_pointer (&self->health_reason, g_free);

  G_OBJECT_CLASS (air_zone_link_parent_class)->finalize (object);
}

static void
air_zone_link_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  AirZoneLink *self = AIR_ZONE_LINK (object);

  switch (prop_id)
    {
    case PROP_ZONE:
      g_value_set_object (value, self->zone);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_HEALTH_REASON:
      g_value_set_string (value, self->health_reason);
      break;
    case PROP_N_QUBES:
      g_value_set_uint (value, self->n_qubes);
      break;
    case PROP_N_RUNNING:
      g_value_set_uint (value, self->n_running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_zone_link_class_init (AirZoneLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = air_zone_link_dispose;
  object_class->finalize = air_zone_link_finalize;
  object_class->get_property = air_zone_link_get_property;

  properties[PROP_ZONE] =
    g_param_spec_object ("zone", NULL, NULL, AIR_TYPE_ZONE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, AIR_TYPE_ZONE_LINK_STATE, AIR_ZONE_LINK_CONNECTING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Why the zone is down or degraded, as the zone (made safe) or the
   * transport said it; "" when it is up. */
  properties[PROP_HEALTH_REASON] =
    g_param_spec_string ("health-reason", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_QUBES] =
    g_param_spec_uint ("n-qubes", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_RUNNING] =
    g_param_spec_uint ("n-running", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The zone's qubes changed in the inventory (one came, went, or changed
   * state, label…): for views that draw each qube, not only the counts. */
  signals[QUBES_CHANGED] =
    g_signal_new ("qubes-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
air_zone_link_init (AirZoneLink *self)
{
  self->health_reason = g_strdup ("");
}

AirZoneLink *
_air_zone_link_new (AirSession *session,
                    AirZone    *zone)
{
  AirZoneLink *self = g_object_new (AIR_TYPE_ZONE_LINK, NULL);

  self->session = session;
  self->zone = g_object_ref (zone);
  self->n_qubes = air_inventory_count_zone (air_session_get_inventory (session),
                                            air_zone_get_name (zone), &self->n_running);
  air_set_str (&self->health_reason, air_zone_get_health_reason (zone));
  g_signal_connect_object (zone, "notify::health-reason", G_CALLBACK (health_reason_cb), self, 0);
  g_signal_connect_object (zone, "notify::gateway", G_CALLBACK (settings_changed_cb), self, 0);
  g_signal_connect_object (zone, "notify::driver", G_CALLBACK (settings_changed_cb), self, 0);
  return self;
}

/* One call: the event stream, asked to begin with the zone's list (an
 * older agent's is listed by a List call of its own); ZoneInfo follows the
 * list. Events met before the list are queued. */
void
_air_zone_link_connect (AirZoneLink *self)
{
  if (self->session == NULL)
    return;
  stop (self);
  self->cancellable = g_cancellable_new ();
  self->queued = g_ptr_array_new_with_free_func ((GDestroyNotify) air_event_free);
  set_state (self, AIR_ZONE_LINK_CONNECTING);

  air_transport_spawn_async (air_zone_get_transport (self->zone), air_zone_get_gateway (self->zone),
                             "qubesair.Events", AIR_PROTOCOL_EVENTS_LISTED,
                             G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             self->cancellable, events_spawned_cb, g_object_ref (self));
}

/* Ends the link for good; with @forget_qubes (the zone was removed) its
 * qubes leave the inventory. */
void
_air_zone_link_close (AirZoneLink *self,
                      gboolean     forget_qubes)
{
  if (self->session == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->zone, self);
  stop (self);
  if (forget_qubes)
    {
      air_inventory_remove_zone (air_session_get_inventory (self->session), air_zone_get_name (self->zone));
      qubes_changed (self);
    }
  self->session = NULL;
}

/* Connecting, its list not yet here. */
gboolean
_air_zone_link_awaits_list (AirZoneLink *self)
{
  return air_zone_link_is_loading (self) && self->held == NULL;
}

/* The held first list into the inventory: FALSE if there was none. */
gboolean
_air_zone_link_apply_held (AirZoneLink *self)
{
  g_autoptr(GPtrArray) qubes = g_steal_pointer (&self->held);
  g_autoptr(AirZoneLink) alive = g_object_ref (self);

  if (qubes == NULL || self->session == NULL)
    return FALSE;
  apply_list (self, qubes);
  return TRUE;
}

/* ZoneInfo, if this connection still needs it: FALSE if not. */
gboolean
_air_zone_link_start_info (AirZoneLink *self)
{
  if (!self->info_pending || self->session == NULL)
    return FALSE;
  self->info_pending = FALSE;
  self->info_started = g_get_monotonic_time ();
  air_zone_refresh_info_async (self->zone, self->cancellable, info_cb, g_object_ref (self));
  return TRUE;
}

/* Asks the zone for its list again, so the view is right at once even where
 * the zone's events come late. The list may be older than an event that
 * comes while it is in flight (a label set just after a start), so those
 * events are queued and go in after it: the newest word on each qube wins.
 * One List at a time, for the same reason: a second waits for the first. */
void
_air_zone_link_resync (AirZoneLink *self)
{
  if (self->session == NULL || self->cancellable == NULL || air_zone_link_is_loading (self) ||
      self->events == NULL)
    return;
  if (self->listing)
    {
      self->relist = TRUE;
      return;
    }
  if (self->queued == NULL)
    self->queued = g_ptr_array_new_with_free_func ((GDestroyNotify) air_event_free);
  list_zone (self);
}

AirZone *
air_zone_link_get_zone (AirZoneLink *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_LINK (self), NULL);
  return self->zone;
}

AirZoneLinkState
air_zone_link_get_state (AirZoneLink *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_LINK (self), AIR_ZONE_LINK_DOWN);
  return self->state;
}

/* TRUE until the zone's first list after (re)connecting is in. */
gboolean
air_zone_link_is_loading (AirZoneLink *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_LINK (self), FALSE);
  return self->state == AIR_ZONE_LINK_CONNECTING || self->state == AIR_ZONE_LINK_LISTING;
}

const char *
air_zone_link_get_health_reason (AirZoneLink *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_LINK (self), NULL);
  return self->health_reason;
}

guint
air_zone_link_get_n_qubes (AirZoneLink *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_LINK (self), 0);
  return self->n_qubes;
}

guint
air_zone_link_get_n_running (AirZoneLink *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_LINK (self), 0);
  return self->n_running;
}

/* Tries now, whatever the wait. */
void
air_zone_link_reconnect (AirZoneLink *self)
{
  g_return_if_fail (AIR_IS_ZONE_LINK (self));

  self->backoff = 0;
  _air_zone_link_connect (self);
}

/**
 * air_zone_link_apply_event:
 * @event: what the zone said, or what the session knows happened there (a
 *   qube it created)
 *
 * Applies @event to the inventory (or, the zone's health, to the zone) at
 * once; the counts follow.
 */
void
air_zone_link_apply_event (AirZoneLink    *self,
                           const AirEvent *event)
{
  g_return_if_fail (AIR_IS_ZONE_LINK (self));
  g_return_if_fail (event != NULL);

  if (self->session == NULL)
    return;
  apply_one (self, event);
  if (event->kind != AIR_EVENT_ZONE_HEALTH)
    qubes_changed (self);
}
