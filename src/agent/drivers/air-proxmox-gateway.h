/* air-proxmox-gateway.h — the proxmox driver as the agent reaches it: a
 * module (libair-driver-proxmox.so) loaded only for a Proxmox zone
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-driver.h"
#include "air-proxmox-driver.h"

G_BEGIN_DECLS

/* What the module gives the agent: the one symbol it exports,
 * "air_proxmox_module". */
typedef struct {
  int        (*task_guard_main) (void);
  char      *(*fetch_pin)       (const char             *url,
                                 guint                   timeout,
                                 GError                **error);
  AirDriver *(*driver_new)      (const char             *state_dir,
                                 const char             *zone_name,
                                 const AirProxmoxConfig *config,
                                 const char             *token,
                                 gsize                   token_len,
                                 GError                **error);
  int        (*driver_watch)    (AirDriver              *driver,
                                 gboolean                listed,
                                 guint                   interval);
} AirProxmoxModule;

const AirProxmoxModule *air_proxmox_module_get         (GError                **error);
AirDriver              *air_proxmox_gateway_driver_new (const char             *state_dir,
                                                        const char             *zone_name,
                                                        const AirProxmoxConfig *config,
                                                        GError                **error);
int                     air_proxmox_gateway_task_guard (void);
char                   *air_proxmox_gateway_fetch_pin  (const char             *url,
                                                        guint                   timeout,
                                                        GError                **error);

G_END_DECLS
