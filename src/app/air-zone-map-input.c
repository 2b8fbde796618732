/* air-zone-map-input.c — the zone map's pointer, keyboard and drops
 *
 * A click selects a zone or a qube, the keyboard moves between parts,
 * a tooltip tells a dot's qube, and files dropped on a dot go to it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-map"

#include "config.h"

#include <glib/gi18n.h>

#include "air-label-colors.h"
#include "air-transfer.h"
#include "air-zone-map-private.h"

AirZoneMapPart *
_air_zone_map_focused_part (AirZoneMap *self)
{
  GtkWidget *child = gtk_widget_get_focus_child (GTK_WIDGET (self));

  return child != NULL && AIR_IS_ZONE_MAP_PART (child) ? AIR_ZONE_MAP_PART (child) : NULL;
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            AirZoneMap      *self)
{
  ZoneView *view;
  AirQube *qube;
  guint index;

  _air_zone_map_layout (self);

  view = _air_zone_map_zone_at (self, x, y, &index);
  if (view == NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self));
      _air_zone_map_emit_zone_activated (self, NULL);
      return;
    }

  self->focus = index;
  _air_zone_map_update_accessible (self);

  qube = _air_zone_map_qube_at (view, x, y);
  if (qube != NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self));
      _air_zone_map_emit_qube_activated (self, qube);
    }
  else
    {
      GtkWidget *part = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);

      /* A click selects the part under it: its details show at the bottom. */
      gtk_widget_grab_focus (part != NULL && AIR_IS_ZONE_MAP_PART (part) ? part : GTK_WIDGET (self));
      _air_zone_map_emit_zone_activated (self, air_zone_get_name (view->zone));
    }

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Only a qube's dot takes files: a zone's card, its header or a summary
 * does not (there is no qube to choose there), and says so by refusing. */
static GdkDragAction
drop_motion_cb (GtkDropTarget *target,
                double         x,
                double         y,
                AirZoneMap    *self)
{
  AirQube *qube = air_zone_map_drop_qube_at (self, x, y);

  self->dragging = TRUE;
  if (g_set_object (&self->drop_qube, qube))
    gtk_widget_queue_draw (GTK_WIDGET (self));
  return qube != NULL ? GDK_ACTION_COPY : 0;
}

static void
drop_leave_cb (GtkDropTarget *target,
               AirZoneMap    *self)
{
  self->dragging = FALSE;
  if (g_set_object (&self->drop_qube, NULL))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         AirZoneMap    *self)
{
  AirQube *qube = air_zone_map_drop_qube_at (self, x, y);

  drop_leave_cb (target, self);
  if (qube == NULL || self->session == NULL)
    return FALSE;
  return air_transfer_handle_drop (self->session, qube, value);
}

static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  AirZoneMap *self)
{
  g_autofree char *text = NULL;
  ZoneView *view;
  AirQube *qube;

  _air_zone_map_layout (self);

  if (keyboard || (view = _air_zone_map_zone_at (self, x, y, NULL)) == NULL)
    return FALSE;

  qube = _air_zone_map_qube_at (view, x, y);
  if (graphene_rect_contains_point (&view->note, &GRAPHENE_POINT_INIT (x, y)))
    text = _air_zone_map_describe_key_place (view);
  else if (qube != NULL)
    text = g_strdup_printf ("%s — %s", air_qube_get_name (qube),
                            air_qube_state_get_display_name (air_qube_get_state (qube)));
  else if (view->dot <= 0 && view->qubes->len > 0 && !_air_zone_view_is_down (view))
    {
      g_autofree char *states = _air_zone_map_summary_states (view);
      g_autofree char *labels = _air_zone_map_summary_labels (view);
      /* Translators: a zone's counts by state, by label; then how to see the qubes */
      text = g_strdup_printf (_("%s\n%s\nClick to list them all."), states, labels);
    }
  else
    text = _air_zone_map_describe_zone (self, view);

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
focus_part (AirZoneMap *self,
            guint       zone,
            guint       kind)
{
  guint index = zone * AIR_ZONE_MAP_N_PARTS + kind;

  if (index < self->parts->len)
    gtk_widget_grab_focus (g_ptr_array_index (self->parts, index));
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                AirZoneMap            *self)
{
  AirZoneMapPart *part = _air_zone_map_focused_part (self);
  guint n = self->views->len;
  guint zone = part ? air_zone_map_part_get_zone_index (part) : MIN (self->focus, n ? n - 1 : 0);
  guint kind = part ? air_zone_map_part_get_kind (part) : AIR_ZONE_MAP_PART_HOST;
  guint flat = zone * AIR_ZONE_MAP_N_PARTS + kind;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;

  if (self->dirty)
    _air_zone_map_rebuild (self);
  if (n == 0 && keyval != GDK_KEY_Escape)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      if (part != NULL && flat > 0)
        flat--;
      focus_part (self, flat / AIR_ZONE_MAP_N_PARTS, flat % AIR_ZONE_MAP_N_PARTS);
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      if (part != NULL && flat + 1 < n * AIR_ZONE_MAP_N_PARTS)
        flat++;
      focus_part (self, flat / AIR_ZONE_MAP_N_PARTS, flat % AIR_ZONE_MAP_N_PARTS);
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      focus_part (self, part != NULL && zone > 0 ? zone - 1 : zone, kind);
      return TRUE;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      focus_part (self, part != NULL && zone + 1 < n ? zone + 1 : zone, kind);
      return TRUE;
    case GDK_KEY_Home:
      focus_part (self, 0, kind);
      return TRUE;
    case GDK_KEY_End:
      focus_part (self, n - 1, kind);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
      self->focus = zone;
      _air_zone_map_emit_zone_activated (self, air_zone_get_name (g_array_index (self->views, ZoneView, zone).zone));
      return TRUE;
    case GDK_KEY_Escape:
      if (self->selected_zone == NULL)
        return FALSE;
      _air_zone_map_emit_zone_activated (self, NULL);
      return TRUE;
    default:
      return FALSE;
    }
}

/* The map's own controllers (the parts have only a focus controller). */
void
_air_zone_map_init_input (AirZoneMap *self)
{
  GtkGesture *click;
  GtkEventController *keys;
  GtkDropTarget *drop;

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  drop = air_transfer_drop_target_new ();
  g_signal_connect (drop, "motion", G_CALLBACK (drop_motion_cb), self);
  g_signal_connect (drop, "leave", G_CALLBACK (drop_leave_cb), self);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}
