/* air-file-browser.h — the files of the selected qube, to drag elsewhere
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-qube.h"
#include "air-session.h"

G_BEGIN_DECLS

#define AIR_TYPE_FILE_BROWSER (air_file_browser_get_type ())

G_DECLARE_FINAL_TYPE (AirFileBrowser, air_file_browser, AIR, FILE_BROWSER, GtkWidget)

GtkWidget  *air_file_browser_new         (void);
void        air_file_browser_set_session (AirFileBrowser *self,
                                          AirSession     *session);
void        air_file_browser_set_qube    (AirFileBrowser *self,
                                          AirQube        *qube);
const char *air_file_browser_get_path    (AirFileBrowser *self);
void        air_file_browser_open        (AirFileBrowser *self,
                                          const char     *path);
/* The names shown, in order (for tests and accessibility checks). */
GListModel *air_file_browser_get_model   (AirFileBrowser *self);

G_END_DECLS
