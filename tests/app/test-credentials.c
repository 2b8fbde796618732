/* test-credentials.c — the credentials page against the real vault
 *
 * qubes-air-vault (AIR_VAULT_PROGRAM, loopback transport) keeps the
 * credentials in the gnome-keyring-daemon that run-with-keyring.sh starts
 * unlocked. The test opens the page through the window's GAction, stores a
 * credential through the page's and the dialog's actions, sees it listed
 * with its kind and label, checks that no text anywhere in the application
 * holds the secret, and deletes it after confirming.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <libsecret/secret.h>
#include <string.h>

#include "air-credential-dialog.h"
#include "air-credentials-page.h"
#include "air-session.h"
#include "air-test-utils.h"
#include "air-vault-client.h"
#include "air-window.h"

#define WAIT_SECONDS 60
#define SECRET "PVEAPIToken=root@pam!air=5e3c-SECRET-d41d8cd98f00"

typedef struct {
  AirSession         *session;
  AirWindow          *window;
  AirCredentialsPage *page;
} Fixture;

static gboolean
page_is_idle (gpointer user_data)
{
  Fixture *fixture = user_data;
  GListModel *jobs = air_session_get_jobs (fixture->session);

  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(AirJob) job = g_list_model_get_item (jobs, i);

      if (!air_job_is_finished (job))
        return FALSE;
    }
  return !air_zone_list_page_get_loading (AIR_ZONE_LIST_PAGE (fixture->page));
}

static void
wait_idle (Fixture *fixture)
{
  air_test_wait_until (page_is_idle, fixture, WAIT_SECONDS, "the vault calls to end");
}

static GtkWidget *
find_by_id (GtkWidget  *widget,
            const char *id)
{
  if (GTK_IS_BUILDABLE (widget) &&
      g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_id (child, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_of_type (GtkWidget *widget,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Every text a widget shows or tells assistive technologies, depth first. */
static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_label (GTK_LABEL (widget)));
  if (GTK_IS_EDITABLE (widget))
    g_string_append_printf (out, "%s\n", gtk_editable_get_text (GTK_EDITABLE (widget)));
  if (tooltip != NULL)
    g_string_append_printf (out, "%s\n", tooltip);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

static char *
all_text (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      collect_text (window, out);
    }
  return g_string_free (out, FALSE);
}

static char *
page_text (Fixture *fixture)
{
  GString *out = g_string_new (NULL);

  collect_text (GTK_WIDGET (fixture->page), out);
  return g_string_free (out, FALSE);
}

static const char *
page_state (Fixture *fixture)
{
  GtkWidget *stack = find_of_type (GTK_WIDGET (fixture->page), GTK_TYPE_STACK);

  g_assert_nonnull (stack);
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

/* The vault's own list, asked directly. */
typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Call;

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;

  call->result = g_object_ref (result);
  call->done = TRUE;
}

static gboolean
call_is_done (gpointer user_data)
{
  return ((Call *) user_data)->done;
}

