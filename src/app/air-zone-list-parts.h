/* air-zone-list-parts.h — what the pages listing things per zone share
 * (the Credentials and Templates pages): a heading over each zone's first
 * row, and the banner that shows a failure in the peer's own words.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The most of a peer's message shown. */
#define AIR_ZONE_LIST_MAX_ERROR 600

/* Puts "Zone ZONE" over @row when @before (or none) is of another zone. */
void  air_zone_list_set_heading (GtkListBoxRow *row,
                                 const char    *zone,
                                 const char    *zone_before,
                                 const char    *css_class);
/* Shows "WHAT: MESSAGE" (the message made plain and short) in @label
 * under @revealer, or hides it for a %NULL @message. Returns the text
 * shown, or %NULL. */
char *air_zone_list_show_error  (GtkRevealer   *revealer,
                                 GtkLabel      *label,
                                 const char    *what,
                                 const char    *message);

G_END_DECLS
