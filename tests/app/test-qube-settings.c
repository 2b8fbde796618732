/* test-qube-settings.c — Qube Settings and the details' isolation
 *
 * Against the real agent's local zone: the details show the zone's
 * isolation and the qube's network; Settings… changes a halted qube's
 * label, memory and vCPUs, and the inventory shows them once the zone's
 * events say so; while the qube runs, memory and vCPUs cannot be edited
 * and the label still changes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <gtk/gtk.h>

#include "air-application.h"
#include "air-qube-details.h"
#include "air-qube-settings-dialog.h"
#include "air-resources.h"
#include "air-session.h"
#include "air-test-utils.h"
#include "air-test-widgets.h"

#define WAIT_SECONDS 60

static AirSession *session;

static AirQube *
local_qube (const char *name)
{
  return air_inventory_lookup (air_session_get_inventory (session), "local", name);
}

static gboolean
qube_listed (gpointer name)
{
  return local_qube (name) != NULL;
}

static gboolean
zone_has_templates (gpointer user_data)
{
  return air_zone_get_templates (user_data)[0] != NULL;
}

static gboolean
job_finished (gpointer job)
{
  return air_job_is_finished (job);
}

static void
run_job (AirJob *job)
{
  air_test_wait_until (job_finished, job, WAIT_SECONDS, "the job to end");
  g_assert_cmpstr (air_job_get_error (job), ==, NULL);
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

typedef struct {
  const char *name;
  AirLabel    label;
  guint       memory;
  guint       vcpus;
} Expected;

static gboolean
qube_has (gpointer data)
{
  Expected *expected = data;
  AirQube *qube = local_qube (expected->name);

  return qube != NULL && air_qube_get_label (qube) == expected->label &&
         air_qube_get_memory (qube) == expected->memory && air_qube_get_vcpus (qube) == expected->vcpus;
}

static gboolean
label_shows (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
is_spin (GtkWidget *widget, gconstpointer unused)
{
  return GTK_IS_SPIN_BUTTON (widget);
}

static gboolean
is_dropdown (GtkWidget *widget, gconstpointer unused)
{
  return GTK_IS_DROP_DOWN (widget);
}

/* The dialog's two spin buttons: memory, then vCPUs. */
static void
find_spins (GtkWidget      *dialog,
            GtkSpinButton **memory,
            GtkSpinButton **vcpus)
{
  GtkWidget *first = air_test_find_widget (dialog, is_spin, NULL);
  GtkWidget *child;

  g_assert_nonnull (first);
  *memory = GTK_SPIN_BUTTON (first);
  for (child = gtk_widget_get_next_sibling (first); child && !GTK_IS_SPIN_BUTTON (child);
       child = gtk_widget_get_next_sibling (child))
    ;
  g_assert_nonnull (child);
  *vcpus = GTK_SPIN_BUTTON (child);
}

/* TRUE if a Qube Settings dialog was open (it is closed). */
static gboolean
close_settings_dialogs (void)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());
  gboolean found = FALSE;

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i - 1);

      if (AIR_IS_QUBE_SETTINGS_DIALOG (window))
        {
          gtk_window_destroy (window);
          found = TRUE;
        }
    }
  return found;
}

static void
test_details_isolation (void)
{
  AirQubeDetails *details = g_object_ref_sink (g_object_new (AIR_TYPE_QUBE_DETAILS, NULL));
  AirZone *zone = air_session_lookup_zone (session, "local");
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (details));
  air_qube_details_set_qube (details, local_qube ("set-q"));
  air_qube_details_set_zone (details, zone);
  /* The bubblewrap backend: namespaces; the qube was made without a network. */
  g_assert_nonnull (air_test_find_widget (GTK_WIDGET (details), label_shows, "Namespaces (sandbox)"));
  g_assert_nonnull (air_test_find_widget (GTK_WIDGET (details), label_shows, "None (its own loopback only)"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (details), "details.settings", NULL));
  g_assert_true (close_settings_dialogs ());

  /* Without the zone: no isolation to show, and no Settings… to open. */
  air_qube_details_set_zone (details, NULL);
  g_assert_nonnull (air_test_find_widget (GTK_WIDGET (details), label_shows, "—"));
  gtk_widget_activate_action (GTK_WIDGET (details), "details.settings", NULL);
  g_assert_false (close_settings_dialogs ());

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (details);
}

