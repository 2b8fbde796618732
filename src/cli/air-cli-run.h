/* air-cli-run.h — qair run, qair dispvm, and the filter they share with events
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a zone writes, copied to @fd with terminal controls replaced. */
typedef struct {
  GInputStream *stream;
  int           fd;
  const char   *prefix;   /* before each line, or NULL */
} AirCliFilter;

gpointer air_cli_filter_thread (gpointer data);

int      air_cli_cmd_run       (int argc, char **argv);
int      air_cli_cmd_dispvm    (int argc, char **argv);

G_END_DECLS
