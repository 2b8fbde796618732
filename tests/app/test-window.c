/* test-window.c — the application window against a real local zone
 *
 * The zone is served by qubes-air-agent (AIR_AGENT_PROGRAM, loopback
 * transport). The test prepares qubes through the core API, then drives the
 * window only through its GActions and its dialogs' actions, and checks
 * each change as the agent sees it, with a List of its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "air-confirm-dialog.h"
#include "air-create-dialog.h"
#include "air-label-colors.h"
#include "air-remotevm-dialog.h"
#include "air-run-dialog.h"
#include "air-session.h"
#include "air-test-utils.h"
#include "air-test-widgets.h"
#include "air-window.h"
#include "air-zone-chip.h"
#include "air-zone-dialog.h"

#define WAIT_SECONDS 60

typedef struct {
  AirZone    *zone;      /* the test's own view of the local zone */
  AirSession *session;
  AirWindow  *window;
} Fixture;

typedef struct {
  gboolean  done;
  GObject  *source;
  gpointer  result;
  GError   *error;
} Call;

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;

  call->result = g_object_ref (result);
  call->done = TRUE;
}

static gboolean
call_is_done (gpointer user_data)
{
  return ((Call *) user_data)->done;
}

/* The zone's qubes as the agent reports them. */
static GPtrArray *
agent_list (Fixture *fixture)
{
  Call call = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GPtrArray *qubes;

  air_zone_list_qubes_async (fixture->zone, NULL, call_done_cb, &call);
  air_test_wait_until (call_is_done, &call, WAIT_SECONDS, "List");
  result = call.result;
  qubes = air_zone_list_qubes_finish (fixture->zone, result, &error);
  g_assert_no_error (error);
  return qubes;
}

static AirQube *
agent_find (GPtrArray  *qubes,
            const char *name)
{
  for (guint i = 0; i < qubes->len; i++)
    if (g_strcmp0 (air_qube_get_name (g_ptr_array_index (qubes, i)), name) == 0)
      return g_ptr_array_index (qubes, i);
  return NULL;
}

/* -1: the agent does not have the qube */
static int
agent_state (Fixture    *fixture,
             const char *name)
{
  g_autoptr(GPtrArray) qubes = agent_list (fixture);
  AirQube *qube = agent_find (qubes, name);

  return qube ? (int) air_qube_get_state (qube) : -1;
}

typedef struct {
  Fixture    *fixture;
  const char *name;
  int         state;
} StateWait;

static gboolean
agent_state_is (gpointer user_data)
{
  StateWait *wait = user_data;

  return agent_state (wait->fixture, wait->name) == wait->state;
}

static gboolean no_jobs_running (gpointer user_data);

/* Waits for the jobs the last action started; none may have failed. */
static void
wait_jobs_succeeded (Fixture *fixture)
{
  GListModel *jobs = air_session_get_jobs (fixture->session);

  air_test_wait_until (no_jobs_running, fixture, WAIT_SECONDS, "the jobs to end");
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(AirJob) job = g_list_model_get_item (jobs, i);

      if (air_job_get_error (job) != NULL)
        g_error ("Job “%s” failed: %s", air_job_get_title (job), air_job_get_error (job));
    }
  air_session_clear_finished_jobs (fixture->session);
}

static void
wait_agent_state (Fixture    *fixture,
                  const char *name,
                  int         state)
{
  StateWait wait = { fixture, name, state };
  g_autofree char *what = g_strdup_printf ("%s to reach state %d in the agent", name, state);

  wait_jobs_succeeded (fixture);
  air_test_wait_until (agent_state_is, &wait, WAIT_SECONDS, what);
}

static void
prepare_qube (Fixture    *fixture,
              const char *name)
{
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AirQube) qube = NULL;
  g_autoptr(GError) error = NULL;
  Call call = { 0 };

  air_zone_create_qube_async (fixture->zone, name, spec, NULL, NULL, NULL, call_done_cb, &call);
  air_test_wait_until (call_is_done, &call, WAIT_SECONDS, "Create");
  result = call.result;
  qube = air_zone_create_qube_finish (fixture->zone, result, &error);
  g_assert_no_error (error);
}

