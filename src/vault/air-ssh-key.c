/* air-ssh-key.c
 *
 * The vault's SSH keys are libsodium ed25519 pairs; the 64-byte secret key
 * (seed and public half, as libsodium and OpenSSH both lay it out) is what
 * libsecret stores. Importing reads an unencrypted "openssh-key-v1" file
 * (PROTOCOL.key in OpenSSH's sources) straight into locked memory.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vault"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "air-error.h"
#include "air-ssh-key.h"
#include "air-ssh-wire.h"

#define KEY_TYPE "ssh-ed25519"
#define PEM_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define PEM_END "-----END OPENSSH PRIVATE KEY-----"
#define MAGIC "openssh-key-v1"

G_STATIC_ASSERT (crypto_sign_PUBLICKEYBYTES == AIR_ED25519_PUBLIC_BYTES);
G_STATIC_ASSERT (crypto_sign_SECRETKEYBYTES == AIR_ED25519_SECRET_BYTES);
G_STATIC_ASSERT (crypto_sign_BYTES == AIR_ED25519_SIGNATURE_BYTES);

AirSecret *
air_ssh_key_generate (guint8 public_key[AIR_ED25519_PUBLIC_BYTES])
{
  AirSecret *secret = air_secret_new (AIR_ED25519_SECRET_BYTES);

  crypto_sign_keypair (public_key, secret->data);
  secret->len = AIR_ED25519_SECRET_BYTES;
  return secret;
}

/* Also checks that the stored key is whole: its public half must be the
 * one its seed gives. */
gboolean
air_ssh_key_public_from_secret (const AirSecret  *secret_key,
                                guint8            public_key[AIR_ED25519_PUBLIC_BYTES],
                                GError          **error)
{
  guint8 derived[AIR_ED25519_PUBLIC_BYTES];
  g_autoptr(AirSecret) seeded = NULL;

  if (secret_key->len != AIR_ED25519_SECRET_BYTES)
    goto broken;

  seeded = air_secret_new (AIR_ED25519_SECRET_BYTES);
  crypto_sign_seed_keypair (derived, seeded->data, secret_key->data);
  if (sodium_memcmp (derived, secret_key->data + 32, AIR_ED25519_PUBLIC_BYTES) != 0)
    goto broken;

  memcpy (public_key, derived, AIR_ED25519_PUBLIC_BYTES);
  return TRUE;

broken:
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED,
                       _("The stored SSH key is damaged. Generate a new one with “qair key generate”."));
  return FALSE;
}

GBytes *
air_ssh_key_public_blob (const guint8 public_key[AIR_ED25519_PUBLIC_BYTES])
{
  g_autoptr(GByteArray) blob = g_byte_array_new ();

  air_ssh_put_string (blob, KEY_TYPE, strlen (KEY_TYPE));
  air_ssh_put_string (blob, public_key, AIR_ED25519_PUBLIC_BYTES);
  return g_byte_array_free_to_bytes (g_steal_pointer (&blob));
}

char *
air_ssh_key_public_line (const guint8  public_key[AIR_ED25519_PUBLIC_BYTES],
                         const char   *comment)
{
  g_autoptr(GBytes) blob = air_ssh_key_public_blob (public_key);
  g_autofree char *encoded = g_base64_encode (g_bytes_get_data (blob, NULL),
                                              g_bytes_get_size (blob));

  return g_strdup_printf ("%s %s %s", KEY_TYPE, encoded, comment);
}

static AirSecret *
import_failed (GError     **error,
               const char  *why)
{
  /* Says what is wrong with the format, never what the key contains. */
  g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
               _("The SSH key is not an unencrypted OpenSSH ed25519 private key (%s). "
                 "Give the file “ssh-keygen -t ed25519 -N ''” writes, or remove its "
                 "passphrase with “ssh-keygen -p -N ''”."), why);
  return NULL;
}

