/* air-age.c
 *
 * The age v1 file format (C2SP's age.md), written from the specification
 * with libsodium's primitives so that files move both ways between this
 * project and Debian's `age`:
 *
 *   header  "age-encryption.org/v1\n", then one stanza per recipient
 *           ("-> TYPE ARG…\n" and a body in unpadded base64, 64 columns,
 *           ended by a shorter line), then "--- " and the HMAC-SHA-256 of
 *           the header up to "---" under HKDF(file key, "", "header");
 *   payload a 16-byte nonce, then 64 KiB chunks of ChaCha20-Poly1305
 *           under HKDF(file key, nonce, "payload"), each chunk's nonce an
 *           11-byte big-endian counter and a last-chunk flag.
 *
 * The 16-byte file key is wrapped per recipient: X25519 (an ephemeral
 * share; the key from HKDF(shared secret, share ‖ recipient,
 * "age-encryption.org/v1/X25519")) or scrypt (N = 2^log_n, r = 8, p = 1,
 * the salt prefixed with "age-encryption.org/v1/scrypt"; alone in its
 * file). Everything read is untrusted: the header is parsed strictly
 * (canonical base64, bounded counts and sizes), the MAC is checked before
 * the payload is touched, and keys are wiped after use.
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


static gboolean
bad_file (GError **error, const char *why)
{
  g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
               _("This is not a valid age file: %s"), why);
  return FALSE;
}

/* HKDF-SHA-256 (RFC 5869) for one 32-byte block, the only length age uses. */
static void
hkdf (const guint8 *ikm, gsize ikm_len,
      const guint8 *salt, gsize salt_len,
      const char *info,
      guint8 out[KEY_LEN])
{
  static const guint8 zeros[crypto_auth_hmacsha256_BYTES] = { 0 };
  crypto_auth_hmacsha256_state state;
  guint8 prk[crypto_auth_hmacsha256_BYTES];
  const guint8 one = 1;

  if (salt_len == 0)
    {
      salt = zeros;
      salt_len = sizeof zeros;
    }
  crypto_auth_hmacsha256_init (&state, salt, salt_len);
  crypto_auth_hmacsha256_update (&state, ikm, ikm_len);
  crypto_auth_hmacsha256_final (&state, prk);

  crypto_auth_hmacsha256_init (&state, prk, sizeof prk);
  crypto_auth_hmacsha256_update (&state, (const guint8 *) info, strlen (info));
  crypto_auth_hmacsha256_update (&state, &one, 1);
  crypto_auth_hmacsha256_final (&state, out);
  sodium_memzero (prk, sizeof prk);
  sodium_memzero (&state, sizeof state);
}

/* ---- the header ---- */

static void
stanza_free (gpointer data)
{
  AirAgeStanza *stanza = data;

  g_free (stanza->type);
  g_strfreev (stanza->args);
  g_clear_pointer (&stanza->body, g_bytes_unref);
  g_free (stanza);
}

void
air_age_header_free (AirAgeHeader *header)
{
  if (header == NULL)
    return;
  g_ptr_array_unref (header->stanzas);
  g_free (header);
}

/* The next line of DATA from *POS, without its newline; NULL when there
 * is no newline within MAX bytes. */
static const char *
next_line (const guint8 *data, gsize len, gsize *pos, gsize max, gsize *line_len)
{
  gsize start = *pos;
  gsize limit = MIN (len, start + max + 1);

  for (gsize i = start; i < limit; i++)
    if (data[i] == '\n')
      {
        *line_len = i - start;
        *pos = i + 1;
        return (const char *) data + start;
      }
  return NULL;
}

static gboolean
is_arg (const char *arg, gsize len)
{
  if (len == 0 || len > MAX_ARG_LEN)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (arg[i] < 33 || arg[i] > 126)
      return FALSE;
  return TRUE;
}

