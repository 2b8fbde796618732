/* air-settings.h — the keys of the application's GSettings schema
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "config.h"

#define AIR_SETTINGS_SCHEMA            AIR_APP_ID
#define AIR_SETTINGS_WINDOW_WIDTH      "window-width"
#define AIR_SETTINGS_WINDOW_HEIGHT     "window-height"
#define AIR_SETTINGS_WINDOW_MAXIMIZED  "window-maximized"
#define AIR_SETTINGS_ZONE_FILTER       "zone-filter"
