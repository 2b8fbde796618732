/* air-config-dialog-export.c — Export Configuration…
 *
 * The zone list, or one zone, encrypted to age recipients or a passphrase
 * and written where the user chose. With “Include secrets from the vault”
 * on (off by default) the user first confirms, in a dialog that names the
 * zones, that their credentials and keys will be in the file; the vault
 * then encrypts them itself (CredentialExport), to the same recipients or
 * passphrase, into an age file of its own that travels inside this one,
 * as `qair config export --with-secrets` does. They are never plain text
 * in this qube.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-config-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "air-config-bundle.h"
#include "air-config-dialog-private.h"
#include "air-confirm-dialog.h"
#include "air-error.h"
#include "air-message-label.h"

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AirConfigDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = g_task_propagate_pointer (G_TASK (result), &error);
  Work *work = g_task_get_task_data (G_TASK (result));
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  if (out == NULL)
    {
      _air_config_dialog_fail (self, error);
      return;
    }
  name = g_file_get_parse_name (work->file);
  text = g_strdup_printf (_("The configuration was written to %s."), name);
  self->step = STEP_DONE;
  if (self->report->len > 0)
    {
      g_string_prepend (self->report, " ");
      g_string_prepend (self->report, text);
      air_message_label_set (self->message, self->report->str, FALSE);
    }
  else
    air_message_label_set (self->message, text, FALSE);
  _air_config_dialog_update (self);
}

static char *
dup_export_zone (AirConfigDialog *self)
{
  guint position = gtk_drop_down_get_selected (self->zone_dropdown);
  GtkStringObject *item = gtk_drop_down_get_selected_item (self->zone_dropdown);

  /* the first row is “All zones” */
  return position == 0 || item == NULL ? NULL : g_strdup (gtk_string_object_get_string (item));
}

/* The zones whose secrets go: the one chosen, or every zone. */
static GStrv
dup_export_zones (AirConfigDialog *self)
{
  g_autofree char *zone = dup_export_zone (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GListModel *zones = air_zone_registry_get_zones (air_session_get_registry (self->session));

  if (zone != NULL)
    g_strv_builder_add (builder, zone);
  else
    for (guint i = 0; i < g_list_model_get_n_items (zones); i++)
      {
        g_autoptr(AirZone) item = g_list_model_get_item (zones, i);

        g_strv_builder_add (builder, air_zone_get_name (item));
      }
  return g_strv_builder_end (builder);
}

static void
encrypt (AirConfigDialog *self,
         Work            *work,
         GBytes          *secrets)
{
  g_autofree char *zone = dup_export_zone (self);
  AirZoneRegistry *registry = air_session_get_registry (self->session);

  work->plain = secrets != NULL
                ? air_config_bundle_export_with_secrets (registry, zone, secrets)
                : air_config_bundle_export (registry, zone);
  air_message_label_set (self->message, _("Encrypting…"), FALSE);
  _air_config_dialog_run_work (self, work, air_config_dialog_export_to, exported_cb);
}

static void
secrets_exported_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(AirConfigDialog) self = NULL;
  Work *work = _air_config_dialog_vault_call_end (user_data, &self);
  g_autoptr(GError) error = NULL;
  g_autoptr(AirVaultExport) exported = NULL;

  exported = air_vault_client_export_finish (AIR_VAULT_CLIENT (source), result, &error);
  if (exported == NULL)
    {
      _air_config_dialog_work_free (work);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("The vault qube “%s” exported no secrets, so nothing was written: "),
                        air_vault_client_get_vault_qube (AIR_VAULT_CLIENT (source)));
      _air_config_dialog_fail (self, error);
      return;
    }
  g_string_printf (self->report,
                   ngettext ("It holds %u credential or key of the vault, encrypted by the vault.",
                             "It holds %u credentials and keys of the vault, encrypted by the vault.",
                             exported->count),
                   exported->count);
  encrypt (self, work, exported->file);
}