static void
zone_action (Fixture       *fixture,
             const char    *name,
             AirZoneAction  action)
{
  g_autoptr(GAsyncResult) result = NULL;
  Call call = { 0 };

  air_zone_qube_action_async (fixture->zone, action, name, NULL, call_done_cb, &call);
  air_test_wait_until (call_is_done, &call, WAIT_SECONDS, "action");
  result = call.result;
  air_zone_qube_action_finish (fixture->zone, result, NULL);
}

static AirQube *
window_find (Fixture    *fixture,
             const char *name)
{
  GListModel *model = air_window_get_qubes (fixture->window);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirQube) qube = g_list_model_get_item (model, i);

      if (g_strcmp0 (air_qube_get_name (qube), name) == 0)
        return qube;   /* the inventory holds it */
    }
  return NULL;
}

typedef struct {
  Fixture    *fixture;
  const char *name;
} Lookup;

static gboolean
window_shows (gpointer user_data)
{
  Lookup *lookup = user_data;

  return window_find (lookup->fixture, lookup->name) != NULL;
}

static gboolean
window_lacks (gpointer user_data)
{
  return !window_shows (user_data);
}

static void
wait_window_shows (Fixture    *fixture,
                   const char *name)
{
  Lookup lookup = { fixture, name };

  air_test_wait_until (window_shows, &lookup, WAIT_SECONDS, name);
}

static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

/* A dialog that saves the zone list closes once the file is written. */
static gboolean
no_zone_dialog (gpointer user_data)
{
  return find_toplevel (AIR_TYPE_ZONE_DIALOG) == NULL;
}

static gboolean
no_jobs_running (gpointer user_data)
{
  Fixture *fixture = user_data;
  GListModel *jobs = air_session_get_jobs (fixture->session);
  guint n = g_list_model_get_n_items (jobs);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirJob) job = g_list_model_get_item (jobs, i);

      if (!air_job_is_finished (job))
        return FALSE;
    }
  return TRUE;
}

static void
activate (Fixture    *fixture,
          const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), action, NULL));
}

static void
select_qube (Fixture    *fixture,
             const char *name)
{
  g_autofree char *target = g_strdup_printf ("local/%s", name);

  wait_window_shows (fixture, name);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.select-qube", "s", target));
  g_assert_cmpstr (air_qube_get_name (air_window_get_selected (fixture->window)), ==, name);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zones = g_build_filename (g_get_user_config_dir (), "qubes-air", "zones.json", NULL);

  /* No zone list: the first start's "local" zone. */
  g_setenv ("AIR_ZONES_FILE", zones, TRUE);
  g_unlink (zones);
  fixture->zone = air_zone_new ("local", NULL, "local");
}

static void
open_window (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  fixture->session = air_session_new (NULL);
  g_assert_true (air_session_load (fixture->session, &error));
  g_assert_no_error (error);
  fixture->window = air_window_new (NULL, fixture->session);
  g_object_ref_sink (fixture->window);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) qubes = NULL;

  if (fixture->session != NULL)
    air_test_wait_until (no_jobs_running, fixture, WAIT_SECONDS, "jobs to end");

  /* Leave no qube behind for the next test. */
  qubes = agent_list (fixture);
  for (guint i = 0; i < qubes->len; i++)
    {
      AirQube *qube = g_ptr_array_index (qubes, i);

      if (air_qube_get_state (qube) != AIR_QUBE_STATE_HALTED)
        zone_action (fixture, air_qube_get_name (qube), AIR_ZONE_ACTION_KILL);
      zone_action (fixture, air_qube_get_name (qube), AIR_ZONE_ACTION_REMOVE);
    }

  if (fixture->window != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (fixture->window));
      g_clear_object (&fixture->window);
    }
  if (fixture->session != NULL)
    {
      air_session_shutdown (fixture->session);
      g_clear_object (&fixture->session);
    }
  g_clear_object (&fixture->zone);
}

