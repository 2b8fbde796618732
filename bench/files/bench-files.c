/* bench-files.c — files between two qubes of the local zone, the whole
 * chain: FileGet in one agent → this process (as the app would) → FilePut
 * in another agent. Prints throughput beside a plain `cat | cat` pipe over
 * the same data in the same run, and how much this process's resident
 * memory grew while transferring.
 *
 *   bench-files [--mib N] [--files N]     (defaults: 1024 MiB, 10,000 files)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "bench-files"

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "air-file-transfer.h"
#include "air-transport.h"
#include "air-zone.h"

static char *base_dir;
static char *zone_dir;
static guint64 rss_start, rss_peak;

static guint64
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + 6, NULL, 10);
}

static void
progress_cb (guint64  bytes,
             gpointer user_data)
{
  rss_peak = MAX (rss_peak, rss_kib ());
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static double
copy (AirZone    *zone,
      const char *path)
{
  const char *paths[] = { path, NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  rss_start = rss_kib ();
  rss_peak = rss_start;
  air_file_transfer_copy_async (zone, "a", paths, zone, "b", progress_cb, NULL, NULL, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  air_file_transfer_finish (result, &error);
  if (error != NULL)
    g_error ("copy failed: %s", error->message);
  rss_peak = MAX (rss_peak, rss_kib ());
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
shell_time (const char *command)
{
  gint64 start = g_get_monotonic_time ();
  int status;

  if (!g_spawn_command_line_sync (command, NULL, NULL, &status, NULL) || status != 0)
    g_error ("%s failed", command);
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
report (const char *what,
        double      mib,
        double      chain,
        double      pipe)
{
  g_print ("%-24s chain %8.1f MiB/s (%6.2f s)   cat pipe %8.1f MiB/s (%6.2f s)   %5.1f%% of the pipe\n",
           what, mib / chain, chain, mib / pipe, pipe, 100.0 * pipe / chain);
  g_print ("%-24s resident memory of the transferring process: %.1f MiB before, +%.1f MiB at most\n",
           "", rss_start / 1024.0, (rss_peak - rss_start) / 1024.0);
}

static void
create_qube (const char *name)
{
  g_autoptr(GBytes) input = g_bytes_new_static ("{}", 2);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = air_transport_call_sync (air_transport_get_default (), "sys-remote-local",
                                    "qubesair.Create", name, input, 65536, NULL, &error);
  if (answer == NULL)
    g_error ("cannot create %s: %s", name, error->message);
}

int
main (int    argc,
      char **argv)
{
  gint mib = 1024, files = 10000;
  GOptionEntry entries[] = {
    { "mib", 0, 0, G_OPTION_ARG_INT, &mib, "Size of the large file", "N" },
    { "files", 0, 0, G_OPTION_ARG_INT, &files, "Number of small files", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(AirZone) zone = NULL;
  g_autofree char *home_a = NULL;
  g_autofree char *big = NULL;
  g_autofree char *small = NULL;
  g_autofree char *command = NULL;
  g_autofree guint8 *chunk = g_malloc (1024 * 1024);
  double chain, pipe;
  int fd;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, NULL))
    return 2;

  base_dir = g_dir_make_tmp ("air-bench-files-XXXXXX", NULL);
  g_setenv ("AIR_LOOPBACK_DIR", base_dir, TRUE);
  g_setenv ("AIR_TRANSPORT", "loopback", TRUE);
  zone_dir = g_build_filename (base_dir, "sys-remote-local", NULL);
  zone = air_zone_new ("local", NULL, NULL);
  create_qube ("a");
  create_qube ("b");
  home_a = g_build_filename (zone_dir, "private", "a", NULL);

  /* One large file of real (not sparse) data. */
  big = g_build_filename (home_a, "big.bin", NULL);
  for (guint i = 0; i < 1024 * 1024; i++)
    chunk[i] = (guint8) g_random_int ();
  fd = open (big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  for (gint i = 0; i < mib; i++)
    if (write (fd, chunk, 1024 * 1024) != 1024 * 1024)
      g_error ("cannot write the test file");
  close (fd);

  command = g_strdup_printf ("sh -c 'cat \"%s\" | cat > \"%s/pipe.out\"'", big, base_dir);
  pipe = shell_time (command);
  chain = copy (zone, "big.bin");
  report ("1 file", mib, chain, pipe);

  /* Many small files, 1 KiB each. */
  small = g_build_filename (home_a, "small", NULL);
  g_mkdir (small, 0755);
  for (gint i = 0; i < files; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/f%05d", small, i);
      g_file_set_contents (name, (const char *) chunk + (i % 1000), 1024, NULL);
    }
  g_free (command);
  command = g_strdup_printf ("sh -c 'cd \"%s\" && cat * | cat > \"%s/pipe.out\"'", small, base_dir);
  pipe = shell_time (command);
  chain = copy (zone, "small");
  {
    g_autofree char *what = g_strdup_printf ("%d files of 1 KiB", files);
    report (what, files / 1024.0, chain, pipe);
  }

  g_free (command);
  command = g_strdup_printf ("rm -rf --one-file-system \"%s\"", base_dir);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  return 0;
}
