/* air-test-zone-dialog.c — the add-zone dialog against a real zone host
 *
 * Usage: air-test-zone-dialog ZONE HOST PORT USER FINGERPRINT KNOWN_HOSTS
 * Run by test-remote.sh in an X server, with sshd up. Fills the dialog as
 * a user would (ssh driver, host, port, user), presses Add, and checks:
 * the host's fingerprint is shown and Add stays disabled until the user
 * ticks that they trust it; then the key is pinned and the zone saved with
 * its host. Then, as Edit Zone: Enter (Save) with nothing changed, and
 * Cancel, leave the zone list byte for byte as it was — settings the
 * dialog shows (agent, timeout) and those it does not (known_hosts) — and
 * the fingerprint is never hyphenated where it wraps; a changed timeout
 * asks the host's key again and is saved with every other setting kept.
 * Exits 0 when all
 * holds; says what did not otherwise.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <gtk/gtk.h>
#include <stdlib.h>
#include <string.h>

#include "air-resources.h"
#include "air-zone-dialog.h"
#include "tests/app/air-test-widgets.h"

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
label_shows (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static gboolean
entry_holds (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_ENTRY (widget) && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (widget)), text) == 0;
}

static gboolean
spin_holds (GtkWidget *widget, gconstpointer value)
{
  return GTK_IS_SPIN_BUTTON (widget) &&
         gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (widget)) == GPOINTER_TO_INT (value);
}

static gboolean
hyphenation_off (GtkLabel *label)
{
  PangoAttrList *attributes = gtk_label_get_attributes (label);
  g_autoptr(GSList) list = attributes ? pango_attr_list_get_attributes (attributes) : NULL;
  gboolean off = FALSE;

  for (GSList *l = list; l != NULL; l = l->next)
    {
      PangoAttribute *attribute = l->data;

      if (attribute->klass->type == PANGO_ATTR_INSERT_HYPHENS && !((PangoAttrInt *) attribute)->value)
        off = TRUE;
      pango_attribute_destroy (attribute);
    }
  return off;
}

static char *
registry_bytes (AirSession *session)
{
  g_autofree char *contents = NULL;

  g_file_get_contents (air_zone_registry_get_path (air_session_get_registry (session)), &contents, NULL, NULL);
  return g_steal_pointer (&contents);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
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
  {
    GtkWidget *label = air_test_find_widget (GTK_WIDGET (dialog), label_shows, argv[5]);

    CHECK (label != NULL && hyphenation_off (GTK_LABEL (label)),
           "the fingerprint's label never inserts hyphens where it wraps");
    CHECK (gtk_widget_has_css_class (label, "monospace") &&
           gtk_label_get_wrap_mode (GTK_LABEL (label)) == PANGO_WRAP_CHAR &&
           gtk_label_get_selectable (GTK_LABEL (label)),
           "the fingerprint is monospace, wraps at any character and can be selected");
    CHECK (g_str_has_suffix (gtk_label_get_text (GTK_LABEL (label)), argv[5]) &&
           strchr (gtk_label_get_text (GTK_LABEL (label)), '\n') == NULL,
           "the fingerprint's label holds the key's type and fingerprint alone");
    /* AIR_TEST_SCREENSHOT=FILE: the dialog as shown, for a person to look at. */
    if (g_getenv ("AIR_TEST_SCREENSHOT") != NULL)
      {
        const char *import[] = { "import", "-window", "root", g_getenv ("AIR_TEST_SCREENSHOT"), NULL };
        gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

        while (g_get_monotonic_time () < end)
          g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
        g_spawn_sync (NULL, (char **) import, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
      }
  }
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

  /* Edit Zone: settings of its own, then Save (Enter) and Cancel with
   * nothing changed. */
  {
    g_autoptr(AirSshConfig) custom = air_ssh_config_copy (config);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *pinned_before = NULL;
    g_autofree char *pinned_after = NULL;
    AirZone *zone = air_session_lookup_zone (session, argv[1]);
    GtkWidget *host_entry, *agent_entry;

    g_free (custom->agent_path);
    custom->agent_path = g_strdup ("/opt/custom/qubes-air-agent");
    custom->connect_timeout = 7;
    CHECK (air_zone_registry_set_ssh_config (air_session_get_registry (session), argv[1], custom, &error) &&
           air_zone_registry_save (air_session_get_registry (session), &error), "the zone's own settings");
    before = registry_bytes (session);
    g_file_get_contents (argv[6], &pinned_before, NULL, NULL);

    dialog = air_zone_dialog_new (NULL, session, zone);
    g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
    gtk_window_present (GTK_WINDOW (dialog));
    agent_entry = air_test_find_widget (GTK_WIDGET (dialog), entry_holds, "/opt/custom/qubes-air-agent");
    CHECK (agent_entry != NULL, "Edit Zone shows the zone's agent path");
    host_entry = air_test_find_widget (GTK_WIDGET (dialog), entry_holds, argv[2]);
    CHECK (host_entry != NULL, "Edit Zone shows the zone's host");
    /* Enter in the entry's text, once the dialog is up: the default
     * button, Save. */
    wait_until (is_mapped, dialog, 5);
    CHECK (gtk_entry_get_activates_default (GTK_ENTRY (host_entry)), "Enter in an entry activates the default");
    gtk_widget_activate_default (host_entry);
    CHECK (wait_until (is_gone, &dialog, 5), "Enter saves, and with nothing changed the dialog just closes");
    after = registry_bytes (session);
    CHECK (g_strcmp0 (before, after) == 0, "Save with nothing changed leaves the zone list as it was");
    g_file_get_contents (argv[6], &pinned_after, NULL, NULL);
    CHECK (g_strcmp0 (pinned_before, pinned_after) == 0, "… and the gateway's pinned key");

    dialog = air_zone_dialog_new (NULL, session, zone);
    g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
    gtk_window_present (GTK_WINDOW (dialog));
    gtk_editable_set_text (GTK_EDITABLE (air_test_find_widget (GTK_WIDGET (dialog), entry_holds, "/opt/custom/qubes-air-agent")),
                           "/somewhere/else");
    gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL);
    CHECK (wait_until (is_gone, &dialog, 5), "Cancel closes");
    g_clear_pointer (&after, g_free);
    after = registry_bytes (session);
    CHECK (g_strcmp0 (before, after) == 0, "Cancel changes nothing");

    /* One setting changed (the timeout): the host's key is shown again
     * and, once trusted, the zone keeps the new timeout and every other
     * setting as it was. */
    dialog = air_zone_dialog_new (NULL, session, zone);
    g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
    gtk_window_present (GTK_WINDOW (dialog));
    {
      GtkWidget *timeout = air_test_find_widget (GTK_WIDGET (dialog), spin_holds, GINT_TO_POINTER (7));

      CHECK (timeout != NULL, "Edit Zone shows the zone's timeout");
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (timeout), 9);
    }
    CHECK (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL), "Save a changed timeout");
    CHECK (wait_until (has_fingerprint, dialog, 30), "a changed setting shows the host's key again");
    air_zone_dialog_set_trusted (dialog, TRUE);
    CHECK (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL), "Trust and Save");
    CHECK (wait_until (is_gone, &dialog, 30), "Edit Zone closes once saved");
    config = air_zone_registry_get_ssh_config (air_session_get_registry (session), argv[1]);
    CHECK (config != NULL && config->connect_timeout == 9, "the new timeout is saved");
    CHECK (g_strcmp0 (config->agent_path, "/opt/custom/qubes-air-agent") == 0 &&
           g_strcmp0 (config->host, argv[2]) == 0 && config->port == (guint) atoi (argv[3]) &&
           g_strcmp0 (config->user, argv[4]) == 0 && g_strcmp0 (config->known_hosts, custom->known_hosts) == 0,
           "every other setting stays as it was");
  }
  return 0;
}
