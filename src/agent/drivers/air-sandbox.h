/* air-sandbox.h — how a qube of the local driver is confined
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "air-types.h"

G_BEGIN_DECLS

/* Where things are inside a qube. */
#define AIR_SANDBOX_HOME    "/home/user"
#define AIR_SANDBOX_RUN     "/run/qubes-air"
#define AIR_SANDBOX_INIT    "/run/qubes-air-init"

AirIsolation air_sandbox_probe      (const char   *cache_path);
GStrv        air_sandbox_build_argv (AirIsolation  isolation,
                                     const char   *qube_name,
                                     const char   *root,
                                     const char   *private_dir,
                                     const char   *run_dir,
                                     const char   *init_program,
                                     const char   *socket_name);

G_END_DECLS
