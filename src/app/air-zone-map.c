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
 * Keyboard: Tab and the arrows move between parts (Left/Right along a
 * chain, Up/Down between zones), Enter lists the zone's qubes, Escape every
 * zone.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-map"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "air-label-colors.h"
#include "air-transfer.h"
#include "air-vault-client.h"
#include "air-zone-map.h"
#include "air-zone-map-part.h"

#define MGMT_WIDTH      170.0   /* "Management qube" in bold, unclipped */
#define MGMT_HEIGHT      50.0
#define VAULT_HEIGHT     58.0
#define VAULT_GAP        26.0
#define LEFT_COLUMN     (PADDING + MGMT_WIDTH + 60.0)
#define CARD_MIN_WIDTH  130.0   /* one-line cards */
#define FULL_MIN_WIDTH  200.0   /* cards that draw the whole chain */
#define FULL_HEADER      80.0   /* gateway, link, host and counts rows */
#define FULL_MIN_HEIGHT (FULL_HEADER + DOT_MIN + 4)   /* and one row of small dots */
#define LINE_HEIGHT      18.0   /* a one-line card's header */
#define MARK_SIZE        10.0
#define DOT_MAX          16.0
#define DOT_MIN           7.0
#define PADDING          10.0
#define TOP_MARGIN       20.0   /* room for the links above the first row */
#define STRIP_HEIGHT     20.0   /* the focused part's details, at the bottom */
#define N_STATES          7

typedef struct {
  AirZone         *zone;     /* borrowed from the registry */
  GPtrArray       *qubes;    /* borrowed AirQube */
  guint            n_running;
  guint            by_label[8];
  guint            by_state[N_STATES];
  graphene_rect_t  box;
  graphene_rect_t  parts[AIR_ZONE_MAP_N_PARTS];
  graphene_rect_t  dots;     /* where the qubes go */
  gboolean         full;     /* the whole chain, or one line */
  double           dot;      /* 0: summarised */
  guint            columns;
  guint            lane;     /* its column: which line of the gap its link takes */
} ZoneView;

struct _AirZoneMap
{
  GtkWidget    parent_instance;

  /* Owned references */
  AirSession  *session;
  GPtrArray   *links;        /* AirZoneLink whose signals reach the map */
  GArray      *views;        /* ZoneView */
  GPtrArray   *parts;        /* AirZoneMapPart, unparented on dispose */
  char        *selected_zone;
  AirQube     *selected_qube;
  AirQube     *drop_qube;    /* the dot a drag of files is over */

  guint        focus;        /* index into views */
  gboolean     dirty;
  gboolean     dragging;     /* files are being dragged over the map */
  int          laid_out_w;
  int          laid_out_h;
  guint        refresh_id;
  double       text_scale;   /* smaller text on one-line cards */
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
static void sync_parts (AirZoneMap *self);
static void update_part_texts (AirZoneMap *self);

static gboolean
zone_is_down (ZoneView *view)
{
  return air_zone_get_health (view->zone) == AIR_HEALTH_DOWN;
}

/* Groups the inventory by zone, in the registry's order. */
static void
rebuild (AirZoneMap *self)
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

  update_accessible (self);
}

/* Picks the grid that gives the cards the most room: whole chains when
 * they fit, else one-line cards; never narrower than CARD_MIN_WIDTH. */
static void
choose_grid (guint   n,
             double  area_w,
             double  area_h,
             guint  *best_cols,
             double *best_gap)
{
  double best = -1;

  *best_cols = 1;
  *best_gap = 16;
  for (guint cols = 1; cols <= n; cols++)
    {
      guint rows = (n + cols - 1) / cols;
      double gap = rows > 4 || cols > 4 ? 8 : 16;
      double w = (area_w - (cols - 1) * gap) / cols;
      double h = (area_h - (rows - 1) * gap) / rows;
      gboolean full = w >= FULL_MIN_WIDTH && h >= FULL_MIN_HEIGHT;
      double score;

      if (w < CARD_MIN_WIDTH && cols > 1)
        break;
      /* No empty column: 3 zones are 3×1 or 2+1, never 4×1. */
      if (cols > 1 && (n + rows - 1) / rows < cols)
        continue;
      score = (full ? 10000 : 0) + MIN (w / 3.0, h);
      if (score > best)
        {
          best = score;
          *best_cols = cols;
          *best_gap = gap;
        }
    }
}

