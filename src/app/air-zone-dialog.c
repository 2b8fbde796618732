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
 * silently. A WireGuard endpoint without a host reaches the host at its
 * tunnel address; the zone is saved with the host's half of the tunnel
 * shown, its key pinned once the tunnel is up. Without a host or endpoint
 * the zone is only registered (its gateway set up with “qair zone add”).
 *
 * With the proxmox driver the gateway is told the server's URL, node, pool
 * and storage, and reports the key of the server's TLS certificate; once
 * the user compared and trusted it, it is pinned, the API token typed into
 * the dialog goes to the vault (readable only by the gateway), and the
 * zone is saved. The token is held in locked memory that is wiped, never
 * in the zone list, a file or a log.
 *
 * The host's part is in air-zone-dialog-host.c, the server's in
 * air-zone-dialog-proxmox.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "air-message-label.h"
#include "air-names.h"
#include "air-spin-button.h"
#include "air-wireguard-key.h"
#include "air-zone-dialog-private.h"

static const char * const drivers[] = { "local", "ssh", "proxmox", NULL };
enum { DRIVER_LOCAL, DRIVER_SSH, DRIVER_PROXMOX };

G_DEFINE_FINAL_TYPE (AirZoneDialog, air_zone_dialog, GTK_TYPE_WINDOW)

