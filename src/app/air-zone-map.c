/* air-zone-map.c
 *
 * The management qube on the left; each zone a box on the right, reached
 * through its gateway by a link coloured by the zone's health. In each box
 * the zone's qubes are dots in their label colour: filled when running, a
 * ring when halted, faded while changing, crossed when crashed. When dots
 * would be too small to tell apart the box summarises instead: a bar of
 * label colours and the counts.
 *
 * Keyboard: arrows move between zones, Enter filters the inventory to the
 * focused zone, Escape shows every zone. The accessible label describes the
 * focused zone, since GTK 4.8 has no accessible objects for drawn parts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-map"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "air-label-colors.h"
#include "air-transfer.h"
#include "air-zone-map.h"

#define MGMT_WIDTH      170.0   /* "Management qube" in bold, unclipped */
#define MGMT_HEIGHT      56.0
#define BOX_MIN_WIDTH   210.0
#define BOX_GAP          20.0
#define HEADER_HEIGHT    40.0
#define GATEWAY_SIZE     12.0
#define DOT_MAX          16.0
#define DOT_MIN           7.0
#define PADDING          10.0
#define TOP_MARGIN       20.0   /* room for the links above the first row */

typedef struct {
  AirZone         *zone;     /* borrowed from the registry */
  GPtrArray       *qubes;    /* borrowed AirQube */
  guint            n_running;
  guint            by_label[8];
  graphene_rect_t  box;
  double           dot;      /* 0: summarised */
  guint            columns;
  guint            lane;     /* its column: which line of the gap its link takes */
} ZoneView;

struct _AirZoneMap
{
  GtkWidget    parent_instance;

  /* Owned references */
  AirSession  *session;
  GArray      *views;        /* ZoneView */
  char        *selected_zone;
  AirQube     *selected_qube;

  guint        focus;        /* index into views */
  gboolean     dirty;
};

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

static void
zone_view_clear (ZoneView *view)
{
  g_clear_pointer (&view->qubes, g_ptr_array_unref);
}

static void update_accessible (AirZoneMap *self);

/* Groups the inventory by zone, in the registry's order. */
static void
rebuild (AirZoneMap *self)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  GListModel *zones, *inventory;
  guint n_zones, n_qubes;

  self->dirty = FALSE;
  g_array_set_size (self->views, 0);

  if (self->session == NULL)
    return;

  zones = air_session_get_zones (self->session);
  inventory = G_LIST_MODEL (air_session_get_inventory (self->session));
  n_zones = g_list_model_get_n_items (zones);

  for (guint i = 0; i < n_zones; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      ZoneView view = { .zone = zone, .qubes = g_ptr_array_new () };

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
        }
      g_object_unref (qube);   /* the inventory keeps it */
    }

  if (self->focus >= self->views->len)
    self->focus = self->views->len ? self->views->len - 1 : 0;

  update_accessible (self);
}

static void
layout (AirZoneMap *self)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double left = PADDING + MGMT_WIDTH + 70.0;
  double area_w = MAX (width - left - PADDING, BOX_MIN_WIDTH);
  double area_h = MAX (height - TOP_MARGIN - PADDING, HEADER_HEIGHT + 20);
  guint n = self->views->len;
  guint cols, rows;
  double box_w, box_h;

  if (self->dirty)
    rebuild (self);

  n = self->views->len;
  if (n == 0)
    return;

  /* As many columns as fit, then the fewest rows. */
  cols = CLAMP ((guint) (area_w / BOX_MIN_WIDTH), 1, n);
  /* Boxes no flatter than 3:1, so that dots have room. */
  while (cols > 1 && (area_w / cols) > 3.0 * (area_h / ((n + cols - 2) / (cols - 1))))
    cols--;
  rows = (n + cols - 1) / cols;
  cols = (n + rows - 1) / rows;
  box_w = (area_w - (cols - 1) * BOX_GAP) / cols;
  box_h = (area_h - (rows - 1) * BOX_GAP) / rows;

  for (guint i = 0; i < n; i++)
    {
      ZoneView *view = &g_array_index (self->views, ZoneView, i);
      double inner_w = box_w - 2 * PADDING;
      double inner_h = box_h - HEADER_HEIGHT - PADDING;
      guint count = view->qubes->len;
      double dot = DOT_MAX;

      graphene_rect_init (&view->box,
                          left + (i % cols) * (box_w + BOX_GAP),
                          TOP_MARGIN + (i / cols) * (box_h + BOX_GAP),
                          box_w, box_h);

      /* The largest dot for which every qube fits. */
      if (count > 0 && inner_w > 0 && inner_h > 0)
        {
          while (dot >= DOT_MIN)
            {
              guint per_row = MAX ((guint) (inner_w / dot), 1);
              guint needed = (count + per_row - 1) / per_row;

              if (needed * dot <= inner_h)
                break;
              dot -= 1.0;
            }
        }
      if (dot < DOT_MIN || inner_w <= 0 || inner_h <= 0)
        dot = 0;

      view->lane = i % cols;
      view->dot = dot;
      view->columns = dot > 0 ? MAX ((guint) (inner_w / dot), 1) : 0;
    }
}

