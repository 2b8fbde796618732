/* test-transfer.c — files dropped onto a qube through the app's drop
 * handler, against the real agent's local zone: from the desktop
 * (GdkFileList) and from another qube's file browser (AirFileDrag), each a
 * job that ends with the files in the qube's ~/QubesIncoming/<source>/.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "air-application.h"
#include "air-file-browser.h"
#include "air-resources.h"
#include "air-session.h"
#include "air-test-utils.h"
#include "air-transfer.h"
#include "air-transport.h"

#define WAIT_SECONDS 60

static AirSession *session;

static char *
incoming (const char *qube,
          const char *rest)
{
  return g_build_filename (g_getenv ("AIR_LOOPBACK_DIR"), "sys-remote-local", "private", qube,
                           "QubesIncoming", rest, NULL);
}

static gboolean
job_finished (gpointer user_data)
{
  return air_job_is_finished (user_data);
}

/* The job the last drop added. */
static AirJob *
last_job (void)
{
  GListModel *jobs = air_session_get_jobs (session);
  guint n = g_list_model_get_n_items (jobs);
  g_autoptr(AirJob) job = NULL;

  g_assert_cmpuint (n, >, 0);
  /* Newest first or last, whichever the session keeps: the running one. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirJob) candidate = g_list_model_get_item (jobs, i);

      if (!air_job_is_finished (candidate))
        return g_steal_pointer (&candidate);
    }
  job = g_list_model_get_item (jobs, 0);
  return g_steal_pointer (&job);
}

static void
create_qube (const char *name)
{
  g_autoptr(GBytes) input = g_bytes_new_static ("{}", 2);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = air_transport_call_sync (air_transport_get_default (), "sys-remote-local",
                                    "qubesair.Create", name, input, 65536, NULL, &error);
  g_assert_no_error (error);
}

static void
test_drop_from_desktop (void)
{
  g_autofree char *dir = g_build_filename (g_get_home_dir (), "desk", NULL);
  g_autofree char *file = g_build_filename (dir, "报告.txt", NULL);
  g_autofree char *folder = g_build_filename (dir, "照片", NULL);
  g_autofree char *inner = g_build_filename (folder, "a.jpg", NULL);
  g_autofree char *got = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(AirQube) work = air_qube_new ("local", "work");
  g_autoptr(AirJob) job = NULL;
  GSList *files = NULL;
  GValue value = G_VALUE_INIT;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "季度报告", -1, NULL));
  g_assert_true (g_file_set_contents (inner, "jpeg", -1, NULL));
  files = g_slist_append (files, g_file_new_for_path (file));
  files = g_slist_append (files, g_file_new_for_path (folder));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, files);

  g_assert_true (air_transfer_handle_drop (session, work, &value));
  g_value_unset (&value);
  job = last_job ();
  air_test_wait_until (job_finished, job, WAIT_SECONDS, "the copy to end");
  g_assert_cmpstr (air_job_get_error (job), ==, NULL);
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_SUCCEEDED);
  g_assert_nonnull (air_job_get_detail (job));
  g_assert_cmpfloat (air_job_get_progress (job), ==, 1.0);
  /* The files' bytes (12 + 4), not the stream's headers and names. */
  g_test_message ("detail: %s", air_job_get_detail (job));
  g_assert_true (g_str_has_prefix (air_job_get_detail (job), "16 bytes of 16 bytes"));

  got = incoming ("work", "mgmt/报告.txt");
  g_assert_true (g_file_get_contents (got, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "季度报告");
  g_free (got);
  got = incoming ("work", "mgmt/照片/a.jpg");
  g_assert_true (g_file_test (got, G_FILE_TEST_IS_REGULAR));
}

static void
test_drop_from_qube (void)
{
  const char *paths[] = { "QubesIncoming/mgmt/报告.txt", NULL };
  g_autoptr(AirFileDrag) drag = air_file_drag_new ("local", "work", paths, 12);
  g_autoptr(AirQube) dev = air_qube_new ("local", "dev");
  g_autoptr(AirQube) work = air_qube_new ("local", "work");
  g_autoptr(AirJob) job = NULL;
  g_autofree char *got = incoming ("dev", "work/报告.txt");
  GValue value = G_VALUE_INIT;

  g_value_init (&value, AIR_TYPE_FILE_DRAG);
  g_value_set_boxed (&value, drag);

  /* Onto the qube the files come from: refused, nothing started. */
  g_assert_false (air_transfer_handle_drop (session, work, &value));

  g_assert_true (air_transfer_handle_drop (session, dev, &value));
  g_value_unset (&value);
  job = last_job ();
  air_test_wait_until (job_finished, job, WAIT_SECONDS, "the copy to end");
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_SUCCEEDED);
  g_assert_true (g_file_test (got, G_FILE_TEST_IS_REGULAR));
  /* Relayed, the stream is counted as the file it carries: 12 bytes. */
  g_test_message ("detail: %s", air_job_get_detail (job));
  g_assert_true (g_str_has_prefix (air_job_get_detail (job), "12 bytes of 12 bytes"));
  g_assert_cmpfloat (air_job_get_progress (job), ==, 1.0);
}

