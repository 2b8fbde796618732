/* air-template-dialog-packages.c
 *
 * The template dialog's packages: a list the user adds to, each a name the
 * guest's package manager knows or a .deb/.rpm file of this qube (added
 * once its size is read, in air-template-dialog-files.c), shown as rows
 * with a remove button. An add the list refuses says why on the line
 * under the fields.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-template-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-names.h"
#include "air-template.h"
#include "air-template-dialog-private.h"

void
_air_template_dialog_package_free (AirTemplateDialogPackage *package)
{
  g_free (package->text);
  g_free (package->path);
  g_free (package);
}

static guint
count_files (AirTemplateDialog *self)
{
  guint n = 0;

  for (guint i = 0; i < self->packages->len; i++)
    n += ((AirTemplateDialogPackage *) g_ptr_array_index (self->packages, i))->path != NULL;
  return n;
}

static void
show_packages (AirTemplateDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->package_list))) != NULL)
    gtk_list_box_remove (self->package_list, child);

  for (guint i = 0; i < self->packages->len; i++)
    {
      AirTemplateDialogPackage *package = g_ptr_array_index (self->packages, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *icon = gtk_image_new_from_icon_name (package->path ? "package-x-generic-symbolic"
                                                                    : "system-software-install-symbolic");
      GtkWidget *label = gtk_label_new (package->text);
      GtkWidget *button = gtk_button_new_from_icon_name ("list-remove-symbolic");
      g_autofree char *remove_name = g_strdup_printf (_("Remove %s from the list"), package->text);

      gtk_widget_add_css_class (box, "package-row");
      gtk_widget_set_tooltip_text (icon, package->path ? _("A package file of this qube") : _("A package by name"));
      gtk_box_append (GTK_BOX (box), icon);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_widget_set_hexpand (label, TRUE);
      if (package->path != NULL)
        gtk_widget_set_tooltip_text (label, package->path);
      gtk_box_append (GTK_BOX (box), label);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, remove_name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_name, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "dialog.remove-package");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "u", i);
      gtk_box_append (GTK_BOX (box), button);
      gtk_list_box_append (self->package_list, box);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->package_list), self->packages->len > 0);
}

static gboolean
package_listed (AirTemplateDialog *self,
                const char        *text)
{
  for (guint i = 0; i < self->packages->len; i++)
    if (g_str_equal (((AirTemplateDialogPackage *) g_ptr_array_index (self->packages, i))->text, text))
      return TRUE;
  return FALSE;
}

/* Adds @text and @path, or says what is wrong. */
gboolean
_air_template_dialog_add_package (AirTemplateDialog *self,
                                  const char        *text,
                                  const char        *path,
                                  guint64            size)
{
  g_autofree char *shown = air_text_sanitize (text, -1, 60);
  g_autofree char *problem = NULL;
  AirTemplateDialogPackage *package;

  if (path != NULL && !air_template_file_name_is_valid (text))
    problem = g_strdup_printf (_("“%s” cannot be sent as a package file: its name must end in .deb or .rpm "
                                 "and use letters, digits and + . _ - only. Rename the file and add it again."),
                               shown);
  else if (path == NULL && !air_template_package_is_valid (text))
    problem = g_strdup_printf (_("“%s” is not a package name: use letters, digits and + . _ - only, "
                                 "or add a .deb or .rpm file with Add File…"), shown);
  else if (path != NULL && size > AIR_TEMPLATE_MAX_FILE_SIZE)
    problem = g_strdup_printf (_("The package file “%s” is larger than 2 GiB."), shown);
  else if (package_listed (self, text))
    problem = g_strdup_printf (_("“%s” is in the list already."), shown);
  else if (path != NULL && count_files (self) >= AIR_TEMPLATE_MAX_FILES)
    problem = g_strdup_printf (_("At most %d package files can be sent at once."), AIR_TEMPLATE_MAX_FILES);
  else if (path == NULL && self->packages->len - count_files (self) >= AIR_TEMPLATE_MAX_PACKAGES)
    problem = g_strdup_printf (_("At most %d packages can be asked for at once."), AIR_TEMPLATE_MAX_PACKAGES);

  if (problem != NULL)
    {
      _air_template_dialog_set_problem (self, problem);
      return FALSE;
    }

  package = g_new0 (AirTemplateDialogPackage, 1);
  package->text = g_strdup (text);
  package->path = g_strdup (path);
  package->size = size;
  g_ptr_array_add (self->packages, package);
  show_packages (self);
  _air_template_dialog_set_problem (self, NULL);
  return TRUE;
}

static void
add_package_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  AirTemplateDialog *self = AIR_TEMPLATE_DIALOG (widget);
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->package_entry))));

  if (text[0] == '\0')
    return;

  /* A path typed in is a file, as qair takes it. */
  if (g_str_has_suffix (text, ".deb") || g_str_has_suffix (text, ".rpm") || strchr (text, '/') != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (text);

      air_template_dialog_add_file (self, file);
      gtk_editable_set_text (GTK_EDITABLE (self->package_entry), "");
      return;
    }
  if (_air_template_dialog_add_package (self, text, NULL, 0))
    gtk_editable_set_text (GTK_EDITABLE (self->package_entry), "");
}

static void
remove_package_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  AirTemplateDialog *self = AIR_TEMPLATE_DIALOG (widget);
  guint index = g_variant_get_uint32 (parameter);

  if (index >= self->packages->len)
    return;
  g_ptr_array_remove_index (self->packages, index);
  show_packages (self);
  _air_template_dialog_set_problem (self, NULL);
}

void
_air_template_dialog_class_packages_init (AirTemplateDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "dialog.add-package", NULL, add_package_action);
  gtk_widget_class_install_action (widget_class, "dialog.remove-package", "u", remove_package_action);
}
