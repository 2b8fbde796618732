/* air-window.c
 *
 * The window is a view of the session (GNOME Text Editor's EditorWindow):
 * the zone map, the inventory as a GtkColumnView over the session's
 * AirInventory through a GtkFilterListModel and a GtkSortListModel (never a
 * copy), the details of the selected qube and the job list. Actions live in
 * air-window-actions.c, the inventory's columns and cells in
 * air-window-columns.c, which of its rows the column view is given (the
 * first frame makes only those that can be seen) in air-window-rows.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-window"

#include "config.h"

#include <glib/gi18n.h>

#include "air-file-browser.h"
#include "air-job-row.h"
#include "air-resources.h"
#include "air-names.h"
#include "air-settings.h"
#include "air-window-private.h"
#include "air-zone-chip.h"

G_DEFINE_FINAL_TYPE (AirWindow, air_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
zone_filter_func (gpointer item,
                  gpointer user_data)
{
  AirWindow *self = user_data;

  return self->zone_filter_name == NULL ||
         g_strcmp0 (air_qube_get_zone (item), self->zone_filter_name) == 0;
}

static gboolean
contains_folded (const char *text,
                 const char *needle)
{
  g_autofree char *folded = NULL;

  if (text == NULL || text[0] == '\0')
    return FALSE;
  folded = g_utf8_casefold (text, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
search_filter_func (gpointer item,
                    gpointer user_data)
{
  AirWindow *self = user_data;
  AirQube *qube = item;

  if (self->search_text == NULL)
    return TRUE;

  return contains_folded (air_qube_get_name (qube), self->search_text) ||
         contains_folded (air_qube_get_zone (qube), self->search_text) ||
         contains_folded (air_qube_get_template (qube), self->search_text);
}

static void
update_inventory_page (AirWindow *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  guint total = g_list_model_get_n_items (G_LIST_MODEL (air_session_get_inventory (self->session)));
  AirZone *zone;

  if (shown > 0)
    {
      gtk_stack_set_visible_child_name (self->inventory_stack, "list");
      return;
    }

  if (self->search_text != NULL)
    {
      gtk_label_set_text (self->empty_title, _("No qube matches"));
      gtk_label_set_text (self->empty_body, _("Search looks at the names of qubes, zones and templates."));
    }
  else if (self->zone_filter_name != NULL && (zone = air_session_lookup_zone (self->session, self->zone_filter_name)) != NULL &&
           air_zone_get_health (zone) == AIR_HEALTH_DOWN)
    {
      /* A zone that is down has no qubes to show: say why, and what to do. */
      g_autofree char *title = g_strdup_printf (_("Zone %s is down"), self->zone_filter_name);
      g_autofree char *reason = air_text_sanitize (air_zone_get_health_reason (zone), -1, 300);
      g_autofree char *body = g_strdup_printf (_("%s\nIts qubes show again when it is back. “Reconnect” in the "
                                                 "zone's menu tries now; “Edit Zone” changes how it is reached."),
                                               reason[0] ? reason : _("It does not answer."));

      gtk_label_set_text (self->empty_title, title);
      gtk_label_set_text (self->empty_body, body);
    }
  else if (self->zone_filter_name != NULL && total > 0)
    {
      g_autofree char *body = g_strdup_printf (_("The zone %s has no qubes yet. Create one with “New Qube”."),
                                               self->zone_filter_name);
      gtk_label_set_text (self->empty_title, _("No qubes in this zone"));
      gtk_label_set_text (self->empty_body, body);
    }
  else
    {
      gtk_label_set_text (self->empty_title, _("Create your first qube"));
      gtk_label_set_text (self->empty_body,
                          _("A qube is an isolated place for one part of your work. "
                            "“New Qube” makes one in the local zone or in any zone you add."));
    }

  gtk_stack_set_visible_child_name (self->inventory_stack, "empty");
}

