/* air-zone-dialog.c
 *
 * A zone is a name, the gateway qube that serves it and the driver the
 * gateway uses. The gateway defaults to sys-remote-NAME as the architecture
 * names it; the entry shows that until the user types another.
 *
 * With the ssh driver and a host, adding is two steps, both asynchronous
 * calls to the gateway (qubesair.ZoneSetup): the gateway is told the host
 * and asks it for its key; the key's fingerprint — computed here, not
 * taken from the gateway — is shown, and only once the user ticks that
 * they compared and trust it is it pinned and the zone saved. A later
 * change of the host's key is refused by the gateway, never re-accepted
 * silently. Without a host the zone is only registered (its gateway set
 * up with “qair zone add”).
 *
 * With the proxmox driver the gateway is told the server's URL, node, pool
 * and storage, and reports the key of the server's TLS certificate; once
 * the user compared and trusted it, it is pinned, the API token typed into
 * the dialog goes to the vault (readable only by the gateway), and the
 * zone is saved. The token is held in locked memory that is wiped, never
 * in the zone list, a file or a log.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-error.h"
#include "air-message-label.h"
#include "air-host-key.h"
#include "air-json.h"
#include "air-names.h"
#include "air-spin-button.h"
#include "air-secret-buffer.h"
#include "air-vault-client.h"
#include "air-wireguard-key.h"
#include "air-zone-dialog.h"
#include "air-zone-setup-client.h"

static const char * const drivers[] = { "local", "ssh", "proxmox", NULL };
enum { DRIVER_LOCAL, DRIVER_SSH, DRIVER_PROXMOX };

/* What the user runs on the Proxmox server to see the same fingerprint. */
static const char compare_command[] =
  "openssl x509 -in /etc/pve/local/pve-ssl.pem -pubkey -noout | "
  "openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64";

/* As the proxmox driver and qair cred put hold it. */
#define MAX_TOKEN 512

struct _AirZoneDialog
{
  GtkWindow    parent_instance;

  /* Template widgets */
  GtkEntry    *name_entry;
  GtkEntry    *gateway_entry;
  GtkDropDown *driver_dropdown;
  GtkLabel    *message;
  GtkButton   *save_button;
  GtkWidget   *host_label;
  GtkEntry    *host_entry;
  GtkWidget   *port_label;
  GtkSpinButton *port_spin;
  GtkWidget   *user_label;
  GtkEntry    *user_entry;
  GtkWidget   *agent_label;
  GtkEntry    *agent_entry;
  GtkWidget   *timeout_label;
  GtkSpinButton *timeout_spin;
  GtkWidget   *wireguard_label;
  GtkEntry    *wireguard_entry;
  GtkWidget   *wireguard_key_label;
  GtkEntry    *wireguard_key_entry;
  GtkWidget   *host_key_box;
  GtkLabel    *host_key_label;
  GtkLabel    *fingerprint_label;
  GtkCheckButton *trust_check;
  GtkWidget   *url_label;
  GtkEntry    *url_entry;
  GtkWidget   *node_label;
  GtkEntry    *node_entry;
  GtkWidget   *pool_label;
  GtkEntry    *pool_entry;
  GtkWidget   *storage_label;
  GtkEntry    *storage_entry;
  GtkWidget   *token_label;
  GtkEntry    *token_entry;
  GtkWidget   *secret_label;
  GtkPasswordEntry *secret_entry;

  /* Owned references */
  AirSession  *session;
  AirZone     *zone;
  GCancellable *cancellable;
  AirSshConfig *pending;       /* sent to the gateway, awaiting the key */
  AirSshConfig *original;      /* the zone's host as it was, when editing */
  char        *fingerprint;    /* shown to the user */
  AirVaultClient *vault;       /* for the proxmox token */
  GBytes      *token;          /* taken from the entries, on its way to the vault */

  gboolean     busy;
};

G_DEFINE_FINAL_TYPE (AirZoneDialog, air_zone_dialog, GTK_TYPE_WINDOW)

