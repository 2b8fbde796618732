/* test-zone-dialog.c — Edit Zone changes only what the user changed
 *
 * A zone with every setting of its own (host, port, user, agent path,
 * timeout, WireGuard endpoint, known_hosts): Edit Zone shows each, Save
 * with nothing changed and Cancel after changes leave the zone list byte
 * for byte as it was; a WireGuard endpoint or peer key that is wrong is
 * refused with a message saying what is wrong. No gateway is needed: none
 * is asked anything unless a host setting changed.
 *
 * Add Zone with the proxmox driver: its fields shown only for it, each
 * checked with a message naming what is wrong (URL, node, pool, token ID
 * and secret). With the vault (run-with-keyring.sh, AIR_VAULT_PROGRAM)
 * and QAIR_PROGRAM, /air/zone-dialog/vault/proxmox-add adds a zone served by
 * pve-test-server.py end to end: the certificate key shown is the one
 * openssl computes, nothing is saved before it is trusted, the token
 * reaches the vault (qair ls through the gateway is let in by the stand-in
 * server) and is in no file of the test's directories; and
 * /air/zone-dialog/vault/wireguard-add adds a WireGuard zone whose key
 * pair the vault makes, no private key in the gateway's files.
 *
 * The WireGuard fields of Add Zone, on the proxmox and the ssh page: a bad
 * endpoint (no port, no host, too long) or peer key (not 44 characters of
 * base64 of 32 bytes, or without an endpoint) is refused with a message
 * naming the field, and Add adds nothing. With the vault,
 * /air/zone-dialog/vault/proxmox-wireguard-add adds a proxmox zone with its
 * tunnel (the gateway's wg-quick file with the endpoint and peer key, the
 * Proxmox host's half and what to run shown), proxmox-add checks that no
 * endpoint means no tunnel, and ssh-wireguard-no-host adds an ssh zone
 * reached only through its tunnel, as “qair zone add --wireguard” does.
 *
 * AIR_TEST_SCREENSHOT=FILE saves the Edit Zone dialog as shown (import),
 * AIR_TEST_SCREENSHOT_PROXMOX=FILE Add Zone with its proxmox fields,
 * AIR_TEST_SCREENSHOT_PROXMOX_WIREGUARD=FILE with the tunnel's fields too,
 * AIR_TEST_SCREENSHOT_PROXMOX_TUNNEL=FILE the Proxmox host's half shown.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>
#include <sys/wait.h>

#include "air-application.h"
#include "air-resources.h"
#include "air-session.h"
#include "air-test-utils.h"
#include "air-wireguard-key.h"
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
enum { NAME, GATEWAY, HOST, USER, AGENT_PATH, WIREGUARD, PEER, URL, NODE, POOL, STORAGE, TOKEN_ID };
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
screenshot (const char *variable)
{
  const char *import[] = { "import", "-window", "root", g_getenv (variable), NULL };

  if (g_getenv (variable) == NULL)
    return;
  /* The main loop's extra turns under Xvfb, with no window manager, can
   * bring GTK 4.8's "did not receive a focus-out event" warning: not
   * fatal while a screenshot is taken (never in the test suite's runs). */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  spin_main_loop (500);
  g_spawn_sync (NULL, (char **) import, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
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

  screenshot ("AIR_TEST_SCREENSHOT");
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


/* ---- proxmox ---- */

#define TOKEN_ID_TEXT "qubes@pve!air"

static void
set_secret (AirZoneDialog *dialog,
            const char    *text)
{
  gtk_editable_set_text (GTK_EDITABLE (field (GTK_WIDGET (dialog), GTK_TYPE_PASSWORD_ENTRY, 0)), text);
}

static AirZoneDialog *
open_add_proxmox (const char *name)
{
  AirZoneDialog *dialog = air_zone_dialog_new (NULL, session, NULL);

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  air_test_wait_until (is_mapped, dialog, 10, "Add Zone to be shown");
  g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  air_zone_dialog_set_fields (dialog, name, "", "proxmox");
  return dialog;
}

/* The message is an error naming @part, and Add is off. */
static void
assert_refused (AirZoneDialog *dialog,
                const char    *part)
{
  GtkLabel *message = message_label (dialog);

  g_test_message ("refused: %s", gtk_label_get_text (message));
  g_assert_false (can_save (dialog));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (message), "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (message), part));
}

static void
test_proxmox_checked (void)
{
  AirZoneDialog *dialog = open_add_proxmox ("lab");
  GtkLabel *message = message_label (dialog);

  /* Only the proxmox driver's fields. */
  g_assert_true (gtk_widget_get_visible (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, URL)));
  g_assert_true (gtk_widget_get_visible (field (GTK_WIDGET (dialog), GTK_TYPE_PASSWORD_ENTRY, 0)));
  g_assert_false (gtk_widget_get_visible (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, HOST)));
  g_assert_false (can_save (dialog));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (message), "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (message), "https://"));

  set_entry (dialog, URL, "http://pve.example.org:8006");
  assert_refused (dialog, "https://HOST");
  set_entry (dialog, URL, "https://pve.example.org:8006/api2/json?x=1");
  assert_refused (dialog, "https://HOST");
  set_entry (dialog, URL, "https://pve.example.org:8006");
  g_assert_false (can_save (dialog));
  g_assert_nonnull (strstr (gtk_label_get_text (message), "node"));
  set_entry (dialog, NODE, "pve 1;x");
  assert_refused (dialog, "Proxmox node");
  set_entry (dialog, NODE, "pve1");
  set_entry (dialog, POOL, "-qubes");
  assert_refused (dialog, "Proxmox pool");
  set_entry (dialog, POOL, "qubes");

  /* A new zone needs its token, in its two parts. */
  g_assert_false (can_save (dialog));
  g_assert_nonnull (strstr (gtk_label_get_text (message), "USER@REALM!TOKENID"));
  set_entry (dialog, TOKEN_ID, "root");
  assert_refused (dialog, "USER@REALM!TOKENID");
  set_entry (dialog, TOKEN_ID, "root@pam!qubes=secret");
  assert_refused (dialog, "USER@REALM!TOKENID");
  set_entry (dialog, TOKEN_ID, TOKEN_ID_TEXT);
  assert_refused (dialog, "secret");
  set_secret (dialog, "two words");
  assert_refused (dialog, "no spaces");
  set_secret (dialog, "0b9a6d2e-1f7c-4f53-9a6e-5c1d2f3a4b5c");
  g_test_message ("valid: %s", gtk_label_get_text (message));
  g_assert_true (can_save (dialog));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (message), "error"));
  screenshot ("AIR_TEST_SCREENSHOT_PROXMOX");

  /* Back to ssh: the proxmox fields go, nothing of them is checked. */
  air_zone_dialog_set_fields (dialog, "lab", "", "ssh");
  g_assert_false (gtk_widget_get_visible (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, URL)));
  g_assert_false (gtk_widget_get_visible (field (GTK_WIDGET (dialog), GTK_TYPE_PASSWORD_ENTRY, 0)));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Edit Zone of a proxmox zone: the gateway keeps the server's settings,
 * so the fields start empty ("unchanged"); Save with nothing typed asks
 * nothing and writes nothing; a pool alone is not enough to tell the
 * gateway. */
