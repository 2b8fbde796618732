/* air-templates-page-rows.c
 *
 * The templates page's rows: a template's name, what is known of it on
 * one line, the packages asked for, and its Update…, Roll Back and Remove
 * buttons (disabled, with the reason as a tooltip, when they cannot be
 * used); or, for a zone that did not list its templates, why.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-templates-page"

#include "config.h"

#include <glib/gi18n.h>

#include "air-templates-page-private.h"

/* What is known of @t, on one line; a zone's own system ("host") has no
 * size, base or date to show. */
static char *
format_details (const AirTemplate *t)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) when = t->built > 0 ? g_date_time_new_from_unix_local (t->built) : NULL;

  /* Translators: a template's version number */
  g_ptr_array_add (parts, g_strdup_printf (_("Version %u"), t->version));
  if (t->size > 0)
    g_ptr_array_add (parts, g_format_size (t->size));
  /* Translators: how many qubes use a template */
  g_ptr_array_add (parts, g_strdup_printf (ngettext ("used by %u qube", "used by %u qubes", t->users), t->users));
  if (t->base[0] != '\0')
    /* Translators: %s is the template a template was built on */
    g_ptr_array_add (parts, g_strdup_printf (_("built on %s"), t->base));
  else if (when != NULL)
    g_ptr_array_add (parts, g_strdup (_("imported")));
  if (when != NULL)
    {
      g_autofree char *date = g_date_time_format (when, "%Y-%m-%d %H:%M");

      /* Translators: %s is a date and time */
      g_ptr_array_add (parts, g_strdup_printf (_("made %s"), date));
    }
  g_ptr_array_add (parts, NULL);
  /* Translators: the separator of a template's details */
  return g_strjoinv (_(" · "), (char **) parts->pdata);
}

static GtkWidget *
create_label (const char *text,
              const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  /* A wrapping label asks for little width: let it use the row's. */
  gtk_label_set_max_width_chars (GTK_LABEL (label), 100);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
create_button (const char *zone,
               const char *name,
               const char *label,
               const char *icon,
               const char *action,
               gboolean    enabled,
               const char *tooltip)
{
  GtkWidget *button = icon ? gtk_button_new_from_icon_name (icon) : gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (icon != NULL)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      gtk_widget_add_css_class (button, "flat");
    }
  if (tooltip != NULL)
    gtk_widget_set_tooltip_text (button, tooltip);
  /* A disabled button names no action: the action's own state would
   * otherwise make it sensitive again. */
  if (enabled)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)", zone, name);
    }
  else
    gtk_widget_set_sensitive (button, FALSE);
  return button;
}

GtkWidget *
_air_templates_page_create_template_row (const char        *zone,
                                         const AirTemplate *t)
{
  g_autofree char *details = format_details (t);
  g_autofree char *remove_name = NULL;
  g_autofree char *in_use = NULL;
  GtkWidget *box, *text, *title, *row;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (box, "template-row");

  text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);

  title = gtk_label_new (t->name);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (text), title);
  gtk_box_append (GTK_BOX (text), create_label (details, "dim-label"));

  if (t->packages != NULL && t->packages[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", t->packages);
      /* Translators: the packages asked for in a template, comma-separated */
      g_autofree char *packages = g_strdup_printf (_("Packages: %s"), list);

      gtk_box_append (GTK_BOX (text), create_label (packages, "caption"));
    }

  gtk_box_append (GTK_BOX (box), create_button (zone, t->name, _("_Update…"), NULL, "page.update", !t->read_only,
                                                t->read_only
                                                ? _("Made outside Qubes Air (the zone host’s own system, or put there "
                                                    "by hand): it has no versions to build here")
                                                : _("Build a new version with more packages or a command")));
  gtk_box_append (GTK_BOX (box), create_button (zone, t->name, _("Roll _Back"), NULL, "page.roll-back",
                                                t->can_roll_back,
                                                t->can_roll_back ? _("Go back to the previous version")
                                                                 : _("There is no earlier version to go back to")));

  if (t->users > 0)
    /* Translators: why a template cannot be removed */
    in_use = g_strdup_printf (ngettext ("Used by %u qube: remove it or move it to another template first",
                                        "Used by %u qubes: remove them or move them to another template first",
                                        t->users), t->users);
  /* Translators: %s is a template */
  remove_name = g_strdup_printf (_("Remove %s"), t->name);
  gtk_box_append (GTK_BOX (box), create_button (zone, t->name, remove_name, "user-trash-symbolic", "page.remove",
                                                t->users == 0, in_use != NULL ? in_use : _("Remove the template")));

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

GtkWidget *
_air_templates_page_create_failed_row (const char *message)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  GtkWidget *label = create_label (message, NULL);
  GtkWidget *row;

  gtk_widget_add_css_class (box, "template-row");
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}
