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

#include "air-sandbox.h"

AirIsolation
air_sandbox_probe (void)
{
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");
  const char *argv[] = {
    NULL, "--unshare-user-try", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
    "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
    "true", NULL,
  };
  int status = -1;

  if (g_strcmp0 (g_getenv ("AIR_SANDBOX"), "none") == 0 || bwrap == NULL)
    return AIR_ISOLATION_NONE;

  argv[0] = bwrap;
  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return AIR_ISOLATION_NONE;

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
