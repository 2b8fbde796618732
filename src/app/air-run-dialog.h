/* air-run-dialog.h — runs a command in a qube or a new disposable
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"

G_BEGIN_DECLS

#define AIR_TYPE_RUN_DIALOG (air_run_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AirRunDialog, air_run_dialog, AIR, RUN_DIALOG, GtkWindow)

AirRunDialog *air_run_dialog_new         (GtkWindow    *parent,
                                          AirSession   *session,
                                          const char   *zone,
                                          const char   *qube,
                                          gboolean      disposable);
void          air_run_dialog_set_command (AirRunDialog *self,
                                          const char   *command);
AirJob       *air_run_dialog_get_job     (AirRunDialog *self);
char         *air_run_dialog_dup_output  (AirRunDialog *self);

G_END_DECLS
