/* air-config-dialog-import.c — Import Configuration…
 *
 * Opens an exported configuration with an age identity file, a
 * passphrase, or an age identity the vault keeps (`qair config import
 * --identity-in-vault NAME`): the worker thread reads the file's header,
 * the vault finds the file key with its identity (CredentialAgeUnwrap),
 * which never leaves it, and the thread opens the file with that key.
 * Shows what the file would add, replace or skip and changes nothing until
 * Import. Credentials and keys in the file (an export with secrets) go
 * back into the vault, which opens their age file itself
 * (CredentialImport); each imported ssh zone's gateway is then told its
 * host, with the WireGuard key the vault took back, or a new one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-config-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "air-config-bundle.h"
#include "air-config-dialog-private.h"
#include "air-error.h"
#include "air-message-label.h"
#include "air-names.h"
#include "air-transport.h"
#include "air-zone-setup-client.h"

void
_air_config_dialog_show_plan (AirConfigDialog *self)
{
  AirZoneRegistry *registry = air_session_get_registry (self->session);
  gboolean replace = gtk_check_button_get_active (self->replace_check);
  g_autoptr(GString) text = NULL;
  GListModel *zones;

  /* also "toggled" of Replace, which means something only here */
  if (self->step != STEP_REVIEW || self->incoming == NULL)
    return;
  zones = air_zone_registry_get_zones (self->incoming);
  text = g_string_new (_("This file holds:"));
  g_ptr_array_set_size (self->chosen, 0);
  for (guint i = 0; i < g_list_model_get_n_items (zones); i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      g_autofree char *what = air_config_bundle_describe_zone (self->incoming, zone);
      const char *name = air_zone_get_name (zone);

      g_string_append_c (text, '\n');
      switch (air_config_bundle_plan (registry, zone, replace))
        {
        case AIR_CONFIG_IMPORT_ADD:
          g_string_append_printf (text, _("• %s (%s): will be added"), name, what);
          g_ptr_array_add (self->chosen, g_strdup (name));
          break;
        case AIR_CONFIG_IMPORT_REPLACE:
          g_string_append_printf (text, _("• %s (%s): will replace the zone of that name"), name, what);
          g_ptr_array_add (self->chosen, g_strdup (name));
          break;
        case AIR_CONFIG_IMPORT_SKIP:
          g_string_append_printf (text, _("• %s (%s): skipped, a zone of that name exists"), name, what);
          break;
        }
    }
  if (self->secrets != NULL)
    g_string_append_printf (text, "\n\n%s",
                            _("It also holds the vault's credentials and keys of its zones (an export with "
                              "secrets): the vault opens them itself and stores those of the zones imported, "
                              "in place of theirs of the same kind."));
  gtk_label_set_text (self->summary, text->str);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.go", self->chosen->len > 0);
  air_message_label_set (self->message, self->chosen->len > 0
                                        ? _("Nothing has changed yet. Press Import to add these zones.")
                                        : _("Nothing to import: tick “Replace zones of the same name” to replace them."),
                         FALSE);
}

static void
forget_keys (AirConfigDialog *self)
{
  g_clear_pointer (&self->secrets, g_bytes_unref);
  g_clear_pointer (&self->identities, _air_config_dialog_wipe_strv);
  if (self->passphrase != NULL)
    sodium_free (g_steal_pointer (&self->passphrase));
  g_clear_pointer (&self->vault_identity, g_free);
}

static void
open_failed (AirConfigDialog *self,
             const GError    *error)
{
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    forget_keys (self);
  _air_config_dialog_fail (self, error);
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AirConfigDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = g_task_propagate_pointer (G_TASK (result), &error);
  Work *work = g_task_get_task_data (G_TASK (result));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->incoming);
  if (plain != NULL)
    self->incoming = air_config_bundle_read (plain, &error);
  if (self->incoming != NULL)
    self->secrets = air_config_bundle_dup_secrets (plain, &error);
  if (self->incoming == NULL || error != NULL)
    {
      g_clear_object (&self->incoming);
      open_failed (self, error);
      return;
    }
  /* The vault opens the secrets' own file with what opened this one. */
  if (self->secrets != NULL)
    {
      self->identities = g_steal_pointer (&work->identities);
      self->passphrase = g_steal_pointer (&work->passphrase);
    }
  else
    forget_keys (self);
  self->step = STEP_REVIEW;
  _air_config_dialog_update (self);
  _air_config_dialog_show_plan (self);
}

