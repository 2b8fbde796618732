/* air-qube-init.h — the first process of a running qube
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int air_qube_init_main (const char *socket_path,
                        const char *home);

G_END_DECLS
