/* air-template-dialog.c
 *
 * One dialog for the three template builds: Import (zone, name, a root
 * file system tarball), New Template (zone, name, the base, packages,
 * an optional command) and Update (packages, command, "upgrade every
 * package first"). What the user gives is checked here, before anything
 * is sent, and the line under the fields says what is wrong.
 *
 * Packages are a list the user adds to: a name the guest's package
 * manager knows, or a .deb/.rpm file of this qube (its size is read
 * asynchronously when it is added). The dialog builds nothing itself:
 * "start" hands an AirTemplateCall ready to run to whoever opened it (the
 * templates page), which runs it as a job.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-template-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-message-label.h"
#include "air-names.h"
#include "air-template-call.h"
#include "air-template-dialog.h"

/* One package asked for: a name, or a file with its size. */
typedef struct {
  char    *text;       /* the name, or the file's base name */
  char    *path;       /* NULL for a name */
  guint64  size;
} Package;

struct _AirTemplateDialog
{
  GtkWindow              parent_instance;

  /* Template widgets */
  GtkDropDown           *zone_dropdown;
  GtkEntry              *name_entry;
  GtkWidget             *rootfs_title;
  GtkWidget             *rootfs_box;
  GtkLabel              *rootfs_label;
  GtkWidget             *base_title;
  GtkDropDown           *base_dropdown;
  GtkWidget             *packages_title;
  GtkWidget             *packages_box;
  GtkListBox            *package_list;
  GtkEntry              *package_entry;
  GtkWidget             *command_title;
  GtkEntry              *command_entry;
  GtkCheckButton        *upgrade_check;
  GtkButton             *accept_button;
  GtkLabel              *message;

  /* Owned references */
  AirSession            *session;
  GCancellable          *cancellable;
  GtkFileChooserNative  *chooser;
  GFile                 *rootfs;
  GPtrArray             *packages;      /* Package */
  GtkStringList         *bases;
  char                  *problem;       /* what the last add refused, until the next change */
  char                  *shown_message;
  AirTemplateDialogMode  mode;
  guint                  pending_files;
  gboolean               chooser_rootfs;
  gboolean               valid;
};

G_DEFINE_FINAL_TYPE (AirTemplateDialog, air_template_dialog, GTK_TYPE_WINDOW)

