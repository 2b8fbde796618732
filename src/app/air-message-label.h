/* air-message-label.h — the line under a dialog's fields that says what
 * is wrong, or what happened
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void air_message_label_set (GtkLabel   *label,
                            const char *text,
                            gboolean    is_error);

G_END_DECLS
