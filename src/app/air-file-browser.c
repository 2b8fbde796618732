/* air-file-browser.c — the files of the selected qube, to drag elsewhere
 *
 * Lists one folder of the qube's home with qubesair.FileList (folders
 * first); a folder opens on activation. Each row is a drag source of an
 * AirFileDrag, which a qube row or a qube on the map accepts: the bytes
 * then stream from this qube's zone to the other through this process.
 * Names come from the zone: they were checked (one clean UTF-8 component)
 * when the listing was parsed, and are shown as plain text, never markup.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-file-browser"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-file-browser.h"
#include "air-file-transfer.h"
#include "air-transfer.h"

struct _AirFileBrowser
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkWidget     *box;
  GtkButton     *up_button;
  GtkButton     *reload_button;
  GtkLabel      *qube_label;
  GtkLabel      *path_label;
  GtkLabel      *status_label;
  GtkListView   *list_view;

  /* Owned references */
  AirSession    *session;
  AirQube       *qube;
  GCancellable  *cancellable;
  GtkStringList *names;
  GPtrArray     *entries;     /* AirFileEntry, in the order of @names */
  char          *path;        /* relative to the qube's home, "" for it */
};

G_DEFINE_FINAL_TYPE (AirFileBrowser, air_file_browser, GTK_TYPE_WIDGET)

static void
air_file_browser_dispose (GObject *object)
{
  AirFileBrowser *self = AIR_FILE_BROWSER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_FILE_BROWSER);
  g_clear_object (&self->session);
  g_clear_object (&self->qube);
  g_clear_object (&self->names);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (air_file_browser_parent_class)->dispose (object);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const AirFileEntry *x = *(AirFileEntry * const *) a;
  const AirFileEntry *y = *(AirFileEntry * const *) b;
  gboolean xd = x->type == AIR_FILE_TYPE_FOLDER, yd = y->type == AIR_FILE_TYPE_FOLDER;

  if (xd != yd)
    return xd ? -1 : 1;
  return g_utf8_collate (x->name, y->name);
}

static void
show_status (AirFileBrowser *self,
             const char     *text)
{
  gtk_label_set_text (self->status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  AirFileBrowser *self = user_data;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint old;

  entries = air_file_transfer_list_finish (AIR_ZONE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }

  old = g_list_model_get_n_items (G_LIST_MODEL (self->names));
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  if (entries == NULL)
    {
      /* Already made safe by the transport (sanitised, length-limited). */
      gtk_string_list_splice (self->names, 0, old, NULL);
      show_status (self, error->message);
      g_object_unref (self);
      return;
    }

  g_ptr_array_sort (entries, compare_entries);
  {
    g_autofree const char **names = g_new0 (const char *, entries->len + 1);

    for (guint i = 0; i < entries->len; i++)
      names[i] = ((AirFileEntry *) g_ptr_array_index (entries, i))->name;
    self->entries = g_steal_pointer (&entries);
    gtk_string_list_splice (self->names, 0, old, names);
  }
  show_status (self, self->entries->len == 0 ? _("This folder is empty.") : NULL);
  g_object_unref (self);
}

static void
reload (AirFileBrowser *self)
{
  AirZone *zone;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_set_sensitive (GTK_WIDGET (self->up_button), self->qube != NULL && self->path[0] != '\0');
  gtk_widget_set_sensitive (GTK_WIDGET (self->reload_button), self->qube != NULL);

  if (self->qube == NULL || self->session == NULL)
    {
      gtk_string_list_splice (self->names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->names)), NULL);
      g_clear_pointer (&self->entries, g_ptr_array_unref);
      gtk_label_set_text (self->qube_label, _("Files"));
      gtk_label_set_text (self->path_label, "");
      show_status (self, _("Select a qube to see its files."));
      return;
    }

  {
    /* Translators: the files pane's title is the qube's name, then ~/path */
    g_autofree char *title = g_strdup_printf (_("%s:"), air_qube_get_name (self->qube));
    g_autofree char *path = g_strdup_printf ("~/%s", self->path);

    gtk_label_set_text (self->qube_label, title);
    gtk_label_set_text (self->path_label, path);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->path_label), path);
  }

  zone = air_session_lookup_zone (self->session, air_qube_get_zone (self->qube));
  if (zone == NULL)
    return;
  show_status (self, _("Loading…"));
  self->cancellable = g_cancellable_new ();
  air_file_transfer_list_async (zone, air_qube_get_name (self->qube), self->path,
                                self->cancellable, list_cb, g_object_ref (self));
}

void
air_file_browser_open (AirFileBrowser *self,
                       const char     *path)
{
  g_return_if_fail (AIR_IS_FILE_BROWSER (self));

  g_free (self->path);
  self->path = g_strdup (path ? path : "");
  reload (self);
}

static char *
child_path (AirFileBrowser *self,
            const char     *name)
{
  return self->path[0] ? g_strconcat (self->path, "/", name, NULL) : g_strdup (name);
}

static void
activate_cb (GtkListView    *list_view,
             guint           position,
             AirFileBrowser *self)
{
  AirFileEntry *entry;
  g_autofree char *path = NULL;

  if (self->entries == NULL || position >= self->entries->len)
    return;
  entry = g_ptr_array_index (self->entries, position);
  if (entry->type != AIR_FILE_TYPE_FOLDER)
    return;
  path = child_path (self, entry->name);
  air_file_browser_open (self, path);
}

