/* air-test-utils.h — waiting on the main loop, hermetic directories
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef gboolean (*AirTestCondition) (gpointer user_data);

/* Iterates the default main context until @condition holds; fails the test
 * after @seconds. */
static inline void
air_test_wait_until (AirTestCondition  condition,
                     gpointer          user_data,
                     guint             seconds,
                     const char       *what)
{
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!condition (user_data))
    {
      if (g_get_monotonic_time () > end)
        g_error ("Timed out waiting for %s", what);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

/* A home and XDG directories of the test's own (before g_test_init, which
 * caches them; G_TEST_OPTION_ISOLATE_DIRS leaks in GLib 2.74). Returns the
 * directory to remove with air_test_remove_dirs(). */
static inline char *
air_test_isolate_dirs (const char *name)
{
  g_autofree char *template = g_strdup_printf ("air-%s-XXXXXX", name);
  char *top = g_dir_make_tmp (template, NULL);
  const char *vars[][2] = {
    { "HOME", "home" }, { "XDG_CONFIG_HOME", "config" }, { "XDG_DATA_HOME", "data" },
    { "XDG_CACHE_HOME", "cache" }, { "XDG_STATE_HOME", "state" }, { "XDG_RUNTIME_DIR", "runtime" },
  };

  g_assert_nonnull (top);
  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      g_autofree char *dir = g_build_filename (top, vars[i][1], NULL);

      g_mkdir_with_parents (dir, 0700);
      g_setenv (vars[i][0], dir, TRUE);
    }
  return top;
}

static inline void
air_test_remove_dirs (const char *top)
{
  const char *rm[] = { "rm", "-rf", top, NULL };

  g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* The zone list and the loopback gateways' state in the test's directories. */
static inline void
air_test_setup_dirs (void)
{
  g_autofree char *loopback = g_build_filename (g_get_user_data_dir (), "loopback", NULL);
  g_autofree char *zones = g_build_filename (g_get_user_config_dir (), "qubes-air", "zones.json", NULL);

  g_setenv ("AIR_LOOPBACK_DIR", loopback, TRUE);
  g_setenv ("AIR_ZONES_FILE", zones, TRUE);
  g_setenv ("AIR_TRANSPORT", "loopback", TRUE);
}

static inline void
air_test_write_zones (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (g_getenv ("AIR_ZONES_FILE"));

  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (g_getenv ("AIR_ZONES_FILE"), json, -1, &error);
  g_assert_no_error (error);
}

G_END_DECLS