static void
layout (AirZoneMap *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double area_w = MAX (width - LEFT_COLUMN - PADDING, CARD_MIN_WIDTH);
  double area_h = MAX (height - TOP_MARGIN - PADDING - STRIP_HEIGHT, LINE_HEIGHT + 4);
  guint n, cols, rows;
  double box_w, box_h, gap;

  if (self->dirty)
    rebuild (self);
  if (self->laid_out_w == width && self->laid_out_h == height)
    return;
  self->laid_out_w = width;
  self->laid_out_h = height;

  n = self->views->len;
  if (n == 0)
    return;

  choose_grid (n, area_w, area_h, &cols, &gap);
  rows = (n + cols - 1) / cols;
  box_w = (area_w - (cols - 1) * gap) / cols;
  box_h = MAX ((area_h - (rows - 1) * gap) / rows, LINE_HEIGHT + 2);

  for (guint i = 0; i < n; i++)
    {
      ZoneView *view = &g_array_index (self->views, ZoneView, i);
      double x = LEFT_COLUMN + (i % cols) * (box_w + gap);
      double y = TOP_MARGIN + (i / cols) * (box_h + gap);
      guint count = view->qubes->len;
      double dot = DOT_MAX;
      double header;

      graphene_rect_init (&view->box, x, y, box_w, box_h);
      view->full = box_w >= FULL_MIN_WIDTH && box_h >= FULL_MIN_HEIGHT;
      view->lane = i % cols;

      if (view->full)
        {
          header = FULL_HEADER;
          graphene_rect_init (&view->parts[AIR_ZONE_MAP_PART_GATEWAY], x + 4, y + 4, box_w - 8, 20);
          graphene_rect_init (&view->parts[AIR_ZONE_MAP_PART_LINK], x + 4, y + 24, box_w - 8, 20);
          graphene_rect_init (&view->parts[AIR_ZONE_MAP_PART_HOST], x + 4, y + 44, box_w - 8, 38);
        }
      else
        {
          double line = MIN (LINE_HEIGHT + 2, box_h);
          double name_w = (box_w - 20) * 0.55;

          header = line;
          graphene_rect_init (&view->parts[AIR_ZONE_MAP_PART_GATEWAY], x, y, 18, line);
          graphene_rect_init (&view->parts[AIR_ZONE_MAP_PART_HOST], x + 18, y, name_w, line);
          graphene_rect_init (&view->parts[AIR_ZONE_MAP_PART_LINK], x + 18 + name_w, y,
                              MAX (box_w - 18 - name_w, 1), line);
        }
      graphene_rect_init (&view->dots, x + PADDING, y + header,
                          MAX (box_w - 2 * PADDING, 0), MAX (box_h - header - PADDING / 2, 0));

      /* The largest dot for which every qube fits. */
      if (count > 0 && view->dots.size.width > 0 && view->dots.size.height > 0)
        {
          while (dot >= DOT_MIN)
            {
              guint per_row = MAX ((guint) (view->dots.size.width / dot), 1);
              guint needed = (count + per_row - 1) / per_row;

              if (needed * dot <= view->dots.size.height)
                break;
              dot -= 1.0;
            }
        }
      if (dot < DOT_MIN || view->dots.size.width <= 0 || view->dots.size.height <= 0)
        dot = 0;

      view->dot = dot;
      view->columns = dot > 0 ? MAX ((guint) (view->dots.size.width / dot), 1) : 0;
    }
}

