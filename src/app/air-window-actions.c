/* air-window-actions.c
 *
 * Every command of the window is a GAction ("win.…"), reached from the
 * toolbar, the context menu, the details pane and the keyboard; which of
 * them can run is decided in one place, _air_window_actions_update().
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-window-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "air-confirm-dialog.h"
#include "air-create-dialog.h"
#include "air-config-dialog.h"
#include "air-credentials-page.h"
#include "air-run-dialog.h"
#include "air-templates-page.h"
#include "air-remotevm-dialog.h"
#include "air-window-private.h"
#include "air-zone-dialog.h"

/* The zone the zone commands act on: the one shown, else the selected qube's,
 * else the one focused on the map. */
char *
_air_window_dup_current_zone (AirWindow *self)
{
  AirQube *qube;

  if (self->zone_filter_name != NULL)
    return g_strdup (self->zone_filter_name);

  qube = air_window_get_selected (self);
  if (qube != NULL)
    return g_strdup (air_qube_get_zone (qube));

  /* the map, or one of its focusable parts (gateway, link, zone) */
  if (gtk_widget_has_focus (GTK_WIDGET (self->zone_map)) ||
      gtk_widget_get_focus_child (GTK_WIDGET (self->zone_map)) != NULL)
    return g_strdup (air_zone_map_get_focus_zone (self->zone_map));

  return NULL;
}

void
_air_window_actions_update (AirWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  AirQube *qube;
  AirQubeState state = AIR_QUBE_STATE_UNKNOWN;
  g_autofree char *zone = NULL;
  gboolean has_zones, running;

  if (self->session == NULL || self->selection == NULL)
    return;

  qube = air_window_get_selected (self);
  if (qube != NULL)
    state = air_qube_get_state (qube);
  running = state == AIR_QUBE_STATE_RUNNING || state == AIR_QUBE_STATE_PAUSED;
  has_zones = g_list_model_get_n_items (air_session_get_zones (self->session)) > 0;
  zone = _air_window_dup_current_zone (self);

  gtk_widget_action_set_enabled (widget, "win.create-qube", has_zones);
  gtk_widget_action_set_enabled (widget, "win.open-disposable", has_zones);
  gtk_widget_action_set_enabled (widget, "win.start-qube",
                                 qube != NULL &&
                                 (state == AIR_QUBE_STATE_HALTED || state == AIR_QUBE_STATE_CRASHED ||
                                  state == AIR_QUBE_STATE_UNKNOWN) &&
                                 air_qube_get_kind (qube) != AIR_QUBE_KIND_DISP_VM);
  gtk_widget_action_set_enabled (widget, "win.shutdown-qube", qube != NULL && running);
  gtk_widget_action_set_enabled (widget, "win.kill-qube",
                                 qube != NULL && state != AIR_QUBE_STATE_HALTED);
  gtk_widget_action_set_enabled (widget, "win.remove-qube",
                                 qube != NULL && !running && state != AIR_QUBE_STATE_STARTING &&
                                 state != AIR_QUBE_STATE_HALTING);
  gtk_widget_action_set_enabled (widget, "win.run-command",
                                 qube != NULL && air_qube_get_kind (qube) != AIR_QUBE_KIND_TEMPLATE_VM);
  /* A disposable is gone before dom0 could use it; a template is not run. */
  gtk_widget_action_set_enabled (widget, "win.use-from-other-qubes",
                                 qube != NULL && air_qube_get_kind (qube) != AIR_QUBE_KIND_TEMPLATE_VM &&
                                 air_qube_get_kind (qube) != AIR_QUBE_KIND_DISP_VM);
  gtk_widget_action_set_enabled (widget, "win.edit-zone", zone != NULL);
  gtk_widget_action_set_enabled (widget, "win.remove-zone", zone != NULL);
  gtk_widget_action_set_enabled (widget, "win.reconnect-zone", zone != NULL);
  gtk_widget_action_set_enabled (widget, "win.show-all-zones", self->zone_filter_name != NULL);
}

