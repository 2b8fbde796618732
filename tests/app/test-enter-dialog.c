/* test-enter-dialog.c — Enter in a dialog's field presses its default button
 *
 * In New Qube, Add Credential, Add Zone and Run, Enter in any text field
 * (entries, the secret, the spin buttons' text) activates the dialog's
 * default button once the form is valid, and does nothing while it is not.
 * Enter is GtkText's "activate" signal, as its Return key binding emits
 * it (GtkText is what has the focus in each of those fields). Against the real agent's local zone.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <gtk/gtk.h>

#include "air-application.h"
#include "air-create-dialog.h"
#include "air-credential-dialog.h"
#include "air-resources.h"
#include "air-run-dialog.h"
#include "air-session.h"
#include "air-test-utils.h"
#include "air-test-widgets.h"
#include "air-zone-dialog.h"

#define WAIT_SECONDS 60

static AirSession *session;

static void
collect_texts (GtkWidget *widget,
               GPtrArray *texts)
{
  /* Not a dropdown's search, in its hidden popover. */
  if (GTK_IS_TEXT (widget) && gtk_widget_is_visible (widget) && gtk_editable_get_editable (GTK_EDITABLE (widget)))
    g_ptr_array_add (texts, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_texts (child, texts);
}

/* What Enter does in a text field (GtkText's key binding for Return):
 * GtkText has no activate signal for gtk_widget_activate() in GTK 4.8. */
static void
press_enter (gpointer text)
{
  g_assert_true (GTK_IS_TEXT (text));
  g_signal_emit_by_name (text, "activate");
}

/* A button pressed by Enter shows itself pressed a moment before it acts. */
static void
spin_main_loop (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

typedef struct {
  guint *pressed;
  guint  expected;
} Count;

static gboolean
count_reached (gpointer data)
{
  Count *count = data;

  return *count->pressed >= count->expected;
}

static void
pressed_cb (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  (*(guint *) user_data)++;
}

/* Enter in each field of @window: the default button is pressed each time.
 * The button is pointed at a counting action meanwhile, so that nothing
 * is created, stored or run yet. Returns how many fields there were. */
static guint
check_enter_everywhere (GtkWindow *window)
{
  GtkWidget *button = gtk_window_get_default_widget (window);
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) action = g_simple_action_new ("pressed", NULL);
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();
  g_autofree char *real = NULL;
  guint pressed = 0;

  g_assert_nonnull (button);
  real = g_strdup (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)));
  g_signal_connect (action, "activate", G_CALLBACK (pressed_cb), &pressed);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
  gtk_widget_insert_action_group (GTK_WIDGET (window), "test", G_ACTION_GROUP (group));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "test.pressed");

  collect_texts (GTK_WIDGET (window), texts);
  g_assert_cmpuint (texts->len, >, 0);
  for (guint i = 0; i < texts->len; i++)
    {
      GtkWidget *parent = gtk_widget_get_parent (texts->pdata[i]);
      Count count = { &pressed, i + 1 };

      g_test_message ("Enter in a %s", G_OBJECT_TYPE_NAME (parent));
      press_enter (texts->pdata[i]);
      air_test_wait_until (count_reached, &count, 5, "Enter to press the default button");
      spin_main_loop (50);
      g_assert_cmpuint (pressed, ==, i + 1);
    }

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), real);
  gtk_widget_insert_action_group (GTK_WIDGET (window), "test", NULL);
  return texts->len;
}

/* The GtkText of the entry that holds @text. */
static gboolean
text_holds (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_TEXT (widget) && gtk_widget_is_visible (widget) &&
         g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (widget)), text) == 0;
}

static GtkWidget *
text_holding (GtkWidget  *widget,
              const char *text)
{
  return air_test_find_widget (widget, text_holds, text);
}

/* The GtkText of the first shown field of type @type. */
static gboolean
text_in (GtkWidget *widget, gconstpointer type)
{
  return GTK_IS_TEXT (widget) && gtk_widget_is_visible (widget) &&
         G_TYPE_CHECK_INSTANCE_TYPE (gtk_widget_get_parent (widget), GPOINTER_TO_SIZE (type));
}

