/* air-agent.c
 *
 * One program for every service: qrexec (or the loopback transport) runs
 * it with QREXEC_SERVICE_FULL_NAME, and it dispatches on the service name.
 * The same program is also a qube's supervisor (--supervise NAME) and its
 * init inside the sandbox (--qube-init SOCKET HOME); a qube name cannot
 * start with "-", so these cannot be confused with a service argument.
 *
 * Which driver serves the zone comes from the gateway's own zone
 * configuration (air-zone-setup.c): an ssh zone relays every service to
 * the zone host's agent; otherwise this host's backend (air-driver.h:
 * bwrap or libvirt) answers here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-agent"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "air-agent.h"
#include "air-call-client.h"
#include "air-call-listener.h"
#include "air-error.h"
#include "air-fd-io.h"
#include "air-event-watcher.h"
#include "air-file-services.h"
#include "air-json.h"
#include "air-driver.h"
#include "air-names.h"
#include "air-qube-call.h"
#include "air-proxmox-gateway.h"
#include "air-qube-init.h"
#include "air-relay.h"
#include "air-template-services.h"
#include "air-ssh-driver.h"
#include "air-uplink.h"
#include "air-vm-guest.h"
#include "air-zone-setup.h"

static char *
default_state_dir (void)
{
  const char *env = g_getenv ("AIR_AGENT_DIR");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  if (getuid () == 0)
    return g_strdup ("/var/lib/qubes-air/agent");
  return g_build_filename (g_get_user_data_dir (), "qubes-air", "agent", NULL);
}

/* The zone is named by AIR_ZONE_NAME, else by our own qube name: the
 * gateway sys-remote-Z serves zone Z; anything else serves "local". */
static char *
zone_name (void)
{
  const char *env = g_getenv ("AIR_ZONE_NAME");
  const char *self = g_getenv ("AIR_LOOPBACK_SELF");

  if (env != NULL && air_name_is_valid (env))
    return g_strdup (env);
  if (self == NULL)
    self = g_get_host_name ();
  if (self != NULL && g_str_has_prefix (self, "sys-remote-") &&
      air_name_is_valid (self + strlen ("sys-remote-")))
    return g_strdup (self + strlen ("sys-remote-"));
  return g_strdup ("local");
}

/* A service's failure as qrexec services report one: the message on
 * stderr, exit status 1. */
int
air_agent_fail (GError *error)
{
  g_printerr ("%s\n", error->message);
  return 1;
}

static gboolean
print_line (const char *text)
{
  gsize len = strlen (text), done = 0;

  while (done < len)
    {
      ssize_t n = write (STDOUT_FILENO, text + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      done += n;
    }
  return TRUE;
}

/* A create's progress line, for a caller that asked for them. */
static void
report_progress (gpointer    data,
                 int         percent,
                 const char *text)
{
  g_autofree char *line = air_progress_to_line (percent, text);

  print_line (line);
}

/* Takes @error by address: it is set by the call that made @qube, which C
 * may evaluate after the other arguments. */
static int
print_qube (AirQube  *qube,
            GError  **error)
{
  g_autofree char *json = NULL;

  if (qube == NULL)
    return air_agent_fail (*error);
  json = air_protocol_qube_to_json (qube);
  g_object_unref (qube);
  return print_line (json) ? 0 : 1;
}

/* Exactly one line: everything after it stays in stdin for the command. */
static AirRunHeader *
read_run_header (GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *line = air_fd_read_line (STDIN_FILENO, AIR_JSON_MAX_LINE, &local_error);

  if (line == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           local_error != NULL ? _("The command header is too long") : _("The command header is missing"));
      return NULL;
    }
  return air_run_header_parse (line, strlen (line), error);
}

static int
run_status (int      status,
            GError **error)
{
  if (status < 0)
    {
      g_printerr ("%s\n", (*error)->message);
      return AIR_RUN_EXIT_FAILED;
    }
  return status;
}

