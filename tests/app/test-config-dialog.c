/* test-config-dialog.c — Export Configuration… and Import Configuration…
 * in a private X server, against the real agent's loopback gateways: the
 * exported file opens with the identity (and only with it), an import
 * shows what it holds and changes nothing before Import is pressed, then
 * adds the zone with its host; a tampered file or a wrong passphrase
 * changes nothing. With the vault (run-with-keyring.sh, AIR_VAULT_PROGRAM),
 * /air/config-dialog/vault/…: an export with secrets asks first (closing
 * that writes nothing) and holds the vault's own age file, and an import
 * opens a file with an age identity the vault keeps and puts the secrets
 * back into the vault.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <gtk/gtk.h>
#include <glib/gstdio.h>
#include <string.h>

#include "air-age.h"
#include "air-config-bundle.h"
#include "air-application.h"
#include "air-config-dialog.h"
#include "air-job.h"
#include "air-resources.h"
#include "air-session.h"
#include "air-test-utils.h"
#include "air-vault-client.h"

#define SECRET "5e3c-TOKEN-SECRET"

typedef struct {
  char            *dir;
  AirZoneRegistry *registry;
  AirSession      *session;
  AirConfigDialog *dialog;
} Fixture;

static char *identity;
static char *recipient;

static gboolean
dialog_idle (gpointer user_data)
{
  return !air_config_dialog_is_busy (AIR_CONFIG_DIALOG (user_data));
}

static void
wait_dialog (Fixture *fixture)
{
  air_test_wait_until (dialog_idle, fixture->dialog, 60, "the dialog to finish");
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("air-config-XXXXXX", &error);
  g_assert_no_error (error);
  /* the user's zone list (AIR_ZONES_FILE from headless.sh), fresh */
  g_remove (g_getenv ("AIR_ZONES_FILE"));
  fixture->registry = air_zone_registry_new (NULL);
  g_assert_true (air_zone_registry_load (fixture->registry, &error));
  fixture->session = air_session_new (fixture->registry);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->dialog));
  g_clear_object (&fixture->dialog);
  air_session_shutdown (fixture->session);
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->registry);
  air_test_remove_dirs (fixture->dir);
  g_free (fixture->dir);
}

static AirConfigDialog *
open_dialog (Fixture *fixture, AirConfigDialogMode mode)
{
  if (fixture->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->dialog));
  g_clear_object (&fixture->dialog);
  fixture->dialog = g_object_ref_sink (air_config_dialog_new (NULL, fixture->session, mode));
  gtk_window_present (GTK_WINDOW (fixture->dialog));
  return fixture->dialog;
}

/* A widget of the dialog's template by its type and position. */
static GtkWidget *
find_nth (GtkWidget *widget, GType type, guint *n)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && (*n)-- == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_nth (child, type, n);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
nth (Fixture *fixture, GType type, guint n)
{
  GtkWidget *widget = find_nth (GTK_WIDGET (fixture->dialog), type, &n);

  g_assert_nonnull (widget);
  return widget;
}

static void
add_ssh_zone (Fixture *fixture, const char *name, const char *host, guint port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirZone) zone = air_zone_new (name, NULL, "ssh");
  g_autoptr(AirSshConfig) config = air_ssh_config_new (host);

  config->port = port;
  config->user = g_strdup ("qubes");
  g_assert_true (air_zone_registry_add (fixture->registry, zone, &error));
  g_assert_true (air_zone_registry_set_ssh_config (fixture->registry, name, config, &error));
  g_assert_no_error (error);
}

static GFile *
write_identity (Fixture *fixture, const char *key)
{
  g_autofree char *path = g_build_filename (fixture->dir, "identity.txt", NULL);
  g_autofree char *text = g_strdup_printf ("# test identity\n%s\n", key);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_file_new_for_path (path);
}