/* The qube a confirmation or a job's end acts on, kept with its handler. */
typedef struct
{
  AirWindow *window;   /* weak */
  char      *zone;
  char      *name;
} QubeTarget;

static QubeTarget *
qube_target_new (AirWindow  *window,
                 const char *zone,
                 const char *name)
{
  QubeTarget *target = g_new0 (QubeTarget, 1);

  g_set_weak_pointer (&target->window, window);
  target->zone = g_strdup (zone);
  target->name = g_strdup (name);
  return target;
}

static void
qube_target_free (gpointer  data,
                  GClosure *closure)
{
  QubeTarget *target = data;

  g_clear_weak_pointer (&target->window);
  g_free (target->zone);
  g_free (target->name);
  g_free (target);
}

static void
job_finished_cb (AirJob     *job,
                 QubeTarget *target)
{
  /* A failure is shown in the job list; a new qube gets selected. */
  if (target->window != NULL && air_job_get_state (job) == AIR_JOB_SUCCEEDED)
    air_window_select_qube (target->window, target->zone, target->name);
}

static void
created_cb (AirCreateDialog *dialog,
            AirJob          *job,
            const char      *name,
            AirWindow       *self)
{
  g_signal_connect_data (job, "finished", G_CALLBACK (job_finished_cb),
                         qube_target_new (self, air_job_get_zone (job), name), qube_target_free, 0);
}

static void
create_qube_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);
  g_autofree char *zone = _air_window_dup_current_zone (self);
  AirCreateDialog *dialog = air_create_dialog_new (GTK_WINDOW (self), self->session, zone);

  g_signal_connect_object (dialog, "created", G_CALLBACK (created_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
qube_action (AirWindow     *self,
             AirZoneAction  action)
{
  AirQube *qube = air_window_get_selected (self);

  if (qube == NULL)
    return;

  air_session_qube_action (self->session, air_qube_get_zone (qube), air_qube_get_name (qube), action);
}

static void
start_qube_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  qube_action (AIR_WINDOW (widget), AIR_ZONE_ACTION_START);
}

static void
shutdown_qube_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  qube_action (AIR_WINDOW (widget), AIR_ZONE_ACTION_SHUTDOWN);
}

static void
kill_qube_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  qube_action (AIR_WINDOW (widget), AIR_ZONE_ACTION_KILL);
}

static void
remove_confirmed_cb (AirConfirmDialog *dialog,
                     QubeTarget       *target)
{
  if (target->window != NULL)
    air_session_qube_action (target->window->session, target->zone, target->name, AIR_ZONE_ACTION_REMOVE);
}

static void
remove_qube_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);
  AirQube *qube = air_window_get_selected (self);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AirConfirmDialog *dialog;

  if (qube == NULL)
    return;

  heading = g_strdup_printf (_("Remove %s?"), air_qube_get_name (qube));
  body = g_strdup_printf (_("The qube %s in the zone %s and everything stored in it will be deleted. "
                            "This cannot be undone."),
                          air_qube_get_name (qube), air_qube_get_zone (qube));
  dialog = air_confirm_dialog_new (GTK_WINDOW (self), heading, body, _("_Remove"));
  g_signal_connect_data (dialog, "confirmed", G_CALLBACK (remove_confirmed_cb),
                         qube_target_new (self, air_qube_get_zone (qube), air_qube_get_name (qube)),
                         qube_target_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
run_command_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);
  AirQube *qube = air_window_get_selected (self);
  AirRunDialog *dialog;

  if (qube == NULL)
    return;

  dialog = air_run_dialog_new (GTK_WINDOW (self), self->session,
                               air_qube_get_zone (qube), air_qube_get_name (qube), FALSE);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* What dom0 runs to know the qube as a RemoteVM, to copy there. */
