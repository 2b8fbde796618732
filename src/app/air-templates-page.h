/* air-templates-page.h — the templates of every zone, and what is done with them
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"
#include "air-zone-list-page.h"

G_BEGIN_DECLS

#define AIR_TYPE_TEMPLATES_PAGE (air_templates_page_get_type ())

G_DECLARE_FINAL_TYPE (AirTemplatesPage, air_templates_page, AIR, TEMPLATES_PAGE, AirZoneListPage)

AirTemplatesPage *air_templates_page_new         (GtkWindow        *parent,
                                                  AirSession       *session);
const char       *air_templates_page_get_error   (AirTemplatesPage *self);
void              air_templates_page_refresh     (AirTemplatesPage *self);

G_END_DECLS