static GFile *
export_to_recipient (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->dir, "zones.age", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  open_dialog (fixture, AIR_CONFIG_DIALOG_EXPORT);
  gtk_editable_set_text (GTK_EDITABLE (nth (fixture, GTK_TYPE_ENTRY, 0)), recipient);
  air_config_dialog_export_to (fixture->dialog, file);
  wait_dialog (fixture);
  return g_steal_pointer (&file);
}

static void
test_export (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *other_id = NULL, *other_r = NULL;
  const char *ids[] = { identity, NULL };
  const char *others[] = { NULL, NULL };
  g_autofree char *text = NULL;

  add_ssh_zone (fixture, "lab", "127.0.0.9", 2222);
  file = export_to_recipient (fixture);
  g_assert_nonnull (strstr (air_config_dialog_get_message (fixture->dialog), "zones.age"));

  bytes = g_file_load_bytes (file, NULL, NULL, &error);
  g_assert_no_error (error);
  plain = air_age_decrypt (bytes, ids, NULL, &error);
  g_assert_no_error (error);
  text = g_strndup (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
  g_assert_nonnull (strstr (text, "\"host\":\"127.0.0.9\",\"port\":2222,\"user\":\"qubes\""));
  g_assert_nonnull (strstr (text, "qubes-air-config"));

  g_assert_true (air_age_keygen (&other_id, &other_r, NULL));
  others[0] = other_id;
  g_assert_null (air_age_decrypt (bytes, others, NULL, &error));
  g_assert_nonnull (error);
}

static void
test_export_refuses (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "never.age", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  open_dialog (fixture, AIR_CONFIG_DIALOG_EXPORT);
  gtk_editable_set_text (GTK_EDITABLE (nth (fixture, GTK_TYPE_ENTRY, 0)), "age1notarecipient");
  air_config_dialog_export_to (fixture->dialog, file);
  wait_dialog (fixture);
  g_assert_nonnull (strstr (air_config_dialog_get_message (fixture->dialog), "age1"));
  g_assert_false (g_file_query_exists (file, NULL));

  /* passphrases that differ */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (nth (fixture, GTK_TYPE_CHECK_BUTTON, 1)), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (nth (fixture, GTK_TYPE_PASSWORD_ENTRY, 0)), "one");
  gtk_editable_set_text (GTK_EDITABLE (nth (fixture, GTK_TYPE_PASSWORD_ENTRY, 1)), "two");
  air_config_dialog_export_to (fixture->dialog, file);
  wait_dialog (fixture);
  g_assert_nonnull (strstr (air_config_dialog_get_message (fixture->dialog), "differ"));
  g_assert_false (g_file_query_exists (file, NULL));
}

static void
test_import (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) id_file = NULL;
  const AirSshConfig *ssh;
  GListModel *jobs;
  g_autoptr(AirJob) job = NULL;

  add_ssh_zone (fixture, "lab", "127.0.0.9", 2222);
  file = export_to_recipient (fixture);
  g_assert_true (air_zone_registry_remove (fixture->registry, "lab", NULL));
  g_assert_null (air_zone_registry_lookup (fixture->registry, "lab"));

  open_dialog (fixture, AIR_CONFIG_DIALOG_IMPORT);
  id_file = write_identity (fixture, identity);
  air_config_dialog_open_file (fixture->dialog, file);
  air_config_dialog_set_identity (fixture->dialog, id_file);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->dialog), "dialog.go", NULL));
  wait_dialog (fixture);

  /* shown, not done */
  g_test_message ("summary: %s", air_config_dialog_get_summary (fixture->dialog));
  g_assert_nonnull (strstr (air_config_dialog_get_summary (fixture->dialog), "lab (ssh to qubes@127.0.0.9 port 2222"));
  g_assert_nonnull (strstr (air_config_dialog_get_summary (fixture->dialog), "will be added"));
  g_assert_nonnull (strstr (air_config_dialog_get_summary (fixture->dialog), "local"));
  g_assert_null (air_zone_registry_lookup (fixture->registry, "lab"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->dialog), "dialog.go", NULL));
  wait_dialog (fixture);
  g_test_message ("message: %s", air_config_dialog_get_message (fixture->dialog));
  g_assert_nonnull (strstr (air_config_dialog_get_message (fixture->dialog), "Imported 1 zone"));
  g_assert_nonnull (air_zone_registry_lookup (fixture->registry, "lab"));
  ssh = air_zone_registry_get_ssh_config (fixture->registry, "lab");
  g_assert_nonnull (ssh);
  g_assert_cmpstr (ssh->host, ==, "127.0.0.9");
  g_assert_cmpuint (ssh->port, ==, 2222);

  /* one job, finished well */
  jobs = air_session_get_jobs (fixture->session);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), >=, 1);
  job = g_list_model_get_item (jobs, g_list_model_get_n_items (jobs) - 1);
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_SUCCEEDED);

  /* and saved: a fresh read of the zone list has it */
  {
    g_autoptr(AirZoneRegistry) again = air_zone_registry_new (NULL);

    g_assert_true (air_zone_registry_load (again, NULL));
    g_assert_nonnull (air_zone_registry_lookup (again, "lab"));
  }
}