AirAgeHeader *
air_age_header_parse (const guint8  *data,
                      gsize          len,
                      GError       **error)
{
  g_autoptr(AirAgeHeader) header = g_new0 (AirAgeHeader, 1);
  gsize pos = 0;

  header->stanzas = g_ptr_array_new_with_free_func (stanza_free);
  if (len < strlen (INTRO) || memcmp (data, INTRO, strlen (INTRO)) != 0)
    {
      if (len >= 5 && memcmp (data, "-----", 5) == 0)
        g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                             _("This age file is ASCII-armored: decode it with “age -d” or write it without “-a”"));
      else
        bad_file (error, _("it does not start with the age v1 line"));
      return NULL;
    }
  pos = strlen (INTRO);

  for (;;)
    {
      g_autoptr(GByteArray) body = NULL;
      g_autoptr(GStrvBuilder) args = NULL;
      g_auto(GStrv) words = NULL;
      AirAgeStanza *stanza;
      const char *line;
      gsize line_len;
      gsize line_start = pos;

      line = next_line (data, len, &pos, 4 + MAX_ARGS * (MAX_ARG_LEN + 1), &line_len);
      if (line == NULL)
        return bad_file (error, _("its header is cut short or has an overlong line")), NULL;

      if (line_len >= 3 && memcmp (line, "---", 3) == 0)
        {
          gsize mac_len = 0;

          if (line_len < 4 || line[3] != ' ' ||
              !air_age_b64_decode (line + 4, line_len - 4, header->mac, sizeof header->mac, &mac_len) ||
              mac_len != sizeof header->mac)
            return bad_file (error, _("its header's MAC line is malformed")), NULL;
          header->mac_offset = line_start + 3;
          header->length = pos;
          break;
        }
      if (line_len < 3 || memcmp (line, "-> ", 3) != 0)
        return bad_file (error, _("a header line is neither a stanza nor the MAC")), NULL;
      if (header->stanzas->len >= AIR_AGE_MAX_STANZAS)
        return bad_file (error, _("its header has too many stanzas")), NULL;

      {
        g_autofree char *text = g_strndup (line + 3, line_len - 3);

        if (strlen (text) != line_len - 3)
          return bad_file (error, _("a stanza line holds a NUL byte")), NULL;
        words = g_strsplit (text, " ", -1);
      }
      if (words[0] == NULL)
        return bad_file (error, _("a stanza has no type")), NULL;
      if (g_strv_length (words) > MAX_ARGS + 1)
        return bad_file (error, _("a stanza has too many arguments")), NULL;
      for (guint i = 0; words[i] != NULL; i++)
        if (!is_arg (words[i], strlen (words[i])))
          return bad_file (error, _("a stanza argument is empty or has characters age does not allow")), NULL;

      body = g_byte_array_new ();
      for (;;)
        {
          guint8 chunk[48];
          gsize chunk_len = 0;

          line = next_line (data, len, &pos, COLUMNS, &line_len);
          if (line == NULL)
            return bad_file (error, _("a stanza's body is cut short or has an overlong line")), NULL;
          if (line_len > 0 && !air_age_b64_decode (line, line_len, chunk, sizeof chunk, &chunk_len))
            return bad_file (error, _("a stanza's body is not canonical base64")), NULL;
          g_byte_array_append (body, chunk, chunk_len);
          if (body->len > MAX_BODY)
            return bad_file (error, _("a stanza's body is too large")), NULL;
          if (line_len < COLUMNS)
            break;
        }

      stanza = g_new0 (AirAgeStanza, 1);
      stanza->type = g_strdup (words[0]);
      args = g_strv_builder_new ();
      for (guint i = 1; words[i] != NULL; i++)
        g_strv_builder_add (args, words[i]);
      stanza->args = g_strv_builder_end (args);
      stanza->body = g_byte_array_free_to_bytes (g_steal_pointer (&body));
      g_ptr_array_add (header->stanzas, stanza);
    }

  if (header->stanzas->len == 0)
    return bad_file (error, _("its header has no recipient stanza")), NULL;
  return g_steal_pointer (&header);
}

