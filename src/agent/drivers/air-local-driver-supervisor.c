/* air-local-driver-supervisor.c — AirLocalDriver's supervisor: a detached
 * process per running qube (qubes-air-agent --supervise) that starts its
 * sandbox, holds its lock while it runs, and cleans up after it
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-local-driver"

#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "air-control-channel.h"
#include "air-driver.h"
#include "air-local-driver-private.h"
#include "air-names.h"
#include "air-sandbox.h"
#include "air-uplink.h"
#include "air-utils.h"

#define START_TIMEOUT_S     20

/* The supervisor: a detached process per running qube. */

static void
report (const char *text)
{
  g_autofree char *line = g_strconcat (text, "\n", NULL);

  if (write (STDOUT_FILENO, line, strlen (line)) < 0)
    {
      /* the starter is gone; the qube still runs */
    }
}

static gboolean
wait_ready (int ready_fd)
{
  struct pollfd pfd = { .fd = ready_fd, .events = POLLIN };
  char byte = 0;

  if (poll (&pfd, 1, START_TIMEOUT_S * 1000) <= 0)
    return FALSE;
  return read (ready_fd, &byte, 1) == 1 && byte == 'R';
}

/* The sandbox's directories, opened here: the qube's uid, which bwrap
 * runs as, may not be able to reach them by path. */