static void
unwrapped_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AirConfigDialog) self = NULL;
  Work *work = _air_config_dialog_vault_call_end (user_data, &self);
  g_autoptr(GError) error = NULL;

  work->file_key = air_vault_client_age_unwrap_finish (AIR_VAULT_CLIENT (source), result, &error);
  if (work->file_key == NULL)
    {
      _air_config_dialog_work_free (work);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("The vault qube “%s” did not open the file: "),
                        air_vault_client_get_vault_qube (AIR_VAULT_CLIENT (source)));
      open_failed (self, error);
      return;
    }
  air_message_label_set (self->message, _("Opening…"), FALSE);
  _air_config_dialog_run_work (self, work, _air_config_dialog_open, opened_cb);
}

/* The header is read: the vault is asked for the file key. */
static void
header_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(AirConfigDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = g_task_propagate_pointer (G_TASK (result), &error);
  Work *read = g_task_get_task_data (G_TASK (result));
  g_autoptr(AirVaultClient) client = NULL;
  Work *work;

  if (contents == NULL)
    {
      open_failed (self, error);
      return;
    }
  work = g_new0 (Work, 1);
  work->kind = WORK_OPEN_WITH_KEY;
  work->contents = g_steal_pointer (&contents);
  work->header = g_steal_pointer (&read->header);
  work->stanzas = g_steal_pointer (&read->stanzas);
  client = air_vault_client_new (NULL);
  air_message_label_set (self->message, _("The vault is opening the file with its identity…"), FALSE);
  air_vault_client_age_unwrap_async (client, self->vault_identity, work->stanzas, self->cancellable,
                                     unwrapped_cb, _air_config_dialog_vault_call_new (self, work));
}

static char *
dup_vault_identity (AirConfigDialog *self)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (self->vault_dropdown);

  return item != NULL && gtk_widget_get_sensitive (GTK_WIDGET (self->vault_dropdown))
         ? g_strdup (gtk_string_object_get_string (item)) : NULL;
}

void
_air_config_dialog_open (AirConfigDialog *self)
{
  g_autoptr(GError) error = NULL;
  Work *work;

  if (self->file == NULL)
    {
      air_message_label_set (self->message, _("Choose the file to import."), TRUE);
      return;
    }
  forget_keys (self);
  /* The three ways are one group of buttons; with "Passphrase" chosen,
   * the passphrase is read here. */
  work = _air_config_dialog_work_new (self, WORK_DECRYPT, self->file, &error);
  if (gtk_check_button_get_active (self->use_vault))
    {
      work->kind = WORK_READ_HEADER;
      self->vault_identity = dup_vault_identity (self);
      if (self->vault_identity == NULL)
        g_set_error_literal (&error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                             _("Choose the vault's age identity the configuration was encrypted to."));
    }
  else if (!gtk_check_button_get_active (self->use_passphrase))
    {
      if (self->identity == NULL)
        g_set_error_literal (&error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                             _("Choose the age identity file the configuration was encrypted to, or use its passphrase."));
      else
        work->identity = g_object_ref (self->identity);
    }
  if (!_air_config_dialog_work_checked (self, work, error))
    return;

  self->step = STEP_BUSY;
  air_message_label_set (self->message, _("Opening…"), FALSE);
  _air_config_dialog_update (self);
  _air_config_dialog_run_work (self, work, _air_config_dialog_open,
                               work->kind == WORK_READ_HEADER ? header_read_cb : opened_cb);
}

static void import_next (AirConfigDialog *self);

/* The job ends whether the dialog is still open or not; what it shows
 * only while it is. */
static void
import_ended (AirConfigDialog *self,
              GError          *job_error,
              const char      *text)
{
  if (job_error != NULL)
    air_job_fail (self->job, job_error);
  else
    air_job_succeed (self->job);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  self->step = STEP_DONE;
  air_message_label_set (self->message, text, job_error != NULL);
  _air_config_dialog_update (self);
}

typedef struct {
  AirConfigDialog *self;
  GError          *job_error;
} Failure;

static void
failed_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Failure *failure = user_data;
  g_autoptr(AirConfigDialog) self = failure->self;
  g_autoptr(GError) job_error = failure->job_error;
  g_autoptr(GError) save_error = NULL;

  g_free (failure);
  air_zone_registry_save_finish (AIR_ZONE_REGISTRY (object), result, &save_error);
  import_ended (self, job_error, save_error ? save_error->message : job_error->message);
}