static void
test_proxmox_edit (void)
{
  g_autofree char *before = registry_bytes ();
  g_autofree char *after = NULL;
  AirZoneDialog *dialog = air_zone_dialog_new (NULL, session, air_session_lookup_zone (session, "pvez"));
  GtkEntry *url;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  air_test_wait_until (is_mapped, dialog, 10, "Edit Zone to be shown");
  url = GTK_ENTRY (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, URL));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (url)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (url)), ==, "");
  g_assert_cmpstr (gtk_entry_get_placeholder_text (url), ==, "unchanged");
  g_assert_true (can_save (dialog));

  set_entry (dialog, POOL, "other");
  g_assert_false (can_save (dialog));
  g_assert_nonnull (strstr (gtk_label_get_text (message_label (dialog)), "URL and node"));
  set_entry (dialog, POOL, "");
  g_assert_true (can_save (dialog));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  air_test_wait_until (is_gone, &dialog, 5, "Save to close Edit Zone");
  after = registry_bytes ();
  g_assert_cmpstr (after, ==, before);
}

/* Endpoints and peer keys a user might paste wrongly. */
static const char * const bad_endpoints[] = {
  "host:notaport", ":51820", "203.0.113.7", "203.0.113.7:0", "203.0.113.7:65536", "pve host:51820", NULL,
};
static const char * const bad_peer_keys[] = {
  "not a key",
  "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg",         /* 43: one short */
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",        /* 44, but 33 bytes */
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",        /* 44, but 31 bytes */
  NULL,
};