enum {
  START,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
package_free (Package *package)
{
  g_free (package->text);
  g_free (package->path);
  g_free (package);
}

static AirZone *
get_zone (AirTemplateDialog *self)
{
  return gtk_drop_down_get_selected_item (self->zone_dropdown);
}

static const char *
get_base (AirTemplateDialog *self)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (self->base_dropdown);

  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

static const char *
get_name (AirTemplateDialog *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
}

static void
show_message (AirTemplateDialog *self,
              const char        *text,
              gboolean           is_error)
{
  g_free (self->shown_message);
  self->shown_message = g_strdup (text);
  air_message_label_set (self->message, text, is_error);
}

static guint
count_files (AirTemplateDialog *self)
{
  guint n = 0;

  for (guint i = 0; i < self->packages->len; i++)
    n += ((Package *) g_ptr_array_index (self->packages, i))->path != NULL;
  return n;
}

static gboolean
zone_has_template (AirZone    *zone,
                   const char *name)
{
  const char * const *templates = air_zone_get_templates (zone);

  return templates != NULL && g_strv_contains (templates, name);
}

static void
validate (AirTemplateDialog *self)
{
  AirZone *zone = get_zone (self);
  const char *name = get_name (self);
  const char *command = gtk_editable_get_text (GTK_EDITABLE (self->command_entry));
  gboolean upgrade = gtk_check_button_get_active (self->upgrade_check);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean ok = FALSE;

  gtk_widget_remove_css_class (GTK_WIDGET (self->name_entry), "error");

  if (zone == NULL)
    show_message (self, _("Add a zone first: a template belongs to one zone."), TRUE);
  else if (self->problem != NULL)
    show_message (self, self->problem, TRUE);
  else if (self->mode == AIR_TEMPLATE_DIALOG_IMPORT && self->rootfs == NULL && name[0] == '\0')
    show_message (self, _("Choose a root file system tarball (.tar, .tar.gz, .tar.xz or .tar.zst); "
                          "the template is named after it unless you give a name."), FALSE);
  else if (self->mode != AIR_TEMPLATE_DIALOG_UPDATE && name[0] == '\0')
    show_message (self, _("Give the template a name, for example “dev”."), FALSE);
  else if (!air_name_validate (name, "template", &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->name_entry), "error");
      show_message (self, error->message, TRUE);
    }
  else if (self->mode != AIR_TEMPLATE_DIALOG_UPDATE && zone_has_template (zone, name))
    {
      text = g_strdup_printf (_("Zone %s already has a template “%s”: choose another name."),
                              air_zone_get_name (zone), name);
      gtk_widget_add_css_class (GTK_WIDGET (self->name_entry), "error");
      show_message (self, text, TRUE);
    }
  else if (self->mode == AIR_TEMPLATE_DIALOG_IMPORT && self->rootfs == NULL)
    show_message (self, _("Choose a root file system tarball (.tar, .tar.gz, .tar.xz or .tar.zst)."), FALSE);
  else if (self->mode == AIR_TEMPLATE_DIALOG_CREATE && get_base (self) == NULL)
    show_message (self, _("Choose the template to build on. This zone lists none yet: import one first."), TRUE);
  else if (strlen (command) > AIR_TEMPLATE_MAX_COMMAND)
    {
      text = g_strdup_printf (_("The command is too long: at most %d bytes."), AIR_TEMPLATE_MAX_COMMAND);
      show_message (self, text, TRUE);
    }
  else if (self->pending_files > 0)
    show_message (self, _("Reading the package files…"), FALSE);
  else if (self->mode == AIR_TEMPLATE_DIALOG_UPDATE && self->packages->len == 0 && command[0] == '\0' && !upgrade)
    show_message (self, _("Add packages, give a command, or ask for every package to be upgraded."), FALSE);
  else
    {
      ok = TRUE;
      if (self->mode == AIR_TEMPLATE_DIALOG_IMPORT)
        text = g_strdup_printf (_("The tarball is sent to zone %s and unpacked there as version 1 of “%s”."),
                                air_zone_get_name (zone), name);
      else if (self->mode == AIR_TEMPLATE_DIALOG_CREATE)
        text = g_strdup_printf (_("“%s” is built in zone %s on a copy of “%s”, which is not changed."),
                                name, air_zone_get_name (zone), get_base (self));
      else
        text = g_strdup_printf (_("A new version of “%s” is built. Its qubes see it at their next start; "
                                  "the current version is kept for a roll-back."), name);
      show_message (self, text, FALSE);
    }

  self->valid = ok;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.accept", ok);
}

static void
changed_cb (AirTemplateDialog *self)
{
  validate (self);
}

/* Zone info names the zone's templates: the bases to build on. */
static void
fill_bases (AirTemplateDialog *self)
{
  AirZone *zone = get_zone (self);
  const char * const *templates = zone != NULL ? air_zone_get_templates (zone) : NULL;
  const char *previous = get_base (self);
  g_autofree char *keep = g_strdup (previous);
  guint n;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->bases));
  gtk_string_list_splice (self->bases, 0, n, templates);
  gtk_drop_down_set_selected (self->base_dropdown, GTK_INVALID_LIST_POSITION);
  for (guint i = 0; keep != NULL && templates != NULL && templates[i] != NULL; i++)
    if (g_str_equal (templates[i], keep))
      gtk_drop_down_set_selected (self->base_dropdown, i);
  /* Else a template of the zone's own rather than "host", the zone
   * host's system, which a backend may not be able to copy. */
  for (guint pass = 0; pass < 2 && gtk_drop_down_get_selected (self->base_dropdown) == GTK_INVALID_LIST_POSITION;
       pass++)
    for (guint i = 0; templates != NULL && templates[i] != NULL; i++)
      if (pass == 1 || !g_str_equal (templates[i], "host"))
        {
          gtk_drop_down_set_selected (self->base_dropdown, i);
          break;
        }
}