static void
import_failed (AirConfigDialog *self,
               const char      *name,
               GError          *error)
{
  g_autofree char *text = g_strdup_printf (_("Zone “%s” was not imported: %s"), name, error->message);
  g_autoptr(GError) job_error = g_error_new_literal (AIR_ERROR, AIR_ERROR_FAILED, text);
  Failure *failure;

  if (self->next == 0)
    {
      import_ended (self, job_error, text);
      return;
    }
  /* what was taken before stays, saved, so the list and gateways agree
   * (saved even if the dialog is closed meanwhile: no cancellable) */
  failure = g_new0 (Failure, 1);
  failure->self = g_object_ref (self);
  failure->job_error = g_steal_pointer (&job_error);
  air_zone_registry_save_async (air_session_get_registry (self->session), NULL, failed_saved_cb, failure);
}

static void
imported_saved_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(AirConfigDialog) self = user_data;
  AirZoneRegistry *registry = AIR_ZONE_REGISTRY (object);
  g_autoptr(GError) error = NULL;

  if (!air_zone_registry_save_finish (registry, result, &error))
    {
      import_failed (self, self->chosen->pdata[self->chosen->len - 1], error);
      return;
    }
  for (guint i = 0; i < self->chosen->len; i++)
    if (air_zone_registry_get_ssh_config (registry, self->chosen->pdata[i]) != NULL)
      g_string_append_printf (self->report, _("\n\nPin the host key of zone “%s”: Edit Zone, then Trust."),
                              (char *) self->chosen->pdata[i]);
  import_ended (self, NULL, self->report->str);
}

static void
configured_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(AirConfigDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(AirWireguardSetup) wireguard = NULL;
  const char *name = self->chosen->pdata[self->next];

  answer = g_async_result_is_tagged (result, air_zone_setup_configure_async)
           ? air_zone_setup_configure_finish (AIR_TRANSPORT (source), result, &error)
           : air_zone_setup_call_finish (AIR_TRANSPORT (source), result, &error);
  if (answer != NULL)
    wireguard = air_zone_setup_parse_configured (answer, &error);
  if (error == NULL)
    air_config_bundle_take_zone (air_session_get_registry (self->session), self->incoming, name, &error);
  if (error != NULL)
    {
      import_failed (self, name, error);
      return;
    }
  if (wireguard != NULL && g_hash_table_contains (self->wireguard_keys, name))
    g_string_append_printf (self->report,
                            _("\n\nZone “%s”: its gateway's WireGuard key came back into the vault. The "
                              "configuration for the zone host, in /etc/wireguard/%s.conf:\n\n%s"),
                            name, wireguard->interface, wireguard->host_config);
  else if (wireguard != NULL)
    g_string_append_printf (self->report,
                            _("\n\nZone “%s”: its new gateway has a new WireGuard key, kept in the vault. On the zone host, "
                              "replace the gateway's peer in /etc/wireguard/%s.conf with:\n\n%s"),
                            name, wireguard->interface, wireguard->host_config);
  self->next++;
  import_next (self);
}

static void
import_next (AirConfigDialog *self)
{
  AirZoneRegistry *registry = air_session_get_registry (self->session);
  g_autoptr(GError) error = NULL;

  while (self->next < self->chosen->len)
    {
      const char *name = self->chosen->pdata[self->next];
      const AirSshConfig *ssh = air_zone_registry_get_ssh_config (self->incoming, name);

      air_job_set_progress (self->job, (double) self->next / self->chosen->len);
      if (ssh != NULL)
        {
          AirZone *zone = air_zone_registry_lookup (self->incoming, name);

          const char *key = ssh->wireguard != NULL ? g_hash_table_lookup (self->wireguard_keys, name) : NULL;

          /* the gateway first, as Add Zone does: a WireGuard zone keeps
           * the key the vault took back from the file, else gets a new
           * pair made in the vault */
          if (key != NULL)
            {
              g_autofree char *request = air_zone_setup_configure_request (ssh, NULL, key);

              air_zone_setup_call_async (air_transport_get_default (), air_zone_get_gateway (zone), "configure",
                                         request, air_job_get_cancellable (self->job),
                                         configured_cb, g_object_ref (self));
            }
          else
            air_zone_setup_configure_async (air_transport_get_default (), name, air_zone_get_gateway (zone),
                                            ssh, NULL, air_job_get_cancellable (self->job),
                                            configured_cb, g_object_ref (self));
          return;
        }
      if (!air_config_bundle_take_zone (registry, self->incoming, name, &error))
        {
          import_failed (self, name, error);
          return;
        }
      self->next++;
    }

  /* No cancellable: the zones taken are in the list, the file follows. */
  air_zone_registry_save_async (registry, NULL, imported_saved_cb, g_object_ref (self));
}

