/* test-remotevm.c — what dom0 is given to know a zone's qubes as RemoteVMs:
 * names within Qubes' limit that never meet, and a script that, run in a
 * stand-in dom0, creates each RemoteVM once, leaves dom0's own qubes alone,
 * and writes the policy.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "air-remotevm.h"

static void
test_names (void)
{
  g_autofree char *plain = air_remotevm_dom0_name ("lab", "work");
  g_autofree char *long1 = air_remotevm_dom0_name ("homelab", "a-very-long-qube-name-number-one");
  g_autofree char *long2 = air_remotevm_dom0_name ("homelab", "a-very-long-qube-name-number-two");
  g_autofree char *again = air_remotevm_dom0_name ("homelab", "a-very-long-qube-name-number-one");
  g_autofree char *edge = air_remotevm_dom0_name ("z", "abcdefghijklmnopqrstuvwxyz-1");

  g_assert_cmpstr (plain, ==, "lab-work");
  g_assert_cmpuint (strlen (long1), ==, AIR_REMOTEVM_MAX_NAME);
  g_assert_cmpuint (strlen (long2), ==, AIR_REMOTEVM_MAX_NAME);
  g_assert_cmpstr (long1, !=, long2);           /* cut alike, still two names */
  g_assert_cmpstr (long1, ==, again);           /* the same every time */
  g_assert_true (g_str_has_prefix (long1, "homelab-a-very-long"));
  g_assert_cmpstr (edge, ==, "z-abcdefghijklmnopqrstuvwxyz-1");   /* 30: not cut */
}

static AirQube *
qube (const char *name,
      AirLabel    label)
{
  AirQube *qube = air_qube_new ("lab", name);

  air_qube_set_label (qube, label);
  return qube;
}

/* The script, run with qvm-check and qvm-create stand-ins that log what
 * they are asked, and the policy directory moved to @dir. */
static char *
run_in_fake_dom0 (const char *script,
                  const char *dir,
                  int        *status)
{
  g_autofree char *bin = g_build_filename (dir, "bin", NULL);
  g_autofree char *policy_dir = g_build_filename (dir, "policy.d", NULL);
  g_autofree char *check = g_build_filename (bin, "qvm-check", NULL);
  g_autofree char *create = g_build_filename (bin, "qvm-create", NULL);
  g_autofree char *log = g_build_filename (dir, "log", NULL);
  g_autofree char *moved = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *logged = NULL;
  g_autoptr(GString) edited = g_string_new (script);
  const char *argv[] = { "sh", "-c", NULL, NULL };
  g_auto(GStrv) env = g_get_environ ();

  g_mkdir_with_parents (bin, 0755);
  g_mkdir_with_parents (policy_dir, 0755);
  /* dom0 already has a qube "lab-mine". */
  g_assert_true (g_file_set_contents (check, "#!/bin/sh\n[ \"$2\" = lab-mine ]\n", -1, NULL));
  g_assert_true (g_file_set_contents (create, "#!/bin/sh\necho \"qvm-create $*\" >>\"$FAKE_LOG\"\n", -1, NULL));
  g_chmod (check, 0755);
  g_chmod (create, 0755);
  g_string_replace (edited, "/etc/qubes/policy.d", policy_dir, 0);
  argv[2] = edited->str;
  path = g_strdup_printf ("%s:%s", bin, g_getenv ("PATH"));
  env = g_environ_setenv (env, "PATH", path, TRUE);
  env = g_environ_setenv (env, "FAKE_LOG", log, TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, &out, status, NULL));
  g_file_get_contents (log, &logged, NULL, NULL);
  moved = g_strdup_printf ("%s\n--stderr--\n%s", logged ? logged : "", out ? out : "");
  return g_steal_pointer (&moved);
}

static void
test_shell_script (void)
{
  g_autoptr(AirQube) work = qube ("work", AIR_LABEL_BLUE);
  g_autoptr(AirQube) mine = qube ("mine", AIR_LABEL_RED);
  AirQube *qubes[] = { work, mine };
  g_autofree char *script = air_remotevm_script ("lab", "sys-remote-lab", qubes, 2, AIR_REMOTEVM_FORMAT_SHELL);
  g_autofree char *dir = g_dir_make_tmp ("air-test-remotevm-XXXXXX", NULL);
  g_autofree char *policy_path = g_build_filename (dir, "policy.d", "30-qubes-air-lab.policy", NULL);
  g_autofree char *policy = NULL;
  g_autofree char *result = NULL;
  g_auto(GStrv) lines = NULL;
  guint rules = 0;
  int status = -1;

  result = run_in_fake_dom0 (script, dir, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (result, "qvm-create --class RemoteVM --label blue --property relayvm=sys-remote-lab "
                                    "--property transport_rpc=qubesair.Relay --property remote_name=work lab-work\n"));
  /* dom0's own lab-mine is left alone, and the user told. */
  g_assert_null (strstr (result, "remote_name=mine"));
  g_assert_nonnull (strstr (result, "dom0 has a qube called lab-mine already: not changed"));

  g_assert_true (g_file_get_contents (policy_path, &policy, NULL, NULL));
  lines = g_strsplit (policy, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (lines[i], " ", -1);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) tokens = NULL;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      for (guint w = 0; words[w] != NULL; w++)
        if (words[w][0] != '\0')
          g_strv_builder_add (builder, words[w]);
      tokens = g_strv_builder_end (builder);
      /* SERVICE ARGUMENT SOURCE TARGET ACTION, as policy v5 reads it. */
      g_assert_cmpuint (g_strv_length (tokens), ==, 5);
      g_assert_true (g_str_equal (tokens[4], "ask") || g_str_equal (tokens[4], "deny"));
      if (g_str_equal (tokens[4], "deny"))
        g_assert_true (g_str_has_prefix (tokens[2], "lab-"));
      rules++;
    }
  g_assert_cmpuint (rules, ==, 2 * 7 + 2);
  g_assert_nonnull (strstr (policy, "qubes.Filecopy         *  @anyvm  lab-work"));

  {
    const char *rm[] = { "rm", "-rf", dir, NULL };

    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

static void
test_salt_state (void)
{
  g_autoptr(AirQube) work = qube ("work", AIR_LABEL_GREEN);
  AirQube *qubes[] = { work };
  g_autofree char *sls = air_remotevm_script ("lab", "sys-remote-lab", qubes, 1, AIR_REMOTEVM_FORMAT_SALT);

  g_assert_nonnull (strstr (sls, "'qubes-air-lab-work':\n  cmd.run:\n"));
  g_assert_nonnull (strstr (sls, "--label green --property relayvm=sys-remote-lab"));
  g_assert_nonnull (strstr (sls, "    - unless: \"qvm-check --quiet lab-work\"\n"));
  g_assert_nonnull (strstr (sls, "'/etc/qubes/policy.d/30-qubes-air-lab.policy':\n  file.managed:\n"));
  /* The policy's lines are the block's, indented under contents. */
  g_assert_nonnull (strstr (sls, "    - contents: |\n        # Qubes Air"));
  g_assert_null (strstr (sls, "\t"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/air/remotevm/names", test_names);
  g_test_add_func ("/air/remotevm/shell-script", test_shell_script);
  g_test_add_func ("/air/remotevm/salt-state", test_salt_state);
  return g_test_run ();
}