/* The gateway sits on the top edge of its zone's box; its link comes from
 * the management qube along the gap above the box's row, so links never
 * cross a box. */
static void
gateway_point (ZoneView *view,
               double   *x,
               double   *y)
{
  *x = view->box.origin.x + 16;
  *y = view->box.origin.y;
}

static double
bus_y (ZoneView *view)
{
  /* One line per column, so links that share the gap run side by side. */
  return view->box.origin.y - 4 - MIN (view->lane, 4) * 3.5;
}

static double
bus_x (AirZoneMap *self,
       ZoneView   *view)
{
  /* Higher lines turn earlier, so the links nest instead of crossing. */
  return PADDING + MGMT_WIDTH + 40 - MIN (view->lane, 4) * 3.5;
}

static void
mgmt_rect (AirZoneMap      *self,
           graphene_rect_t *rect)
{
  double height = gtk_widget_get_height (GTK_WIDGET (self));

  graphene_rect_init (rect, PADDING, MAX ((height - MGMT_HEIGHT) / 2, PADDING), MGMT_WIDTH, MGMT_HEIGHT);
}

static void
dot_center (ZoneView *view,
            guint     index,
            double   *x,
            double   *y)
{
  *x = view->box.origin.x + PADDING + (index % view->columns) * view->dot + view->dot / 2;
  *y = view->box.origin.y + HEADER_HEIGHT + (index / view->columns) * view->dot + view->dot / 2;
}

static void
set_source (cairo_t       *cr,
            const GdkRGBA *rgba,
            double         alpha)
{
  cairo_set_source_rgba (cr, rgba->red, rgba->green, rgba->blue, rgba->alpha * alpha);
}

