/* air-sandbox.c
 *
 * With bubblewrap a qube gets its own PID, IPC, UTS and (where allowed) user
 * namespaces; its template's root is mounted read-only and its private
 * directory is its home — the TemplateVM/AppVM split of Qubes. bwrap stays
 * PID 1 and reaps; our init runs as its child, and when init exits the
 * namespace and everything in it ends. Without bubblewrap the qube runs
 * unconfined and the zone says isolation "none".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-sandbox"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "air-sandbox.h"

/* What a positive probe is remembered by: this boot, and this bwrap
 * binary. NULL when the boot cannot be told apart. */
static char *
probe_key (const char *bwrap)
{
  g_autofree char *boot_id = NULL;
  struct stat st;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot_id, NULL, NULL) ||
      stat (bwrap, &st) != 0)
    return NULL;
  return g_strdup_printf ("%s %s %lu %lld %lld.%09ld\n", g_strstrip (boot_id), bwrap,
                          (unsigned long) st.st_ino, (long long) st.st_size,
                          (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

/* Whether bwrap can make a qube's namespaces here: it is tried once per
 * boot and bwrap binary, not at each start (a process, ~10 ms). Only
 * success is remembered in @cache_path, so what that file says can at most
 * claim an isolation bwrap must then provide: a qube never starts
 * unconfined because of it. */
AirIsolation
air_sandbox_probe (const char *cache_path)
{
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");
  g_autofree char *key = NULL;
  g_autofree char *cached = NULL;
  const char *argv[] = {
    NULL, "--unshare-user-try", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
    "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
    "true", NULL,
  };
  int status = -1;

  if (g_strcmp0 (g_getenv ("AIR_SANDBOX"), "none") == 0 || bwrap == NULL)
    return AIR_ISOLATION_NONE;

  key = probe_key (bwrap);
  if (key != NULL && cache_path != NULL &&
      g_file_get_contents (cache_path, &cached, NULL, NULL) && strcmp (cached, key) == 0)
    return AIR_ISOLATION_NAMESPACES;

  argv[0] = bwrap;
  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      if (cache_path != NULL)
        g_unlink (cache_path);
      return AIR_ISOLATION_NONE;
    }

  if (key != NULL && cache_path != NULL)
    g_file_set_contents_full (cache_path, key, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL);
  return AIR_ISOLATION_NAMESPACES;
}

GStrv
air_sandbox_build_argv (AirIsolation  isolation,
                        const char   *qube_name,
                        const char   *root,
                        const char   *private_dir,
                        const char   *run_dir,
                        const char   *init_program,
                        const char   *socket_name)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *socket_path = NULL;

  if (isolation == AIR_ISOLATION_NONE)
    {
      socket_path = g_build_filename (run_dir, socket_name, NULL);
      g_strv_builder_add_many (builder, init_program, "--qube-init", socket_path, private_dir, NULL);
      return g_strv_builder_end (builder);
    }

  socket_path = g_build_filename (AIR_SANDBOX_RUN, socket_name, NULL);
  g_strv_builder_add_many (builder,
                           "bwrap",
                           "--unshare-user-try", "--unshare-pid", "--unshare-ipc",
                           "--unshare-uts", "--unshare-cgroup-try",
                           "--die-with-parent",
                           "--hostname", qube_name,
                           "--ro-bind", root, "/",
                           "--dev", "/dev",
                           "--proc", "/proc",
                           "--tmpfs", "/tmp",
                           "--tmpfs", "/run",
                           "--tmpfs", "/home",
                           "--bind", private_dir, AIR_SANDBOX_HOME,
                           "--bind", run_dir, AIR_SANDBOX_RUN,
                           "--ro-bind", init_program, AIR_SANDBOX_INIT,
                           "--setenv", "HOME", AIR_SANDBOX_HOME,
                           "--setenv", "USER", "user",
                           "--chdir", AIR_SANDBOX_HOME,
                           "--",
                           AIR_SANDBOX_INIT, "--qube-init", socket_path, AIR_SANDBOX_HOME,
                           NULL);
  return g_strv_builder_end (builder);
}
