/* air-zone-list-page.h — a window listing what each zone has (the
 * Credentials and Templates pages derive from it)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"

G_BEGIN_DECLS

#define AIR_TYPE_ZONE_LIST_PAGE (air_zone_list_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (AirZoneListPage, air_zone_list_page, AIR, ZONE_LIST_PAGE, GtkWindow)

struct _AirZoneListPageClass
{
  GtkWindowClass parent_class;

  /* The session's zones changed; @added zones came. */
  void (*zones_changed) (AirZoneListPage *self,
                         GListModel      *zones,
                         guint            added);
  /* Asks for the lists again. */
  void (*refresh)       (AirZoneListPage *self);
};

AirSession   *air_zone_list_page_get_session     (AirZoneListPage *self);
GCancellable *air_zone_list_page_get_cancellable (AirZoneListPage *self);
gboolean      air_zone_list_page_is_gone         (AirZoneListPage *self);
gboolean      air_zone_list_page_get_loading     (AirZoneListPage *self);
void          air_zone_list_page_set_loading     (AirZoneListPage *self,
                                                  gboolean         more);
GtkWindow    *air_zone_list_page_get_dialog      (AirZoneListPage *self);
void          air_zone_list_page_set_dialog      (AirZoneListPage *self,
                                                  GtkWindow       *dialog);
void          air_zone_list_page_start           (AirZoneListPage *self);

G_END_DECLS
