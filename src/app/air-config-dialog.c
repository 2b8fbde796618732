/* air-config-dialog.c
 *
 * Export Configuration… and Import Configuration…: the zone list in an
 * age file (air-age.c, air-config-bundle.c), as `qair config` writes and
 * reads it. Export encrypts to age recipients or to a passphrase and
 * writes the file; with “Include secrets from the vault” on, and once the
 * user confirms, the vault adds the zones' credentials and keys, which it
 * encrypts itself (air-config-dialog-export.c). Import decrypts with an age
 * identity file, a passphrase, or an age identity the vault keeps (the
 * vault finds the file key: the identity never leaves it), shows what the
 * file would add, replace or skip, and changes nothing until the user
 * presses Import; secrets in the file go back into the vault, opened by
 * the vault (air-config-dialog-import.c). Secrets are never plain text
 * here. Encrypting, decrypting (scrypt takes a second and 256 MiB) and the
 * file I/O run in a worker thread (this file); telling the imported zones'
 * gateways their hosts is a job. The passphrase lives in the
 * GtkPasswordEntry's non-pageable memory and in a copy that is wiped when
 * the work is done.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-config-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "air-config-dialog-private.h"
#include "air-crypto.h"
#include "air-error.h"
#include "air-message-label.h"

#define MAX_KEY_FILE (64 * 1024)

G_DEFINE_FINAL_TYPE (AirConfigDialog, air_config_dialog, GTK_TYPE_WINDOW)

void
_air_config_dialog_update (AirConfigDialog *self)
{
  gboolean keys = gtk_check_button_get_active (self->use_keys);
  gboolean vault = gtk_check_button_get_active (self->use_vault);
  gboolean export = self->mode == AIR_CONFIG_DIALOG_EXPORT;
  gboolean choosing = self->step == STEP_CHOOSE;

  gtk_widget_set_sensitive (self->keys_box, keys && choosing);
  gtk_widget_set_sensitive (self->passphrase_box, !keys && !vault && choosing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->vault_dropdown), vault && choosing && self->vault_listed &&
                            g_list_model_get_n_items (gtk_drop_down_get_model (self->vault_dropdown)) > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->use_keys), choosing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->use_passphrase), choosing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->use_vault), choosing);
  gtk_widget_set_sensitive (self->file_box, choosing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->zone_dropdown), choosing);
  gtk_widget_set_sensitive (self->secrets_box, choosing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->replace_check), self->step == STEP_REVIEW);
  /* once imported, what happened replaces the plan */
  gtk_widget_set_visible (GTK_WIDGET (self->summary),
                          (self->step == STEP_REVIEW || self->step == STEP_BUSY) && !export);

  if (export)
    gtk_button_set_label (self->go_button, _("_Export…"));
  else if (self->step == STEP_CHOOSE)
    gtk_button_set_label (self->go_button, _("_Open"));
  else
    gtk_button_set_label (self->go_button, _("_Import"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.go",
                                 self->step == STEP_CHOOSE || self->step == STEP_REVIEW);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.choose-file", choosing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.choose-identity", choosing);
}

/* Back to choosing, with @error's message shown; a cancelled call (the
 * dialog is closing) shows nothing. */
void
_air_config_dialog_fail (AirConfigDialog *self,
                         const GError    *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->step = STEP_CHOOSE;
  air_message_label_set (self->message, error->message, TRUE);
  _air_config_dialog_update (self);
}

/* The user data of a vault call for @work: holds a reference to the
 * dialog and owns @work. */
VaultCall *
_air_config_dialog_vault_call_new (AirConfigDialog *self,
                                   Work            *work)
{
  VaultCall *call = g_new0 (VaultCall, 1);

  call->self = g_object_ref (self);
  call->work = work;
  return call;
}

/* Frees @call; the caller gets its reference to the dialog in @self, and
 * its Work. */
