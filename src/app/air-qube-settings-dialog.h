/* air-qube-settings-dialog.h — Qube Settings: label, memory and vCPUs
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-qube.h"
#include "air-zone.h"

G_BEGIN_DECLS

#define AIR_TYPE_QUBE_SETTINGS_DIALOG (air_qube_settings_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AirQubeSettingsDialog, air_qube_settings_dialog, AIR, QUBE_SETTINGS_DIALOG, GtkWindow)

AirQubeSettingsDialog *air_qube_settings_dialog_new (GtkWindow *parent,
                                                     AirZone   *zone,
                                                     AirQube   *qube);

G_END_DECLS