static char *
dup_gateway (AirZoneDialog *self)
{
  const char *gateway = gtk_editable_get_text (GTK_EDITABLE (self->gateway_entry));

  if (gateway[0] != '\0')
    return g_strdup (gateway);
  return air_zone_dup_gateway_for (gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
}

static gboolean
is_ssh (AirZoneDialog *self)
{
  return gtk_drop_down_get_selected (self->driver_dropdown) == DRIVER_SSH;
}

static gboolean
is_proxmox (AirZoneDialog *self)
{
  return gtk_drop_down_get_selected (self->driver_dropdown) == DRIVER_PROXMOX;
}

static const char *
selected_driver (AirZoneDialog *self)
{
  return drivers[MIN (gtk_drop_down_get_selected (self->driver_dropdown), DRIVER_PROXMOX)];
}

static gboolean
entry_is_empty (GtkEntry *entry)
{
  return gtk_editable_get_text (GTK_EDITABLE (entry))[0] == '\0';
}

/* Whether the zone was a proxmox zone before this dialog. */
static gboolean
was_proxmox (AirZoneDialog *self)
{
  return self->zone != NULL && g_strcmp0 (air_zone_get_driver (self->zone), "proxmox") == 0;
}

/* A new proxmox zone, another driver or gateway, or a server typed in:
 * the gateway must be told the server and pin its certificate. */
static gboolean
wants_proxmox_setup (AirZoneDialog *self)
{
  g_autofree char *gateway = NULL;

  if (!is_proxmox (self))
    return FALSE;
  if (!was_proxmox (self) || !entry_is_empty (self->url_entry) || !entry_is_empty (self->node_entry) ||
      !entry_is_empty (self->pool_entry) || !entry_is_empty (self->storage_entry))
    return TRUE;
  gateway = dup_gateway (self);
  return g_strcmp0 (gateway, air_zone_get_gateway (self->zone)) != 0;
}

static gboolean
has_token (AirZoneDialog *self)
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
static const char *
proxmox_problem (AirZoneDialog *self,
                 gboolean      *is_error,
                 GError       **error)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_entry));
  const char *node = gtk_editable_get_text (GTK_EDITABLE (self->node_entry));
  const char *pool = gtk_editable_get_text (GTK_EDITABLE (self->pool_entry));
  const char *storage = gtk_editable_get_text (GTK_EDITABLE (self->storage_entry));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_entry));
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_entry));
  gboolean setup = wants_proxmox_setup (self);

  *is_error = FALSE;
  if (setup && url[0] == '\0')
    return was_proxmox (self)
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
  *is_error = FALSE;
  /* A new proxmox zone needs its token; an existing one keeps the vault's
   * unless another is typed. */
  if (!was_proxmox (self) && token[0] == '\0' && secret[0] == '\0')
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

static gboolean
wants_host_setup (AirZoneDialog *self)
{
  return is_ssh (self) && gtk_editable_get_text (GTK_EDITABLE (self->host_entry))[0] != '\0';
}

static gboolean host_changed (AirZoneDialog *self);

static char *
dup_text_or_null (GtkEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  return text[0] != '\0' ? g_strdup (text) : NULL;
}

/* The host as the fields say, over what the zone had: what the dialog
 * does not show (the known_hosts file) stays as it was. */
static AirSshConfig *
dup_ssh_config (AirZoneDialog *self)
{
  AirSshConfig *config = self->original ? air_ssh_config_copy (self->original)
                                        : air_ssh_config_new (gtk_editable_get_text (GTK_EDITABLE (self->host_entry)));
  g_autofree char *agent = dup_text_or_null (self->agent_entry);

  g_free (config->host);
  config->host = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->host_entry)));
  config->port = (guint) gtk_spin_button_get_value_as_int (self->port_spin);
  g_free (config->user);
  config->user = dup_text_or_null (self->user_entry);
  g_free (config->agent_path);
  config->agent_path = g_strdup (agent ? agent : AIR_SSH_DEFAULT_AGENT);
  config->connect_timeout = (guint) gtk_spin_button_get_value_as_int (self->timeout_spin);
  g_free (config->wireguard);
  config->wireguard = dup_text_or_null (self->wireguard_entry);
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
static gboolean
host_changed (AirZoneDialog *self)
{
  g_autoptr(AirSshConfig) config = NULL;
  g_autofree char *now = NULL;
  g_autofree char *before = NULL;

  if (self->original == NULL)
    return TRUE;
  /* Another gateway must be told the host, and pin its key itself. */
  if (self->zone != NULL)
    {
      g_autofree char *gateway = dup_gateway (self);

      if (g_strcmp0 (gateway, air_zone_get_gateway (self->zone)) != 0)
        return TRUE;
    }
  if (gtk_editable_get_text (GTK_EDITABLE (self->wireguard_key_entry))[0] != '\0')
    return TRUE;
  config = dup_ssh_config (self);
  now = ssh_config_json (config);
  before = ssh_config_json (self->original);
  return strcmp (now, before) != 0;
}

