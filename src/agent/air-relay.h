/* air-relay.h — qubesair.Relay: Qubes services run inside a zone's qube
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "air-driver.h"

G_BEGIN_DECLS

/* qrexec-client-vm's status for a service that does not exist. */
#define AIR_RELAY_EXIT_NO_SERVICE 127

/* qubes.OpenInVM's header: the file's name, NUL-padded (Qubes' dvm2.h). */
#define OPEN_IN_VM_NAME_SIZE 256
#define OPEN_IN_VM_VIEW_ONLY "view-only-"

/* One Qubes service the relay can run in a qube: returns the exit status
 * of the service, or -1 with @error set when it could not run at all. */
typedef int (*AirRelayHandler) (AirDriver       *driver,
                                const char      *qube,
                                const char      *service_arg,
                                GError         **error);

typedef struct {
  const char      *service;
  AirRelayHandler  handler;
} AirRelayService;

gboolean air_relay_parse_argument (const char  *arg,
                                   char       **qube,
                                   char       **service,
                                   char       **service_arg,
                                   GError     **error);
int      air_relay_run_command    (AirDriver           *driver,
                                   const char          *qube,
                                   const char * const  *argv,
                                   GError             **error);
char    *air_relay_dom0_name      (const char          *zone,
                                   const char          *qube,
                                   GError             **error);
char    *air_relay_map_argument   (const char          *arg,
                                   const char          *zone,
                                   GError             **error);
int      air_relay_serve          (AirDriver           *driver,
                                   const char          *arg);

G_END_DECLS
