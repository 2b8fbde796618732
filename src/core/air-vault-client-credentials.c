/* air-vault-client-credentials.c — the credential kinds, the checks of
 * what the vault shows (names, public keys), and AirCredentialInfo, what
 * it says of a credential
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vault-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-age.h"
#include "air-vault-client-private.h"
#include "air-wireguard-key.h"

const char * const air_credential_kinds[] = {
  "api-token",         /* Proxmox */
  "service-account",   /* GCP service-account JSON */
  "access-key",        /* AWS key id and secret */
  "ssh-key",           /* an ed25519 key the vault signs with */
  NULL,
};

/* Kinds the vault also keeps, made by it (KeyGenerate) or brought back
 * from an export, not offered where a user picks a kind to store. */
static const char * const vault_made_kinds[] = {
  "wireguard-key",     /* a zone's WireGuard private key, for its gateway's tunnel */
  "age-identity",      /* an age X25519 identity the vault decrypts with */
  NULL,
};

gboolean
air_credential_kind_is_valid (const char *kind)
{
  return kind != NULL && (g_strv_contains (air_credential_kinds, kind) ||
                          g_strv_contains (vault_made_kinds, kind));
}

/* sys-remote-ZONE, the gateway's usual name; NULL when that is too long. */
char *
air_vault_default_gateway (const char *zone)
{
  g_autofree char *gateway = g_strconcat ("sys-remote-", zone, NULL);

  return air_name_is_valid (gateway) ? g_steal_pointer (&gateway) : NULL;
}

/* JSON string escaping without a temporary copy: call with @out NULL for
 * the length, then with a buffer that large. @in must be valid UTF-8. */
gsize
air_vault_json_escape (char       *out,
                       const char *in,
                       gsize       len)
{
  static const char hex[] = "0123456789abcdef";
  gsize n = 0;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) in[i];
      char two = 0;

      switch (c)
        {
        case '"': two = '"'; break;
        case '\\': two = '\\'; break;
        case '\n': two = 'n'; break;
        case '\r': two = 'r'; break;
        case '\t': two = 't'; break;
        default: break;
        }

      if (two != 0)
        {
          if (out)
            {
              out[n] = '\\';
              out[n + 1] = two;
            }
          n += 2;
        }
      else if (c < 0x20 || c == 0x7f)
        {
          if (out)
            {
              memcpy (out + n, "\\u00", 4);
              out[n + 4] = hex[c >> 4];
              out[n + 5] = hex[c & 0xf];
            }
          n += 6;
        }
      else
        {
          if (out)
            out[n] = (char) c;
          n++;
        }
    }

  return n;
}

/* Keys the vault makes and keeps: never handed out as a plain credential
 * to anyone but their gateway (wireguard-key), or not at all. */
gboolean
air_credential_kind_is_key (const char *kind)
{
  return g_strcmp0 (kind, "ssh-key") == 0 || g_strcmp0 (kind, "wireguard-key") == 0 ||
         g_strcmp0 (kind, "age-identity") == 0;
}

/* The public half the vault shows of a key it keeps: an OpenSSH ed25519
 * line, a WireGuard public key (base64) or an age recipient (age1…). */
gboolean
air_vault_public_key_is_valid (const char *line)
{
  if (line != NULL && g_str_has_prefix (line, "age1"))
    return air_age_recipient_validate (line, NULL);
  if (line != NULL && strlen (line) == AIR_WIREGUARD_KEY_LEN)
    return air_wireguard_key_is_valid (line);
  return air_vault_ssh_public_key_is_valid (line);
}

