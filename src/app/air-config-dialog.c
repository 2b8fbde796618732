/* air-config-dialog.c
 *
 * Export Configuration… and Import Configuration…: the zone list in an
 * age file (air-age.c, air-config-bundle.c), as `qair config` writes and
 * reads it. Export encrypts to age recipients or to a passphrase and
 * writes the file; import decrypts with an age identity file or a
 * passphrase, shows what the file would add, replace or skip, and changes
 * nothing until the user presses Import. Encrypting, decrypting (scrypt
 * takes a second and 256 MiB) and the file I/O run in a worker thread;
 * telling the imported zones' gateways their hosts is a job. The
 * passphrase lives in the GtkPasswordEntry's non-pageable memory and in a
 * copy that is wiped when the work is done.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-config-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "air-age.h"
#include "air-config-bundle.h"
#include "air-config-dialog.h"
#include "air-crypto.h"
#include "air-error.h"
#include "air-job.h"
#include "air-message-label.h"
#include "air-names.h"
#include "air-transport.h"
#include "air-zone-setup-client.h"

#define MAX_KEY_FILE (64 * 1024)

typedef enum {
  STEP_CHOOSE,   /* import: file and key still to give */
  STEP_REVIEW,   /* import: the file opened, its zones shown */
  STEP_BUSY,
  STEP_DONE,
} Step;

struct _AirConfigDialog
{
  GtkWindow             parent_instance;

  /* Template widgets */
  GtkLabel             *intro;
  GtkWidget            *zone_title;
  GtkDropDown          *zone_dropdown;
  GtkWidget            *file_title;
  GtkWidget            *file_box;
  GtkLabel             *file_label;
  GtkCheckButton       *use_keys;
  GtkCheckButton       *use_passphrase;
  GtkWidget            *keys_box;
  GtkEntry             *recipients_entry;
  GtkWidget            *identity_box;
  GtkLabel             *identity_label;
  GtkWidget            *passphrase_box;
  GtkPasswordEntry     *passphrase_entry;
  GtkPasswordEntry     *confirm_entry;
  GtkCheckButton       *replace_check;
  GtkLabel             *summary;
  GtkLabel             *message;
  GtkButton            *go_button;

  /* Owned references */
  AirSession           *session;
  AirConfigDialogMode   mode;
  Step                  step;
  GFile                *file;
  GFile                *identity;
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;
  const char           *chooser_purpose;   /* "export", "file" or "identity" */
  AirZoneRegistry      *incoming;
  GPtrArray            *chosen;        /* zone names to import */
  guint                 next;
  AirJob               *job;
  GString              *report;
};

G_DEFINE_FINAL_TYPE (AirConfigDialog, air_config_dialog, GTK_TYPE_WINDOW)

static void
update (AirConfigDialog *self)
{
  gboolean keys = gtk_check_button_get_active (self->use_keys);
  gboolean export = self->mode == AIR_CONFIG_DIALOG_EXPORT;
  gboolean choosing = self->step == STEP_CHOOSE;

  gtk_widget_set_sensitive (self->keys_box, keys && choosing);
  gtk_widget_set_sensitive (self->passphrase_box, !keys && choosing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->use_keys), choosing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->use_passphrase), choosing);
  gtk_widget_set_sensitive (self->file_box, choosing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->zone_dropdown), choosing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->replace_check), self->step == STEP_REVIEW);
  gtk_widget_set_visible (GTK_WIDGET (self->summary), self->step != STEP_CHOOSE && !export);

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

static void
mode_toggled_cb (AirConfigDialog *self)
{
  update (self);
}

/* ---- the worker thread: files and cryptography ---- */

typedef struct {
  gboolean  encrypt;
  GBytes   *plain;          /* export */
  GFile    *file;           /* the age file */
  GFile    *identity;       /* import with keys */
  GStrv     recipients;     /* export with keys */
  char     *passphrase;     /* sodium_malloc'd */
} Work;

