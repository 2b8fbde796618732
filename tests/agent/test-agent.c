/* test-agent.c — qair → loopback → qubes-air-agent → local driver, for real
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-agent"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static char *base_dir;
static char *zone_dir;

/* Runs qair with @input on stdin; returns its exit status. */
static int
qair (const char  *input,
      char       **out,
      char       **err,
      ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) stdin_bytes = NULL;
  g_autoptr(GBytes) stdout_bytes = NULL;
  g_autoptr(GBytes) stderr_bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("QAIR_PROGRAM"));
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  stdin_bytes = g_bytes_new (input ? input : "", input ? strlen (input) : 0);
  g_subprocess_communicate (process, stdin_bytes, NULL, &stdout_bytes, &stderr_bytes, &error);
  g_assert_no_error (error);

  if (out)
    *out = g_strndup (g_bytes_get_data (stdout_bytes, NULL), g_bytes_get_size (stdout_bytes));
  if (err)
    *err = g_strndup (g_bytes_get_data (stderr_bytes, NULL), g_bytes_get_size (stderr_bytes));
  return g_subprocess_get_exit_status (process);
}

static char *
qube_state (const char *name)
{
  g_autofree char *out = NULL;
  g_autofree char *needle = g_strdup_printf ("\"name\":\"%s\"", name);
  const char *found, *state;

  g_assert_cmpint (qair (NULL, &out, NULL, "ls", "--json", NULL), ==, 0);
  found = strstr (out, needle);
  if (found == NULL)
    return NULL;
  state = strstr (found, "\"state\":\"");
  g_assert_nonnull (state);
  state += strlen ("\"state\":\"");
  return g_strndup (state, strcspn (state, "\""));
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static guint
count_qubes (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;
  guint n = 0;

  while (d != NULL && (entry = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (entry, ".json"))
      n++;
  return n;
}

static void
test_zones (void)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (qair (NULL, &out, NULL, "zones", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"name\":\"local\""));
  g_assert_nonnull (strstr (out, "\"health\":\"up\""));
}

static void
test_create_and_remove (void)
{
  g_autofree char *err = NULL;
  g_autofree char *state = NULL;
  g_autofree char *qubes_dir = g_build_filename (zone_dir, "qubes", NULL);

  /* A hostile name is refused and nothing is made. */
  g_assert_cmpint (qair (NULL, NULL, &err, "create", "../x", "--zone", "local", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "must start with a letter"));
  g_assert_cmpuint (count_files (qubes_dir), ==, 0);

  g_assert_cmpint (qair (NULL, NULL, NULL, "create", "alpha", "--zone", "local", "--label", "blue", NULL), ==, 0);
  state = qube_state ("alpha");
  g_assert_cmpstr (state, ==, "Halted");

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (qair (NULL, NULL, &err, "create", "alpha", "--zone", "local", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "exists already"));

  g_assert_cmpint (qair (NULL, NULL, NULL, "rm", "alpha", NULL), ==, 0);
  g_assert_null (qube_state ("alpha"));
}

static void
test_lifecycle_and_run (void)
{
  g_autofree char *out = NULL;
  g_autofree char *state = NULL;

  g_assert_cmpint (qair (NULL, NULL, NULL, "create", "beta", "--zone", "local", NULL), ==, 0);
  g_assert_cmpint (qair (NULL, NULL, NULL, "start", "beta", NULL), ==, 0);
  state = qube_state ("beta");
  g_assert_cmpstr (state, ==, "Running");

  /* stdin and stdout streamed, the exit status is the command's. */
  g_assert_cmpint (qair ("from stdin\n", &out, NULL, "run", "beta", "--",
                         "sh", "-c", "cat; echo \"home=$HOME\"; exit 7", NULL), ==, 7);
  g_assert_cmpstr (out, ==, "from stdin\nhome=/home/user\n");

  /* The home is the qube's private directory and persists. */
  g_assert_cmpint (qair (NULL, NULL, NULL, "run", "beta", "--", "sh", "-c", "echo kept > note", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (qair (NULL, &out, NULL, "run", "beta", "--", "cat", "note", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "kept\n");

  g_assert_cmpint (qair (NULL, NULL, NULL, "shutdown", "beta", NULL), ==, 0);
  g_clear_pointer (&state, g_free);
  state = qube_state ("beta");
  g_assert_cmpstr (state, ==, "Halted");

  g_assert_cmpint (qair (NULL, NULL, NULL, "start", "beta", NULL), ==, 0);
  g_assert_cmpint (qair (NULL, NULL, NULL, "kill", "beta", NULL), ==, 0);
  g_clear_pointer (&state, g_free);
  state = qube_state ("beta");
  g_assert_cmpstr (state, ==, "Halted");
  g_assert_cmpint (qair (NULL, NULL, NULL, "rm", "beta", NULL), ==, 0);
}

/* Entries of @dir whose names start with @prefix. */
static guint
count_prefixed (const char *dir,
                const char *prefix)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    if (g_str_has_prefix (name, prefix))
      n++;
  return n;
}

static void
test_disposable (void)
{
  g_autofree char *out = NULL;
  g_autofree char *qubes_dir = g_build_filename (zone_dir, "qubes", NULL);
  g_autofree char *private_dir = g_build_filename (zone_dir, "private", NULL);
  g_autofree char *run_dir = g_build_filename (zone_dir, "run", NULL);

  g_assert_cmpint (qair (NULL, &out, NULL, "dispvm", "--zone", "local", "--",
                         "sh", "-c", "echo disposable", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "disposable\n");
  g_assert_cmpuint (count_files (qubes_dir), ==, 0);
  g_assert_cmpuint (count_files (private_dir), ==, 0);

  /* A failing command: its status, and still nothing left behind. */
  g_assert_cmpint (qair (NULL, NULL, NULL, "dispvm", "--zone", "local", "--", "false", NULL), ==, 1);
  g_assert_cmpuint (count_files (qubes_dir), ==, 0);
  g_assert_cmpuint (count_files (private_dir), ==, 0);
  /* Nor its runtime state or lock in the zone's run directory. */
  g_assert_cmpuint (count_prefixed (run_dir, "disp"), ==, 0);
}

static gboolean
dir_empty_cb (gpointer user_data)
{
  return count_files (user_data) == 0;
}

static void
wait_until (GSourceFunc condition,
            gpointer    data)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!condition (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
}

static void
test_disposable_disconnect (void)
{
  g_autofree char *qubes_dir = g_build_filename (zone_dir, "qubes", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char line[64] = { 0 };

  /* The client goes away in the middle of a long command. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                              g_getenv ("QAIR_PROGRAM"), "dispvm", "--zone", "local", "--",
                              "sh", "-c", "echo started; sleep 600", NULL);
  g_assert_no_error (error);
  g_input_stream_read (g_subprocess_get_stdout_pipe (process), line, sizeof line - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "started\n");
  g_assert_cmpuint (count_files (qubes_dir), ==, 1);

  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, NULL);
  g_input_stream_close (g_subprocess_get_stdout_pipe (process), NULL, NULL);

  wait_until (dir_empty_cb, qubes_dir);
}

/* Under a real qrexec the caller's end of stdout stays open after the
 * caller has gone (qrexec's agent holds it): the Events service must end
 * when its stdin ends too, not follow the zone for ever. */
static void
test_events_end_with_stdin (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) agent = NULL;
  g_autoptr(GError) error = NULL;
  char line[4096] = "";
  gint64 deadline;

  g_subprocess_launcher_setenv (launcher, "QREXEC_SERVICE_FULL_NAME", "qubesair.Events+", TRUE);
  g_subprocess_launcher_setenv (launcher, "QREXEC_SERVICE_ARGUMENT", "", TRUE);
  g_subprocess_launcher_setenv (launcher, "QREXEC_REMOTE_DOMAIN", "mgmt", TRUE);
  g_subprocess_launcher_setenv (launcher, "AIR_AGENT_DIR", zone_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "AIR_ZONE_NAME", "local", TRUE);
  agent = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AIR_AGENT_PROGRAM"), NULL);
  g_assert_no_error (error);

  /* It follows (its first event is the zone's health)… */
  g_input_stream_read (g_subprocess_get_stdout_pipe (agent), line, sizeof line - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (line, "zone-health"));

  /* …until its stdin ends, while we keep its stdout open and unread. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (agent), NULL, NULL);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  /* Its identifier goes once it has exited and been reaped. */
  while (g_get_monotonic_time () < deadline && g_subprocess_get_identifier (agent) != NULL)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  g_assert_null (g_subprocess_get_identifier (agent));
  g_assert_true (g_subprocess_get_if_exited (agent));
  g_assert_cmpint (g_subprocess_get_exit_status (agent), ==, 0);
}

static void
test_kill_during_create (void)
{
  g_autofree char *qubes_dir = g_build_filename (zone_dir, "qubes", NULL);

  /* kill -9 of the agent at many points of Create: List never shows a
   * half-made qube, and the name can be created afterwards. */
  for (guint delay = 0; delay < 24; delay++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                           G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                           G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_autoptr(GSubprocess) agent = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("k%u", delay);
      g_autofree char *full = g_strdup_printf ("qubesair.Create+%s", name);
      g_autofree char *state = NULL;
      const char *spec = "{\"template\":\"host\"}";

      g_subprocess_launcher_setenv (launcher, "QREXEC_SERVICE_FULL_NAME", full, TRUE);
      g_subprocess_launcher_setenv (launcher, "QREXEC_SERVICE_ARGUMENT", name, TRUE);
      g_subprocess_launcher_setenv (launcher, "QREXEC_REMOTE_DOMAIN", "mgmt", TRUE);
      g_subprocess_launcher_setenv (launcher, "AIR_AGENT_DIR", zone_dir, TRUE);
      g_subprocess_launcher_setenv (launcher, "AIR_ZONE_NAME", "local", TRUE);
      agent = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AIR_AGENT_PROGRAM"), name, NULL);
      g_assert_no_error (error);
      g_output_stream_write_all (g_subprocess_get_stdin_pipe (agent), spec, strlen (spec), NULL, NULL, NULL);
      g_output_stream_close (g_subprocess_get_stdin_pipe (agent), NULL, NULL);

      g_usleep (delay * 250);
      g_subprocess_send_signal (agent, SIGKILL);
      g_subprocess_wait (agent, NULL, NULL);

      /* Either the qube exists whole, or not at all. */
      state = qube_state (name);
      if (state != NULL)
        g_assert_cmpstr (state, ==, "Halted");
      else
        g_assert_cmpint (qair (NULL, NULL, NULL, "create", name, "--zone", "local", NULL), ==, 0);
      g_assert_cmpint (qair (NULL, NULL, NULL, "run", name, "--", "true", NULL), ==, 0);
      g_assert_cmpint (qair (NULL, NULL, NULL, "shutdown", name, NULL), ==, 0);
      g_assert_cmpint (qair (NULL, NULL, NULL, "rm", name, NULL), ==, 0);
    }

  g_assert_cmpuint (count_qubes (qubes_dir), ==, 0);
}

/* Reads the next event line that is not a passing state: a fast
 * shutdown may go from Running to Halted without Halting being seen. */
static char *
next_event (GDataInputStream *lines)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (g_str_has_suffix (line, " Transient") || g_str_has_suffix (line, " Halting"))
        {
          g_assert_true (g_str_has_prefix (line, "local qube-changed gamma "));
          g_free (line);
          continue;
        }
      return line;
    }
}

static void
test_events (void)
{
  g_autoptr(GSubprocess) events = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  const struct { const char *then_run; const char *expect; } steps[] = {
    { NULL, "local zone-health up" },
    { "create", "local qube-added gamma Halted" },
    { "start", "local qube-changed gamma Running" },
    { "shutdown", "local qube-changed gamma Halted" },
    { "rm", "local qube-removed gamma" },
  };

  /* stderr silenced: a failed assertion must not leave meson waiting on
   * a pipe held by the stream's processes. */
  events = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             g_getenv ("QAIR_PROGRAM"), "events", "--zone", "local", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (events));

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *line = NULL;

      if (g_strcmp0 (steps[i].then_run, "create") == 0)
        g_assert_cmpint (qair (NULL, NULL, NULL, "create", "gamma", "--zone", "local", NULL), ==, 0);
      else if (steps[i].then_run != NULL)
        g_assert_cmpint (qair (NULL, NULL, NULL, steps[i].then_run, "gamma", NULL), ==, 0);

      line = next_event (lines);
      g_assert_cmpstr (line, ==, steps[i].expect);
    }

  g_subprocess_force_exit (events);
  g_subprocess_wait (events, NULL, NULL);
}

/* Asked as the app asks, the stream begins with the zone's list, then
 * its health, then the changes. */
static void
test_events_listed (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) events = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *list = NULL;
  g_autofree char *health = NULL;
  g_autofree char *change = NULL;

  g_assert_cmpint (qair (NULL, NULL, NULL, "create", "delta", "--zone", "local", NULL), ==, 0);

  g_subprocess_launcher_setenv (launcher, "QREXEC_SERVICE_FULL_NAME", "qubesair.Events+listed", TRUE);
  g_subprocess_launcher_setenv (launcher, "QREXEC_SERVICE_ARGUMENT", "listed", TRUE);
  g_subprocess_launcher_setenv (launcher, "QREXEC_REMOTE_DOMAIN", "dom0", TRUE);
  g_subprocess_launcher_setenv (launcher, "AIR_LOOPBACK_SELF", "sys-remote-local", TRUE);
  g_subprocess_launcher_setenv (launcher, "AIR_AGENT_DIR", zone_dir, TRUE);
  events = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AIR_AGENT_PROGRAM"), "listed", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (events));

  list = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (list, "{\"version\":1,\"zone\":\"local\",\"qubes\":["));
  g_assert_nonnull (strstr (list, "{\"name\":\"delta\",\"class\":\"AppVM\",\"state\":\"Halted\""));
  health = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_cmpstr (health, ==, "{\"event\":\"zone-health\",\"health\":\"up\",\"reason\":\"\"}");

  g_assert_cmpint (qair (NULL, NULL, NULL, "start", "delta", NULL), ==, 0);
  do
    {
      g_free (change);
      change = g_data_input_stream_read_line (lines, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (change);
    }
  while (strstr (change, "\"state\":\"Running\"") == NULL);
  g_assert_true (g_str_has_prefix (change, "{\"event\":\"qube-changed\",\"qube\":{\"name\":\"delta\""));

  g_subprocess_force_exit (events);
  g_subprocess_wait (events, NULL, NULL);
  g_assert_cmpint (qair (NULL, NULL, NULL, "kill", "delta", NULL), ==, 0);
  g_assert_cmpint (qair (NULL, NULL, NULL, "rm", "delta", NULL), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  int status;

  base_dir = g_dir_make_tmp ("air-agent-XXXXXX", NULL);
  g_setenv ("HOME", base_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", base_dir, TRUE);
  g_setenv ("XDG_DATA_HOME", base_dir, TRUE);
  g_setenv ("AIR_LOOPBACK_DIR", base_dir, TRUE);
  g_unsetenv ("AIR_ZONES_FILE");
  zone_dir = g_build_filename (base_dir, "sys-remote-local", NULL);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/air/agent/zones", test_zones);
  g_test_add_func ("/air/agent/create-remove", test_create_and_remove);
  g_test_add_func ("/air/agent/lifecycle-run", test_lifecycle_and_run);
  g_test_add_func ("/air/agent/disposable", test_disposable);
  g_test_add_func ("/air/agent/events-end-with-stdin", test_events_end_with_stdin);
  g_test_add_func ("/air/agent/disposable-disconnect", test_disposable_disconnect);
  g_test_add_func ("/air/agent/kill-during-create", test_kill_during_create);
  g_test_add_func ("/air/agent/events", test_events);
  g_test_add_func ("/air/agent/events-listed", test_events_listed);
  status = g_test_run ();

  if (status == 0)
    {
      g_autofree char *rm = g_strdup_printf ("rm -rf %s", base_dir);
      (void) !system (rm);
    }
  return status;
}