static int
serve (AirDriver  *driver,
       const char *service,
       const char *arg)
{
  g_autoptr(GError) error = NULL;
  gboolean needs_arg;

  /* Its argument is QUBE+SERVICE[+ARG], checked by the relay itself. */
  if (strcmp (service, "qubesair.Relay") == 0)
    return air_relay_serve (driver, arg);
  /* Their argument is QUBE[+SOURCE], checked by the file services. */
  if (air_file_services_handles (service))
    return air_file_services_serve (driver, service, arg);
  if (air_template_services_handles (service))
    return air_template_services_serve (driver, service, arg);

  needs_arg = strcmp (service, "qubesair.ZoneInfo") != 0 &&
                       strcmp (service, "qubesair.List") != 0 &&
                       strcmp (service, "qubesair.Events") != 0;

  if (needs_arg && !air_name_validate (arg, strcmp (service, "qubesair.Disposable") == 0 ? "template" : "qube", &error))
    return air_agent_fail (error);

  if (strcmp (service, "qubesair.ZoneInfo") == 0)
    {
      g_autoptr(AirZoneInfo) info = air_driver_get_info (driver);
      g_autofree char *json = NULL;

      /* Served here, in the gateway or host itself: reached over qrexec. */
      if (info->link == NULL)
        info->link = g_strdup ("qrexec");
      /* A backend that does not say encrypts no qube disk of its own
       * (bubblewrap: plain directories; Proxmox: whatever its storage does,
       * which we cannot tell). */
      if (info->disk_encryption == NULL)
        info->disk_encryption = g_strdup ("none");
      json = air_zone_info_to_json (info);

      return print_line (json) ? 0 : 1;
    }
  else if (strcmp (service, "qubesair.List") == 0)
    {
      g_autoptr(GPtrArray) qubes = air_driver_list (driver, &error);
      g_autofree char *json = NULL;

      if (qubes == NULL)
        return air_agent_fail (error);
      json = air_protocol_list_to_json (air_driver_get_zone_name (driver), qubes);
      return print_line (json) ? 0 : 1;
    }
  else if (strcmp (service, "qubesair.Events") == 0)
    return air_event_watcher_run (driver, g_strcmp0 (arg, AIR_PROTOCOL_EVENTS_LISTED) == 0);
  else if (strcmp (service, "qubesair.Create") == 0)
    {
      g_autoptr(GBytes) input = air_fd_read_to_end (STDIN_FILENO, AIR_JSON_MAX_LINE, &error);
      g_autoptr(AirQubeSpec) spec = NULL;
      const AirProgressReporter reporter = { report_progress, NULL };
      gboolean progress;
      gsize len = 0;
      const char *data;

      if (input == NULL)
        return air_agent_fail (error);
      data = g_bytes_get_data (input, &len);
      spec = len > 0 ? air_qube_spec_parse (data, len, &error) : air_qube_spec_new ();
      if (spec == NULL)
        return air_agent_fail (error);
      /* The caller's wish, not the qube's setting: not passed on. */
      progress = spec->progress;
      spec->progress = FALSE;
      return print_qube (air_driver_create (driver, arg, spec, progress ? &reporter : NULL, &error), &error);
    }
  else if (strcmp (service, "qubesair.SetPrefs") == 0)
    {
      g_autoptr(GBytes) input = air_fd_read_to_end (STDIN_FILENO, AIR_JSON_MAX_LINE, &error);
      AirQubePrefs prefs;
      const char *data;
      gsize len = 0;

      if (input == NULL)
        return air_agent_fail (error);
      data = g_bytes_get_data (input, &len);
      if (!air_qube_prefs_parse (data, len, &prefs, &error))
        return air_agent_fail (error);
      return print_qube (air_driver_set_prefs (driver, arg, &prefs, &error), &error);
    }
  else if (strcmp (service, "qubesair.Start") == 0)
    return print_qube (air_driver_start (driver, arg, &error), &error);
  else if (strcmp (service, "qubesair.Shutdown") == 0)
    return print_qube (air_driver_shutdown (driver, arg, &error), &error);
  else if (strcmp (service, "qubesair.Kill") == 0)
    return print_qube (air_driver_kill (driver, arg, &error), &error);
  else if (strcmp (service, "qubesair.Remove") == 0)
    {
      if (!air_driver_remove (driver, arg, &error))
        return air_agent_fail (error);
      return print_line ("{\"removed\":true}\n") ? 0 : 1;
    }
  else if (strcmp (service, "qubesair.Run") == 0 || strcmp (service, "qubesair.Disposable") == 0)
    {
      g_autoptr(AirRunHeader) header = read_run_header (&error);

      if (header == NULL)
        return run_status (-1, &error);
      if (strcmp (service, "qubesair.Run") == 0)
        return run_status (air_driver_run (driver, arg, header, &error), &error);
      return run_status (air_driver_disposable (driver, arg, header, &error), &error);
    }

  g_printerr (_("Unknown service %s\n"), service);
  return 127;
}

