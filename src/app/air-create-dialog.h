/* air-create-dialog.h — the settings of a new qube
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"

G_BEGIN_DECLS

#define AIR_TYPE_CREATE_DIALOG (air_create_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AirCreateDialog, air_create_dialog, AIR, CREATE_DIALOG, GtkWindow)

AirCreateDialog *air_create_dialog_new      (GtkWindow       *parent,
                                             AirSession      *session,
                                             const char      *zone);
void             air_create_dialog_set_name (AirCreateDialog *self,
                                             const char      *name);
const char      *air_create_dialog_get_problem (AirCreateDialog *self);

G_END_DECLS