/* Nothing at all to save: the zone as it is. */
static gboolean
unchanged (AirZoneDialog *self)
{
  g_autofree char *gateway = dup_gateway (self);

  return self->zone != NULL &&
         g_strcmp0 (gateway, air_zone_get_gateway (self->zone)) == 0 &&
         g_strcmp0 (selected_driver (self), air_zone_get_driver (self->zone)) == 0 &&
         (!is_ssh (self) || !host_changed (self)) &&
         (!is_proxmox (self) || (!wants_proxmox_setup (self) && !has_token (self)));
}

/* Any change after the key was shown asks the host again. */
static void
forget_host_key (AirZoneDialog *self)
{
  g_clear_pointer (&self->pending, air_ssh_config_free);
  g_clear_pointer (&self->original, air_ssh_config_free);
  g_clear_pointer (&self->fingerprint, g_free);
  gtk_widget_set_visible (self->host_key_box, FALSE);
  gtk_check_button_set_active (self->trust_check, FALSE);
  gtk_check_button_set_label (self->trust_check,
                        _("I compared this _fingerprint with the host's own and trust it"));
  gtk_button_set_label (self->save_button, self->zone ? _("_Save") : _("_Add"));
}

static void
show_proxmox_fields (AirZoneDialog *self,
                     gboolean       shown)
{
  GtkWidget *widgets[] = {
    self->url_label, GTK_WIDGET (self->url_entry), self->node_label, GTK_WIDGET (self->node_entry),
    self->pool_label, GTK_WIDGET (self->pool_entry), self->storage_label, GTK_WIDGET (self->storage_entry),
    self->token_label, GTK_WIDGET (self->token_entry), self->secret_label, GTK_WIDGET (self->secret_entry),
  };

  for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
    gtk_widget_set_visible (widgets[i], shown);
}

static void
validate (AirZoneDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autofree char *gateway = NULL;
  g_autofree char *placeholder = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  if (self->session == NULL)
    return;

  gtk_widget_set_visible (self->host_label, is_ssh (self));
  gtk_widget_set_visible (GTK_WIDGET (self->host_entry), is_ssh (self));
  gtk_widget_set_visible (self->port_label, is_ssh (self));
  gtk_widget_set_visible (GTK_WIDGET (self->port_spin), is_ssh (self));
  gtk_widget_set_visible (self->user_label, is_ssh (self));
  gtk_widget_set_visible (GTK_WIDGET (self->user_entry), is_ssh (self));
  gtk_widget_set_visible (self->agent_label, is_ssh (self));
  gtk_widget_set_visible (GTK_WIDGET (self->agent_entry), is_ssh (self));
  gtk_widget_set_visible (self->timeout_label, is_ssh (self));
  /* The spin button with its unit. */
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->timeout_spin)), is_ssh (self));
  gtk_widget_set_visible (self->wireguard_label, is_ssh (self));
  gtk_widget_set_visible (GTK_WIDGET (self->wireguard_entry), is_ssh (self));
  gtk_widget_set_visible (self->wireguard_key_label, is_ssh (self));
  gtk_widget_set_visible (GTK_WIDGET (self->wireguard_key_entry), is_ssh (self));
  show_proxmox_fields (self, is_proxmox (self));

  placeholder = air_zone_dup_gateway_for (name[0] ? name : "NAME");
  gtk_entry_set_placeholder_text (self->gateway_entry, placeholder);
  gateway = dup_gateway (self);

  if (name[0] == '\0')
    air_message_label_set (self->message, _("Name the zone, for example “office” or “cloud”."), FALSE);
  else if (!air_name_validate (name, "zone", &error) ||
           !air_name_validate (gateway, "gateway qube", &error))
    air_message_label_set (self->message, error->message, TRUE);
  else if (self->zone == NULL && air_session_lookup_zone (self->session, name) != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("A zone called %s exists already."), name);
      air_message_label_set (self->message, text, TRUE);
    }
  else if (is_proxmox (self))
    {
      gboolean is_error = FALSE;
      const char *problem = proxmox_problem (self, &is_error, &error);

      if (problem != NULL)
        air_message_label_set (self->message, problem, is_error);
      else if (self->fingerprint != NULL)
        {
          air_message_label_set (self->message, _("Pinned once trusted: a different certificate key later is refused."), FALSE);
          ok = gtk_check_button_get_active (self->trust_check);
        }
      else if (wants_proxmox_setup (self))
        {
          air_message_label_set (self->message, _("Next, the gateway asks the server for its certificate key, for you to check."),
                                 FALSE);
          ok = TRUE;
        }
      else
        {
          air_message_label_set (self->message, has_token (self) ? _("The new token replaces the zone's token in the vault.")
                                                                   : _("The server and its pinned certificate stay as they are."),
                                 FALSE);
          ok = TRUE;
        }
    }
  else if (wants_host_setup (self))
    {
      g_autoptr(AirSshConfig) config = dup_ssh_config (self);
      const char *peer_key = gtk_editable_get_text (GTK_EDITABLE (self->wireguard_key_entry));

      if (!air_ssh_config_validate (config, &error) ||
          (config->wireguard != NULL && !air_wireguard_endpoint_validate (config->wireguard, &error)))
        air_message_label_set (self->message, error->message, TRUE);
      else if (peer_key[0] != '\0' && (config->wireguard == NULL || !air_wireguard_key_is_valid (peer_key)))
        air_message_label_set (self->message, config->wireguard == NULL
                                              ? _("A WireGuard peer key needs the host's WireGuard endpoint (HOST:PORT).")
                                              : _("The WireGuard peer key is the host's public key: 44 characters of base64, "
                                                  "as “wg pubkey” prints it."), TRUE);
      else if (!host_changed (self))
        {
          air_message_label_set (self->message, _("The host is as it was: its pinned key stays."), FALSE);
          ok = TRUE;
        }
      else if (self->fingerprint != NULL)
        {
          air_message_label_set (self->message, _("Pinned once trusted: a different key later is refused."), FALSE);
          ok = gtk_check_button_get_active (self->trust_check);
        }
      else
        {
          air_message_label_set (self->message, _("Next, the gateway asks the host for its key, for you to check."), FALSE);
          ok = TRUE;
        }
    }
  else
    {
      air_message_label_set (self->message, is_ssh (self) ? _("Without a host, set the gateway up with “qair zone add”.") : "",
                             FALSE);
      ok = TRUE;
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", ok && !self->busy);
}

