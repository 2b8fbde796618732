/* air-test-ssh-bridge.c — runs an AirSshAgentBridge until SIGTERM
 *
 * Usage: air-test-ssh-bridge SOCKET ZONE
 * Prints "ready" once the socket listens. The transport is the default
 * one: in tests, loopback with AIR_LOOPBACK_SELF as the gateway's name.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>

#include "air-ssh-agent-bridge.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AirSshAgentBridge) bridge = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");

  if (argc != 3)
    {
      g_printerr ("Usage: %s SOCKET ZONE\n", argv[0]);
      return 2;
    }

  bridge = air_ssh_agent_bridge_new (NULL, NULL, argv[2]);
  if (!air_ssh_agent_bridge_listen (bridge, argv[1], &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);

  printf ("ready\n");
  fflush (stdout);
  g_main_loop_run (loop);

  air_ssh_agent_bridge_stop (bridge);
  return 0;
}
