/* air-template-dialog-private.h — AirTemplateDialog's fields and the
 * functions its files share (air-template-dialog.c: the object, the check
 * of the fields, the bases and the call; -packages.c: the list of
 * packages; -files.c: the tarball, package files and the file chooser)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-template-dialog.h"

G_BEGIN_DECLS

/* One package asked for: a name, or a file with its size. */
typedef struct {
  char    *text;       /* the name, or the file's base name */
  char    *path;       /* NULL for a name */
  guint64  size;
} AirTemplateDialogPackage;

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
  GPtrArray             *packages;      /* AirTemplateDialogPackage */
  GtkStringList         *bases;
  char                  *problem;       /* what the last add refused, until the next change */
  char                  *shown_message;
  AirTemplateDialogMode  mode;
  guint                  pending_files;
  gboolean               chooser_rootfs;
  gboolean               valid;
};

/* air-template-dialog.c */
const char *_air_template_dialog_get_name            (AirTemplateDialog        *self);
void        _air_template_dialog_validate            (AirTemplateDialog        *self);
void        _air_template_dialog_set_problem         (AirTemplateDialog        *self,
                                                      const char               *problem);

/* air-template-dialog-packages.c */
void        _air_template_dialog_class_packages_init (AirTemplateDialogClass   *klass);
void        _air_template_dialog_package_free        (AirTemplateDialogPackage *package);
gboolean    _air_template_dialog_add_package         (AirTemplateDialog        *self,
                                                      const char               *text,
                                                      const char               *path,
                                                      guint64                   size);

/* air-template-dialog-files.c */
void        _air_template_dialog_class_files_init    (AirTemplateDialogClass   *klass);

G_END_DECLS
