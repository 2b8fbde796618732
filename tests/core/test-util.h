/* test-util.h — small helpers shared by the core tests
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

G_BEGIN_DECLS

/* Logs a test case whose text may hold newlines, control characters or
 * invalid UTF-8, escaped so the TAP stream stays readable. */
static inline void
test_note (const char *what,
           guint       index,
           const char *text)
{
  g_autofree char *escaped = g_strescape (text, NULL);

  g_test_message ("%s #%u: %s", what, index, escaped);
}

static inline void
test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        test_remove_tree (child);
      }
  g_remove (path);
}

/* HOME and the XDG directories in a fresh temporary directory, set before
 * anything asks GLib for them; returns it, for test_remove_tree() at the
 * end. (G_TEST_OPTION_ISOLATE_DIRS does this per test, but GLib 2.74 leaks
 * the strings, which LeakSanitizer reports.) */
static inline char *
test_isolate_dirs (void)
{
  static const char * const vars[] = {
    "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR",
  };
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("air-test-XXXXXX", &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      g_autofree char *path = g_build_filename (dir, vars[i], NULL);

      g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
      g_setenv (vars[i], path, TRUE);
    }
  g_setenv ("XDG_CONFIG_DIRS", dir, TRUE);
  g_setenv ("XDG_DATA_DIRS", dir, TRUE);
  g_unsetenv ("AIR_ZONES_FILE");
  g_unsetenv ("AIR_LOOPBACK_DIR");
  return dir;
}

G_END_DECLS
