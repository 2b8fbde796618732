/* air-zone-map-draw.c — the zone map, drawn
 *
 * Everything the map shows is drawn here with cairo into one GtkSnapshot
 * node: the management and vault qubes, their links, each zone's card
 * (gateway, link, zone host, then its qubes as dots or counts) and the
 * focused part's details at the bottom.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-map"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "air-label-colors.h"
#include "air-vault-client.h"
#include "air-zone-map-private.h"

static double
bus_y (ZoneView *view)
{
  /* One line per column, so links that share the gap run side by side. */
  return view->box.origin.y - 4 - MIN (view->lane, 4) * 2.5;
}

static double
bus_x (AirZoneMap *self,
       ZoneView   *view)
{
  /* Higher lines turn earlier, so the links nest instead of crossing. */
  return PADDING + MGMT_WIDTH + 34 - MIN (view->lane, 4) * 3.5;
}

static void
mgmt_rect (AirZoneMap      *self,
           graphene_rect_t *rect)
{
  double height = gtk_widget_get_height (GTK_WIDGET (self)) - STRIP_HEIGHT;
  double total = MGMT_HEIGHT + VAULT_GAP + VAULT_HEIGHT;

  graphene_rect_init (rect, PADDING, MAX ((height - total) / 2, PADDING), MGMT_WIDTH, MGMT_HEIGHT);
}