/* The gateway's mark: where the link from the management qube arrives. */
static void
gateway_point (ZoneView *view,
               double   *x,
               double   *y)
{
  *x = view->box.origin.x + (view->full ? 16 : 9);
  *y = view->box.origin.y;
}

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
dot_center (ZoneView *view,
            guint     index,
            double   *x,
            double   *y)
{
  *x = view->dots.origin.x + (index % view->columns) * view->dot + view->dot / 2;
  *y = view->dots.origin.y + (index / view->columns) * view->dot + view->dot / 2;
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

/* What the dots would say, when they do not fit: counts by state. */
static char *
summary_states (ZoneView *view)
{
  guint halted = view->by_state[AIR_QUBE_STATE_HALTED];
  guint other = view->qubes->len - view->n_running - halted;

  if (other > 0)
    /* Translators: counts of a zone's qubes by state, when its dots do not fit */
    return g_strdup_printf (_("%u running · %u halted · %u changing or crashed"),
                            view->n_running, halted, other);
  /* Translators: counts of a zone's qubes by state, when its dots do not fit */
  return g_strdup_printf (_("%u running · %u halted"), view->n_running, halted);
}

/* …and by label colour, the most used first. */
static char *
summary_labels (ZoneView *view)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint order[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

  for (guint i = 1; i < 8; i++)
    for (guint j = i; j > 0 && view->by_label[order[j]] > view->by_label[order[j - 1]]; j--)
      {
        guint t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }

  for (guint i = 0; i < 8; i++)
    if (view->by_label[order[i]] > 0)
      g_string_append_printf (text, "%s%s %u", text->len ? " · " : "",
                              air_label_get_display_name (order[i]), view->by_label[order[i]]);
  return g_string_free (g_steal_pointer (&text), FALSE);
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

  states = summary_states (view);
  labels = summary_labels (view);
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

static const char *
link_display_name (const char *link)
{
  if (g_strcmp0 (link, "qrexec") == 0)
    return _("qrexec");
  if (g_strcmp0 (link, "ssh") == 0)
    return _("SSH");
  if (g_strcmp0 (link, "wireguard-ssh") == 0)
    /* Translators: the link from a gateway to its zone host */
    return _("WireGuard, then SSH");
  if (g_strcmp0 (link, "https") == 0)
    /* Translators: the link from a gateway to a Proxmox zone */
    return _("HTTPS API");
  /* Translators: the link from a gateway to its zone host, before it says */
  return _("link");
}

/* What a one-line card has room for: "down", the round trip, or the kind. */
static char *
link_short (ZoneView *view)
{
  const char *link = air_zone_get_link (view->zone);
  guint rtt = air_zone_get_round_trip (view->zone);

  if (zone_is_down (view))
    /* Translators: a zone is down, on a small card of the map */
    return g_strdup (_("down"));
  if (rtt >= 1000 && air_zone_get_health (view->zone) != AIR_HEALTH_UNKNOWN)
    /* Translators: a round trip in seconds, on a small card of the map */
    return g_strdup_printf (_("%.1f s"), rtt / 1000.0);
  if (rtt > 0 && air_zone_get_health (view->zone) != AIR_HEALTH_UNKNOWN)
    return g_strdup_printf (_("%u ms"), rtt);
  if (g_strcmp0 (link, "wireguard-ssh") == 0)
    /* Translators: WireGuard then SSH, on a small card of the map */
    return g_strdup (_("WG+SSH"));
  return g_strdup (link_display_name (link));
}

/* "SSH · 12 ms", or "SSH · down": what the link row says. */
static char *
link_summary (ZoneView *view)
{
  const char *kind = link_display_name (air_zone_get_link (view->zone));
  guint rtt = air_zone_get_round_trip (view->zone);

  if (zone_is_down (view))
    /* Translators: a link, and that it is down */
    return g_strdup_printf (_("%s · down"), kind);
  if (air_zone_get_health (view->zone) == AIR_HEALTH_UNKNOWN || rtt == 0)
    return g_strdup (kind);
  if (air_zone_get_health (view->zone) == AIR_HEALTH_DEGRADED)
    /* Translators: a link, its last round trip in milliseconds, and that it is degraded */
    return g_strdup_printf (_("%s · %u ms · degraded"), kind, rtt);
  /* Translators: a link and its last round trip in milliseconds */
  return g_strdup_printf (_("%s · %u ms"), kind, rtt);
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
  gboolean down = zone_is_down (view);
  gboolean exposed = air_zone_get_isolation (view->zone) == AIR_ISOLATION_NONE;
  gboolean loading = air_session_zone_is_loading (self->session, name) && !down;
  g_autofree char *link = view->full ? link_summary (view) : link_short (view);
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

  gateway_point (view, &gx, &gy);

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
      if (exposed)
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

        dot_center (view, q, &qx, &qy);
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

  rounded_rect (cr, &mgmt, 8);
  set_source (cr, bg, 1.0);
  cairo_fill_preserve (cr);
  set_source (cr, fg, 0.08);
  cairo_fill_preserve (cr);
  set_source (cr, fg, 0.35);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
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

  rounded_rect (cr, &vault, 8);
  set_source (cr, bg, 1.0);
  cairo_fill_preserve (cr);
  set_source (cr, fg, 0.08);
  cairo_fill_preserve (cr);
  set_source (cr, fg, 0.35);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
  vault_line = g_strdup (vault_name != NULL && vault_name[0] != '\0' ? vault_name : AIR_VAULT_DEFAULT_QUBE);
  draw_text (self, cr, _("Vault qube"), vault.origin.x + 8, vault.origin.y + 4,
             vault.size.width - 16, TRUE, fg);
  draw_text (self, cr, vault_line, vault.origin.x + 8, vault.origin.y + 21,
             vault.size.width - 16, FALSE, fg);
  draw_text (self, cr, _("SSH keys, credentials"), vault.origin.x + 8, vault.origin.y + 38,
             vault.size.width - 16, FALSE, fg);
}

static AirZoneMapPart *
focused_part (AirZoneMap *self)
{
  GtkWidget *child = gtk_widget_get_focus_child (GTK_WIDGET (self));

  return child != NULL && AIR_IS_ZONE_MAP_PART (child) ? AIR_ZONE_MAP_PART (child) : NULL;
}

static void
air_zone_map_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  AirZoneMap *self = AIR_ZONE_MAP (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  AirZoneMapPart *part = focused_part (self);
  graphene_rect_t bounds, mgmt;
  GdkRGBA fg, bg, warn;
  cairo_t *cr;
  double mx, my;

  if (width <= 0 || height <= 0)
    return;

  layout (self);
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

      gateway_point (view, &gx, &gy);
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
      *minimum = (int) (LEFT_COLUMN + CARD_MIN_WIDTH + PADDING);
      *natural = (int) (LEFT_COLUMN + 3 * FULL_MIN_WIDTH + 2 * 16 + PADDING);
    }
  else
    {
      *minimum = 140;
      *natural = 240;
    }
}

static void
air_zone_map_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  AirZoneMap *self = AIR_ZONE_MAP (widget);
  gboolean moved = self->dirty || self->laid_out_w != width || self->laid_out_h != height;

  layout (self);
  if (moved)
    update_part_texts (self);
  for (guint i = 0; i < self->parts->len; i++)
    {
      GtkWidget *part = g_ptr_array_index (self->parts, i);
      guint zone = air_zone_map_part_get_zone_index (AIR_ZONE_MAP_PART (part));
      graphene_rect_t *rect;

      if (zone >= self->views->len)
        continue;
      rect = &g_array_index (self->views, ZoneView, zone).parts[air_zone_map_part_get_kind (AIR_ZONE_MAP_PART (part))];
      /* Parts draw only a focus ring: they are never measured for content. */
      gtk_widget_size_allocate (part,
                                &(GtkAllocation) { (int) rect->origin.x, (int) rect->origin.y,
                                                   MAX ((int) rect->size.width, 1),
                                                   MAX ((int) rect->size.height, 1) },
                                -1);
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

      if (graphene_rect_contains_point (&view->box, &point))
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

  if (view->dot <= 0 || zone_is_down (view))
    return NULL;

  rx = x - view->dots.origin.x;
  ry = y - view->dots.origin.y;
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

  view = zone_at (self, x, y, &index);
  if (view == NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self));
      g_signal_emit (self, signals[ZONE_ACTIVATED], 0, NULL);
      return;
    }

  self->focus = index;
  update_accessible (self);

  qube = qube_at (view, x, y);
  if (qube != NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self));
      g_signal_emit (self, signals[QUBE_ACTIVATED], 0, qube);
    }
  else
    {
      GtkWidget *part = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);

      /* A click selects the part under it: its details show at the bottom. */
      gtk_widget_grab_focus (part != NULL && AIR_IS_ZONE_MAP_PART (part) ? part : GTK_WIDGET (self));
      g_signal_emit (self, signals[ZONE_ACTIVATED], 0, air_zone_get_name (view->zone));
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

