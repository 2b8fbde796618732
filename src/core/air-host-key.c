/* air-host-key.c
 *
 * Host keys come from the network (ssh-keyscan of a zone host that may be
 * hostile, or a gateway's answer): only known key types and well-formed
 * base64 of a bounded size pass. The fingerprint is computed here from the
 * key itself, never taken from the peer, so what the user compares is
 * what will be pinned.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-host-key"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-host-key.h"

static const char * const key_types[] = {
  "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
  "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", NULL
};

char *
air_host_key_normalize (const char  *text,
                        gssize       len,
                        GError     **error)
{
  g_autofree char *copy = NULL;
  g_autofree guchar *blob = NULL;
  g_auto(GStrv) fields = NULL;
  gsize blob_len = 0, type_len;

  if (len < 0)
    len = text ? strnlen (text, AIR_HOST_KEY_MAX_LINE + 1) : 0;
  if (len == 0 || len > AIR_HOST_KEY_MAX_LINE)
    goto bad;

  copy = g_strndup (text, len);
  g_strstrip (copy);
  fields = g_strsplit_set (copy, " \t", 3);
  if (g_strv_length (fields) < 2 || !g_strv_contains (key_types, fields[0]))
    goto bad;

  for (const char *p = fields[1]; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      goto bad;
  if (strlen (fields[1]) % 4 != 0)
    goto bad;

  /* The blob starts with its own type name: it must agree. */
  blob = g_base64_decode (fields[1], &blob_len);
  type_len = strlen (fields[0]);
  if (blob_len < 4 + type_len)
    goto bad;
  {
    guint32 n = ((guint32) blob[0] << 24) | ((guint32) blob[1] << 16) | ((guint32) blob[2] << 8) | blob[3];
    const char *blob_type = (const char *) blob + 4;
    gboolean rsa = g_str_has_prefix (fields[0], "rsa-sha2-") || strcmp (fields[0], "ssh-rsa") == 0;

    if (rsa ? !(n == 7 && memcmp (blob_type, "ssh-rsa", 7) == 0)
            : !(n == type_len && memcmp (blob_type, fields[0], type_len) == 0))
      goto bad;
  }

  return g_strdup_printf ("%s %s", fields[0], fields[1]);

bad:
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("This is not an SSH host key"));
  return NULL;
}

char *
air_host_key_fingerprint (const char *key)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *blob = NULL;
  g_autofree char *encoded = NULL;
  const char *space = strchr (key, ' ');
  guint8 digest[32];
  gsize blob_len = 0, digest_len = sizeof digest;
  char *end;

  if (space == NULL)
    return NULL;
  blob = g_base64_decode (space + 1, &blob_len);
  g_checksum_update (checksum, blob, blob_len);
  g_checksum_get_digest (checksum, digest, &digest_len);
  encoded = g_base64_encode (digest, digest_len);
  /* ssh prints it without the base64 padding. */
  end = encoded + strlen (encoded);
  while (end > encoded && end[-1] == '=')
    *--end = '\0';
  return g_strdup_printf ("SHA256:%s", encoded);
}
