/* test-session.c — AirSession against stand-in zones (fake-zone)
 *
 * Zones whose name starts with "down" fail every call, those starting
 * with "slow" take 8 s to list. The fake zone's event stream turns lines
 * written to DIR/ZONE.fifo into events.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-session.h"
#include "air-test-utils.h"

#define QUBES_PER_ZONE 25

typedef struct {
  AirSession *session;
  char       *trigger_dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *zones[] = { "up1", "up2", "down1" };

  air_test_setup_dirs ();
  fixture->trigger_dir = g_build_filename (g_get_user_runtime_dir (), "triggers", NULL);
  g_mkdir_with_parents (fixture->trigger_dir, 0700);
  for (guint i = 0; i < G_N_ELEMENTS (zones); i++)
    {
      g_autofree char *fifo = g_strdup_printf ("%s/%s.fifo", fixture->trigger_dir, zones[i]);
      g_unlink (fifo);
      g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
    }
  g_setenv ("AIR_FAKE_TRIGGER_DIR", fixture->trigger_dir, TRUE);
  g_setenv ("AIR_FAKE_QUBES", G_STRINGIFY (QUBES_PER_ZONE), TRUE);
  {
    g_autofree char *log = g_build_filename (fixture->trigger_dir, "calls", NULL);

    g_unlink (log);
    g_setenv ("AIR_FAKE_CALL_LOG", log, TRUE);
  }

  air_test_write_zones ("{\"version\":1,\"zones\":["
                        "{\"name\":\"up1\",\"gateway\":\"sys-remote-up1\",\"driver\":\"local\"},"
                        "{\"name\":\"down1\",\"gateway\":\"sys-remote-down1\",\"driver\":\"ssh\"},"
                        "{\"name\":\"up2\",\"gateway\":\"sys-remote-up2\",\"driver\":\"local\"}]}");

  fixture->session = air_session_new (NULL);
  g_assert_true (air_session_load (fixture->session, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  air_session_shutdown (fixture->session);
  g_assert_finalize_object (fixture->session);
  g_unlink (g_getenv ("AIR_ZONES_FILE"));
  g_free (fixture->trigger_dir);
}

static gboolean
inventory_has (gpointer user_data)
{
  Fixture *fixture = ((gpointer *) user_data)[0];
  guint wanted = GPOINTER_TO_UINT (((gpointer *) user_data)[1]);

  return g_list_model_get_n_items (G_LIST_MODEL (air_session_get_inventory (fixture->session))) == wanted;
}

static void
wait_for_qubes (Fixture *fixture,
                guint    wanted)
{
  gpointer data[2] = { fixture, GUINT_TO_POINTER (wanted) };

  air_test_wait_until (inventory_has, data, 30, "the inventory");
}

static gboolean
zone_has_templates (gpointer user_data)
{
  return air_zone_get_templates (user_data)[0] != NULL;
}

static gboolean
zone_is_down (gpointer user_data)
{
  return air_zone_get_health (user_data) == AIR_HEALTH_DOWN;
}

static void
test_session_zones (Fixture       *fixture,
                    gconstpointer  data)
{
  AirZone *down = air_session_lookup_zone (fixture->session, "down1");
  AirZone *up = air_session_lookup_zone (fixture->session, "up1");

  /* The reachable zones fill the inventory whatever the third does. */
  wait_for_qubes (fixture, 2 * QUBES_PER_ZONE);
  g_assert_cmpint (air_zone_get_health (up), ==, AIR_HEALTH_UP);
  air_test_wait_until (zone_has_templates, up, 30, "ZoneInfo");
  g_assert_cmpstrv (air_zone_get_templates (up), ((const char *[]) { "debian-12", "fedora-40", NULL }));
  g_assert_nonnull (air_inventory_lookup (air_session_get_inventory (fixture->session), "up2", "up2-q00003"));

  air_test_wait_until (zone_is_down, down, 30, "the zone to be down");
  g_assert_nonnull (strstr (air_zone_get_health_reason (down), "does not answer"));
  g_assert_cmpuint (air_inventory_count_zone (air_session_get_inventory (fixture->session), "down1", NULL), ==, 0);
}