/* "ssh-ed25519 BASE64 [comment]" with a well-formed ed25519 key blob. */
gboolean
air_vault_ssh_public_key_is_valid (const char *line)
{
  g_auto(GStrv) fields = NULL;
  g_autofree guchar *blob = NULL;
  static const guchar prefix[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32 };
  gsize blob_len = 0;

  if (line == NULL || strlen (line) > AIR_VAULT_MAX_PUBLIC_KEY)
    return FALSE;

  for (const char *p = line; *p; p++)
    if (*p < 0x20 || *p > 0x7e)
      return FALSE;

  fields = g_strsplit (line, " ", 3);
  if (g_strv_length (fields) < 2 || !g_str_equal (fields[0], "ssh-ed25519"))
    return FALSE;

  for (const char *p = fields[1]; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return FALSE;

  blob = g_base64_decode (fields[1], &blob_len);
  return blob_len == sizeof prefix + 32 && memcmp (blob, prefix, sizeof prefix) == 0;
}

/* AirCredentialInfo */

struct _AirCredentialInfo
{
  char   *zone;
  char   *kind;
  char   *label;
  char   *gateway;
  char   *public_key;
  gint64  stored;
};

G_DEFINE_BOXED_TYPE (AirCredentialInfo, air_credential_info,
                     air_credential_info_copy, air_credential_info_free)

AirCredentialInfo *
air_credential_info_copy (const AirCredentialInfo *self)
{
  AirCredentialInfo *copy = g_new0 (AirCredentialInfo, 1);

  copy->zone = g_strdup (self->zone);
  copy->kind = g_strdup (self->kind);
  copy->label = g_strdup (self->label);
  copy->gateway = g_strdup (self->gateway);
  copy->public_key = g_strdup (self->public_key);
  copy->stored = self->stored;
  return copy;
}

void
air_credential_info_free (AirCredentialInfo *self)
{
  if (self == NULL)
    return;
  g_free (self->zone);
  g_free (self->kind);
  g_free (self->label);
  g_free (self->gateway);
  g_free (self->public_key);
  g_free (self);
}

const char *
air_credential_info_get_zone (const AirCredentialInfo *self)
{
  return self->zone;
}

const char *
air_credential_info_get_kind (const AirCredentialInfo *self)
{
  return self->kind;
}

const char *
air_credential_info_get_label (const AirCredentialInfo *self)
{
  return self->label;
}

const char *
air_credential_info_get_gateway (const AirCredentialInfo *self)
{
  return self->gateway;
}

/* Seconds since the epoch; 0 when the vault did not say. */
gint64
air_credential_info_get_stored (const AirCredentialInfo *self)
{
  return self->stored;
}

/* Only for kind ssh-key, and only when the vault said it. */
const char *
air_credential_info_get_public_key (const AirCredentialInfo *self)
{
  return self->public_key;
}

AirCredentialInfo *
_air_credential_info_from_object (JsonObject  *object,
                                  GError     **error)
{
  g_autoptr(AirCredentialInfo) info = g_new0 (AirCredentialInfo, 1);
  const char *zone, *kind, *label, *gateway, *public_key;

  if (!air_json_get_string (object, "zone", AIR_NAME_MAX, &zone, error) ||
      !air_json_get_string (object, "kind", 32, &kind, error) ||
      !air_json_get_string (object, "label", AIR_VAULT_MAX_LABEL, &label, error) ||
      !air_json_get_string (object, "gateway", AIR_NAME_MAX, &gateway, error) ||
      !air_json_get_opt_int (object, "stored", 0, G_MAXINT64, 0, &info->stored, error) ||
      !air_json_get_opt_string (object, "public_key", AIR_VAULT_MAX_PUBLIC_KEY, NULL,
                                &public_key, error))
    return NULL;

  if (!air_name_validate (zone, "zone", error) ||
      !air_name_validate (gateway, "gateway qube", error))
    return NULL;

  if (!air_credential_kind_is_valid (kind))
    {
      g_autofree char *shown = air_text_sanitize (kind, -1, 32);

      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("The vault answered with an unknown credential kind “%s”"), shown);
      return NULL;
    }

  if (public_key != NULL && !air_vault_public_key_is_valid (public_key))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The vault answered with a malformed public key"));
      return NULL;
    }

  info->zone = g_strdup (zone);
  info->kind = g_strdup (kind);
  info->label = air_text_sanitize (label, -1, AIR_VAULT_MAX_LABEL);
  info->gateway = g_strdup (gateway);
  info->public_key = g_strdup (public_key);
  return g_steal_pointer (&info);
}

struct _AirVaultFetch
{
  AirVaultClient *client;
  GMainContext   *context;
  GBytes         *secret;
  GError         *error;
  gboolean        done;
};

static void
fetch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  AirVaultFetch *fetch = user_data;

  fetch->secret = air_vault_client_get_finish (AIR_VAULT_CLIENT (source), result, &fetch->error);
  fetch->done = TRUE;
}

/**
 * air_vault_fetch_begin:
 * @kind: the credential's kind
 *
 * For a gateway's service, which has nothing else to do meanwhile: asks
 * the vault for its own zone's credential at once; air_vault_fetch_end()
 * waits for the answer on a context of the fetch's own, so that no other
 * source of the process runs, and other work can go on in between. Both
 * are called on one thread, in that order.
 *
 * Returns: (transfer full): the fetch, for air_vault_fetch_end()
 */
AirVaultFetch *
air_vault_fetch_begin (const char *zone,
                       const char *kind)
{
  AirVaultFetch *fetch = g_new0 (AirVaultFetch, 1);

  fetch->client = air_vault_client_new (NULL);
  fetch->context = g_main_context_new ();
  g_main_context_push_thread_default (fetch->context);
  air_vault_client_get_async (fetch->client, zone, kind, NULL, fetch_cb, fetch);
  return fetch;
}

/**
 * air_vault_fetch_end:
 * @fetch: (transfer full): from air_vault_fetch_begin()
 *
 * Returns: (transfer full): the secret, its memory zeroed when the last
 *   reference goes; or NULL with @error set
 */
GBytes *
air_vault_fetch_end (AirVaultFetch  *fetch,
                     GError        **error)
{
  GBytes *secret;

  while (!fetch->done)
    g_main_context_iteration (fetch->context, TRUE);
  g_main_context_pop_thread_default (fetch->context);
  secret = fetch->secret;
  if (secret == NULL)
    g_propagate_error (error, fetch->error);
  g_object_unref (fetch->client);
  g_main_context_unref (fetch->context);
  g_free (fetch);
  return secret;
}
