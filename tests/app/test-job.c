/* test-job.c — AirJob: states, the error shown, the output made safe
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "air-error.h"
#include "air-job.h"

static void
output_cb (AirJob     *job,
           const char *text,
           GString    *seen)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_string_append (seen, text);
}

static void
test_job_output (void)
{
  g_autoptr(AirJob) job = air_job_new ("Run", "local");
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autofree char *output = NULL;
  /* "é" split over two chunks, an escape sequence, a NUL, a bad byte. */
  static const char part1[] = "hello\r\nwith caf\xc3";
  static const char part2[] = "\xa9 \x1b[31mred\x1b[0m\tnul:";
  static const char part3[] = "\0bad:\xff end\n";

  g_signal_connect (job, "output", G_CALLBACK (output_cb), seen);
  air_job_append_output (job, part1, sizeof part1 - 1);
  air_job_append_output (job, part2, sizeof part2 - 1);
  air_job_append_output (job, part3, sizeof part3 - 1);
  air_job_finish_command (job, 3);

  output = air_job_dup_output (job);
  g_assert_cmpstr (output, ==, seen->str);
  g_assert_cmpstr (output, ==, "hello\nwith café \xef\xbf\xbd[31mred\xef\xbf\xbd[0m\tnul:\xef\xbf\xbd" "bad:\xef\xbf\xbd end\n");
  /* A command that ends badly is a failed job, told with its last line. */
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_FAILED);
  g_assert_cmpint (air_job_get_exit_status (job), ==, 3);
  g_assert_true (air_job_is_finished (job));
  g_assert_cmpstr (air_job_get_error (job), ==, "with café \xef\xbf\xbd[31mred\xef\xbf\xbd[0m nul:\xef\xbf\xbd" "bad:\xef\xbf\xbd end");
  g_assert_nonnull (strstr (air_job_get_hint (job), "exit status 3"));
}

/* A program the qube does not have: failed, saying so; a clean end: done. */
static void
test_job_command_status (void)
{
  g_autoptr(AirJob) missing = air_job_new ("Run Terminal", "local");
  g_autoptr(AirJob) silent = air_job_new ("Run", "local");
  g_autoptr(AirJob) fine = air_job_new ("Run", "local");
  static const char said[] = "This qube has no terminal program.\n";

  air_job_append_output (missing, said, sizeof said - 1);
  air_job_finish_command (missing, 127);
  g_assert_cmpint (air_job_get_state (missing), ==, AIR_JOB_FAILED);
  g_assert_cmpstr (air_job_get_error (missing), ==, "This qube has no terminal program.");
  g_assert_nonnull (strstr (air_job_get_hint (missing), "not installed"));

  air_job_finish_command (silent, 1);
  g_assert_cmpint (air_job_get_state (silent), ==, AIR_JOB_FAILED);
  g_assert_nonnull (strstr (air_job_get_error (silent), "exit status 1"));

  air_job_finish_command (fine, 0);
  g_assert_cmpint (air_job_get_state (fine), ==, AIR_JOB_SUCCEEDED);
  g_assert_null (air_job_get_error (fine));
}

static void
test_job_output_cut (void)
{
  g_autoptr(AirJob) job = air_job_new ("Run", "local");
  g_autofree char *output = NULL;
  static const char cut[] = "ab\xe4\xb8";   /* the start of "中" */

  air_job_append_output (job, cut, sizeof cut - 1);
  air_job_fail (job, &(GError) { AIR_ERROR, AIR_ERROR_REMOTE, (char *) "gone" });

  output = air_job_dup_output (job);
  g_assert_cmpstr (output, ==, "ab\xef\xbf\xbd");
}

static void
test_job_failure (void)
{
  g_autoptr(AirJob) job = air_job_new ("Start work", "cloud");
  g_autoptr(GError) error = g_error_new (AIR_ERROR, AIR_ERROR_UNREACHABLE,
                                         "no route\n<b>to</b> \x1b]0;evil\x07 host");
  guint finished = 0;

  g_signal_connect_swapped (job, "finished", G_CALLBACK (g_atomic_int_inc), &finished);
  g_assert_true (air_job_get_pulsing (job));
  air_job_set_progress (job, 0.5);
  g_assert_false (air_job_get_pulsing (job));
  g_assert_cmpfloat (air_job_get_progress (job), ==, 0.5);

  air_job_fail (job, error);
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_FAILED);
  g_assert_cmpuint (finished, ==, 1);
  /* One line, no control characters; markup stays text for the label. */
  g_assert_null (strchr (air_job_get_error (job), '\n'));
  g_assert_null (strchr (air_job_get_error (job), '\x1b'));
  g_assert_nonnull (strstr (air_job_get_error (job), "<b>to</b>"));
  g_assert_nonnull (air_job_get_hint (job));
  g_assert_cmpstr (air_job_get_zone (job), ==, "cloud");

  /* A finished job stays as it ended. */
  air_job_succeed (job);
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_FAILED);
  g_assert_cmpuint (finished, ==, 1);
  g_assert_cmpfloat (air_job_get_duration (job), >=, 0.0);
}

static void
test_job_cancel (void)
{
  g_autoptr(AirJob) job = air_job_new ("Create", "local");
  g_autoptr(GError) error = NULL;

  air_job_cancel (job);
  g_assert_true (g_cancellable_is_cancelled (air_job_get_cancellable (job)));
  g_cancellable_set_error_if_cancelled (air_job_get_cancellable (job), &error);
  air_job_fail (job, error);
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_CANCELLED);
  g_assert_null (air_job_get_error (job));
}

static void
test_job_output_limit (void)
{
  g_autoptr(AirJob) job = air_job_new ("Run", "local");
  g_autofree char *chunk = g_malloc (1024 * 1024);
  g_autofree char *output = NULL;

  memset (chunk, 'x', 1024 * 1024);
  for (guint i = 0; i < 8; i++)
    air_job_append_output (job, chunk, 1024 * 1024);

  output = air_job_dup_output (job);
  g_assert_cmpuint (strlen (output), <=, AIR_JOB_MAX_OUTPUT + 200);
  g_assert_cmpuint (strlen (output), >=, AIR_JOB_MAX_OUTPUT - 1024 * 1024);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/air/job/command-status", test_job_command_status);
  g_test_add_func ("/air/job/output", test_job_output);
  g_test_add_func ("/air/job/output-cut", test_job_output_cut);
  g_test_add_func ("/air/job/output-limit", test_job_output_limit);
  g_test_add_func ("/air/job/failure", test_job_failure);
  g_test_add_func ("/air/job/cancel", test_job_cancel);

  return g_test_run ();
}
