/* air-credentials-page.h — the credentials kept in the vault, per zone
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-session.h"
#include "air-vault-client.h"
#include "air-zone-list-page.h"

G_BEGIN_DECLS

#define AIR_TYPE_CREDENTIALS_PAGE (air_credentials_page_get_type ())

G_DECLARE_FINAL_TYPE (AirCredentialsPage, air_credentials_page, AIR, CREDENTIALS_PAGE, AirZoneListPage)

AirCredentialsPage *air_credentials_page_new         (GtkWindow          *parent,
                                                      AirSession         *session,
                                                      AirVaultClient     *client);
const char         *air_credentials_page_get_error   (AirCredentialsPage *self);
void                air_credentials_page_refresh     (AirCredentialsPage *self);

G_END_DECLS
