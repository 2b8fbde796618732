/* air-host-key.h — an SSH host key as the user is asked to trust it
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AIR_HOST_KEY_MAX_LINE 8192

/* "TYPE BASE64" of a key known_hosts and ssh-keyscan write; NULL when the
 * text is not one. */
char *air_host_key_normalize   (const char  *text,
                                gssize       len,
                                GError     **error);
/* "SHA256:…" as ssh-keygen -l and ssh print it. */
char *air_host_key_fingerprint (const char  *key);

G_END_DECLS
