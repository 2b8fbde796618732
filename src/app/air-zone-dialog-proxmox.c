/* air-zone-dialog-proxmox.c
 *
 * The proxmox driver's server in the zone dialog: its fields checked as
 * they are typed; then the gateway is told the server, reports its TLS
 * certificate's key for the user to compare, pins it once trusted, and
 * the API token goes to the vault before the zone is saved. With a
 * WireGuard endpoint the tunnel's key pair is made in the vault first, the
 * gateway is told the server and the tunnel, and the zone is saved with
 * the Proxmox host's half shown: its certificate is pinned once the tunnel
 * is up (qair zone up, then qair zone trust), as for an ssh zone's host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-secret-buffer.h"
#include "air-wireguard-key.h"
#include "air-zone-dialog-private.h"

/* What the user runs on the Proxmox server to see the same fingerprint. */
static const char compare_command[] =
  "openssl x509 -in /etc/pve/local/pve-ssl.pem -pubkey -noout | "
  "openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64";

/* As the proxmox driver and qair cred put hold it. */
#define MAX_TOKEN 512

static gboolean
entry_is_empty (GtkEntry *entry)
{
  return gtk_editable_get_text (GTK_EDITABLE (entry))[0] == '\0';
}

/* A new proxmox zone, another driver or gateway, or a server typed in:
 * the gateway must be told the server and pin its certificate. */
gboolean
_air_zone_dialog_wants_proxmox_setup (AirZoneDialog *self)
{
  g_autofree char *gateway = NULL;

  if (!_air_zone_dialog_is_proxmox (self))
    return FALSE;
  if (!_air_zone_dialog_was_proxmox (self) || !entry_is_empty (self->url_entry) || !entry_is_empty (self->node_entry) ||
      !entry_is_empty (self->pool_entry) || !entry_is_empty (self->storage_entry) ||
      !entry_is_empty (self->wireguard_entry) || !entry_is_empty (self->wireguard_key_entry))
    return TRUE;
  gateway = _air_zone_dialog_dup_gateway (self);
  return g_strcmp0 (gateway, air_zone_get_gateway (self->zone)) != 0;
}

gboolean
_air_zone_dialog_has_token (AirZoneDialog *self)
{
  return !entry_is_empty (self->token_entry) ||
         gtk_editable_get_text (GTK_EDITABLE (self->secret_entry))[0] != '\0';
}

/* The Proxmox URL as the gateway accepts it: https://HOST[:PORT][/]. */
static gboolean
proxmox_url_is_valid (const char *url)
{
  const char *host;

  if (strlen (url) > 300 || !g_str_has_prefix (url, "https://"))
    return FALSE;
  host = url + strlen ("https://");
  if (*host == '\0' || *host == '/' || *host == ':')
    return FALSE;
  for (const char *p = host; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || strchr (".-:[]", *p) != NULL || (*p == '/' && p[1] == '\0')))
      return FALSE;
  return TRUE;
}

/* USER@REALM!TOKENID, as Proxmox VE names an API token. */
static gboolean
token_id_is_valid (const char *id)
{
  const char *at = strchr (id, '@');
  const char *bang = strchr (id, '!');

  if (at == NULL || bang == NULL || at == id || bang < at + 2 || bang[1] == '\0' ||
      strchr (bang + 1, '=') != NULL || strlen (id) > 200)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (*p <= ' ' || *p > '~')
      return FALSE;
  return TRUE;
}

/* The secret Proxmox showed once: printable, no spaces (a UUID). */
static gboolean
token_secret_is_valid (const char *secret)
{
  gsize len = strlen (secret);

  if (len == 0 || len > 200)
    return FALSE;
  for (const char *p = secret; *p != '\0'; p++)
    if (*p <= ' ' || *p > '~')
      return FALSE;
  return TRUE;
}

/* The proxmox fields' problem, or NULL when they are fine; *@is_error
 * when something typed is wrong, not merely still missing. */
