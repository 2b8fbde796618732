/* air-local-driver-lifecycle.c — AirLocalDriver: a qube started (through its
 * supervisor), shut down, killed, and commands run in it
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
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "air-control-channel.h"
#include "air-driver.h"
#include "air-error.h"
#include "air-json.h"
#include "air-local-driver-private.h"
#include "air-names.h"

char *
_air_local_self_program (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe ? g_steal_pointer (&exe) : g_strdup (AIR_AGENT_PATH);
}

AirQube *
air_local_driver_start (AirLocalDriver  *self,
                        const char      *name,
                        GError         **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) supervisor = NULL;
  g_autoptr(AirQube) qube = NULL;
  g_autofree char *program = NULL;
  g_autofree char *log = NULL;
  g_autofree char *answer = NULL;
  char buffer[1024];
  gsize len = 0;

  qube = air_local_driver_lookup (self, name, error);
  if (qube == NULL)
    return NULL;

  if (air_qube_get_state (qube) != AIR_QUBE_STATE_HALTED)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY,
                   _("Qube “%s” is already running."), name);
      return NULL;
    }

  /* The supervisor outlives this call: a session of its own, no inherited
   * pipes of our caller, and it reports readiness on its stdout. */
  program = _air_local_self_program ();
  log = air_driver_path_in (self->run_dir, name, ".log");
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_subprocess_launcher_set_child_setup (launcher, air_driver_child_new_session, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "AIR_AGENT_DIR", self->state_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "AIR_ZONE_NAME", self->zone_name, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "QREXEC_SERVICE_FULL_NAME");

  supervisor = g_subprocess_launcher_spawn (launcher, error, program, "--supervise", name, NULL);
  if (supervisor == NULL)
    return NULL;

  g_output_stream_close (g_subprocess_get_stdin_pipe (supervisor), NULL, NULL);
  if (!g_input_stream_read_all (g_subprocess_get_stdout_pipe (supervisor),
                                buffer, sizeof buffer - 1, &len, NULL, error))
    return NULL;

  buffer[len] = '\0';
  if (!g_str_has_prefix (buffer, "ok"))
    {
      g_autofree char *reason = air_text_sanitize (buffer, len, 300);

      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("Qube “%s” did not start: %s"), name,
                   reason[0] ? reason : _("its supervisor ended unexpectedly"));
      return NULL;
    }

  return air_local_driver_lookup (self, name, error);
}

/* Waits until the supervisor has gone and cleaned up, then (re)cleans
 * whatever a killed supervisor left. A disposable's supervisor removes
 * the whole qube: then nothing of it is made again here. */
static gboolean
wait_stopped (AirLocalDriver  *self,
              const char      *name,
              int              seconds)
{
  g_autofree char *path = air_driver_path_in (self->run_dir, name, ".lock");
  g_autofree char *config = air_driver_path_in (self->qubes_dir, name, ".json");
  int fd = open (path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  gboolean stopped;

  if (fd < 0)
    return TRUE;

  stopped = _air_local_lock_wait (fd, seconds);
  if (stopped && g_file_test (config, G_FILE_TEST_EXISTS))
    _air_local_driver_clear_runtime (self, name);
  else if (stopped)
    {
      g_autofree char *runtime = air_driver_path_in (self->run_dir, name, ".json");

      g_unlink (runtime);
      g_unlink (path);
    }
  close (fd);
  return stopped;
}

static gboolean
kill_supervisor (AirLocalDriver  *self,
                 const char      *name,
                 GError         **error)
{
  g_autofree char *proc = NULL;
  g_autofree char *cmdline = NULL;
  AirLocalRuntime runtime;
  gsize len;

  _air_local_driver_read_runtime (self, name, NULL, &runtime);
  if (runtime.pid <= 1)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY, _("Qube “%s” is not running."), name);
      return FALSE;
    }

  /* Make sure the pid is still our supervisor of this qube. */
  proc = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/cmdline", runtime.pid);
  if (g_file_get_contents (proc, &cmdline, &len, NULL) && len > 0)
    {
      gboolean ours = FALSE;

      for (gsize i = 0; i + 1 < len; i++)
        if (cmdline[i] == '\0' && strcmp (cmdline + i + 1, "--supervise") == 0)
          ours = TRUE;

      if (ours && _air_local_driver_supervisor_alive (self, name))
        kill ((pid_t) runtime.pid, SIGKILL);
    }

  return TRUE;
}