/* Add (as the button would, were it on) adds nothing: no zone, the list
 * byte for byte as it was. */
static void
assert_add_adds_nothing (AirZoneDialog *dialog,
                         const char    *name,
                         const char    *before)
{
  g_autofree char *after = NULL;

  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  spin_main_loop (100);
  g_assert_null (air_session_lookup_zone (session, name));
  after = registry_bytes ();
  g_assert_cmpstr (after, ==, before);
}

/* Each bad endpoint and peer key in turn refused, naming the field. */
static void
assert_wireguard_refused (AirZoneDialog *dialog,
                          const char    *name,
                          const char    *before)
{
  /* 261 characters: cut at 260 it would pass as port 5182. */
  g_autofree char *long_host = g_strnfill (255, 'a');
  g_autofree char *long_endpoint = g_strdup_printf ("%s:51820", long_host);

  for (guint i = 0; bad_endpoints[i] != NULL; i++)
    {
      set_entry (dialog, WIREGUARD, bad_endpoints[i]);
      assert_refused (dialog, "WireGuard endpoint");
      assert_add_adds_nothing (dialog, name, before);
    }
  set_entry (dialog, WIREGUARD, long_endpoint);
  assert_refused (dialog, "WireGuard endpoint");
  g_assert_cmpstr (entry_text (dialog, WIREGUARD), ==, long_endpoint);
  /* Shown shortened, not 300 characters of it. */
  g_assert_cmpuint (strlen (gtk_label_get_text (message_label (dialog))), <, 200);
  assert_add_adds_nothing (dialog, name, before);

  set_entry (dialog, WIREGUARD, ENDPOINT);
  for (guint i = 0; bad_peer_keys[i] != NULL; i++)
    {
      set_entry (dialog, PEER, bad_peer_keys[i]);
      assert_refused (dialog, "WireGuard peer key");
      assert_refused (dialog, "44 characters");
      assert_add_adds_nothing (dialog, name, before);
    }

  /* A peer key needs the endpoint. */
  set_entry (dialog, WIREGUARD, "");
  set_entry (dialog, PEER, PEER_KEY);
  assert_refused (dialog, "WireGuard endpoint (HOST:PORT)");
  assert_add_adds_nothing (dialog, name, before);
}

/* The proxmox page's WireGuard fields: shown, each checked, and with both
 * right (or both empty) Add is on and says what comes next. */
static void
test_proxmox_wireguard_checked (void)
{
  g_autofree char *before = registry_bytes ();
  AirZoneDialog *dialog = open_add_proxmox ("labwg");
  GtkLabel *message = message_label (dialog);

  g_assert_true (gtk_widget_get_visible (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, WIREGUARD)));
  g_assert_true (gtk_widget_get_visible (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, PEER)));
  set_entry (dialog, URL, "https://pve.example.org:8006");
  set_entry (dialog, NODE, "pve1");
  set_entry (dialog, TOKEN_ID, TOKEN_ID_TEXT);
  set_secret (dialog, "0b9a6d2e-1f7c-4f53-9a6e-5c1d2f3a4b5c");
  g_assert_true (can_save (dialog));

  assert_wireguard_refused (dialog, "labwg", before);

  /* Both right: the tunnel comes next, not the certificate. */
  set_entry (dialog, WIREGUARD, ENDPOINT);
  g_test_message ("with a tunnel: %s", gtk_label_get_text (message));
  g_assert_true (can_save (dialog));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (message), "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (message), "tunnel"));
  screenshot ("AIR_TEST_SCREENSHOT_PROXMOX_WIREGUARD");
  set_entry (dialog, PEER, "");
  g_assert_true (can_save (dialog));

  /* Both empty: no tunnel, the certificate key as before. */
  set_entry (dialog, WIREGUARD, "");
  g_assert_true (can_save (dialog));
  g_assert_nonnull (strstr (gtk_label_get_text (message), "certificate key"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* The ssh page's WireGuard fields, with a host and without one (the host
 * then reached through the tunnel, as qair zone add --wireguard does): a
 * wrong endpoint or key is never dropped unseen. */
static void
test_ssh_wireguard_checked (void)
{
  g_autofree char *before = registry_bytes ();
  AirZoneDialog *dialog = air_zone_dialog_new (NULL, session, NULL);
  GtkLabel *message;

  gtk_window_present (GTK_WINDOW (dialog));
  air_zone_dialog_set_fields (dialog, "sshwg", "", "ssh");
  message = message_label (dialog);
  g_assert_true (gtk_widget_get_visible (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, WIREGUARD)));
  g_assert_true (gtk_widget_get_visible (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, PEER)));
  g_assert_false (gtk_widget_get_visible (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, URL)));

  set_entry (dialog, HOST, "198.51.100.4");
  g_assert_true (can_save (dialog));
  assert_wireguard_refused (dialog, "sshwg", before);

  set_entry (dialog, HOST, "");
  set_entry (dialog, PEER, "");
  assert_wireguard_refused (dialog, "sshwg", before);

  /* An endpoint alone is enough: the tunnel comes next. */
  set_entry (dialog, WIREGUARD, ENDPOINT);
  g_test_message ("tunnel only: %s", gtk_label_get_text (message));
  g_assert_true (can_save (dialog));
  g_assert_nonnull (strstr (gtk_label_get_text (message), "tunnel"));

  /* Nothing: only registered, as before. */
  set_entry (dialog, WIREGUARD, "");
  set_entry (dialog, PEER, "");
  g_assert_true (can_save (dialog));
  g_assert_nonnull (strstr (gtk_label_get_text (message), "qair zone add"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static char *
run_out (const char * const *argv,
         int                *status)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, status, &error);
  g_assert_no_error (error);
  return out;
}

