/* air-zone-map.c
 *
 * The chain the user trusts, drawn: on the left the management qube (this
 * one) and the vault qube it asks for keys over qrexec; on the right one
 * card per zone, reached from the management qube over qrexec. Each card
 * reads top to bottom as the chain does: the zone's gateway qube
 * (sys-remote-ZONE) by name; the link from the gateway to the zone host
 * (qrexec for a local zone, SSH, or WireGuard then SSH) in its health's
 * colour with the last round trip; the zone host with its backend and its
 * isolation (none stands out); then its qubes as dots in their label colour:
 * filled when running, a ring when halted, faded while changing, crossed
 * when crashed. When dots would be too small to tell apart the card says
 * what they mean instead: counts by state and by label. A zone that is down
 * is a red card with a broken link and the reason.
 *
 * With many zones the cards shrink to one line: a health mark, the zone's
 * name and its link. Everything is drawn here with GtkSnapshot; the only
 * widgets are three AirZoneMapPart per zone (gateway, link, zone host) for
 * the keyboard, tooltips and screen readers — see air-zone-map-part.c.
 *
 * This file holds the object, its session and its refresh; where things
 * go is in air-zone-map-layout.c, the drawing in air-zone-map-draw.c,
 * the words in air-zone-map-describe.c, the pointer, keyboard and drops
 * in air-zone-map-input.c.
 *
 * Keyboard: Tab and the arrows move between parts (Left/Right along a
 * chain, Up/Down between zones), Enter lists the zone's qubes, Escape every
 * zone.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-map"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-zone-map-private.h"

G_DEFINE_FINAL_TYPE (AirZoneMap, air_zone_map, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_SELECTED_ZONE,
  PROP_SELECTED_QUBE,
  N_PROPS
};

enum {
  ZONE_ACTIVATED,
  QUBE_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

void
_air_zone_map_emit_zone_activated (AirZoneMap *self,
                                   const char *zone)
{
  g_signal_emit (self, signals[ZONE_ACTIVATED], 0, zone);
}

void
_air_zone_map_emit_qube_activated (AirZoneMap *self,
                                   AirQube    *qube)
{
  g_signal_emit (self, signals[QUBE_ACTIVATED], 0, qube);
}

static void
zone_view_clear (ZoneView *view)
{
  g_clear_pointer (&view->qubes, g_ptr_array_unref);
}

/* Groups the inventory by zone, in the registry's order. */
void
_air_zone_map_rebuild (AirZoneMap *self)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  GListModel *zones, *inventory;
  guint n_zones, n_qubes;

  self->dirty = FALSE;
  self->laid_out_w = -1;
  g_array_set_size (self->views, 0);

  if (self->session != NULL)
    {
      zones = air_session_get_zones (self->session);
      inventory = G_LIST_MODEL (air_session_get_inventory (self->session));
      n_zones = g_list_model_get_n_items (zones);

      for (guint i = 0; i < n_zones; i++)
        {
          g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
          ZoneView view = { .zone = zone, .qubes = g_ptr_array_new () };

          view.key_place = GPOINTER_TO_INT (g_hash_table_lookup (self->key_places, air_zone_get_name (zone)));

          g_array_append_val (self->views, view);
        }
      for (guint i = 0; i < self->views->len; i++)
        {
          ZoneView *view = &g_array_index (self->views, ZoneView, i);
          g_hash_table_insert (by_name, (gpointer) air_zone_get_name (view->zone), view);
        }

      n_qubes = g_list_model_get_n_items (inventory);
      for (guint i = 0; i < n_qubes; i++)
        {
          AirQube *qube = g_list_model_get_item (inventory, i);
          ZoneView *view = g_hash_table_lookup (by_name, air_qube_get_zone (qube));

          if (view != NULL)
            {
              g_ptr_array_add (view->qubes, qube);
              if (air_qube_is_running (qube))
                view->n_running++;
              view->by_label[MIN ((guint) air_qube_get_label (qube), 7)]++;
              view->by_state[MIN ((guint) air_qube_get_state (qube), N_STATES - 1)]++;
            }
          g_object_unref (qube);   /* the inventory keeps it */
        }
    }

  if (self->focus >= self->views->len)
    self->focus = self->views->len ? self->views->len - 1 : 0;

  _air_zone_map_update_accessible (self);
}