Work *
_air_config_dialog_vault_call_end (VaultCall        *call,
                                   AirConfigDialog **self)
{
  Work *work = call->work;

  *self = call->self;
  g_free (call);
  return work;
}

static void
mode_toggled_cb (AirConfigDialog *self)
{
  _air_config_dialog_update (self);
}

/* ---- the worker thread: files and cryptography ---- */

void
_air_config_dialog_wipe_strv (GStrv strv)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    sodium_memzero (strv[i], strlen (strv[i]));
  g_strfreev (strv);
}

/* A Work of @kind on @file; with "Passphrase" chosen, the passphrase read
 * (and, to encrypt, checked against its confirmation) or @error set. */
Work *
_air_config_dialog_work_new (AirConfigDialog  *self,
                             WorkKind          kind,
                             GFile            *file,
                             GError          **error)
{
  Work *work = g_new0 (Work, 1);

  work->kind = kind;
  work->file = g_object_ref (file);
  if (gtk_check_button_get_active (self->use_passphrase))
    work->passphrase = _air_config_dialog_dup_passphrase (self, kind == WORK_ENCRYPT, error);
  return work;
}

/* Whether @work, as the user filled it in, can run: else @error (what
 * the form lacks) is shown and @work dropped. */
gboolean
_air_config_dialog_work_checked (AirConfigDialog *self,
                                 Work            *work,
                                 const GError    *error)
{
  if (error == NULL)
    return TRUE;
  _air_config_dialog_work_free (work);
  air_message_label_set (self->message, error->message, TRUE);
  return FALSE;
}

void
_air_config_dialog_work_free (Work *work)
{
  g_clear_pointer (&work->plain, g_bytes_unref);
  g_clear_object (&work->file);
  g_clear_object (&work->identity);
  g_strfreev (work->recipients);
  if (work->passphrase != NULL)
    sodium_free (work->passphrase);
  g_clear_pointer (&work->contents, g_bytes_unref);
  g_clear_pointer (&work->stanzas, g_ptr_array_unref);
  g_clear_pointer (&work->header, air_age_header_free);
  g_clear_pointer (&work->file_key, g_bytes_unref);
  _air_config_dialog_wipe_strv (work->identities);
  g_free (work);
}

static GBytes *
load_bounded (GFile *file, gsize max, GCancellable *cancellable, GError **error)
{
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                 G_FILE_QUERY_INFO_NONE, cancellable, error);
  char *contents = NULL;
  gsize len = 0;

  if (info == NULL)
    return NULL;
  if ((guint64) g_file_info_get_size (info) > max)
    {
      g_autofree char *name = g_file_get_parse_name (file);

      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("%s is too large to be an exported configuration or a key file"), name);
      return NULL;
    }
  if (!g_file_load_contents (file, cancellable, &contents, &len, NULL, error))
    return NULL;
  if (len > max)
    {
      sodium_memzero (contents, len);
      g_free (contents);
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("The file grew while it was read"));
      return NULL;
    }
  return g_bytes_new_take (contents, len);
}

static GStrv
load_identities (GFile *file, GCancellable *cancellable, GError **error)
{
  g_autoptr(GBytes) bytes = load_bounded (file, MAX_KEY_FILE, cancellable, error);
  g_autofree char *text = NULL;
  gsize len = 0;
  const char *data;
  GStrv keys;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  if (memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The identity file is not a text file of age keys"));
      return NULL;
    }
  text = g_strndup (data, len);
  keys = air_age_parse_key_file (text, "AGE-SECRET-KEY-1", error);
  sodium_memzero (text, len);
  sodium_memzero ((gpointer) data, len);
  return keys;
}

/* The file key the vault found (WORK_OPEN_WITH_KEY). */
static gboolean
use_file_key_cb (GPtrArray  *stanzas,
                 guint8      file_key[AIR_AGE_FILE_KEY_LEN],
                 gpointer    user_data,
                 GError    **error)
{
  GBytes *key = user_data;

  if (g_bytes_get_size (key) != AIR_AGE_FILE_KEY_LEN)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The vault answered with no file key"));
      return FALSE;
    }
  memcpy (file_key, g_bytes_get_data (key, NULL), AIR_AGE_FILE_KEY_LEN);
  return TRUE;
}