static void
append_stanza (GString *out, const char *type, const char * const *args,
               const guint8 *body, gsize body_len)
{
  g_autofree char *b64 = air_age_b64_encode (body, body_len);
  gsize b64_len = strlen (b64);

  g_string_append_printf (out, "-> %s", type);
  for (guint i = 0; args[i] != NULL; i++)
    g_string_append_printf (out, " %s", args[i]);
  g_string_append_c (out, '\n');
  for (gsize at = 0;; at += COLUMNS)
    {
      gsize n = MIN (COLUMNS, b64_len - at);

      g_string_append_len (out, b64 + at, n);
      g_string_append_c (out, '\n');
      if (n < COLUMNS)
        break;
    }
}

static gboolean
wrap_file_key (const guint8 key[KEY_LEN], const guint8 file_key[FILE_KEY_LEN],
               guint8 body[FILE_KEY_LEN + TAG_LEN])
{
  static const guint8 zero_nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = { 0 };

  return crypto_aead_chacha20poly1305_ietf_encrypt (body, NULL, file_key, FILE_KEY_LEN,
                                                    NULL, 0, NULL, zero_nonce, key) == 0;
}

static gboolean
unwrap_file_key (const guint8 key[KEY_LEN], GBytes *body, guint8 file_key[FILE_KEY_LEN])
{
  static const guint8 zero_nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = { 0 };
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (body, &len);

  return len == FILE_KEY_LEN + TAG_LEN &&
         crypto_aead_chacha20poly1305_ietf_decrypt (file_key, NULL, NULL, data, len,
                                                    NULL, 0, zero_nonce, key) == 0;
}

/* ---- the payload ---- */

static void
chunk_nonce (guint64 counter, gboolean last, guint8 nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES])
{
  memset (nonce, 0, crypto_aead_chacha20poly1305_ietf_NPUBBYTES);
  for (int i = 10; i >= 3; i--, counter >>= 8)
    nonce[i] = counter & 0xff;
  nonce[11] = last ? 1 : 0;
}