static void
work_free (Work *work)
{
  g_clear_pointer (&work->plain, g_bytes_unref);
  g_clear_object (&work->file);
  g_clear_object (&work->identity);
  g_strfreev (work->recipients);
  if (work->passphrase != NULL)
    sodium_free (work->passphrase);
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

static void
crypto_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Work *work = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;

  if (work->encrypt)
    {
      out = work->passphrase != NULL
            ? air_age_encrypt_passphrase (work->plain, work->passphrase, AIR_AGE_SCRYPT_LOG_N, &error)
            : air_age_encrypt (work->plain, (const char * const *) work->recipients, &error);
      if (out != NULL &&
          !g_file_replace_contents (work->file, g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                                    NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                    NULL, cancellable, &error))
        g_clear_pointer (&out, g_bytes_unref);
    }
  else
    {
      g_autoptr(GBytes) file = load_bounded (work->file, AIR_AGE_MAX_FILE, cancellable, &error);
      GStrv identities = NULL;

      if (file != NULL && work->passphrase == NULL)
        identities = load_identities (work->identity, cancellable, &error);
      if (file != NULL && (identities != NULL || work->passphrase != NULL))
        {
          if (work->passphrase != NULL && !air_age_needs_passphrase (file))
            g_set_error_literal (&error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                                 _("This file is not encrypted to a passphrase: choose an identity file."));
          else
            out = air_age_decrypt (file, (const char * const *) identities, work->passphrase, &error);
        }
      for (guint i = 0; identities != NULL && identities[i] != NULL; i++)
        sodium_memzero (identities[i], strlen (identities[i]));
      g_strfreev (identities);
    }

  if (out == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&out), (GDestroyNotify) g_bytes_unref);
}

/* The passphrase entry's text, copied into guarded memory. */
static char *
dup_passphrase (AirConfigDialog *self, gboolean confirm, GError **error)
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

/* ---- export ---- */

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AirConfigDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = g_task_propagate_pointer (G_TASK (result), &error);
  Work *work = g_task_get_task_data (G_TASK (result));

  if (out == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->step = STEP_CHOOSE;
          air_message_label_set (self->message, error->message, TRUE);
          update (self);
        }
      return;
    }
  {
    g_autofree char *name = g_file_get_parse_name (work->file);
    g_autofree char *text = g_strdup_printf (_("The configuration was written to %s."), name);

    self->step = STEP_DONE;
    air_message_label_set (self->message, text, FALSE);
    update (self);
  }
}

static char *
dup_export_zone (AirConfigDialog *self)
{
  guint position = gtk_drop_down_get_selected (self->zone_dropdown);
  GtkStringObject *item = gtk_drop_down_get_selected_item (self->zone_dropdown);

  /* the first row is “All zones” */
  return position == 0 || item == NULL ? NULL : g_strdup (gtk_string_object_get_string (item));
}

void
air_config_dialog_export_to (AirConfigDialog *self,
                             GFile           *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *zone = NULL;
  Work *work;

  g_return_if_fail (AIR_IS_CONFIG_DIALOG (self));
  g_return_if_fail (self->mode == AIR_CONFIG_DIALOG_EXPORT);

  work = g_new0 (Work, 1);
  work->encrypt = TRUE;
  work->file = g_object_ref (file);
  if (gtk_check_button_get_active (self->use_passphrase))
    work->passphrase = dup_passphrase (self, TRUE, &error);
  else
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
  if (error != NULL)
    {
      work_free (work);
      air_message_label_set (self->message, error->message, TRUE);
      return;
    }

  zone = dup_export_zone (self);
  work->plain = air_config_bundle_export (air_session_get_registry (self->session), zone);
  self->step = STEP_BUSY;
  air_message_label_set (self->message, _("Encrypting…"), FALSE);
  update (self);

  task = g_task_new (NULL, self->cancellable, exported_cb, g_object_ref (self));
  g_task_set_source_tag (task, air_config_dialog_export_to);
  g_task_set_task_data (task, work, (GDestroyNotify) work_free);
  g_task_run_in_thread (task, crypto_thread);
}

/* ---- import ---- */