static void
changed_cb (GtkEditable   *editable,
            AirZoneDialog *self)
{
  if (self->fingerprint != NULL && !self->busy)
    forget_host_key (self);
  validate (self);
}

/* The token is not the server: typing it keeps a certificate key shown. */
static void
token_changed_cb (GtkEditable   *editable,
                  AirZoneDialog *self)
{
  validate (self);
}

static void
port_changed_cb (GtkSpinButton *spin,
                 AirZoneDialog *self)
{
  changed_cb (NULL, self);
}

static void
driver_changed_cb (GtkDropDown   *dropdown,
                   GParamSpec    *pspec,
                   AirZoneDialog *self)
{
  changed_cb (NULL, self);
}

static void
trust_toggled_cb (GtkCheckButton *check,
                  AirZoneDialog  *self)
{
  validate (self);
}

static void
set_busy (AirZoneDialog *self,
          gboolean       busy,
          const char    *text)
{
  self->busy = busy;
  if (text != NULL)
    air_message_label_set (self->message, text, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", !busy);
}

static void
fail (AirZoneDialog *self,
      GError        *error)
{
  g_autofree char *shown = air_text_sanitize (error->message, -1, 400);

  self->busy = FALSE;
  forget_host_key (self);
  validate (self);
  air_message_label_set (self->message, shown, TRUE);
}

typedef struct {
  AirZoneDialog     *self;
  gboolean           keep_form;   /* a failure leaves the form as it was */
  AirWireguardSetup *wireguard;   /* saved: shown for the zone host */
} SaveRequest;

static void
save_request_free (SaveRequest *request)
{
  g_clear_object (&request->self);
  g_clear_pointer (&request->wireguard, air_wireguard_setup_free);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaveRequest, save_request_free)

static void
show_wireguard_setup (AirZoneDialog     *self,
                      AirWireguardSetup *wireguard)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf (_("On the zone host, put this in /etc/wireguard/%s.conf and run "
                            "“wg-quick up %s”. When the tunnel is up, pin the host's key with "
                            "“qair zone trust %s”, or Edit Zone again."),
                          wireguard->interface, wireguard->interface,
                          gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
  gtk_label_set_text (self->host_key_label, text);
  gtk_label_set_text (self->fingerprint_label, wireguard->host_config);
  gtk_widget_set_visible (self->host_key_box, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->trust_check), FALSE);
  set_busy (self, TRUE, _("Saved. The zone is used once its host key is pinned."));
}