/* The qube, when it runs; else an error saying it does not. */
static AirQube *
lookup_running (AirLocalDriver  *self,
                const char      *name,
                GError         **error)
{
  g_autoptr(AirQube) qube = air_local_driver_lookup (self, name, error);

  if (qube == NULL)
    return NULL;
  if (air_qube_get_state (qube) == AIR_QUBE_STATE_HALTED)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY, _("Qube “%s” is not running."), name);
      return NULL;
    }
  return g_steal_pointer (&qube);
}

AirQube *
air_local_driver_kill (AirLocalDriver  *self,
                       const char      *name,
                       GError         **error)
{
  g_autoptr(AirQube) qube = NULL;

  qube = lookup_running (self, name, error);
  if (qube == NULL)
    return NULL;

  if (!kill_supervisor (self, name, error))
    return NULL;

  wait_stopped (self, name, STOP_TIMEOUT_S);

  if (air_qube_get_kind (qube) == AIR_QUBE_KIND_DISP_VM)
    {
      _air_local_driver_remove_disposable (self, name);
      air_qube_set_state (qube, AIR_QUBE_STATE_HALTED);
      return g_steal_pointer (&qube);
    }

  return air_local_driver_lookup (self, name, error);
}

int
_air_local_driver_connect_qube (AirLocalDriver  *self,
                                const char      *name,
                                GError         **error)
{
  g_autofree char *dir = air_driver_path_in (self->run_dir, name, ".d");
  g_autofree char *socket_path = g_build_filename (dir, SOCKET_NAME, NULL);

  return air_control_connect (socket_path, error);
}

AirQube *
air_local_driver_shutdown (AirLocalDriver  *self,
                           const char      *name,
                           GError         **error)
{
  g_autoptr(AirQube) qube = NULL;
  char reply[256];
  int fds[AIR_CONTROL_MAX_FDS];
  guint n_fds;
  int fd;

  qube = lookup_running (self, name, error);
  if (qube == NULL)
    return NULL;

  _air_local_driver_write_runtime (self, name, AIR_QUBE_STATE_HALTING, air_qube_get_started (qube), NULL);

  fd = _air_local_driver_connect_qube (self, name, NULL);
  if (fd >= 0)
    {
      if (air_control_send (fd, "{\"op\":\"shutdown\"}", NULL, 0, NULL))
        air_control_receive (fd, reply, sizeof reply, fds, &n_fds, NULL);
      close (fd);
    }

  /* A qube that does not stop in time is killed, as Qubes does. */
  if (!wait_stopped (self, name, STOP_TIMEOUT_S))
    {
      kill_supervisor (self, name, NULL);
      wait_stopped (self, name, STOP_TIMEOUT_S);
    }

  if (air_qube_get_kind (qube) == AIR_QUBE_KIND_DISP_VM)
    {
      air_qube_set_state (qube, AIR_QUBE_STATE_HALTED);
      return g_steal_pointer (&qube);
    }

  return air_local_driver_lookup (self, name, error);
}

static char *
run_message (const AirRunHeader *header)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "op");
  json_builder_add_string_value (builder, "run");
  json_builder_set_member_name (builder, "argv");
  json_builder_begin_array (builder);
  for (guint i = 0; header->argv[i]; i++)
    json_builder_add_string_value (builder, header->argv[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, header->user);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return air_json_to_string (root);
}