static GBytes *
read_header (Work *work, GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (work->contents, &len);

  work->header = air_age_header_parse (data, len, error);
  if (work->header == NULL)
    return NULL;
  work->stanzas = g_ptr_array_new ();
  for (guint i = 0; i < work->header->stanzas->len; i++)
    {
      AirAgeStanza *stanza = work->header->stanzas->pdata[i];

      if (strcmp (stanza->type, "scrypt") == 0)
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                               _("This file is encrypted to a passphrase: choose Passphrase."));
          return NULL;
        }
      if (strcmp (stanza->type, "X25519") == 0)
        g_ptr_array_add (work->stanzas, stanza);
    }
  if (work->stanzas->len == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED,
                           _("This file is encrypted to no age recipient the vault could hold."));
      return NULL;
    }
  return g_bytes_ref (work->contents);
}

static void
crypto_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Work *work = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;

  switch (work->kind)
    {
    case WORK_ENCRYPT:
      out = work->passphrase != NULL
            ? air_age_encrypt_passphrase (work->plain, work->passphrase, AIR_AGE_SCRYPT_LOG_N, &error)
            : air_age_encrypt (work->plain, (const char * const *) work->recipients, &error);
      if (out != NULL &&
          !g_file_replace_contents (work->file, g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                                    NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                    NULL, cancellable, &error))
        g_clear_pointer (&out, g_bytes_unref);
      break;

    case WORK_DECRYPT:
      work->contents = load_bounded (work->file, AIR_AGE_MAX_FILE, cancellable, &error);
      if (work->contents != NULL && work->passphrase == NULL)
        work->identities = load_identities (work->identity, cancellable, &error);
      if (work->contents != NULL && (work->identities != NULL || work->passphrase != NULL))
        {
          if (work->passphrase != NULL && !air_age_needs_passphrase (work->contents))
            g_set_error_literal (&error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                                 _("This file is not encrypted to a passphrase: choose an identity file."));
          else
            out = air_age_decrypt (work->contents, (const char * const *) work->identities,
                                   work->passphrase, &error);
        }
      break;

    case WORK_READ_HEADER:
      work->contents = load_bounded (work->file, AIR_AGE_MAX_FILE, cancellable, &error);
      if (work->contents != NULL)
        out = read_header (work, &error);
      break;

    case WORK_OPEN_WITH_KEY:
      out = air_age_decrypt_with_unwrap (work->contents, use_file_key_cb, work->file_key, &error);
      break;
    }

  if (out == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&out), (GDestroyNotify) g_bytes_unref);
}

/* Runs @work in a thread; @callback gets the dialog (a reference) as its
 * user data and the Work as the task's data. */
void
_air_config_dialog_run_work (AirConfigDialog     *self,
                             Work                *work,
                             gpointer             source_tag,
                             GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, callback, g_object_ref (self));

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, work, (GDestroyNotify) _air_config_dialog_work_free);
  g_task_run_in_thread (task, crypto_thread);
}

/* The passphrase entry's text, copied into guarded memory. */
char *
_air_config_dialog_dup_passphrase (AirConfigDialog  *self,
                                   gboolean          confirm,
                                   GError          **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_entry));
  gsize len = strlen (text);
  char *copy;

  if (len == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("Type the passphrase."));
      return NULL;
    }
  if (confirm && strcmp (text, gtk_editable_get_text (GTK_EDITABLE (self->confirm_entry))) != 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The two passphrases differ."));
      return NULL;
    }
  if (!air_crypto_init (error) || (copy = sodium_malloc (len + 1)) == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED, _("Out of guarded memory"));
      return NULL;
    }
  memcpy (copy, text, len + 1);
  return copy;
}

