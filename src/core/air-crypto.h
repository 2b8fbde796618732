/* air-crypto.h — libsodium, made ready once for every program
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean air_crypto_init (GError **error);

G_END_DECLS
