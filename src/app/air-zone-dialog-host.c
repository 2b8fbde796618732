/* air-zone-dialog-host.c
 *
 * The ssh driver's zone host in the zone dialog: the host's settings as
 * the fields say, whether they changed, and adding it in two steps — the
 * gateway is told the host (and makes a WireGuard tunnel's key pair when
 * asked) and scans its key, shown for the user to compare; once trusted
 * it is pinned and the zone saved.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-error.h"
#include "air-host-key.h"
#include "air-json.h"
#include "air-wireguard-key.h"
#include "air-zone-dialog-private.h"

/* A host, or a WireGuard endpoint alone (the host is then reached at its
 * tunnel address, as with “qair zone add --wireguard”), or a peer key
 * (checked, never dropped unseen). */
gboolean
_air_zone_dialog_wants_host_setup (AirZoneDialog *self)
{
  return _air_zone_dialog_is_ssh (self) &&
         (gtk_editable_get_text (GTK_EDITABLE (self->host_entry))[0] != '\0' ||
          gtk_editable_get_text (GTK_EDITABLE (self->wireguard_entry))[0] != '\0' ||
          gtk_editable_get_text (GTK_EDITABLE (self->wireguard_key_entry))[0] != '\0');
}

char *
_air_zone_dialog_dup_text_or_null (GtkEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  return text[0] != '\0' ? g_strdup (text) : NULL;
}

/* The host as the fields say, over what the zone had: what the dialog
 * does not show (the known_hosts file) stays as it was. */
AirSshConfig *
_air_zone_dialog_dup_ssh_config (AirZoneDialog *self)
{
  AirSshConfig *config = self->original ? air_ssh_config_copy (self->original)
                                        : air_ssh_config_new (gtk_editable_get_text (GTK_EDITABLE (self->host_entry)));
  g_autofree char *agent = _air_zone_dialog_dup_text_or_null (self->agent_entry);

  g_free (config->host);
  config->host = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->host_entry)));
  /* Through its tunnel only: the host is at its tunnel address. */
  if (config->host[0] == '\0' && gtk_editable_get_text (GTK_EDITABLE (self->wireguard_entry))[0] != '\0')
    {
      g_free (config->host);
      air_wireguard_addresses (gtk_editable_get_text (GTK_EDITABLE (self->name_entry)), NULL, &config->host);
    }
  config->port = (guint) gtk_spin_button_get_value_as_int (self->port_spin);
  g_free (config->user);
  config->user = _air_zone_dialog_dup_text_or_null (self->user_entry);
  g_free (config->agent_path);
  config->agent_path = g_strdup (agent ? agent : AIR_SSH_DEFAULT_AGENT);
  config->connect_timeout = (guint) gtk_spin_button_get_value_as_int (self->timeout_spin);
  g_free (config->wireguard);
  config->wireguard = _air_zone_dialog_dup_text_or_null (self->wireguard_entry);
  return config;
}

static char *
ssh_config_json (const AirSshConfig *config)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  air_ssh_config_add_members (config, builder, TRUE);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

/* Whether the host's settings differ from the zone's: only then is the
 * gateway told anything, and asked for the host's key. */
gboolean
_air_zone_dialog_host_changed (AirZoneDialog *self)
{
  g_autoptr(AirSshConfig) config = NULL;
  g_autofree char *now = NULL;
  g_autofree char *before = NULL;

  if (self->original == NULL)
    return TRUE;
  /* Another gateway must be told the host, and pin its key itself. */
  if (self->zone != NULL)
    {
      g_autofree char *gateway = _air_zone_dialog_dup_gateway (self);

      if (g_strcmp0 (gateway, air_zone_get_gateway (self->zone)) != 0)
        return TRUE;
    }
  if (gtk_editable_get_text (GTK_EDITABLE (self->wireguard_key_entry))[0] != '\0')
    return TRUE;
  config = _air_zone_dialog_dup_ssh_config (self);
  now = ssh_config_json (config);
  before = ssh_config_json (self->original);
  return strcmp (now, before) != 0;
}

/* The user trusts the key shown (host key or certificate key): the
 * gateway pins it only if the peer still offers it, saying @text
 * meanwhile; @callback gets the answer. %FALSE while no key was shown. */
gboolean
_air_zone_dialog_pin_shown_key (AirZoneDialog       *self,
                                const char          *text,
                                GAsyncReadyCallback  callback)
{
  g_autofree char *request = NULL;

  if (self->fingerprint == NULL)
    return FALSE;
  request = air_zone_setup_pin_request (self->fingerprint);
  _air_zone_dialog_setup_call (self, "pin", request, text, callback);
  return TRUE;
}

