/* air-remotevm-dialog.h — "Use from Other Qubes…": what dom0 runs to know
 * a zone's qube as a RemoteVM
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-qube.h"

G_BEGIN_DECLS

#define AIR_TYPE_REMOTEVM_DIALOG (air_remotevm_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AirRemotevmDialog, air_remotevm_dialog, AIR, REMOTEVM_DIALOG, GtkWindow)

AirRemotevmDialog *air_remotevm_dialog_new      (GtkWindow         *parent,
                                                 AirQube           *qube,
                                                 const char        *gateway);
char              *air_remotevm_dialog_dup_text (AirRemotevmDialog *self);

G_END_DECLS