static void
part_focus_enter_cb (GtkEventControllerFocus *controller,
                     AirZoneMap              *self)
{
  GtkWidget *part = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));

  self->focus = air_zone_map_part_get_zone_index (AIR_ZONE_MAP_PART (part));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Three parts per zone, in reading order: gateway, link, zone host. */
static void
sync_parts (AirZoneMap *self)
{
  guint wanted = self->views->len * AIR_ZONE_MAP_N_PARTS;

  while (self->parts->len > wanted)
    {
      GtkWidget *part = g_ptr_array_steal_index (self->parts, self->parts->len - 1);
      gtk_widget_unparent (part);
      g_object_unref (part);
    }
  while (self->parts->len < wanted)
    {
      guint index = self->parts->len;
      GtkWidget *part = air_zone_map_part_new (index % AIR_ZONE_MAP_N_PARTS,
                                               index / AIR_ZONE_MAP_N_PARTS);
      GtkEventController *focus = gtk_event_controller_focus_new ();

      g_signal_connect (focus, "enter", G_CALLBACK (part_focus_enter_cb), self);
      gtk_widget_add_controller (part, focus);
      gtk_widget_set_parent (part, GTK_WIDGET (self));
      g_ptr_array_add (self->parts, g_object_ref (part));
    }

  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

/* Once per burst of changes (a zone's 10,000 qubes arrive one by one),
 * before the next frame: the parts are widgets, so they change here and
 * never while drawing. */
static gboolean
refresh_cb (gpointer data)
{
  AirZoneMap *self = data;

  self->refresh_id = 0;
  if (self->dirty)
    _air_zone_map_rebuild (self);
  else
    _air_zone_map_update_accessible (self);   /* a zone's counts changed */
  sync_parts (self);
  self->laid_out_w = -1;
  _air_zone_map_layout (self);
  _air_zone_map_update_part_texts (self);
  return G_SOURCE_REMOVE;
}

static void
invalidate (AirZoneMap *self)
{
  self->dirty = TRUE;
  if (self->refresh_id == 0)
    self->refresh_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 10, refresh_cb, self, NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
_air_zone_map_invalidate (AirZoneMap *self)
{
  invalidate (self);
}

/* A zone added or removed: its WireGuard key may need placing. */
static void
zones_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  AirZoneMap *self)
{
  invalidate (self);
  _air_zone_map_ask_vault (self);
}

static void
inventory_changed_cb (GListModel *model,
                      guint       position,
                      guint       removed,
                      guint       added,
                      AirZoneMap *self)
{
  invalidate (self);
}

/* A zone's qubes changed state, or the zone its health: its qubes are the
 * same objects in the same order (a new or removed one comes as
 * items-changed, which regroups), so only its counts are taken again. */
static void
recount_zone (ZoneView *view)
{
  view->n_running = 0;
  memset (view->by_label, 0, sizeof view->by_label);
  memset (view->by_state, 0, sizeof view->by_state);
  for (guint i = 0; i < view->qubes->len; i++)
    {
      AirQube *qube = g_ptr_array_index (view->qubes, i);

      if (air_qube_is_running (qube))
        view->n_running++;
      view->by_label[MIN ((guint) air_qube_get_label (qube), 7)]++;
      view->by_state[MIN ((guint) air_qube_get_state (qube), N_STATES - 1)]++;
    }
}

static void
zone_touched (AirZoneMap *self,
              const char *zone)
{
  if (!self->dirty)
    for (guint i = 0; i < self->views->len; i++)
      {
        ZoneView *view = &g_array_index (self->views, ZoneView, i);

        if (g_strcmp0 (air_zone_get_name (view->zone), zone) != 0)
          continue;
        recount_zone (view);
        if (self->refresh_id == 0)
          self->refresh_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 10, refresh_cb, self, NULL);
        gtk_widget_queue_draw (GTK_WIDGET (self));
        return;
      }
  invalidate (self);
}

