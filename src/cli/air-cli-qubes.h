/* air-cli-qubes.h — qair ls, zones, create, start, shutdown, kill, rm
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int air_cli_cmd_ls       (int argc, char **argv);
int air_cli_cmd_zones    (int argc, char **argv);
int air_cli_cmd_create   (int argc, char **argv);
int air_cli_cmd_start    (int argc, char **argv);
int air_cli_cmd_shutdown (int argc, char **argv);
int air_cli_cmd_kill     (int argc, char **argv);
int air_cli_cmd_rm       (int argc, char **argv);

G_END_DECLS