static void
zone_changed_cb (AirTemplateDialog *self)
{
  if (self->mode == AIR_TEMPLATE_DIALOG_CREATE)
    fill_bases (self);
  validate (self);
}

static void
set_problem (AirTemplateDialog *self,
             const char        *problem)
{
  g_free (self->problem);
  self->problem = g_strdup (problem);
  validate (self);
}

static void
show_packages (AirTemplateDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->package_list))) != NULL)
    gtk_list_box_remove (self->package_list, child);

  for (guint i = 0; i < self->packages->len; i++)
    {
      Package *package = g_ptr_array_index (self->packages, i);
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
    if (g_str_equal (((Package *) g_ptr_array_index (self->packages, i))->text, text))
      return TRUE;
  return FALSE;
}

/* Adds @text and @path, or says what is wrong. */
static gboolean
add_package (AirTemplateDialog *self,
             const char        *text,
             const char        *path,
             guint64            size)
{
  g_autofree char *shown = air_text_sanitize (text, -1, 60);
  g_autofree char *problem = NULL;
  Package *package;

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
      set_problem (self, problem);
      return FALSE;
    }

  package = g_new0 (Package, 1);
  package->text = g_strdup (text);
  package->path = g_strdup (path);
  package->size = size;
  g_ptr_array_add (self->packages, package);
  show_packages (self);
  set_problem (self, NULL);
  return TRUE;
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

      set_problem (self, problem);
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_autofree char *shown = air_text_sanitize (path, -1, 80);
      g_autofree char *problem = g_strdup_printf (_("“%s” is not a file."), shown);

      set_problem (self, problem);
      return;
    }
  add_package (self, base, path, g_file_info_get_size (info));
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

  path = g_file_get_path (file);
  if (path == NULL)
    {
      set_problem (self, _("Choose a file on this qube’s own disk."));
      return;
    }
  query = g_new0 (FileQuery, 1);
  query->dialog = g_object_ref (self);
  query->path = g_steal_pointer (&path);
  self->pending_files++;
  validate (self);
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, self->cancellable, file_info_cb, query);
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
  if (add_package (self, text, NULL, 0))
    gtk_editable_set_text (GTK_EDITABLE (self->package_entry), "");
}

/* What the last add refused is forgotten once the entry changes. */
static void
package_changed_cb (AirTemplateDialog *self)
{
  if (self->problem != NULL)
    set_problem (self, NULL);
}

static void
package_activate_cb (AirTemplateDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "dialog.add-package", NULL);
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
  set_problem (self, NULL);
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

  path = g_file_get_path (file);
  if (path == NULL)
    {
      set_problem (self, _("Choose a file on this qube’s own disk."));
      return;
    }
  g_set_object (&self->rootfs, file);
  base = g_file_get_basename (file);
  gtk_label_set_text (self->rootfs_label, base);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->rootfs_label), path);
  gtk_widget_remove_css_class (GTK_WIDGET (self->rootfs_label), "dim-label");
  /* A name from the file, when none is given yet: "debian-12.tar.gz" → "debian-12". */
  if (get_name (self)[0] == '\0')
    {
      g_autofree char *guess = g_strdup (base);
      char *dot = strstr (guess, ".t");

      if (dot != NULL)
        *dot = '\0';
      if (air_name_is_valid (guess))
        gtk_editable_set_text (GTK_EDITABLE (self->name_entry), guess);
    }
  set_problem (self, NULL);
}

