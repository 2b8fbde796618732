/* air-confirm-dialog.h — asks before something that cannot be undone
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define AIR_TYPE_CONFIRM_DIALOG (air_confirm_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AirConfirmDialog, air_confirm_dialog, AIR, CONFIRM_DIALOG, GtkWindow)

AirConfirmDialog *air_confirm_dialog_new (GtkWindow  *parent,
                                          const char *heading,
                                          const char *body,
                                          const char *accept_label);

G_END_DECLS
