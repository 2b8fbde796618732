/* air-age-private.h — what air-age.c (the file format) and air-age-keys.c
 * (age's keys and their text forms) share
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>
#include <sodium.h>

G_BEGIN_DECLS

#define INTRO          "age-encryption.org/v1\n"
#define FILE_KEY_LEN   16
#define NONCE_LEN      16
#define KEY_LEN        32
#define TAG_LEN        crypto_aead_chacha20poly1305_ietf_ABYTES
#define CHUNK          (64 * 1024)
#define COLUMNS        64
#define MAX_ARGS       8
#define MAX_ARG_LEN    256
#define MAX_BODY       1024
#define X25519_LABEL   "age-encryption.org/v1/X25519"
#define SCRYPT_LABEL   "age-encryption.org/v1/scrypt"
#define RECIPIENT_HRP  "age"
#define IDENTITY_HRP   "age-secret-key-"

/* Unpadded, canonical base64, as age writes stanza bodies and the MAC. */
char     *air_age_b64_encode        (const guint8 *data, gsize len);
gboolean  air_age_b64_decode        (const char *text, gsize text_len, guint8 *out, gsize max, gsize *out_len);
/* Bech32 TEXT of human-readable part HRP, into exactly KEY_LEN bytes. */
gboolean  air_age_bech32_decode_key (const char *text, const char *hrp, guint8 out[KEY_LEN]);
gboolean  air_age_decode_identity   (const char *identity, guint8 secret[KEY_LEN], GError **error);

G_END_DECLS