/* Saved: the dialog closes, or shows the tunnel's other half; not: it
 * says why (and forgets a key shown, unless the form alone was saved). */
static void
zone_saved (SaveRequest  *request,
            GError       *error)
{
  AirZoneDialog *self = request->self;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (error != NULL && !request->keep_form)
    fail (self, error);
  else if (error != NULL)
    {
      set_busy (self, FALSE, NULL);
      air_message_label_set (self->message, error->message, TRUE);
    }
  else if (request->wireguard != NULL)
    show_wireguard_setup (self, request->wireguard);
  else
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
registry_saved_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SaveRequest) request = user_data;
  g_autoptr(GError) error = NULL;

  air_zone_registry_save_finish (AIR_ZONE_REGISTRY (object), result, &error);
  zone_saved (request, error);
}

/* Saves the zone in the management qube's list, with its host. The file,
 * when the dialog writes it, is written in a worker; otherwise the dialog
 * is done at once. Takes WIREGUARD. */
static void
save_zone (AirZoneDialog     *self,
           gboolean           keep_form,
           AirWireguardSetup *wireguard)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autofree char *gateway = dup_gateway (self);
  const char *driver = selected_driver (self);
  AirZoneRegistry *registry = air_session_get_registry (self->session);
  g_autoptr(SaveRequest) request = g_new0 (SaveRequest, 1);
  g_autoptr(GError) error = NULL;

  request->self = g_object_ref (self);
  request->keep_form = keep_form;
  request->wireguard = wireguard;

  if (self->zone != NULL && is_proxmox (self) && was_proxmox (self) &&
      g_strcmp0 (gateway, air_zone_get_gateway (self->zone)) == 0)
    ;   /* only the server or the token changed: the list stays */
  else if (self->zone != NULL ? !air_session_update_zone (self->session, name, gateway, driver, &error)
                              : !air_session_add_zone (self->session, name, gateway, driver, &error))
    ;
  else if ((self->pending != NULL || !is_ssh (self)) &&
           air_zone_registry_set_ssh_config (registry, name, is_ssh (self) ? self->pending : NULL, &error))
    {
      /* Not the dialog's cancellable: what is in the list now goes to
       * the file even if the dialog is closed meanwhile. */
      set_busy (self, TRUE, NULL);
      air_zone_registry_save_async (registry, NULL, registry_saved_cb, g_steal_pointer (&request));
      return;
    }
  zone_saved (request, error);
}

static void
pinned_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = air_zone_setup_call_finish (AIR_TRANSPORT (object), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (answer == NULL)
    {
      fail (self, error);
      return;
    }
  save_zone (self, FALSE, NULL);
}

static void
scanned_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = air_zone_setup_call_finish (AIR_TRANSPORT (object), result, &error);
  g_autoptr(GPtrArray) keys = NULL;
  g_autofree char *text = NULL;
  g_autofree char *type = NULL;
  const char *key;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (answer == NULL || (keys = air_zone_setup_parse_host_keys (answer, &error)) == NULL)
    {
      fail (self, error);
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
  gtk_label_set_text (self->host_key_label, text);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("%s %s", type, self->fingerprint);
  gtk_label_set_text (self->fingerprint_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->trust_check), TRUE);
  gtk_widget_set_visible (self->host_key_box, TRUE);
  gtk_button_set_label (self->save_button, self->zone ? _("_Trust and Save") : _("_Trust and Add"));
  self->busy = FALSE;
  validate (self);
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
  g_autofree char *gateway = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (answer == NULL)
    {
      fail (self, error);
      return;
    }

  /* A new tunnel: the host needs its half before it can answer. The zone
   * is saved, its key to be pinned once the tunnel is up. */
  wireguard = air_zone_setup_parse_configured (answer, &error);
  if (wireguard != NULL)
    {
      save_zone (self, FALSE, g_steal_pointer (&wireguard));
      return;
    }
  g_clear_error (&error);

  gateway = dup_gateway (self);
  set_busy (self, TRUE, _("Asking the host for its key…"));
  air_zone_setup_call_async (air_transport_get_default (), gateway, "scan", NULL,
                             self->cancellable, scanned_cb, g_object_ref (self));
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
      fail (self, said);
      return;
    }
  save_zone (self, FALSE, NULL);
}