static char *
describe_zone (AirZoneMap *self,
               ZoneView   *view)
{
  const char *reason = air_zone_get_health_reason (view->zone);
  g_autofree char *counts = NULL;

  /* Translators: how many qubes a zone has, and how many run */
  counts = g_strdup_printf (ngettext ("%u qube, %u running", "%u qubes, %u running", view->qubes->len),
                            view->qubes->len, view->n_running);
  if (reason != NULL && reason[0] != '\0')
    /* Translators: zone name, health, qube counts, reason */
    return g_strdup_printf (_("Zone %s: %s — %s. %s"),
                            air_zone_get_name (view->zone),
                            air_health_get_display_name (air_zone_get_health (view->zone)),
                            counts, reason);
  /* Translators: zone name, health, qube counts */
  return g_strdup_printf (_("Zone %s: %s — %s"),
                          air_zone_get_name (view->zone),
                          air_health_get_display_name (air_zone_get_health (view->zone)),
                          counts);
}

static char *
describe_age (gint64 when)
{
  gint64 age = MAX (0, g_get_real_time () / G_USEC_PER_SEC - when);

  if (age < 120)
    return g_strdup_printf (ngettext ("%u second ago", "%u seconds ago", (gulong) age), (guint) age);
  if (age < 7200)
    return g_strdup_printf (ngettext ("%u minute ago", "%u minutes ago", (gulong) (age / 60)),
                            (guint) (age / 60));
  return g_strdup_printf (ngettext ("%u hour ago", "%u hours ago", (gulong) (age / 3600)),
                          (guint) MIN (age / 3600, G_MAXUINT));
}