static void
up_clicked_cb (GtkButton      *button,
               AirFileBrowser *self)
{
  char *slash = strrchr (self->path, '/');
  g_autofree char *parent = slash ? g_strndup (self->path, slash - self->path) : g_strdup ("");

  air_file_browser_open (self, parent);
}

static void
reload_clicked_cb (GtkButton      *button,
                   AirFileBrowser *self)
{
  reload (self);
}

static GdkContentProvider *
drag_prepare_cb (GtkDragSource  *source,
                 double          x,
                 double          y,
                 GtkListItem    *list_item)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  AirFileBrowser *self = AIR_FILE_BROWSER (gtk_widget_get_ancestor (row, AIR_TYPE_FILE_BROWSER));
  guint position = gtk_list_item_get_position (list_item);
  g_autoptr(AirFileDrag) drag = NULL;
  g_autofree char *path = NULL;
  const char *paths[2] = { NULL, NULL };
  AirFileEntry *entry;

  if (self == NULL || self->qube == NULL || self->entries == NULL || position >= self->entries->len)
    return NULL;
  entry = g_ptr_array_index (self->entries, position);
  path = child_path (self, entry->name);
  paths[0] = path;
  drag = air_file_drag_new (air_qube_get_zone (self->qube), air_qube_get_name (self->qube), paths,
                            entry->type == AIR_FILE_TYPE_FILE ? entry->size : 0);
  return gdk_content_provider_new_typed (AIR_TYPE_FILE_DRAG, drag);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *size = gtk_label_new (NULL);
  GtkDragSource *source = gtk_drag_source_new ();

  gtk_label_set_xalign (GTK_LABEL (name), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_use_markup (GTK_LABEL (name), FALSE);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (size, "dim-label");
  gtk_widget_add_css_class (size, "numeric");
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), size);

  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  g_signal_connect (source, "prepare", G_CALLBACK (drag_prepare_cb), list_item);
  gtk_widget_add_controller (box, GTK_EVENT_CONTROLLER (source));

  gtk_list_item_set_child (list_item, box);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         AirFileBrowser           *self)
{
  static const char * const icons[] = {
    "text-x-generic-symbolic", "folder-symbolic", "emblem-symbolic-link-symbolic", "dialog-question-symbolic",
  };
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *name = gtk_widget_get_next_sibling (icon);
  GtkWidget *size = gtk_widget_get_next_sibling (name);
  guint position = gtk_list_item_get_position (list_item);
  AirFileEntry *entry;
  g_autofree char *size_text = NULL;

  if (self->entries == NULL || position >= self->entries->len)
    return;
  entry = g_ptr_array_index (self->entries, position);
  gtk_image_set_from_icon_name (GTK_IMAGE (icon), icons[MIN ((guint) entry->type, 3)]);
  gtk_label_set_text (GTK_LABEL (name), entry->name);
  if (entry->type == AIR_FILE_TYPE_FILE)
    size_text = g_format_size (entry->size);
  gtk_label_set_text (GTK_LABEL (size), size_text ? size_text : "");
}

static void
air_file_browser_class_init (AirFileBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_file_browser_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-file-browser.ui");
  gtk_widget_class_bind_template_child (widget_class, AirFileBrowser, box);
  gtk_widget_class_bind_template_child (widget_class, AirFileBrowser, up_button);
  gtk_widget_class_bind_template_child (widget_class, AirFileBrowser, reload_button);
  gtk_widget_class_bind_template_child (widget_class, AirFileBrowser, qube_label);
  gtk_widget_class_bind_template_child (widget_class, AirFileBrowser, path_label);
  gtk_widget_class_bind_template_child (widget_class, AirFileBrowser, status_label);
  gtk_widget_class_bind_template_child (widget_class, AirFileBrowser, list_view);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, up_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, reload_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "filebrowser");
}

static void
air_file_browser_init (AirFileBrowser *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkSingleSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->path = g_strdup ("");
  self->names = gtk_string_list_new (NULL);
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->names)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
}

GtkWidget *
air_file_browser_new (void)
{
  return g_object_new (AIR_TYPE_FILE_BROWSER, NULL);
}

void
air_file_browser_set_session (AirFileBrowser *self,
                              AirSession     *session)
{
  g_return_if_fail (AIR_IS_FILE_BROWSER (self));
  g_set_object (&self->session, session);
  reload (self);
}

/* A new qube starts at its home; the same qube keeps its folder. */
void
air_file_browser_set_qube (AirFileBrowser *self,
                           AirQube        *qube)
{
  g_return_if_fail (AIR_IS_FILE_BROWSER (self));

  if (qube == self->qube)
    return;
  if (qube != NULL && self->qube != NULL &&
      g_strcmp0 (air_qube_get_name (qube), air_qube_get_name (self->qube)) == 0 &&
      g_strcmp0 (air_qube_get_zone (qube), air_qube_get_zone (self->qube)) == 0)
    {
      g_set_object (&self->qube, qube);
      return;
    }
  g_set_object (&self->qube, qube);
  air_file_browser_open (self, "");
}

const char *
air_file_browser_get_path (AirFileBrowser *self)
{
  g_return_val_if_fail (AIR_IS_FILE_BROWSER (self), NULL);
  return self->path;
}

GListModel *
air_file_browser_get_model (AirFileBrowser *self)
{
  g_return_val_if_fail (AIR_IS_FILE_BROWSER (self), NULL);
  return G_LIST_MODEL (self->names);
}
