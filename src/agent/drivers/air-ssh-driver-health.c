/* air-ssh-driver-health.c — AirSshDriver: the link's health (WireGuard's
 * handshake and counters when the zone has a tunnel, else the SSH master's)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-ssh-driver"

#include "config.h"

#include <glib/gi18n.h>

#include "air-ssh-driver-private.h"
#include "air-zone-setup.h"
#include "air-wireguard-key.h"

/* What the zone host says of itself (isolation, say) with what the link
 * to it is: the worse of the two, and both reasons. A host that says it
 * is down is down. */
AirHealth
_air_ssh_driver_with_link_health (AirSshDriver  *self,
                                  AirHealth      host,
                                  const char    *host_reason,
                                  char         **reason)
{
  g_autofree char *link_reason = NULL;
  AirHealth link = air_ssh_driver_link_health (self, &link_reason);

  if (host == AIR_HEALTH_DOWN || host_reason == NULL || host_reason[0] == '\0')
    *reason = g_strdup (host == AIR_HEALTH_DOWN && host_reason != NULL ? host_reason : link_reason);
  else
    *reason = g_strdup_printf ("%s — %s", host_reason, link_reason);
  return host == AIR_HEALTH_DOWN ? host : MAX (host, link);
}

/* WireGuard's view when the zone has a tunnel and its interface exists:
 * the peer's latest handshake and transfer counters. Otherwise the SSH
 * connection's. */
static gboolean
wireguard_health (AirSshDriver  *self,
                  AirHealth     *health,
                  char         **reason)
{
  g_autofree char *interface = NULL;
  g_autofree char *sys_path = NULL;
  g_autofree char *rx_text = NULL;
  g_autofree char *tx_text = NULL;
  guint64 handshake = 0, rx = 0, tx = 0;
  gboolean has_peer = FALSE;
  gint64 age;

  if (self->config->wireguard == NULL)
    return FALSE;
  interface = air_wireguard_interface_name (self->zone);
  sys_path = g_build_filename ("/sys/class/net", interface, NULL);
  if (!g_file_test (sys_path, G_FILE_TEST_EXISTS) ||
      !air_zone_setup_wireguard_peer (interface, &has_peer, &handshake, &rx, &tx))
    return FALSE;
  if (!has_peer)
    {
      *health = AIR_HEALTH_DEGRADED;
      *reason = g_strdup (_("WireGuard: the tunnel has no peer"));
      return TRUE;
    }
  rx_text = g_format_size (rx);
  tx_text = g_format_size (tx);
  self->wg_handshake = (gint64) MIN (handshake, (guint64) (G_MAXINT64 / G_USEC_PER_SEC));
  if (handshake == 0)
    {
      *health = AIR_HEALTH_DEGRADED;
      *reason = g_strdup (_("WireGuard: no handshake yet"));
      return TRUE;
    }
  age = MAX (0, g_get_real_time () / G_USEC_PER_SEC - (gint64) handshake);
  /* WireGuard re-keys every two minutes while there is traffic. */
  *health = age > 180 ? AIR_HEALTH_DEGRADED : AIR_HEALTH_UP;
  *reason = g_strdup_printf (_("WireGuard: last handshake %lu s ago, %s received, %s sent"),
                             (gulong) age, rx_text, tx_text);
  return TRUE;
}

AirHealth
air_ssh_driver_link_health (AirSshDriver  *self,
                            char         **reason)
{
  AirHealth health = AIR_HEALTH_UNKNOWN;
  g_autofree char *where = _air_ssh_driver_endpoint (self);
  g_autofree char *text = NULL;

  if (wireguard_health (self, &health, &text))
    {
      *reason = g_steal_pointer (&text);
      return health;
    }
  if (_air_ssh_driver_master_alive (self))
    {
      *reason = g_strdup_printf (_("SSH: connected to %s"), where);
      return AIR_HEALTH_UP;
    }
  *reason = g_strdup_printf (_("SSH: not connected to %s"), where);
  return AIR_HEALTH_DOWN;
}
