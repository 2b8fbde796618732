/* air-cli-wait.h — running one async call to its end from the command line
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <termios.h>

G_BEGIN_DECLS

#define AIR_CLI_EXIT_OK      0
#define AIR_CLI_EXIT_FAILED  1
#define AIR_CLI_EXIT_USAGE   2

typedef struct {
  GMainContext *context;
  GAsyncResult *result;
  gboolean      pushed;
} AirCliWait;

void          air_cli_wait_init         (AirCliWait     *wait);
void          air_cli_wait_init_default (AirCliWait     *wait);
void          air_cli_wait_cb           (GObject        *object,
                                         GAsyncResult   *result,
                                         gpointer        user_data);
GAsyncResult *air_cli_wait_finish       (AirCliWait     *wait);
void          air_cli_wait_clear        (AirCliWait     *wait);
int           air_cli_usage_error       (GOptionContext *context,
                                         const char     *command,
                                         const char     *message);
/* For a secret typed on the terminal (stdin): echo off, line breaks still
 * echoed, then @prompt on stderr. TRUE when the terminal's @saved state
 * is to be put back with air_cli_echo_restore(). */
gboolean      air_cli_echo_off          (const char     *prompt,
                                         struct termios *saved);
void          air_cli_echo_restore      (const struct termios *saved);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AirCliWait, air_cli_wait_clear)

G_END_DECLS
