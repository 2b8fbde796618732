/* air-zone-map-layout.c — where the zone map puts its cards, parts and dots
 *
 * The grid that gives the cards the most room, each card's parts and dots,
 * and what lies under a point of the map.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-map"

#include "config.h"

#include "air-zone-map-private.h"

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

void
_air_zone_map_layout (AirZoneMap *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double area_w = MAX (width - LEFT_COLUMN - PADDING, CARD_MIN_WIDTH);
  double area_h = MAX (height - TOP_MARGIN - PADDING - STRIP_HEIGHT, LINE_HEIGHT + 4);
  guint n, cols, rows;
  double box_w, box_h, gap;

  if (self->dirty)
    _air_zone_map_rebuild (self);
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
          /* A key outside the vault: one warning line under the counts. */
          if (view->key_place == KEY_PLACE_NOT_IN_VAULT && box_h >= FULL_HEADER + NOTE_HEIGHT)
            {
              graphene_rect_init (&view->note, x + 4, y + FULL_HEADER - 2, box_w - 8, NOTE_HEIGHT);
              header += NOTE_HEIGHT;
            }
          else
            graphene_rect_init (&view->note, 0, 0, 0, 0);
          graphene_rect_init (&view->parts[AIR_ZONE_MAP_PART_GATEWAY], x + 4, y + 4, box_w - 8, 20);
          graphene_rect_init (&view->parts[AIR_ZONE_MAP_PART_LINK], x + 4, y + 24, box_w - 8, 20);
          graphene_rect_init (&view->parts[AIR_ZONE_MAP_PART_HOST], x + 4, y + 44, box_w - 8, 38);
        }
      else
        {
          double line = MIN (LINE_HEIGHT + 2, box_h);
          double name_w = (box_w - 20) * 0.55;

          header = line;
          graphene_rect_init (&view->note, 0, 0, 0, 0);
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
void
_air_zone_map_gateway_point (ZoneView *view,
                             double   *x,
                             double   *y)
{
  *x = view->box.origin.x + (view->full ? 16 : 9);
  *y = view->box.origin.y;
}

void
_air_zone_map_dot_center (ZoneView *view,
                          guint     index,
                          double   *x,
                          double   *y)
{
  *x = view->dots.origin.x + (index % view->columns) * view->dot + view->dot / 2;
  *y = view->dots.origin.y + (index / view->columns) * view->dot + view->dot / 2;
}

void
_air_zone_map_measure (GtkWidget      *widget,
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

void
_air_zone_map_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  AirZoneMap *self = AIR_ZONE_MAP (widget);
  gboolean moved = self->dirty || self->laid_out_w != width || self->laid_out_h != height;

  _air_zone_map_layout (self);
  if (moved)
    _air_zone_map_update_part_texts (self);
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

ZoneView *
_air_zone_map_zone_at (AirZoneMap *self,
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

AirQube *
_air_zone_map_qube_at (ZoneView *view,
                       double    x,
                       double    y)
{
  double rx, ry;
  guint col, row, index;

  if (view->dot <= 0 || _air_zone_view_is_down (view))
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