static gboolean
hand_over_dirs (GSubprocessLauncher  *launcher,
                const AirSandboxSpec *spec,
                GError              **error)
{
  /* A template root may be a link the zone's owner made; a qube's own
   * directories never are. */
  const struct { const char *path; int flags; int target; } dirs[] = {
    { spec->private_dir, O_DIRECTORY | O_NOFOLLOW, AIR_SANDBOX_FD_HOME },
    { spec->run_dir, O_DIRECTORY | O_NOFOLLOW, AIR_SANDBOX_FD_RUN },
    { spec->init_program, O_NOFOLLOW, AIR_SANDBOX_FD_INIT },
    { spec->root, O_DIRECTORY, AIR_SANDBOX_FD_ROOT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      int fd;

      if (dirs[i].target == AIR_SANDBOX_FD_ROOT && strcmp (spec->root, "/") == 0)
        continue;   /* the host's system is bound by path, read-only */
      fd = open (dirs[i].path, O_PATH | O_CLOEXEC | dirs[i].flags);
      if (fd < 0)
        return _air_local_set_errno_error (error, errno, _("Cannot open “%s” for the qube"), dirs[i].path);
      g_subprocess_launcher_take_fd (launcher, fd, dirs[i].target);
    }
  return TRUE;
}

/* The qube's calls to local qubes come to us, who know which qube it is
 * (air-uplink.c); without that connection it can make none. */
static void
take_calls_out (AirLocalDriver *self,
                const char     *name)
{
  int fd = _air_local_driver_connect_qube (self, name, NULL);

  if (fd < 0)
    return;
  if (!air_control_send (fd, "{\"op\":\"calls\"}", NULL, 0, NULL))
    {
      close (fd);
      return;
    }
  air_uplink_serve_qube (self->state_dir, name, fd);
}

int
air_local_driver_supervise (AirLocalDriver *self,
                            const char     *name)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) sandbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) qube = NULL;
  g_autofree char *lock_path = NULL;
  g_autofree char *run_d = NULL;
  g_autofree char *home = NULL;
  g_autofree char *root = NULL;
  g_autofree char *program = NULL;
  g_autofree char *log = NULL;
  g_auto(GStrv) argv = NULL;
  AirSandboxSpec spec = { 0, };
  AirSandboxLaunch launch = { 0, };
  AirIsolation isolation;
  int ready[2];
  int lock_fd, null_fd, zone_lock, version_lock;
  uid_t uid;
  gboolean ok;

  if (!air_name_validate (name, "qube", &error))
    {
      report (error->message);
      return 1;
    }

  lock_path = air_driver_path_in (self->run_dir, name, ".lock");
  lock_fd = _air_local_open_lock (lock_path);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      report (_("The qube is already running."));
      return 1;
    }

  qube = _air_local_driver_read_qube (self, name, FALSE, NULL, &error);
  if (qube == NULL)
    {
      report (error->message);
      return 1;
    }

  /* Held until this supervisor ends: the version stays while the qube
   * runs on it, whatever updates come meanwhile. */
  root = _air_local_driver_template_root (self, air_qube_get_template (qube), &version_lock);
  if (root == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Its template “%s” does not exist."),
                                               air_qube_get_template (qube));
      report (text);
      return 1;
    }
  /* A template that is this host's own / gets what "host" gets: its
   * system, never its state. */
  {
    g_autofree char *real = realpath (root, NULL);

    if (real != NULL && strcmp (real, "/") == 0)
      air_set_str (&root, "/");
  }

  _air_local_driver_clear_runtime (self, name);
  run_d = air_driver_path_in (self->run_dir, name, ".d");
  home = g_build_filename (self->private_dir, name, NULL);

  /* A qube made before qubes had uids of their own gets one now. */
  zone_lock = _air_local_driver_take_zone_lock (self, &error);
  uid = zone_lock < 0 ? (uid_t) -1 : air_sandbox_qube_uid (self->private_dir, home, &error);
  if (zone_lock >= 0)
    close (zone_lock);
  if (uid == (uid_t) -1)
    {
      report (error->message);
      return 1;
    }

  /* The qube's init makes its control socket here, as the qube's uid. */
  if (g_mkdir (run_d, 0700) != 0 ||
      (geteuid () == 0 && chown (run_d, uid, uid) != 0) ||
      !_air_local_driver_write_runtime (self, name, AIR_QUBE_STATE_STARTING, 0, &error))
    {
      report (error ? error->message : g_strerror (errno));
      _air_local_driver_clear_runtime (self, name);
      return 1;
    }

  program = _air_local_self_program ();
  isolation = _air_local_driver_get_isolation (self);
  spec.qube_name = name;
  spec.root = root;
  spec.private_dir = home;
  spec.run_dir = run_d;
  spec.init_program = program;
  spec.socket_name = SOCKET_NAME;
  spec.network = air_qube_get_network (qube);
  spec.disposable = air_qube_get_kind (qube) == AIR_QUBE_KIND_DISP_VM;
  argv = air_sandbox_build_argv (isolation, &spec);

  if (pipe2 (ready, O_CLOEXEC) != 0)
    {
      report (g_strerror (errno));
      _air_local_driver_clear_runtime (self, name);
      return 1;
    }

  log = air_driver_path_in (self->run_dir, name, ".log");
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_subprocess_launcher_take_fd (launcher, ready[1], AIR_SANDBOX_FD_READY);
  g_subprocess_launcher_setenv (launcher, "AIR_INIT_READY_FD", G_STRINGIFY (AIR_SANDBOX_FD_READY), TRUE);
  if (isolation != AIR_ISOLATION_NONE && !hand_over_dirs (launcher, &spec, &error))
    {
      g_clear_object (&launcher);
      close (ready[0]);
      report (error->message);
      _air_local_driver_clear_runtime (self, name);
      return 1;
    }
  launch.uid = uid;
  launch.stage = isolation != AIR_ISOLATION_NONE;
  launch.stage_root = launch.stage && strcmp (root, "/") != 0;
  g_subprocess_launcher_set_child_setup (launcher, air_sandbox_child_setup, &launch, NULL);
  if (air_qube_get_kind (qube) == AIR_QUBE_KIND_DISP_VM)
    g_subprocess_launcher_setenv (launcher, "AIR_QUBE_DISPOSABLE", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);

  sandbox = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_clear_object (&launcher);   /* closes our copy of the ready pipe's write end */
  if (sandbox == NULL)
    {
      close (ready[0]);
      report (error->message);
      _air_local_driver_clear_runtime (self, name);
      return 1;
    }
  g_output_stream_close (g_subprocess_get_stdin_pipe (sandbox), NULL, NULL);

  ok = wait_ready (ready[0]);
  close (ready[0]);
  if (!ok)
    {
      g_subprocess_force_exit (sandbox);
      g_subprocess_wait (sandbox, NULL, NULL);
      report (_("The sandbox did not come up; see the qube's log in the zone's run directory."));
      _air_local_driver_clear_runtime (self, name);
      return 1;
    }

  _air_local_driver_write_runtime (self, name, AIR_QUBE_STATE_RUNNING, g_get_real_time () / G_USEC_PER_SEC, NULL);
  take_calls_out (self, name);
  report ("ok");

  /* Nobody reads our stdout any more; the starter must see its end. */
  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  dup2 (null_fd, STDOUT_FILENO);
  dup2 (null_fd, STDIN_FILENO);
  close (null_fd);

  g_subprocess_wait (sandbox, NULL, NULL);

  if (air_qube_get_kind (qube) == AIR_QUBE_KIND_DISP_VM)
    _air_local_driver_remove_disposable (self, name);
  else
    _air_local_driver_clear_runtime (self, name);

  close (lock_fd);
  return 0;
}
