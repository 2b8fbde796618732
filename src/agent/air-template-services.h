/* air-template-services.h — qubesair.Template* on a zone host
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-driver.h"

G_BEGIN_DECLS

gboolean air_template_services_handles (const char *service);
int      air_template_services_serve   (AirDriver  *driver,
                                        const char *service,
                                        const char *arg);

G_END_DECLS