/* HEADER is the text up to "---"; the MAC and the payload are added. */
static GBytes *
seal (GString *header, GBytes *plaintext, const guint8 file_key[FILE_KEY_LEN])
{
  guint8 mac_key[KEY_LEN], mac[crypto_auth_hmacsha256_BYTES], payload_key[KEY_LEN];
  guint8 nonce[NONCE_LEN];
  g_autofree char *mac_b64 = NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (plaintext, &len);
  GByteArray *out;
  guint64 counter = 0;

  g_string_append (header, "---");
  hkdf (file_key, FILE_KEY_LEN, NULL, 0, "header", mac_key);
  crypto_auth_hmacsha256 (mac, (const guint8 *) header->str, header->len, mac_key);
  mac_b64 = air_age_b64_encode (mac, sizeof mac);
  g_string_append_printf (header, " %s\n", mac_b64);

  randombytes_buf (nonce, sizeof nonce);
  hkdf (file_key, FILE_KEY_LEN, nonce, sizeof nonce, "payload", payload_key);

  out = g_byte_array_sized_new (header->len + NONCE_LEN + len + (len / CHUNK + 1) * TAG_LEN);
  g_byte_array_append (out, (const guint8 *) header->str, header->len);
  g_byte_array_append (out, nonce, sizeof nonce);
  for (gsize at = 0;; at += CHUNK, counter++)
    {
      gsize n = MIN (CHUNK, len - at);
      gboolean last = at + n >= len;
      guint8 chunk_n[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
      guint old = out->len;

      chunk_nonce (counter, last, chunk_n);
      g_byte_array_set_size (out, old + n + TAG_LEN);
      crypto_aead_chacha20poly1305_ietf_encrypt (out->data + old, NULL, data + at, n,
                                                 NULL, 0, NULL, chunk_n, payload_key);
      if (last)
        break;
    }
  sodium_memzero (mac_key, sizeof mac_key);
  sodium_memzero (payload_key, sizeof payload_key);
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
open_payload (const guint8 *data, gsize len, const guint8 file_key[FILE_KEY_LEN], GError **error)
{
  guint8 payload_key[KEY_LEN];
  g_autoptr(GByteArray) out = NULL;
  guint64 counter = 0;
  gsize at;

  if (len < NONCE_LEN + TAG_LEN)
    return bad_file (error, _("its payload is cut short")), NULL;
  hkdf (file_key, FILE_KEY_LEN, data, NONCE_LEN, "payload", payload_key);
  out = g_byte_array_sized_new (len);
  for (at = NONCE_LEN;; counter++)
    {
      gsize left = len - at;
      gsize n = MIN (left, CHUNK + TAG_LEN);
      gboolean last = n == left;
      guint8 chunk_n[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
      guint old = out->len;

      if (n < TAG_LEN || (n == TAG_LEN && counter > 0))
        {
          sodium_memzero (out->data, out->len);
          sodium_memzero (payload_key, sizeof payload_key);
          return bad_file (error, _("its payload is cut short")), NULL;
        }
      chunk_nonce (counter, last, chunk_n);
      g_byte_array_set_size (out, old + n - TAG_LEN);
      if (crypto_aead_chacha20poly1305_ietf_decrypt (out->data + old, NULL, NULL, data + at, n,
                                                     NULL, 0, chunk_n, payload_key) != 0)
        {
          sodium_memzero (out->data, out->len);
          sodium_memzero (payload_key, sizeof payload_key);
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("The age file was changed or cut short: its contents do not authenticate"));
          return NULL;
        }
      at += n;
      if (last)
        break;
    }
  sodium_memzero (payload_key, sizeof payload_key);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* ---- encrypt ---- */

GBytes *
air_age_encrypt (GBytes              *plaintext,
                 const char * const  *recipients,
                 GError             **error)
{
  g_autoptr(GString) header = NULL;
  guint8 file_key[FILE_KEY_LEN];
  GBytes *result;

  g_return_val_if_fail (plaintext != NULL, NULL);
  if (!air_crypto_init (error))
    return NULL;
  if (recipients == NULL || recipients[0] == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("No recipient was given"));
      return NULL;
    }
  if (g_strv_length ((GStrv) recipients) > AIR_AGE_MAX_STANZAS)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("Too many recipients"));
      return NULL;
    }
  for (guint i = 0; recipients[i] != NULL; i++)
    if (!air_age_recipient_validate (recipients[i], error))
      return NULL;

  randombytes_buf (file_key, sizeof file_key);
  header = g_string_new (INTRO);
  for (guint i = 0; recipients[i] != NULL; i++)
    {
      guint8 public[KEY_LEN], eph[KEY_LEN], share[KEY_LEN], shared[KEY_LEN];
      guint8 salt[2 * KEY_LEN], key[KEY_LEN], body[FILE_KEY_LEN + TAG_LEN];
      g_autofree char *share_b64 = NULL;
      const char *args[2] = { NULL, NULL };

      air_age_bech32_decode_key (recipients[i], RECIPIENT_HRP, public);
      randombytes_buf (eph, sizeof eph);
      crypto_scalarmult_base (share, eph);
      if (crypto_scalarmult (shared, eph, public) != 0)
        {
          sodium_memzero (eph, sizeof eph);
          sodium_memzero (file_key, sizeof file_key);
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                               _("A recipient is a weak X25519 key"));
          return NULL;
        }
      memcpy (salt, share, KEY_LEN);
      memcpy (salt + KEY_LEN, public, KEY_LEN);
      hkdf (shared, sizeof shared, salt, sizeof salt, X25519_LABEL, key);
      wrap_file_key (key, file_key, body);
      share_b64 = air_age_b64_encode (share, sizeof share);
      args[0] = share_b64;
      append_stanza (header, "X25519", args, body, sizeof body);
      sodium_memzero (eph, sizeof eph);
      sodium_memzero (shared, sizeof shared);
      sodium_memzero (key, sizeof key);
    }
  result = seal (header, plaintext, file_key);
  sodium_memzero (file_key, sizeof file_key);
  return result;
}

