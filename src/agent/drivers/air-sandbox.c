/* air-sandbox.c
 *
 * With bubblewrap a qube gets its own user, PID, IPC, UTS, cgroup and
 * network namespaces, no capabilities, a session of its own, a clean
 * environment, and a root made only of what its template needs: a
 * template's own root, or this host's /usr and /etc — never the host's
 * whole /, so the agent's state, other qubes' homes and sockets, /root,
 * /var/lib, /home and /run of the host are simply not there. Its private
 * directory is its home — the TemplateVM/AppVM split of Qubes. Inside, the
 * qube's user is uid 1000; an agent running as root first becomes the
 * qube's own unprivileged host uid (the owner of its home), so nothing in a
 * qube is root anywhere. bwrap stays PID 1 and reaps; our init runs as its
 * child, and when init exits the namespace and everything in it ends.
 * Without bubblewrap and user namespaces the qube runs unconfined (still
 * under its own uid when the agent is root) and the zone says isolation
 * "none".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-sandbox"

#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-rootfs.h"
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

/* The qube's own ~/.local/bin last, as Debian's ~/.profile adds it. */
#define SANDBOX_PATH "/usr/local/bin:/usr/bin:/bin:" AIR_SANDBOX_HOME "/.local/bin"

/* What every qube gets, whatever its root: namespaces, no capabilities,
 * no further user namespaces, its own session, and only the environment
 * a qube needs. */
static void
add_confinement (GStrvBuilder *builder,
                 const char   *qube_name,
                 gboolean      network)
{
  g_autofree char *id = g_strdup_printf ("%u", AIR_SANDBOX_USER_ID);

  g_strv_builder_add_many (builder,
                           "--unshare-user", "--unshare-pid", "--unshare-ipc",
                           "--unshare-uts", "--unshare-cgroup-try",
                           "--uid", id, "--gid", id,
                           "--disable-userns",
                           "--cap-drop", "ALL",
                           "--new-session",
                           "--die-with-parent",
                           "--hostname", qube_name,
                           "--clearenv",
                           "--setenv", "HOME", AIR_SANDBOX_HOME,
                           "--setenv", "USER", "user",
                           "--setenv", "LOGNAME", "user",
                           "--setenv", "PATH", SANDBOX_PATH,
                           "--setenv", "LANG", "C.UTF-8",
                           NULL);
  if (!network)
    g_strv_builder_add (builder, "--unshare-net");
}

/* This host's system, read-only, without its state: /usr, /etc and the
 * links or directories a merged or split /usr has at the top. */