const char *
_air_zone_dialog_proxmox_problem (AirZoneDialog  *self,
                                  gboolean       *is_error,
                                  GError        **error)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_entry));
  const char *node = gtk_editable_get_text (GTK_EDITABLE (self->node_entry));
  const char *pool = gtk_editable_get_text (GTK_EDITABLE (self->pool_entry));
  const char *storage = gtk_editable_get_text (GTK_EDITABLE (self->storage_entry));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_entry));
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_entry));
  const char *endpoint = gtk_editable_get_text (GTK_EDITABLE (self->wireguard_entry));
  const char *peer_key = gtk_editable_get_text (GTK_EDITABLE (self->wireguard_key_entry));
  gboolean setup = _air_zone_dialog_wants_proxmox_setup (self);

  *is_error = FALSE;
  if (setup && url[0] == '\0')
    return _air_zone_dialog_was_proxmox (self)
           ? _("Enter the Proxmox server's URL and node too: the gateway is told all its settings at once.")
           : _("Enter the Proxmox server's URL, e.g. https://pve.example.org:8006.");
  *is_error = TRUE;
  if (url[0] != '\0' && !proxmox_url_is_valid (url))
    return _("The Proxmox URL must be https://HOST or https://HOST:PORT, e.g. https://pve.example.org:8006.");
  *is_error = FALSE;
  if (setup && node[0] == '\0')
    return _("Enter the Proxmox node the zone's VMs run on, as its web interface lists it under Datacenter.");
  *is_error = TRUE;
  if ((node[0] != '\0' && !air_name_validate (node, N_("Proxmox node"), error)) ||
      (pool[0] != '\0' && !air_name_validate (pool, N_("Proxmox pool"), error)) ||
      (storage[0] != '\0' && !air_name_validate (storage, N_("Proxmox storage"), error)))
    return (*error)->message;
  if (endpoint[0] != '\0' && !air_wireguard_endpoint_validate (endpoint, error))
    return (*error)->message;
  if (peer_key[0] != '\0' && endpoint[0] == '\0')
    return _("A WireGuard peer key needs the Proxmox host's WireGuard endpoint (HOST:PORT).");
  if (peer_key[0] != '\0' && !air_wireguard_key_is_valid (peer_key))
    return _("The WireGuard peer key is the Proxmox host's public key: 44 characters of base64, "
             "as “wg pubkey” prints it.");
  *is_error = FALSE;
  /* A new proxmox zone needs its token; an existing one keeps the vault's
   * unless another is typed. */
  if (!_air_zone_dialog_was_proxmox (self) && token[0] == '\0' && secret[0] == '\0')
    return _("Enter the zone's API token: its ID (USER@REALM!TOKENID) and its secret. "
             "It goes to the vault, and only the gateway can read it.");
  *is_error = TRUE;
  if ((token[0] != '\0' || secret[0] != '\0') && !token_id_is_valid (token))
    return _("The API token ID is USER@REALM!TOKENID, e.g. “root@pam!qubes”, as Proxmox VE lists it "
             "under Datacenter → Permissions → API Tokens.");
  if ((token[0] != '\0' || secret[0] != '\0') && !token_secret_is_valid (secret))
    return _("Enter the token's secret as Proxmox VE showed it when the token was made "
             "(no spaces).");
  return NULL;
}

void
_air_zone_dialog_show_proxmox_fields (AirZoneDialog *self,
                                      gboolean       shown)
{
  GtkWidget *widgets[] = {
    self->url_label, GTK_WIDGET (self->url_entry), self->node_label, GTK_WIDGET (self->node_entry),
    self->pool_label, GTK_WIDGET (self->pool_entry), self->storage_label, GTK_WIDGET (self->storage_entry),
    self->token_label, GTK_WIDGET (self->token_entry), self->secret_label, GTK_WIDGET (self->secret_entry),
  };

  for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
    gtk_widget_set_visible (widgets[i], shown);
  /* The tunnel's fields are the host page's, shown for a Proxmox server
   * too (hidden by the host page for other drivers). */
  if (shown)
    {
      GtkWidget *tunnel[] = {
        self->wireguard_label, GTK_WIDGET (self->wireguard_entry),
        self->wireguard_key_label, GTK_WIDGET (self->wireguard_key_entry),
      };

      for (guint i = 0; i < G_N_ELEMENTS (tunnel); i++)
        gtk_widget_set_visible (tunnel[i], TRUE);
    }
}