static void
test_import_refuses (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) id_file = NULL;
  g_autoptr(GFile) tampered = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree guint8 *copy = NULL;
  g_autofree char *tampered_path = g_build_filename (fixture->dir, "tampered.age", NULL);
  gsize len;

  add_ssh_zone (fixture, "lab", "127.0.0.9", 2222);
  file = export_to_recipient (fixture);
  g_assert_true (air_zone_registry_remove (fixture->registry, "lab", NULL));

  bytes = g_file_load_bytes (file, NULL, NULL, NULL);
  len = g_bytes_get_size (bytes);
  copy = g_memdup2 (g_bytes_get_data (bytes, NULL), len);
  copy[len - 5] ^= 1;
  g_assert_true (g_file_set_contents (tampered_path, (char *) copy, len, NULL));
  tampered = g_file_new_for_path (tampered_path);

  open_dialog (fixture, AIR_CONFIG_DIALOG_IMPORT);
  id_file = write_identity (fixture, identity);
  air_config_dialog_open_file (fixture->dialog, tampered);
  air_config_dialog_set_identity (fixture->dialog, id_file);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->dialog), "dialog.go", NULL));
  wait_dialog (fixture);
  g_assert_nonnull (strstr (air_config_dialog_get_message (fixture->dialog), "changed or cut short"));
  g_assert_null (air_zone_registry_lookup (fixture->registry, "lab"));

  /* a passphrase for a file made for an identity */
  air_config_dialog_open_file (fixture->dialog, file);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (nth (fixture, GTK_TYPE_CHECK_BUTTON, 1)), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (nth (fixture, GTK_TYPE_PASSWORD_ENTRY, 0)), "anything");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->dialog), "dialog.go", NULL));
  wait_dialog (fixture);
  g_assert_nonnull (strstr (air_config_dialog_get_message (fixture->dialog), "not encrypted to a passphrase"));
  g_assert_null (air_zone_registry_lookup (fixture->registry, "lab"));
}

/* With AIR_TEST_SHOTS=DIR, the window as drawn, to DIR/NAME.png, to look
 * at by eye. */