static void
test_window_shows_qubes (Fixture       *fixture,
                         gconstpointer  data)
{
  prepare_qube (fixture, "shown-a");
  prepare_qube (fixture, "shown-b");

  open_window (fixture);
  wait_window_shows (fixture, "shown-a");
  wait_window_shows (fixture, "shown-b");
  g_assert_cmpuint (g_list_model_get_n_items (air_window_get_qubes (fixture->window)), ==, 2);

  select_qube (fixture, "shown-b");
  g_assert_cmpstr (air_qube_get_zone (air_window_get_selected (fixture->window)), ==, "local");

  /* The zone filter and the search narrow the list; the model is the same. */
  air_window_set_zone_filter (fixture->window, "elsewhere");
  g_assert_cmpuint (g_list_model_get_n_items (air_window_get_qubes (fixture->window)), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-zone", "s", "local"));
  g_assert_cmpstr (air_window_get_zone_filter (fixture->window), ==, "local");
  g_assert_cmpuint (g_list_model_get_n_items (air_window_get_qubes (fixture->window)), ==, 2);
  activate (fixture, "win.show-all-zones");
  g_assert_null (air_window_get_zone_filter (fixture->window));
}

static gboolean
job_finished (gpointer user_data)
{
  return air_job_is_finished (user_data);
}

static gboolean
zone_has_templates (gpointer user_data)
{
  return air_zone_get_templates (user_data)[0] != NULL;
}


static gboolean
window_sees_halted (gpointer user_data)
{
  Fixture *fixture = user_data;
  AirQube *qube = air_inventory_lookup (air_session_get_inventory (fixture->session), "local", "act-q");

  return qube != NULL && air_qube_get_state (qube) == AIR_QUBE_STATE_HALTED;
}

/* The entry under @widget that holds @text. */
static gboolean
entry_holds (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_ENTRY (widget) && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (widget)), text) == 0;
}

static GtkWidget *
find_entry (GtkWidget  *widget,
            const char *text)
{
  return air_test_find_widget (widget, entry_holds, text);
}

static gboolean
is_check_button (GtkWidget     *widget,
                 gconstpointer  data)
{
  return GTK_IS_CHECK_BUTTON (widget);
}

static gboolean
is_drop_down (GtkWidget     *widget,
              gconstpointer  data)
{
  return GTK_IS_DROP_DOWN (widget);
}

