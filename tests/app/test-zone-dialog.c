/* test-zone-dialog.c — Edit Zone changes only what the user changed
 *
 * A zone with every setting of its own (host, port, user, agent path,
 * timeout, WireGuard endpoint, known_hosts): Edit Zone shows each, Save
 * with nothing changed and Cancel after changes leave the zone list byte
 * for byte as it was; a WireGuard endpoint or peer key that is wrong is
 * refused with a message saying what is wrong. No gateway is needed: none
 * is asked anything unless a host setting changed.
 *
 * AIR_TEST_SCREENSHOT=FILE saves the Edit Zone dialog as shown (import).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "air-application.h"
#include "air-resources.h"
#include "air-session.h"
#include "air-test-utils.h"
#include "air-zone-dialog.h"
#include "air-zone-registry.h"

#define AGENT     "/opt/air/bin/qubes-air-agent"
#define ENDPOINT  "203.0.113.7:51820"
#define PEER_KEY  "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="

static AirSession *session;

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
spin_main_loop (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

static char *
registry_bytes (void)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (air_zone_registry_get_path (air_session_get_registry (session)),
                                      &contents, NULL, NULL));
  return g_steal_pointer (&contents);
}

/* The @nth widget of @type in the dialog, in layout order. */
static GtkWidget *
field (GtkWidget  *widget,
       GType       type,
       guint       nth)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  GtkWidget *stack[256];
  guint top = 0;

  stack[top++] = widget;
  while (top > 0)
    {
      GtkWidget *w = stack[--top];
      GtkWidget *children[64];
      guint n = 0;

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
        g_ptr_array_add (found, w);
      for (GtkWidget *child = gtk_widget_get_first_child (w); child && n < G_N_ELEMENTS (children);
           child = gtk_widget_get_next_sibling (child))
        children[n++] = child;
      while (n > 0 && top < G_N_ELEMENTS (stack))
        stack[top++] = children[--n];
    }
  g_assert_cmpuint (nth, <, found->len);
  return found->pdata[nth];
}

/* The dialog's fields, in the order they are laid out. */
enum { NAME, GATEWAY, HOST, USER, AGENT_PATH, WIREGUARD, PEER };
enum { PORT, TIMEOUT };

static const char *
entry_text (AirZoneDialog *dialog,
            guint          nth)
{
  return gtk_editable_get_text (GTK_EDITABLE (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, nth)));
}

static void
set_entry (AirZoneDialog *dialog,
           guint          nth,
           const char    *text)
{
  gtk_editable_set_text (GTK_EDITABLE (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, nth)), text);
}

static GtkSpinButton *
spin (AirZoneDialog *dialog,
      guint          nth)
{
  return GTK_SPIN_BUTTON (field (GTK_WIDGET (dialog), GTK_TYPE_SPIN_BUTTON, nth));
}

/* The message under the fields (the last label with the field-message
 * class). */
static GtkLabel *
message_label (AirZoneDialog *dialog)
{
  GtkWidget *found = NULL;
  GtkWidget *stack[256];
  guint top = 0;

  stack[top++] = GTK_WIDGET (dialog);
  while (top > 0)
    {
      GtkWidget *w = stack[--top];

      if (GTK_IS_LABEL (w) && gtk_widget_has_css_class (w, "field-message"))
        found = w;
      for (GtkWidget *child = gtk_widget_get_first_child (w); child && top < G_N_ELEMENTS (stack);
           child = gtk_widget_get_next_sibling (child))
        stack[top++] = child;
    }
  g_assert_nonnull (found);
  return GTK_LABEL (found);
}

static AirZoneDialog *
open_edit_zone (void)
{
  AirZoneDialog *dialog = air_zone_dialog_new (NULL, session, air_session_lookup_zone (session, "far"));

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  air_test_wait_until (is_mapped, dialog, 10, "Edit Zone to be shown");
  g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  return dialog;
}

static gboolean
can_save (AirZoneDialog *dialog)
{
  GtkWidget *button = gtk_window_get_default_widget (GTK_WINDOW (dialog));

  return gtk_widget_is_sensitive (button);
}

