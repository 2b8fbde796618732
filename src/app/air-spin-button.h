/* air-spin-button.h — what GTK 4.8's GtkSpinButton lacks
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void air_spin_button_set_activates_default (GtkSpinButton *spin);

G_END_DECLS