static gboolean
scrypt_key (const char *passphrase, const guint8 salt[16], guint log_n, guint8 key[KEY_LEN])
{
  guint8 full_salt[sizeof SCRYPT_LABEL - 1 + 16];

  memcpy (full_salt, SCRYPT_LABEL, sizeof SCRYPT_LABEL - 1);
  memcpy (full_salt + sizeof SCRYPT_LABEL - 1, salt, 16);
  return crypto_pwhash_scryptsalsa208sha256_ll ((const guint8 *) passphrase, strlen (passphrase),
                                                full_salt, sizeof full_salt,
                                                (guint64) 1 << log_n, 8, 1, key, KEY_LEN) == 0;
}

GBytes *
air_age_encrypt_passphrase (GBytes      *plaintext,
                            const char  *passphrase,
                            guint        log_n,
                            GError     **error)
{
  g_autoptr(GString) header = NULL;
  guint8 file_key[FILE_KEY_LEN], salt[16], key[KEY_LEN], body[FILE_KEY_LEN + TAG_LEN];
  g_autofree char *salt_b64 = NULL;
  g_autofree char *log_text = NULL;
  const char *args[3];
  GBytes *result;

  g_return_val_if_fail (plaintext != NULL && passphrase != NULL, NULL);
  if (!air_crypto_init (error))
    return NULL;
  if (*passphrase == '\0')
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("The passphrase is empty"));
      return NULL;
    }
  if (log_n < 1 || log_n > AIR_AGE_SCRYPT_MAX_LOG_N)
    log_n = AIR_AGE_SCRYPT_LOG_N;

  randombytes_buf (file_key, sizeof file_key);
  randombytes_buf (salt, sizeof salt);
  if (!scrypt_key (passphrase, salt, log_n, key))
    {
      sodium_memzero (file_key, sizeof file_key);
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED,
                           _("The passphrase could not be stretched (not enough memory?)"));
      return NULL;
    }
  wrap_file_key (key, file_key, body);
  sodium_memzero (key, sizeof key);

  salt_b64 = air_age_b64_encode (salt, sizeof salt);
  log_text = g_strdup_printf ("%u", log_n);
  args[0] = salt_b64;
  args[1] = log_text;
  args[2] = NULL;
  header = g_string_new (INTRO);
  append_stanza (header, "scrypt", args, body, sizeof body);
  result = seal (header, plaintext, file_key);
  sodium_memzero (file_key, sizeof file_key);
  return result;
}

/* ---- decrypt ---- */

static gboolean
unwrap_x25519 (AirAgeStanza *stanza, const guint8 secret[KEY_LEN], guint8 file_key[FILE_KEY_LEN],
               GError **error)
{
  guint8 share[KEY_LEN], public[KEY_LEN], shared[KEY_LEN], salt[2 * KEY_LEN], key[KEY_LEN];
  gsize share_len = 0;
  gboolean ok;

  if (g_strv_length (stanza->args) != 1 ||
      !air_age_b64_decode (stanza->args[0], strlen (stanza->args[0]), share, sizeof share, &share_len) ||
      share_len != KEY_LEN || g_bytes_get_size (stanza->body) != FILE_KEY_LEN + TAG_LEN)
    return bad_file (error, _("an X25519 stanza is malformed"));
  crypto_scalarmult_base (public, secret);
  if (crypto_scalarmult (shared, secret, share) != 0)
    return bad_file (error, _("an X25519 stanza has a weak share"));
  memcpy (salt, share, KEY_LEN);
  memcpy (salt + KEY_LEN, public, KEY_LEN);
  hkdf (shared, sizeof shared, salt, sizeof salt, X25519_LABEL, key);
  ok = unwrap_file_key (key, stanza->body, file_key);
  sodium_memzero (shared, sizeof shared);
  sodium_memzero (key, sizeof key);
  return ok;
}