static void
rounded_rect (cairo_t               *cr,
              const graphene_rect_t *rect,
              double                 radius)
{
  double x = rect->origin.x, y = rect->origin.y, w = rect->size.width, h = rect->size.height;

  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + w - radius, y + h - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + h - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
draw_text (AirZoneMap    *self,
           cairo_t       *cr,
           const char    *text,
           double         x,
           double         y,
           double         max_width,
           gboolean       bold,
           const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);

  /* Plain text: zone and qube names never become markup. */
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) (MAX (max_width, 1) * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  if (bold)
    {
      PangoAttrList *attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  cairo_move_to (cr, x, y);
  set_source (cr, color, 1.0);
  pango_cairo_show_layout (cr, layout);
}

static void
draw_dot (cairo_t  *cr,
          AirQube  *qube,
          double    x,
          double    y,
          double    size,
          gboolean  selected,
          const GdkRGBA *fg)
{
  GdkRGBA color;
  double r = size * 0.36;

  air_label_get_rgba (air_qube_get_label (qube), &color);
  cairo_new_path (cr);
  cairo_arc (cr, x, y, r, 0, 2 * G_PI);

  switch (air_qube_get_state (qube))
    {
    case AIR_QUBE_STATE_RUNNING:
      set_source (cr, &color, 1.0);
      cairo_fill (cr);
      break;
    case AIR_QUBE_STATE_STARTING:
    case AIR_QUBE_STATE_HALTING:
    case AIR_QUBE_STATE_PAUSED:
      set_source (cr, &color, 0.45);
      cairo_fill_preserve (cr);
      set_source (cr, &color, 1.0);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
      break;
    case AIR_QUBE_STATE_CRASHED:
    case AIR_QUBE_STATE_UNKNOWN:
      set_source (cr, &color, 1.0);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
      cairo_move_to (cr, x - r * 0.7, y - r * 0.7);
      cairo_line_to (cr, x + r * 0.7, y + r * 0.7);
      cairo_move_to (cr, x + r * 0.7, y - r * 0.7);
      cairo_line_to (cr, x - r * 0.7, y + r * 0.7);
      cairo_stroke (cr);
      break;
    case AIR_QUBE_STATE_HALTED:
    default:
      cairo_new_path (cr);
      cairo_arc (cr, x, y, r * 0.8, 0, 2 * G_PI);
      set_source (cr, &color, 1.0);
      cairo_set_line_width (cr, MAX (1.5, r * 0.4));
      cairo_stroke (cr);
      break;
    }

  if (selected)
    {
      cairo_new_path (cr);
      cairo_arc (cr, x, y, size * 0.5, 0, 2 * G_PI);
      set_source (cr, fg, 1.0);
      cairo_set_line_width (cr, 2.0);
      cairo_stroke (cr);
    }
}

static void
draw_summary (AirZoneMap    *self,
              cairo_t       *cr,
              ZoneView      *view,
              const GdkRGBA *fg)
{
  double x = view->box.origin.x + PADDING;
  double y = view->box.origin.y + HEADER_HEIGHT;
  double w = view->box.size.width - 2 * PADDING;
  double h = MIN (14.0, view->box.size.height - HEADER_HEIGHT - PADDING);
  guint total = view->qubes->len;
  double at = x;

  if (total == 0 || h <= 0)
    return;

  for (guint label = 0; label < 8; label++)
    {
      GdkRGBA color;
      double part = w * view->by_label[label] / total;

      if (part <= 0)
        continue;
      air_label_get_rgba (label, &color);
      cairo_rectangle (cr, at, y, part, h);
      set_source (cr, &color, 1.0);
      cairo_fill (cr);
      at += part;
    }

  /* The running share, as a line under the bar. */
  cairo_rectangle (cr, x, y + h + 3, w * view->n_running / total, 3);
  set_source (cr, fg, 0.7);
  cairo_fill (cr);
}

static void
air_zone_map_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  AirZoneMap *self = AIR_ZONE_MAP (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  graphene_rect_t bounds, mgmt;
  GdkRGBA fg, bg, accent, health;
  cairo_t *cr;
  double mx, my;

  if (width <= 0 || height <= 0)
    return;

  layout (self);

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  gdk_rgba_parse (&accent, "#3584e4");
  /* Boxes are opaque so links pass behind them: light on a dark text colour. */
  if (fg.red + fg.green + fg.blue < 1.5)
    gdk_rgba_parse (&bg, "#fbfbfb");
  else
    gdk_rgba_parse (&bg, "#2b2b2b");

  graphene_rect_init (&bounds, 0, 0, width, height);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);

  /* Links first, under everything. */
  mgmt_rect (self, &mgmt);
  mx = mgmt.origin.x + mgmt.size.width;
  my = mgmt.origin.y + mgmt.size.height / 2;
  for (guint i = 0; i < self->views->len; i++)
    {
      ZoneView *view = &g_array_index (self->views, ZoneView, i);
      double gx, gy;

      gateway_point (view, &gx, &gy);
      air_health_get_rgba (air_zone_get_health (view->zone), &health);
      cairo_new_path (cr);
      cairo_move_to (cr, mx, my);
      cairo_curve_to (cr, mx + 25, my, bus_x (self, view) - 25, bus_y (view), bus_x (self, view), bus_y (view));
      cairo_line_to (cr, gx - 8, bus_y (view));
      cairo_curve_to (cr, gx - 2, bus_y (view), gx, bus_y (view) + 2, gx, gy - GATEWAY_SIZE / 2);
      cairo_set_line_width (cr, 2.5);
      if (air_zone_get_health (view->zone) == AIR_HEALTH_DOWN ||
          air_zone_get_health (view->zone) == AIR_HEALTH_UNKNOWN)
        {
          static const double dashes[] = { 6.0, 4.0 };
          cairo_set_dash (cr, dashes, 2, 0);
        }
      set_source (cr, &health, 1.0);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }

  /* The management qube. */
  rounded_rect (cr, &mgmt, 8);
  set_source (cr, &fg, 0.08);
  cairo_fill_preserve (cr);
  set_source (cr, &fg, 0.35);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
  draw_text (self, cr, _("Management qube"), mgmt.origin.x + 8, mgmt.origin.y + 8,
             mgmt.size.width - 16, TRUE, &fg);
  draw_text (self, cr, _("this qube"), mgmt.origin.x + 8, mgmt.origin.y + 28,
             mgmt.size.width - 16, FALSE, &fg);

  for (guint i = 0; i < self->views->len; i++)
    {
      ZoneView *view = &g_array_index (self->views, ZoneView, i);
      const char *name = air_zone_get_name (view->zone);
      gboolean selected = g_strcmp0 (name, self->selected_zone) == 0;
      g_autofree char *counts = NULL;
      double gx, gy;

      rounded_rect (cr, &view->box, 10);
      set_source (cr, &bg, 1.0);
      cairo_fill_preserve (cr);
      set_source (cr, selected ? &accent : &fg, selected ? 0.12 : 0.04);
      cairo_fill_preserve (cr);
      set_source (cr, selected ? &accent : &fg, selected ? 1.0 : 0.25);
      cairo_set_line_width (cr, selected ? 2.0 : 1.0);
      cairo_stroke (cr);

      if (i == self->focus && gtk_widget_has_visible_focus (widget))
        {
          graphene_rect_t ring;
          static const double dashes[] = { 3.0, 3.0 };

          graphene_rect_inset_r (&view->box, -4, -4, &ring);
          rounded_rect (cr, &ring, 12);
          cairo_set_dash (cr, dashes, 2, 0);
          set_source (cr, &accent, 1.0);
          cairo_set_line_width (cr, 2.0);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
        }

      /* The gateway: a square on the box's edge, in the health colour. */
      gateway_point (view, &gx, &gy);
      air_health_get_rgba (air_zone_get_health (view->zone), &health);
      cairo_rectangle (cr, gx - GATEWAY_SIZE / 2, gy - GATEWAY_SIZE / 2, GATEWAY_SIZE, GATEWAY_SIZE);
      set_source (cr, &health, 1.0);
      cairo_fill (cr);

      draw_text (self, cr, name, view->box.origin.x + 30, view->box.origin.y + 4,
                 view->box.size.width * 0.5, TRUE, &fg);

      if (air_session_zone_is_loading (self->session, name) &&
          air_zone_get_health (view->zone) != AIR_HEALTH_DOWN)
        counts = g_strdup (_("connecting…"));
      else if (air_zone_get_health (view->zone) == AIR_HEALTH_DOWN)
        counts = g_strdup (_("down"));
      else
        /* Translators: qubes in a zone, and how many of them run */
        counts = g_strdup_printf (_("%u qubes · %u running"), view->qubes->len, view->n_running);
      draw_text (self, cr, counts, view->box.origin.x + PADDING + 4, view->box.origin.y + 21,
                 view->box.size.width - 2 * PADDING - 4, FALSE, &fg);

      if (air_zone_get_health (view->zone) == AIR_HEALTH_DOWN)
        {
          const char *reason = air_zone_get_health_reason (view->zone);

          air_health_get_rgba (AIR_HEALTH_DOWN, &health);
          draw_text (self, cr, reason && reason[0] ? reason : _("The zone cannot be reached."),
                     view->box.origin.x + PADDING + 4, view->box.origin.y + HEADER_HEIGHT,
                     view->box.size.width - 2 * PADDING - 4, FALSE, &health);
        }
      else if (view->dot > 0)
        for (guint q = 0; q < view->qubes->len; q++)
          {
            AirQube *qube = g_ptr_array_index (view->qubes, q);
            double x, y;

            dot_center (view, q, &x, &y);
            draw_dot (cr, qube, x, y, view->dot, qube == self->selected_qube, &fg);
          }
      else
        draw_summary (self, cr, view, &fg);
    }

  if (self->views->len == 0)
    draw_text (self, cr, _("No zones. Add one from the menu."), mx + 40, my - 10,
               MAX (width - mx - 60, 1), FALSE, &fg);

  cairo_destroy (cr);
}

