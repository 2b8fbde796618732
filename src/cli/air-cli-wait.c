/* air-cli-wait.c
 *
 * The command line runs each async core call on a private main context
 * (or the default one, where signal sources must run too) and iterates
 * it until the call is done: one call, then exit. Also what the commands
 * built on their own too (cred, key: tests/vault) share: the usage error
 * and a prompt with the terminal's echo off.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "air-cli-wait.h"

void
air_cli_wait_init (AirCliWait *wait)
{
  wait->context = g_main_context_new ();
  wait->result = NULL;
  wait->pushed = TRUE;
  g_main_context_push_thread_default (wait->context);
}

/* On the global default context instead: for commands whose Unix signal
 * and timeout sources (g_unix_signal_add) live there. */
void
air_cli_wait_init_default (AirCliWait *wait)
{
  wait->context = g_main_context_ref (g_main_context_default ());
  wait->result = NULL;
  wait->pushed = FALSE;
}

void
air_cli_wait_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AirCliWait *wait = user_data;

  wait->result = g_object_ref (result);
}

GAsyncResult *
air_cli_wait_finish (AirCliWait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (wait->context, TRUE);
  return wait->result;
}

void
air_cli_wait_clear (AirCliWait *wait)
{
  if (wait->context == NULL)
    return;
  if (wait->pushed)
    g_main_context_pop_thread_default (wait->context);
  g_clear_object (&wait->result);
  g_clear_pointer (&wait->context, g_main_context_unref);
}

int
air_cli_usage_error (GOptionContext *context,
                     const char     *command,
                     const char     *message)
{
  const char *shown = g_str_has_prefix (command, "qair ") ? command + strlen ("qair ") : command;

  /* Every error line starts with "qair:", as scripts and users expect. */
  g_printerr ("qair: %s: %s\n", shown, message);
  g_printerr (_("qair: “qair %s --help” shows how to use it.\n"), shown);
  return AIR_CLI_EXIT_USAGE;
}

gboolean
air_cli_echo_off (const char     *prompt,
                  struct termios *saved)
{
  struct termios quiet;
  gboolean off = FALSE;

  if (tcgetattr (STDIN_FILENO, saved) == 0)
    {
      quiet = *saved;
      quiet.c_lflag &= ~ECHO;
      quiet.c_lflag |= ECHONL;
      off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  g_printerr ("%s", prompt);
  return off;
}

void
air_cli_echo_restore (const struct termios *saved)
{
  tcsetattr (STDIN_FILENO, TCSAFLUSH, saved);
}
