/* air-cli.h — qair, the command-line twin of the app
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int air_cli_main (int argc, char **argv);

G_END_DECLS
