/* air-age.h — files in the age v1 format (C2SP age.md), X25519 and scrypt
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What this project encrypts is configuration: kilobytes. A larger file
 * is refused before anything is allocated for it. */
#define AIR_AGE_MAX_FILE        (16 * 1024 * 1024)
#define AIR_AGE_MAX_STANZAS     64
/* scrypt's work factor: age's own default when writing; when reading,
 * the largest accepted (2^22 × 1 KiB = 4 GiB of memory would be too much
 * for a qube; 2^20 is 1 GiB). */
#define AIR_AGE_SCRYPT_LOG_N     18
#define AIR_AGE_SCRYPT_MAX_LOG_N 20

typedef struct {
  char      *type;
  GStrv      args;     /* after the type */
  GBytes    *body;
} AirAgeStanza;

typedef struct {
  GPtrArray *stanzas;     /* of AirAgeStanza */
  gsize      mac_offset;  /* bytes of the header the MAC covers (up to "---") */
  guint8     mac[32];
  gsize      length;      /* the whole header, its final newline included */
} AirAgeHeader;

AirAgeHeader *air_age_header_parse (const guint8  *data,
                                    gsize          len,
                                    GError       **error);
void          air_age_header_free  (AirAgeHeader  *header);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirAgeHeader, air_age_header_free)

gboolean air_age_keygen              (char        **identity,
                                      char        **recipient,
                                      GError      **error);
char    *air_age_identity_to_recipient (const char  *identity,
                                        GError     **error);
gboolean air_age_recipient_validate  (const char   *recipient,
                                      GError      **error);
GStrv    air_age_parse_key_file      (const char   *contents,
                                      const char   *prefix,
                                      GError      **error);

GBytes  *air_age_encrypt             (GBytes              *plaintext,
                                      const char * const  *recipients,
                                      GError             **error);
GBytes  *air_age_encrypt_passphrase  (GBytes              *plaintext,
                                      const char          *passphrase,
                                      guint                log_n,
                                      GError             **error);
GBytes  *air_age_decrypt             (GBytes              *file,
                                      const char * const  *identities,
                                      const char          *passphrase,
                                      GError             **error);
gboolean air_age_needs_passphrase    (GBytes              *file);

#define AIR_AGE_FILE_KEY_LEN 16

/* Finds the file key from the file's X25519 stanzas (AirAgeStanza), e.g.
 * by asking the vault that keeps the identity. */
typedef gboolean (*AirAgeUnwrapFunc) (GPtrArray  *stanzas,
                                      guint8      file_key[AIR_AGE_FILE_KEY_LEN],
                                      gpointer    user_data,
                                      GError    **error);

GBytes  *air_age_decrypt_with_unwrap (GBytes              *file,
                                      AirAgeUnwrapFunc     unwrap,
                                      gpointer             user_data,
                                      GError             **error);
gboolean air_age_unwrap_x25519       (const char          *identity,
                                      AirAgeStanza        *stanza,
                                      guint8               file_key[AIR_AGE_FILE_KEY_LEN],
                                      GError             **error);

G_END_DECLS