static GPtrArray *
vault_list (void)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autoptr(GError) error = NULL;
  Call call = { 0 };
  GPtrArray *infos;

  air_vault_client_list_async (client, NULL, call_done_cb, &call);
  air_test_wait_until (call_is_done, &call, WAIT_SECONDS, "the vault's list");
  infos = air_vault_client_list_finish (client, call.result, &error);
  g_object_unref (call.result);
  g_assert_no_error (error);
  return infos;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->session = air_session_new (NULL);
  g_assert_true (air_session_load (fixture->session, &error));
  g_assert_no_error (error);
  fixture->window = air_window_new (NULL, fixture->session);
  g_object_ref_sink (fixture->window);
  gtk_window_present (GTK_WINDOW (fixture->window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-credentials", NULL));
  fixture->page = AIR_CREDENTIALS_PAGE (air_window_get_credentials_page (fixture->window));
  g_assert_nonnull (fixture->page);
  wait_idle (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  wait_idle (fixture);
  gtk_window_destroy (GTK_WINDOW (fixture->page));
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  air_session_shutdown (fixture->session);
  g_clear_object (&fixture->session);
}

static void
test_credentials_store_list_delete (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) infos = NULL;
  g_autofree char *text = NULL;
  GtkWindow *dialog;
  GtkWidget *secret_entry, *label_entry, *kind;

  g_assert_cmpstr (page_state (fixture), ==, "empty");
  g_assert_null (air_credentials_page_get_error (fixture->page));

  /* Store: page.add opens the dialog; the secret goes into a password entry. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "page.add", NULL));
  dialog = air_zone_list_page_get_dialog (AIR_ZONE_LIST_PAGE (fixture->page));
  g_assert_true (AIR_IS_CREDENTIAL_DIALOG (dialog));

  kind = find_by_id (GTK_WIDGET (dialog), "kind_dropdown");
  label_entry = find_by_id (GTK_WIDGET (dialog), "label_entry");
  secret_entry = find_by_id (GTK_WIDGET (dialog), "secret_entry");
  g_assert_true (GTK_IS_DROP_DOWN (kind));
  g_assert_true (GTK_IS_PASSWORD_ENTRY (secret_entry));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (kind), 0);
  g_assert_cmpstr (air_credential_kinds[0], ==, "api-token");

  /* Not before every field is there. */
  gtk_editable_set_text (GTK_EDITABLE (secret_entry), SECRET);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.store", NULL);
  g_assert_true (air_zone_list_page_get_dialog (AIR_ZONE_LIST_PAGE (fixture->page)) == dialog);

  gtk_editable_set_text (GTK_EDITABLE (label_entry), "home server token");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.store", NULL));
  g_assert_null (air_zone_list_page_get_dialog (AIR_ZONE_LIST_PAGE (fixture->page)));
  wait_idle (fixture);

  g_assert_null (air_credentials_page_get_error (fixture->page));
  g_assert_cmpstr (page_state (fixture), ==, "list");
  text = page_text (fixture);
  g_assert_nonnull (strstr (text, "home server token"));
  g_assert_nonnull (strstr (text, air_credential_kind_get_display_name ("api-token")));
  g_assert_nonnull (strstr (text, "sys-remote-local"));
  g_assert_nonnull (strstr (text, "Zone local"));
  g_clear_pointer (&text, g_free);

  /* Nothing the application shows holds the secret, or a part of it. */
  text = all_text ();
  g_assert_null (strstr (text, SECRET));
  g_assert_null (strstr (text, "5e3c-SECRET"));
  g_clear_pointer (&text, g_free);

  infos = vault_list ();
  g_assert_cmpuint (infos->len, ==, 1);
  g_assert_cmpstr (air_credential_info_get_zone (g_ptr_array_index (infos, 0)), ==, "local");
  g_assert_cmpstr (air_credential_info_get_kind (g_ptr_array_index (infos, 0)), ==, "api-token");
  g_clear_pointer (&infos, g_ptr_array_unref);

  /* Delete asks first; cancelling keeps it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "page.delete", "(ss)",
                                             "local", "api-token"));
  dialog = air_zone_list_page_get_dialog (AIR_ZONE_LIST_PAGE (fixture->page));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL));
  wait_idle (fixture);
  infos = vault_list ();
  g_assert_cmpuint (infos->len, ==, 1);
  g_clear_pointer (&infos, g_ptr_array_unref);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "page.delete", "(ss)",
                                             "local", "api-token"));
  dialog = air_zone_list_page_get_dialog (AIR_ZONE_LIST_PAGE (fixture->page));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.confirm", NULL));
  wait_idle (fixture);

  g_assert_null (air_credentials_page_get_error (fixture->page));
  g_assert_cmpstr (page_state (fixture), ==, "empty");
  infos = vault_list ();
  g_assert_cmpuint (infos->len, ==, 0);
}

/* A change the vault refuses (deleting what it does not have) is shown
 * across the top of the page. */
static void
test_credentials_vault_error (Fixture       *fixture,
                              gconstpointer  data)
{
  const char *error;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "page.delete", "(ss)",
                                             "local", "access-key"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (air_zone_list_page_get_dialog (AIR_ZONE_LIST_PAGE (fixture->page))),
                                             "dialog.confirm", NULL));
  wait_idle (fixture);

  /* Deleting what is not there is a failure the user sees. */
  error = air_credentials_page_get_error (fixture->page);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "could not delete"));
}

/* Stores through the dialog, as a user would. */
static void
store_through_dialog (Fixture    *fixture,
                      const char *label,
                      const char *secret)
{
  GtkWindow *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "page.add", NULL));
  dialog = air_zone_list_page_get_dialog (AIR_ZONE_LIST_PAGE (fixture->page));
  g_assert_true (AIR_IS_CREDENTIAL_DIALOG (dialog));
  gtk_editable_set_text (GTK_EDITABLE (find_by_id (GTK_WIDGET (dialog), "label_entry")), label);
  gtk_editable_set_text (GTK_EDITABLE (find_by_id (GTK_WIDGET (dialog), "secret_entry")), secret);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.store", NULL));
  wait_idle (fixture);
}

/* Run on its own (meson test "credentials-locked"): locks the keyring for
 * good. Storing then fails, and the page says the keyring is locked and
 * what to do, without the secret anywhere. */
static void
test_credentials_locked (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GList *collections;
  const char *shown;

  service = secret_service_get_sync (SECRET_SERVICE_LOAD_COLLECTIONS, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (collection);
  collections = g_list_append (NULL, collection);
  secret_service_lock_sync (service, collections, NULL, NULL, &error);
  g_list_free (collections);
  g_assert_no_error (error);

  store_through_dialog (fixture, "locked token", SECRET);

  shown = air_credentials_page_get_error (fixture->page);
  g_assert_nonnull (shown);
  g_assert_nonnull (strstr (shown, "could not store"));
  g_assert_nonnull (strstr (shown, "locked"));
  g_assert_nonnull (strstr (shown, "Unlock"));

  text = all_text ();
  g_assert_nonnull (strstr (text, "locked"));
  g_assert_null (strstr (text, "5e3c-SECRET"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dirs = air_test_isolate_dirs ("test-credentials");
  g_autofree char *loopback = g_build_filename (dirs, "loopback", NULL);
  g_autofree char *zones = NULL;

  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  g_setenv ("AIR_LOOPBACK_DIR", loopback, TRUE);
  g_setenv ("AIR_TRANSPORT", "loopback", TRUE);
  /* No zone list: the first start's "local" zone. */
  zones = g_build_filename (g_get_user_config_dir (), "qubes-air", "zones.json", NULL);
  g_setenv ("AIR_ZONES_FILE", zones, TRUE);

  g_test_add ("/air/credentials/store-list-delete", Fixture, NULL,
              fixture_set_up, test_credentials_store_list_delete, fixture_tear_down);
  g_test_add ("/air/credentials/vault-error", Fixture, NULL,
              fixture_set_up, test_credentials_vault_error, fixture_tear_down);

  g_test_add ("/air/credentials/locked", Fixture, NULL,
              fixture_set_up, test_credentials_locked, fixture_tear_down);

  return g_test_run ();
}
