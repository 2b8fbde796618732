/* air-zone-dialog-private.h — shared by air-zone-dialog.c and its topic
 * files: air-zone-dialog-host.c (the ssh driver's zone host: its settings,
 * key and WireGuard tunnel) and air-zone-dialog-proxmox.c (the proxmox
 * driver's server, certificate key and API token)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-session.h"
#include "air-vault-client.h"
#include "air-zone-dialog.h"
#include "air-zone-setup-client.h"

G_BEGIN_DECLS

struct _AirZoneDialog
{
  GtkWindow    parent_instance;

  /* Template widgets */
  GtkEntry    *name_entry;
  GtkEntry    *gateway_entry;
  GtkDropDown *driver_dropdown;
  GtkLabel    *message;
  GtkButton   *save_button;
  GtkButton   *cancel_button;
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
  AirWireguardSetup *tunnel;   /* a proxmox zone's new tunnel, shown once saved */

  gboolean     busy;
};

/* air-zone-dialog.c */
char         *_air_zone_dialog_dup_gateway          (AirZoneDialog      *self);
gboolean      _air_zone_dialog_is_ssh               (AirZoneDialog      *self);
gboolean      _air_zone_dialog_is_proxmox           (AirZoneDialog      *self);
gboolean      _air_zone_dialog_was_proxmox          (AirZoneDialog      *self);
void          _air_zone_dialog_validate             (AirZoneDialog      *self);
void          _air_zone_dialog_set_busy             (AirZoneDialog      *self,
                                                     gboolean            busy,
                                                     const char         *text);
void          _air_zone_dialog_fail                 (AirZoneDialog      *self,
                                                     GError             *error);
void          _air_zone_dialog_save_zone            (AirZoneDialog      *self,
                                                     gboolean            keep_form,
                                                     AirWireguardSetup  *wireguard);
void          _air_zone_dialog_setup_call           (AirZoneDialog      *self,
                                                     const char         *call,
                                                     const char         *request,
                                                     const char         *text,
                                                     GAsyncReadyCallback callback);
GBytes       *_air_zone_dialog_setup_call_finish    (AirZoneDialog      *self,
                                                     GObject            *object,
                                                     GAsyncResult       *result);

/* air-zone-dialog-host.c */
gboolean      _air_zone_dialog_wants_host_setup     (AirZoneDialog      *self);
char         *_air_zone_dialog_dup_text_or_null     (GtkEntry           *entry);
AirSshConfig *_air_zone_dialog_dup_ssh_config       (AirZoneDialog      *self);
gboolean      _air_zone_dialog_host_changed         (AirZoneDialog      *self);
void          _air_zone_dialog_start_host_setup     (AirZoneDialog      *self);
gboolean      _air_zone_dialog_pin_shown_key        (AirZoneDialog      *self,
                                                     const char         *text,
                                                     GAsyncReadyCallback callback);
gboolean      _air_zone_dialog_confirm_pinned       (AirZoneDialog      *self,
                                                     GBytes             *answer);
void          _air_zone_dialog_show_key             (AirZoneDialog      *self,
                                                     const char         *text,
                                                     const char         *shown);

/* air-zone-dialog-proxmox.c */
gboolean      _air_zone_dialog_wants_proxmox_setup  (AirZoneDialog      *self);
gboolean      _air_zone_dialog_has_token            (AirZoneDialog      *self);
const char   *_air_zone_dialog_proxmox_problem      (AirZoneDialog      *self,
                                                     gboolean           *is_error,
                                                     GError            **error);
void          _air_zone_dialog_show_proxmox_fields  (AirZoneDialog      *self,
                                                     gboolean            shown);
void          _air_zone_dialog_start_proxmox_setup  (AirZoneDialog      *self);
void          _air_zone_dialog_store_token_and_save (AirZoneDialog      *self);

G_END_DECLS