/* ---- actions ---- */

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  AirConfigDialog *self = user_data;
  g_autoptr(GFile) file = NULL;
  const char *purpose = self->chooser_purpose;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    {
      if (g_strcmp0 (purpose, "export") == 0)
        air_config_dialog_export_to (self, file);
      else if (g_strcmp0 (purpose, "identity") == 0)
        air_config_dialog_set_identity (self, file);
      else
        air_config_dialog_open_file (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
choose (AirConfigDialog      *self,
        const char           *purpose,
        const char           *title,
        GtkFileChooserAction  action,
        const char           *accept)
{
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, _("_Cancel"));
  self->chooser_purpose = purpose;
  if (action == GTK_FILE_CHOOSER_ACTION_SAVE)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), "qubes-air-zones.age");
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
go_action (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  AirConfigDialog *self = AIR_CONFIG_DIALOG (widget);

  if (self->mode == AIR_CONFIG_DIALOG_EXPORT)
    choose (self, "export", _("Export Configuration"), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"));
  else if (self->step == STEP_CHOOSE)
    _air_config_dialog_open (self);
  else if (self->step == STEP_REVIEW)
    _air_config_dialog_import_zones (self);
}

static void
choose_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  choose (AIR_CONFIG_DIALOG (widget), "file", _("Configuration to Import"),
          GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"));
}

static void
choose_identity_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  choose (AIR_CONFIG_DIALOG (widget), "identity", _("Age Identity File"),
          GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"));
}

/* ---- life ---- */

static void
air_config_dialog_dispose (GObject *object)
{
  AirConfigDialog *self = AIR_CONFIG_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  _air_config_dialog_clear_pending (self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_CONFIG_DIALOG);
  G_OBJECT_CLASS (air_config_dialog_parent_class)->dispose (object);
}

static void
air_config_dialog_finalize (GObject *object)
{
  AirConfigDialog *self = AIR_CONFIG_DIALOG (object);

  g_clear_object (&self->session);
  g_clear_object (&self->file);
  g_clear_object (&self->identity);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->incoming);
  g_clear_pointer (&self->secrets, g_bytes_unref);
  g_clear_pointer (&self->identities, _air_config_dialog_wipe_strv);
  if (self->passphrase != NULL)
    sodium_free (self->passphrase);
  g_free (self->vault_identity);
  g_clear_pointer (&self->wireguard_keys, g_hash_table_unref);
  g_weak_ref_clear (&self->confirm);
  g_clear_object (&self->job);
  g_clear_pointer (&self->chosen, g_ptr_array_unref);
  g_string_free (self->report, TRUE);
  G_OBJECT_CLASS (air_config_dialog_parent_class)->finalize (object);
}