/* The link's qubes changed (the counts, a state, a label) or its state. */
static void
link_changed_cb (AirZoneMap *self,
                 GParamSpec *pspec,
                 AirZoneLink *link)
{
  zone_touched (self, air_zone_get_name (air_zone_link_get_zone (link)));
}

static void
link_qubes_changed_cb (AirZoneLink *link,
                       AirZoneMap  *self)
{
  zone_touched (self, air_zone_get_name (air_zone_link_get_zone (link)));
}

/* The zone's health, details or round trip. */
static void
zone_notify_cb (AirZone    *zone,
                GParamSpec *pspec,
                AirZoneMap *self)
{
  zone_touched (self, air_zone_get_name (zone));
}

static void
unwatch_links (AirZoneMap *self)
{
  for (guint i = 0; self->links != NULL && i < self->links->len; i++)
    {
      AirZoneLink *link = g_ptr_array_index (self->links, i);

      g_signal_handlers_disconnect_by_data (link, self);
      g_signal_handlers_disconnect_by_data (air_zone_link_get_zone (link), self);
    }
  if (self->links != NULL)
    g_ptr_array_set_size (self->links, 0);
}

/* Follows every zone's link: a handful, rarely changed, so all again. */
static void
links_changed_cb (GListModel *links,
                  guint       position,
                  guint       removed,
                  guint       added,
                  AirZoneMap *self)
{
  unwatch_links (self);
  for (guint i = 0, n = g_list_model_get_n_items (links); i < n; i++)
    {
      AirZoneLink *link = g_list_model_get_item (links, i);

      g_ptr_array_add (self->links, link);
      g_signal_connect_object (link, "qubes-changed", G_CALLBACK (link_qubes_changed_cb), self, 0);
      g_signal_connect_object (link, "notify::state", G_CALLBACK (link_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (air_zone_link_get_zone (link), "notify", G_CALLBACK (zone_notify_cb), self, 0);
    }
  invalidate (self);
}

static void
air_zone_map_dispose (GObject *object)
{
  AirZoneMap *self = (AirZoneMap *)object;

  air_zone_map_set_session (self, NULL);
  g_clear_object (&self->selected_qube);
  g_clear_object (&self->drop_qube);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->parts != NULL)
    {
      g_array_set_size (self->views, 0);
      sync_parts (self);
    }

  G_OBJECT_CLASS (air_zone_map_parent_class)->dispose (object);
}

static void
air_zone_map_finalize (GObject *object)
{
  AirZoneMap *self = (AirZoneMap *)object;

  g_clear_pointer (&self->views, g_array_unref);
  g_clear_pointer (&self->links, g_ptr_array_unref);
  g_clear_pointer (&self->parts, g_ptr_array_unref);
  g_clear_pointer (&self->selected_zone, g_free);
  g_clear_pointer (&self->key_places, g_hash_table_unref);

  G_OBJECT_CLASS (air_zone_map_parent_class)->finalize (object);
}

static void
air_zone_map_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  AirZoneMap *self = AIR_ZONE_MAP (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_SELECTED_ZONE:
      g_value_set_string (value, self->selected_zone);
      break;
    case PROP_SELECTED_QUBE:
      g_value_set_object (value, self->selected_qube);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_zone_map_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  AirZoneMap *self = AIR_ZONE_MAP (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      air_zone_map_set_session (self, g_value_get_object (value));
      break;
    case PROP_SELECTED_ZONE:
      air_zone_map_set_selected_zone (self, g_value_get_string (value));
      break;
    case PROP_SELECTED_QUBE:
      air_zone_map_set_selected_qube (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_zone_map_class_init (AirZoneMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_zone_map_dispose;
  object_class->finalize = air_zone_map_finalize;
  object_class->get_property = air_zone_map_get_property;
  object_class->set_property = air_zone_map_set_property;

  widget_class->snapshot = _air_zone_map_snapshot;
  widget_class->measure = _air_zone_map_measure;
  widget_class->size_allocate = _air_zone_map_size_allocate;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, AIR_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_ZONE] =
    g_param_spec_string ("selected-zone", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_QUBE] =
    g_param_spec_object ("selected-qube", NULL, NULL, AIR_TYPE_QUBE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* NULL: every zone */
  signals[ZONE_ACTIVATED] =
    g_signal_new ("zone-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[QUBE_ACTIVATED] =
    g_signal_new ("qube-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, AIR_TYPE_QUBE);

  gtk_widget_class_set_css_name (widget_class, "zonemap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
air_zone_map_init (AirZoneMap *self)
{
  self->views = g_array_new (FALSE, TRUE, sizeof (ZoneView));
  self->links = g_ptr_array_new_with_free_func (g_object_unref);
  self->parts = g_ptr_array_new ();
  self->laid_out_w = -1;
  self->text_scale = 1.0;
  g_array_set_clear_func (self->views, (GDestroyNotify) zone_view_clear);
  self->dirty = TRUE;
  self->key_places = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  _air_zone_map_init_input (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Zone map"),
                                  -1);
}

GtkWidget *
air_zone_map_new (void)
{
  return g_object_new (AIR_TYPE_ZONE_MAP, NULL);
}

AirSession *
air_zone_map_get_session (AirZoneMap *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_MAP (self), NULL);
  return self->session;
}

void
air_zone_map_set_session (AirZoneMap *self,
                          AirSession *session)
{
  g_return_if_fail (AIR_IS_ZONE_MAP (self));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (air_session_get_links (self->session), self);
      g_signal_handlers_disconnect_by_data (air_session_get_inventory (self->session), self);
      g_signal_handlers_disconnect_by_data (air_session_get_zones (self->session), self);
      unwatch_links (self);
    }

  _air_zone_map_stop_vault (self);
  g_set_object (&self->session, session);

  if (session != NULL)
    {
      g_signal_connect_object (air_session_get_links (session), "items-changed",
                               G_CALLBACK (links_changed_cb), self, 0);
      links_changed_cb (air_session_get_links (session), 0, 0, 0, self);
      g_signal_connect_object (air_session_get_inventory (session), "items-changed",
                               G_CALLBACK (inventory_changed_cb), self, 0);
      g_signal_connect_object (air_session_get_zones (session), "items-changed",
                               G_CALLBACK (zones_changed_cb), self, 0);
    }

  invalidate (self);
  _air_zone_map_ask_vault (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

const char *
air_zone_map_get_selected_zone (AirZoneMap *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_MAP (self), NULL);
  return self->selected_zone;
}

void
air_zone_map_set_selected_zone (AirZoneMap *self,
                                const char *zone)
{
  g_return_if_fail (AIR_IS_ZONE_MAP (self));

  if (g_strcmp0 (self->selected_zone, zone) == 0)
    return;

  g_free (self->selected_zone);
  self->selected_zone = g_strdup (zone);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ZONE]);
}

AirQube *
air_zone_map_get_selected_qube (AirZoneMap *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_MAP (self), NULL);
  return self->selected_qube;
}

void
air_zone_map_set_selected_qube (AirZoneMap *self,
                                AirQube    *qube)
{
  g_return_if_fail (AIR_IS_ZONE_MAP (self));

  if (g_set_object (&self->selected_qube, qube))
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_QUBE]);
    }
}

/* The zone the keyboard focus is on, NULL when there is none. */
const char *
air_zone_map_get_focus_zone (AirZoneMap *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_MAP (self), NULL);

  if (self->dirty)
    _air_zone_map_rebuild (self);
  if (self->focus >= self->views->len)
    return NULL;
  return air_zone_get_name (g_array_index (self->views, ZoneView, self->focus).zone);
}