static void
add_host_system (GStrvBuilder *builder)
{
  static const char * const tops[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };

  g_strv_builder_add_many (builder, "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tops); i++)
    {
      g_autofree char *path = g_strconcat ("/", tops[i], NULL);
      g_autofree char *target = g_file_read_link (path, NULL);
      struct stat st;

      if (target != NULL)
        g_strv_builder_add_many (builder, "--symlink", target, path, NULL);
      else if (lstat (path, &st) == 0 && S_ISDIR (st.st_mode))
        g_strv_builder_add_many (builder, "--ro-bind", path, path, NULL);
    }
  g_strv_builder_add_many (builder, "--tmpfs", "/var", "--dir", "/var/tmp", NULL);
}

/* Whether bwrap can confine a qube here: it is tried once per boot and
 * bwrap binary, not at each start (a process, ~10 ms), with every defence
 * a qube gets and under the uid a qube would run as. Only success is
 * remembered in @cache_path, so what that file says can at most claim an
 * isolation bwrap must then provide: a qube never starts unconfined
 * because of it. */
AirIsolation
air_sandbox_probe (const char *cache_path)
{
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *key = NULL;
  g_autofree char *cached = NULL;
  guint probe_uid = AIR_SANDBOX_UID_BASE + AIR_SANDBOX_UID_COUNT - 1;
  int status = -1;

  if (g_strcmp0 (g_getenv ("AIR_SANDBOX"), "none") == 0 || bwrap == NULL)
    return AIR_ISOLATION_NONE;

  key = probe_key (bwrap);
  if (key != NULL && cache_path != NULL &&
      g_file_get_contents (cache_path, &cached, NULL, NULL) && strcmp (cached, key) == 0)
    return AIR_ISOLATION_NAMESPACES;

  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, bwrap);
  add_confinement (builder, "probe", FALSE);
  add_host_system (builder);
  g_strv_builder_add_many (builder, "--proc", "/proc", "--dev", "/dev", "true", NULL);
  argv = g_strv_builder_end (builder);

  if (!g_spawn_sync ("/", argv, NULL,
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     air_sandbox_child_drop, GUINT_TO_POINTER (probe_uid),
                     NULL, NULL, &status, NULL) ||
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

/* Where a template of its own gets this agent's libraries. */
#define HOST_LIBS "/run/qubes-air-host"

/* A template's root has its own libraries, not this agent's: the init runs
 * with this host's, bound read-only under HOST_LIBS and loaded by their own
 * loader, so nothing of them reaches the qube's programs. Adds the binds
 * and returns the command's beginning, or NULL when the agent is static. */
static GStrv
add_host_libraries (GStrvBuilder *builder)
{
  g_autoptr(GPtrArray) objects = NULL;
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *loader = air_rootfs_agent_objects (&objects);
  g_autoptr(GStrvBuilder) command = g_strv_builder_new ();
  g_autoptr(GString) path = g_string_new (NULL);
  g_autofree char *real_interpreter = NULL;
  char *interpreter = NULL;

  if (loader == NULL)
    return NULL;
  for (guint i = 0; i < objects->len; i++)
    {
      g_autofree char *dir = g_path_get_dirname (g_ptr_array_index (objects, i));

      if (!g_ptr_array_find_with_equal_func (dirs, dir, g_str_equal, NULL))
        g_ptr_array_add (dirs, g_steal_pointer (&dir));
    }
  /* Links resolved here: inside, an absolute one would lead into the
   * template's own files. */
  real_interpreter = realpath (loader, NULL);
  if (real_interpreter == NULL)
    return NULL;
  for (guint i = 0; i < dirs->len; i++)
    {
      g_autofree char *dir = realpath (g_ptr_array_index (dirs, i), NULL);
      g_autofree char *inside = g_strdup_printf (HOST_LIBS "/%u", i);

      if (dir == NULL)
        continue;
      g_strv_builder_add_many (builder, "--ro-bind", dir, inside, NULL);
      g_string_append_printf (path, "%s%s", path->len > 0 ? ":" : "", inside);
    }
  interpreter = g_build_filename (HOST_LIBS, "loader", NULL);
  g_strv_builder_add_many (builder, "--ro-bind", real_interpreter, interpreter, NULL);
  g_strv_builder_add_many (command, interpreter, "--library-path", path->str, NULL);
  g_free (interpreter);
  return g_strv_builder_end (command);
}

/* The command that runs the qube's init. With isolation, its directories
 * come as the AIR_SANDBOX_FD_* descriptors, which the caller opens. */
GStrv
air_sandbox_build_argv (AirIsolation          isolation,
                        const AirSandboxSpec *spec)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *socket_path = NULL;
  g_autofree char *fd_home = g_strdup_printf ("%d", AIR_SANDBOX_FD_HOME);
  g_autofree char *fd_run = g_strdup_printf ("%d", AIR_SANDBOX_FD_RUN);
  g_autofree char *fd_init = g_strdup_printf ("%d", AIR_SANDBOX_FD_INIT);
  g_autofree char *fd_ready = g_strdup_printf ("%d", AIR_SANDBOX_FD_READY);

  if (isolation == AIR_ISOLATION_NONE)
    {
      g_autofree char *home = g_build_filename (spec->private_dir, NULL);

      socket_path = g_build_filename (spec->run_dir, spec->socket_name, NULL);
      g_strv_builder_add_many (builder, spec->init_program, "--qube-init", socket_path, home, NULL);
      return g_strv_builder_end (builder);
    }

  g_auto(GStrv) loader = NULL;

  socket_path = g_build_filename (AIR_SANDBOX_RUN, spec->socket_name, NULL);
  g_strv_builder_add (builder, "bwrap");
  add_confinement (builder, spec->qube_name, spec->network);
  if (strcmp (spec->root, "/") == 0)
    add_host_system (builder);
  else
    {
      g_autofree char *fd_root = g_strdup_printf ("%d", AIR_SANDBOX_FD_ROOT);

      g_strv_builder_add_many (builder, "--ro-bind-fd", fd_root, "/", NULL);
    }
  g_strv_builder_add_many (builder,
                           "--dev", "/dev",
                           "--proc", "/proc",
                           "--tmpfs", "/tmp",
                           "--tmpfs", "/run",
                           "--tmpfs", "/home",
                           "--bind-fd", fd_home, AIR_SANDBOX_HOME,
                           "--bind-fd", fd_run, AIR_SANDBOX_RUN,
                           "--ro-bind-fd", fd_init, AIR_SANDBOX_INIT,
                           "--setenv", "AIR_INIT_READY_FD", fd_ready,
                           "--setenv", "AIR_QUBE_CONFINED", "1",
                           NULL);
  if (spec->disposable)
    g_strv_builder_add_many (builder, "--setenv", "AIR_QUBE_DISPOSABLE", "1", NULL);
  if (strcmp (spec->root, "/") != 0)
    loader = add_host_libraries (builder);
  g_strv_builder_add_many (builder, "--chdir", AIR_SANDBOX_HOME, "--", NULL);
  if (loader != NULL)
    g_strv_builder_addv (builder, (const char **) loader);
  g_strv_builder_add_many (builder, AIR_SANDBOX_INIT, "--qube-init", socket_path, AIR_SANDBOX_HOME, NULL);
  return g_strv_builder_end (builder);
}

static uid_t chown_to;

static int
chown_entry (const char        *path,
             const struct stat *st,
             int                type,
             struct FTW        *ftw)
{
  return lchown (path, chown_to, chown_to) == 0 ? 0 : -1;
}

gboolean
air_sandbox_chown_tree (const char *path,
                        uid_t       uid)
{
  chown_to = uid;
  return nftw (path, chown_entry, 16, FTW_PHYS) == 0;
}

/* The host uid qube @home runs under. As root, a qube gets a uid of its
 * own the first time (the lowest one no other home in @private_dir has),
 * and its home becomes that uid's — links are changed, never followed.
 * The caller holds the zone lock. Otherwise the qube runs as the agent. */
uid_t
air_sandbox_qube_uid (const char  *private_dir,
                      const char  *home,
                      GError     **error)
{
  g_autoptr(GHashTable) taken = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *entry;
  struct stat st;

  if (geteuid () != 0)
    return geteuid ();

  if (lstat (home, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      int saved = errno;

      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot open the qube’s home: %s"),
                   g_strerror (saved ? saved : ENOTDIR));
      return (uid_t) -1;
    }
  if (st.st_uid >= AIR_SANDBOX_UID_BASE && st.st_uid - AIR_SANDBOX_UID_BASE < AIR_SANDBOX_UID_COUNT - 1)
    return st.st_uid;

  taken = g_hash_table_new (NULL, NULL);
  dir = g_dir_open (private_dir, 0, NULL);
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (private_dir, entry, NULL);
      struct stat other;

      if (lstat (path, &other) == 0)
        g_hash_table_add (taken, GUINT_TO_POINTER (other.st_uid));
    }

  /* The last uid of the range is the probe's, never a qube's. */
  for (guint i = 0; i < AIR_SANDBOX_UID_COUNT - 1; i++)
    if (!g_hash_table_contains (taken, GUINT_TO_POINTER (AIR_SANDBOX_UID_BASE + i)))
      {
        chown_to = AIR_SANDBOX_UID_BASE + i;
        if (nftw (home, chown_entry, 16, FTW_PHYS) != 0)
          {
            int saved = errno;

            g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                         _("Cannot give the qube’s home to its own user: %s"), g_strerror (saved));
            return (uid_t) -1;
          }
        return chown_to;
      }

  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED,
                       _("Every user id for qubes is taken: remove a qube first."));
  return (uid_t) -1;
}

