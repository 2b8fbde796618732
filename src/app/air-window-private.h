/* air-window-private.h — shared by air-window.c and its parts (actions,
 * columns, rows)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-file-browser.h"
#include "air-qube-details.h"
#include "air-window.h"
#include "air-zone-map.h"

G_BEGIN_DECLS

struct _AirWindow
{
  GtkApplicationWindow  parent_instance;

  /* Template widgets */
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkPaned             *map_paned;
  AirZoneMap           *zone_map;
  GtkFlowBox           *zone_chips;
  GtkColumnView        *column_view;
  GtkColumnViewColumn  *column_label;
  GtkColumnViewColumn  *column_name;
  GtkColumnViewColumn  *column_zone;
  GtkColumnViewColumn  *column_state;
  GtkColumnViewColumn  *column_class;
  GtkColumnViewColumn  *column_template;
  GtkColumnViewColumn  *column_memory;
  GtkColumnViewColumn  *column_vcpus;
  GtkColumnViewColumn  *column_ip;
  GtkColumnViewColumn  *column_uptime;
  GtkStack             *inventory_stack;
  GtkRevealer          *filter_revealer;
  GtkLabel             *filter_label;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  AirQubeDetails       *details;
  AirFileBrowser       *file_browser;
  GtkListView          *job_list;
  GtkLabel             *jobs_empty;
  GtkWidget            *jobs_scroller;
  GtkPopoverMenu       *context_menu;
  GtkLabel             *empty_title;
  GtkLabel             *empty_body;

  /* Owned references */
  AirSession           *session;
  GSettings            *settings;
  GtkFilterListModel   *filter_model;
  GtkSortListModel     *sort_model;
  GtkSliceListModel    *slice_model;    /* the rows that fit, until a frame shows them */
  GtkSingleSelection   *selection;
  GtkEveryFilter       *filter;
  GtkCustomFilter      *zone_filter;
  GtkCustomFilter      *search_filter;
  GSignalGroup         *qube_signals;
  GSignalGroup         *zone_link_signals;   /* the filtered zone's AirZoneLink */
  GCancellable         *cancellable;
  char                 *zone_filter_name;
  char                 *search_text;
  GWeakRef              credentials_page;
  GWeakRef              drop_row;       /* the row a drag of files is over */
  guint                 first_rows_tick;
  guint                 grow_source;
  gulong                first_paint_handler;
  gboolean              every_row;      /* the slice lets every qube through */

  /* Borrowed references */
  GdkFrameClock        *first_paint_clock;   /* while the column view is mapped */
};

void  _air_window_class_actions_init (AirWindowClass *klass);
void  _air_window_class_columns_init (AirWindowClass *klass);
void  _air_window_columns_init       (AirWindow      *self);
void  _air_window_actions_update     (AirWindow      *self);
char *_air_window_dup_current_zone   (AirWindow      *self);
void  _air_window_rows_init          (AirWindow      *self);
void  _air_window_rows_start         (AirWindow      *self);
void  _air_window_rows_show_all      (AirWindow      *self);
void  _air_window_rows_stop          (AirWindow      *self);
void  _air_window_rows_scroll_to     (AirWindow      *self,
                                      guint           position);

G_END_DECLS
