/* bench-proxmox.c — the proxmox driver's list against the stand-in
 * server (tests/proxmox/pve-test-server.py) with 1,000 VMs: what
 * `qair ls --zone lab` will cost at the gateway (goal under 100 ms),
 * and one guest-agent run. Verified against the stand-in only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "air-proxmox-driver.h"

#define N_VMS  1000
#define RUNS   15
#define TOKEN  "bench@pve!air=00000000-0000-0000-0000-000000000000"

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
report (const char *what, GArray *samples, double goal)
{
  double median;

  g_array_sort (samples, compare_doubles);
  median = g_array_index (samples, double, samples->len / 2);
  g_print ("%-46s median %7.1f ms  (min %.1f, max %.1f, %u runs)  goal < %.0f ms  %s\n", what, median,
           g_array_index (samples, double, 0), g_array_index (samples, double, samples->len - 1),
           samples->len, goal, median < goal ? "ok" : "OVER");
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("air-bench-proxmox-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename (dir, "c.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "c.key", NULL);
  g_autofree char *port_file = g_build_filename (dir, "port", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *port = NULL;
  g_autofree char *url = NULL;
  g_autofree char *pin = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(AirProxmoxApi) api = NULL;
  g_autoptr(AirProxmoxDriver) driver = NULL;
  g_autoptr(GArray) list_ms = g_array_new (FALSE, FALSE, sizeof (double));
  const char *script = g_getenv ("PVE_TEST_SERVER");
  const char *openssl[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-days", "1", "-subj", "/CN=pve1", "-keyout", key, "-out", cert, NULL };
  AirProxmoxConfig config = { .node = (char *) "pve1", .timeout = 10 };
  guint n_qubes = 0;

  g_assert_nonnull (script);
  g_spawn_sync (NULL, (char **) openssl, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error, "python3", script, "--cert", cert,
                             "--key", key, "--token", TOKEN, "--port-file", port_file, "--state", state,
                             "--vms", G_STRINGIFY (N_VMS), NULL);
  g_assert_no_error (error);
  while (!g_file_get_contents (port_file, &port, NULL, NULL))
    g_usleep (20 * 1000);
  url = g_strdup_printf ("https://127.0.0.1:%s", port);
  pin = air_proxmox_fetch_pin (url, 5, &error);
  g_assert_no_error (error);

  api = air_proxmox_api_new (url, pin, 10);
  g_assert_true (air_proxmox_api_set_token (api, TOKEN, strlen (TOKEN), &error));
  config.url = url;
  config.pin = pin;
  driver = air_proxmox_driver_new ("lab", &config, api);

  for (guint i = 0; i < RUNS; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GPtrArray) qubes = air_proxmox_driver_list (driver, &error);
      double ms = (g_get_monotonic_time () - start) / 1000.0;

      g_assert_no_error (error);
      n_qubes = qubes->len;
      g_array_append_val (list_ms, ms);
    }
  g_print ("%u qubes listed from %d VMs of the stand-in server\n", n_qubes, N_VMS);
  report ("list of a Proxmox zone (1,000 VMs, one HTTPS)", list_ms, 100);

  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  {
    const char *rm[] = { "rm", "-rf", dir, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  return 0;
}