/* The three parts' names (short, what a screen reader says first) and
 * details (the tooltip, the map's bottom line and the accessible
 * description). */
static void
describe_parts (AirZoneMap *self,
                ZoneView   *view,
                char      **names,
                char      **details)
{
  AirZone *zone = view->zone;
  const char *name = air_zone_get_name (zone);
  g_autofree char *gateway = air_zone_dup_gateway_for (name);
  const char *endpoint = air_zone_get_endpoint (zone);
  const char *key = air_zone_get_host_key (zone);
  const char *reason = air_zone_get_health_reason (zone);
  const char *health = air_health_get_display_name (air_zone_get_health (zone));
  const char *link = link_display_name (air_zone_get_link (zone));
  g_autoptr(GString) text = g_string_new (NULL);
  guint rtt = air_zone_get_round_trip (zone);

  /* Translators: the accessible name of a zone's gateway qube on the map */
  names[AIR_ZONE_MAP_PART_GATEWAY] = g_strdup_printf (_("Gateway %s"), gateway);
  /* Translators: gateway qube, zone */
  g_string_append_printf (text, _("Gateway qube %s of zone %s"), gateway, name);
  if (endpoint[0] != '\0')
    g_string_append_printf (text, "\n%s %s", _("Endpoint:"), endpoint);
  else if (g_strcmp0 (air_zone_get_link (zone), "qrexec") == 0)
    g_string_append_printf (text, "\n%s", _("Endpoint: this machine, over qrexec"));
  if (key[0] != '\0')
    g_string_append_printf (text, "\n%s %s", _("Pinned host key:"), key);
  else if (g_strcmp0 (air_zone_get_link (zone), "qrexec") != 0)
    g_string_append_printf (text, "\n%s", _("No host key pinned yet: see “qair zone trust”"));
  details[AIR_ZONE_MAP_PART_GATEWAY] = g_strdup (text->str);

  /* Translators: the accessible name of a link on the map: kind, gateway, zone, health */
  names[AIR_ZONE_MAP_PART_LINK] = g_strdup_printf (_("Link %s from %s to %s: %s"), link, gateway, name, health);
  g_string_truncate (text, 0);
  /* Translators: kind of link, gateway, zone, health */
  g_string_append_printf (text, _("%s from %s to zone %s: %s"), link, gateway, name, health);
  if (rtt > 0)
    {
      g_string_append_printf (text, "\n%s ", _("Last round trip:"));
      g_string_append_printf (text, ngettext ("%u millisecond", "%u milliseconds", rtt), rtt);
    }
  if (air_zone_get_handshake (zone) > 0)
    {
      g_autofree char *age = describe_age (air_zone_get_handshake (zone));
      g_string_append_printf (text, "\n%s %s", _("Last WireGuard handshake:"), age);
    }
  else if (g_strcmp0 (air_zone_get_link (zone), "wireguard-ssh") == 0)
    g_string_append_printf (text, "\n%s", _("No WireGuard handshake yet"));
  if (zone_is_down (view))
    g_string_append_printf (text, "\n%s %s", _("Why it is down:"),
                            reason[0] ? reason : _("the zone cannot be reached"));
  else if (reason[0] != '\0')
    g_string_append_printf (text, "\n%s", reason);
  details[AIR_ZONE_MAP_PART_LINK] = g_strdup (text->str);

  /* Translators: the accessible name of a zone's host on the map: zone, health */
  names[AIR_ZONE_MAP_PART_HOST] = g_strdup_printf (_("Zone %s: %s"), name, health);
  g_string_truncate (text, 0);
  {
    g_autofree char *zone_text = describe_zone (self, view);
    g_string_append (text, zone_text);
  }
  /* Translators: a zone's backend (driver) and isolation */
  g_string_append_printf (text, "\n%s %s · %s %s", _("Backend:"), air_zone_get_driver (zone),
                          _("Isolation:"), air_zone_get_isolation_display_name (zone));
  if (view->dot <= 0 && view->qubes->len > 0)
    {
      g_autofree char *states = summary_states (view);
      g_autofree char *labels = summary_labels (view);
      g_string_append_printf (text, "\n%s\n%s\n%s", states, labels,
                              _("Press Enter to list them all."));
    }
  details[AIR_ZONE_MAP_PART_HOST] = g_strdup (text->str);
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

/* After layout: the host's details say whether its dots are summarised. */
static void
update_part_texts (AirZoneMap *self)
{
  for (guint i = 0; i < self->views->len && i * AIR_ZONE_MAP_N_PARTS < self->parts->len; i++)
    {
      char *names[AIR_ZONE_MAP_N_PARTS], *details[AIR_ZONE_MAP_N_PARTS];

      describe_parts (self, &g_array_index (self->views, ZoneView, i), names, details);
      for (guint p = 0; p < AIR_ZONE_MAP_N_PARTS; p++)
        {
          air_zone_map_part_set_text (g_ptr_array_index (self->parts, i * AIR_ZONE_MAP_N_PARTS + p),
                                      names[p], details[p]);
          g_free (names[p]);
          g_free (details[p]);
        }
    }
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

  if (keyboard || (view = zone_at (self, x, y, NULL)) == NULL)
    return FALSE;

  qube = qube_at (view, x, y);
  if (qube != NULL)
    text = g_strdup_printf ("%s — %s", air_qube_get_name (qube),
                            air_qube_state_get_display_name (air_qube_get_state (qube)));
  else if (view->dot <= 0 && view->qubes->len > 0 && !zone_is_down (view))
    {
      g_autofree char *states = summary_states (view);
      g_autofree char *labels = summary_labels (view);
      /* Translators: a zone's counts by state, by label; then how to see the qubes */
      text = g_strdup_printf (_("%s\n%s\nClick to list them all."), states, labels);
    }
  else
    text = describe_zone (self, view);

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
  AirZoneMapPart *part = focused_part (self);
  guint n = self->views->len;
  guint zone = part ? air_zone_map_part_get_zone_index (part) : MIN (self->focus, n ? n - 1 : 0);
  guint kind = part ? air_zone_map_part_get_kind (part) : AIR_ZONE_MAP_PART_HOST;
  guint flat = zone * AIR_ZONE_MAP_N_PARTS + kind;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;

  if (self->dirty)
    rebuild (self);
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
      g_signal_emit (self, signals[ZONE_ACTIVATED], 0,
                     air_zone_get_name (g_array_index (self->views, ZoneView, zone).zone));
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

  /* Translators: the map, as a screen reader describes it before its parts */
  g_string_append (summary, _("Management qube, vault qube, and for each zone its gateway, "
                              "its link and its zone host. "));
  for (guint i = 0; i < self->views->len && i < 100; i++)
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

/* Once per burst of changes (a zone's 10,000 qubes arrive one by one),
 * before the next frame: the parts are widgets, so they change here and
 * never while drawing. */
static gboolean
refresh_cb (gpointer data)
{
  AirZoneMap *self = data;

  self->refresh_id = 0;
  if (self->dirty)
    rebuild (self);
  else
    update_accessible (self);   /* a zone's counts changed */
  sync_parts (self);
  self->laid_out_w = -1;
  layout (self);
  update_part_texts (self);
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
  widget_class->size_allocate = air_zone_map_size_allocate;

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
  self->links = g_ptr_array_new_with_free_func (g_object_unref);
  self->parts = g_ptr_array_new ();
  self->laid_out_w = -1;
  self->text_scale = 1.0;
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
  g_signal_connect (drop, "motion", G_CALLBACK (drop_motion_cb), self);
  g_signal_connect (drop, "leave", G_CALLBACK (drop_leave_cb), self);
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
      g_signal_handlers_disconnect_by_data (air_session_get_links (self->session), self);
      g_signal_handlers_disconnect_by_data (air_session_get_inventory (self->session), self);
      g_signal_handlers_disconnect_by_data (air_session_get_zones (self->session), self);
      unwatch_links (self);
    }

  g_set_object (&self->session, session);

  if (session != NULL)
    {
      g_signal_connect_object (air_session_get_links (session), "items-changed",
                               G_CALLBACK (links_changed_cb), self, 0);
      links_changed_cb (air_session_get_links (session), 0, 0, 0, self);
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

static ZoneView *
find_view (AirZoneMap *self,
           const char *zone)
{
  layout (self);
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
  if (view == NULL || view->dot <= 0 || zone_is_down (view))
    return FALSE;
  for (guint i = 0; i < view->qubes->len; i++)
    if (g_ptr_array_index (view->qubes, i) == qube)
      {
        dot_center (view, i, x, y);
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

  layout (self);
  view = zone_at (self, x, y, NULL);
  return view != NULL ? qube_at (view, x, y) : NULL;
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