/* In a child about to run a qube, as a GSpawnChildSetupFunc: an agent
 * running as root becomes the qube's uid, with no supplementary groups.
 * Only async-signal-safe calls; a failure ends the child. */
void
air_sandbox_child_drop (gpointer uid_pointer)
{
  uid_t uid = GPOINTER_TO_UINT (uid_pointer);

  if (geteuid () != 0 || uid == 0)
    return;
  if (setgroups (0, NULL) != 0 || setresgid (uid, uid, uid) != 0 || setresuid (uid, uid, uid) != 0)
    _exit (127);
}

#define STAGE "/tmp"

/* Re-opens descriptor @fd by its path, in this child's new mount
 * namespace: a bind mount is made only from a mount of one's own. */
static gboolean
reopen_here (int      fd,
             gboolean is_dir)
{
  char link[32], path[4096];
  ssize_t len;
  int here;

  g_snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  len = readlink (link, path, sizeof path - 1);
  if (len <= 0 || path[0] != '/')
    return FALSE;
  path[len] = '\0';
  here = open (path, O_PATH | O_NOFOLLOW | O_CLOEXEC | (is_dir ? O_DIRECTORY : 0));
  if (here < 0 || dup2 (here, fd) < 0)
    return FALSE;
  close (here);
  return TRUE;
}

