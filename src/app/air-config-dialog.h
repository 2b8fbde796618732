/* air-config-dialog.h — Export Configuration… and Import Configuration…
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"

G_BEGIN_DECLS

typedef enum {
  AIR_CONFIG_DIALOG_EXPORT,
  AIR_CONFIG_DIALOG_IMPORT,
} AirConfigDialogMode;

#define AIR_TYPE_CONFIG_DIALOG (air_config_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AirConfigDialog, air_config_dialog, AIR, CONFIG_DIALOG, GtkWindow)

AirConfigDialog *air_config_dialog_new          (GtkWindow           *parent,
                                                 AirSession          *session,
                                                 AirConfigDialogMode  mode);
/* What the file choosers lead to, also for tests. */
void             air_config_dialog_export_to    (AirConfigDialog     *self,
                                                 GFile               *file);
void             air_config_dialog_open_file    (AirConfigDialog     *self,
                                                 GFile               *file);
void             air_config_dialog_set_identity (AirConfigDialog     *self,
                                                 GFile               *identity);
gboolean         air_config_dialog_is_busy      (AirConfigDialog     *self);
const char      *air_config_dialog_get_message  (AirConfigDialog     *self);
const char      *air_config_dialog_get_summary  (AirConfigDialog     *self);
GtkWindow       *air_config_dialog_get_confirm  (AirConfigDialog     *self);
gboolean         air_config_dialog_vault_listed (AirConfigDialog     *self);

G_END_DECLS