/* Whether the gateway's answer to "pin" says it pinned the fingerprint
 * shown (only that counts); else the dialog says nothing is trusted. */
gboolean
_air_zone_dialog_confirm_pinned (AirZoneDialog *self,
                                 GBytes        *answer)
{
  g_autoptr(JsonObject) root = NULL;
  const char *said = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (answer, &len);

  root = len > 0 ? air_json_parse_object (data, len, AIR_ZONE_SETUP_MAX_ANSWER, NULL) : NULL;
  if (root == NULL || !air_json_get_string (root, "pinned", 100, &said, NULL) ||
      !air_zone_setup_fingerprints_equal (said, self->fingerprint))
    {
      g_autoptr(GError) refused = g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                                       _("The gateway did not confirm that it pinned the key; "
                                                         "nothing is trusted yet. Try again."));
      _air_zone_dialog_fail (self, refused);
      return FALSE;
    }
  return TRUE;
}

/* The key a scan found, for the user to compare (@text says with what)
 * and trust: the next Save pins it. */
void
_air_zone_dialog_show_key (AirZoneDialog *self,
                           const char    *text,
                           const char    *shown)
{
  gtk_label_set_text (self->host_key_label, text);
  gtk_label_set_text (self->fingerprint_label, shown);
  gtk_widget_set_visible (GTK_WIDGET (self->trust_check), TRUE);
  gtk_widget_set_visible (self->host_key_box, TRUE);
  gtk_button_set_label (self->save_button, self->zone ? _("_Trust and Save") : _("_Trust and Add"));
  self->busy = FALSE;
  _air_zone_dialog_validate (self);
}

static void
pinned_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GBytes) answer = _air_zone_dialog_setup_call_finish (self, object, result);

  if (answer != NULL && _air_zone_dialog_confirm_pinned (self, answer))
    _air_zone_dialog_save_zone (self, FALSE, NULL);
}

static void
scanned_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = _air_zone_dialog_setup_call_finish (self, object, result);
  g_autoptr(GPtrArray) keys = NULL;
  g_autofree char *text = NULL;
  g_autofree char *type = NULL;
  g_autofree char *shown = NULL;
  const char *key;

  if (answer == NULL)
    return;
  if ((keys = air_zone_setup_parse_host_keys (answer, &error)) == NULL)
    {
      _air_zone_dialog_fail (self, error);
      return;
    }

  /* The strongest type comes first (ed25519). */
  key = g_ptr_array_index (keys, 0);
  type = g_strndup (key, strcspn (key, " "));
  self->fingerprint = air_host_key_fingerprint (key);
  /* The command on a line of its own: not broken at its own hyphen. */
  text = g_strdup_printf (_("The host %s offers the key below. Compare it with what this prints on the host:\n"
                            "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub"),
                          self->pending->host);
  shown = g_strdup_printf ("%s %s", type, self->fingerprint);
  _air_zone_dialog_show_key (self, text, shown);
}

static void
configured_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = air_zone_setup_configure_finish (AIR_TRANSPORT (object), result, &error);
  g_autoptr(AirWireguardSetup) wireguard = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (answer == NULL)
    {
      _air_zone_dialog_fail (self, error);
      return;
    }

  /* A new tunnel: the host needs its half before it can answer. The zone
   * is saved, its key to be pinned once the tunnel is up. */
  wireguard = air_zone_setup_parse_configured (answer, &error);
  if (wireguard != NULL)
    {
      _air_zone_dialog_save_zone (self, FALSE, g_steal_pointer (&wireguard));
      return;
    }
  g_clear_error (&error);

  _air_zone_dialog_setup_call (self, "scan", NULL, _("Asking the host for its key…"), scanned_cb);
}

void
_air_zone_dialog_start_host_setup (AirZoneDialog *self)
{
  g_autofree char *gateway = _air_zone_dialog_dup_gateway (self);
  g_autofree char *text = NULL;

  if (_air_zone_dialog_pin_shown_key (self, _("Pinning the host key…"), pinned_cb))
    return;

  g_clear_pointer (&self->pending, air_ssh_config_free);
  self->pending = _air_zone_dialog_dup_ssh_config (self);
  {
    const char *peer_key = gtk_editable_get_text (GTK_EDITABLE (self->wireguard_key_entry));

    /* A WireGuard zone's key pair is made in the vault first. */
    text = g_strdup_printf (_("Sending the host's address to %s…"), gateway);
    _air_zone_dialog_set_busy (self, TRUE, text);
    air_zone_setup_configure_async (air_transport_get_default (),
                                    gtk_editable_get_text (GTK_EDITABLE (self->name_entry)), gateway,
                                    self->pending, peer_key[0] ? peer_key : NULL,
                                    self->cancellable, configured_cb, g_object_ref (self));
  }
}