char *
_air_zone_dialog_dup_gateway (AirZoneDialog *self)
{
  const char *gateway = gtk_editable_get_text (GTK_EDITABLE (self->gateway_entry));

  if (gateway[0] != '\0')
    return g_strdup (gateway);
  return air_zone_dup_gateway_for (gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
}

gboolean
_air_zone_dialog_is_ssh (AirZoneDialog *self)
{
  return gtk_drop_down_get_selected (self->driver_dropdown) == DRIVER_SSH;
}

gboolean
_air_zone_dialog_is_proxmox (AirZoneDialog *self)
{
  return gtk_drop_down_get_selected (self->driver_dropdown) == DRIVER_PROXMOX;
}

static const char *
selected_driver (AirZoneDialog *self)
{
  return drivers[MIN (gtk_drop_down_get_selected (self->driver_dropdown), DRIVER_PROXMOX)];
}

/* Whether the zone was a proxmox zone before this dialog. */
gboolean
_air_zone_dialog_was_proxmox (AirZoneDialog *self)
{
  return self->zone != NULL && g_strcmp0 (air_zone_get_driver (self->zone), "proxmox") == 0;
}

/* Nothing at all to save: the zone as it is. */
static gboolean
unchanged (AirZoneDialog *self)
{
  g_autofree char *gateway = _air_zone_dialog_dup_gateway (self);

  return self->zone != NULL &&
         g_strcmp0 (gateway, air_zone_get_gateway (self->zone)) == 0 &&
         g_strcmp0 (selected_driver (self), air_zone_get_driver (self->zone)) == 0 &&
         (!_air_zone_dialog_is_ssh (self) || !_air_zone_dialog_host_changed (self)) &&
         (!_air_zone_dialog_is_proxmox (self) ||
          (!_air_zone_dialog_wants_proxmox_setup (self) && !_air_zone_dialog_has_token (self)));
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

void
_air_zone_dialog_validate (AirZoneDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autofree char *gateway = NULL;
  g_autofree char *placeholder = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  if (self->session == NULL)
    return;

  gtk_widget_set_visible (self->host_label, _air_zone_dialog_is_ssh (self));
  gtk_widget_set_visible (GTK_WIDGET (self->host_entry), _air_zone_dialog_is_ssh (self));
  gtk_widget_set_visible (self->port_label, _air_zone_dialog_is_ssh (self));
  gtk_widget_set_visible (GTK_WIDGET (self->port_spin), _air_zone_dialog_is_ssh (self));
  gtk_widget_set_visible (self->user_label, _air_zone_dialog_is_ssh (self));
  gtk_widget_set_visible (GTK_WIDGET (self->user_entry), _air_zone_dialog_is_ssh (self));
  gtk_widget_set_visible (self->agent_label, _air_zone_dialog_is_ssh (self));
  gtk_widget_set_visible (GTK_WIDGET (self->agent_entry), _air_zone_dialog_is_ssh (self));
  gtk_widget_set_visible (self->timeout_label, _air_zone_dialog_is_ssh (self));
  /* The spin button with its unit. */
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->timeout_spin)), _air_zone_dialog_is_ssh (self));
  gtk_widget_set_visible (self->wireguard_label, _air_zone_dialog_is_ssh (self));
  gtk_widget_set_visible (GTK_WIDGET (self->wireguard_entry), _air_zone_dialog_is_ssh (self));
  gtk_widget_set_visible (self->wireguard_key_label, _air_zone_dialog_is_ssh (self));
  gtk_widget_set_visible (GTK_WIDGET (self->wireguard_key_entry), _air_zone_dialog_is_ssh (self));
  _air_zone_dialog_show_proxmox_fields (self, _air_zone_dialog_is_proxmox (self));

  placeholder = air_zone_dup_gateway_for (name[0] ? name : "NAME");
  gtk_entry_set_placeholder_text (self->gateway_entry, placeholder);
  gateway = _air_zone_dialog_dup_gateway (self);

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
  else if (_air_zone_dialog_is_proxmox (self))
    {
      gboolean is_error = FALSE;
      const char *problem = _air_zone_dialog_proxmox_problem (self, &is_error, &error);

      if (problem != NULL)
        air_message_label_set (self->message, problem, is_error);
      else if (self->fingerprint != NULL)
        {
          air_message_label_set (self->message, _("Pinned once trusted: a different certificate key later is refused."), FALSE);
          ok = gtk_check_button_get_active (self->trust_check);
        }
      else if (_air_zone_dialog_wants_proxmox_setup (self))
        {
          air_message_label_set (self->message,
                                 gtk_editable_get_text (GTK_EDITABLE (self->wireguard_entry))[0] != '\0'
                                 ? _("Next, the gateway is told the server and the tunnel, and the Proxmox host's half "
                                     "of the tunnel is shown here.")
                                 : _("Next, the gateway asks the server for its certificate key, for you to check."),
                                 FALSE);
          ok = TRUE;
        }
      else
        {
          air_message_label_set (self->message,
                                 _air_zone_dialog_has_token (self) ? _("The new token replaces the zone's token in the vault.")
                                                                   : _("The server and its pinned certificate stay as they are."),
                                 FALSE);
          ok = TRUE;
        }
    }
  else if (_air_zone_dialog_wants_host_setup (self))
    {
      g_autoptr(AirSshConfig) config = _air_zone_dialog_dup_ssh_config (self);
      const char *peer_key = gtk_editable_get_text (GTK_EDITABLE (self->wireguard_key_entry));

      /* The peer key first: typed alone, it is what is wrong, not the
       * empty host. */
      if (peer_key[0] != '\0' && config->wireguard == NULL)
        air_message_label_set (self->message, _("A WireGuard peer key needs the host's WireGuard endpoint (HOST:PORT)."),
                               TRUE);
      else if (!air_ssh_config_validate (config, &error) ||
               (config->wireguard != NULL && !air_wireguard_endpoint_validate (config->wireguard, &error)))
        air_message_label_set (self->message, error->message, TRUE);
      else if (peer_key[0] != '\0' && !air_wireguard_key_is_valid (peer_key))
        air_message_label_set (self->message, _("The WireGuard peer key is the host's public key: 44 characters of base64, "
                                                "as “wg pubkey” prints it."), TRUE);
      else if (!_air_zone_dialog_host_changed (self))
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
          air_message_label_set (self->message, config->wireguard != NULL
                                                ? _("Next, the gateway is told the host and the tunnel, and the host's half "
                                                    "of the tunnel is shown here.")
                                                : _("Next, the gateway asks the host for its key, for you to check."),
                                 FALSE);
          ok = TRUE;
        }
    }
  else
    {
      air_message_label_set (self->message,
                             _air_zone_dialog_is_ssh (self) ? _("Without a host, set the gateway up with “qair zone add”.") : "",
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
  _air_zone_dialog_validate (self);
}

/* The token is not the server: typing it keeps a certificate key shown. */
static void
token_changed_cb (GtkEditable   *editable,
                  AirZoneDialog *self)
{
  _air_zone_dialog_validate (self);
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
  _air_zone_dialog_validate (self);
}

void
_air_zone_dialog_set_busy (AirZoneDialog *self,
                           gboolean       busy,
                           const char    *text)
{
  self->busy = busy;
  if (text != NULL)
    air_message_label_set (self->message, text, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", !busy);
}

void
_air_zone_dialog_fail (AirZoneDialog *self,
                       GError        *error)
{
  g_autofree char *shown = air_text_sanitize (error->message, -1, 400);

  self->busy = FALSE;
  forget_host_key (self);
  _air_zone_dialog_validate (self);
  air_message_label_set (self->message, shown, TRUE);
}

typedef struct {
  AirZoneDialog     *self;
  gboolean           keep_form;   /* a failure leaves the form as it was */
  AirWireguardSetup *wireguard;   /* saved: shown for the zone host */
  char              *name;
} SaveRequest;

static void
save_request_free (SaveRequest *request)
{
  g_clear_object (&request->self);
  g_clear_pointer (&request->wireguard, air_wireguard_setup_free);
  g_free (request->name);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaveRequest, save_request_free)

static void
show_wireguard_setup (AirZoneDialog     *self,
                      AirWireguardSetup *wireguard)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autofree char *text = NULL;

  /* As qair zone add says it: nothing brings the gateway's end up but
   * “qair zone up”, and Edit Zone with nothing changed pins nothing. */
  if (_air_zone_dialog_is_proxmox (self))
    text = g_strdup_printf (_("On the Proxmox host, put this in /etc/wireguard/%s.conf and run "
                              "“systemctl enable --now wg-quick@%s”. Then bring the gateway's end up with "
                              "“qair zone up %s”; when the tunnel is up, pin the server's certificate with "
                              "“qair zone trust %s”."),
                            wireguard->interface, wireguard->interface, name, name);
  else
    text = g_strdup_printf (_("On the zone host, put this in /etc/wireguard/%s.conf and run "
                              "“wg-quick up %s”. Then bring the gateway's end up with “qair zone up %s”; "
                              "when the tunnel is up, pin the host's key with “qair zone trust %s”."),
                            wireguard->interface, wireguard->interface, name, name);
  gtk_label_set_text (self->host_key_label, text);
  gtk_label_set_text (self->fingerprint_label, wireguard->host_config);
  /* A file to copy: each line whole, a key never broken in two. */
  gtk_label_set_wrap (self->fingerprint_label, FALSE);
  gtk_widget_set_visible (self->host_key_box, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->trust_check), FALSE);
  /* The zone is saved: closing cancels nothing, and the form, which no
   * longer saves anything, cannot be edited (an edit would only replace
   * the message below with its check). */
  gtk_button_set_label (self->cancel_button, _("_Close"));
  {
    GtkWidget *fields[] = {
      GTK_WIDGET (self->name_entry), GTK_WIDGET (self->gateway_entry), GTK_WIDGET (self->driver_dropdown),
      GTK_WIDGET (self->host_entry), GTK_WIDGET (self->port_spin), GTK_WIDGET (self->user_entry),
      GTK_WIDGET (self->agent_entry), GTK_WIDGET (self->timeout_spin), GTK_WIDGET (self->wireguard_entry),
      GTK_WIDGET (self->wireguard_key_entry), GTK_WIDGET (self->url_entry), GTK_WIDGET (self->node_entry),
      GTK_WIDGET (self->pool_entry), GTK_WIDGET (self->storage_entry), GTK_WIDGET (self->token_entry),
      GTK_WIDGET (self->secret_entry),
    };

    for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
      gtk_widget_set_sensitive (fields[i], FALSE);
  }
  _air_zone_dialog_set_busy (self, TRUE,
                             _air_zone_dialog_is_proxmox (self)
                             ? _("Saved, and its API token is in the vault. The zone is used once the server's "
                                 "certificate is pinned.")
                             : _("Saved. The zone is used once its host key is pinned."));
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
    _air_zone_dialog_fail (self, error);
  else if (error != NULL)
    {
      _air_zone_dialog_set_busy (self, FALSE, NULL);
      air_message_label_set (self->message, error->message, TRUE);
    }
  else if (request->wireguard != NULL)
    show_wireguard_setup (self, request->wireguard);
  else
    gtk_window_destroy (GTK_WINDOW (self));
}

