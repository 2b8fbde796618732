/* air-age-keys.c
 *
 * age's keys in their text forms: X25519 identities ("AGE-SECRET-KEY-1…")
 * and recipients ("age1…") in Bech32, key files, and the unpadded base64
 * the format's header uses. Secrets are wiped after use.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-age"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "air-age.h"
#include "air-age-private.h"
#include "air-crypto.h"
#include "air-error.h"

/* ---- base64, unpadded and canonical (libsodium refuses stray bits) ---- */

char *
air_age_b64_encode (const guint8 *data, gsize len)
{
  gsize size = sodium_base64_ENCODED_LEN (len, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  char *out = g_malloc (size);

  sodium_bin2base64 (out, size, data, len, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  return out;
}

gboolean
air_age_b64_decode (const char *text, gsize text_len, guint8 *out, gsize max, gsize *out_len)
{
  size_t len = 0;
  const char *end = NULL;

  if (text_len % 4 == 1)
    return FALSE;
  if (sodium_base642bin (out, max, text, text_len, NULL, &len, &end,
                         sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
      end != text + text_len)
    return FALSE;
  *out_len = len;
  return TRUE;
}

/* ---- Bech32 (BIP 173), as age encodes its keys, without BIP 173's
 * 90-character limit ---- */

static const char bech32_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static guint32
bech32_polymod (const guint8 *values, gsize len)
{
  static const guint32 gen[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3 };
  guint32 chk = 1;

  for (gsize i = 0; i < len; i++)
    {
      guint32 top = chk >> 25;

      chk = ((chk & 0x1ffffff) << 5) ^ values[i];
      for (int j = 0; j < 5; j++)
        if ((top >> j) & 1)
          chk ^= gen[j];
    }
  return chk;
}

/* hrp expanded, then the data's 5-bit groups (and room for the checksum) */
static GByteArray *
bech32_values (const char *hrp, const guint8 *groups, gsize n_groups)
{
  GByteArray *values = g_byte_array_new ();
  gsize hrp_len = strlen (hrp);
  guint8 zero = 0;

  for (gsize i = 0; i < hrp_len; i++)
    {
      guint8 v = (guint8) hrp[i] >> 5;
      g_byte_array_append (values, &v, 1);
    }
  g_byte_array_append (values, &zero, 1);
  for (gsize i = 0; i < hrp_len; i++)
    {
      guint8 v = (guint8) hrp[i] & 31;
      g_byte_array_append (values, &v, 1);
    }
  g_byte_array_append (values, groups, n_groups);
  return values;
}

static GByteArray *
regroup (const guint8 *data, gsize len, guint from, guint to, gboolean pad)
{
  GByteArray *out = g_byte_array_new ();
  guint32 acc = 0;
  guint bits = 0;
  guint8 v;

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] >> from)
        goto fail;
      acc = (acc << from) | data[i];
      bits += from;
      while (bits >= to)
        {
          bits -= to;
          v = (acc >> bits) & ((1u << to) - 1);
          g_byte_array_append (out, &v, 1);
        }
    }
  if (pad && bits > 0)
    {
      v = (acc << (to - bits)) & ((1u << to) - 1);
      g_byte_array_append (out, &v, 1);
    }
  else if (!pad && (bits >= from || ((acc << (to - bits)) & ((1u << to) - 1)) != 0))
    goto fail;
  return out;

fail:
  g_byte_array_unref (out);
  return NULL;
}

static char *
bech32_encode (const char *hrp, const guint8 *data, gsize len, gboolean upper)
{
  g_autoptr(GByteArray) groups = regroup (data, len, 8, 5, TRUE);
  g_autoptr(GByteArray) values = bech32_values (hrp, groups->data, groups->len);
  static const guint8 six_zeros[6] = { 0 };
  GString *out = g_string_new (hrp);
  guint32 mod;

  g_byte_array_append (values, six_zeros, 6);
  mod = bech32_polymod (values->data, values->len) ^ 1;
  g_string_append_c (out, '1');
  for (guint i = 0; i < groups->len; i++)
    g_string_append_c (out, bech32_charset[groups->data[i]]);
  for (int i = 0; i < 6; i++)
    g_string_append_c (out, bech32_charset[(mod >> (5 * (5 - i))) & 31]);
  if (upper)
    for (gsize i = 0; i < out->len; i++)
      out->str[i] = g_ascii_toupper (out->str[i]);
  return g_string_free (out, FALSE);
}

