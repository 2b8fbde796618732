/* air-credential-dialog.c
 *
 * Collects what the vault needs to store one credential: zone, kind, label,
 * the gateway allowed to read it, and the secret, typed or pasted into a
 * GtkPasswordEntry (its text lives in GTK's non-pageable memory and is
 * never shown). For the kind ssh-key there is no secret to enter: the vault
 * makes the key pair itself and only the public key comes back.
 *
 * The dialog stores nothing: "store" hands the values to whoever opened it
 * (the credentials page), which runs the vault call as a job. The secret
 * goes out in a GBytes that is zeroed when its last reference goes, and the
 * entry is emptied at once.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-credential-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-message-label.h"
#include "air-credential-dialog.h"
#include "air-names.h"
#include "air-secret-buffer.h"
#include "air-vault-client.h"

struct _AirCredentialDialog
{
  GtkWindow         parent_instance;

  /* Template widgets */
  GtkDropDown      *zone_dropdown;
  GtkDropDown      *kind_dropdown;
  GtkEntry         *label_entry;
  GtkEntry         *gateway_entry;
  GtkWidget        *secret_title;
  GtkPasswordEntry *secret_entry;
  GtkLabel         *kind_hint;
  GtkLabel         *message;

  /* Owned references */
  AirSession       *session;
  gboolean          replace;
  gboolean          valid;
};

G_DEFINE_FINAL_TYPE (AirCredentialDialog, air_credential_dialog, GTK_TYPE_WINDOW)

enum {
  STORE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
air_credential_kind_get_display_name (const char *kind)
{
  if (g_strcmp0 (kind, "api-token") == 0)
    return _("API token");
  if (g_strcmp0 (kind, "service-account") == 0)
    return _("Service account key");
  if (g_strcmp0 (kind, "access-key") == 0)
    return _("Access key");
  if (g_strcmp0 (kind, "ssh-key") == 0)
    return _("SSH key");
  if (g_strcmp0 (kind, "wireguard-key") == 0)
    return _("WireGuard key");
  if (g_strcmp0 (kind, "age-identity") == 0)
    return _("age identity");
  return kind;
}

static const char *
kind_hint (const char *kind)
{
  if (g_strcmp0 (kind, "api-token") == 0)
    return _("A Proxmox API token, as “USER@REALM!TOKENID=SECRET”.");
  if (g_strcmp0 (kind, "service-account") == 0)
    return _("Paste the whole JSON key file of a Google Cloud service account.");
  if (g_strcmp0 (kind, "access-key") == 0)
    return _("An AWS access key, as “KEY_ID:SECRET_ACCESS_KEY”.");
  if (g_strcmp0 (kind, "ssh-key") == 0)
    return _("The vault makes a new ed25519 key pair. Its private half never leaves the vault; "
             "the public key is shown when it is ready.");
  return "";
}

static char *
dup_zone (AirCredentialDialog *self)
{
  AirZone *zone = gtk_drop_down_get_selected_item (self->zone_dropdown);

  return zone ? g_strdup (air_zone_get_name (zone)) : NULL;
}

static const char *
get_kind (AirCredentialDialog *self)
{
  guint position = gtk_drop_down_get_selected (self->kind_dropdown);

  if (position >= g_strv_length ((char **) air_credential_kinds))
    return NULL;
  return air_credential_kinds[position];
}

static char *
dup_gateway (AirCredentialDialog *self,
             const char          *zone)
{
  const char *gateway = gtk_editable_get_text (GTK_EDITABLE (self->gateway_entry));

  if (gateway[0] != '\0')
    return g_strdup (gateway);
  return zone ? air_vault_default_gateway (zone) : NULL;
}

static void
validate (AirCredentialDialog *self)
{
  g_autofree char *zone = dup_zone (self);
  g_autofree char *gateway = NULL;
  g_autofree char *placeholder = NULL;
  g_autoptr(GError) error = NULL;
  const char *kind = get_kind (self);
  const char *label = gtk_editable_get_text (GTK_EDITABLE (self->label_entry));
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_entry));
  gboolean generate = g_strcmp0 (kind, "ssh-key") == 0;
  gboolean ok = FALSE;

  placeholder = zone ? air_vault_default_gateway (zone) : NULL;
  gtk_entry_set_placeholder_text (self->gateway_entry, placeholder);
  gateway = dup_gateway (self, zone);

  gtk_label_set_text (self->kind_hint, kind_hint (kind));
  gtk_widget_set_visible (self->secret_title, !generate);
  gtk_widget_set_visible (GTK_WIDGET (self->secret_entry), !generate);

  if (zone == NULL)
    air_message_label_set (self->message, _("Add a zone first: a credential belongs to one zone."), TRUE);
  else if (gateway == NULL || !air_name_validate (gateway, "gateway qube", &error))
    air_message_label_set (self->message, error ? error->message : _("Name the gateway qube that may read it."), TRUE);
  else if (label[0] == '\0')
    air_message_label_set (self->message, _("Give the credential a label, for example “home server token”."), FALSE);
  else if (strlen (label) > AIR_VAULT_MAX_LABEL)
    air_message_label_set (self->message, _("The label is too long."), TRUE);
  else if (!generate && secret[0] == '\0')
    air_message_label_set (self->message, _("Enter the secret. It is sent to the vault and never shown again."), FALSE);
  else if (!generate && strlen (secret) > AIR_VAULT_MAX_SECRET)
    air_message_label_set (self->message, _("The secret is larger than 64 KiB."), TRUE);
  else
    {
      g_autofree char *text = g_strdup_printf (_("Only the qube %s will be able to read it."), gateway);

      air_message_label_set (self->message, text, FALSE);
      ok = TRUE;
    }

  self->valid = ok;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.store", ok);
}