static gboolean
parse_log_n (const char *text, guint *log_n)
{
  guint64 value = 0;

  /* decimal, no leading zero, no sign */
  if (text[0] == '0' || !g_ascii_string_to_unsigned (text, 10, 1, 64, &value, NULL))
    return FALSE;
  *log_n = (guint) value;
  return TRUE;
}

static gboolean
unwrap_scrypt (AirAgeStanza *stanza, const char *passphrase, guint8 file_key[FILE_KEY_LEN],
               GError **error)
{
  guint8 salt[16], key[KEY_LEN];
  gsize salt_len = 0;
  guint log_n = 0;
  gboolean ok;

  if (g_strv_length (stanza->args) != 2 ||
      !air_age_b64_decode (stanza->args[0], strlen (stanza->args[0]), salt, sizeof salt, &salt_len) ||
      salt_len != sizeof salt || !parse_log_n (stanza->args[1], &log_n) ||
      g_bytes_get_size (stanza->body) != FILE_KEY_LEN + TAG_LEN)
    return bad_file (error, _("its scrypt stanza is malformed"));
  if (log_n > AIR_AGE_SCRYPT_MAX_LOG_N)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("The age file asks for a passphrase work factor of 2^%u, more than the 2^%d accepted"),
                   log_n, AIR_AGE_SCRYPT_MAX_LOG_N);
      return FALSE;
    }
  if (!scrypt_key (passphrase, salt, log_n, key))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED,
                           _("The passphrase could not be stretched (not enough memory?)"));
      return FALSE;
    }
  ok = unwrap_file_key (key, stanza->body, file_key);
  sodium_memzero (key, sizeof key);
  if (!ok)
    g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED,
                         _("The passphrase is wrong for this age file"));
  return ok;
}

static gboolean
header_has_scrypt (AirAgeHeader *header)
{
  for (guint i = 0; i < header->stanzas->len; i++)
    if (strcmp (((AirAgeStanza *) header->stanzas->pdata[i])->type, "scrypt") == 0)
      return TRUE;
  return FALSE;
}

gboolean
air_age_needs_passphrase (GBytes *file)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (file, &len);
  g_autoptr(AirAgeHeader) header = air_age_header_parse (data, len, NULL);

  return header != NULL && header_has_scrypt (header);
}

/* With the file key found: the header's MAC, then the payload. The file
 * key is wiped. */
static GBytes *
open_with_file_key (const guint8  *data,
                    gsize          len,
                    AirAgeHeader  *header,
                    guint8         file_key[FILE_KEY_LEN],
                    GError       **error)
{
  guint8 mac_key[KEY_LEN], mac[crypto_auth_hmacsha256_BYTES];
  GBytes *result;

  hkdf (file_key, FILE_KEY_LEN, NULL, 0, "header", mac_key);
  crypto_auth_hmacsha256 (mac, data, header->mac_offset, mac_key);
  sodium_memzero (mac_key, sizeof mac_key);
  if (sodium_memcmp (mac, header->mac, sizeof mac) != 0)
    {
      sodium_memzero (file_key, FILE_KEY_LEN);
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The age file's header was changed: its MAC does not match"));
      return NULL;
    }
  result = open_payload (data + header->length, len - header->length, file_key, error);
  sodium_memzero (file_key, FILE_KEY_LEN);
  return result;
}

/* What every decryption starts with: libsodium ready, the file no larger
 * than AIR_AGE_MAX_FILE (it is read whole), and its header parsed. */
static AirAgeHeader *
read_header (GBytes        *file,
             const guint8 **data,
             gsize         *len,
             GError       **error)
{
  if (!air_crypto_init (error))
    return NULL;
  *data = g_bytes_get_data (file, len);
  if (*len > AIR_AGE_MAX_FILE)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The age file is larger than %d MiB"), AIR_AGE_MAX_FILE / (1024 * 1024));
      return NULL;
    }
  return air_age_header_parse (*data, *len, error);
}

/* Where the identity is elsewhere (the vault keeps it): @unwrap gets the
 * file's X25519 stanzas and finds the file key; the rest is done here. */