static void
shoot (GtkWidget *window, const char *name)
{
  const char *dir = g_getenv ("AIR_TEST_SHOTS");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  int width, height;

  if (dir == NULL)
    return;
  for (int i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* ---- with the vault ---- */

static gboolean
have_vault (void)
{
  if (g_getenv ("AIR_VAULT_PROGRAM") != NULL)
    return TRUE;
  g_test_skip ("needs the vault: run under run-with-keyring.sh with AIR_VAULT_PROGRAM");
  return FALSE;
}

static void
call_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
call_is_done (gpointer user_data)
{
  return *(GAsyncResult **) user_data != NULL;
}

static GAsyncResult *
wait_call (GAsyncResult **result)
{
  air_test_wait_until (call_is_done, result, 60, "the vault");
  return *result;
}

static void
vault_put (const char *zone)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AirCredentialInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  air_vault_client_put_async (client, zone, "api-token", "test", NULL, secret, NULL, call_done_cb, &result);
  info = air_vault_client_put_finish (client, wait_call (&result), &error);
  g_assert_no_error (error);
}

static guint
vault_count (const char *zone, const char *kind)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  air_vault_client_list_async (client, NULL, call_done_cb, &result);
  infos = air_vault_client_list_finish (client, wait_call (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < infos->len; i++)
    n += g_str_equal (air_credential_info_get_zone (infos->pdata[i]), zone) &&
         g_str_equal (air_credential_info_get_kind (infos->pdata[i]), kind);
  return n;
}

static void
vault_delete (const char *zone, const char *kind)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  air_vault_client_delete_async (client, zone, kind, NULL, call_done_cb, &result);
  g_assert_true (air_vault_client_delete_finish (client, wait_call (&result), NULL, &error));
  g_assert_no_error (error);
}

/* The recipient of a new age identity the vault keeps. */
static char *
vault_age_identity (const char *name)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *made;

  air_vault_client_generate_async (client, name, "age-identity", NULL, NULL, FALSE, NULL, call_done_cb, &result);
  made = air_vault_client_generate_key_finish (client, wait_call (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (made, "age1"));
  return made;
}

/* Whether a label under @widget says all of @needles. */
static gboolean
has_label (GtkWidget *widget, const char * const *needles)
{
  if (GTK_IS_LABEL (widget))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (widget));
      gboolean all = TRUE;

      for (guint i = 0; needles[i] != NULL; i++)
        all &= strstr (text, needles[i]) != NULL;
      if (all)
        return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (has_label (child, needles))
      return TRUE;
  return FALSE;
}

static GFile *
export_with_secrets (Fixture *fixture, const char *to)
{
  g_autofree char *path = g_build_filename (fixture->dir, "secrets.age", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWindow *confirm;

  open_dialog (fixture, AIR_CONFIG_DIALOG_EXPORT);
  gtk_editable_set_text (GTK_EDITABLE (nth (fixture, GTK_TYPE_ENTRY, 0)), to);
  /* off until the user turns it on */
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (nth (fixture, GTK_TYPE_SWITCH, 0))));
  gtk_switch_set_active (GTK_SWITCH (nth (fixture, GTK_TYPE_SWITCH, 0)), TRUE);
  shoot (GTK_WIDGET (fixture->dialog), "export");

  /* Asked first, naming the zones; closing that writes nothing. */
  air_config_dialog_export_to (fixture->dialog, file);
  confirm = air_config_dialog_get_confirm (fixture->dialog);
  g_assert_nonnull (confirm);
  {
    const char *needles[] = { "credentials and keys", "lab", "encrypted by the vault", "recipients", NULL };

    g_assert_true (has_label (GTK_WIDGET (confirm), needles));
  }
  shoot (GTK_WIDGET (confirm), "export-confirm");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (confirm), "window.close", NULL));
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (air_config_dialog_is_busy (fixture->dialog));
  g_assert_false (g_file_query_exists (file, NULL));

  air_config_dialog_export_to (fixture->dialog, file);
  confirm = air_config_dialog_get_confirm (fixture->dialog);
  g_assert_nonnull (confirm);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (confirm), "dialog.confirm", NULL));
  wait_dialog (fixture);
  g_test_message ("message: %s", air_config_dialog_get_message (fixture->dialog));
  g_assert_true (g_file_query_exists (file, NULL));
  g_assert_nonnull (strstr (air_config_dialog_get_message (fixture->dialog), "1 credential or key"));
  return g_steal_pointer (&file);
}

