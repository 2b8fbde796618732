/* air-templates-page-private.h — the functions AirTemplatesPage's files
 * share (air-templates-page.c: the object and the list; -rows.c: a row's
 * widgets; -actions.c: the page's actions and the jobs they start). The
 * struct stays in air-templates-page.c: only that file reads its fields.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-template.h"
#include "air-templates-page.h"

G_BEGIN_DECLS

/* air-templates-page.c */
const AirTemplate *_air_templates_page_lookup_shown        (AirTemplatesPage      *self,
                                                            const char            *zone,
                                                            const char            *name);

/* air-templates-page-rows.c */
GtkWidget         *_air_templates_page_create_template_row (const char            *zone,
                                                            const AirTemplate     *t);
GtkWidget         *_air_templates_page_create_failed_row   (const char            *message);

/* air-templates-page-actions.c */
void               _air_templates_page_class_actions_init  (AirTemplatesPageClass *klass);

G_END_DECLS
