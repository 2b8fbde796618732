/* air-wireguard-key.c
 *
 * WireGuard's keys are Curve25519 (X25519) keys in base64. `wg genkey`
 * takes 32 random bytes and clamps them as RFC 7748 says; `wg pubkey` is
 * the scalar multiplication with the base point. libsodium does both, so
 * keys made here are the same bytes wg would make and accept.
 *
 * A zone's tunnel is a point-to-point link in 10.77.0.0/16: the zone name
 * picks a /30 (stable, so re-running gives the same addresses); the
 * gateway is .1 of it and the zone host .2.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-wireguard"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "air-crypto.h"
#include "air-error.h"
#include "air-names.h"
#include "air-wireguard-key.h"

#define KEY_BYTES 32

static void
encode_key (const guint8 key[KEY_BYTES],
            char         out[AIR_WIREGUARD_KEY_LEN + 1])
{
  sodium_bin2base64 (out, AIR_WIREGUARD_KEY_LEN + 1, key, KEY_BYTES,
                     sodium_base64_VARIANT_ORIGINAL);
}

static gboolean
decode_key (const char *text,
            guint8      key[KEY_BYTES])
{
  size_t len = 0;

  if (text == NULL || strlen (text) != AIR_WIREGUARD_KEY_LEN || text[AIR_WIREGUARD_KEY_LEN - 1] != '=')
    return FALSE;
  return sodium_base642bin (key, KEY_BYTES, text, AIR_WIREGUARD_KEY_LEN, NULL, &len, NULL,
                            sodium_base64_VARIANT_ORIGINAL) == 0 && len == KEY_BYTES;
}

gboolean
air_wireguard_key_is_valid (const char *key)
{
  guint8 bytes[KEY_BYTES];
  gboolean ok = decode_key (key, bytes);

  sodium_memzero (bytes, sizeof bytes);
  return ok;
}

gboolean
air_wireguard_key_generate (char     private_key[AIR_WIREGUARD_KEY_LEN + 1],
                            GError **error)
{
  guint8 key[KEY_BYTES];

  if (!air_crypto_init (error))
    return FALSE;

  randombytes_buf (key, sizeof key);
  /* The clamping of wg genkey (RFC 7748, decodeScalar25519). */
  key[0] &= 248;
  key[31] &= 127;
  key[31] |= 64;
  encode_key (key, private_key);
  sodium_memzero (key, sizeof key);
  return TRUE;
}

gboolean
air_wireguard_key_public (const char  *private_key,
                          char         public_key[AIR_WIREGUARD_KEY_LEN + 1],
                          GError     **error)
{
  guint8 secret[KEY_BYTES], point[KEY_BYTES];
  gboolean ok;

  if (!air_crypto_init (error))
    return FALSE;
  if (!decode_key (private_key, secret))
    {
      sodium_memzero (secret, sizeof secret);
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("This is not a WireGuard key: it must be 44 characters of base64"));
      return FALSE;
    }

  /* crypto_scalarmult_base clamps the scalar itself, as wg pubkey does. */
  ok = crypto_scalarmult_curve25519_base (point, secret) == 0;
  sodium_memzero (secret, sizeof secret);
  if (!ok)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("This WireGuard key is weak and cannot be used"));
      return FALSE;
    }
  encode_key (point, public_key);
  return TRUE;
}

/* HOST:PORT with HOST a DNS name, an IPv4 address or [IPv6]: the text goes
 * into a configuration file, so nothing else may pass. */
gboolean
air_wireguard_endpoint_validate (const char  *endpoint,
                                 GError     **error)
{
  const char *colon;
  gsize len;
  guint64 port = 0;

  len = endpoint ? strnlen (endpoint, AIR_WIREGUARD_MAX_ENDPOINT + 1) : 0;
  colon = endpoint ? strrchr (endpoint, ':') : NULL;
  if (len == 0 || len > AIR_WIREGUARD_MAX_ENDPOINT || colon == NULL || colon == endpoint ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
    goto bad;

  if (endpoint[0] == '[')
    {
      if (colon[-1] != ']')
        goto bad;
      for (const char *p = endpoint + 1; p < colon - 1; p++)
        if (!g_ascii_isxdigit (*p) && *p != ':' && *p != '.')
          goto bad;
      if (colon - endpoint < 4)
        goto bad;
    }
  else
    {
      if (endpoint[0] == '-' || endpoint[0] == '.')
        goto bad;
      for (const char *p = endpoint; p < colon; p++)
        if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
          goto bad;
    }
  return TRUE;

bad:
  {
    g_autofree char *shown = air_text_sanitize (endpoint, -1, 60);

    g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                 _("“%s” is not a WireGuard endpoint: write HOST:PORT, e.g. zone.example.org:51820"),
                 shown);
    return FALSE;
  }
}