static void
changed_cb (AirCredentialDialog *self)
{
  validate (self);
}

/* The copy of the secret that goes to the page: locked where the system
 * allows, zeroed when freed. */
static GBytes *
take_secret (AirCredentialDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->secret_entry));
  gsize len = strlen (text);
  AirSecretBuffer *copy;

  if (len == 0)
    return NULL;

  copy = air_secret_buffer_new (len);
  memcpy (copy->data, text, len);
  /* GtkPasswordEntryBuffer wipes the text it lets go of. */
  gtk_editable_set_text (GTK_EDITABLE (self->secret_entry), "");
  return air_secret_buffer_to_bytes (copy, len);
}

static void
store_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  AirCredentialDialog *self = AIR_CREDENTIAL_DIALOG (widget);
  g_autofree char *zone = dup_zone (self);
  g_autofree char *gateway = dup_gateway (self, zone);
  g_autoptr(GBytes) secret = NULL;
  const char *kind = get_kind (self);

  validate (self);
  if (!self->valid || zone == NULL || kind == NULL)
    return;

  if (g_strcmp0 (kind, "ssh-key") != 0)
    secret = take_secret (self);

  g_signal_emit (self, signals[STORE], 0, zone, kind,
                 gtk_editable_get_text (GTK_EDITABLE (self->label_entry)),
                 gateway, secret, self->replace);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
air_credential_dialog_dispose (GObject *object)
{
  AirCredentialDialog *self = (AirCredentialDialog *)object;

  /* Nothing typed outlives the dialog. */
  if (self->secret_entry != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->secret_entry), "");

  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_CREDENTIAL_DIALOG);

  G_OBJECT_CLASS (air_credential_dialog_parent_class)->dispose (object);
}

static void
air_credential_dialog_finalize (GObject *object)
{
  AirCredentialDialog *self = (AirCredentialDialog *)object;

  g_clear_object (&self->session);

  G_OBJECT_CLASS (air_credential_dialog_parent_class)->finalize (object);
}

static void
air_credential_dialog_class_init (AirCredentialDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_credential_dialog_dispose;
  object_class->finalize = air_credential_dialog_finalize;

  /**
   * AirCredentialDialog::store:
   * @zone, @kind, @label, @gateway: what to store
   * @secret: (nullable): the secret; %NULL for an ssh-key made in the vault
   * @replace: whether it replaces a stored credential
   */
  signals[STORE] =
    g_signal_new ("store", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 6,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                  G_TYPE_BYTES, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-credential-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AirCredentialDialog, zone_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialDialog, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialDialog, label_entry);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialDialog, gateway_entry);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialDialog, secret_title);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialDialog, secret_entry);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialDialog, kind_hint);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialDialog, message);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);

  gtk_widget_class_install_action (widget_class, "dialog.store", NULL, store_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
air_credential_dialog_init (AirCredentialDialog *self)
{
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; air_credential_kinds[i] != NULL; i++)
    gtk_string_list_append (kinds, air_credential_kind_get_display_name (air_credential_kinds[i]));
  gtk_drop_down_set_model (self->kind_dropdown, G_LIST_MODEL (kinds));
}

/**
 * air_credential_dialog_new:
 * @zone: (nullable): the zone to preselect
 * @kind: (nullable): the kind to preselect
 * @replace: %TRUE to replace the credential @zone and @kind name, which
 *   are then fixed
 */
AirCredentialDialog *
air_credential_dialog_new (GtkWindow  *parent,
                           AirSession *session,
                           const char *zone,
                           const char *kind,
                           gboolean    replace)
{
  AirCredentialDialog *self;
  g_autoptr(GtkExpression) name = NULL;
  GListModel *zones;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);

  self = g_object_new (AIR_TYPE_CREDENTIAL_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->replace = replace;

  zones = air_session_get_zones (session);
  name = gtk_property_expression_new (AIR_TYPE_ZONE, NULL, "name");
  gtk_drop_down_set_expression (self->zone_dropdown, name);
  gtk_drop_down_set_model (self->zone_dropdown, zones);
  for (guint i = 0; zone != NULL && i < g_list_model_get_n_items (zones); i++)
    {
      g_autoptr(AirZone) item = g_list_model_get_item (zones, i);

      if (g_strcmp0 (air_zone_get_name (item), zone) == 0)
        gtk_drop_down_set_selected (self->zone_dropdown, i);
    }

  for (guint i = 0; kind != NULL && air_credential_kinds[i] != NULL; i++)
    if (g_str_equal (air_credential_kinds[i], kind))
      gtk_drop_down_set_selected (self->kind_dropdown, i);

  if (replace)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->zone_dropdown), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->kind_dropdown), FALSE);
      gtk_window_set_title (GTK_WINDOW (self), _("Replace Credential"));
    }

  validate (self);
  return self;
}