static void
air_config_dialog_class_init (AirConfigDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_config_dialog_dispose;
  object_class->finalize = air_config_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-config-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, intro);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, zone_title);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, zone_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, file_title);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, file_box);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, file_label);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, use_keys);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, use_passphrase);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, use_vault);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, keys_box);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, recipients_entry);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, identity_box);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, identity_label);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, passphrase_box);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, passphrase_entry);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, confirm_entry);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, vault_box);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, vault_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, vault_status);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, secrets_box);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, secrets_switch);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, replace_check);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, summary);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, message);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, go_button);
  gtk_widget_class_bind_template_callback (widget_class, mode_toggled_cb);

  gtk_widget_class_install_action (widget_class, "dialog.go", NULL, go_action);
  gtk_widget_class_install_action (widget_class, "dialog.choose-file", NULL, choose_file_action);
  gtk_widget_class_install_action (widget_class, "dialog.choose-identity", NULL, choose_identity_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
air_config_dialog_init (AirConfigDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->chosen = g_ptr_array_new_with_free_func (g_free);
  self->report = g_string_new (NULL);
  self->wireguard_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_weak_ref_init (&self->confirm, NULL);
  g_signal_connect_swapped (self->replace_check, "toggled", G_CALLBACK (_air_config_dialog_show_plan), self);
}

AirConfigDialog *
air_config_dialog_new (GtkWindow           *parent,
                       AirSession          *session,
                       AirConfigDialogMode  mode)
{
  AirConfigDialog *self;
  gboolean export = mode == AIR_CONFIG_DIALOG_EXPORT;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);

  self = g_object_new (AIR_TYPE_CONFIG_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->mode = mode;
  self->step = STEP_CHOOSE;

  gtk_window_set_title (GTK_WINDOW (self), export ? _("Export Configuration") : _("Import Configuration"));
  /* room for what the file holds, shown once it is open */
  if (!export)
    gtk_window_set_default_size (GTK_WINDOW (self), 560, 520);
  gtk_label_set_text (self->intro,
                      export
                      ? _("Writes the zone list — drivers, gateways, hosts, users, WireGuard endpoints — "
                          "to an age file for another management qube, or to keep. No credential or key "
                          "leaves the vault unless you include them below. Debian's “age -d” can open the file.")
                      : _("Adds the zones of an exported configuration. You see what it holds before "
                          "anything changes; each zone's gateway is then told its host, and its host "
                          "key must be trusted again."));
  gtk_widget_set_visible (self->zone_title, export);
  gtk_widget_set_visible (GTK_WIDGET (self->zone_dropdown), export);
  gtk_widget_set_visible (self->file_title, !export);
  gtk_widget_set_visible (self->file_box, !export);
  gtk_widget_set_visible (GTK_WIDGET (self->recipients_entry), export);
  gtk_widget_set_visible (self->identity_box, !export);
  gtk_widget_set_visible (GTK_WIDGET (self->confirm_entry), export);
  gtk_widget_set_visible (GTK_WIDGET (self->replace_check), !export);
  gtk_widget_set_visible (self->secrets_box, export);
  gtk_widget_set_visible (GTK_WIDGET (self->use_vault), !export);
  gtk_widget_set_visible (self->vault_box, !export);
  gtk_check_button_set_label (self->use_keys, export ? _("_Age recipients") : _("_Identity file"));

  if (export)
    {
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
      GListModel *zones = air_session_get_zones (session);

      gtk_string_list_append (names, _("All zones"));
      for (guint i = 0; i < g_list_model_get_n_items (zones); i++)
        {
          g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);

          gtk_string_list_append (names, air_zone_get_name (zone));
        }
      gtk_drop_down_set_model (self->zone_dropdown, G_LIST_MODEL (names));
    }
  else
    _air_config_dialog_list_identities (self);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->go_button));
  _air_config_dialog_update (self);
  return self;
}

gboolean
air_config_dialog_is_busy (AirConfigDialog *self)
{
  g_return_val_if_fail (AIR_IS_CONFIG_DIALOG (self), FALSE);
  return self->step == STEP_BUSY;
}

const char *
air_config_dialog_get_message (AirConfigDialog *self)
{
  g_return_val_if_fail (AIR_IS_CONFIG_DIALOG (self), NULL);
  return gtk_label_get_text (self->message);
}

const char *
air_config_dialog_get_summary (AirConfigDialog *self)
{
  g_return_val_if_fail (AIR_IS_CONFIG_DIALOG (self), NULL);
  return gtk_label_get_text (self->summary);
}

/* The confirmation of an export with secrets, while it is shown (tests). */
GtkWindow *
air_config_dialog_get_confirm (AirConfigDialog *self)
{
  g_autoptr(GtkWindow) confirm = NULL;

  g_return_val_if_fail (AIR_IS_CONFIG_DIALOG (self), NULL);
  confirm = g_weak_ref_get (&self->confirm);
  return confirm;   /* the window keeps itself while shown */
}

/* Whether the vault's age identities have been asked for and answered. */
gboolean
air_config_dialog_vault_listed (AirConfigDialog *self)
{
  g_return_val_if_fail (AIR_IS_CONFIG_DIALOG (self), FALSE);
  return self->vault_listed;
}