/* The call the dialog's fields describe, or %NULL with the reason shown. */
static AirTemplateCall *
make_call (AirTemplateDialog *self)
{
  g_autoptr(AirTemplateRequest) request = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GStrvBuilder) names = NULL;
  g_autoptr(GError) error = NULL;
  AirZone *zone = get_zone (self);

  if (self->mode == AIR_TEMPLATE_DIALOG_IMPORT)
    {
      g_autofree char *path = g_file_get_path (self->rootfs);

      return air_template_call_new_import (zone, get_name (self), path);
    }

  request = air_template_request_new ();
  paths = g_ptr_array_new_with_free_func (g_free);
  names = g_strv_builder_new ();
  if (self->mode == AIR_TEMPLATE_DIALOG_CREATE)
    {
      g_free (request->base);
      request->base = g_strdup (get_base (self));
    }
  for (guint i = 0; i < self->packages->len; i++)
    {
      Package *package = g_ptr_array_index (self->packages, i);

      if (package->path == NULL)
        g_strv_builder_add (names, package->text);
      else if (air_template_request_add_file (request, package->text, package->size, &error))
        g_ptr_array_add (paths, g_strdup (package->path));
      else
        {
          set_problem (self, error->message);
          return NULL;
        }
    }
  g_strfreev (request->packages);
  request->packages = g_strv_builder_end (names);
  g_free (request->run);
  request->run = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->command_entry)));
  request->upgrade = self->mode == AIR_TEMPLATE_DIALOG_UPDATE && gtk_check_button_get_active (self->upgrade_check);
  return air_template_call_new_build (zone, get_name (self), request, paths);
}

static void
accept_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AirTemplateDialog *self = AIR_TEMPLATE_DIALOG (widget);
  g_autoptr(AirTemplateCall) call = NULL;
  g_autofree char *title = NULL;
  const char *zone, *name;

  validate (self);
  if (!self->valid)
    return;
  call = make_call (self);
  if (call == NULL)
    return;

  zone = air_zone_get_name (get_zone (self));
  name = get_name (self);
  switch (self->mode)
    {
    case AIR_TEMPLATE_DIALOG_IMPORT:
      /* Translators: a job; template, then zone */
      title = g_strdup_printf (_("Import template %s into %s"), name, zone);
      break;
    case AIR_TEMPLATE_DIALOG_CREATE:
      /* Translators: a job; template, then zone */
      title = g_strdup_printf (_("Create template %s in %s"), name, zone);
      break;
    case AIR_TEMPLATE_DIALOG_UPDATE:
    default:
      /* Translators: a job; template, then zone */
      title = g_strdup_printf (_("Update template %s in %s"), name, zone);
      break;
    }
  g_signal_emit (self, signals[START], 0, call, zone, title);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
air_template_dialog_dispose (GObject *object)
{
  AirTemplateDialog *self = (AirTemplateDialog *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_TEMPLATE_DIALOG);

  G_OBJECT_CLASS (air_template_dialog_parent_class)->dispose (object);
}

static void
air_template_dialog_finalize (GObject *object)
{
  AirTemplateDialog *self = (AirTemplateDialog *)object;

  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->rootfs);
  g_clear_object (&self->bases);
  g_clear_pointer (&self->packages, g_ptr_array_unref);
  g_clear_pointer (&self->problem, g_free);
  g_clear_pointer (&self->shown_message, g_free);

  G_OBJECT_CLASS (air_template_dialog_parent_class)->finalize (object);
}

static void
air_template_dialog_class_init (AirTemplateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_template_dialog_dispose;
  object_class->finalize = air_template_dialog_finalize;

  /**
   * AirTemplateDialog::start:
   * @call: the build, ready to run
   * @zone: its zone
   * @title: the job's title
   */
  signals[START] =
    g_signal_new ("start", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  AIR_TYPE_TEMPLATE_CALL, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-template-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, zone_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, name_entry);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, rootfs_title);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, rootfs_box);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, rootfs_label);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, base_title);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, base_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, packages_title);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, packages_box);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, package_list);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, package_entry);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, command_title);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, command_entry);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, upgrade_check);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, accept_button);
  gtk_widget_class_bind_template_child (widget_class, AirTemplateDialog, message);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, zone_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, package_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, package_changed_cb);

  gtk_widget_class_install_action (widget_class, "dialog.accept", NULL, accept_action);
  gtk_widget_class_install_action (widget_class, "dialog.choose-rootfs", NULL, choose_rootfs_action);
  gtk_widget_class_install_action (widget_class, "dialog.add-package", NULL, add_package_action);
  gtk_widget_class_install_action (widget_class, "dialog.add-file", NULL, add_file_action);
  gtk_widget_class_install_action (widget_class, "dialog.remove-package", "u", remove_package_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
air_template_dialog_init (AirTemplateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->packages = g_ptr_array_new_with_free_func ((GDestroyNotify) package_free);
  self->bases = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->base_dropdown, G_LIST_MODEL (self->bases));
}