/* @work holds the file and the recipients or passphrase, checked. */
static void
start (AirConfigDialog *self,
       Work            *work,
       gboolean         with_secrets)
{
  self->step = STEP_BUSY;
  g_string_truncate (self->report, 0);
  _air_config_dialog_update (self);

  if (with_secrets)
    {
      g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
      g_auto(GStrv) zones = dup_export_zones (self);

      /* The vault encrypts them itself, to the same recipients or
       * passphrase: they are never plain text here. */
      air_message_label_set (self->message, _("The vault is encrypting the zones' credentials and keys…"), FALSE);
      air_vault_client_export_async (client, (const char * const *) zones,
                                     (const char * const *) work->recipients, work->passphrase,
                                     self->cancellable, secrets_exported_cb,
                                     _air_config_dialog_vault_call_new (self, work));
      return;
    }
  encrypt (self, work, NULL);
}

void
_air_config_dialog_clear_pending (AirConfigDialog *self)
{
  g_autoptr(GtkWindow) confirm = g_weak_ref_get (&self->confirm);

  g_clear_pointer ((Work **) &self->pending, _air_config_dialog_work_free);
  if (confirm != NULL)
    gtk_window_destroy (confirm);
  g_weak_ref_set (&self->confirm, NULL);
}

static void
secrets_confirmed_cb (AirConfigDialog *self)
{
  Work *work = g_steal_pointer (&self->pending);

  g_weak_ref_set (&self->confirm, NULL);
  if (work != NULL && self->step == STEP_CHOOSE)
    start (self, work, TRUE);
  else if (work != NULL)
    _air_config_dialog_work_free (work);
}

/* Until the user confirms, nothing is asked of the vault. */
static void
ask_for_secrets (AirConfigDialog *self,
                 Work            *work)
{
  g_auto(GStrv) zones = dup_export_zones (self);
  g_autofree char *names = g_strjoinv (", ", zones);
  g_autofree char *body = NULL;
  AirConfirmDialog *confirm;

  _air_config_dialog_clear_pending (self);
  self->pending = work;
  body = g_strdup_printf (work->passphrase != NULL
                          ? _("The file will also hold the vault's credentials and keys of these zones: %s — "
                              "SSH and WireGuard private keys and provider credentials, encrypted by the vault "
                              "to the passphrase. Whoever has the file and the passphrase can use them.")
                          : _("The file will also hold the vault's credentials and keys of these zones: %s — "
                              "SSH and WireGuard private keys and provider credentials, encrypted by the vault "
                              "to the age recipients given. Whoever holds one of their identities can use them."),
                          zones[0] != NULL ? names : _("(none)"));
  confirm = air_confirm_dialog_new (GTK_WINDOW (self), _("Export secrets too?"), body,
                                    _("_Export Secrets"));
  g_signal_connect_object (confirm, "confirmed", G_CALLBACK (secrets_confirmed_cb), self, G_CONNECT_SWAPPED);
  g_weak_ref_set (&self->confirm, confirm);
  air_message_label_set (self->message, _("Confirm that the secrets go into the file; closing that dialog writes nothing."),
                         FALSE);
  gtk_window_present (GTK_WINDOW (confirm));
}

void
air_config_dialog_export_to (AirConfigDialog *self,
                             GFile           *file)
{
  g_autoptr(GError) error = NULL;
  Work *work;

  g_return_if_fail (AIR_IS_CONFIG_DIALOG (self));
  g_return_if_fail (self->mode == AIR_CONFIG_DIALOG_EXPORT);

  if (self->step == STEP_BUSY)
    return;
  work = _air_config_dialog_work_new (self, WORK_ENCRYPT, file, &error);
  if (!gtk_check_button_get_active (self->use_passphrase))
    {
      g_auto(GStrv) words = g_strsplit_set (gtk_editable_get_text (GTK_EDITABLE (self->recipients_entry)),
                                            " \t\n,", -1);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      guint n = 0;

      for (guint i = 0; words[i] != NULL && error == NULL; i++)
        if (words[i][0] != '\0' && air_age_recipient_validate (words[i], &error))
          {
            g_strv_builder_add (builder, words[i]);
            n++;
          }
      if (error == NULL && n == 0)
        g_set_error_literal (&error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                             _("Give at least one age recipient (age1…), e.g. from “age-keygen -y”."));
      work->recipients = g_strv_builder_end (builder);
    }
  if (!_air_config_dialog_work_checked (self, work, error))
    return;

  self->step = STEP_CHOOSE;
  if (gtk_switch_get_active (self->secrets_switch))
    ask_for_secrets (self, work);
  else
    start (self, work, FALSE);
}