/* Decodes TEXT of human-readable part HRP into exactly KEY_LEN bytes. */
gboolean
air_age_bech32_decode_key (const char *text, const char *hrp, guint8 out[KEY_LEN])
{
  g_autofree char *lower = NULL;
  g_autoptr(GByteArray) groups = NULL;
  g_autoptr(GByteArray) values = NULL;
  g_autoptr(GByteArray) bytes = NULL;
  gsize len = strlen (text), hrp_len = strlen (hrp);
  gboolean has_upper = FALSE, has_lower = FALSE;
  const char *sep;

  if (len > 200)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (text[i] < 33 || text[i] > 126)
        return FALSE;
      has_upper |= g_ascii_isupper (text[i]);
      has_lower |= g_ascii_islower (text[i]);
    }
  if (has_upper && has_lower)
    return FALSE;
  lower = g_ascii_strdown (text, -1);
  sep = strrchr (lower, '1');
  if (sep == NULL || (gsize) (sep - lower) != hrp_len || strncmp (lower, hrp, hrp_len) != 0 ||
      strlen (sep + 1) < 6)
    return FALSE;

  groups = g_byte_array_new ();
  for (const char *p = sep + 1; *p != '\0'; p++)
    {
      const char *at = strchr (bech32_charset, *p);
      guint8 v;

      if (at == NULL)
        return FALSE;
      v = (guint8) (at - bech32_charset);
      g_byte_array_append (groups, &v, 1);
    }
  values = bech32_values (hrp, groups->data, groups->len);
  if (bech32_polymod (values->data, values->len) != 1)
    return FALSE;
  bytes = regroup (groups->data, groups->len - 6, 5, 8, FALSE);
  if (bytes == NULL || bytes->len != KEY_LEN)
    {
      if (bytes != NULL)
        sodium_memzero (bytes->data, bytes->len);
      return FALSE;
    }
  memcpy (out, bytes->data, KEY_LEN);
  sodium_memzero (bytes->data, bytes->len);
  sodium_memzero (groups->data, groups->len);
  sodium_memzero (lower, len);
  return TRUE;
}

/* ---- keys ---- */

gboolean
air_age_keygen (char   **identity,
                char   **recipient,
                GError **error)
{
  guint8 secret[KEY_LEN], public[KEY_LEN];

  g_return_val_if_fail (identity != NULL && recipient != NULL, FALSE);
  if (!air_crypto_init (error))
    return FALSE;
  randombytes_buf (secret, sizeof secret);
  crypto_scalarmult_base (public, secret);
  *identity = bech32_encode (IDENTITY_HRP, secret, sizeof secret, TRUE);
  *recipient = bech32_encode (RECIPIENT_HRP, public, sizeof public, FALSE);
  sodium_memzero (secret, sizeof secret);
  return TRUE;
}

gboolean
air_age_decode_identity (const char *identity, guint8 secret[KEY_LEN], GError **error)
{
  if (!air_age_bech32_decode_key (identity, IDENTITY_HRP, secret))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("An identity is not an age X25519 identity (AGE-SECRET-KEY-1…)"));
      return FALSE;
    }
  return TRUE;
}

char *
air_age_identity_to_recipient (const char  *identity,
                               GError     **error)
{
  guint8 secret[KEY_LEN], public[KEY_LEN];

  if (!air_crypto_init (error) || !air_age_decode_identity (identity, secret, error))
    return NULL;
  crypto_scalarmult_base (public, secret);
  sodium_memzero (secret, sizeof secret);
  return bech32_encode (RECIPIENT_HRP, public, sizeof public, FALSE);
}

gboolean
air_age_recipient_validate (const char  *recipient,
                            GError     **error)
{
  guint8 public[KEY_LEN];

  if (recipient != NULL && air_age_bech32_decode_key (recipient, RECIPIENT_HRP, public) &&
      g_str_has_prefix (recipient, "age1"))
    return TRUE;
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                       recipient != NULL && g_str_has_prefix (recipient, "ssh-")
                       ? _("SSH recipients are not supported: use an age X25519 recipient (age1…)")
                       : _("A recipient is not an age X25519 recipient (age1…)"));
  return FALSE;
}

/* The keys of an identity or recipient file: one a line, “#” comments
 * and blank lines skipped. Every other line must start with PREFIX. */
GStrv
air_age_parse_key_file (const char  *contents,
                        const char  *prefix,
                        GError     **error)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line == '\0' || *line == '#')
        continue;
      if (g_ascii_strncasecmp (line, prefix, strlen (prefix)) != 0 || ++n > AIR_AGE_MAX_STANZAS)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                       _("Line %u of the key file is not a key starting with “%s”"), i + 1, prefix);
          for (guint j = 0; lines[j] != NULL; j++)
            sodium_memzero (lines[j], strlen (lines[j]));
          return NULL;
        }
      g_strv_builder_add (keys, line);
    }
  for (guint j = 0; lines[j] != NULL; j++)
    sodium_memzero (lines[j], strlen (lines[j]));
  if (n == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The key file holds no key"));
      return NULL;
    }
  return g_strv_builder_end (keys);
}