static void
test_window_actions (Fixture       *fixture,
                     gconstpointer  data)
{
  AirCreateDialog *create;
  AirRunDialog *run;
  AirConfirmDialog *confirm;
  AirZoneDialog *zone_dialog;
  g_autofree char *output = NULL;
  Lookup lookup = { fixture, "act-q" };

  open_window (fixture);
  air_test_wait_until (zone_has_templates, air_session_lookup_zone (fixture->session, "local"),
                       WAIT_SECONDS, "the zone's templates");

  /* Create, through its dialog: a bad name is refused as it is typed. */
  activate (fixture, "win.create-qube");
  create = find_toplevel (AIR_TYPE_CREATE_DIALOG);
  g_assert_nonnull (create);
  air_create_dialog_set_name (create, "1bad");
  g_assert_nonnull (air_create_dialog_get_problem (create));
  /* The action is disabled: activating it neither closes the dialog nor
   * creates anything (GTK 4.8 reports only that the action exists). */
  gtk_widget_activate_action (GTK_WIDGET (create), "dialog.create", NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (create)));
  g_assert_nonnull (air_create_dialog_get_problem (create));
  air_create_dialog_set_name (create, "act-q");
  g_assert_null (air_create_dialog_get_problem (create));
  /* Network access, asked for here, is the qube's. */
  {
    GtkWidget *network = air_test_find_widget (GTK_WIDGET (create), is_check_button, NULL);

    g_assert_nonnull (network);
    g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (network)));
    gtk_check_button_set_active (GTK_CHECK_BUTTON (network), TRUE);
  }
  /* Enter in the name: its entry activates the default button, Create. */
  {
    GtkWidget *entry = find_entry (GTK_WIDGET (create), "act-q");

    g_assert_nonnull (entry);
    g_assert_true (gtk_entry_get_activates_default (GTK_ENTRY (entry)));
    g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (create)) != NULL);
    gtk_widget_activate_default (entry);
  }
  wait_agent_state (fixture, "act-q", AIR_QUBE_STATE_HALTED);
  wait_window_shows (fixture, "act-q");
  air_test_wait_until (no_jobs_running, fixture, WAIT_SECONDS, "create");
  /* The new qube is the one selected. */
  g_assert_nonnull (air_window_get_selected (fixture->window));
  g_assert_cmpstr (air_qube_get_name (air_window_get_selected (fixture->window)), ==, "act-q");
  {
    g_autoptr(GPtrArray) qubes = agent_list (fixture);

    g_assert_true (air_qube_get_network (agent_find (qubes, "act-q")));
  }

  select_qube (fixture, "act-q");
  activate (fixture, "win.start-qube");
  wait_agent_state (fixture, "act-q", AIR_QUBE_STATE_RUNNING);

  /* Run, with its output and exit status. */
  air_test_wait_until (no_jobs_running, fixture, WAIT_SECONDS, "start");
  activate (fixture, "win.run-command");
  run = find_toplevel (AIR_TYPE_RUN_DIALOG);
  g_assert_nonnull (run);
  /* A command line means what it means in a terminal (a shell runs it,
   * as qvm-run's does): a pipe, quotes, a variable. */
  air_run_dialog_set_command (run, "echo \"hello $USER\" | tr h j");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (run), "dialog.run", NULL));
  air_test_wait_until (job_finished, air_run_dialog_get_job (run), WAIT_SECONDS, "run");
  g_assert_cmpint (air_job_get_exit_status (air_run_dialog_get_job (run)), ==, 0);
  output = air_run_dialog_dup_output (run);
  g_assert_cmpstr (output, ==, "jello user\n");
  gtk_window_destroy (GTK_WINDOW (run));

  /* "Use from Other Qubes…": what dom0 runs, for this qube and its
   * gateway, as a script or as a Salt state. */
  activate (fixture, "win.use-from-other-qubes");
  {
    AirRemotevmDialog *remotevm = find_toplevel (AIR_TYPE_REMOTEVM_DIALOG);
    g_autofree char *script = NULL;
    g_autofree char *salt = NULL;
    GtkWidget *format;

    g_assert_nonnull (remotevm);
    script = air_remotevm_dialog_dup_text (remotevm);
    g_assert_nonnull (strstr (script, "qvm-create --class RemoteVM"));
    g_assert_nonnull (strstr (script, "relay='sys-remote-local'"));
    g_assert_nonnull (strstr (script, "add 'local-act-q' 'act-q' "));
    format = air_test_find_widget (GTK_WIDGET (remotevm), is_drop_down, NULL);
    g_assert_nonnull (format);
    gtk_drop_down_set_selected (GTK_DROP_DOWN (format), 1);
    salt = air_remotevm_dialog_dup_text (remotevm);
    g_assert_nonnull (strstr (salt, "qubesctl"));
    g_assert_nonnull (strstr (salt, "remote_name=act-q local-act-q"));
    gtk_window_destroy (GTK_WINDOW (remotevm));
  }

  activate (fixture, "win.shutdown-qube");
  wait_agent_state (fixture, "act-q", AIR_QUBE_STATE_HALTED);

  air_test_wait_until (no_jobs_running, fixture, WAIT_SECONDS, "shutdown");
  air_test_wait_until (window_sees_halted, fixture, WAIT_SECONDS, "the window to see it halted");
  select_qube (fixture, "act-q");
  activate (fixture, "win.start-qube");
  wait_agent_state (fixture, "act-q", AIR_QUBE_STATE_RUNNING);
  air_test_wait_until (no_jobs_running, fixture, WAIT_SECONDS, "start");
  activate (fixture, "win.kill-qube");
  wait_agent_state (fixture, "act-q", AIR_QUBE_STATE_HALTED);

  /* Remove asks first, naming the qube and its zone. */
  air_test_wait_until (no_jobs_running, fixture, WAIT_SECONDS, "kill");
  air_test_wait_until (window_sees_halted, fixture, WAIT_SECONDS, "the window to see it halted");
  select_qube (fixture, "act-q");
  activate (fixture, "win.remove-qube");
  confirm = find_toplevel (AIR_TYPE_CONFIRM_DIALOG);
  g_assert_nonnull (confirm);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (confirm), "dialog.confirm", NULL));
  wait_agent_state (fixture, "act-q", -1);
  air_test_wait_until (window_lacks, &lookup, WAIT_SECONDS, "the row to go");

  /* A disposable in the zone. */
  activate (fixture, "win.open-disposable");
  run = find_toplevel (AIR_TYPE_RUN_DIALOG);
  g_assert_nonnull (run);
  air_run_dialog_set_command (run, "echo disposable");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (run), "dialog.run", NULL));
  air_test_wait_until (job_finished, air_run_dialog_get_job (run), WAIT_SECONDS, "disposable");
  g_clear_pointer (&output, g_free);
  output = air_run_dialog_dup_output (run);
  g_assert_cmpstr (output, ==, "disposable\n");
  gtk_window_destroy (GTK_WINDOW (run));

  /* Zones: add, edit, remove. */
  activate (fixture, "win.add-zone");
  zone_dialog = find_toplevel (AIR_TYPE_ZONE_DIALOG);
  g_assert_nonnull (zone_dialog);
  air_zone_dialog_set_fields (zone_dialog, "second", "", "ssh");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (zone_dialog), "dialog.save", NULL));
  g_assert_nonnull (air_session_lookup_zone (fixture->session, "second"));
  g_assert_cmpstr (air_zone_get_gateway (air_session_lookup_zone (fixture->session, "second")), ==, "sys-remote-second");
  air_test_wait_until (no_zone_dialog, NULL, WAIT_SECONDS, "the zone dialog closed");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-zone", "s", "second"));
  activate (fixture, "win.edit-zone");
  zone_dialog = find_toplevel (AIR_TYPE_ZONE_DIALOG);
  g_assert_nonnull (zone_dialog);
  air_zone_dialog_set_fields (zone_dialog, "second", "sys-gw2", "local");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (zone_dialog), "dialog.save", NULL));
  g_assert_cmpstr (air_zone_get_gateway (air_session_lookup_zone (fixture->session, "second")), ==, "sys-gw2");
  air_test_wait_until (no_zone_dialog, NULL, WAIT_SECONDS, "the zone dialog closed");

  activate (fixture, "win.remove-zone");
  confirm = find_toplevel (AIR_TYPE_CONFIRM_DIALOG);
  g_assert_nonnull (confirm);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (confirm), "dialog.confirm", NULL));
  g_assert_null (air_session_lookup_zone (fixture->session, "second"));
  g_assert_null (air_window_get_zone_filter (fixture->window));
}