static void
vault_rect (AirZoneMap      *self,
            graphene_rect_t *rect)
{
  graphene_rect_t mgmt;

  mgmt_rect (self, &mgmt);
  graphene_rect_init (rect, PADDING, mgmt.origin.y + MGMT_HEIGHT + VAULT_GAP, MGMT_WIDTH, VAULT_HEIGHT);
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

  radius = MIN (radius, MIN (w, h) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + w - radius, y + h - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + h - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* One piece of a line of text: its own weight and colour. */
typedef struct {
  const char    *text;
  gboolean       bold;
  const GdkRGBA *color;    /* NULL: the line's colour */
} Segment;

static void
draw_segments (AirZoneMap    *self,
               cairo_t       *cr,
               const Segment *segments,
               guint          n,
               double         x,
               double         y,
               double         max_width,
               int            lines,
               const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  PangoAttrList *attrs = pango_attr_list_new ();

  /* Plain text with attributes: zone and qube names never become markup. */
  for (guint i = 0; i < n; i++)
    {
      guint start = text->len;

      if (segments[i].text == NULL)
        continue;
      g_string_append (text, segments[i].text);
      if (segments[i].bold)
        {
          PangoAttribute *attr = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
          attr->start_index = start;
          attr->end_index = text->len;
          pango_attr_list_insert (attrs, attr);
        }
      if (segments[i].color != NULL)
        {
          PangoAttribute *attr = pango_attr_foreground_new (segments[i].color->red * 65535,
                                                            segments[i].color->green * 65535,
                                                            segments[i].color->blue * 65535);
          attr->start_index = start;
          attr->end_index = text->len;
          pango_attr_list_insert (attrs, attr);
        }
    }

  if (self->text_scale != 1.0 && self->text_scale > 0)
    pango_attr_list_insert_before (attrs, pango_attr_scale_new (self->text_scale));
  pango_layout_set_text (layout, text->str, -1);
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_set_width (layout, (int) (MAX (max_width, 1) * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  if (lines > 1)
    {
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_height (layout, -lines);
    }
  cairo_move_to (cr, x, y);
  set_source (cr, color, 1.0);
  pango_cairo_show_layout (cr, layout);
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
  Segment segment = { text, bold, NULL };

  draw_segments (self, cr, &segment, 1, x, y, max_width, 1, color);
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
  graphene_rect_t *area = &view->dots;
  double x = area->origin.x, y = area->origin.y, w = area->size.width;
  double bar = MIN (8.0, area->size.height);
  guint total = view->qubes->len;
  double at = x;
  g_autofree char *states = NULL;
  g_autofree char *labels = NULL;

  if (total == 0 || bar <= 0 || w <= 0)
    return;

  /* The label colours, in proportion. */
  for (guint label = 0; label < 8; label++)
    {
      GdkRGBA color;
      double part = w * view->by_label[label] / total;

      if (part <= 0)
        continue;
      air_label_get_rgba (label, &color);
      cairo_rectangle (cr, at, y, part, bar);
      set_source (cr, &color, 1.0);
      cairo_fill (cr);
      at += part;
    }

  states = _air_zone_map_summary_states (view);
  labels = _air_zone_map_summary_labels (view);
  if (area->size.height >= bar + 16)
    draw_text (self, cr, states, x, y + bar + 1, w, FALSE, fg);
  if (area->size.height >= bar + 32)
    {
      /* As many lines as there is room for: eight labels may need three. */
      Segment segment = { labels, FALSE, NULL };
      draw_segments (self, cr, &segment, 1, x, y + bar + 17, w,
                     (int) MIN (3, (area->size.height - bar - 17) / 16), fg);
    }
}

static void
get_colors (GtkWidget *widget,
            GdkRGBA   *fg,
            GdkRGBA   *bg,
            GdkRGBA   *warn)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), fg);
  /* Cards are opaque so links pass behind them; warnings readable on them. */
  if (fg->red + fg->green + fg->blue < 1.5)
    {
      gdk_rgba_parse (bg, "#fbfbfb");
      gdk_rgba_parse (warn, "#a51d2d");
    }
  else
    {
      gdk_rgba_parse (bg, "#2b2b2b");
      gdk_rgba_parse (warn, "#ff7b63");
    }
}

static void
draw_card (AirZoneMap    *self,
           cairo_t       *cr,
           ZoneView      *view,
           const GdkRGBA *fg,
           const GdkRGBA *bg,
           const GdkRGBA *warn)
{
  const char *name = air_zone_get_name (view->zone);
  g_autofree char *gateway = air_zone_dup_gateway_for (name);
  gboolean selected = g_strcmp0 (name, self->selected_zone) == 0;
  gboolean down = _air_zone_view_is_down (view);
  gboolean exposed = air_zone_get_isolation (view->zone) == AIR_ISOLATION_NONE;
  gboolean loading = air_session_zone_is_loading (self->session, name) && !down;
  g_autofree char *link = view->full ? _air_zone_map_link_summary (view) : _air_zone_map_link_short (view);
  double x = view->box.origin.x, y = view->box.origin.y, w = view->box.size.width;
  GdkRGBA accent, health, down_color;
  double gx, gy;

  gdk_rgba_parse (&accent, "#3584e4");
  air_health_get_rgba (air_zone_get_health (view->zone), &health);
  air_health_get_rgba (AIR_HEALTH_DOWN, &down_color);

  /* The card: red and thick when the zone is down. */
  rounded_rect (cr, &view->box, view->full ? 10 : 6);
  set_source (cr, bg, 1.0);
  cairo_fill_preserve (cr);
  if (down)
    set_source (cr, &down_color, 0.12);
  else
    set_source (cr, selected ? &accent : fg, selected ? 0.12 : 0.04);
  cairo_fill_preserve (cr);
  if (down)
    set_source (cr, &down_color, 1.0);
  else
    set_source (cr, selected ? &accent : fg, selected ? 1.0 : 0.25);
  cairo_set_line_width (cr, down || selected ? 2.5 : 1.0);
  cairo_stroke (cr);

  _air_zone_map_gateway_point (view, &gx, &gy);

  if (view->full)
    {
      g_autofree char *counts = NULL;
      g_autofree char *backend = NULL;
      Segment host[3];

      /* Gateway: a square, and its qube's name. */
      cairo_move_to (cr, gx, gy);
      cairo_line_to (cr, gx, y + 14 - MARK_SIZE / 2);
      set_source (cr, fg, 0.5);
      cairo_set_line_width (cr, 2.0);
      cairo_stroke (cr);
      cairo_rectangle (cr, gx - MARK_SIZE / 2, y + 14 - MARK_SIZE / 2, MARK_SIZE, MARK_SIZE);
      set_source (cr, fg, 0.7);
      cairo_fill (cr);
      draw_text (self, cr, gateway, x + 28, y + 5, w - 34, FALSE, fg);

      /* Link: the health colour; dashed and crossed when down. */
      cairo_move_to (cr, gx, y + 14 + MARK_SIZE / 2);
      cairo_line_to (cr, gx, y + 54 - MARK_SIZE / 2);
      set_source (cr, &health, 1.0);
      cairo_set_line_width (cr, 3.0);
      if (down || air_zone_get_health (view->zone) == AIR_HEALTH_UNKNOWN)
        {
          static const double dashes[] = { 3.0, 3.0 };
          cairo_set_dash (cr, dashes, 2, 0);
        }
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (down)
        {
          cairo_move_to (cr, gx - 5, y + 34 - 5);
          cairo_line_to (cr, gx + 5, y + 34 + 5);
          cairo_move_to (cr, gx + 5, y + 34 - 5);
          cairo_line_to (cr, gx - 5, y + 34 + 5);
          set_source (cr, &down_color, 1.0);
          cairo_set_line_width (cr, 2.5);
          cairo_stroke (cr);
        }
      {
        Segment segment = { link, down, down ? warn : NULL };
        draw_segments (self, cr, &segment, 1, x + 28, y + 25, w - 34, 1, fg);
      }

      /* Zone host: a disc in the health colour, name, backend, isolation. */
      cairo_new_path (cr);
      cairo_arc (cr, gx, y + 54, MARK_SIZE / 2 + 1, 0, 2 * G_PI);
      set_source (cr, &health, 1.0);
      cairo_fill (cr);
      /* Translators: a zone's backend (driver), after its name on the map */
      backend = g_strdup_printf (_(" · %s · "), air_zone_get_driver (view->zone));
      host[0] = (Segment) { name, TRUE, NULL };
      host[1] = (Segment) { backend, FALSE, NULL };
      switch (air_zone_get_isolation (view->zone))
        {
        case AIR_ISOLATION_NONE:
          host[2] = (Segment) { _("⚠ no isolation"), TRUE, warn };
          break;
        case AIR_ISOLATION_NAMESPACES:
          host[2] = (Segment) { _("namespaces"), FALSE, NULL };
          break;
        case AIR_ISOLATION_VM:
          /* Emulated VMs are slow: the map says so. */
          host[2] = (Segment) { strcmp (air_zone_get_acceleration (view->zone), "tcg") == 0
                                ? _("VMs (TCG)") : _("VMs"), FALSE, NULL };
          break;
        case AIR_ISOLATION_UNKNOWN:
        default:
          host[2] = (Segment) { _("isolation unknown"), FALSE, NULL };
          break;
        }
      draw_segments (self, cr, host, 3, x + 28, y + 45, w - 34, 1, fg);

      if (loading)
        counts = g_strdup (_("connecting…"));
      else if (!down)
        counts = g_strdup_printf (ngettext ("%u qube · %u running", "%u qubes · %u running",
                                            view->qubes->len),
                                  view->qubes->len, view->n_running);
      if (counts != NULL)
        draw_text (self, cr, counts, x + 28, y + 63, w - 34, FALSE, fg);
      if (view->note.size.height > 0)
        {
          /* Translators: on a zone's card; its tooltip says what to do */
          Segment segment = { _("⚠ WireGuard key not in the vault"), TRUE, warn };
          draw_segments (self, cr, &segment, 1, x + 28, view->note.origin.y + 1, w - 34, 1, fg);
        }
    }
  else
    {
      Segment line[4];
      guint n = 0;

      /* One line: the health mark, the name, and the link. */
      cairo_rectangle (cr, gx - 4, y + 5, 8, 8);
      set_source (cr, &health, 1.0);
      cairo_fill (cr);
      line[n++] = (Segment) { name, TRUE, down ? warn : NULL };
      if (exposed || view->key_place == KEY_PLACE_NOT_IN_VAULT)
        line[n++] = (Segment) { " ⚠", TRUE, warn };
      draw_segments (self, cr, line, n, view->parts[AIR_ZONE_MAP_PART_HOST].origin.x,
                     y + 1, view->parts[AIR_ZONE_MAP_PART_HOST].size.width - 4, 1, fg);
      {
        Segment segment = { link, down, down ? warn : NULL };
        draw_segments (self, cr, &segment, 1, view->parts[AIR_ZONE_MAP_PART_LINK].origin.x,
                       y + 1, view->parts[AIR_ZONE_MAP_PART_LINK].size.width - 4, 1, fg);
      }
    }

  if (down)
    {
      /* The reason, from the counts row down (a zone that is down has none). */
      const char *reason = air_zone_get_health_reason (view->zone);
      double top = view->full ? y + 62 : view->dots.origin.y;
      double left = view->full ? x + 28 : view->dots.origin.x;
      int lines = (int) ((y + view->box.size.height - 4 - top) / 16);

      if (lines >= 1)
        {
          Segment segment = { reason && reason[0] ? reason : _("The zone cannot be reached."), FALSE, NULL };
          draw_segments (self, cr, &segment, 1, left, top, x + w - 8 - left, lines, warn);
        }
    }
  else if (view->dot > 0)
    for (guint q = 0; q < view->qubes->len; q++)
      {
        AirQube *qube = g_ptr_array_index (view->qubes, q);
        double qx, qy;

        _air_zone_map_dot_center (view, q, &qx, &qy);
        draw_dot (cr, qube, qx, qy, view->dot, qube == self->selected_qube, fg);
        if (qube == self->drop_qube)
          {
            /* What a drop of files would go to, and only that. */
            air_health_get_rgba (AIR_HEALTH_UP, &health);
            cairo_new_path (cr);
            cairo_arc (cr, qx, qy, view->dot * 0.5 + 1, 0, 2 * G_PI);
            set_source (cr, &health, 0.35);
            cairo_fill_preserve (cr);
            set_source (cr, &health, 1.0);
            cairo_set_line_width (cr, 2.5);
            cairo_stroke (cr);
          }
      }
  else
    draw_summary (self, cr, view, fg);
}

/* A qube of the left column (management, vault): a plain box. */
static void
draw_box (cairo_t               *cr,
          const graphene_rect_t *rect,
          const GdkRGBA         *fg,
          const GdkRGBA         *bg)
{
  rounded_rect (cr, rect, 8);
  set_source (cr, bg, 1.0);
  cairo_fill_preserve (cr);
  set_source (cr, fg, 0.08);
  cairo_fill_preserve (cr);
  set_source (cr, fg, 0.35);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
}

static void
draw_left_column (AirZoneMap    *self,
                  cairo_t       *cr,
                  const GdkRGBA *fg,
                  const GdkRGBA *bg)
{
  graphene_rect_t mgmt, vault;
  const char *vault_name = g_getenv ("AIR_VAULT_QUBE");
  g_autofree char *vault_line = NULL;
  double height = gtk_widget_get_height (GTK_WIDGET (self)) - STRIP_HEIGHT;

  mgmt_rect (self, &mgmt);
  vault_rect (self, &vault);

  draw_box (cr, &mgmt, fg, bg);
  draw_text (self, cr, _("Management qube"), mgmt.origin.x + 8, mgmt.origin.y + 6,
             mgmt.size.width - 16, TRUE, fg);
  draw_text (self, cr, _("this qube"), mgmt.origin.x + 8, mgmt.origin.y + 26,
             mgmt.size.width - 16, FALSE, fg);
  /* Its links to the gateways leave on the right: qrexec, through dom0. */
  draw_text (self, cr, _("qrexec"), mgmt.origin.x + mgmt.size.width + 4, mgmt.origin.y + mgmt.size.height / 2 + 2,
             LEFT_COLUMN - mgmt.origin.x - mgmt.size.width - 8, FALSE, fg);

  if (vault.origin.y + vault.size.height > height)
    return;

  /* The vault: keys and credentials, asked for over qrexec. */
  cairo_move_to (cr, mgmt.origin.x + 24, mgmt.origin.y + mgmt.size.height);
  cairo_line_to (cr, mgmt.origin.x + 24, vault.origin.y);
  set_source (cr, fg, 0.45);
  cairo_set_line_width (cr, 2.0);
  cairo_stroke (cr);
  draw_text (self, cr, _("qrexec"), mgmt.origin.x + 32, mgmt.origin.y + mgmt.size.height + 6,
             mgmt.size.width - 40, FALSE, fg);

  draw_box (cr, &vault, fg, bg);
  vault_line = g_strdup (vault_name != NULL && vault_name[0] != '\0' ? vault_name : AIR_VAULT_DEFAULT_QUBE);
  draw_text (self, cr, _("Vault qube"), vault.origin.x + 8, vault.origin.y + 4,
             vault.size.width - 16, TRUE, fg);
  draw_text (self, cr, vault_line, vault.origin.x + 8, vault.origin.y + 21,
             vault.size.width - 16, FALSE, fg);
  draw_text (self, cr, _("SSH keys, credentials"), vault.origin.x + 8, vault.origin.y + 38,
             vault.size.width - 16, FALSE, fg);
}

void
_air_zone_map_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  AirZoneMap *self = AIR_ZONE_MAP (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  AirZoneMapPart *part = _air_zone_map_focused_part (self);
  graphene_rect_t bounds, mgmt;
  GdkRGBA fg, bg, warn;
  cairo_t *cr;
  double mx, my;

  if (width <= 0 || height <= 0)
    return;

  _air_zone_map_layout (self);
  get_colors (widget, &fg, &bg, &warn);

  graphene_rect_init (&bounds, 0, 0, width, height);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);

  /* Links from the management qube to the gateways first, under the cards. */
  mgmt_rect (self, &mgmt);
  mx = mgmt.origin.x + mgmt.size.width;
  my = mgmt.origin.y + mgmt.size.height / 2;
  if (self->views->len > 0 && !g_array_index (self->views, ZoneView, 0).full)
    {
      /* One-line cards: one qrexec spine, one line along each row. */
      double spine = LEFT_COLUMN - 14;
      double top = my, bottom = my;

      cairo_new_path (cr);
      for (guint i = 0; i < self->views->len; i++)
        {
          ZoneView *view = &g_array_index (self->views, ZoneView, i);
          double row = view->box.origin.y + MIN (LINE_HEIGHT + 2, view->box.size.height) / 2;
          guint last = i;

          if (view->lane != 0)
            continue;
          while (last + 1 < self->views->len && g_array_index (self->views, ZoneView, last + 1).lane != 0)
            last++;
          top = MIN (top, row);
          bottom = MAX (bottom, row);
          cairo_move_to (cr, spine, row);
          cairo_line_to (cr, g_array_index (self->views, ZoneView, last).box.origin.x, row);
        }
      cairo_move_to (cr, mx, my);
      cairo_line_to (cr, spine, my);
      cairo_move_to (cr, spine, top);
      cairo_line_to (cr, spine, bottom);
      cairo_set_line_width (cr, 2.0);
      set_source (cr, &fg, 0.45);
      cairo_stroke (cr);
    }
  else for (guint i = 0; i < self->views->len; i++)
    {
      ZoneView *view = &g_array_index (self->views, ZoneView, i);
      double gx, gy;

      _air_zone_map_gateway_point (view, &gx, &gy);
      cairo_new_path (cr);
      cairo_move_to (cr, mx, my);
      cairo_curve_to (cr, mx + 20, my, bus_x (self, view) - 20, bus_y (view), bus_x (self, view), bus_y (view));
      cairo_line_to (cr, gx - 6, bus_y (view));
      cairo_curve_to (cr, gx - 2, bus_y (view), gx, bus_y (view) + 2, gx, gy);
      cairo_set_line_width (cr, 2.0);
      set_source (cr, &fg, 0.45);
      cairo_stroke (cr);
    }

  draw_left_column (self, cr, &fg, &bg);

  for (guint i = 0; i < self->views->len; i++)
    {
      ZoneView *view = &g_array_index (self->views, ZoneView, i);

      self->text_scale = view->full ? 1.0 : 0.9;
      draw_card (self, cr, view, &fg, &bg, &warn);
    }
  self->text_scale = 1.0;

  if (self->views->len == 0)
    draw_text (self, cr, _("No zones. Add one from the menu."), LEFT_COLUMN, my - 10,
               MAX (width - LEFT_COLUMN - PADDING, 1), FALSE, &fg);

  /* The focused part's details, on one line at the bottom; the part itself
   * tinted, also when the pointer chose it (no focus ring then). */
  if (part != NULL && air_zone_map_part_get_details (part) != NULL)
    {
      graphene_rect_t rect;
      GdkRGBA accent;

      gdk_rgba_parse (&accent, "#3584e4");
      if (gtk_widget_compute_bounds (GTK_WIDGET (part), widget, &rect))
        {
          rounded_rect (cr, &rect, 4);
          set_source (cr, &accent, 0.15);
          cairo_fill (cr);
        }

      g_auto(GStrv) lines = g_strsplit (air_zone_map_part_get_details (part), "\n", -1);
      g_autofree char *joined = g_strjoinv (" · ", lines);

      draw_text (self, cr, joined, PADDING, height - STRIP_HEIGHT, width - 2 * PADDING, FALSE, &fg);
    }
  else if (self->views->len > 0)
    {
      GdkRGBA dim = fg;

      dim.alpha *= 0.6;
      draw_text (self, cr, _("Point at a gateway, link or zone, or click one, for its details."),
                 PADDING, height - STRIP_HEIGHT, width - 2 * PADDING, FALSE, &dim);
    }

  cairo_destroy (cr);

  for (guint i = 0; i < self->parts->len; i++)
    gtk_widget_snapshot_child (widget, g_ptr_array_index (self->parts, i), snapshot);
}