/* The filtered zone's link: its state and reason are what the empty page
 * says of it. */
static void
zone_link_changed_cb (AirWindow *self)
{
  update_inventory_page (self);
}

static void
retarget_zone_link (AirWindow *self)
{
  AirZoneLink *link = NULL;

  if (self->session != NULL && self->zone_filter_name != NULL)
    link = air_session_get_link (self->session, self->zone_filter_name);
  g_signal_group_set_target (self->zone_link_signals, link);
}

static void
links_changed_cb (GListModel *links,
                  guint       position,
                  guint       removed,
                  guint       added,
                  AirWindow  *self)
{
  retarget_zone_link (self);
}

static void
filter_items_changed_cb (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         AirWindow  *self)
{
  update_inventory_page (self);
}

static void
selection_changed_cb (GtkSingleSelection *selection,
                      GParamSpec         *pspec,
                      AirWindow          *self)
{
  AirQube *qube = gtk_single_selection_get_selected_item (selection);

  air_qube_details_set_qube (self->details, qube);
  air_file_browser_set_qube (self->file_browser, qube);
  air_zone_map_set_selected_qube (self->zone_map, qube);
  g_signal_group_set_target (self->qube_signals, qube);
  _air_window_actions_update (self);
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   AirWindow      *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_clear_pointer (&self->search_text, g_free);
  if (text != NULL && text[0] != '\0')
    self->search_text = g_utf8_casefold (text, -1);

  gtk_filter_changed (GTK_FILTER (self->search_filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_inventory_page (self);
}

static void
map_zone_activated_cb (AirZoneMap *map,
                       const char *zone,
                       AirWindow  *self)
{
  air_window_set_zone_filter (self, zone);
}

static void
map_qube_activated_cb (AirZoneMap *map,
                       AirQube    *qube,
                       AirWindow  *self)
{
  air_window_select_qube (self, air_qube_get_zone (qube), air_qube_get_name (qube));
}

static void
chip_activated_cb (GtkFlowBox      *box,
                   GtkFlowBoxChild *child,
                   AirWindow       *self)
{
  AirZone *zone = air_zone_chip_get_zone (AIR_ZONE_CHIP (gtk_flow_box_child_get_child (child)));
  const char *name = air_zone_get_name (zone);

  air_window_set_zone_filter (self, g_strcmp0 (name, self->zone_filter_name) == 0 ? NULL : name);
}

static GtkWidget *
create_chip_cb (gpointer item,
                gpointer user_data)
{
  AirWindow *self = user_data;

  return air_zone_chip_new (self->session, item);
}

static void
setup_job_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (list_item, air_job_row_new ());
  gtk_list_item_set_activatable (list_item, FALSE);
}

static void
bind_job_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  air_job_row_set_job (AIR_JOB_ROW (gtk_list_item_get_child (list_item)),
                       gtk_list_item_get_item (list_item));
}

static void
unbind_job_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  air_job_row_set_job (AIR_JOB_ROW (gtk_list_item_get_child (list_item)), NULL);
}

static void
jobs_changed_cb (GListModel *jobs,
                 guint       position,
                 guint       removed,
                 guint       added,
                 AirWindow  *self)
{
  gboolean empty = g_list_model_get_n_items (jobs) == 0;

  /* No blank rows kept for jobs that are not there: the files get them. */
  gtk_widget_set_visible (GTK_WIDGET (self->jobs_empty), empty);
  gtk_widget_set_visible (self->jobs_scroller, !empty);
}

static void
zones_changed_cb (GListModel *zones,
                  guint       position,
                  guint       removed,
                  guint       added,
                  AirWindow  *self)
{
  if (self->zone_filter_name != NULL &&
      air_session_lookup_zone (self->session, self->zone_filter_name) == NULL)
    air_window_set_zone_filter (self, NULL);
  _air_window_actions_update (self);
}

static void
qube_state_changed_cb (AirWindow *self)
{
  _air_window_actions_update (self);
}

