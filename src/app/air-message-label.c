/* air-message-label.c
 *
 * Dialogs show one message line: plain text (never markup: it may quote
 * a zone), styled as an error when it is one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-message-label"

#include "config.h"

#include "air-message-label.h"

void
air_message_label_set (GtkLabel   *label,
                       const char *text,
                       gboolean    is_error)
{
  g_return_if_fail (GTK_IS_LABEL (label));

  gtk_label_set_text (label, text);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
}