/**
 * air_template_dialog_new:
 * @zone: (nullable): the zone to preselect; fixed for an update
 * @name: (nullable): the template to update
 */
AirTemplateDialog *
air_template_dialog_new (GtkWindow             *parent,
                         AirSession            *session,
                         AirTemplateDialogMode  mode,
                         const char            *zone,
                         const char            *name)
{
  AirTemplateDialog *self;
  g_autoptr(GtkExpression) zone_name = NULL;
  gboolean import = mode == AIR_TEMPLATE_DIALOG_IMPORT;
  gboolean update = mode == AIR_TEMPLATE_DIALOG_UPDATE;
  GListModel *zones;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);
  g_return_val_if_fail (!update || (zone != NULL && name != NULL), NULL);

  self = g_object_new (AIR_TYPE_TEMPLATE_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->mode = mode;

  gtk_widget_set_visible (self->rootfs_title, import);
  gtk_widget_set_visible (self->rootfs_box, import);
  gtk_widget_set_visible (self->base_title, mode == AIR_TEMPLATE_DIALOG_CREATE);
  gtk_widget_set_visible (GTK_WIDGET (self->base_dropdown), mode == AIR_TEMPLATE_DIALOG_CREATE);
  gtk_widget_set_visible (self->packages_title, !import);
  gtk_widget_set_visible (self->packages_box, !import);
  gtk_widget_set_visible (self->command_title, !import);
  gtk_widget_set_visible (GTK_WIDGET (self->command_entry), !import);
  gtk_widget_set_visible (GTK_WIDGET (self->upgrade_check), update);

  zones = air_session_get_zones (session);
  zone_name = gtk_property_expression_new (AIR_TYPE_ZONE, NULL, "name");
  gtk_drop_down_set_expression (self->zone_dropdown, zone_name);
  gtk_drop_down_set_model (self->zone_dropdown, zones);
  for (guint i = 0; zone != NULL && i < g_list_model_get_n_items (zones); i++)
    {
      g_autoptr(AirZone) item = g_list_model_get_item (zones, i);

      if (g_strcmp0 (air_zone_get_name (item), zone) == 0)
        gtk_drop_down_set_selected (self->zone_dropdown, i);
    }

  if (import)
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Import Template"));
      gtk_button_set_label (self->accept_button, _("_Import"));
    }
  else if (update)
    {
      g_autofree char *title = g_strdup_printf (_("Update %s"), name);

      gtk_window_set_title (GTK_WINDOW (self), title);
      gtk_button_set_label (self->accept_button, _("_Update"));
      gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
      gtk_widget_set_sensitive (GTK_WIDGET (self->zone_dropdown), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->name_entry), FALSE);
    }

  gtk_window_set_focus (GTK_WINDOW (self), update ? GTK_WIDGET (self->package_entry)
                                                 : GTK_WIDGET (self->name_entry));
  zone_changed_cb (self);
  return self;
}

/* Whether a package file is still being looked at. */
gboolean
air_template_dialog_get_busy (AirTemplateDialog *self)
{
  g_return_val_if_fail (AIR_IS_TEMPLATE_DIALOG (self), FALSE);
  return self->pending_files > 0;
}

/* The line under the fields: what is wrong, or what will happen. */
const char *
air_template_dialog_get_message (AirTemplateDialog *self)
{
  g_return_val_if_fail (AIR_IS_TEMPLATE_DIALOG (self), NULL);
  return self->shown_message;
}
