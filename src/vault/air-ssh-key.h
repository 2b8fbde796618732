/* air-ssh-key.h — ed25519 keys made with libsodium, in OpenSSH's formats
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "air-secret.h"

G_BEGIN_DECLS

#define AIR_ED25519_PUBLIC_BYTES 32
#define AIR_ED25519_SECRET_BYTES 64
#define AIR_ED25519_SIGNATURE_BYTES 64

/* An OpenSSH private key file is a few hundred bytes; more is not one. */
#define AIR_SSH_KEY_MAX_IMPORT 16384

AirSecret *air_ssh_key_generate           (guint8           public_key[AIR_ED25519_PUBLIC_BYTES]);
gboolean   air_ssh_key_public_from_secret (const AirSecret *secret_key,
                                           guint8           public_key[AIR_ED25519_PUBLIC_BYTES],
                                           GError         **error);
GBytes    *air_ssh_key_public_blob        (const guint8     public_key[AIR_ED25519_PUBLIC_BYTES]);
char      *air_ssh_key_public_line        (const guint8     public_key[AIR_ED25519_PUBLIC_BYTES],
                                           const char      *comment);
AirSecret *air_ssh_key_import_openssh     (const guint8    *text,
                                           gsize            len,
                                           GError         **error);

G_END_DECLS