GBytes *
air_age_decrypt_with_unwrap (GBytes           *file,
                             AirAgeUnwrapFunc  unwrap,
                             gpointer          user_data,
                             GError          **error)
{
  g_autoptr(AirAgeHeader) header = NULL;
  g_autoptr(GPtrArray) stanzas = g_ptr_array_new ();
  guint8 file_key[FILE_KEY_LEN];
  gsize len = 0;
  const guint8 *data;

  g_return_val_if_fail (file != NULL && unwrap != NULL, NULL);
  header = read_header (file, &data, &len, error);
  if (header == NULL)
    return NULL;
  if (header_has_scrypt (header))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("This age file is encrypted with a passphrase: give the passphrase"));
      return NULL;
    }
  for (guint i = 0; i < header->stanzas->len; i++)
    {
      AirAgeStanza *stanza = header->stanzas->pdata[i];

      if (strcmp (stanza->type, "X25519") == 0)
        g_ptr_array_add (stanzas, stanza);
    }
  if (stanzas->len == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED,
                           _("This age file is encrypted to no X25519 recipient"));
      return NULL;
    }
  if (!unwrap (stanzas, file_key, user_data, error))
    {
      sodium_memzero (file_key, sizeof file_key);
      return NULL;
    }
  return open_with_file_key (data, len, header, file_key, error);
}

/* One X25519 stanza against @identity: TRUE with the file key when it is
 * the identity's, FALSE without an error when it is another's. */
gboolean
air_age_unwrap_x25519 (const char    *identity,
                       AirAgeStanza  *stanza,
                       guint8         file_key[AIR_AGE_FILE_KEY_LEN],
                       GError       **error)
{
  guint8 secret[KEY_LEN];
  gboolean ok;

  if (!air_crypto_init (error) || !air_age_decode_identity (identity, secret, error))
    return FALSE;
  ok = unwrap_x25519 (stanza, secret, file_key, error);
  sodium_memzero (secret, sizeof secret);
  return ok;
}

GBytes *
air_age_decrypt (GBytes              *file,
                 const char * const  *identities,
                 const char          *passphrase,
                 GError             **error)
{
  g_autoptr(AirAgeHeader) header = NULL;
  guint8 file_key[FILE_KEY_LEN];
  gboolean found = FALSE;
  gsize len = 0;
  const guint8 *data;

  g_return_val_if_fail (file != NULL, NULL);
  header = read_header (file, &data, &len, error);
  if (header == NULL)
    return NULL;

  if (header_has_scrypt (header))
    {
      /* age.md: an scrypt stanza must be alone, or it could be used to
       * pass off a file as one only the passphrase's owner made. */
      if (header->stanzas->len != 1)
        return bad_file (error, _("its scrypt stanza is not alone")), NULL;
      if (passphrase == NULL)
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                               _("This age file is encrypted with a passphrase: give the passphrase"));
          return NULL;
        }
      if (!unwrap_scrypt (header->stanzas->pdata[0], passphrase, file_key, error))
        return NULL;
      found = TRUE;
    }
  else
    {
      for (guint i = 0; identities != NULL && identities[i] != NULL && !found; i++)
        {
          guint8 secret[KEY_LEN];

          if (!air_age_decode_identity (identities[i], secret, error))
            return NULL;
          for (guint j = 0; j < header->stanzas->len && !found; j++)
            {
              AirAgeStanza *stanza = header->stanzas->pdata[j];
              g_autoptr(GError) local_error = NULL;

              if (strcmp (stanza->type, "X25519") != 0)
                continue;
              found = unwrap_x25519 (stanza, secret, file_key, &local_error);
              if (local_error != NULL)
                {
                  sodium_memzero (secret, sizeof secret);
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  return NULL;
                }
            }
          sodium_memzero (secret, sizeof secret);
        }
      if (!found)
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED,
                               _("None of the given identities can open this age file"));
          return NULL;
        }
    }

  return open_with_file_key (data, len, header, file_key, error);
}