static void
secrets_imported_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(AirConfigDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stored = air_vault_client_import_finish (AIR_VAULT_CLIENT (source), result, &error);

  if (stored == NULL)
    {
      g_autofree char *text = NULL;

      g_prefix_error (&error, _("The vault qube “%s” did not take the credentials and keys; nothing was imported: "),
                      air_vault_client_get_vault_qube (AIR_VAULT_CLIENT (source)));
      text = g_strdup (error->message);
      import_ended (self, error, text);
      return;
    }
  for (guint i = 0; i < stored->len; i++)
    {
      AirCredentialInfo *info = g_ptr_array_index (stored, i);

      if (g_str_equal (air_credential_info_get_kind (info), "wireguard-key") &&
          air_credential_info_get_public_key (info) != NULL)
        g_hash_table_insert (self->wireguard_keys, g_strdup (air_credential_info_get_zone (info)),
                             g_strdup (air_credential_info_get_public_key (info)));
    }
  g_string_append_printf (self->report, " ");
  g_string_append_printf (self->report,
                          ngettext ("The vault stored %u credential or key.",
                                    "The vault stored %u credentials and keys.", stored->len),
                          stored->len);
  import_next (self);
}

void
_air_config_dialog_import_zones (AirConfigDialog *self)
{
  if (self->chosen->len == 0)
    return;
  g_clear_object (&self->job);
  self->job = air_job_new (_("Import configuration"), NULL);
  air_session_add_job (self->session, self->job);
  g_string_assign (self->report, "");
  g_string_append_printf (self->report,
                          ngettext ("Imported %u zone.", "Imported %u zones.", self->chosen->len),
                          self->chosen->len);
  g_hash_table_remove_all (self->wireguard_keys);
  self->next = 0;
  self->step = STEP_BUSY;
  _air_config_dialog_update (self);
  if (self->secrets != NULL)
    {
      /* The vault opens its own file: the secrets are never plain text
       * here. */
      g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);

      g_ptr_array_add (self->chosen, NULL);
      air_vault_client_import_async (client, self->secrets, (const char * const *) self->chosen->pdata,
                                     (const char * const *) self->identities, self->passphrase,
                                     self->vault_identity, air_job_get_cancellable (self->job),
                                     secrets_imported_cb, g_object_ref (self));
      g_ptr_array_set_size (self->chosen, self->chosen->len - 1);
      return;
    }
  import_next (self);
}

void
air_config_dialog_open_file (AirConfigDialog *self,
                             GFile           *file)
{
  g_autofree char *name = NULL;

  g_return_if_fail (AIR_IS_CONFIG_DIALOG (self));

  g_set_object (&self->file, file);
  name = g_file_get_parse_name (file);
  gtk_label_set_text (self->file_label, name);
  air_message_label_set (self->message, "", FALSE);
}

void
air_config_dialog_set_identity (AirConfigDialog *self,
                                GFile           *identity)
{
  g_autofree char *name = NULL;

  g_return_if_fail (AIR_IS_CONFIG_DIALOG (self));

  g_set_object (&self->identity, identity);
  name = g_file_get_parse_name (identity);
  gtk_label_set_text (self->identity_label, name);
}


/* ---- the vault's age identities, for “Identity in the vault” ---- */

static void
identities_listed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(AirConfigDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) credentials = air_vault_client_list_finish (AIR_VAULT_CLIENT (source), result, &error);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  for (guint i = 0; credentials != NULL && i < credentials->len; i++)
    {
      AirCredentialInfo *info = g_ptr_array_index (credentials, i);

      /* an age identity's name is where a credential has its zone */
      if (g_str_equal (air_credential_info_get_kind (info), "age-identity") &&
          air_name_is_valid (air_credential_info_get_zone (info)))
        gtk_string_list_append (names, air_credential_info_get_zone (info));
    }
  gtk_drop_down_set_model (self->vault_dropdown, G_LIST_MODEL (names));
  self->vault_listed = TRUE;
  if (credentials == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The vault qube “%s” did not answer: %s"),
                                               air_vault_client_get_vault_qube (AIR_VAULT_CLIENT (source)),
                                               error->message);

      gtk_label_set_text (self->vault_status, text);
    }
  else if (g_list_model_get_n_items (G_LIST_MODEL (names)) == 0)
    gtk_label_set_text (self->vault_status,
                        _("The vault keeps no age identity. “qair key generate --kind age NAME” makes one "
                          "and prints its recipient, to export to."));
  else
    gtk_label_set_text (self->vault_status, _("The file key is found by the vault: the identity never leaves it."));
  _air_config_dialog_update (self);
}

void
_air_config_dialog_list_identities (AirConfigDialog *self)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);

  /* Metadata only: the vault never lists a secret. */
  gtk_label_set_text (self->vault_status, _("Asking the vault for its age identities…"));
  air_vault_client_list_async (client, self->cancellable, identities_listed_cb, g_object_ref (self));
}