/* The token, if one was typed, to the vault for the zone's gateway; then
 * the zone into the list. */
static void
store_token_and_save (AirZoneDialog *self)
{
  g_autofree char *gateway = dup_gateway (self);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));

  if (!has_token (self))
    {
      save_zone (self, FALSE, NULL);
      return;
    }
  g_clear_pointer (&self->token, g_bytes_unref);
  self->token = take_token (self);
  if (self->token == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                                                     _("Enter the API token's ID and secret."));
      fail (self, error);
      return;
    }
  if (self->vault == NULL)
    self->vault = air_vault_client_new (NULL);
  set_busy (self, TRUE, _("Storing the API token in the vault…"));
  air_vault_client_put_async (self->vault, name, "api-token", _("Proxmox API token"), gateway, self->token,
                              self->cancellable, token_stored_cb, g_object_ref (self));
}

static void
proxmox_pinned_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = air_zone_setup_call_finish (AIR_TRANSPORT (object), result, &error);
  g_autoptr(JsonObject) root = NULL;
  const char *said = NULL;
  gsize len = 0;
  const char *data;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (answer == NULL)
    {
      fail (self, error);
      return;
    }
  /* Only what the gateway says it pinned counts. */
  data = g_bytes_get_data (answer, &len);
  root = len > 0 ? air_json_parse_object (data, len, AIR_ZONE_SETUP_MAX_ANSWER, NULL) : NULL;
  if (root == NULL || !air_json_get_string (root, "pinned", 100, &said, NULL) ||
      !air_zone_setup_fingerprints_equal (said, self->fingerprint))
    {
      g_autoptr(GError) refused = g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                                       _("The gateway did not confirm that it pinned the certificate; "
                                                         "nothing is trusted yet. Try again."));
      fail (self, refused);
      return;
    }
  store_token_and_save (self);
}

static void
proxmox_scanned_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = air_zone_setup_call_finish (AIR_TRANSPORT (object), result, &error);
  g_autofree char *text = NULL;
  g_autofree char *url = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (answer == NULL || (self->fingerprint = air_zone_setup_parse_tls_pin (answer, &error)) == NULL)
    {
      fail (self, error);
      return;
    }

  url = air_text_sanitize (gtk_editable_get_text (GTK_EDITABLE (self->url_entry)), -1, 300);
  text = g_strdup_printf (_("The server %s shows the certificate key below. Compare it with what this "
                            "prints on the Proxmox server:\n%s"), url, compare_command);
  gtk_label_set_text (self->host_key_label, text);
  /* The command is to be copied, not typed. */
  gtk_label_set_selectable (self->host_key_label, TRUE);
  gtk_label_set_text (self->fingerprint_label, self->fingerprint);
  gtk_check_button_set_label (self->trust_check,
                        _("I compared this _fingerprint with the server's own and trust it"));
  gtk_widget_set_visible (GTK_WIDGET (self->trust_check), TRUE);
  gtk_widget_set_visible (self->host_key_box, TRUE);
  gtk_button_set_label (self->save_button, self->zone ? _("_Trust and Save") : _("_Trust and Add"));
  self->busy = FALSE;
  validate (self);
}

static void
proxmox_configured_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(AirZoneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = air_zone_setup_call_finish (AIR_TRANSPORT (object), result, &error);
  g_autofree char *gateway = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (answer == NULL)
    {
      fail (self, error);
      return;
    }
  gateway = dup_gateway (self);
  set_busy (self, TRUE, _("Asking the server for its certificate key…"));
  air_zone_setup_call_async (air_transport_get_default (), gateway, "scan", NULL,
                             self->cancellable, proxmox_scanned_cb, g_object_ref (self));
}