static GtkWidget *
text_of (GtkWidget *widget,
         GType      type)
{
  return air_test_find_widget (widget, text_in, GSIZE_TO_POINTER (type));
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* Shown as a user sees it: a button that is not realized ignores
 * activation, so a test on an unmapped dialog could not fail. */
static void
present (gpointer window)
{
  gtk_window_present (window);
  air_test_wait_until (is_mapped, window, 10, "the dialog to be shown");
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
zone_has_templates (gpointer user_data)
{
  return air_zone_get_templates (user_data)[0] != NULL;
}

static gboolean
no_jobs_running (gpointer user_data)
{
  GListModel *jobs = air_session_get_jobs (session);

  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(AirJob) job = g_list_model_get_item (jobs, i);

      if (!air_job_is_finished (job))
        return FALSE;
    }
  return TRUE;
}

static void
test_enter_create (void)
{
  AirCreateDialog *dialog = air_create_dialog_new (NULL, session, "local");
  GtkWidget *text;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  present (dialog);
  air_test_wait_until (zone_has_templates, air_session_lookup_zone (session, "local"), WAIT_SECONDS,
                       "the zone's templates");

  /* No name yet: Enter creates nothing. */
  air_create_dialog_set_name (dialog, "");
  g_assert_nonnull (air_create_dialog_get_problem (dialog));
  text = text_holding (GTK_WIDGET (dialog), "");
  g_assert_nonnull (text);
  press_enter (text);
  spin_main_loop (500);
  g_assert_nonnull (dialog);
  g_assert_true (no_jobs_running (NULL));

  air_create_dialog_set_name (dialog, "enter-q");
  g_assert_null (air_create_dialog_get_problem (dialog));
  /* The name and both spin buttons (memory, processors). */
  g_assert_cmpuint (check_enter_everywhere (GTK_WINDOW (dialog)), ==, 3);

  press_enter (text_holding (GTK_WIDGET (dialog), "enter-q"));
  air_test_wait_until (is_gone, &dialog, 5, "New Qube to close on Enter");
  air_test_wait_until (no_jobs_running, NULL, WAIT_SECONDS, "the qube to be created");
  {
    GListModel *jobs = air_session_get_jobs (session);
    g_autoptr(AirJob) job = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 1);
    job = g_list_model_get_item (jobs, 0);
    g_assert_cmpstr (air_job_get_error (job), ==, NULL);
  }
}

static void
store_cb (AirCredentialDialog *dialog,
          const char          *zone,
          const char          *kind,
          const char          *label,
          const char          *gateway,
          GBytes              *secret,
          gboolean             replace,
          gpointer             user_data)
{
  char **stored = user_data;

  g_assert_nonnull (secret);
  *stored = g_strdup_printf ("%s %s %s %s %.*s", zone, kind, label, gateway,
                             (int) g_bytes_get_size (secret), (const char *) g_bytes_get_data (secret, NULL));
}

static void
test_enter_credential (void)
{
  AirCredentialDialog *dialog = air_credential_dialog_new (NULL, session, "local", "api-token", FALSE);
  g_autofree char *stored = NULL;
  GtkWidget *label, *secret;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_signal_connect (dialog, "store", G_CALLBACK (store_cb), &stored);
  present (dialog);

  /* No label, no secret: Enter stores nothing. */
  label = text_of (GTK_WIDGET (dialog), GTK_TYPE_ENTRY);
  g_assert_nonnull (label);
  press_enter (label);
  spin_main_loop (500);
  g_assert_nonnull (dialog);
  g_assert_null (stored);

  gtk_editable_set_text (GTK_EDITABLE (label), "enter token");
  secret = text_of (GTK_WIDGET (dialog), GTK_TYPE_PASSWORD_ENTRY);
  g_assert_nonnull (secret);
  gtk_editable_set_text (GTK_EDITABLE (secret), "root@pam!t=s3cret");
  /* The label, the gateway and the secret. */
  g_assert_cmpuint (check_enter_everywhere (GTK_WINDOW (dialog)), ==, 3);
  g_assert_null (stored);

  /* Enter in the secret: stored, as Store would. */
  press_enter (secret);
  air_test_wait_until (is_gone, &dialog, 5, "Add Credential to close on Enter");
  g_assert_cmpstr (stored, ==, "local api-token enter token sys-remote-local root@pam!t=s3cret");
  air_test_wait_until (is_gone, &dialog, 5, "Add Credential to close on Enter");
}