/* ---- proxmox: configure, scan, pin, the token to the vault, save ---- */

/* The token as the driver sends it, ID=SECRET, in locked memory wiped
 * when freed; the secret entry is emptied (its buffer wipes what it
 * lets go of). */
static GBytes *
take_token (AirZoneDialog *self)
{
  const char *id = gtk_editable_get_text (GTK_EDITABLE (self->token_entry));
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_entry));
  gsize id_len = strlen (id), secret_len = strlen (secret);
  AirSecretBuffer *copy;

  if (id_len == 0 || secret_len == 0 || id_len + 1 + secret_len > MAX_TOKEN)
    return NULL;
  copy = air_secret_buffer_new (id_len + 1 + secret_len);
  memcpy (copy->data, id, id_len);
  copy->data[id_len] = '=';
  memcpy (copy->data + id_len + 1, secret, secret_len);
  gtk_editable_set_text (GTK_EDITABLE (self->secret_entry), "");
  return air_secret_buffer_to_bytes (copy, copy->size);
}

static void
token_stored_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirCredentialInfo) info = air_vault_client_put_finish (AIR_VAULT_CLIENT (object), result, &error);

  g_clear_pointer (&self->token, g_bytes_unref);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (info == NULL)
    {
      g_autoptr(GError) said = g_error_new (error->domain, error->code,
                                            _("The vault did not store the API token (%s); the zone was not saved. "
                                              "Enter the secret again and retry."),
                                            error->message);
      _air_zone_dialog_fail (self, said);
      return;
    }
  _air_zone_dialog_save_zone (self, FALSE, g_steal_pointer (&self->tunnel));
}

/* The token, if one was typed, to the vault for the zone's gateway; then
 * the zone into the list. */
void
_air_zone_dialog_store_token_and_save (AirZoneDialog *self)
{
  g_autofree char *gateway = _air_zone_dialog_dup_gateway (self);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));

  if (!_air_zone_dialog_has_token (self))
    {
      _air_zone_dialog_save_zone (self, FALSE, g_steal_pointer (&self->tunnel));
      return;
    }
  g_clear_pointer (&self->token, g_bytes_unref);
  self->token = take_token (self);
  if (self->token == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                                                     _("Enter the API token's ID and secret."));
      _air_zone_dialog_fail (self, error);
      return;
    }
  if (self->vault == NULL)
    self->vault = air_vault_client_new (NULL);
  _air_zone_dialog_set_busy (self, TRUE, _("Storing the API token in the vault…"));
  air_vault_client_put_async (self->vault, name, "api-token", _("Proxmox API token"), gateway, self->token,
                              self->cancellable, token_stored_cb, g_object_ref (self));
}

static void
proxmox_pinned_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GBytes) answer = _air_zone_dialog_setup_call_finish (self, object, result);

  if (answer != NULL && _air_zone_dialog_confirm_pinned (self, answer))
    _air_zone_dialog_store_token_and_save (self);
}

static void
proxmox_scanned_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = _air_zone_dialog_setup_call_finish (self, object, result);
  g_autofree char *text = NULL;
  g_autofree char *url = NULL;

  if (answer == NULL)
    return;
  if ((self->fingerprint = air_zone_setup_parse_tls_pin (answer, &error)) == NULL)
    {
      _air_zone_dialog_fail (self, error);
      return;
    }

  url = air_text_sanitize (gtk_editable_get_text (GTK_EDITABLE (self->url_entry)), -1, 300);
  text = g_strdup_printf (_("The server %s shows the certificate key below. Compare it with what this "
                            "prints on the Proxmox server:\n%s"), url, compare_command);
  /* The command is to be copied, not typed. */
  gtk_label_set_selectable (self->host_key_label, TRUE);
  gtk_check_button_set_label (self->trust_check,
                        _("I compared this _fingerprint with the server's own and trust it"));
  _air_zone_dialog_show_key (self, text, self->fingerprint);
}