/* Hands our stdin, stdout and stderr to the command in the qube, then waits
 * for its exit status — or for our caller to go away, which ends the
 * command (the qube's init kills it when this connection closes). */
static int
run_in_qube (AirLocalDriver      *self,
             const char          *name,
             const AirRunHeader  *header,
             GError             **error)
{
  static const int std_fds[] = { 0, 1, 2 };
  g_autofree char *message = run_message (header);
  g_autoptr(JsonObject) reply = NULL;
  char buffer[1024];
  int fds[AIR_CONTROL_MAX_FDS];
  guint n_fds;
  gint64 status = AIR_RUN_EXIT_FAILED;
  gssize len;
  int fd;

  if (strlen (message) > AIR_CONTROL_MAX_MESSAGE)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("The command line is too long"));
      return -1;
    }

  fd = _air_local_driver_connect_qube (self, name, error);
  if (fd < 0)
    return -1;

  if (!air_control_send (fd, message, std_fds, 3, error))
    {
      close (fd);
      return -1;
    }

  for (;;)
    {
      struct pollfd pfd[2] = {
        { .fd = fd, .events = POLLIN },
        { .fd = 1, .events = 0 },   /* POLLERR: our caller closed its end */
      };

      if (poll (pfd, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }

      if (pfd[0].revents != 0)
        break;

      if (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL))
        {
          close (fd);
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED, _("The caller went away"));
          return -1;
        }
    }

  len = air_control_receive (fd, buffer, sizeof buffer, fds, &n_fds, NULL);
  close (fd);

  if (len > 0)
    reply = air_json_parse_object (buffer, len, sizeof buffer, NULL);

  if (reply == NULL ||
      !json_object_has_member (reply, "status") ||
      !air_json_get_opt_int (reply, "status", 0, 255, AIR_RUN_EXIT_FAILED, &status, NULL))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("Qube “%s” stopped before the command finished."), name);
      return -1;
    }

  return (int) status;
}

int
air_local_driver_run (AirLocalDriver      *self,
                      const char          *name,
                      const AirRunHeader  *header,
                      GError             **error)
{
  g_autoptr(AirQube) qube = NULL;

  qube = air_local_driver_lookup (self, name, error);
  if (qube == NULL)
    return -1;

  /* Like qvm-run, a halted qube is started first. */
  if (air_qube_get_state (qube) == AIR_QUBE_STATE_HALTED)
    {
      g_clear_object (&qube);
      qube = air_local_driver_start (self, name, error);
      if (qube == NULL)
        return -1;
    }

  return run_in_qube (self, name, header, error);
}

static AirQube *
create_disposable (const char         *name,
                   const AirQubeSpec  *spec,
                   gpointer            user_data,
                   GError            **error)
{
  return air_local_driver_create (user_data, name, spec, error);
}

int
air_local_driver_disposable (AirLocalDriver      *self,
                             const char          *template_name,
                             const AirRunHeader  *header,
                             GError             **error)
{
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(AirQube) qube = NULL;
  g_autofree char *name = NULL;
  int status;

  if (!air_name_validate (template_name, "template", error))
    return -1;

  g_free (spec->template_name);
  spec->template_name = g_strdup (template_name);
  spec->kind = AIR_QUBE_KIND_DISP_VM;

  name = air_driver_create_unnamed ("disp", spec, create_disposable, self,
                                    _("No free name for a disposable"), error);
  if (name == NULL)
    return -1;

  qube = air_local_driver_start (self, name, error);
  if (qube == NULL)
    {
      _air_local_driver_remove_disposable (self, name);
      return -1;
    }

  /* The disposable's init shuts the qube down after this one command, and
   * its supervisor removes it — also if this process is killed. */
  status = run_in_qube (self, name, header, error);

  if (!wait_stopped (self, name, STOP_TIMEOUT_S))
    kill_supervisor (self, name, NULL);
  wait_stopped (self, name, STOP_TIMEOUT_S);

  return status;
}