/* Whether the zone's box shows counts instead of dots (as last drawn). */
gboolean
air_zone_map_zone_is_summarised (AirZoneMap *self,
                                 const char *zone)
{
  g_return_val_if_fail (AIR_IS_ZONE_MAP (self), FALSE);

  _air_zone_map_layout (self);
  for (guint i = 0; i < self->views->len; i++)
    {
      ZoneView *view = &g_array_index (self->views, ZoneView, i);

      if (g_strcmp0 (air_zone_get_name (view->zone), zone) == 0)
        return view->dot <= 0 && view->qubes->len > 0;
    }

  return FALSE;
}

static ZoneView *
find_view (AirZoneMap *self,
           const char *zone)
{
  _air_zone_map_layout (self);
  for (guint i = 0; i < self->views->len; i++)
    {
      ZoneView *view = &g_array_index (self->views, ZoneView, i);

      if (g_strcmp0 (air_zone_get_name (view->zone), zone) == 0)
        return view;
    }
  return NULL;
}

/* The zone's card, in the map's coordinates, as last laid out. */
gboolean
air_zone_map_get_zone_rect (AirZoneMap      *self,
                            const char      *zone,
                            graphene_rect_t *rect)
{
  ZoneView *view;

  g_return_val_if_fail (AIR_IS_ZONE_MAP (self), FALSE);

  view = find_view (self, zone);
  if (view == NULL)
    return FALSE;
  *rect = view->box;
  return TRUE;
}

