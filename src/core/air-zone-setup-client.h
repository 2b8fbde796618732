/* air-zone-setup-client.h — the management side of qubesair.ZoneSetup
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-transport.h"
#include "air-zone-registry.h"

G_BEGIN_DECLS

#define AIR_ZONE_SETUP_SERVICE_NAME "qubesair.ZoneSetup"
#define AIR_ZONE_SETUP_MAX_ANSWER   (64 * 1024)

typedef struct {
  char *interface;
  char *config_path;
  char *public_key;
  char *host_config;    /* the zone host's half, to show the user once */
} AirWireguardSetup;

void               air_wireguard_setup_free         (AirWireguardSetup   *setup);

char              *air_zone_setup_configure_request (const AirSshConfig  *config,
                                                     const char          *wireguard_peer_key,
                                                     const char          *wireguard_public_key);
AirWireguardSetup *air_zone_setup_parse_configured  (GBytes              *answer,
                                                     GError             **error);
GPtrArray         *air_zone_setup_parse_host_keys   (GBytes              *answer,
                                                     GError             **error);
char              *air_zone_setup_pin_request       (const char          *fingerprint);

/* Proxmox zones: the gateway's settings, and the server's certificate key
 * as a fingerprint "SHA256:BASE64" (libcurl's pin is "sha256//BASE64"). */
char              *air_zone_setup_proxmox_request   (const char          *url,
                                                     const char          *node,
                                                     const char          *pool,
                                                     const char          *storage,
                                                     const char          *wireguard,
                                                     const char          *wireguard_peer_key,
                                                     const char          *wireguard_public_key);
char              *air_zone_setup_tls_fingerprint   (const char          *pin);
gboolean           air_zone_setup_fingerprints_equal (const char         *a,
                                                     const char          *b);
char              *air_zone_setup_parse_tls_pin     (GBytes              *answer,
                                                     GError             **error);

void               air_zone_setup_call_async        (AirTransport        *transport,
                                                     const char          *gateway,
                                                     const char          *action,
                                                     const char          *request,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GBytes            *air_zone_setup_call_finish       (AirTransport        *transport,
                                                     GAsyncResult        *result,
                                                     GError             **error);

void               air_zone_setup_configure_async   (AirTransport        *transport,
                                                     const char          *zone,
                                                     const char          *gateway,
                                                     const AirSshConfig  *config,
                                                     const char          *wireguard_peer_key,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GBytes            *air_zone_setup_configure_finish  (AirTransport        *transport,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirWireguardSetup, air_wireguard_setup_free)

G_END_DECLS