static void
air_zone_map_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = (int) (MGMT_WIDTH + 70 + BOX_MIN_WIDTH + 3 * PADDING);
      *natural = *minimum + 2 * (int) BOX_MIN_WIDTH;
    }
  else
    {
      *minimum = 140;
      *natural = 220;
    }
}

static ZoneView *
zone_at (AirZoneMap *self,
         double      x,
         double      y,
         guint      *index)
{
  for (guint i = 0; i < self->views->len; i++)
    {
      ZoneView *view = &g_array_index (self->views, ZoneView, i);
      graphene_point_t point = GRAPHENE_POINT_INIT (x, y);
      graphene_rect_t grown;

      graphene_rect_inset_r (&view->box, 0, -GATEWAY_SIZE / 2, &grown);
      if (graphene_rect_contains_point (&grown, &point))
        {
          if (index != NULL)
            *index = i;
          return view;
        }
    }

  return NULL;
}

static AirQube *
qube_at (ZoneView *view,
         double    x,
         double    y)
{
  double rx, ry;
  guint col, row, index;

  if (view->dot <= 0)
    return NULL;

  rx = x - view->box.origin.x - PADDING;
  ry = y - view->box.origin.y - HEADER_HEIGHT;
  if (rx < 0 || ry < 0)
    return NULL;

  col = (guint) (rx / view->dot);
  row = (guint) (ry / view->dot);
  if (col >= view->columns)
    return NULL;

  index = row * view->columns + col;
  if (index >= view->qubes->len)
    return NULL;
  return g_ptr_array_index (view->qubes, index);
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

  layout (self);
  gtk_widget_grab_focus (GTK_WIDGET (self));

  view = zone_at (self, x, y, &index);
  if (view == NULL)
    {
      g_signal_emit (self, signals[ZONE_ACTIVATED], 0, NULL);
      return;
    }

  self->focus = index;
  update_accessible (self);

  qube = qube_at (view, x, y);
  if (qube != NULL)
    g_signal_emit (self, signals[QUBE_ACTIVATED], 0, qube);
  else
    g_signal_emit (self, signals[ZONE_ACTIVATED], 0, air_zone_get_name (view->zone));

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Files dropped onto a qube's dot go to that qube. */
static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         AirZoneMap    *self)
{
  ZoneView *view;
  guint index;

  layout (self);
  view = zone_at (self, x, y, &index);
  if (view == NULL || self->session == NULL)
    return FALSE;
  return air_transfer_handle_drop (self->session, qube_at (view, x, y), value);
}