/* Gone, or saying what went wrong. */
static gboolean
is_gone_or_failed (gpointer data)
{
  AirZoneDialog *dialog = *(gpointer *) data;

  return dialog == NULL || gtk_widget_has_css_class (GTK_WIDGET (message_label (dialog)), "error");
}

static gboolean
has_fingerprint (gpointer data)
{
  return air_zone_dialog_get_fingerprint (data) != NULL;
}

static gboolean
zone_saved (gpointer name)
{
  return air_session_lookup_zone (session, name) != NULL;
}

/* Whether grep finds @text in a file under @dir (FALSE: in none). */
static gboolean
dir_has (const char *dir,
         const char *text)
{
  const char *argv[] = { "grep", "-rqF", "--", text, dir, NULL };
  int status = -1;

  g_free (run_out (argv, &status));
  g_assert_cmpint (WEXITSTATUS (status), <=, 1);
  return WEXITSTATUS (status) == 0;
}

/* qair cred ls's line for @zone's credential of @kind, if any. */
static gboolean
has_credential (const char *zone,
                const char *kind)
{
  const char *argv[] = { g_getenv ("QAIR_PROGRAM"), "cred", "ls", NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  int status = -1;

  out = run_out (argv, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (lines[i], " \t", -1);
      gboolean zone_seen = FALSE, kind_seen = FALSE;

      for (guint j = 0; words[j] != NULL; j++)
        {
          zone_seen |= strcmp (words[j], zone) == 0;
          kind_seen |= strcmp (words[j], kind) == 0;
        }
      if (zone_seen && kind_seen)
        return TRUE;
    }
  return FALSE;
}

/* The caller holds a reference: a dialog that closed instead of showing
 * it fails the wait, not in freed memory. */
static gboolean
host_half_visible (gpointer dialog)
{
  GtkWidget *box = gtk_widget_get_parent (field (dialog, GTK_TYPE_CHECK_BUTTON, 0));

  return gtk_widget_get_visible (box);
}

/* The tunnel's other half shown, with what to run: @needles in the text
 * above it; returns the gateway's public key from the [Peer] shown. */
static char *
assert_host_half_shown (AirZoneDialog       *dialog,
                        const char * const  *needles)
{
  GtkWidget *box = gtk_widget_get_parent (field (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON, 0));
  GtkLabel *text = GTK_LABEL (field (box, GTK_TYPE_LABEL, 0));
  GtkLabel *half = GTK_LABEL (field (box, GTK_TYPE_LABEL, 1));
  const char *shown = gtk_label_get_text (half);
  const char *key;

  g_test_message ("%s\n%s", gtk_label_get_text (text), shown);
  g_assert_true (gtk_widget_get_visible (box));
  g_assert_false (gtk_widget_get_visible (field (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON, 0)));
  g_assert_true (gtk_label_get_selectable (half));
  for (guint i = 0; needles[i] != NULL; i++)
    if (strstr (gtk_label_get_text (text), needles[i]) == NULL)
      g_error ("“%s” not in: %s", needles[i], gtk_label_get_text (text));
  g_assert_null (strstr (gtk_label_get_text (text), "Edit Zone again"));
  /* Each line of the file whole, the key never broken in two. */
  {
    guint lines = 1;

    for (const char *p = shown; *p != '\0'; p++)
      lines += *p == '\n';
    g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (half)), ==, lines);
  }
  /* Saved: the button that closes the dialog no longer says Cancel. */
  {
    GtkWidget *close = gtk_window_get_titlebar (GTK_WINDOW (dialog));

    close = field (close, GTK_TYPE_BUTTON, 0);
    g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (close)), ==, "_Close");
  }
  /* … and its form, which saves nothing any more, is not editable. */
  g_assert_false (gtk_widget_is_sensitive (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, 0)));
  g_assert_false (gtk_widget_is_sensitive (field (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, 1)));
  /* The host's own key was given: only the gateway's [Peer] for it. */
  g_assert_nonnull (strstr (shown, "[Peer]"));
  g_assert_null (strstr (shown, "PrivateKey"));
  key = strstr (shown, "PublicKey = ");
  g_assert_nonnull (key);
  key += strlen ("PublicKey = ");
  g_assert_cmpuint (strcspn (key, "\n"), ==, 44);
  g_assert_false (can_save (dialog));
  return g_strndup (key, 44);
}