/* A refusal is shown with its reason. */
static void
test_refusal_shown (void)
{
  const char *paths[] = { "no-such-file", NULL };
  g_autoptr(AirFileDrag) drag = air_file_drag_new ("local", "work", paths, 0);
  g_autoptr(AirQube) dev = air_qube_new ("local", "dev");
  g_autoptr(AirJob) job = NULL;
  GValue value = G_VALUE_INIT;

  g_value_init (&value, AIR_TYPE_FILE_DRAG);
  g_value_set_boxed (&value, drag);
  g_assert_true (air_transfer_handle_drop (session, dev, &value));
  g_value_unset (&value);
  job = last_job ();
  air_test_wait_until (job_finished, job, WAIT_SECONDS, "the copy to fail");
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_FAILED);
  g_assert_nonnull (strstr (air_job_get_error (job), "no-such-file"));
}

static gboolean
model_has_items (gpointer user_data)
{
  return g_list_model_get_n_items (user_data) > 0;
}

/* The browser pane lists the selected qube's folder, folders first. */
static void
test_browser_lists (void)
{
  AirFileBrowser *browser = AIR_FILE_BROWSER (g_object_ref_sink (air_file_browser_new ()));
  g_autoptr(AirQube) work = air_qube_new ("local", "work");
  GListModel *model = air_file_browser_get_model (browser);

  air_file_browser_set_session (browser, session);
  air_file_browser_set_qube (browser, work);
  air_test_wait_until (model_has_items, model, WAIT_SECONDS, "the home to be listed");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 0), ==, "QubesIncoming");

  air_file_browser_open (browser, "QubesIncoming/mgmt");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);   /* until the answer */
  while (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), 0), "照片") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 1), ==, "报告.txt");
  g_assert_cmpstr (air_file_browser_get_path (browser), ==, "QubesIncoming/mgmt");
  g_object_unref (browser);
}

static void
test_drop_target_types (void)
{
  g_autoptr(GtkEventController) controller = GTK_EVENT_CONTROLLER (air_transfer_drop_target_new ());
  GtkDropTarget *target = GTK_DROP_TARGET (controller);
  gsize n = 0;
  const GType *types = gtk_drop_target_get_gtypes (target, &n);

  g_assert_cmpuint (n, ==, 2);
  g_assert_true (types[0] == GDK_TYPE_FILE_LIST);
  g_assert_true (types[1] == AIR_TYPE_FILE_DRAG);
  g_assert_true (gtk_drop_target_get_actions (target) == GDK_ACTION_COPY);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dirs = air_test_isolate_dirs ("test-transfer");
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* As the app starts GTK: no OpenGL in a qube (Mesa's set-up leaks under
   * LeakSanitizer). */
  air_application_choose_renderer ();
  gtk_init ();
  air_test_setup_dirs ();
  /* Links the app's resources (registered by their constructor). */
  g_assert_nonnull (air_get_resource ());

  create_qube ("work");
  create_qube ("dev");
  session = air_session_new (NULL);
  g_assert_true (air_session_load (session, &error));

  g_test_add_func ("/air/transfer/drop-target-types", test_drop_target_types);
  g_test_add_func ("/air/transfer/drop-from-desktop", test_drop_from_desktop);
  g_test_add_func ("/air/transfer/browser-lists", test_browser_lists);
  g_test_add_func ("/air/transfer/drop-from-qube", test_drop_from_qube);
  g_test_add_func ("/air/transfer/refusal-shown", test_refusal_shown);
  status = g_test_run ();

  g_clear_object (&session);
  air_test_remove_dirs (dirs);
  return status;
}