static void
test_settings_halted (void)
{
  AirZone *zone = air_session_lookup_zone (session, "local");
  AirQubeSettingsDialog *dialog = air_qube_settings_dialog_new (NULL, zone, local_qube ("set-q"));
  Expected expected = { "set-q", AIR_LABEL_PURPLE, 700, 3 };
  GtkSpinButton *memory, *vcpus;
  GtkDropDown *label;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  find_spins (GTK_WIDGET (dialog), &memory, &vcpus);
  label = GTK_DROP_DOWN (air_test_find_widget (GTK_WIDGET (dialog), is_dropdown, NULL));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (memory), ==, 400);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (memory)));

  gtk_spin_button_set_value (memory, 700);
  gtk_spin_button_set_value (vcpus, 3);
  gtk_drop_down_set_selected (label, AIR_LABEL_PURPLE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.apply", NULL));
  air_test_wait_until (is_gone, &dialog, WAIT_SECONDS, "Qube Settings to close once the zone agreed");
  air_test_wait_until (qube_has, &expected, WAIT_SECONDS, "the new settings in the inventory");
}

static void
test_settings_running (void)
{
  AirZone *zone = air_session_lookup_zone (session, "local");
  AirQubeSettingsDialog *dialog = NULL;
  Expected expected = { "set-q", AIR_LABEL_GREEN, 700, 3 };
  GtkSpinButton *memory, *vcpus;
  GtkDropDown *label;

  run_job (air_session_qube_action (session, "local", "set-q", AIR_ZONE_ACTION_START));
  dialog = air_qube_settings_dialog_new (NULL, zone, local_qube ("set-q"));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  find_spins (GTK_WIDGET (dialog), &memory, &vcpus);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (memory)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (vcpus)));
  g_assert_nonnull (air_test_find_widget (GTK_WIDGET (dialog), label_shows,
                                          "Memory and vCPUs change only while the qube is halted: shut it down first."));

  /* A memory typed anyway is not sent: the label alone changes. */
  gtk_spin_button_set_value (memory, 900);
  label = GTK_DROP_DOWN (air_test_find_widget (GTK_WIDGET (dialog), is_dropdown, NULL));
  gtk_drop_down_set_selected (label, AIR_LABEL_GREEN);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.apply", NULL));
  air_test_wait_until (is_gone, &dialog, WAIT_SECONDS, "Qube Settings to close once the zone agreed");
  air_test_wait_until (qube_has, &expected, WAIT_SECONDS, "the new label in the inventory");

  run_job (air_session_qube_action (session, "local", "set-q", AIR_ZONE_ACTION_KILL));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dirs = air_test_isolate_dirs ("test-qube-settings");
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  air_test_setup_dirs ();
  air_application_choose_renderer ();
  gtk_init ();
  g_assert_nonnull (air_get_resource ());

  /* No zone list: the first start's "local" zone, the real agent's. */
  session = air_session_new (NULL);
  g_assert_true (air_session_load (session, &error));
  g_assert_no_error (error);
  air_test_wait_until (zone_has_templates, air_session_lookup_zone (session, "local"), WAIT_SECONDS,
                       "the local zone to answer");
  run_job (air_session_create_qube (session, "local", "set-q", spec));
  air_test_wait_until (qube_listed, (gpointer) "set-q", WAIT_SECONDS, "the new qube in the inventory");

  g_test_add_func ("/air/qube-settings/details-isolation", test_details_isolation);
  g_test_add_func ("/air/qube-settings/halted", test_settings_halted);
  g_test_add_func ("/air/qube-settings/running", test_settings_running);

  status = g_test_run ();

  air_session_shutdown (session);
  g_clear_object (&session);
  air_test_remove_dirs (dirs);
  return status;
}
