/* air-template-dialog.c
 *
 * One dialog for the three template builds: Import (zone, name, a root
 * file system tarball), New Template (zone, name, the base, packages,
 * an optional command) and Update (packages, command, "upgrade every
 * package first"). What the user gives is checked here, before anything
 * is sent, and the line under the fields says what is wrong.
 *
 * This file holds the object, that check, the bases to build on and the
 * call made from the fields; the list of packages is in
 * air-template-dialog-packages.c, the files of this qube (the tarball,
 * package files and the file chooser) in air-template-dialog-files.c.
 * The dialog builds nothing itself: "start" hands an AirTemplateCall
 * ready to run to whoever opened it (the templates page), which runs it
 * as a job.
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
#include "air-template-dialog-private.h"

G_DEFINE_FINAL_TYPE (AirTemplateDialog, air_template_dialog, GTK_TYPE_WINDOW)

enum {
  START,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

const char *
_air_template_dialog_get_name (AirTemplateDialog *self)
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

static gboolean
zone_has_template (AirZone    *zone,
                   const char *name)
{
  const char * const *templates = air_zone_get_templates (zone);

  return templates != NULL && g_strv_contains (templates, name);
}

void
_air_template_dialog_validate (AirTemplateDialog *self)
{
  AirZone *zone = get_zone (self);
  const char *name = _air_template_dialog_get_name (self);
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
  _air_template_dialog_validate (self);
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
  _air_template_dialog_validate (self);
}

void
_air_template_dialog_set_problem (AirTemplateDialog *self,
                                  const char        *problem)
{
  g_free (self->problem);
  self->problem = g_strdup (problem);
  _air_template_dialog_validate (self);
}


/* What the last add refused is forgotten once the entry changes. */
static void
package_changed_cb (AirTemplateDialog *self)
{
  if (self->problem != NULL)
    _air_template_dialog_set_problem (self, NULL);
}

static void
package_activate_cb (AirTemplateDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "dialog.add-package", NULL);
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

      return air_template_call_new_import (zone, _air_template_dialog_get_name (self), path);
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
      AirTemplateDialogPackage *package = g_ptr_array_index (self->packages, i);

      if (package->path == NULL)
        g_strv_builder_add (names, package->text);
      else if (air_template_request_add_file (request, package->text, package->size, &error))
        g_ptr_array_add (paths, g_strdup (package->path));
      else
        {
          _air_template_dialog_set_problem (self, error->message);
          return NULL;
        }
    }
  g_strfreev (request->packages);
  request->packages = g_strv_builder_end (names);
  g_free (request->run);
  request->run = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->command_entry)));
  request->upgrade = self->mode == AIR_TEMPLATE_DIALOG_UPDATE && gtk_check_button_get_active (self->upgrade_check);
  return air_template_call_new_build (zone, _air_template_dialog_get_name (self), request, paths);
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

  _air_template_dialog_validate (self);
  if (!self->valid)
    return;
  call = make_call (self);
  if (call == NULL)
    return;

  zone = air_zone_get_name (get_zone (self));
  name = _air_template_dialog_get_name (self);
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
  _air_template_dialog_class_packages_init (klass);
  _air_template_dialog_class_files_init (klass);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
air_template_dialog_init (AirTemplateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->packages = g_ptr_array_new_with_free_func ((GDestroyNotify) _air_template_dialog_package_free);
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