static char *
describe_zone (AirZoneMap *self,
               ZoneView   *view)
{
  const char *reason = air_zone_get_health_reason (view->zone);

  if (reason != NULL && reason[0] != '\0')
    /* Translators: zone name, health, qube count, running count, reason */
    return g_strdup_printf (_("Zone %s: %s — %u qubes, %u running. %s"),
                            air_zone_get_name (view->zone),
                            air_health_get_display_name (air_zone_get_health (view->zone)),
                            view->qubes->len, view->n_running, reason);
  return g_strdup_printf (_("Zone %s: %s — %u qubes, %u running"),
                          air_zone_get_name (view->zone),
                          air_health_get_display_name (air_zone_get_health (view->zone)),
                          view->qubes->len, view->n_running);
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

  layout (self);

  if (keyboard)
    {
      if (self->focus >= self->views->len)
        return FALSE;
      view = &g_array_index (self->views, ZoneView, self->focus);
      text = describe_zone (self, view);
    }
  else if ((view = zone_at (self, x, y, NULL)) != NULL)
    {
      qube = qube_at (view, x, y);
      if (qube != NULL)
        text = g_strdup_printf ("%s — %s", air_qube_get_name (qube),
                                air_qube_state_get_display_name (air_qube_get_state (qube)));
      else
        text = describe_zone (self, view);
    }
  else
    {
      /* Over a link: its last two legs run along the gap above the box. */
      for (guint i = 0; i < self->views->len && view == NULL; i++)
        {
          ZoneView *candidate = &g_array_index (self->views, ZoneView, i);
          double gx, gy, by = bus_y (candidate);

          gateway_point (candidate, &gx, &gy);
          if ((fabs (y - by) < 4 && x >= bus_x (self, candidate) && x <= gx) ||
              (fabs (x - gx) < 4 && y >= by && y <= gy + GATEWAY_SIZE / 2))
            view = candidate;
        }
      if (view == NULL)
        return FALSE;
      text = describe_zone (self, view);
    }

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
move_focus (AirZoneMap *self,
            int         delta)
{
  int n = (int) self->views->len;
  int next;

  if (n == 0)
    return;

  next = CLAMP ((int) self->focus + delta, 0, n - 1);
  self->focus = (guint) next;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                AirZoneMap            *self)
{
  ZoneView *view;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;

  layout (self);

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_Up:
    case GDK_KEY_KP_Left:
    case GDK_KEY_KP_Up:
      move_focus (self, -1);
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_Down:
    case GDK_KEY_KP_Right:
    case GDK_KEY_KP_Down:
      move_focus (self, 1);
      return TRUE;
    case GDK_KEY_Home:
      move_focus (self, -(int) self->views->len);
      return TRUE;
    case GDK_KEY_End:
      move_focus (self, (int) self->views->len);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
      if (self->focus >= self->views->len)
        return FALSE;
      view = &g_array_index (self->views, ZoneView, self->focus);
      g_signal_emit (self, signals[ZONE_ACTIVATED], 0, air_zone_get_name (view->zone));
      return TRUE;
    case GDK_KEY_Escape:
      if (self->selected_zone == NULL)
        return FALSE;
      g_signal_emit (self, signals[ZONE_ACTIVATED], 0, NULL);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
update_accessible (AirZoneMap *self)
{
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autofree char *focused = NULL;

  for (guint i = 0; i < self->views->len; i++)
    {
      g_autofree char *text = describe_zone (self, &g_array_index (self->views, ZoneView, i));
      g_string_append (summary, text);
      g_string_append (summary, ". ");
    }

  if (self->focus < self->views->len)
    {
      g_autofree char *zone = describe_zone (self, &g_array_index (self->views, ZoneView, self->focus));
      /* Translators: the map's name for a screen reader, then its focused zone */
      focused = g_strdup_printf (_("Zone map: %s"), zone);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  focused ? focused : _("Zone map"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary->str,
                                  -1);
}

static void
invalidate (AirZoneMap *self)
{
  self->dirty = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
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

static void
zone_changed_cb (AirSession *session,
                 const char *zone,
                 AirZoneMap *self)
{
  invalidate (self);
}

static void
air_zone_map_dispose (GObject *object)
{
  AirZoneMap *self = (AirZoneMap *)object;

  air_zone_map_set_session (self, NULL);
  g_clear_object (&self->selected_qube);

  G_OBJECT_CLASS (air_zone_map_parent_class)->dispose (object);
}

static void
air_zone_map_finalize (GObject *object)
{
  AirZoneMap *self = (AirZoneMap *)object;

  g_clear_pointer (&self->views, g_array_unref);
  g_clear_pointer (&self->selected_zone, g_free);

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

  widget_class->snapshot = air_zone_map_snapshot;
  widget_class->measure = air_zone_map_measure;

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
  GtkGesture *click;
  GtkEventController *keys;
  GtkDropTarget *drop;

  self->views = g_array_new (FALSE, TRUE, sizeof (ZoneView));
  g_array_set_clear_func (self->views, (GDestroyNotify) zone_view_clear);
  self->dirty = TRUE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  drop = air_transfer_drop_target_new ();
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

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
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (air_session_get_inventory (self->session), self);
      g_signal_handlers_disconnect_by_data (air_session_get_zones (self->session), self);
    }

  g_set_object (&self->session, session);

  if (session != NULL)
    {
      g_signal_connect_object (session, "zone-changed", G_CALLBACK (zone_changed_cb), self, 0);
      g_signal_connect_object (air_session_get_inventory (session), "items-changed",
                               G_CALLBACK (inventory_changed_cb), self, 0);
      g_signal_connect_object (air_session_get_zones (session), "items-changed",
                               G_CALLBACK (inventory_changed_cb), self, 0);
    }

  invalidate (self);
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
    rebuild (self);
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

  layout (self);
  for (guint i = 0; i < self->views->len; i++)
    {
      ZoneView *view = &g_array_index (self->views, ZoneView, i);

      if (g_strcmp0 (air_zone_get_name (view->zone), zone) == 0)
        return view->dot <= 0 && view->qubes->len > 0;
    }

  return FALSE;
}