static gboolean
qube_is_running (gpointer user_data)
{
  return air_qube_get_state (user_data) == AIR_QUBE_STATE_RUNNING;
}

/* The inscription showing @text under @widget, if any. */
static gboolean
inscription_is (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_INSCRIPTION (widget) && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0;
}

static GtkWidget *
find_inscription (GtkWidget  *widget,
                  const char *text)
{
  return air_test_find_widget (widget, inscription_is, text);
}

typedef struct {
  Fixture    *fixture;
  const char *name;
  const char *cell;
} RowWait;

/* The row showing the qube @name shows @cell too, as the user sees it:
 * an inscription's parent is its column's cell, whose parent is the row. */
static gboolean
row_shows (gpointer user_data)
{
  RowWait *wait = user_data;
  GtkWidget *name = find_inscription (GTK_WIDGET (wait->fixture->window), wait->name);
  GtkWidget *row = name ? gtk_widget_get_parent (gtk_widget_get_parent (name)) : NULL;

  return row != NULL && find_inscription (row, wait->cell) != NULL;
}

static void
wait_row_shows (Fixture    *fixture,
                const char *name,
                const char *cell)
{
  RowWait wait = { fixture, name, cell };
  g_autofree char *what = g_strdup_printf ("the row of %s to show “%s”", name, cell);

  air_test_wait_until (row_shows, &wait, WAIT_SECONDS, what);
}