AirSecret *
air_ssh_key_import_openssh (const guint8  *text,
                            gsize          len,
                            GError       **error)
{
  g_autoptr(AirSecret) decoded = NULL;
  g_autoptr(AirSecret) secret = NULL;
  const guint8 *begin, *end, *body_start, *field, *pub, *priv, *section;
  gsize field_len, pub_len, priv_len, section_len, decoded_len = 0;
  guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
  guint32 n_keys, check1, check2;
  AirSshReader reader, inner;

  if (text == NULL || len == 0)
    return import_failed (error, _("empty"));
  if (len > AIR_SSH_KEY_MAX_IMPORT)
    return import_failed (error, _("too large"));

  if (memchr (text, '\0', len) != NULL)
    return import_failed (error, _("not text"));

  begin = (const guint8 *) g_strstr_len ((const char *) text, len, PEM_BEGIN);
  if (begin == NULL)
    return import_failed (error, _("no “BEGIN OPENSSH PRIVATE KEY” line"));
  body_start = begin + strlen (PEM_BEGIN);
  end = (const guint8 *) g_strstr_len ((const char *) body_start, len - (body_start - text), PEM_END);
  if (end == NULL)
    return import_failed (error, _("no “END OPENSSH PRIVATE KEY” line"));

  decoded = air_secret_new (end - body_start);
  if (sodium_base642bin (decoded->data, decoded->size, (const char *) body_start,
                         end - body_start, " \t\r\n", &decoded_len, NULL,
                         sodium_base64_VARIANT_ORIGINAL) != 0)
    return import_failed (error, _("bad base64"));
  decoded->len = decoded_len;

  if (decoded->len < sizeof MAGIC ||
      memcmp (decoded->data, MAGIC, sizeof MAGIC) != 0)
    return import_failed (error, _("not the openssh-key-v1 format"));

  air_ssh_reader_init (&reader, decoded->data + sizeof MAGIC, decoded->len - sizeof MAGIC);

  if (!air_ssh_read_string (&reader, &field, &field_len))
    return import_failed (error, _("truncated"));
  if (!air_ssh_string_equal (field, field_len, "none"))
    return import_failed (error, _("the key is encrypted"));
  if (!air_ssh_read_string (&reader, &field, &field_len) ||
      !air_ssh_string_equal (field, field_len, "none") ||
      !air_ssh_read_string (&reader, &field, &field_len) || field_len != 0)
    return import_failed (error, _("unexpected key derivation"));
  if (!air_ssh_read_u32 (&reader, &n_keys) || n_keys != 1)
    return import_failed (error, _("not exactly one key"));
  if (!air_ssh_read_string (&reader, &field, &field_len) ||
      !air_ssh_read_string (&reader, &section, &section_len) ||
      reader.left != 0)
    return import_failed (error, _("truncated"));

  air_ssh_reader_init (&inner, section, section_len);
  if (!air_ssh_read_u32 (&inner, &check1) || !air_ssh_read_u32 (&inner, &check2) ||
      check1 != check2)
    return import_failed (error, _("damaged"));
  if (!air_ssh_read_string (&inner, &field, &field_len) ||
      !air_ssh_string_equal (field, field_len, KEY_TYPE))
    return import_failed (error, _("not an ed25519 key"));
  if (!air_ssh_read_string (&inner, &pub, &pub_len) || pub_len != AIR_ED25519_PUBLIC_BYTES ||
      !air_ssh_read_string (&inner, &priv, &priv_len) || priv_len != AIR_ED25519_SECRET_BYTES ||
      !air_ssh_read_string (&inner, &field, &field_len))
    return import_failed (error, _("damaged"));
  /* The rest is padding 1, 2, 3, … up to the cipher's block size. */
  for (gsize i = 0; i < inner.left; i++)
    if (inner.pos[i] != (guint8) (i + 1) || i >= 255)
      return import_failed (error, _("damaged"));

  secret = air_secret_new_copy (priv, priv_len);
  if (sodium_memcmp (secret->data + 32, pub, AIR_ED25519_PUBLIC_BYTES) != 0 ||
      !air_ssh_key_public_from_secret (secret, public_key, NULL))
    return import_failed (error, _("its halves do not match"));

  return g_steal_pointer (&secret);
}
