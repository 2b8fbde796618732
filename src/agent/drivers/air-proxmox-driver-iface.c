/* air-proxmox-driver-iface.c — AirProxmoxDriver as an AirDriver
 *
 * So the gateway of a proxmox zone answers the same qubesair.* services as
 * every zone (air-agent.c). A run's input and output are the service's own
 * stdin, stdout and stderr. There is no home directory to open here: the
 * VM's files are on the Proxmox server, so the file services say so.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-proxmox"

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "air-driver.h"
#include "air-error.h"
#include "air-proxmox-driver.h"

#define PROXMOX(d) AIR_PROXMOX_DRIVER (d)

static const char *
get_zone_name (AirDriver *d)
{
  return air_proxmox_driver_get_zone_name (PROXMOX (d));
}

static const char *
get_qubes_dir (AirDriver *d)
{
  return air_proxmox_driver_get_state_dir (PROXMOX (d));
}

static const char *
get_run_dir (AirDriver *d)
{
  return air_proxmox_driver_get_state_dir (PROXMOX (d));
}

static AirZoneInfo *
get_info (AirDriver *d)
{
  return air_proxmox_driver_get_info (PROXMOX (d));
}

static GPtrArray *
list (AirDriver *d, GError **error)
{
  return air_proxmox_driver_list (PROXMOX (d), error);
}

static AirQube *
lookup (AirDriver *d, const char *name, GError **error)
{
  return air_proxmox_driver_lookup (PROXMOX (d), name, error);
}

static int
open_home (AirDriver *d, const char *name, GError **error)
{
  g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
               _("Qube “%s” is a VM on the Proxmox server of zone “%s”: its files cannot be reached "
                 "from the gateway yet. Use “qair run” to move data through the command's input and output."),
               name, air_proxmox_driver_get_zone_name (PROXMOX (d)));
  return -1;
}

static AirQube *
create (AirDriver *d, const char *name, const AirQubeSpec *spec, const AirProgressReporter *reporter,
        GError **error)
{
  return air_proxmox_driver_create (PROXMOX (d), name, spec, reporter, error);
}

static gboolean
remove_qube (AirDriver *d, const char *name, GError **error)
{
  return air_proxmox_driver_remove (PROXMOX (d), name, error);
}

static AirQube *
start (AirDriver *d, const char *name, GError **error)
{
  return air_proxmox_driver_start (PROXMOX (d), name, error);
}

static AirQube *
shutdown_qube (AirDriver *d, const char *name, GError **error)
{
  return air_proxmox_driver_shutdown (PROXMOX (d), name, error);
}

static AirQube *
kill_qube (AirDriver *d, const char *name, GError **error)
{
  return air_proxmox_driver_kill (PROXMOX (d), name, error);
}

static int
run (AirDriver *d, const char *name, const AirRunHeader *header, GError **error)
{
  return air_proxmox_driver_run (PROXMOX (d), name, header,
                                 STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, error);
}

static int
disposable (AirDriver *d, const char *template_name, const AirRunHeader *header, GError **error)
{
  return air_proxmox_driver_disposable (PROXMOX (d), template_name, header,
                                        STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, error);
}

static int
serve_files (AirDriver *d, const char *service, const char *name, const char *source, GError **error)
{
  return air_proxmox_driver_serve_files (PROXMOX (d), service, name, source, error);
}

void
_air_proxmox_driver_iface_init (AirDriverInterface *iface)
{
  iface->get_zone_name = get_zone_name;
  iface->get_qubes_dir = get_qubes_dir;
  iface->get_run_dir = get_run_dir;
  iface->get_info = get_info;
  iface->list = list;
  iface->lookup = lookup;
  iface->open_home = open_home;
  iface->create = create;
  iface->remove = remove_qube;
  iface->start = start;
  iface->shutdown = shutdown_qube;
  iface->kill = kill_qube;
  iface->run = run;
  iface->disposable = disposable;
  iface->serve_files = serve_files;
}