static void
test_enter_zone (void)
{
  AirZoneDialog *dialog = air_zone_dialog_new (NULL, session, NULL);

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  present (dialog);

  /* A name no zone may have: Enter adds nothing. */
  air_zone_dialog_set_fields (dialog, "-bad", "", "ssh");
  press_enter (text_holding (GTK_WIDGET (dialog), "-bad"));
  spin_main_loop (500);
  g_assert_nonnull (dialog);
  g_assert_null (air_session_lookup_zone (session, "-bad"));

  /* The ssh driver's fields too: name, gateway, host, port, user, agent,
   * timeout, WireGuard endpoint and peer key. */
  air_zone_dialog_set_fields (dialog, "enterzone", "", "ssh");
  g_assert_cmpuint (check_enter_everywhere (GTK_WINDOW (dialog)), ==, 9);

  air_zone_dialog_set_fields (dialog, "enterzone", "", "local");
  press_enter (text_holding (GTK_WIDGET (dialog), "enterzone"));
  air_test_wait_until (is_gone, &dialog, 5, "Add Zone to close on Enter");
  g_assert_nonnull (air_session_lookup_zone (session, "enterzone"));
}

static gboolean
run_started (gpointer data)
{
  return air_run_dialog_get_job (data) != NULL;
}

static gboolean
job_finished (gpointer data)
{
  return air_job_is_finished (data);
}

static void
test_enter_run (void)
{
  g_autofree char *output = NULL;
  AirRunDialog *dialog = air_run_dialog_new (NULL, session, "local", "enter-q", FALSE);
  AirJob *job;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  present (dialog);
  air_run_dialog_set_command (dialog, "true");
  g_assert_cmpuint (check_enter_everywhere (GTK_WINDOW (dialog)), ==, 1);

  /* Enter runs the line, through a shell in the qube as qvm-run does:
   * the pipe is the shell's, not words given to echo. */
  air_run_dialog_set_command (dialog, "echo a | tr a b");
  press_enter (text_holding (GTK_WIDGET (dialog), "echo a | tr a b"));
  air_test_wait_until (run_started, dialog, 5, "Enter to run the command");
  air_test_wait_until (job_finished, air_run_dialog_get_job (dialog), WAIT_SECONDS, "the command");
  g_assert_cmpint (air_job_get_exit_status (air_run_dialog_get_job (dialog)), ==, 0);
  output = air_run_dialog_dup_output (dialog);
  g_assert_cmpstr (output, ==, "b\n");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Running started the qube: it ends with the test, or its supervisor
   * outlives the directories removed below. */
  job = air_session_qube_action (session, "local", "enter-q", AIR_ZONE_ACTION_KILL);
  air_test_wait_until (job_finished, job, WAIT_SECONDS, "the qube to be killed");
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_SUCCEEDED);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dirs = air_test_isolate_dirs ("test-enter-dialog");
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

  g_test_add_func ("/air/dialog/enter/create", test_enter_create);
  g_test_add_func ("/air/dialog/enter/credential", test_enter_credential);
  g_test_add_func ("/air/dialog/enter/zone", test_enter_zone);
  g_test_add_func ("/air/dialog/enter/run", test_enter_run);

  status = g_test_run ();

  g_clear_object (&session);
  air_test_remove_dirs (dirs);
  return status;
}
