/* air-event-watcher.h — the qubesair.Events stream of a local zone
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-driver.h"

G_BEGIN_DECLS

int air_event_watcher_run (AirDriver      *driver,
                           gboolean        listed);

G_END_DECLS
