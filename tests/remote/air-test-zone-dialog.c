/* air-test-zone-dialog.c — the add-zone dialog against a real zone host
 *
 * Usage: air-test-zone-dialog ZONE HOST PORT USER FINGERPRINT KNOWN_HOSTS
 * Run by test-remote.sh in an X server, with sshd up. Fills the dialog as
 * a user would (ssh driver, host, port, user), presses Add, and checks:
 * the host's fingerprint is shown and Add stays disabled until the user
 * ticks that they trust it; then the key is pinned and the zone saved with
 * its host. Exits 0 when all holds; says what did not otherwise.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <gtk/gtk.h>
#include <stdlib.h>

#include "air-resources.h"
#include "air-zone-dialog.h"

static gboolean
wait_until (gboolean (*done) (gpointer), gpointer data, guint seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  return done (data);
}

static gboolean
has_fingerprint (gpointer data)
{
  return air_zone_dialog_get_fingerprint (data) != NULL;
}

static gboolean
is_gone (gpointer data)
{
  return *(AirZoneDialog **) data == NULL;
}

#define CHECK(cond, what) \
  G_STMT_START { if (!(cond)) { g_printerr ("zone dialog: %s\n", what); return 1; } } G_STMT_END

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AirSession) session = NULL;
  g_autoptr(GError) error = NULL;
  AirZoneDialog *dialog;
  const AirSshConfig *config;

  if (argc != 7)
    {
      g_printerr ("Usage: %s ZONE HOST PORT USER FINGERPRINT KNOWN_HOSTS\n", argv[0]);
      return 2;
    }

  gtk_init ();
  /* Pulls the app's resources (and their registration) into this program. */
  g_assert_nonnull (air_get_resource ());
  session = air_session_new (NULL);
  CHECK (air_session_load (session, &error), "the zone list loads");

  dialog = air_zone_dialog_new (NULL, session, NULL);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  air_zone_dialog_set_fields (dialog, argv[1], "", "ssh");
  air_zone_dialog_set_host (dialog, argv[2], atoi (argv[3]), argv[4]);

  CHECK (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL), "Add can be pressed");
  CHECK (wait_until (has_fingerprint, dialog, 30), "the host's fingerprint is shown");
  CHECK (g_strcmp0 (air_zone_dialog_get_fingerprint (dialog), argv[5]) == 0,
         "the fingerprint shown is the host key's");
  CHECK (air_session_lookup_zone (session, argv[1]) == NULL, "nothing is saved before the key is trusted");
  /* Pressing Add without ticking the box pins and saves nothing. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  wait_until (is_gone, &dialog, 2);
  CHECK (dialog != NULL && air_session_lookup_zone (session, argv[1]) == NULL,
         "nothing happens until the user trusts the key");
  CHECK (!g_file_test (argv[6], G_FILE_TEST_EXISTS), "no key is pinned until the user trusts it");

  air_zone_dialog_set_trusted (dialog, TRUE);
  CHECK (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL), "Trust and Add");
  CHECK (wait_until (is_gone, &dialog, 30), "the dialog closes once the key is pinned");

  CHECK (air_session_lookup_zone (session, argv[1]) != NULL, "the zone is added");
  config = air_zone_registry_get_ssh_config (air_session_get_registry (session), argv[1]);
  CHECK (config != NULL && g_strcmp0 (config->host, argv[2]) == 0 &&
         config->port == (guint) atoi (argv[3]), "the zone keeps its host and port");
  CHECK (g_file_test (argv[6], G_FILE_TEST_EXISTS), "the gateway pinned the key");
  return 0;
}