static gboolean
qube_is_running (gpointer user_data)
{
  return air_qube_get_state (user_data) == AIR_QUBE_STATE_RUNNING;
}

/* Has the fake zone behind @fifo send @line as an event. Its Events
 * process opens its end once it has started, which may be after the zone
 * listed: until then there is no reader (ENXIO). */
static void
send_trigger (const char *fifo,
              const char *line)
{
  int fd;

  for (guint i = 0; (fd = open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0 && errno == ENXIO && i < 500; i++)
    g_usleep (10000);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, line, strlen (line)), ==, strlen (line));
  close (fd);
}

static void
test_session_events (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *fifo = g_strdup_printf ("%s/up2.fifo", fixture->trigger_dir);
  static const char line[] = "up2-q00001 Running\n";
  AirQube *qube;

  wait_for_qubes (fixture, 2 * QUBES_PER_ZONE);
  qube = air_inventory_lookup (air_session_get_inventory (fixture->session), "up2", "up2-q00001");
  g_assert_nonnull (qube);
  g_assert_cmpint (air_qube_get_state (qube), ==, AIR_QUBE_STATE_HALTED);

  /* A change in the zone, told only through its event stream. */
  send_trigger (fifo, line);

  air_test_wait_until (qube_is_running, qube, 30, "the event");
}

