/* air-zone-list-parts.c — see air-zone-list-parts.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-list-parts"

#include "config.h"

#include <glib/gi18n.h>

#include "air-names.h"
#include "air-zone-list-parts.h"


void
air_zone_list_set_heading (GtkListBoxRow *row,
                           const char    *zone,
                           const char    *zone_before,
                           const char    *css_class)
{
  g_autofree char *text = NULL;
  GtkWidget *header;

  if (zone_before != NULL && g_strcmp0 (zone, zone_before) == 0)
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }
  /* Translators: heading over the rows of one zone */
  text = g_strdup_printf (_("Zone %s"), zone);
  header = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (header), 0);
  gtk_widget_add_css_class (header, css_class);
  gtk_widget_add_css_class (header, "heading");
  gtk_list_box_row_set_header (row, header);
}

char *
air_zone_list_show_error (GtkRevealer *revealer,
                          GtkLabel    *label,
                          const char  *what,
                          const char  *message)
{
  char *text = NULL;

  if (message != NULL)
    {
      g_autofree char *safe = air_text_sanitize (message, -1, AIR_ZONE_LIST_MAX_ERROR);

      /* Translators: what failed, then the peer's explanation */
      text = g_strdup_printf (_("%s: %s"), what, safe);
      gtk_label_set_text (label, text);
    }
  gtk_revealer_set_reveal_child (revealer, message != NULL);
  return text;
}