/* Export with secrets: confirmed first, the vault's credential in the
 * file — in the vault's own age file to the same recipient, never plain
 * text in the outer one. */
static void
test_export_secrets (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) secrets = NULL;
  g_autoptr(GBytes) inner = NULL;
  g_autoptr(GError) error = NULL;
  const char *ids[] = { identity, NULL };
  g_autofree char *encoded = g_base64_encode ((const guchar *) SECRET, strlen (SECRET));

  if (!have_vault ())
    return;
  add_ssh_zone (fixture, "lab", "127.0.0.9", 2222);
  vault_put ("lab");
  file = export_with_secrets (fixture, recipient);

  bytes = g_file_load_bytes (file, NULL, NULL, &error);
  g_assert_no_error (error);
  plain = air_age_decrypt (bytes, ids, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (g_strstr_len (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), SECRET));
  g_assert_null (g_strstr_len (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), encoded));
  secrets = air_config_bundle_dup_secrets (plain, &error);
  g_assert_no_error (error);
  g_assert_nonnull (secrets);
  inner = air_age_decrypt (secrets, ids, NULL, &error);
  g_assert_no_error (error);
  /* the vault's own file: the credential, as the vault writes it */
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (inner, NULL), g_bytes_get_size (inner), encoded));
}

/* The same to a passphrase: the vault encrypts its own file to it too. */
static void
test_export_secrets_passphrase (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "secrets-p.age", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *encoded = g_base64_encode ((const guchar *) SECRET, strlen (SECRET));
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) secrets = NULL;
  g_autoptr(GBytes) inner = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *confirm;

  if (!have_vault ())
    return;
  add_ssh_zone (fixture, "lab", "127.0.0.9", 2222);
  vault_put ("lab");
  open_dialog (fixture, AIR_CONFIG_DIALOG_EXPORT);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (nth (fixture, GTK_TYPE_CHECK_BUTTON, 1)), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (nth (fixture, GTK_TYPE_PASSWORD_ENTRY, 0)), "correct horse");
  gtk_editable_set_text (GTK_EDITABLE (nth (fixture, GTK_TYPE_PASSWORD_ENTRY, 1)), "correct horse");
  gtk_switch_set_active (GTK_SWITCH (nth (fixture, GTK_TYPE_SWITCH, 0)), TRUE);
  air_config_dialog_export_to (fixture->dialog, file);
  confirm = air_config_dialog_get_confirm (fixture->dialog);
  g_assert_nonnull (confirm);
  {
    const char *needles[] = { "lab", "passphrase", NULL };

    g_assert_true (has_label (GTK_WIDGET (confirm), needles));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (confirm), "dialog.confirm", NULL));
  wait_dialog (fixture);
  g_test_message ("message: %s", air_config_dialog_get_message (fixture->dialog));

  bytes = g_file_load_bytes (file, NULL, NULL, &error);
  g_assert_no_error (error);
  plain = air_age_decrypt (bytes, NULL, "correct horse", &error);
  g_assert_no_error (error);
  g_assert_null (g_strstr_len (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), encoded));
  secrets = air_config_bundle_dup_secrets (plain, &error);
  g_assert_no_error (error);
  g_assert_nonnull (secrets);
  g_assert_true (air_age_needs_passphrase (secrets));
  inner = air_age_decrypt (secrets, NULL, "correct horse", &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (inner, NULL), g_bytes_get_size (inner), encoded));
}

/* Import with an age identity the vault keeps (no identity file): the
 * vault opens the file, the zone is added, and its credential goes back
 * into the vault. */
