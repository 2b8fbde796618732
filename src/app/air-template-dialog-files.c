/* air-template-dialog-files.c
 *
 * The template dialog's files of this qube: the root file system tarball
 * to import, the package files (their size and type read asynchronously
 * before they join the list) and the file chooser that picks either.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-template-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-names.h"
#include "air-template-dialog-private.h"

/* @file's path, or %NULL with the reason shown: only a file on this
 * qube's own disk can be sent. */
static char *
dup_local_path (AirTemplateDialog *self,
                GFile             *file)
{
  char *path = g_file_get_path (file);

  if (path == NULL)
    _air_template_dialog_set_problem (self, _("Choose a file on this qube’s own disk."));
  return path;
}

typedef struct {
  AirTemplateDialog *dialog;
  char              *path;
} FileQuery;

static void
file_info_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  FileQuery *query = user_data;
  g_autoptr(AirTemplateDialog) self = query->dialog;
  g_autofree char *path = query->path;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_file_get_basename (G_FILE (object));

  g_free (query);
  info = g_file_query_info_finish (G_FILE (object), result, &error);
  /* The dialog closed: its widgets are gone. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  self->pending_files--;

  if (info == NULL)
    {
      g_autofree char *problem = g_strdup_printf (_("The package file could not be read: %s"), error->message);

      _air_template_dialog_set_problem (self, problem);
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_autofree char *shown = air_text_sanitize (path, -1, 80);
      g_autofree char *problem = g_strdup_printf (_("“%s” is not a file."), shown);

      _air_template_dialog_set_problem (self, problem);
      return;
    }
  _air_template_dialog_add_package (self, base, path, g_file_info_get_size (info));
}

/**
 * air_template_dialog_add_file:
 * @file: a .deb or .rpm file of this qube
 *
 * Adds @file to the packages once its size is known, or says what is
 * wrong with it.
 */
void
air_template_dialog_add_file (AirTemplateDialog *self,
                              GFile             *file)
{
  g_autofree char *path = NULL;
  FileQuery *query;

  g_return_if_fail (AIR_IS_TEMPLATE_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  path = dup_local_path (self, file);
  if (path == NULL)
    return;
  query = g_new0 (FileQuery, 1);
  query->dialog = g_object_ref (self);
  query->path = g_steal_pointer (&path);
  self->pending_files++;
  _air_template_dialog_validate (self);
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, self->cancellable, file_info_cb, query);
}

static void
chooser_response_cb (GtkNativeDialog   *chooser,
                     int                response,
                     AirTemplateDialog *self)
{
  gboolean rootfs = self->chooser_rootfs;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          if (rootfs)
            air_template_dialog_set_rootfs (self, file);
          else
            air_template_dialog_add_file (self, file);
        }
    }
  g_clear_object (&self->chooser);
}

static void
open_chooser (AirTemplateDialog *self,
              gboolean           rootfs)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }
  self->chooser = gtk_file_chooser_native_new (rootfs ? _("Choose a Root File System Tarball")
                                                      : _("Choose Package Files"),
                                               GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                               rootfs ? _("_Choose") : _("_Add"), _("_Cancel"));
  if (rootfs)
    {
      gtk_file_filter_set_name (filter, _("Tarballs"));
      static const char * const patterns[] = { "*.tar", "*.tar.gz", "*.tgz", "*.tar.xz", "*.txz",
                                               "*.tar.zst", "*.tar.bz2" };

      for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
        gtk_file_filter_add_pattern (filter, patterns[i]);
    }
  else
    {
      gtk_file_filter_set_name (filter, _("Package files (.deb, .rpm)"));
      gtk_file_filter_add_pattern (filter, "*.deb");
      gtk_file_filter_add_pattern (filter, "*.rpm");
      gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  self->chooser_rootfs = rootfs;
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
choose_rootfs_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  open_chooser (AIR_TEMPLATE_DIALOG (widget), TRUE);
}

static void
add_file_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  open_chooser (AIR_TEMPLATE_DIALOG (widget), FALSE);
}

/**
 * air_template_dialog_set_rootfs:
 * @file: the root file system tarball to import
 */
void
air_template_dialog_set_rootfs (AirTemplateDialog *self,
                                GFile             *file)
{
  g_autofree char *path = NULL;
  g_autofree char *base = NULL;

  g_return_if_fail (AIR_IS_TEMPLATE_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  path = dup_local_path (self, file);
  if (path == NULL)
    return;
  g_set_object (&self->rootfs, file);
  base = g_file_get_basename (file);
  gtk_label_set_text (self->rootfs_label, base);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->rootfs_label), path);
  gtk_widget_remove_css_class (GTK_WIDGET (self->rootfs_label), "dim-label");
  /* A name from the file, when none is given yet: "debian-12.tar.gz" → "debian-12". */
  if (_air_template_dialog_get_name (self)[0] == '\0')
    {
      g_autofree char *guess = g_strdup (base);
      char *dot = strstr (guess, ".t");

      if (dot != NULL)
        *dot = '\0';
      if (air_name_is_valid (guess))
        gtk_editable_set_text (GTK_EDITABLE (self->name_entry), guess);
    }
  _air_template_dialog_set_problem (self, NULL);
}

void
_air_template_dialog_class_files_init (AirTemplateDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "dialog.choose-rootfs", NULL, choose_rootfs_action);
  gtk_widget_class_install_action (widget_class, "dialog.add-file", NULL, add_file_action);
}
