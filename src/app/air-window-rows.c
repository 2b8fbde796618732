/* air-window-rows.c — the rows the window's column view is given
 *
 * The first frame with rows makes only the rows that can be seen.
 *
 * GTK 4.8's list views make a row widget for 200 items whatever their
 * height, ten cells each here, and make them again when a zone whose
 * qubes sort first answers after another: for 10,000 qubes that was more
 * than half of the CPU time from start to the first frame with rows
 * (bench/app). So until a frame with rows is drawn the column view sees
 * none of the sorted list, then, at the start of the next frame (after
 * every list that came meanwhile), its first rows, as many as its height
 * can show; the rest are added right after that frame is drawn. The first
 * frame looks the same, only sooner. air_window_get_qubes() and every
 * position are the sorted list's.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-window"

#include "config.h"

#include "air-window-private.h"

/* No row is lower than its label dot (-gtk-icon-size in style.css). */
#define ROW_HEIGHT_MIN 14

static GtkWidget *
inner_list_view (AirWindow *self)
{
  /* GTK 4.8 has no API for it: the column view's child that is a list view. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;
  return NULL;
}

/* The height of the column view's first row, which every row has (each
 * cell is one line, or the dot); the least it can be if there is none. */
static int
first_row_height (AirWindow *self)
{
  GtkWidget *list = inner_list_view (self);
  GtkWidget *row = list ? gtk_widget_get_first_child (list) : NULL;
  int minimum = 0, natural = 0;

  if (row != NULL)
    gtk_widget_measure (row, GTK_ORIENTATION_VERTICAL, -1, &minimum, &natural, NULL, NULL);
  return MAX (MIN (minimum, natural), ROW_HEIGHT_MIN);
}

static guint
rows_that_fit (AirWindow *self)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self->inventory_stack));
  int width;

  if (height <= 0)
    {
      /* Not laid out yet: the window's height, less the map above the list. */
      height = gtk_widget_get_height (GTK_WIDGET (self));
      if (height <= 0 && !gtk_window_is_maximized (GTK_WINDOW (self)) && !gtk_window_is_fullscreen (GTK_WINDOW (self)))
        gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);   /* GTK 4.8 wants both */
      if (height > 0)
        height = MAX (height - gtk_paned_get_position (self->map_paned), ROW_HEIGHT_MIN);
    }
  if (height <= 0)
    {
      GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self)));

      for (guint i = 0; i < g_list_model_get_n_items (monitors); i++)
        {
          g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);
          GdkRectangle geometry;

          gdk_monitor_get_geometry (monitor, &geometry);
          height = MAX (height, geometry.height);
        }
    }
  if (height <= 0)
    return G_MAXUINT;
  return (guint) (height / first_row_height (self)) + 1;
}

static void
forget_first_paint (AirWindow *self)
{
  if (self->first_paint_clock != NULL)
    g_clear_signal_handler (&self->first_paint_handler, self->first_paint_clock);
  self->first_paint_clock = NULL;
}

void
_air_window_rows_stop (AirWindow *self)
{
  if (self->first_rows_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->first_rows_tick);
  self->first_rows_tick = 0;
  g_clear_handle_id (&self->grow_source, g_source_remove);
  forget_first_paint (self);
}

void
_air_window_rows_show_all (AirWindow *self)
{
  if (self->every_row)
    return;
  _air_window_rows_stop (self);
  self->every_row = TRUE;
  gtk_slice_list_model_set_size (self->slice_model, G_MAXUINT);
}

static gboolean
grow_cb (gpointer user_data)
{
  AirWindow *self = user_data;

  self->grow_source = 0;
  _air_window_rows_show_all (self);
  return G_SOURCE_REMOVE;
}

/* A frame was drawn: if it had rows, every row is added once it is done
 * (not in the middle of the frame clock's signal), before any input that
 * came meanwhile: a key moves in the whole list, not in its first rows. */
static void
first_paint_cb (GdkFrameClock *clock,
                AirWindow     *self)
{
  if (self->grow_source != 0 ||
      g_list_model_get_n_items (G_LIST_MODEL (self->slice_model)) == 0 ||
      !gtk_widget_get_mapped (GTK_WIDGET (self->column_view)))
    return;
  self->grow_source = g_idle_add_full (G_PRIORITY_HIGH, grow_cb, self, NULL);
}

static void
column_view_map_cb (GtkWidget *column_view,
                    AirWindow *self)
{
  if (self->every_row || self->first_paint_clock != NULL)
    return;
  self->first_paint_clock = gtk_widget_get_frame_clock (column_view);
  self->first_paint_handler = g_signal_connect (self->first_paint_clock, "after-paint",
                                                G_CALLBACK (first_paint_cb), self);
}

static void
column_view_unmap_cb (GtkWidget *column_view,
                      AirWindow *self)
{
  forget_first_paint (self);
}

/* The start of a frame, before its layout: the first rows go in. */
static gboolean
first_rows_tick_cb (GtkWidget     *widget,
                    GdkFrameClock *clock,
                    gpointer       user_data)
{
  AirWindow *self = AIR_WINDOW (widget);

  self->first_rows_tick = 0;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->sort_model)) > 0)
    {
      /* One row first, to know how high the rows are. */
      gtk_slice_list_model_set_size (self->slice_model, 1);
      gtk_slice_list_model_set_size (self->slice_model, rows_that_fit (self));
    }
  return G_SOURCE_REMOVE;
}

static void
sorted_changed_cb (GListModel *sorted,
                   guint       position,
                   guint       removed,
                   guint       added,
                   AirWindow  *self)
{
  if (self->every_row || self->first_rows_tick != 0 ||
      gtk_slice_list_model_get_size (self->slice_model) > 0 || g_list_model_get_n_items (sorted) == 0)
    return;
  self->first_rows_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), first_rows_tick_cb, NULL, NULL);
}

/* The sorted list, its slice the column view shows, and what follows it. */
void
_air_window_rows_init (AirWindow *self)
{
  self->slice_model = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->sort_model)), 0, 0);
  g_signal_connect_object (self->sort_model, "items-changed", G_CALLBACK (sorted_changed_cb), self, 0);
  g_signal_connect_object (self->column_view, "map", G_CALLBACK (column_view_map_cb), self, 0);
  g_signal_connect_object (self->column_view, "unmap", G_CALLBACK (column_view_unmap_cb), self, 0);
}

/* A window made again (from the tray) has qubes at once. */
void
_air_window_rows_start (AirWindow *self)
{
  sorted_changed_cb (G_LIST_MODEL (self->sort_model), 0, 0, 0, self);
}

void
_air_window_rows_scroll_to (AirWindow *self,
                            guint      position)
{
  /* GTK 4.8 has no gtk_column_view_scroll_to(): the inner list view does. */
  GtkWidget *list = inner_list_view (self);

  if (list != NULL)
    gtk_widget_activate_action (list, "list.scroll-to-item", "u", position);
}