/* Calls the gateway's ZoneSetup service (@call: "configure", "scan",
 * "pin"), saying @text meanwhile; @callback gets the dialog. */
void
_air_zone_dialog_setup_call (AirZoneDialog       *self,
                             const char          *call,
                             const char          *request,
                             const char          *text,
                             GAsyncReadyCallback  callback)
{
  g_autofree char *gateway = _air_zone_dialog_dup_gateway (self);

  _air_zone_dialog_set_busy (self, TRUE, text);
  air_zone_setup_call_async (air_transport_get_default (), gateway, call, request,
                             self->cancellable, callback, g_object_ref (self));
}

/* The answer of a call made with _air_zone_dialog_setup_call(), or %NULL:
 * the dialog was closed, or the call failed and the dialog says why. */
GBytes *
_air_zone_dialog_setup_call_finish (AirZoneDialog *self,
                                    GObject       *object,
                                    GAsyncResult  *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = air_zone_setup_call_finish (AIR_TRANSPORT (object), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return NULL;
  if (answer == NULL)
    _air_zone_dialog_fail (self, error);
  return g_steal_pointer (&answer);
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

/* The zone's host (ssh) goes with it into the list, written in a worker;
 * with none to write, the dialog is done at once. */
static void
save_host (SaveRequest *request_owned)
{
  g_autoptr(SaveRequest) request = request_owned;
  AirZoneDialog *self = request->self;
  AirZoneRegistry *registry = air_session_get_registry (self->session);
  gboolean ssh = _air_zone_dialog_is_ssh (self);
  g_autoptr(GError) error = NULL;

  if ((self->pending != NULL || !ssh) &&
      air_zone_registry_set_ssh_config (registry, request->name, ssh ? self->pending : NULL, &error))
    {
      /* Not the dialog's cancellable: what is in the list now goes to
       * the file even if the dialog is closed meanwhile. */
      air_zone_registry_save_async (registry, NULL, registry_saved_cb, g_steal_pointer (&request));
      return;
    }
  zone_saved (request, error);
}

static void
zone_changed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SaveRequest) request = user_data;
  g_autoptr(GError) error = NULL;

  if (!air_session_change_zone_finish (AIR_SESSION (object), result, &error))
    zone_saved (request, error);
  else
    save_host (g_steal_pointer (&request));
}