static void
show_plan (AirConfigDialog *self)
{
  AirZoneRegistry *registry = air_session_get_registry (self->session);
  GListModel *zones = air_zone_registry_get_zones (self->incoming);
  gboolean replace = gtk_check_button_get_active (self->replace_check);
  g_autoptr(GString) text = g_string_new (_("This file holds:"));

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
  gtk_label_set_text (self->summary, text->str);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.go", self->chosen->len > 0);
  air_message_label_set (self->message, self->chosen->len > 0
                                        ? _("Nothing has changed yet. Press Import to add these zones.")
                                        : _("Nothing to import: tick “Replace zones of the same name” to replace them."),
                         FALSE);
}

static void
replace_toggled_cb (AirConfigDialog *self)
{
  if (self->step == STEP_REVIEW)
    show_plan (self);
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AirConfigDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->incoming);
  if (plain != NULL)
    self->incoming = air_config_bundle_read (plain, &error);
  if (self->incoming == NULL)
    {
      self->step = STEP_CHOOSE;
      air_message_label_set (self->message, error->message, TRUE);
      update (self);
      return;
    }
  self->step = STEP_REVIEW;
  update (self);
  show_plan (self);
}

static void
open_file (AirConfigDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  Work *work;

  if (self->file == NULL)
    {
      air_message_label_set (self->message, _("Choose the file to import."), TRUE);
      return;
    }
  work = g_new0 (Work, 1);
  work->file = g_object_ref (self->file);
  if (gtk_check_button_get_active (self->use_passphrase))
    work->passphrase = dup_passphrase (self, FALSE, &error);
  else if (self->identity == NULL)
    g_set_error_literal (&error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                         _("Choose the age identity file the configuration was encrypted to, or use its passphrase."));
  else
    work->identity = g_object_ref (self->identity);
  if (error != NULL)
    {
      work_free (work);
      air_message_label_set (self->message, error->message, TRUE);
      return;
    }

  self->step = STEP_BUSY;
  air_message_label_set (self->message, _("Opening…"), FALSE);
  update (self);
  task = g_task_new (NULL, self->cancellable, opened_cb, g_object_ref (self));
  g_task_set_source_tag (task, open_file);
  g_task_set_task_data (task, work, (GDestroyNotify) work_free);
  g_task_run_in_thread (task, crypto_thread);
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
  update (self);
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
  g_autoptr(GBytes) answer = air_zone_setup_configure_finish (AIR_TRANSPORT (source), result, &error);
  g_autoptr(AirWireguardSetup) wireguard = NULL;
  const char *name = self->chosen->pdata[self->next];

  if (answer != NULL)
    wireguard = air_zone_setup_parse_configured (answer, &error);
  if (error == NULL)
    air_config_bundle_take_zone (air_session_get_registry (self->session), self->incoming, name, &error);
  if (error != NULL)
    {
      import_failed (self, name, error);
      return;
    }
  if (wireguard != NULL)
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

          /* the gateway first, as Add Zone does (a WireGuard zone gets a
           * new key pair, made in the vault) */
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
import_zones (AirConfigDialog *self)
{
  g_autofree char *title = NULL;

  if (self->chosen->len == 0)
    return;
  title = g_strdup (_("Import configuration"));
  g_clear_object (&self->job);
  self->job = air_job_new (title, NULL);
  air_session_add_job (self->session, self->job);
  g_string_assign (self->report, "");
  g_string_append_printf (self->report,
                          ngettext ("Imported %u zone.", "Imported %u zones.", self->chosen->len),
                          self->chosen->len);
  self->next = 0;
  self->step = STEP_BUSY;
  update (self);
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
    open_file (self);
  else if (self->step == STEP_REVIEW)
    import_zones (self);
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
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, keys_box);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, recipients_entry);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, identity_box);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, identity_label);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, passphrase_box);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, passphrase_entry);
  gtk_widget_class_bind_template_child (widget_class, AirConfigDialog, confirm_entry);
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
  g_signal_connect_swapped (self->replace_check, "toggled", G_CALLBACK (replace_toggled_cb), self);
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
                          "leaves the vault. Debian's “age -d” can open the file.")
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
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->go_button));
  update (self);
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
