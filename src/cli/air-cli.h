/* air-cli.h — qair, the command-line twin of the app
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-zone-registry.h"

G_BEGIN_DECLS

int air_cli_main (int argc, char **argv);

/* Shared by the commands of air-cli-*.c. */
int              air_cli_fail            (GError             *error);
int              air_cli_usage           (const char         *message);
gboolean         air_cli_load_registry   (GError            **error);
AirZoneRegistry *air_cli_registry        (void);
GOptionContext  *air_cli_command_context (const char         *parameters,
                                          const char         *summary,
                                          const GOptionEntry *entries);
int              air_cli_find_separator  (int                 argc,
                                          char              **argv);

G_END_DECLS