/* Re-opens descriptor @fd as STAGE/@name, a bind mount of it that any uid
 * can reach. */
static gboolean
stage_fd (int         fd,
          const char *name,
          gboolean    is_dir)
{
  char source[32], target[64];
  int staged;

  g_snprintf (source, sizeof source, "/proc/self/fd/%d", fd);
  g_snprintf (target, sizeof target, STAGE "/%s", name);
  if (is_dir ? mkdir (target, 0755) != 0 : (staged = open (target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) < 0)
    return FALSE;
  if (!is_dir)
    close (staged);
  if (mount (source, target, NULL, MS_BIND, NULL) != 0)
    return FALSE;
  staged = open (target, O_PATH | O_CLOEXEC | (is_dir ? O_DIRECTORY : 0));
  if (staged < 0 || dup2 (staged, fd) < 0)
    return FALSE;
  close (staged);
  return TRUE;
}

/* The same for a template build's bwrap: descriptors 3 (the copy being
 * built) and 4 (its package files), then AIR_SANDBOX_BUILD_UID. */
void
air_sandbox_build_child_setup (gpointer unused)
{
  if (geteuid () == 0 &&
      (unshare (CLONE_NEWNS) != 0 ||
       mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0 ||
       !reopen_here (AIR_SANDBOX_FD_BUILD_ROOT, TRUE) ||
       !reopen_here (AIR_SANDBOX_FD_BUILD_FILES, TRUE) ||
       mount ("qubes-air", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k") != 0 ||
       !stage_fd (AIR_SANDBOX_FD_BUILD_ROOT, "root", TRUE) ||
       !stage_fd (AIR_SANDBOX_FD_BUILD_FILES, "packages", TRUE)))
    _exit (126);
  air_sandbox_child_drop (GUINT_TO_POINTER (AIR_SANDBOX_BUILD_UID));
}

/* As a GSpawnChildSetupFunc, in the child that runs a qube's bwrap: bwrap
 * finds each directory it is handed by the path of its descriptor, which
 * the qube's uid may not be able to walk (an agent's state under /root, or
 * 0700 directories). So, as root, in a mount namespace of this child's
 * own, each is bind-mounted under a fresh tmpfs on STAGE and its
 * descriptor re-opened there; then the child becomes the qube's uid. Only
 * system calls (and snprintf of numbers, which does not allocate); a failure
 * ends the child, and the qube does not start. */
void
air_sandbox_child_setup (gpointer launch_pointer)
{
  const AirSandboxLaunch *launch = launch_pointer;

  if (launch->stage && geteuid () == 0 &&
      (unshare (CLONE_NEWNS) != 0 ||
       mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0 ||
       !reopen_here (AIR_SANDBOX_FD_HOME, TRUE) ||
       !reopen_here (AIR_SANDBOX_FD_RUN, TRUE) ||
       !reopen_here (AIR_SANDBOX_FD_INIT, FALSE) ||
       (launch->stage_root && !reopen_here (AIR_SANDBOX_FD_ROOT, TRUE)) ||
       mount ("qubes-air", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k") != 0 ||
       !stage_fd (AIR_SANDBOX_FD_HOME, "home", TRUE) ||
       !stage_fd (AIR_SANDBOX_FD_RUN, "run", TRUE) ||
       !stage_fd (AIR_SANDBOX_FD_INIT, "init", FALSE) ||
       (launch->stage_root && !stage_fd (AIR_SANDBOX_FD_ROOT, "root", TRUE))))
    _exit (126);
  air_sandbox_child_drop (GUINT_TO_POINTER (launch->uid));
}

/* A file service of an agent running as root works in a qube's home as
 * that home's owner — the qube's own uid — so what it writes is the
 * qube's and nothing it does there has more rights than the qube. */
gboolean
air_sandbox_become_home_owner (int      home_fd,
                               GError **error)
{
  struct stat st;

  if (geteuid () != 0)
    return TRUE;
  if (fstat (home_fd, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot open the qube’s home: %s"),
                   g_strerror (saved));
      return FALSE;
    }
  if (st.st_uid == 0)
    return TRUE;   /* a qube from before qubes had uids of their own */
  if (setgroups (0, NULL) != 0 || setresgid (st.st_gid, st.st_gid, st.st_gid) != 0 ||
      setresuid (st.st_uid, st.st_uid, st.st_uid) != 0)
    {
      int saved = errno;

      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot become the qube’s user: %s"),
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
