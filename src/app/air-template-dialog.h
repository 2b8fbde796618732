/* air-template-dialog.h — what Import…, New Template… and Update… ask for
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"

G_BEGIN_DECLS

typedef enum {
  AIR_TEMPLATE_DIALOG_IMPORT,
  AIR_TEMPLATE_DIALOG_CREATE,
  AIR_TEMPLATE_DIALOG_UPDATE,
} AirTemplateDialogMode;

#define AIR_TYPE_TEMPLATE_DIALOG (air_template_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AirTemplateDialog, air_template_dialog, AIR, TEMPLATE_DIALOG, GtkWindow)

AirTemplateDialog *air_template_dialog_new          (GtkWindow             *parent,
                                                     AirSession            *session,
                                                     AirTemplateDialogMode  mode,
                                                     const char            *zone,
                                                     const char            *name);
/* What the file choosers hand over, for the tests as well. */
void               air_template_dialog_set_rootfs   (AirTemplateDialog     *self,
                                                     GFile                 *file);
void               air_template_dialog_add_file     (AirTemplateDialog     *self,
                                                     GFile                 *file);
gboolean           air_template_dialog_get_busy     (AirTemplateDialog     *self);
const char        *air_template_dialog_get_message  (AirTemplateDialog     *self);

G_END_DECLS
