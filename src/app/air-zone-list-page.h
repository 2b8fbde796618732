/* air-zone-list-page.h — a window listing what each zone has (the
 * Credentials and Templates pages derive from it), and the operations such
 * a page runs as jobs (AirZoneListOp)
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
void          air_zone_list_page_set_banner      (AirZoneListPage *self,
                                                  GtkRevealer     *revealer,
                                                  GtkLabel        *label);
void          air_zone_list_page_show_error      (AirZoneListPage *self,
                                                  const char      *what,
                                                  const char      *message);
const char   *air_zone_list_page_get_error       (AirZoneListPage *self);
void          air_zone_list_page_present         (AirZoneListPage *self,
                                                  GtkWindow       *dialog);

/* Called when the user confirms, while the page still exists. */
typedef void (*AirZoneListConfirmFunc) (AirZoneListPage *self,
                                        const char      *zone,
                                        const char      *item);

void          air_zone_list_page_confirm         (AirZoneListPage        *self,
                                                  const char             *heading,
                                                  const char             *body,
                                                  const char             *accept_label,
                                                  const char             *zone,
                                                  const char             *item,
                                                  AirZoneListConfirmFunc  confirmed);

/* An operation a page runs as an AirJob in the session's job list; when
 * it ends, the page shows its failure (or clears the banner) and lists
 * again. */
typedef struct {
  AirZoneListPage *page;
  AirJob          *job;
  char            *failure;   /* what the banner says failed */
  gboolean         loading;   /* counted in the page's "loading" while it runs */
} AirZoneListOp;

AirZoneListOp *air_zone_list_op_new    (AirZoneListPage *page,
                                        const char      *zone,
                                        const char      *title,
                                        const char      *failure,
                                        gboolean         loading);
void           air_zone_list_op_finish (AirZoneListOp   *op,
                                        const GError    *error);
void           air_zone_list_op_free   (AirZoneListOp   *op);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirZoneListOp, air_zone_list_op_free)

G_END_DECLS