static void
setup_models (AirWindow *self)
{
  GListModel *inventory = G_LIST_MODEL (air_session_get_inventory (self->session));
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);
  g_autoptr(GtkListItemFactory) job_factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkNoSelection) jobs = NULL;

  self->zone_filter = gtk_custom_filter_new (zone_filter_func, self, NULL);
  self->search_filter = gtk_custom_filter_new (search_filter_func, self, NULL);
  self->filter = gtk_every_filter_new ();
  gtk_multi_filter_append (GTK_MULTI_FILTER (self->filter), g_object_ref (GTK_FILTER (self->zone_filter)));
  gtk_multi_filter_append (GTK_MULTI_FILTER (self->filter), g_object_ref (GTK_FILTER (self->search_filter)));

  self->filter_model = gtk_filter_list_model_new (g_object_ref (inventory),
                                                  g_object_ref (GTK_FILTER (self->filter)));
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filter_model)),
                                              sorter ? g_object_ref (sorter) : NULL);
  _air_window_rows_init (self);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->slice_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  /* Made with autoselect on, the model has already chosen the first qube
   * when the list had rows (a window reopened from the tray): the user
   * chose nothing, so nothing is selected. */
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, 0);
  /* Details, map and actions start from the same (empty) selection. */
  selection_changed_cb (self->selection, NULL, self);
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (filter_items_changed_cb), self, 0);
  g_signal_connect_object (air_session_get_links (self->session), "items-changed",
                           G_CALLBACK (links_changed_cb), self, 0);
  retarget_zone_link (self);
  g_signal_connect_object (air_session_get_zones (self->session), "items-changed",
                           G_CALLBACK (zones_changed_cb), self, 0);

  air_zone_map_set_session (self->zone_map, self->session);
  air_file_browser_set_session (self->file_browser, self->session);
  gtk_flow_box_bind_model (self->zone_chips, air_session_get_zones (self->session),
                           create_chip_cb, self, NULL);

  g_signal_connect (job_factory, "setup", G_CALLBACK (setup_job_cb), NULL);
  g_signal_connect (job_factory, "bind", G_CALLBACK (bind_job_cb), NULL);
  g_signal_connect (job_factory, "unbind", G_CALLBACK (unbind_job_cb), NULL);
  jobs = gtk_no_selection_new (g_object_ref (air_session_get_jobs (self->session)));
  gtk_list_view_set_factory (self->job_list, job_factory);
  gtk_list_view_set_model (self->job_list, GTK_SELECTION_MODEL (jobs));
  g_signal_connect_object (air_session_get_jobs (self->session), "items-changed",
                           G_CALLBACK (jobs_changed_cb), self, 0);
  jobs_changed_cb (air_session_get_jobs (self->session), 0, 0, 0, self);

  /* Sort by name until the user picks a column. */
  gtk_column_view_sort_by_column (self->column_view, self->column_name, GTK_SORT_ASCENDING);
  update_inventory_page (self);
}

static void
restore_state (AirWindow *self)
{
  g_autofree char *zone = NULL;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, AIR_SETTINGS_WINDOW_WIDTH),
                               g_settings_get_int (self->settings, AIR_SETTINGS_WINDOW_HEIGHT));
  if (g_settings_get_boolean (self->settings, AIR_SETTINGS_WINDOW_MAXIMIZED))
    gtk_window_maximize (GTK_WINDOW (self));

  zone = g_settings_get_string (self->settings, AIR_SETTINGS_ZONE_FILTER);
  if (zone[0] != '\0' && air_session_lookup_zone (self->session, zone) != NULL)
    air_window_set_zone_filter (self, zone);
}