static void
start_proxmox_setup (AirZoneDialog *self)
{
  g_autofree char *gateway = dup_gateway (self);
  g_autofree char *request = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pool = NULL;
  g_autofree char *storage = NULL;

  if (self->fingerprint != NULL)
    {
      /* The gateway pins the key only if the server still shows it. */
      request = air_zone_setup_pin_request (self->fingerprint);
      set_busy (self, TRUE, _("Pinning the certificate key…"));
      air_zone_setup_call_async (air_transport_get_default (), gateway, "pin", request,
                                 self->cancellable, proxmox_pinned_cb, g_object_ref (self));
      return;
    }

  pool = dup_text_or_null (self->pool_entry);
  storage = dup_text_or_null (self->storage_entry);
  request = air_zone_setup_proxmox_request (gtk_editable_get_text (GTK_EDITABLE (self->url_entry)),
                                            gtk_editable_get_text (GTK_EDITABLE (self->node_entry)),
                                            pool, storage);
  text = g_strdup_printf (_("Sending the server's address to %s…"), gateway);
  set_busy (self, TRUE, text);
  air_zone_setup_call_async (air_transport_get_default (), gateway, "configure", request,
                             self->cancellable, proxmox_configured_cb, g_object_ref (self));
}

static void
start_host_setup (AirZoneDialog *self)
{
  g_autofree char *gateway = dup_gateway (self);
  g_autofree char *request = NULL;
  g_autofree char *text = NULL;

  if (self->fingerprint != NULL)
    {
      /* The user trusts what was shown: the gateway pins that key only
       * if the host still offers it. */
      request = air_zone_setup_pin_request (self->fingerprint);
      set_busy (self, TRUE, _("Pinning the host key…"));
      air_zone_setup_call_async (air_transport_get_default (), gateway, "pin", request,
                                 self->cancellable, pinned_cb, g_object_ref (self));
      return;
    }

  g_clear_pointer (&self->pending, air_ssh_config_free);
  self->pending = dup_ssh_config (self);
  {
    const char *peer_key = gtk_editable_get_text (GTK_EDITABLE (self->wireguard_key_entry));

    /* A WireGuard zone's key pair is made in the vault first. */
    text = g_strdup_printf (_("Sending the host's address to %s…"), gateway);
    set_busy (self, TRUE, text);
    air_zone_setup_configure_async (air_transport_get_default (),
                                    gtk_editable_get_text (GTK_EDITABLE (self->name_entry)), gateway,
                                    self->pending, peer_key[0] ? peer_key : NULL,
                                    self->cancellable, configured_cb, g_object_ref (self));
  }
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  AirZoneDialog *self = AIR_ZONE_DIALOG (widget);

  /* A number typed but not yet committed (Enter in another field) counts;
   * a change there forgets a key shown and validates again. */
  if (!self->busy)
    {
      gtk_spin_button_update (self->port_spin);
      gtk_spin_button_update (self->timeout_spin);
    }
  /* The key is pinned only once the user said they trust it. */
  if (self->busy || (self->fingerprint != NULL && !gtk_check_button_get_active (self->trust_check)))
    return;
  /* Saving what did not change changes nothing: no call, no write. */
  if (unchanged (self))
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  if (wants_host_setup (self) && host_changed (self))
    {
      start_host_setup (self);
      return;
    }
  if (wants_proxmox_setup (self))
    {
      start_proxmox_setup (self);
      return;
    }
  if (is_proxmox (self))
    {
      store_token_and_save (self);
      return;
    }

  save_zone (self, TRUE, NULL);
}

static void
air_zone_dialog_dispose (GObject *object)
{
  AirZoneDialog *self = (AirZoneDialog *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), AIR_TYPE_ZONE_DIALOG);

  G_OBJECT_CLASS (air_zone_dialog_parent_class)->dispose (object);
}

static void
air_zone_dialog_finalize (GObject *object)
{
  AirZoneDialog *self = (AirZoneDialog *)object;

  g_clear_object (&self->session);
  g_clear_object (&self->zone);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->pending, air_ssh_config_free);
  g_clear_pointer (&self->original, air_ssh_config_free);
  g_clear_pointer (&self->fingerprint, g_free);
  g_clear_pointer (&self->token, g_bytes_unref);
  g_clear_object (&self->vault);

  G_OBJECT_CLASS (air_zone_dialog_parent_class)->finalize (object);
}

