/* air-credential-dialog.h — asks for a credential to store in the vault
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"

G_BEGIN_DECLS

#define AIR_TYPE_CREDENTIAL_DIALOG (air_credential_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AirCredentialDialog, air_credential_dialog, AIR, CREDENTIAL_DIALOG, GtkWindow)

AirCredentialDialog *air_credential_dialog_new (GtkWindow  *parent,
                                                AirSession *session,
                                                const char *zone,
                                                const char *kind,
                                                gboolean    replace);

const char          *air_credential_kind_get_display_name (const char *kind);

G_END_DECLS
