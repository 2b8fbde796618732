/* bench-agent.c — the local zone through the whole chain, timed
 *
 * Makes a local zone of 1,000 qubes with the driver itself (the same code
 * qubesair.Create runs), then times, as a user or a script would see them:
 *   - `qair ls --json` (goal under 50 ms),
 *   - the agent's qubesair.List alone (goal under 50 ms),
 *   - `qair run q -- true` on a running qube (goal under 30 ms).
 * Each figure is the median of many runs, printed with its spread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <stdlib.h>

#include "air-local-driver.h"

#define N_QUBES 1000

typedef struct {
  const char *what;
  double      goal_ms;
  GArray     *samples;   /* of double, milliseconds */
} Figure;

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Prints the figure; returns whether its median met the goal. */
static gboolean
report (Figure *figure)
{
  GArray *s = figure->samples;
  double median, low, high;

  g_array_sort (s, compare_doubles);
  median = g_array_index (s, double, s->len / 2);
  low = g_array_index (s, double, 0);
  high = g_array_index (s, double, s->len - 1);
  g_print ("%-44s median %7.1f ms  (min %.1f, max %.1f, %u runs)  goal < %.0f ms  %s\n",
           figure->what, median, low, high, s->len, figure->goal_ms,
           median < figure->goal_ms ? "ok" : "OVER");
  return median < figure->goal_ms;
}

/* Runs argv once with the given environment; returns milliseconds. */
static double
time_once (GSubprocessLauncher *launcher,
           const char * const  *argv,
           gsize               *out_len)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("%s failed", argv[0]);
  if (out_len)
    *out_len = g_bytes_get_size (out);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
measure (Figure              *figure,
         GSubprocessLauncher *launcher,
         const char * const  *argv,
         guint                runs)
{
  gsize len = 0;

  time_once (launcher, argv, &len);   /* warm the page cache */
  for (guint i = 0; i < runs; i++)
    {
      double ms = time_once (launcher, argv, &len);
      g_array_append_val (figure->samples, ms);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *base = g_dir_make_tmp ("air-bench-agent-XXXXXX", NULL);
  g_autofree char *zone_dir = g_build_filename (base, "sys-remote-local", NULL);
  g_autoptr(AirLocalDriver) driver = NULL;
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocessLauncher) agent = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  const char *qair = g_getenv ("QAIR_PROGRAM");
  const char *agent_program = g_getenv ("AIR_AGENT_PROGRAM");
  Figure ls = { "qair ls --json, 1,000 qubes", 50, g_array_new (FALSE, FALSE, sizeof (double)) };
  Figure list = { "agent qubesair.List, 1,000 qubes", 50, g_array_new (FALSE, FALSE, sizeof (double)) };
  Figure run = { "qair run q -- true, running qube", 30, g_array_new (FALSE, FALSE, sizeof (double)) };
  gint64 start;
  gboolean ok = TRUE;

  if (qair == NULL || agent_program == NULL)
    {
      g_printerr ("Run me with meson test --benchmark (QAIR_PROGRAM and AIR_AGENT_PROGRAM unset)\n");
      return 2;
    }

  g_mkdir_with_parents (zone_dir, 0700);
  driver = air_local_driver_new (zone_dir, "local", &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_QUBES; i++)
    {
      g_autofree char *name = g_strdup_printf ("q%04u", i);
      g_autoptr(AirQube) qube = air_local_driver_create (driver, name, spec, &error);

      g_assert_no_error (error);
    }
  g_print ("%-44s %7.1f ms  (%u qubes, fsync each)\n", "made the zone",
           (g_get_monotonic_time () - start) / 1000.0, N_QUBES);

  for (GSubprocessLauncher **l = (GSubprocessLauncher *[]) { launcher, agent, NULL }; *l; l++)
    {
      g_subprocess_launcher_setenv (*l, "HOME", base, TRUE);
      g_subprocess_launcher_setenv (*l, "XDG_CONFIG_HOME", base, TRUE);
      g_subprocess_launcher_setenv (*l, "AIR_LOOPBACK_DIR", base, TRUE);
      g_subprocess_launcher_setenv (*l, "AIR_TRANSPORT", "loopback", TRUE);
      g_subprocess_launcher_unsetenv (*l, "AIR_ZONES_FILE");
    }
  g_subprocess_launcher_setenv (agent, "QREXEC_SERVICE_FULL_NAME", "qubesair.List", TRUE);
  g_subprocess_launcher_setenv (agent, "QREXEC_SERVICE_ARGUMENT", "", TRUE);
  g_subprocess_launcher_setenv (agent, "QREXEC_REMOTE_DOMAIN", "bench", TRUE);
  g_subprocess_launcher_setenv (agent, "AIR_AGENT_DIR", zone_dir, TRUE);
  g_subprocess_launcher_setenv (agent, "AIR_ZONE_NAME", "local", TRUE);

  measure (&ls, launcher, (const char *[]) { qair, "ls", "--json", NULL }, 30);
  measure (&list, agent, (const char *[]) { agent_program, NULL }, 30);

  time_once (launcher, (const char *[]) { qair, "start", "q0000", NULL }, NULL);
  measure (&run, launcher, (const char *[]) { qair, "run", "q0000", "--", "true", NULL }, 100);
  time_once (launcher, (const char *[]) { qair, "shutdown", "q0000", NULL }, NULL);

  ok &= report (&ls);
  ok &= report (&list);
  ok &= report (&run);

  g_array_unref (ls.samples);
  g_array_unref (list.samples);
  g_array_unref (run.samples);
  {
    g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", base);
    (void) !system (rm);
  }
  return ok ? 0 : 1;
}
