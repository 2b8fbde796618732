/* air-test-widgets.h — finding a widget in a window, as the tests need
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef gboolean (*AirTestWidgetMatch) (GtkWidget *widget, gconstpointer data);

/* The first widget at or under @widget, depth first in layout order, that
 * @match accepts with @data; %NULL if none does. */
static inline GtkWidget *
air_test_find_widget (GtkWidget          *widget,
                      AirTestWidgetMatch  match,
                      gconstpointer       data)
{
  if (match (widget, data))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = air_test_find_widget (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

G_END_DECLS