/* Saves the zone in the management qube's list, with its host, the file
 * written off the main thread; a write that fails leaves the list as it
 * was and says why. Takes WIREGUARD. */
void
_air_zone_dialog_save_zone (AirZoneDialog     *self,
                            gboolean           keep_form,
                            AirWireguardSetup *wireguard)
{
  g_autofree char *gateway = _air_zone_dialog_dup_gateway (self);
  const char *driver = selected_driver (self);
  g_autoptr(SaveRequest) request = g_new0 (SaveRequest, 1);
  const char *name;

  request->self = g_object_ref (self);
  request->keep_form = keep_form;
  request->wireguard = wireguard;
  request->name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));

  /* Only the server or the token changed: the list stays. */
  if (self->zone != NULL && _air_zone_dialog_is_proxmox (self) && _air_zone_dialog_was_proxmox (self) &&
      g_strcmp0 (gateway, air_zone_get_gateway (self->zone)) == 0)
    {
      zone_saved (request, NULL);
      return;
    }

  _air_zone_dialog_set_busy (self, TRUE, NULL);
  name = request->name;
  if (self->zone != NULL)
    air_session_update_zone_async (self->session, name, gateway, driver, NULL,
                                   zone_changed_cb, g_steal_pointer (&request));
  else
    air_session_add_zone_async (self->session, name, gateway, driver, NULL,
                                zone_changed_cb, g_steal_pointer (&request));
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
  if (_air_zone_dialog_wants_host_setup (self) && _air_zone_dialog_host_changed (self))
    {
      _air_zone_dialog_start_host_setup (self);
      return;
    }
  if (_air_zone_dialog_wants_proxmox_setup (self))
    {
      _air_zone_dialog_start_proxmox_setup (self);
      return;
    }
  if (_air_zone_dialog_is_proxmox (self))
    {
      _air_zone_dialog_store_token_and_save (self);
      return;
    }

  _air_zone_dialog_save_zone (self, TRUE, NULL);
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
  g_clear_pointer (&self->tunnel, air_wireguard_setup_free);
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
  gtk_widget_class_bind_template_child (widget_class, AirZoneDialog, cancel_button);
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
      if (_air_zone_dialog_was_proxmox (self))
        {
          /* The gateway holds the server's settings; typed ones replace them. */
          gtk_entry_set_placeholder_text (self->url_entry, _("unchanged"));
          gtk_entry_set_placeholder_text (self->node_entry, _("unchanged"));
          gtk_entry_set_placeholder_text (self->token_entry, _("unchanged (in the vault)"));
        }
      gtk_editable_set_editable (GTK_EDITABLE (self->name_entry), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->name_entry), FALSE);
    }

  _air_zone_dialog_validate (self);
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
  _air_zone_dialog_validate (self);
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
  _air_zone_dialog_validate (self);
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