/* The centre of the qube's dot; FALSE when its zone draws no dots. */
gboolean
air_zone_map_get_qube_point (AirZoneMap *self,
                             AirQube    *qube,
                             double     *x,
                             double     *y)
{
  ZoneView *view;

  g_return_val_if_fail (AIR_IS_ZONE_MAP (self), FALSE);
  g_return_val_if_fail (AIR_IS_QUBE (qube), FALSE);

  view = find_view (self, air_qube_get_zone (qube));
  if (view == NULL || view->dot <= 0 || _air_zone_view_is_down (view))
    return FALSE;
  for (guint i = 0; i < view->qubes->len; i++)
    if (g_ptr_array_index (view->qubes, i) == qube)
      {
        _air_zone_map_dot_center (view, i, x, y);
        return TRUE;
      }
  return FALSE;
}

/* The qube a drop of files at (@x, @y) would go to: only a drawn dot. */
AirQube *
air_zone_map_drop_qube_at (AirZoneMap *self,
                           double      x,
                           double      y)
{
  ZoneView *view;

  g_return_val_if_fail (AIR_IS_ZONE_MAP (self), NULL);

  _air_zone_map_layout (self);
  view = _air_zone_map_zone_at (self, x, y, NULL);
  return view != NULL ? _air_zone_map_qube_at (view, x, y) : NULL;
}

/* The qube a drag is over, highlighted; NULL when none. */
AirQube *
air_zone_map_get_drop_qube (AirZoneMap *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_MAP (self), NULL);
  return self->drop_qube;
}

/* The part widget for a zone's gateway, link or host (for tests). */
GtkWidget *
air_zone_map_get_part (AirZoneMap         *self,
                       const char         *zone,
                       AirZoneMapPartKind  kind)
{
  g_return_val_if_fail (AIR_IS_ZONE_MAP (self), NULL);

  if (self->dirty || self->refresh_id != 0)
    {
      g_clear_handle_id (&self->refresh_id, g_source_remove);
      refresh_cb (self);
    }
  for (guint i = 0; i < self->views->len; i++)
    if (g_strcmp0 (air_zone_get_name (g_array_index (self->views, ZoneView, i).zone), zone) == 0)
      return i * AIR_ZONE_MAP_N_PARTS + kind < self->parts->len
             ? g_ptr_array_index (self->parts, i * AIR_ZONE_MAP_N_PARTS + kind) : NULL;
  return NULL;
}
