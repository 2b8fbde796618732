/* air-remotevm.h — what dom0 needs to use a zone's qubes as RemoteVMs
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "air-qube.h"

G_BEGIN_DECLS

/* Qubes' limit on a qube's name. */
#define AIR_REMOTEVM_MAX_NAME 31

typedef enum {
  AIR_REMOTEVM_FORMAT_SHELL,   /* a script to paste into a dom0 terminal */
  AIR_REMOTEVM_FORMAT_SALT,    /* a Salt state for qubesctl */
} AirRemoteVmFormat;

char *air_remotevm_dom0_name (const char         *zone,
                              const char         *qube);
char *air_remotevm_script    (const char         *zone,
                              const char         *gateway,
                              AirQube * const    *qubes,
                              guint               n_qubes,
                              AirRemoteVmFormat   format);

G_END_DECLS
