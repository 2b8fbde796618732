/* air-ssh-driver.h — a zone whose qubes live on another host, over SSH
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "air-types.h"
#include "air-zone-registry.h"

G_BEGIN_DECLS

#define AIR_TYPE_SSH_DRIVER (air_ssh_driver_get_type ())

G_DECLARE_FINAL_TYPE (AirSshDriver, air_ssh_driver, AIR, SSH_DRIVER, GObject)

/* What a relayed call that fails on our side (not the remote's) exits
 * with: for Run and its kind the agent's own failure status, else 1. */
#define AIR_SSH_MAX_ANSWER (4 * 1024 * 1024)

AirSshDriver *air_ssh_driver_new             (const char          *state_dir,
                                              const char          *zone,
                                              const AirSshConfig  *config);
const char   *air_ssh_driver_get_known_hosts (AirSshDriver        *self);
const char   *air_ssh_driver_get_control_path (AirSshDriver       *self);
gboolean      air_ssh_driver_connect         (AirSshDriver        *self,
                                              GError             **error);
void          air_ssh_driver_disconnect      (AirSshDriver        *self);
int           air_ssh_driver_serve           (AirSshDriver        *self,
                                              const char          *service,
                                              const char          *arg);
GPtrArray    *air_ssh_driver_scan_host_keys  (AirSshDriver        *self,
                                              GError             **error);
gboolean      air_ssh_driver_pin_host_key    (AirSshDriver        *self,
                                              const char          *key,
                                              GError             **error);
AirHealth     air_ssh_driver_link_health     (AirSshDriver        *self,
                                              char               **reason);

G_END_DECLS