static void
test_import_vault_identity (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *vault_recipient = NULL;
  g_autoptr(GFile) file = NULL;
  GtkDropDown *identities;
  GListModel *names;
  const char *summary;
  guint position = GTK_INVALID_LIST_POSITION;

  if (!have_vault ())
    return;
  vault_recipient = vault_age_identity ("backup");
  add_ssh_zone (fixture, "lab", "127.0.0.9", 2222);
  vault_put ("lab");
  file = export_with_secrets (fixture, vault_recipient);
  g_assert_true (air_zone_registry_remove (fixture->registry, "lab", NULL));
  vault_delete ("lab", "api-token");
  g_assert_cmpuint (vault_count ("lab", "api-token"), ==, 0);

  open_dialog (fixture, AIR_CONFIG_DIALOG_IMPORT);
  air_test_wait_until ((AirTestCondition) air_config_dialog_vault_listed, fixture->dialog, 60,
                       "the vault's age identities");
  identities = GTK_DROP_DOWN (nth (fixture, GTK_TYPE_DROP_DOWN, 1));
  names = gtk_drop_down_get_model (identities);
  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (names), i), "backup"))
      position = i;
  g_assert_cmpuint (position, !=, GTK_INVALID_LIST_POSITION);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (nth (fixture, GTK_TYPE_CHECK_BUTTON, 2)), TRUE);
  gtk_drop_down_set_selected (identities, position);
  shoot (GTK_WIDGET (fixture->dialog), "import");
  air_config_dialog_open_file (fixture->dialog, file);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->dialog), "dialog.go", NULL));
  wait_dialog (fixture);

  summary = air_config_dialog_get_summary (fixture->dialog);
  g_test_message ("message: %s\nsummary: %s", air_config_dialog_get_message (fixture->dialog), summary);
  g_assert_nonnull (strstr (summary, "lab (ssh to qubes@127.0.0.9 port 2222"));
  g_assert_nonnull (strstr (summary, "credentials and keys"));
  shoot (GTK_WIDGET (fixture->dialog), "import-review");
  g_assert_null (air_zone_registry_lookup (fixture->registry, "lab"));
  g_assert_cmpuint (vault_count ("lab", "api-token"), ==, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->dialog), "dialog.go", NULL));
  wait_dialog (fixture);
  g_test_message ("message: %s", air_config_dialog_get_message (fixture->dialog));
  g_assert_nonnull (strstr (air_config_dialog_get_message (fixture->dialog), "Imported 1 zone"));
  g_assert_nonnull (strstr (air_config_dialog_get_message (fixture->dialog), "The vault stored 1"));
  shoot (GTK_WIDGET (fixture->dialog), "import-done");
  g_assert_nonnull (air_zone_registry_lookup (fixture->registry, "lab"));
  g_assert_cmpuint (vault_count ("lab", "api-token"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* as the app starts GTK: no OpenGL in a qube */
  air_application_choose_renderer ();
  gtk_init ();
  /* links the app's resources (a static library's unreferenced object
   * would be left out) */
  g_assert_nonnull (air_get_resource ());
  g_assert_true (air_age_keygen (&identity, &recipient, NULL));

  g_test_add ("/air/config-dialog/export", Fixture, NULL, fixture_set_up, test_export, fixture_tear_down);
  g_test_add ("/air/config-dialog/export-refuses", Fixture, NULL, fixture_set_up, test_export_refuses, fixture_tear_down);
  g_test_add ("/air/config-dialog/import", Fixture, NULL, fixture_set_up, test_import, fixture_tear_down);
  g_test_add ("/air/config-dialog/import-refuses", Fixture, NULL, fixture_set_up, test_import_refuses, fixture_tear_down);
  g_test_add ("/air/config-dialog/vault/export-secrets", Fixture, NULL, fixture_set_up, test_export_secrets,
              fixture_tear_down);
  g_test_add ("/air/config-dialog/vault/export-secrets-passphrase", Fixture, NULL, fixture_set_up,
              test_export_secrets_passphrase, fixture_tear_down);
  g_test_add ("/air/config-dialog/vault/import-vault-identity", Fixture, NULL, fixture_set_up,
              test_import_vault_identity, fixture_tear_down);

  status = g_test_run ();
  g_free (identity);
  g_free (recipient);
  return status;
}
