/* air-cli-config.h — qair config export|import
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int air_cli_config_main (int    argc,
                         char **argv);

G_END_DECLS
