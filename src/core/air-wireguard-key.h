/* air-wireguard-key.h — WireGuard keys and wg-quick configuration
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A key as wg(8) writes it: 32 bytes in base64, 44 characters. */
#define AIR_WIREGUARD_KEY_LEN 44
#define AIR_WIREGUARD_MAX_ENDPOINT 260

gboolean air_wireguard_key_generate        (char        private_key[AIR_WIREGUARD_KEY_LEN + 1],
                                            GError    **error);
gboolean air_wireguard_key_public          (const char *private_key,
                                            char        public_key[AIR_WIREGUARD_KEY_LEN + 1],
                                            GError    **error);
gboolean air_wireguard_key_is_valid        (const char *key);
gboolean air_wireguard_endpoint_validate   (const char *endpoint,
                                            GError    **error);
char    *air_wireguard_interface_name      (const char *zone);
void     air_wireguard_addresses           (const char *zone,
                                            char      **gateway_address,
                                            char      **host_address);
/* How a gateway's wg-quick file without its private key names its own
 * public key. */
#define AIR_WIREGUARD_OWN_KEY_COMMENT "# This gateway's public key: "

char    *air_wireguard_gateway_config      (const char *zone,
                                            const char *private_key,
                                            const char *public_key,
                                            const char *peer_public_key,
                                            const char *endpoint);
char    *air_wireguard_config_value        (const char *contents,
                                            const char *key);
char    *air_wireguard_host_config         (const char *zone,
                                            const char *gateway_public_key,
                                            const char *host_private_key,
                                            const char *endpoint);

G_END_DECLS
