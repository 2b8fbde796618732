/* air-spin-button.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "air-spin-button.h"

/* Enter in a spin button's text presses the window's default button, as
 * in an entry (GtkSpinButton has no activates-default before GTK 4.14). */
void
air_spin_button_set_activates_default (GtkSpinButton *spin)
{
  g_return_if_fail (GTK_IS_SPIN_BUTTON (spin));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (spin)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TEXT (child))
      gtk_text_set_activates_default (GTK_TEXT (child), TRUE);
}