static void
test_edit_shows_every_setting (void)
{
  AirZoneDialog *dialog = open_edit_zone ();

  g_assert_cmpstr (entry_text (dialog, NAME), ==, "far");
  g_assert_cmpstr (entry_text (dialog, GATEWAY), ==, "sys-remote-far");
  g_assert_cmpstr (entry_text (dialog, HOST), ==, "far.example");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin (dialog, PORT)), ==, 2222);
  g_assert_cmpstr (entry_text (dialog, USER), ==, "alice");
  g_assert_cmpstr (entry_text (dialog, AGENT_PATH), ==, AGENT);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin (dialog, TIMEOUT)), ==, 7);
  g_assert_cmpstr (entry_text (dialog, WIREGUARD), ==, ENDPOINT);
  g_assert_cmpstr (entry_text (dialog, PEER), ==, "");

  if (g_getenv ("AIR_TEST_SCREENSHOT") != NULL)
    {
      const char *import[] = { "import", "-window", "root", g_getenv ("AIR_TEST_SCREENSHOT"), NULL };

      spin_main_loop (500);
      g_spawn_sync (NULL, (char **) import, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_edit_save_unchanged (void)
{
  g_autofree char *before = registry_bytes ();
  g_autofree char *after = NULL;
  AirZoneDialog *dialog = open_edit_zone ();

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (can_save (dialog));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  air_test_wait_until (is_gone, &dialog, 5, "Save to close Edit Zone");
  after = registry_bytes ();
  g_assert_cmpstr (after, ==, before);
}

static void
test_edit_cancel (void)
{
  g_autofree char *before = registry_bytes ();
  g_autofree char *after = NULL;
  AirZoneDialog *dialog = open_edit_zone ();

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  set_entry (dialog, GATEWAY, "sys-elsewhere");
  set_entry (dialog, HOST, "other.example");
  set_entry (dialog, AGENT_PATH, "/somewhere/else");
  gtk_spin_button_set_value (spin (dialog, TIMEOUT), 30);
  set_entry (dialog, WIREGUARD, "");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL));
  air_test_wait_until (is_gone, &dialog, 5, "Cancel to close Edit Zone");
  after = registry_bytes ();
  g_assert_cmpstr (after, ==, before);
}

static void
test_edit_wireguard_checked (void)
{
  AirZoneDialog *dialog = open_edit_zone ();
  GtkLabel *message = message_label (dialog);

  set_entry (dialog, WIREGUARD, "203.0.113.7");
  g_test_message ("endpoint without port: %s", gtk_label_get_text (message));
  g_assert_false (can_save (dialog));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (message), "error"));

  set_entry (dialog, WIREGUARD, ENDPOINT);
  g_assert_true (can_save (dialog));
  set_entry (dialog, PEER, "not a key");
  g_test_message ("bad peer key: %s", gtk_label_get_text (message));
  g_assert_false (can_save (dialog));
  g_assert_nonnull (strstr (gtk_label_get_text (message), "44"));

  set_entry (dialog, WIREGUARD, "");
  set_entry (dialog, PEER, PEER_KEY);
  g_test_message ("peer key without endpoint: %s", gtk_label_get_text (message));
  g_assert_false (can_save (dialog));
  g_assert_nonnull (strstr (gtk_label_get_text (message), "HOST:PORT"));

  set_entry (dialog, WIREGUARD, ENDPOINT);
  g_assert_true (can_save (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dirs = air_test_isolate_dirs ("test-zone-dialog");
  g_autoptr(AirSshConfig) config = air_ssh_config_new ("far.example");
  g_autoptr(GError) error = NULL;
  AirZoneRegistry *registry;
  int status;

  g_test_init (&argc, &argv, NULL);
  air_test_setup_dirs ();
  air_application_choose_renderer ();
  gtk_init ();
  g_assert_nonnull (air_get_resource ());

  /* A zone with settings of its own in every field, and one the dialog
   * does not show (known_hosts). */
  session = air_session_new (NULL);
  g_assert_true (air_session_load (session, &error));
  g_assert_true (air_session_add_zone (session, "far", "sys-remote-far", "ssh", &error));
  g_assert_no_error (error);
  config->port = 2222;
  config->user = g_strdup ("alice");
  g_free (config->agent_path);
  config->agent_path = g_strdup (AGENT);
  config->connect_timeout = 7;
  config->wireguard = g_strdup (ENDPOINT);
  config->known_hosts = g_build_filename (g_get_user_config_dir (), "far_known_hosts", NULL);
  registry = air_session_get_registry (session);
  g_assert_true (air_zone_registry_set_ssh_config (registry, "far", config, &error));
  g_assert_true (air_zone_registry_save (registry, &error));
  g_assert_no_error (error);

  g_test_add_func ("/air/zone-dialog/edit/shows-every-setting", test_edit_shows_every_setting);
  g_test_add_func ("/air/zone-dialog/edit/save-unchanged", test_edit_save_unchanged);
  g_test_add_func ("/air/zone-dialog/edit/cancel", test_edit_cancel);
  g_test_add_func ("/air/zone-dialog/edit/wireguard-checked", test_edit_wireguard_checked);

  status = g_test_run ();

  g_clear_object (&session);
  air_test_remove_dirs (dirs);
  return status;
}
