/* air-proxmox-guard.c — the task guard of a Proxmox clone
 *
 * A clone followed for a caller is stopped when the caller goes away
 * (air_proxmox_api_wait_task). The gateway itself may be killed first,
 * though (SIGKILL: the loopback transport's cancel, the OOM killer): a
 * guard process of its own session, started from this binary with the
 * task and the token on a pipe, waits for "done"; if the pipe ends
 * without it, it stops the task and destroys the VM being made.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-proxmox"

#include "config.h"

#include <glib.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "air-fd-io.h"
#include "air-json.h"
#include "air-proxmox-driver.h"

/* Returns the pipe to the guard, or -1 (then there is none: the clone
 * goes on unguarded, as before). */
int
air_proxmox_guard_start (const AirProxmoxConfig *config,
                         AirProxmoxApi          *api,
                         const char             *upid,
                         guint                   vmid)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *argv[] = { "/proc/self/exe", "--proxmox-task-guard", NULL };
  int in_fd = -1;
  GPid pid;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, config->url);
  json_builder_set_member_name (builder, "pin");
  json_builder_add_string_value (builder, config->pin);
  json_builder_set_member_name (builder, "node");
  json_builder_add_string_value (builder, config->node);
  json_builder_set_member_name (builder, "timeout");
  json_builder_add_int_value (builder, config->timeout);
  json_builder_set_member_name (builder, "upid");
  json_builder_add_string_value (builder, upid);
  json_builder_set_member_name (builder, "vmid");
  json_builder_add_int_value (builder, vmid);
  json_builder_end_object (builder);
  line = air_json_builder_to_line (builder);

  if (config->pin == NULL ||
      !g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                 G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                 air_driver_child_new_session, NULL, &pid, &in_fd, NULL, NULL, &error))
    {
      if (error != NULL)
        g_warning ("No guard for the Proxmox task: %s", error->message);
      return -1;
    }
  g_spawn_close_pid (pid);
  /* the token last, from guarded memory */
  if (!air_fd_write_all (in_fd, line, strlen (line)) ||
      !air_proxmox_api_write_token (api, in_fd))
    {
      close (in_fd);
      return -1;
    }
  return in_fd;
}

void
air_proxmox_guard_done (int fd)
{
  if (fd < 0)
    return;
  air_fd_write_all (fd, "done\n", 5);
  close (fd);
}

/* qubes-air-agent --proxmox-task-guard */
int
air_proxmox_task_guard_main (void)
{
  g_autofree char *line = air_fd_read_line (STDIN_FILENO, 4096, NULL);
  g_autofree char *end = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirProxmoxConfig) config = NULL;
  g_autoptr(AirProxmoxApi) api = NULL;
  g_autoptr(AirProxmoxDriver) driver = NULL;
  g_autoptr(GError) error = NULL;
  const char *upid;
  gint64 vmid;
  char token[AIR_PROXMOX_MAX_TOKEN + 2];
  gsize len = 0;
  gboolean ok;
  char c;

  signal (SIGPIPE, SIG_IGN);
  if (line == NULL ||
      (config = air_proxmox_config_parse (line, strlen (line), &error)) == NULL ||
      (object = air_json_parse_object (line, strlen (line), 4096, &error)) == NULL ||
      !air_json_get_string (object, "upid", 200, &upid, &error) ||
      !air_json_get_opt_int (object, "vmid", 100, 999999999, 0, &vmid, &error) || vmid == 0 ||
      !g_str_has_prefix (upid, "UPID:") || config->pin == NULL)
    return 2;
  /* the token, byte by byte so nothing of what follows is read with it */
  while (len < sizeof token - 1 && read (STDIN_FILENO, &c, 1) == 1 && c != '\n')
    token[len++] = c;
  api = air_proxmox_api_new (config->url, config->pin, config->timeout);
  ok = air_proxmox_api_set_token (api, token, len, &error);
  sodium_memzero (token, sizeof token);
  if (!ok)
    return 2;

  /* "done", or the end of the pipe: the gateway gone */
  end = air_fd_read_line (STDIN_FILENO, 16, NULL);
  if (g_strcmp0 (end, "done") == 0)
    return 0;
  if (!air_proxmox_api_stop_task (api, config->node, upid, &error))
    g_clear_error (&error);
  /* the VM is locked until the task has stopped */
  air_proxmox_api_wait_task (api, config->node, upid, 60, NULL, NULL, NULL, NULL);
  driver = air_proxmox_driver_new ("guard", config, api);
  return air_proxmox_driver_destroy_vm (driver, (guint) vmid, NULL) ? 0 : 1;
}