static void
proxmox_configured_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GBytes) answer = _air_zone_dialog_setup_call_finish (self, object, result);
  g_autoptr(GError) error = NULL;

  if (answer == NULL)
    return;
  /* A new tunnel: the Proxmox host needs its half before the server can
   * answer. The token is stored and the zone saved with that half shown;
   * the certificate is pinned once the tunnel is up. */
  g_clear_pointer (&self->tunnel, air_wireguard_setup_free);
  self->tunnel = air_zone_setup_parse_configured (answer, &error);
  if (error != NULL)
    {
      _air_zone_dialog_fail (self, error);
      return;
    }
  if (self->tunnel != NULL)
    {
      _air_zone_dialog_store_token_and_save (self);
      return;
    }
  _air_zone_dialog_setup_call (self, "scan", NULL, _("Asking the server for its certificate key…"),
                               proxmox_scanned_cb);
}

/* The server's settings (and tunnel) to the gateway; @public_key: the
 * gateway's WireGuard key, made in the vault, or NULL without a tunnel. */
static void
send_proxmox_settings (AirZoneDialog *self,
                       const char    *public_key)
{
  g_autofree char *gateway = _air_zone_dialog_dup_gateway (self);
  g_autofree char *pool = _air_zone_dialog_dup_text_or_null (self->pool_entry);
  g_autofree char *storage = _air_zone_dialog_dup_text_or_null (self->storage_entry);
  g_autofree char *endpoint = _air_zone_dialog_dup_text_or_null (self->wireguard_entry);
  g_autofree char *peer_key = _air_zone_dialog_dup_text_or_null (self->wireguard_key_entry);
  g_autofree char *request = NULL;
  g_autofree char *text = NULL;

  request = air_zone_setup_proxmox_request (gtk_editable_get_text (GTK_EDITABLE (self->url_entry)),
                                            gtk_editable_get_text (GTK_EDITABLE (self->node_entry)),
                                            pool, storage, public_key ? endpoint : NULL, peer_key, public_key);
  text = g_strdup_printf (_("Sending the server's address to %s…"), gateway);
  _air_zone_dialog_setup_call (self, "configure", request, text, proxmox_configured_cb);
}

static void
tunnel_key_made_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = air_vault_client_generate_key_finish (AIR_VAULT_CLIENT (object), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (key == NULL || !air_wireguard_key_is_valid (key))
    {
      g_autoptr(GError) said = g_error_new (AIR_ERROR, AIR_ERROR_FAILED,
                                            _("The vault made no WireGuard key for the tunnel: %s"),
                                            error ? error->message : _("its answer is not a WireGuard public key"));
      _air_zone_dialog_fail (self, said);
      return;
    }
  send_proxmox_settings (self, key);
}

void
_air_zone_dialog_start_proxmox_setup (AirZoneDialog *self)
{
  g_autofree char *gateway = _air_zone_dialog_dup_gateway (self);

  if (_air_zone_dialog_pin_shown_key (self, _("Pinning the certificate key…"), proxmox_pinned_cb))
    return;

  if (entry_is_empty (self->wireguard_entry))
    {
      send_proxmox_settings (self, NULL);
      return;
    }
  /* The tunnel's key pair is made in the vault first (replacing any the
   * zone had); the gateway gets its public half. */
  if (self->vault == NULL)
    self->vault = air_vault_client_new (NULL);
  _air_zone_dialog_set_busy (self, TRUE, _("The vault makes the tunnel's WireGuard key…"));
  air_vault_client_generate_async (self->vault, gtk_editable_get_text (GTK_EDITABLE (self->name_entry)),
                                   "wireguard-key", gateway, NULL, TRUE, self->cancellable,
                                   tunnel_key_made_cb, g_object_ref (self));
}