static void
use_from_other_qubes_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);
  AirQube *qube = air_window_get_selected (self);
  AirZone *zone;
  AirRemotevmDialog *dialog;

  if (qube == NULL ||
      (zone = air_session_lookup_zone (self->session, air_qube_get_zone (qube))) == NULL)
    return;

  dialog = air_remotevm_dialog_new (GTK_WINDOW (self), qube, air_zone_get_gateway (zone));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
open_disposable_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);
  g_autofree char *zone = _air_window_dup_current_zone (self);
  AirRunDialog *dialog = air_run_dialog_new (GTK_WINDOW (self), self->session, zone, NULL, TRUE);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_zone_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);
  AirZoneDialog *dialog = air_zone_dialog_new (GTK_WINDOW (self), self->session, NULL);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
edit_zone_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);
  g_autofree char *zone = _air_window_dup_current_zone (self);
  AirZone *object = air_session_lookup_zone (self->session, zone);
  AirZoneDialog *dialog;

  if (object == NULL)
    return;

  dialog = air_zone_dialog_new (GTK_WINDOW (self), self->session, object);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
zone_removed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(AirWindow) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!air_session_change_zone_finish (AIR_SESSION (object), result, &error))
    air_window_show_error (window, error->message);
}

/* Gone from the map at once; the zone list is written off the main
 * thread, and put back if that fails. */
static void
remove_zone_confirmed_cb (AirConfirmDialog *dialog,
                          QubeTarget       *target)
{
  if (target->window != NULL)
    air_session_remove_zone_async (target->window->session, target->zone, NULL,
                                   zone_removed_cb, g_object_ref (target->window));
}

static void
remove_zone_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);
  g_autofree char *zone = _air_window_dup_current_zone (self);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AirConfirmDialog *dialog;

  if (zone == NULL)
    return;

  heading = g_strdup_printf (_("Remove the zone %s?"), zone);
  body = g_strdup_printf (_("Qubes Air forgets the zone %s and stops showing its qubes. "
                            "The qubes themselves stay in the zone; add the zone again to see them."),
                          zone);
  dialog = air_confirm_dialog_new (GTK_WINDOW (self), heading, body, _("_Remove Zone"));
  g_signal_connect_data (dialog, "confirmed", G_CALLBACK (remove_zone_confirmed_cb),
                         qube_target_new (self, zone, NULL), qube_target_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reconnect_zone_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);
  g_autofree char *zone = _air_window_dup_current_zone (self);

  if (zone != NULL)
    air_session_reconnect_zone (self->session, zone);
}

static void
show_zone_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  air_window_set_zone_filter (AIR_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
show_all_zones_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  air_window_set_zone_filter (AIR_WINDOW (widget), NULL);
}

/* "ZONE/NAME" */
static void
select_qube_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  const char *text = g_variant_get_string (parameter, NULL);
  g_auto(GStrv) parts = g_strsplit (text, "/", 2);

  if (parts[0] != NULL && parts[1] != NULL)
    air_window_select_qube (AIR_WINDOW (widget), parts[0], parts[1]);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
focus_map_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (AIR_WINDOW (widget)->zone_map));
}

static void
focus_list_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (AIR_WINDOW (widget)->column_view));
}

static void
clear_jobs_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  air_session_clear_finished_jobs (AIR_WINDOW (widget)->session);
}

static void
dismiss_error_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  air_window_show_error (AIR_WINDOW (widget), NULL);
}

/* One credentials page a window; asking again brings it to the front. */
static void
show_credentials_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);
  g_autoptr(AirCredentialsPage) page = g_weak_ref_get (&self->credentials_page);

  if (page == NULL)
    {
      page = g_object_ref (air_credentials_page_new (GTK_WINDOW (self), self->session, NULL));
      g_weak_ref_set (&self->credentials_page, page);
    }
  else
    air_credentials_page_refresh (page);

  gtk_window_present (GTK_WINDOW (page));
}