static void
test_window_behind_back (Fixture       *fixture,
                         gconstpointer  data)
{
  AirQube *qube;

  prepare_qube (fixture, "back-q");
  open_window (fixture);
  wait_window_shows (fixture, "back-q");
  qube = window_find (fixture, "back-q");
  g_assert_cmpint (air_qube_get_state (qube), ==, AIR_QUBE_STATE_HALTED);

  /* Started by someone else: the window learns it from the zone's events. */
  wait_row_shows (fixture, "back-q", air_qube_state_get_display_name (AIR_QUBE_STATE_HALTED));
  zone_action (fixture, "back-q", AIR_ZONE_ACTION_START);
  air_test_wait_until (qube_is_running, qube, WAIT_SECONDS, "the event");
  wait_row_shows (fixture, "back-q", air_qube_state_get_display_name (AIR_QUBE_STATE_RUNNING));
  wait_row_shows (fixture, "back-q", _("< 1 min"));   /* its uptime */

  prepare_qube (fixture, "back-new");
  wait_window_shows (fixture, "back-new");
}

/* The window closed while the app goes on (the tray keeps it): the rows'
 * qubes still change, and nothing of the window may be touched. */
static void
test_window_closed (Fixture       *fixture,
                    gconstpointer  data)
{
  AirQube *qube;

  prepare_qube (fixture, "closed-q");
  open_window (fixture);
  wait_window_shows (fixture, "closed-q");
  wait_row_shows (fixture, "closed-q", air_qube_state_get_display_name (AIR_QUBE_STATE_HALTED));
  qube = g_object_ref (window_find (fixture, "closed-q"));

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_assert_finalize_object (g_steal_pointer (&fixture->window));

  zone_action (fixture, "closed-q", AIR_ZONE_ACTION_START);
  air_test_wait_until (qube_is_running, qube, WAIT_SECONDS, "the event");
  g_object_unref (qube);
}