static void
test_proxmox_add (void)
{
  const char *root = g_getenv ("AIR_TEST_ROOT");
  const char *qair = g_getenv ("QAIR_PROGRAM");
  g_autofree char *pve = NULL;
  g_autofree char *script = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *port_file = NULL;
  g_autofree char *state = NULL;
  g_autofree char *port = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *compute = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = g_uuid_string_random ();
  g_autofree char *token = g_strdup_printf (TOKEN_ID_TEXT "=%s\n", secret);
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  AirZoneDialog *dialog;
  AirZone *zone;
  int status = -1;

  if (root == NULL || qair == NULL || g_getenv ("AIR_VAULT_PROGRAM") == NULL)
    {
      g_test_skip ("needs the vault: run under run-with-keyring.sh with AIR_VAULT_PROGRAM and QAIR_PROGRAM");
      return;
    }

  /* The stand-in server, its certificate made here. */
  pve = g_build_filename (root, "pve-secret", NULL);
  g_assert_cmpint (g_mkdir_with_parents (pve, 0700), ==, 0);
  cert = g_build_filename (pve, "cert.pem", NULL);
  key = g_build_filename (pve, "cert.key", NULL);
  token_file = g_build_filename (pve, "token", NULL);
  port_file = g_build_filename (pve, "port", NULL);
  state = g_build_filename (pve, "vms", NULL);
  g_assert_true (g_file_set_contents (token_file, token, -1, &error));
  {
    const char *argv[] = {
      "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
      "-nodes", "-days", "2", "-subj", "/CN=pve1", "-keyout", key, "-out", cert, NULL,
    };
    g_free (run_out (argv, &status));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  compute = g_strdup_printf ("openssl x509 -in '%s' -pubkey -noout | openssl pkey -pubin -outform der | "
                             "openssl dgst -sha256 -binary | base64 | tr -d '=\\n'", cert);
  {
    const char *argv[] = { "sh", "-c", compute, NULL };
    g_autofree char *b64 = run_out (argv, &status);

    expected = g_strdup_printf ("SHA256:%s", b64);
  }
  script = g_test_build_filename (G_TEST_DIST, "proxmox", "pve-test-server.py", NULL);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                             "python3", script, "--cert", cert, "--key", key, "--token-file", token_file,
                             "--port-file", port_file, "--state", state, NULL);
  g_assert_no_error (error);
  while (!g_file_get_contents (port_file, &port, NULL, NULL) || port[0] == '\0')
    {
      g_clear_pointer (&port, g_free);
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_usleep (20 * 1000);
    }
  url = g_strdup_printf ("https://127.0.0.1:%s", g_strstrip (port));

  dialog = open_add_proxmox ("lab");
  set_entry (dialog, URL, url);
  set_entry (dialog, NODE, "pve1");
  set_entry (dialog, TOKEN_ID, TOKEN_ID_TEXT);
  set_secret (dialog, secret);
  g_assert_true (can_save (dialog));

  /* First the certificate key, for the user to compare. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  air_test_wait_until (has_fingerprint, dialog, 30, "the server's certificate key to be shown");
  g_assert_cmpstr (air_zone_dialog_get_fingerprint (dialog), ==, expected);
  g_assert_false (can_save (dialog));
  g_assert_null (air_session_lookup_zone (session, "lab"));
  screenshot ("AIR_TEST_SCREENSHOT_PROXMOX_KEY");

  /* Trusted: pinned, the token to the vault, the zone saved. */
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  air_zone_dialog_set_trusted (dialog, TRUE);
  g_assert_true (can_save (dialog));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  air_test_wait_until (is_gone_or_failed, &dialog, 30, "Trust and Add to close Add Zone");
  if (dialog != NULL)
    g_error ("Trust and Add failed: %s", gtk_label_get_text (message_label (dialog)));
  zone = air_session_lookup_zone (session, "lab");
  g_assert_nonnull (zone);
  g_assert_cmpstr (air_zone_get_driver (zone), ==, "proxmox");
  g_assert_cmpstr (air_zone_get_gateway (zone), ==, "sys-remote-lab");

  /* The gateway uses the token from the vault: the server lets it in. */
  {
    const char *argv[] = { qair, "ls", "--zone", "lab", NULL };

    out = run_out (argv, &status);
    g_test_message ("qair ls --zone lab: %s", out);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  {
    const char *argv[] = { qair, "cred", "ls", NULL };
    g_autofree char *creds = run_out (argv, &status);

    g_assert_nonnull (strstr (creds, "lab"));
    g_assert_nonnull (strstr (creds, "api-token"));
  }

  /* The token is in no file but the server's own. */
  {
    g_autofree char *exclude = g_strdup_printf ("--exclude-dir=%s", "pve-secret");
    const char *argv[] = { "grep", "-rqF", secret, root, exclude, NULL };

    g_free (run_out (argv, &status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  }
  {
    g_autofree char *zones = registry_bytes ();

    g_assert_null (strstr (zones, secret));
  }

  /* No endpoint, no tunnel: no key pair in the vault, no wg-quick file. */
  {
    g_autofree char *gateway_dir = g_build_filename (g_getenv ("AIR_LOOPBACK_DIR"), "sys-remote-lab", NULL);

    g_assert_false (has_credential ("lab", "wireguard-key"));
    g_assert_true (dir_has (gateway_dir, url));
    g_assert_false (dir_has (gateway_dir, "\"tunnel\""));
    g_assert_false (dir_has (gateway_dir, "[Peer]"));
  }

  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
}

/* Add Zone, proxmox, with a WireGuard endpoint and the Proxmox host's
 * key: the gateway's key pair made in the vault, the gateway told the
 * server and the tunnel (its wg-quick file with the endpoint and the peer
 * key, no private key), the token in the vault, the zone saved, and the
 * Proxmox host's half shown with what to run there and here. Nothing is
 * asked of the server: it is reachable only once the tunnel is up. */
static void
test_proxmox_wireguard_add (void)
{
  const char *loopback = g_getenv ("AIR_LOOPBACK_DIR");
  const char * const needles[] = {
    "/etc/wireguard/air-labwg.conf", "systemctl enable --now wg-quick@air-labwg", "qair zone up labwg",
    "qair zone trust labwg", "certificate", NULL,
  };
  g_autofree char *gateway_dir = NULL;
  g_autofree char *gateway_key = NULL;
  AirZoneDialog *dialog;
  AirZone *zone;

  if (g_getenv ("QAIR_PROGRAM") == NULL || g_getenv ("AIR_VAULT_PROGRAM") == NULL || loopback == NULL)
    {
      g_test_skip ("needs the vault: run under run-with-keyring.sh with AIR_VAULT_PROGRAM and QAIR_PROGRAM");
      return;
    }

  dialog = open_add_proxmox ("labwg");
  set_entry (dialog, URL, "https://pve.example.org:8006");
  set_entry (dialog, NODE, "pve1");
  set_entry (dialog, POOL, "qubes");
  set_entry (dialog, TOKEN_ID, TOKEN_ID_TEXT);
  set_secret (dialog, "0b9a6d2e-1f7c-4f53-9a6e-5c1d2f3a4b5c");
  set_entry (dialog, WIREGUARD, ENDPOINT);
  set_entry (dialog, PEER, PEER_KEY);
  g_assert_true (can_save (dialog));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  air_test_wait_until (zone_saved, (gpointer) "labwg", 30, "the proxmox zone with its tunnel to be saved");
  g_object_ref (dialog);
  air_test_wait_until (host_half_visible, dialog, 30, "the host's half of the tunnel to be shown");
  g_test_message ("%s", gtk_label_get_text (message_label (dialog)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (message_label (dialog)), "error"));
  g_assert_null (air_zone_dialog_get_fingerprint (dialog));

  zone = air_session_lookup_zone (session, "labwg");
  g_assert_cmpstr (air_zone_get_driver (zone), ==, "proxmox");
  g_assert_cmpstr (air_zone_get_gateway (zone), ==, "sys-remote-labwg");
  /* A proxmox zone's settings are its gateway's, none in the list. */
  g_assert_null (air_zone_registry_get_ssh_config (air_session_get_registry (session), "labwg"));
  gateway_key = assert_host_half_shown (dialog, needles);
  screenshot ("AIR_TEST_SCREENSHOT_PROXMOX_TUNNEL");

  g_assert_true (has_credential ("labwg", "wireguard-key"));
  g_assert_true (has_credential ("labwg", "api-token"));

  gateway_dir = g_build_filename (loopback, "sys-remote-labwg", NULL);
  g_assert_true (g_file_test (gateway_dir, G_FILE_TEST_IS_DIR));
  g_assert_true (dir_has (gateway_dir, "Endpoint = " ENDPOINT));
  g_assert_true (dir_has (gateway_dir, "PublicKey = " PEER_KEY));
  g_assert_true (dir_has (gateway_dir, gateway_key));
  g_assert_true (dir_has (gateway_dir, "https://pve.example.org:8006"));
  g_assert_true (dir_has (gateway_dir, "\"tunnel\""));
  g_assert_false (dir_has (gateway_dir, "PrivateKey"));
  g_assert_false (dir_has (gateway_dir, "0b9a6d2e-1f7c-4f53-9a6e-5c1d2f3a4b5c"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

/* Add Zone, ssh, a WireGuard endpoint and no host: the host is the
 * tunnel's far end (its tunnel address, as qair zone add --wireguard
 * makes it), the zone saved with its endpoint and the host's half shown;
 * before, the endpoint was dropped and the zone saved with no host. */
static void
test_ssh_wireguard_no_host (void)
{
  const char *loopback = g_getenv ("AIR_LOOPBACK_DIR");
  const char * const needles[] = {
    "/etc/wireguard/air-wgn.conf", "wg-quick up air-wgn", "qair zone up wgn", "qair zone trust wgn", NULL,
  };
  g_autofree char *gateway_dir = NULL;
  g_autofree char *gateway_key = NULL;
  g_autofree char *tunnel_host = NULL;
  const AirSshConfig *config;
  AirZoneDialog *dialog;

  if (g_getenv ("QAIR_PROGRAM") == NULL || g_getenv ("AIR_VAULT_PROGRAM") == NULL || loopback == NULL)
    {
      g_test_skip ("needs the vault: run under run-with-keyring.sh with AIR_VAULT_PROGRAM and QAIR_PROGRAM");
      return;
    }

  dialog = air_zone_dialog_new (NULL, session, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  air_zone_dialog_set_fields (dialog, "wgn", "", "ssh");
  set_entry (dialog, WIREGUARD, ENDPOINT);
  set_entry (dialog, PEER, PEER_KEY);
  g_assert_true (can_save (dialog));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  air_test_wait_until (zone_saved, (gpointer) "wgn", 30, "the WireGuard zone to be configured and saved");
  g_object_ref (dialog);
  air_test_wait_until (host_half_visible, dialog, 30, "the host's half of the tunnel to be shown");

  air_wireguard_addresses ("wgn", NULL, &tunnel_host);
  config = air_zone_registry_get_ssh_config (air_session_get_registry (session), "wgn");
  g_assert_nonnull (config);
  g_assert_cmpstr (config->host, ==, tunnel_host);
  g_assert_cmpstr (config->wireguard, ==, ENDPOINT);
  gateway_key = assert_host_half_shown (dialog, needles);
  g_assert_true (has_credential ("wgn", "wireguard-key"));

  gateway_dir = g_build_filename (loopback, "sys-remote-wgn", NULL);
  g_assert_true (dir_has (gateway_dir, "Endpoint = " ENDPOINT));
  g_assert_true (dir_has (gateway_dir, "PublicKey = " PEER_KEY));
  g_assert_true (dir_has (gateway_dir, gateway_key));
  g_assert_true (dir_has (gateway_dir, tunnel_host));
  g_assert_false (dir_has (gateway_dir, "PrivateKey"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

/* Add Zone with a WireGuard endpoint: the vault makes the gateway's key
 * pair (the gateway refuses a tunnel without the vault's public key), the
 * gateway's files hold no private key, and the host's half is shown. */
static void
test_wireguard_add (void)
{
  const char *qair = g_getenv ("QAIR_PROGRAM");
  const char *loopback = g_getenv ("AIR_LOOPBACK_DIR");
  g_autofree char *creds = NULL;
  g_autofree char *dir = NULL;
  AirZoneDialog *dialog;
  int status = -1;

  if (qair == NULL || g_getenv ("AIR_VAULT_PROGRAM") == NULL || loopback == NULL)
    {
      g_test_skip ("needs the vault: run under run-with-keyring.sh with AIR_VAULT_PROGRAM and QAIR_PROGRAM");
      return;
    }

  dialog = air_zone_dialog_new (NULL, session, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  air_zone_dialog_set_fields (dialog, "wgz", "", "ssh");
  set_entry (dialog, HOST, "127.0.0.1");
  set_entry (dialog, WIREGUARD, ENDPOINT);
  set_entry (dialog, PEER, PEER_KEY);
  g_assert_true (can_save (dialog));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  air_test_wait_until (zone_saved, (gpointer) "wgz", 30, "the WireGuard zone to be configured and saved");
  g_object_ref (dialog);
  air_test_wait_until (host_half_visible, dialog, 30, "the host's half of the tunnel to be shown");
  g_test_message ("%s", gtk_label_get_text (message_label (dialog)));
  {
    const char * const needles[] = { "wg-quick up air-wgz", "qair zone up wgz", "qair zone trust wgz", NULL };
    g_autofree char *gateway_key = assert_host_half_shown (dialog, needles);
    const AirSshConfig *config = air_zone_registry_get_ssh_config (air_session_get_registry (session), "wgz");

    g_assert_nonnull (config);
    g_assert_cmpstr (config->host, ==, "127.0.0.1");
    g_assert_cmpstr (config->wireguard, ==, ENDPOINT);
  }

  {
    const char *argv[] = { qair, "cred", "ls", NULL };

    creds = run_out (argv, &status);
    g_test_message ("qair cred ls: %s", creds);
    g_assert_nonnull (strstr (creds, "wireguard-key"));
  }
  {
    const char *argv[] = { "grep", "-rqi", "PrivateKey", NULL, NULL };

    dir = g_build_filename (loopback, "sys-remote-wgz", NULL);
    g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
    argv[3] = dir;
    g_free (run_out (argv, &status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  }
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
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

  /* A proxmox zone (the registry itself: its settings are the gateway's). */
  {
    g_autoptr(AirZone) pvez = air_zone_new ("pvez", "sys-remote-pvez", "proxmox");

    g_assert_true (air_zone_registry_add (registry, pvez, &error));
    g_assert_true (air_zone_registry_save (registry, &error));
    g_assert_no_error (error);
  }

  g_test_add_func ("/air/zone-dialog/edit/shows-every-setting", test_edit_shows_every_setting);
  g_test_add_func ("/air/zone-dialog/edit/save-unchanged", test_edit_save_unchanged);
  g_test_add_func ("/air/zone-dialog/edit/cancel", test_edit_cancel);
  g_test_add_func ("/air/zone-dialog/edit/wireguard-checked", test_edit_wireguard_checked);
  g_test_add_func ("/air/zone-dialog/proxmox/checked", test_proxmox_checked);
  g_test_add_func ("/air/zone-dialog/proxmox/edit", test_proxmox_edit);
  g_test_add_func ("/air/zone-dialog/proxmox/wireguard-checked", test_proxmox_wireguard_checked);
  g_test_add_func ("/air/zone-dialog/ssh/wireguard-checked", test_ssh_wireguard_checked);
  g_test_add_func ("/air/zone-dialog/vault/proxmox-add", test_proxmox_add);
  g_test_add_func ("/air/zone-dialog/vault/proxmox-wireguard-add", test_proxmox_wireguard_add);
  g_test_add_func ("/air/zone-dialog/vault/wireguard-add", test_wireguard_add);
  g_test_add_func ("/air/zone-dialog/vault/ssh-wireguard-no-host", test_ssh_wireguard_no_host);

  status = g_test_run ();

  g_clear_object (&session);
  air_test_remove_dirs (dirs);
  return status;
}