static gboolean
air_window_close_request (GtkWindow *window)
{
  AirWindow *self = AIR_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  if (!gtk_window_is_maximized (window) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, AIR_SETTINGS_WINDOW_WIDTH, width);
      g_settings_set_int (self->settings, AIR_SETTINGS_WINDOW_HEIGHT, height);
    }
  g_settings_set_boolean (self->settings, AIR_SETTINGS_WINDOW_MAXIMIZED, gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (air_window_parent_class)->close_request (window);
}

static void
air_window_constructed (GObject *object)
{
  AirWindow *self = (AirWindow *)object;

  G_OBJECT_CLASS (air_window_parent_class)->constructed (object);

  g_assert (self->session != NULL);

  setup_models (self);
  restore_state (self);
  _air_window_rows_start (self);
  _air_window_actions_update (self);
}

static void
air_window_dispose (GObject *object)
{
  AirWindow *self = (AirWindow *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  if (self->qube_signals != NULL)
    g_signal_group_set_target (self->qube_signals, NULL);
  if (self->zone_link_signals != NULL)
    g_signal_group_set_target (self->zone_link_signals, NULL);

  if (self->context_menu != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->context_menu));
      self->context_menu = NULL;
    }

  _air_window_rows_stop (self);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_WINDOW);

  g_clear_object (&self->selection);
  g_clear_object (&self->slice_model);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->zone_filter);
  g_clear_object (&self->search_filter);

  G_OBJECT_CLASS (air_window_parent_class)->dispose (object);
}

static void
air_window_finalize (GObject *object)
{
  AirWindow *self = (AirWindow *)object;

  g_clear_object (&self->qube_signals);
  g_clear_object (&self->zone_link_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->zone_filter_name, g_free);
  g_clear_pointer (&self->search_text, g_free);
  g_weak_ref_clear (&self->credentials_page);
  g_weak_ref_clear (&self->drop_row);

  G_OBJECT_CLASS (air_window_parent_class)->finalize (object);
}

static void
air_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  AirWindow *self = AIR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  AirWindow *self = AIR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_window_class_init (AirWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = air_window_constructed;
  object_class->dispose = air_window_dispose;
  object_class->finalize = air_window_finalize;
  object_class->get_property = air_window_get_property;
  object_class->set_property = air_window_set_property;

  window_class->close_request = air_window_close_request;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, AIR_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Links the GResource (registered by its constructor) into every program
   * that shows a window, also from the static library. */
  g_assert (air_get_resource () != NULL);

  g_type_ensure (AIR_TYPE_ZONE_MAP);
  g_type_ensure (AIR_TYPE_QUBE_DETAILS);
  g_type_ensure (AIR_TYPE_FILE_BROWSER);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AirWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, map_paned);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, zone_map);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, zone_chips);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, column_label);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, column_name);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, column_zone);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, column_state);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, column_class);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, column_template);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, column_memory);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, column_vcpus);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, column_ip);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, column_uptime);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, inventory_stack);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, filter_revealer);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, filter_label);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, details);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, file_browser);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, job_list);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, jobs_empty);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, jobs_scroller);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, context_menu);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, empty_title);
  gtk_widget_class_bind_template_child (widget_class, AirWindow, empty_body);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, map_zone_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, map_qube_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, chip_activated_cb);

  _air_window_class_actions_init (klass);
  _air_window_class_columns_init (klass);
}

static void
air_window_init (AirWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  g_weak_ref_init (&self->credentials_page, NULL);
  g_weak_ref_init (&self->drop_row, NULL);
  self->settings = g_settings_new (AIR_SETTINGS_SCHEMA);
  self->qube_signals = g_signal_group_new (AIR_TYPE_QUBE);
  g_signal_group_connect_swapped (self->qube_signals, "notify::state",
                                  G_CALLBACK (qube_state_changed_cb), self);
  self->zone_link_signals = g_signal_group_new (AIR_TYPE_ZONE_LINK);
  g_signal_group_connect_swapped (self->zone_link_signals, "notify::state",
                                  G_CALLBACK (zone_link_changed_cb), self);
  g_signal_group_connect_swapped (self->zone_link_signals, "notify::health-reason",
                                  G_CALLBACK (zone_link_changed_cb), self);

  _air_window_columns_init (self);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
}