/* The first widget under @widget whose action-name is @action. */
static gboolean
acts_as (GtkWidget *widget, gconstpointer action)
{
  return GTK_IS_ACTIONABLE (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

static GtkWidget *
find_action_widget (GtkWidget  *widget,
                    const char *action)
{
  return air_test_find_widget (widget, acts_as, action);
}

static gboolean
shutdown_offered_not (gpointer user_data)
{
  Fixture *fixture = user_data;

  return !gtk_widget_get_sensitive (find_action_widget (GTK_WIDGET (fixture->window), "win.shutdown-qube"));
}

/* A window opened again (from the tray) on a session that already has
 * qubes: nothing is selected, and nothing acts on a qube the user did not
 * choose — the toolbar, the details and the selection agree. */
static void
test_window_reopened (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char * const qube_actions[] = {
    "win.start-qube", "win.shutdown-qube", "win.kill-qube", "win.run-command", "win.remove-qube",
  };

  prepare_qube (fixture, "reopen-b");
  prepare_qube (fixture, "reopen-a10");
  prepare_qube (fixture, "reopen-a");
  prepare_qube (fixture, "reopen-a2");
  zone_action (fixture, "reopen-a", AIR_ZONE_ACTION_START);
  open_window (fixture);
  wait_window_shows (fixture, "reopen-a");
  wait_window_shows (fixture, "reopen-b");

  /* Closed to the tray, and opened again on the same session. */
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  fixture->window = air_window_new (NULL, fixture->session);
  g_object_ref_sink (fixture->window);
  gtk_window_present (GTK_WINDOW (fixture->window));
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);

  g_assert_null (air_window_get_selected (fixture->window));

  /* Names sort as people read them: a2 before a10. */
  {
    GListModel *qubes = air_window_get_qubes (fixture->window);
    static const char * const order[] = { "reopen-a", "reopen-a2", "reopen-a10", "reopen-b" };

    g_assert_cmpuint (g_list_model_get_n_items (qubes), ==, G_N_ELEMENTS (order));
    for (guint i = 0; i < G_N_ELEMENTS (order); i++)
      {
        g_autoptr(AirQube) qube = g_list_model_get_item (qubes, i);

        g_assert_cmpstr (air_qube_get_name (qube), ==, order[i]);
      }
  }

  for (guint i = 0; i < G_N_ELEMENTS (qube_actions); i++)
    {
      GtkWidget *button = find_action_widget (GTK_WIDGET (fixture->window), qube_actions[i]);

      if (button == NULL)
        continue;   /* only in a menu */
      g_assert_false (gtk_widget_get_sensitive (button));
    }
  g_assert_nonnull (find_action_widget (GTK_WIDGET (fixture->window), "win.shutdown-qube"));

  /* Choosing a qube enables what applies to it, and only that. */
  select_qube (fixture, "reopen-a");
  g_assert_true (gtk_widget_get_sensitive (find_action_widget (GTK_WIDGET (fixture->window), "win.shutdown-qube")));
  g_assert_false (gtk_widget_get_sensitive (find_action_widget (GTK_WIDGET (fixture->window), "win.start-qube")));

  /* Shut down (here behind the window's back): the actions follow the
   * selected qube's state, Shut Down does not stay offered. */
  zone_action (fixture, "reopen-a", AIR_ZONE_ACTION_SHUTDOWN);
  air_test_wait_until (shutdown_offered_not, fixture, WAIT_SECONDS, "Shut Down to be disabled once halted");
  g_assert_true (gtk_widget_get_sensitive (find_action_widget (GTK_WIDGET (fixture->window), "win.start-qube")));
  g_assert_true (air_window_get_selected (fixture->window) == window_find (fixture, "reopen-a"));
}

/* The first widget under @widget with the style class @css_class. */
static gboolean
has_class (GtkWidget *widget, gconstpointer css_class)
{
  return gtk_widget_has_css_class (widget, css_class);
}

static GtkWidget *
find_with_class (GtkWidget  *widget,
                 const char *css_class)
{
  return air_test_find_widget (widget, has_class, css_class);
}

static gboolean
job_row_shown (gpointer user_data)
{
  GtkWidget *list = user_data;
  GtkWidget *row = gtk_widget_get_first_child (list);

  return row != NULL && gtk_widget_get_height (row) > 0;
}

/* At the default size, with a qube chosen and a job listed, the Files pane
 * shows several rows and the Jobs pane at least two jobs (not one to three
 * rows, or a Jobs heading with nothing under it). */
static void
test_window_pane_sizes (Fixture       *fixture,
                        gconstpointer  data)
{
  GtkWidget *files, *jobs, *job_row;
  graphene_rect_t bounds;
  int width, height;

  prepare_qube (fixture, "pane-q");
  open_window (fixture);
  select_qube (fixture, "pane-q");
  gtk_window_get_default_size (GTK_WINDOW (fixture->window), &width, &height);
  g_assert_cmpint (height, <=, 800);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start-qube", NULL));
  air_test_wait_until (no_jobs_running, fixture, WAIT_SECONDS, "the job to end");
  g_assert_cmpuint (g_list_model_get_n_items (air_session_get_jobs (fixture->session)), >, 0);

  files = find_with_class (GTK_WIDGET (fixture->window), "file-list");
  jobs = find_with_class (GTK_WIDGET (fixture->window), "job-list");
  g_assert_nonnull (files);
  g_assert_nonnull (jobs);
  air_test_wait_until (job_row_shown, jobs, WAIT_SECONDS, "a job row");
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);

  job_row = gtk_widget_get_first_child (jobs);
  g_test_message ("files %d px, jobs %d px, a job row %d px, window %d px",
                  gtk_widget_get_height (gtk_widget_get_parent (files)),
                  gtk_widget_get_height (gtk_widget_get_parent (jobs)),
                  gtk_widget_get_height (job_row), gtk_widget_get_height (GTK_WIDGET (fixture->window)));
  g_assert_true (gtk_widget_get_mapped (jobs));
  /* Four file rows (a row is about 32 px) … */
  g_assert_cmpint (gtk_widget_get_height (gtk_widget_get_parent (files)), >=, 4 * 32);
  /* … and two jobs … */
  g_assert_cmpint (gtk_widget_get_height (gtk_widget_get_parent (jobs)), >=, 2 * gtk_widget_get_height (job_row));
  /* … all inside the window, not cut off below its edge. */
  g_assert_true (gtk_widget_compute_bounds (gtk_widget_get_parent (jobs), GTK_WIDGET (fixture->window), &bounds));
  g_test_message ("jobs end at %.0f px", bounds.origin.y + bounds.size.height);
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (GTK_WIDGET (fixture->window)));
}