int
air_agent_main (int    argc,
                char **argv)
{
  g_autoptr(AirDriver) driver = NULL;
  g_autoptr(AirSshConfig) ssh_config = NULL;
  g_autoptr(AirProxmoxConfig) proxmox_config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *service = NULL;
  g_autofree char *mapped = NULL;
  const char *full_name, *arg;

  /* In a qube: its calls out, under the names Qubes gives them. */
  if (argc > 0 && air_qube_call_handles (argv[0]))
    return air_qube_call_main (argc, argv);
  if (argc == 4 && strcmp (argv[1], "--qube-init") == 0)
    return air_qube_init_main (argv[2], argv[3]);
  /* PID 1 of a VM qube (libvirt backend), serving its virtio-serial port. */
  if (argc == 3 && strcmp (argv[1], "--vm-init") == 0)
    return air_vm_guest_main (argv[2]);
  /* A proxmox gateway's guard of a clone it follows (air-proxmox-driver.c). */
  if (argc == 2 && strcmp (argv[1], "--proxmox-task-guard") == 0)
    return air_proxmox_gateway_task_guard ();
  /* In a VM qube: a file service on its user's home, for the host. */
  if (argc == 4 && strcmp (argv[1], "--home-files") == 0)
    return air_file_services_guest_main (argv[2], argv[3]);

  state_dir = default_state_dir ();
  zone = zone_name ();

  /* A remote zone's calls, forwarded over its SSH connection: the zone
   * host's listener, and the gateway's end of one call; and calls out of
   * the zone, at the gateway (air-uplink.c). */
  if (argc == 2 && strcmp (argv[1], "--listen") == 0)
    return air_call_listener_main (state_dir);
  if (argc == 2 && strcmp (argv[1], "--call-socket") == 0)
    return air_call_client_main (AIR_CALL_CLIENT_FD);
  if (argc == 5 && strcmp (argv[1], "--uplink-listen") == 0)
    return air_call_listener_uplink_main (argv[2], argv[3], argv[4]);
  if (argc == 2 && strcmp (argv[1], "--uplink-call") == 0)
    return air_uplink_call_main ();

  if (argc == 3 && strcmp (argv[1], "--supervise") == 0)
    {
      driver = air_driver_new_for_host (state_dir, zone, &error);
      if (driver == NULL)
        return air_agent_fail (error);
      return air_driver_supervise (driver, argv[2]);
    }

  full_name = g_getenv ("QREXEC_SERVICE_FULL_NAME");
  if (full_name == NULL)
    {
      g_printerr (_("qubes-air-agent is a qrexec service and is not run by hand.\n"
                    "Use “qair” to manage qubes.\n"));
      return 2;
    }

  service = g_strndup (full_name, strcspn (full_name, "+"));
  arg = g_getenv ("QREXEC_SERVICE_ARGUMENT");
  if (arg == NULL)
    arg = "";

  if (strcmp (service, AIR_ZONE_SETUP_SERVICE) == 0)
    return air_zone_setup_serve (state_dir, zone, arg);

  /* dom0 sends a RemoteVM's own name: the zone's is in QubesDB. */
  if (strcmp (service, "qubesair.Relay") == 0)
    {
      mapped = air_relay_map_argument (arg, zone, &error);
      if (mapped == NULL)
        {
          g_printerr ("%s\n", error->message);
          return AIR_RUN_EXIT_FAILED;
        }
      arg = mapped;
    }

  ssh_config = air_zone_setup_load (state_dir, zone, &error);
  if (error != NULL)
    return air_agent_fail (error);
  if (ssh_config != NULL)
    {
      g_autoptr(AirSshDriver) ssh = air_ssh_driver_new (state_dir, zone, ssh_config);

      return air_ssh_driver_serve (ssh, service, arg);
    }

  /* A proxmox zone: this gateway drives the server's API itself. */
  proxmox_config = air_zone_setup_load_proxmox (state_dir, &error);
  if (error != NULL)
    return air_agent_fail (error);
  if (proxmox_config != NULL)
    {
      /* Not through a WireGuard tunnel that is down: the zone is down, and why. */
      g_autoptr(AirDriver) proxmox =
        air_zone_setup_proxmox_tunnel_check (state_dir, zone, proxmox_config, &error)
        ? air_proxmox_gateway_driver_new (state_dir, zone, proxmox_config, &error) : NULL;

      if (proxmox == NULL && strcmp (service, "qubesair.ZoneInfo") == 0)
        {
          g_autoptr(AirZoneInfo) info = air_proxmox_zone_info_down (zone, proxmox_config, error->message);
          g_autofree char *json = air_zone_info_to_json (info);

          return print_line (json) ? 0 : 1;
        }
      if (proxmox == NULL)
        return air_agent_fail (error);
      if (strcmp (service, "qubesair.Events") == 0)
        return air_proxmox_module_get (NULL)->driver_watch (proxmox,
                                                            g_strcmp0 (arg, AIR_PROTOCOL_EVENTS_LISTED) == 0,
                                                            AIR_PROXMOX_POLL_INTERVAL);
      return serve (proxmox, service, arg);
    }

  driver = air_driver_new_for_host (state_dir, zone, &error);
  if (driver == NULL)
    return air_agent_fail (error);
  return serve (driver, service, arg);
}