AirWindow *
air_window_new (GtkApplication *application,
                AirSession     *session)
{
  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);

  return g_object_new (AIR_TYPE_WINDOW,
                       "application", application,
                       "session", session,
                       NULL);
}

AirSession *
air_window_get_session (AirWindow *self)
{
  g_return_val_if_fail (AIR_IS_WINDOW (self), NULL);
  return self->session;
}

/**
 * air_window_get_qubes:
 *
 * Returns: (transfer none): the qubes as the inventory shows them
 */
GListModel *
air_window_get_qubes (AirWindow *self)
{
  g_return_val_if_fail (AIR_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->sort_model);
}

AirQube *
air_window_get_selected (AirWindow *self)
{
  g_return_val_if_fail (AIR_IS_WINDOW (self), NULL);
  return gtk_single_selection_get_selected_item (self->selection);
}

gboolean
air_window_select_qube (AirWindow  *self,
                        const char *zone,
                        const char *name)
{
  AirQube *qube;
  guint n;

  g_return_val_if_fail (AIR_IS_WINDOW (self), FALSE);

  qube = air_inventory_lookup (air_session_get_inventory (self->session), zone, name);
  if (qube == NULL)
    return FALSE;

  if (!zone_filter_func (qube, self) || !search_filter_func (qube, self))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      air_window_set_zone_filter (self, NULL);
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirQube) item = g_list_model_get_item (G_LIST_MODEL (self->sort_model), i);

      if (item == qube)
        {
          _air_window_rows_show_all (self);
          gtk_single_selection_set_selected (self->selection, i);
          _air_window_rows_scroll_to (self, i);
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * air_window_get_credentials_page:
 *
 * Returns: (transfer none) (nullable): the credentials page, while it is open
 */
GtkWindow *
air_window_get_credentials_page (AirWindow *self)
{
  GtkWindow *page;

  g_return_val_if_fail (AIR_IS_WINDOW (self), NULL);

  /* An open toplevel is kept alive by GTK's list of toplevels. */
  page = g_weak_ref_get (&self->credentials_page);
  if (page != NULL)
    g_object_unref (page);
  return page;
}

const char *
air_window_get_zone_filter (AirWindow *self)
{
  g_return_val_if_fail (AIR_IS_WINDOW (self), NULL);
  return self->zone_filter_name;
}

/* Shows only the qubes of @zone, or of every zone with %NULL. */
void
air_window_set_zone_filter (AirWindow  *self,
                            const char *zone)
{
  g_return_if_fail (AIR_IS_WINDOW (self));

  if (zone != NULL && zone[0] == '\0')
    zone = NULL;
  if (g_strcmp0 (zone, self->zone_filter_name) == 0)
    return;

  g_free (self->zone_filter_name);
  self->zone_filter_name = g_strdup (zone);
  retarget_zone_link (self);

  gtk_filter_changed (GTK_FILTER (self->zone_filter), GTK_FILTER_CHANGE_DIFFERENT);
  air_zone_map_set_selected_zone (self->zone_map, zone);
  g_settings_set_string (self->settings, AIR_SETTINGS_ZONE_FILTER, zone ? zone : "");

  if (zone != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Showing the qubes of the zone %s"), zone);
      gtk_label_set_text (self->filter_label, text);
    }
  gtk_revealer_set_reveal_child (self->filter_revealer, zone != NULL);

  update_inventory_page (self);
  _air_window_actions_update (self);
}

/* A message for the user across the top of the window; %NULL hides it. */
void
air_window_show_error (AirWindow  *self,
                       const char *message)
{
  g_return_if_fail (AIR_IS_WINDOW (self));

  if (message != NULL)
    gtk_label_set_text (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}
