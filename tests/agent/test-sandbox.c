/* test-sandbox.c — whether qubes can be isolated, asked of bwrap once
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "air-sandbox.h"

static char *dir;

/* A working bwrap is tried once: the answer is kept, private, for this
 * boot and this bwrap; a cache that does not match is tried again. */
static void
test_probe_remembered (void)
{
  g_autofree char *cache = g_build_filename (dir, "sandbox-probe", NULL);
  g_autofree char *kept = NULL;
  g_autofree char *boot_id = NULL;
  struct stat st;

  if (air_sandbox_probe (NULL) != AIR_ISOLATION_NAMESPACES)
    {
      g_test_skip ("bwrap cannot make namespaces here");
      return;
    }

  g_assert_cmpint (air_sandbox_probe (cache), ==, AIR_ISOLATION_NAMESPACES);
  g_assert_true (g_file_get_contents (cache, &kept, NULL, NULL));
  g_assert_true (g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot_id, NULL, NULL));
  g_assert_true (g_str_has_prefix (kept, g_strstrip (boot_id)));
  g_assert_nonnull (strstr (kept, "bwrap"));
  g_assert_cmpint (g_stat (cache, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Another boot's answer is not taken: bwrap is asked again. */
  g_assert_true (g_file_set_contents (cache, "another-boot /usr/bin/bwrap 1 2 3.000000000\n", -1, NULL));
  g_assert_cmpint (air_sandbox_probe (cache), ==, AIR_ISOLATION_NAMESPACES);
  g_clear_pointer (&kept, g_free);
  g_assert_true (g_file_get_contents (cache, &kept, NULL, NULL));
  g_assert_true (g_str_has_prefix (kept, boot_id));
}

/* No bwrap, or isolation turned off: none, and nothing kept — what the
 * file says can never make a qube start unconfined. */
static void
test_probe_none_not_remembered (void)
{
  g_autofree char *cache = g_build_filename (dir, "sandbox-probe-none", NULL);
  g_autofree char *path = g_strdup (g_getenv ("PATH"));

  g_setenv ("PATH", dir, TRUE);   /* no bwrap here */
  g_assert_cmpint (air_sandbox_probe (cache), ==, AIR_ISOLATION_NONE);
  g_assert_false (g_file_test (cache, G_FILE_TEST_EXISTS));
  g_setenv ("PATH", path, TRUE);

  g_setenv ("AIR_SANDBOX", "none", TRUE);
  g_assert_cmpint (air_sandbox_probe (cache), ==, AIR_ISOLATION_NONE);
  g_assert_false (g_file_test (cache, G_FILE_TEST_EXISTS));
  g_unsetenv ("AIR_SANDBOX");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rm = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("air-test-sandbox-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/air/sandbox/probe-remembered", test_probe_remembered);
  g_test_add_func ("/air/sandbox/probe-none-not-remembered", test_probe_none_not_remembered);
  status = g_test_run ();

  rm = g_strdup_printf ("rm -rf '%s'", dir);
  (void) !system (rm);
  g_free (dir);
  return status;
}