static gboolean
shown_label_has (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static gboolean
label_with (GtkWidget  *widget,
            const char *text)
{
  return air_test_find_widget (widget, shown_label_has, text) != NULL;
}

static gboolean
shows_zone_down (gpointer user_data)
{
  return label_with (user_data, "Zone gone is down");
}

/* A zone that is down, shown alone: the page says so, and what to do —
 * not "Create one with New Qube". */
static void
test_window_zone_down (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_autofree char *gateway_dir = g_build_filename (g_getenv ("AIR_LOOPBACK_DIR"), "sys-remote-gone", NULL);

  /* A gateway whose state is not a directory: every call fails. */
  g_assert_true (g_file_set_contents (gateway_dir, "not a directory", -1, NULL));
  open_window (fixture);
  g_assert_true (air_session_add_zone (fixture->session, "gone", "sys-remote-gone", "local", &error));
  g_assert_no_error (error);
  air_window_set_zone_filter (fixture->window, "gone");
  air_test_wait_until (shows_zone_down, fixture->window, WAIT_SECONDS, "the zone-down page");
  g_assert_true (label_with (GTK_WIDGET (fixture->window), "Reconnect"));
  g_assert_false (label_with (GTK_WIDGET (fixture->window), "New Qube”"));
  g_assert_true (air_session_remove_zone (fixture->session, "gone", &error));
  g_unlink (gateway_dir);
}

/* A label of a zone's chip (its name or counts), shown, and cut short. */
static gboolean
chip_label_ellipsized (GtkWidget *widget, gconstpointer data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         gtk_widget_get_ancestor (widget, AIR_TYPE_ZONE_CHIP) != NULL &&
         pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (widget)));
}

static gboolean
last_chip_shown (gpointer user_data)
{
  return label_with (user_data, "workstation-9");
}

/* Ten zones: every chip shows its zone's whole name and counts, the row
 * scrolled sideways, not ten chips squeezed to "…" into the list's width. */
static void
test_window_many_zone_chips (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  open_window (fixture);
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("workstation-%d", i);
      g_autofree char *gateway = g_strdup_printf ("sys-remote-workstation-%d", i);

      g_assert_true (air_session_add_zone (fixture->session, name, gateway, "local", &error));
      g_assert_no_error (error);
    }
  air_test_wait_until (last_chip_shown, fixture->window, WAIT_SECONDS, "the tenth zone's chip");
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);

  g_assert_null (air_test_find_widget (GTK_WIDGET (fixture->window), chip_label_ellipsized, NULL));
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("workstation-%d", i);

      g_assert_true (air_session_remove_zone (fixture->session, name, &error));
      g_assert_no_error (error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dirs = air_test_isolate_dirs ("test-window");
  g_autofree char *loopback = g_build_filename (dirs, "loopback", NULL);
  int status;

  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  /* One gateway state for the whole run: the transport reads it once. */
  g_setenv ("AIR_LOOPBACK_DIR", loopback, TRUE);
  g_setenv ("AIR_TRANSPORT", "loopback", TRUE);

  g_test_add ("/air/window/shows-qubes", Fixture, NULL, fixture_set_up, test_window_shows_qubes, fixture_tear_down);
  g_test_add ("/air/window/actions", Fixture, NULL, fixture_set_up, test_window_actions, fixture_tear_down);
  g_test_add ("/air/window/behind-back", Fixture, NULL, fixture_set_up, test_window_behind_back, fixture_tear_down);
  g_test_add ("/air/window/closed", Fixture, NULL, fixture_set_up, test_window_closed, fixture_tear_down);
  g_test_add ("/air/window/reopened", Fixture, NULL, fixture_set_up, test_window_reopened, fixture_tear_down);
  g_test_add ("/air/window/pane-sizes", Fixture, NULL, fixture_set_up, test_window_pane_sizes, fixture_tear_down);
  g_test_add ("/air/window/zone-down", Fixture, NULL, fixture_set_up, test_window_zone_down, fixture_tear_down);
  g_test_add ("/air/window/many-zone-chips", Fixture, NULL, fixture_set_up, test_window_many_zone_chips, fixture_tear_down);

  status = g_test_run ();

  air_test_remove_dirs (dirs);
  return status;
}