/* wg-quick names the interface after the file: at most 15 characters. */
char *
air_wireguard_interface_name (const char *zone)
{
  g_autofree char *hash = NULL;

  if (strlen (zone) <= 11)
    return g_strdup_printf ("air-%s", zone);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, zone, -1);
  return g_strdup_printf ("air-%.11s", hash);
}

void
air_wireguard_addresses (const char  *zone,
                         char       **gateway_address,
                         char       **host_address)
{
  guint hash = g_str_hash (zone);
  guint third = (hash >> 6) & 0xff;
  guint fourth = (hash & 0x3f) << 2;

  if (gateway_address)
    *gateway_address = g_strdup_printf ("10.77.%u.%u", third, fourth + 1);
  if (host_address)
    *host_address = g_strdup_printf ("10.77.%u.%u", third, fourth + 2);
}

/* The gateway's wg-quick file. Without @private_key (it stays in the
 * vault) the file says so where PrivateKey would be, and names the
 * gateway's own public key so that whoever brings the tunnel up can check
 * the vault's key is this one. */
char *
air_wireguard_gateway_config (const char *zone,
                              const char *private_key,
                              const char *public_key,
                              const char *peer_public_key,
                              const char *endpoint)
{
  g_autofree char *gateway = NULL;
  g_autofree char *host = NULL;
  g_autofree char *key_line = NULL;

  air_wireguard_addresses (zone, &gateway, &host);
  if (private_key != NULL)
    key_line = g_strdup_printf ("PrivateKey = %s\n", private_key);
  else
    key_line = g_strdup_printf ("# The private key is in the vault (qubesair.CredentialGet+%s, kind\n"
                                "# wireguard-key); qubes-air-agent hands it to WireGuard through a\n"
                                "# pipe when it brings the tunnel up (qair zone up %s).\n"
                                "%s%s\n",
                                zone, zone, AIR_WIREGUARD_OWN_KEY_COMMENT, public_key);
  return g_strdup_printf ("# Qubes Air: the tunnel of zone %s (this gateway's side).\n"
                          "[Interface]\n"
                          "%s"
                          "Address = %s/30\n"
                          "\n"
                          "[Peer]\n"
                          "PublicKey = %s\n"
                          "Endpoint = %s\n"
                          "AllowedIPs = %s/32\n"
                          "PersistentKeepalive = 25\n",
                          zone, key_line, gateway, peer_public_key, endpoint, host);
}

/* The value of the first "KEY = VALUE" line of a wg-quick file (or of a
 * line starting with @key when it ends in a space), NULL when there is
 * none. */
char *
air_wireguard_config_value (const char *contents,
                            const char *key)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  gsize key_len = strlen (key);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (strncmp (line, key, key_len) != 0)
        continue;
      line += key_len;
      if (key[key_len - 1] != ' ')
        {
          while (*line == ' ' || *line == '\t')
            line++;
          if (*line++ != '=')
            continue;
        }
      while (*line == ' ' || *line == '\t')
        line++;
      return g_strstrip (g_strdup (line));
    }
  return NULL;
}

/* The zone host's half. With @host_private_key (made here because the
 * user gave no key of the host's own) the whole file; else only the
 * [Peer] section to add to the host's configuration. */
char *
air_wireguard_host_config (const char *zone,
                           const char *gateway_public_key,
                           const char *host_private_key,
                           const char *endpoint)
{
  g_autofree char *gateway = NULL;
  g_autofree char *host = NULL;
  GString *out = g_string_new (NULL);
  const char *port = strrchr (endpoint, ':');

  air_wireguard_addresses (zone, &gateway, &host);
  if (host_private_key != NULL)
    g_string_append_printf (out,
                            "[Interface]\n"
                            "PrivateKey = %s\n"
                            "Address = %s/30\n"
                            "ListenPort = %s\n"
                            "\n",
                            host_private_key, host, port ? port + 1 : "51820");
  g_string_append_printf (out,
                          "[Peer]\n"
                          "# the gateway of zone %s\n"
                          "PublicKey = %s\n"
                          "AllowedIPs = %s/32\n",
                          zone, gateway_public_key, gateway);
  return g_string_free (out, FALSE);
}