static void
air_zone_dialog_class_init (AirZoneDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_zone_dialog_dispose;
  object_class->finalize = air_zone_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-zone-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, name_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, gateway_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, driver_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, message);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, host_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, host_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, port_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, port_spin);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, user_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, user_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, agent_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, agent_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, timeout_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, wireguard_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, wireguard_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, wireguard_key_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, wireguard_key_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, host_key_box);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, host_key_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, trust_check);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, url_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, url_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, node_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, node_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, pool_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, pool_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, storage_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, storage_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, token_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, token_entry);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, secret_label);
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, secret_entry);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, token_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, port_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, driver_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, trust_toggled_cb);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
air_zone_dialog_init (AirZoneDialog *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (drivers);

  PangoAttrList *attributes = pango_attr_list_new ();

  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  air_spin_button_set_activates_default (self->port_spin);
  air_spin_button_set_activates_default (self->timeout_spin);
  gtk_drop_down_set_model (self->driver_dropdown, G_LIST_MODEL (list));
  gtk_entry_set_placeholder_text (self->agent_entry, AIR_SSH_DEFAULT_AGENT);
  /* A fingerprint wraps where it must, never with an inserted hyphen. */
  pango_attr_list_insert (attributes, pango_attr_insert_hyphens_new (FALSE));
  gtk_label_set_attributes (self->fingerprint_label, attributes);
  pango_attr_list_unref (attributes);
}

/**
 * air_zone_dialog_new:
 * @zone: (nullable): the zone to change, or %NULL to add one
 */
AirZoneDialog *
air_zone_dialog_new (GtkWindow  *parent,
                     AirSession *session,
                     AirZone    *zone)
{
  AirZoneDialog *self;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);

  self = g_object_new (AIR_TYPE_ZONE_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);

  if (zone != NULL)
    {
      self->zone = g_object_ref (zone);
      gtk_window_set_title (GTK_WINDOW (self), _("Edit Zone"));
      gtk_button_set_label (self->save_button, _("_Save"));
      const AirSshConfig *config = air_zone_registry_get_ssh_config (air_session_get_registry (session),
                                                                     air_zone_get_name (zone));

      air_zone_dialog_set_fields (self, air_zone_get_name (zone), air_zone_get_gateway (zone),
                                  air_zone_get_driver (zone));
      if (config != NULL)
        {
          self->original = air_ssh_config_copy (config);
          air_zone_dialog_set_host (self, config->host, config->port, config->user);
          if (g_strcmp0 (config->agent_path, AIR_SSH_DEFAULT_AGENT) != 0)
            gtk_editable_set_text (GTK_EDITABLE (self->agent_entry), config->agent_path ? config->agent_path : "");
          gtk_spin_button_set_value (self->timeout_spin, config->connect_timeout);
          gtk_editable_set_text (GTK_EDITABLE (self->wireguard_entry), config->wireguard ? config->wireguard : "");
        }
      if (was_proxmox (self))
        {
          /* The gateway holds the server's settings; typed ones replace them. */
          gtk_entry_set_placeholder_text (self->url_entry, _("unchanged"));
          gtk_entry_set_placeholder_text (self->node_entry, _("unchanged"));
          gtk_entry_set_placeholder_text (self->token_entry, _("unchanged (in the vault)"));
        }
      gtk_editable_set_editable (GTK_EDITABLE (self->name_entry), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->name_entry), FALSE);
    }

  validate (self);
  return self;
}

void
air_zone_dialog_set_fields (AirZoneDialog *self,
                            const char    *name,
                            const char    *gateway,
                            const char    *driver)
{
  g_return_if_fail (AIR_IS_ZONE_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name ? name : "");
  gtk_editable_set_text (GTK_EDITABLE (self->gateway_entry), gateway ? gateway : "");
  for (guint i = 0; drivers[i]; i++)
    if (g_strcmp0 (drivers[i], driver) == 0)
      gtk_drop_down_set_selected (self->driver_dropdown, i);
  validate (self);
}

/* The ssh driver's zone host; @user %NULL for the gateway's own. */
void
air_zone_dialog_set_host (AirZoneDialog *self,
                          const char    *host,
                          guint          port,
                          const char    *user)
{
  g_return_if_fail (AIR_IS_ZONE_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->host_entry), host ? host : "");
  gtk_spin_button_set_value (self->port_spin, port ? port : AIR_SSH_DEFAULT_PORT);
  gtk_editable_set_text (GTK_EDITABLE (self->user_entry), user ? user : "");
  validate (self);
}

/* What the user is asked to compare, or %NULL before the host answered. */
const char *
air_zone_dialog_get_fingerprint (AirZoneDialog *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_DIALOG (self), NULL);
  return self->fingerprint;
}

/* Ticks “I compared this fingerprint…”, as the user would. */
void
air_zone_dialog_set_trusted (AirZoneDialog *self,
                             gboolean       trusted)
{
  g_return_if_fail (AIR_IS_ZONE_DIALOG (self));
  gtk_check_button_set_active (self->trust_check, trusted);
}