/* One templates page a window, found among the toplevels (it is transient
 * for this window); asking again brings it to the front. */
static void
show_templates_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);
  GListModel *toplevels = gtk_window_get_toplevels ();
  AirTemplatesPage *page = NULL;

  for (guint i = 0; page == NULL && i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (AIR_IS_TEMPLATES_PAGE (window) && gtk_window_get_transient_for (window) == GTK_WINDOW (self))
        page = AIR_TEMPLATES_PAGE (window);
    }

  if (page == NULL)
    page = air_templates_page_new (GTK_WINDOW (self), self->session);
  else
    air_templates_page_refresh (page);

  gtk_window_present (GTK_WINDOW (page));
}

static void
config_dialog_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);
  AirConfigDialogMode mode = g_str_equal (action_name, "win.export-config")
                             ? AIR_CONFIG_DIALOG_EXPORT : AIR_CONFIG_DIALOG_IMPORT;

  gtk_window_present (GTK_WINDOW (air_config_dialog_new (GTK_WINDOW (self), self->session, mode)));
}

static void
context_menu_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  AirWindow *self = AIR_WINDOW (widget);

  if (air_window_get_selected (self) == NULL)
    return;

  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), NULL);
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

void
_air_window_class_actions_init (AirWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.create-qube", NULL, create_qube_action);
  gtk_widget_class_install_action (widget_class, "win.start-qube", NULL, start_qube_action);
  gtk_widget_class_install_action (widget_class, "win.shutdown-qube", NULL, shutdown_qube_action);
  gtk_widget_class_install_action (widget_class, "win.kill-qube", NULL, kill_qube_action);
  gtk_widget_class_install_action (widget_class, "win.remove-qube", NULL, remove_qube_action);
  gtk_widget_class_install_action (widget_class, "win.run-command", NULL, run_command_action);
  gtk_widget_class_install_action (widget_class, "win.open-disposable", NULL, open_disposable_action);
  gtk_widget_class_install_action (widget_class, "win.use-from-other-qubes", NULL, use_from_other_qubes_action);
  gtk_widget_class_install_action (widget_class, "win.add-zone", NULL, add_zone_action);
  gtk_widget_class_install_action (widget_class, "win.edit-zone", NULL, edit_zone_action);
  gtk_widget_class_install_action (widget_class, "win.remove-zone", NULL, remove_zone_action);
  gtk_widget_class_install_action (widget_class, "win.reconnect-zone", NULL, reconnect_zone_action);
  gtk_widget_class_install_action (widget_class, "win.show-zone", "s", show_zone_action);
  gtk_widget_class_install_action (widget_class, "win.show-all-zones", NULL, show_all_zones_action);
  gtk_widget_class_install_action (widget_class, "win.select-qube", "s", select_qube_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.focus-map", NULL, focus_map_action);
  gtk_widget_class_install_action (widget_class, "win.focus-list", NULL, focus_list_action);
  gtk_widget_class_install_action (widget_class, "win.clear-jobs", NULL, clear_jobs_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-error", NULL, dismiss_error_action);
  gtk_widget_class_install_action (widget_class, "win.context-menu", NULL, context_menu_action);
  gtk_widget_class_install_action (widget_class, "win.show-credentials", NULL, show_credentials_action);
  gtk_widget_class_install_action (widget_class, "win.show-templates", NULL, show_templates_action);
  gtk_widget_class_install_action (widget_class, "win.export-config", NULL, config_dialog_action);
  gtk_widget_class_install_action (widget_class, "win.import-config", NULL, config_dialog_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.create-qube", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.start-qube", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_h, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.shutdown-qube", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.kill-qube", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.remove-qube", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.run-command", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "win.open-disposable", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.add-zone", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.edit-zone", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.reconnect-zone", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "win.focus-map", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.focus-list", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.show-all-zones", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "win.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "win.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.show-credentials", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.show-templates", NULL);
}