static void
test_session_zone_edits (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;

  wait_for_qubes (fixture, 2 * QUBES_PER_ZONE);

  g_assert_true (air_session_add_zone (fixture->session, "up3", "sys-remote-up3", "local", &error));
  g_assert_no_error (error);
  wait_for_qubes (fixture, 3 * QUBES_PER_ZONE);

  g_assert_false (air_session_add_zone (fixture->session, "up3", "sys-remote-up3", "local", &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (air_session_add_zone (fixture->session, "bad zone", "sys-x", "local", &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
  g_clear_error (&error);
  g_assert_false (air_session_add_zone (fixture->session, "up4", "sys-x", "teleport", &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (g_getenv ("AIR_ZONES_FILE"), &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "\"up3\""));

  /* Another gateway: the zone is reached anew (here: a zone that is down). */
  g_assert_true (air_session_update_zone (fixture->session, "up3", "sys-remote-down9", "ssh", &error));
  g_assert_no_error (error);
  air_test_wait_until (zone_is_down, air_session_lookup_zone (fixture->session, "up3"), 30, "up3 down");

  g_assert_true (air_session_remove_zone (fixture->session, "up1", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (air_inventory_count_zone (air_session_get_inventory (fixture->session), "up1", NULL), ==, 0);
  g_assert_null (air_session_lookup_zone (fixture->session, "up1"));
}

static void
change_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError **error = user_data;

  if (!air_session_change_zone_finish (AIR_SESSION (object), result, error))
    g_assert_nonnull (*error);
  else
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");  /* "finished, no error" */
}

static gboolean
error_set (gpointer user_data)
{
  return *(GError **) user_data != NULL;
}

/* Ends the change; FALSE with @error when it failed. */
static gboolean
wait_change (GError **error)
{
  air_test_wait_until (error_set, error, 30, "the zone list written");
  if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_clear_error (error);
      return TRUE;
    }
  return FALSE;
}

/* The dialogs' way: the list changes at once, the file is written off the
 * main thread, and a write that fails puts the list back. */
static void
test_session_zone_edits_async (Fixture       *fixture,
                               gconstpointer  data)
{
  const char *path = g_getenv ("AIR_ZONES_FILE");
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;

  wait_for_qubes (fixture, 2 * QUBES_PER_ZONE);

  air_session_add_zone_async (fixture->session, "up3", "sys-remote-up3", "local", NULL, change_done_cb, &error);
  g_assert_nonnull (air_session_lookup_zone (fixture->session, "up3"));
  g_assert_true (wait_change (&error));
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "\"up3\""));
  wait_for_qubes (fixture, 3 * QUBES_PER_ZONE);

  air_session_add_zone_async (fixture->session, "bad zone", "sys-x", "local", NULL, change_done_cb, &error);
  g_assert_false (wait_change (&error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
  g_clear_error (&error);

  air_session_update_zone_async (fixture->session, "up3", "sys-remote-up3", "ssh", NULL, change_done_cb, &error);
  g_assert_cmpstr (air_zone_get_driver (air_session_lookup_zone (fixture->session, "up3")), ==, "ssh");
  g_assert_true (wait_change (&error));

  air_session_remove_zone_async (fixture->session, "up1", NULL, change_done_cb, &error);
  g_assert_null (air_session_lookup_zone (fixture->session, "up1"));
  g_assert_true (wait_change (&error));
  g_clear_pointer (&saved, g_free);
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_null (strstr (saved, "\"up1\""));

  /* The file cannot be replaced (a directory stands in its place): the
   * zone is gone again, and the error says why. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  air_session_add_zone_async (fixture->session, "up4", "sys-remote-up4", "local", NULL, change_done_cb, &error);
  g_assert_false (wait_change (&error));
  g_assert_null (air_session_lookup_zone (fixture->session, "up4"));
  g_clear_error (&error);
  air_session_update_zone_async (fixture->session, "up3", "sys-remote-up3", "local", NULL, change_done_cb, &error);
  g_assert_false (wait_change (&error));
  g_assert_cmpstr (air_zone_get_driver (air_session_lookup_zone (fixture->session, "up3")), ==, "ssh");
  g_clear_error (&error);
  air_session_remove_zone_async (fixture->session, "up2", NULL, change_done_cb, &error);
  g_assert_false (wait_change (&error));
  g_assert_nonnull (air_session_lookup_zone (fixture->session, "up2"));
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

/* A zone added or removed by another program (qair zone add|rm) while the
 * session runs is applied at once; the zones it did not touch keep their
 * objects, links and qubes. */
static gboolean
zone_is_there (gpointer user_data)
{
  Fixture *fixture = ((gpointer *) user_data)[0];
  const char *name = ((gpointer *) user_data)[1];
  gboolean wanted = GPOINTER_TO_INT (((gpointer *) user_data)[2]);

  return (air_session_lookup_zone (fixture->session, name) != NULL) == wanted;
}

static void
test_session_registry_watched (Fixture       *fixture,
                               gconstpointer  data)
{
  AirZone *up1 = air_session_lookup_zone (fixture->session, "up1");
  gpointer added[3] = { fixture, (gpointer) "up5", GINT_TO_POINTER (TRUE) };
  gpointer removed[3] = { fixture, (gpointer) "up2", GINT_TO_POINTER (FALSE) };

  wait_for_qubes (fixture, 2 * QUBES_PER_ZONE);

  air_test_write_zones ("{\"version\":1,\"zones\":["
                        "{\"name\":\"up1\",\"gateway\":\"sys-remote-up1\",\"driver\":\"local\"},"
                        "{\"name\":\"down1\",\"gateway\":\"sys-remote-down1\",\"driver\":\"ssh\"},"
                        "{\"name\":\"up5\",\"gateway\":\"sys-remote-up5\",\"driver\":\"local\"}]}");
  air_test_wait_until (zone_is_there, added, 10, "the added zone");
  air_test_wait_until (zone_is_there, removed, 10, "the removed zone to go");
  g_assert_true (air_session_lookup_zone (fixture->session, "up1") == up1);
  wait_for_qubes (fixture, 2 * QUBES_PER_ZONE);
  g_assert_cmpuint (air_inventory_count_zone (air_session_get_inventory (fixture->session), "up2", NULL), ==, 0);
  g_assert_cmpuint (air_inventory_count_zone (air_session_get_inventory (fixture->session), "up5", NULL),
                    ==, QUBES_PER_ZONE);
}

/* A zone slow to answer holds up neither the others' qubes nor their
 * details (ZoneInfo waits for the zones still listing, but not for long). */
static void
test_session_slow_zone (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  AirZone *up;

  /* Their event streams, kept open. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *fifo = g_strdup_printf ("%s/%s.fifo", fixture->trigger_dir, i ? "up3" : "slow1");

      g_unlink (fifo);
      g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
    }

  wait_for_qubes (fixture, 2 * QUBES_PER_ZONE);
  g_assert_true (air_session_add_zone (fixture->session, "slow1", "sys-remote-slow1", "local", &error));
  g_assert_no_error (error);
  g_assert_true (air_session_add_zone (fixture->session, "up3", "sys-remote-up3", "local", &error));
  g_assert_no_error (error);
  up = air_session_lookup_zone (fixture->session, "up3");

  wait_for_qubes (fixture, 3 * QUBES_PER_ZONE);
  air_test_wait_until (zone_has_templates, up, 30, "up3's ZoneInfo");
  g_assert_true (air_session_zone_is_loading (fixture->session, "slow1"));
  g_assert_cmpuint (air_inventory_count_zone (air_session_get_inventory (fixture->session), "slow1", NULL), ==, 0);

  wait_for_qubes (fixture, 4 * QUBES_PER_ZONE);
  g_assert_false (air_session_zone_is_loading (fixture->session, "slow1"));
}

/* The calls the fake zones were asked for, one "SERVICE ZONE" a line. */
static char *
read_call_log (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->trigger_dir, "calls", NULL);
  char *calls = NULL;

  if (!g_file_get_contents (path, &calls, NULL, NULL))
    return g_strdup ("");
  return calls;
}

/* A zone's qubes come with its event stream, one call; an agent older than
 * that (it sends events alone) is listed by List, and its events count. */
static void
test_session_one_call (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *fifo = g_strdup_printf ("%s/old1.fifo", fixture->trigger_dir);
  g_autofree char *calls = NULL;
  g_autoptr(GError) error = NULL;
  static const char line[] = "old1-q00002 Running\n";
  AirQube *qube;

  g_unlink (fifo);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  wait_for_qubes (fixture, 2 * QUBES_PER_ZONE);
  g_assert_true (air_session_add_zone (fixture->session, "old1", "sys-remote-old1", "local", &error));
  g_assert_no_error (error);
  wait_for_qubes (fixture, 3 * QUBES_PER_ZONE);
  g_assert_false (air_session_zone_is_loading (fixture->session, "old1"));

  calls = read_call_log (fixture);
  g_assert_nonnull (strstr (calls, "qubesair.Events+listed up1\n"));
  g_assert_null (strstr (calls, "qubesair.List+ up1\n"));
  g_assert_null (strstr (calls, "qubesair.List+ up2\n"));
  g_assert_nonnull (strstr (calls, "qubesair.List+ old1\n"));

  qube = air_inventory_lookup (air_session_get_inventory (fixture->session), "old1", "old1-q00002");
  g_assert_nonnull (qube);
  send_trigger (fifo, line);
  air_test_wait_until (qube_is_running, qube, 30, "old1's event");
}

static gboolean
job_finished (gpointer user_data)
{
  return air_job_is_finished (user_data);
}

/* Each progress a running job shows. */
static void
record_progress (AirJob     *job,
                 GParamSpec *pspec,
                 GArray     *progress)
{
  double value = air_job_get_progress (job);

  if (air_job_get_state (job) == AIR_JOB_RUNNING)
    g_array_append_val (progress, value);
}

static void
record_detail (AirJob     *job,
               GParamSpec *pspec,
               GPtrArray  *details)
{
  g_ptr_array_add (details, g_strdup (air_job_get_detail (job)));
}

static void
test_session_jobs (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *argv[] = { "echo", "hello", NULL };
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(GArray) progress = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) details = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *output = NULL;
  AirJob *job;

  wait_for_qubes (fixture, 2 * QUBES_PER_ZONE);

  job = air_session_qube_action (fixture->session, "up1", "up1-q00002", AIR_ZONE_ACTION_START);
  g_assert_true (g_list_model_get_item (air_session_get_jobs (fixture->session), 0) == (gpointer) job);
  g_object_unref (job);   /* the reference get_item gave */
  air_test_wait_until (job_finished, job, 30, "start");
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_SUCCEEDED);

  job = air_session_run_command (fixture->session, "up1", "up1-q00002", argv, NULL, FALSE);
  air_test_wait_until (job_finished, job, 30, "run");
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_SUCCEEDED);
  g_assert_cmpint (air_job_get_exit_status (job), ==, 0);
  output = air_job_dup_output (job);
  g_assert_cmpstr (output, ==, "fake-zone ran the command\n");

  g_free (spec->template_name);
  spec->template_name = g_strdup ("debian-12");
  job = air_session_create_qube (fixture->session, "up2", "fresh", spec);
  g_signal_connect (job, "notify::progress", G_CALLBACK (record_progress), progress);
  g_signal_connect (job, "notify::detail", G_CALLBACK (record_detail), details);
  air_test_wait_until (job_finished, job, 30, "create");
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_SUCCEEDED);
  g_assert_nonnull (air_inventory_lookup (air_session_get_inventory (fixture->session), "up2", "fresh"));
  /* the zone's progress lines were the job's progress while it ran, the
   * bad one dropped, the escapes taken out of the detail */
  g_assert_cmpuint (progress->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index (progress, double, 0), 0.4, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_array_index (progress, double, 1), 1.0, 1e-9);
  g_assert_cmpuint (details->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (details, 0), ==, "Cloning template");
  g_assert_null (strchr (g_ptr_array_index (details, 1), '\033'));
  g_assert_nonnull (strstr (g_ptr_array_index (details, 1), "1.6 GiB"));
  g_assert_cmpstr (air_job_get_detail (job), ==, "transferred 4.0 GiB of 4.0 GiB (100.00%)");

  /* Failures: a zone that is down, a zone that does not exist, a bad name. */
  job = air_session_qube_action (fixture->session, "down1", "x", AIR_ZONE_ACTION_KILL);
  air_test_wait_until (job_finished, job, 30, "kill");
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_FAILED);
  g_assert_nonnull (strstr (air_job_get_error (job), "does not answer"));
  g_assert_nonnull (air_job_get_hint (job));

  job = air_session_qube_action (fixture->session, "nowhere", "x", AIR_ZONE_ACTION_START);
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_FAILED);

  job = air_session_create_qube (fixture->session, "up2", "-bad", spec);
  air_test_wait_until (job_finished, job, 30, "bad create");
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_FAILED);

  g_assert_cmpuint (g_list_model_get_n_items (air_session_get_jobs (fixture->session)), ==, 6);
  air_session_clear_finished_jobs (fixture->session);
  g_assert_cmpuint (g_list_model_get_n_items (air_session_get_jobs (fixture->session)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dirs = air_test_isolate_dirs ("test-session");
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/air/session/zones", Fixture, NULL, fixture_set_up, test_session_zones, fixture_tear_down);
  g_test_add ("/air/session/events", Fixture, NULL, fixture_set_up, test_session_events, fixture_tear_down);
  g_test_add ("/air/session/zone-edits", Fixture, NULL, fixture_set_up, test_session_zone_edits, fixture_tear_down);
  g_test_add ("/air/session/zone-edits-async", Fixture, NULL, fixture_set_up, test_session_zone_edits_async,
              fixture_tear_down);
  g_test_add ("/air/session/registry-watched", Fixture, NULL, fixture_set_up, test_session_registry_watched,
              fixture_tear_down);
  g_test_add ("/air/session/slow-zone", Fixture, NULL, fixture_set_up, test_session_slow_zone, fixture_tear_down);
  g_test_add ("/air/session/one-call", Fixture, NULL, fixture_set_up, test_session_one_call, fixture_tear_down);
  g_test_add ("/air/session/jobs", Fixture, NULL, fixture_set_up, test_session_jobs, fixture_tear_down);

  status = g_test_run ();
  air_test_remove_dirs (dirs);
  return status;
}
