/* air-vault-client.c
 *
 * Calls qubes-air-vault through AirTransport. The management qube stores,
 * lists and removes credentials and has key pairs made; it never reads a
 * secret back. A gateway reads its own zone's credential with _get_async().
 * Every answer is a peer's message: decoded with the strict JSON reader,
 * names validated, text sanitised.
 *
 * A secret passed to _put_async() is copied once, into the request, whose
 * memory is zeroed when the transport lets go of it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vault-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gprintf.h>
#include <sodium.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-vault-client-private.h"

#define MAX_CREDENTIALS 4096

/* AirVaultClient */

struct _AirVaultClient
{
  GObject       parent_instance;

  AirTransport *transport;
  char         *vault_qube;
};

G_DEFINE_FINAL_TYPE (AirVaultClient, air_vault_client, G_TYPE_OBJECT)

static void
air_vault_client_finalize (GObject *object)
{
  AirVaultClient *self = (AirVaultClient *)object;

  g_clear_object (&self->transport);
  g_clear_pointer (&self->vault_qube, g_free);

  G_OBJECT_CLASS (air_vault_client_parent_class)->finalize (object);
}

static void
air_vault_client_class_init (AirVaultClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_vault_client_finalize;
}

static void
air_vault_client_init (AirVaultClient *self)
{
  const char *env = g_getenv ("AIR_VAULT_QUBE");

  /* An invalid name is refused by the transport, with a message, at the
   * first call: no silent fallback to another qube. */
  self->vault_qube = g_strdup (env && env[0] ? env : AIR_VAULT_DEFAULT_QUBE);
}

/**
 * air_vault_client_new:
 * @transport: (nullable): the transport, or %NULL for the default one
 */
AirVaultClient *
air_vault_client_new (AirTransport *transport)
{
  AirVaultClient *self = g_object_new (AIR_TYPE_VAULT_CLIENT, NULL);

  self->transport = g_object_ref (transport ? transport : air_transport_get_default ());
  return self;
}

AirTransport *
air_vault_client_get_transport (AirVaultClient *self)
{
  g_return_val_if_fail (AIR_IS_VAULT_CLIENT (self), NULL);
  return self->transport;
}

const char *
air_vault_client_get_vault_qube (AirVaultClient *self)
{
  g_return_val_if_fail (AIR_IS_VAULT_CLIENT (self), NULL);
  return self->vault_qube;
}

/* Request bodies that carry a secret are zeroed before they are freed. */
static void
wipe_free (gpointer data)
{
  explicit_bzero (data, strlen (data));
  g_free (data);
}

GBytes *
_air_vault_wiped_bytes_take (char *text)
{
  return g_bytes_new_with_free_func (text, strlen (text), wipe_free, text);
}

JsonObject *
_air_vault_parse_answer (GBytes  *answer,
                         GError **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;

  object = air_json_parse_object (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                                  AIR_VAULT_MAX_ANSWER, &local_error);
  if (object == NULL)
    g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                 _("The vault's answer could not be read: %s"), local_error->message);
  return object;
}

static gpointer
decode_info (GBytes  *answer,
             GError **error)
{
  g_autoptr(JsonObject) object = _air_vault_parse_answer (answer, error);

  return object ? _air_credential_info_from_object (object, error) : NULL;
}

static gpointer
decode_list (GBytes  *answer,
             GError **error)
{
  g_autoptr(JsonObject) object = _air_vault_parse_answer (answer, error);
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 version;
  JsonArray *array;

  if (object == NULL ||
      !air_json_get_opt_int (object, "version", 1, 1, 0, &version, error))
    return NULL;

  array = air_json_get_opt_array (object, "credentials", MAX_CREDENTIALS, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (version != 1 || array == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The vault's list has no version 1 “credentials” member"));
      return NULL;
    }

  infos = g_ptr_array_new_with_free_func ((GDestroyNotify) air_credential_info_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      AirCredentialInfo *info;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("An entry of the vault's list is not an object"));
          return NULL;
        }
      info = _air_credential_info_from_object (json_node_get_object (node), error);
      if (info == NULL)
        return NULL;
      g_ptr_array_add (infos, info);
    }

  return g_steal_pointer (&infos);
}

static gpointer
decode_delete (GBytes  *answer,
               GError **error)
{
  g_autoptr(JsonObject) object = _air_vault_parse_answer (answer, error);
  gint64 deleted;

  if (object == NULL ||
      !air_json_get_opt_int (object, "deleted", 0, G_MAXUINT, -1, &deleted, error))
    return NULL;
  if (deleted < 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The vault's answer has no “deleted” count"));
      return NULL;
    }
  return GUINT_TO_POINTER ((guint) deleted + 1);
}

static gpointer
decode_public_key (GBytes  *answer,
                   GError **error)
{
  gsize len = g_bytes_get_size (answer);
  const char *data = g_bytes_get_data (answer, NULL);
  g_autofree char *line = NULL;

  /* An empty answer (a vault that failed silently) has no data at all. */
  if (len == 0)
    goto malformed;
  if (data[len - 1] == '\n')
    len--;
  if (len > AIR_VAULT_MAX_PUBLIC_KEY || memchr (data, '\0', len) != NULL)
    goto malformed;

  line = g_strndup (data, len);
  if (!air_vault_public_key_is_valid (line))
    goto malformed;
  return g_steal_pointer (&line);

malformed:
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                       _("The vault did not answer with one public key (OpenSSH ed25519, WireGuard or age)"));
  return NULL;
}

static gpointer
decode_secret (GBytes  *answer,
               GError **error)
{
  g_autoptr(JsonObject) object = _air_vault_parse_answer (answer, error);
  const char *secret;

  if (object == NULL ||
      !air_json_get_string (object, "secret", AIR_VAULT_MAX_SECRET, &secret, error))
    return NULL;

  if (secret[0] == '\0')
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The vault answered with an empty secret"));
      return NULL;
    }

  {
    GBytes *bytes = _air_vault_wiped_bytes_take (g_strdup (secret));

    explicit_bzero ((char *) secret, strlen (secret));
    return bytes;
  }
}

/* Every answer goes the same way: decoded, then returned with what frees
 * it; only the answer to Get and AgeUnwrap held a secret, and is zeroed
 * once decoded (or refused). */
static const struct {
  gpointer       (*decode) (GBytes *answer, GError **error);
  GDestroyNotify   free_func;
  gboolean         wipe_answer;
} decoders[] = {
  [DECODE_INFO]       = { decode_info, (GDestroyNotify) air_credential_info_free, FALSE },
  [DECODE_LIST]       = { decode_list, (GDestroyNotify) g_ptr_array_unref, FALSE },
  [DECODE_DELETE]     = { decode_delete, NULL, FALSE },
  [DECODE_PUBLIC_KEY] = { decode_public_key, g_free, FALSE },
  [DECODE_SECRET]     = { decode_secret, (GDestroyNotify) g_bytes_unref, TRUE },
  [DECODE_EXPORT]     = { _air_vault_decode_export, (GDestroyNotify) air_vault_export_free, FALSE },
  [DECODE_FILE_KEY]   = { _air_vault_decode_file_key, (GDestroyNotify) g_bytes_unref, TRUE },
};

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) answer = NULL;
  GError *error = NULL;
  AirVaultDecode decode = GPOINTER_TO_INT (g_task_get_task_data (task));
  gpointer value;

  answer = air_transport_call_finish (AIR_TRANSPORT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_assert ((guint) decode < G_N_ELEMENTS (decoders));
  value = decoders[decode].decode (answer, &error);
  if (decoders[decode].wipe_answer && g_bytes_get_size (answer) > 0)
    explicit_bzero ((gpointer) g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
  if (value == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, value, decoders[decode].free_func);
}

void
_air_vault_client_call (AirVaultClient *self,
                        GTask          *task,
                        AirVaultDecode          decode,
                        const char     *service,
                        const char     *arg,
                        GBytes         *input)
{
  g_task_set_task_data (task, GINT_TO_POINTER (decode), NULL);
  air_transport_call_async (self->transport, self->vault_qube, service, arg, input,
                            AIR_VAULT_MAX_ANSWER, g_task_get_cancellable (task),
                            call_cb, task);
}

static gboolean
check_zone_and_kind (const char  *zone,
                     const char  *kind,
                     GError     **error)
{
  if (!air_name_validate (zone, "zone", error))
    return FALSE;

  if (kind != NULL && !air_credential_kind_is_valid (kind))
    {
      g_autofree char *shown = air_text_sanitize (kind, -1, 32);
      g_autofree char *known = g_strjoinv (", ", (char **) air_credential_kinds);

      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a credential kind. Use one of: %s."), shown, known);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_label (const char  *label,
             GError     **error)
{
  if (label == NULL || label[0] == '\0')
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The label is empty. Give a short description, e.g. “Proxmox API token”."));
      return FALSE;
    }

  if (!g_utf8_validate (label, -1, NULL) ||
      g_utf8_strlen (label, -1) > AIR_VAULT_MAX_LABEL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The label must be text of at most %d characters."), AIR_VAULT_MAX_LABEL);
      return FALSE;
    }

  for (const char *p = label; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                             _("The label may not contain control characters or line breaks."));
        return FALSE;
      }

  return TRUE;
}

static char *
resolve_gateway (const char  *zone,
                 const char  *gateway,
                 GError     **error)
{
  char *resolved;

  if (gateway != NULL)
    return air_name_validate (gateway, "gateway qube", error) ? g_strdup (gateway) : NULL;

  resolved = air_vault_default_gateway (zone);
  if (resolved == NULL)
    g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME,
                 _("“sys-remote-%s” is too long for a qube name: name the zone's gateway qube."),
                 zone);
  return resolved;
}

/* Every call's result is its decoder's pointer, so one finish serves
 * put, list, generate and get. */
static gpointer
vault_call_finish (AirVaultClient  *self,
                   GAsyncResult    *result,
                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
append_json_member (char       **cursor,
                    const char  *name,
                    const char  *value,
                    gsize        len,
                    gboolean     last)
{
  char *p = *cursor;

  p += g_sprintf (p, "\"%s\":\"", name);
  p += air_vault_json_escape (p, value, len);
  p += g_sprintf (p, last ? "\"}" : "\",");
  *cursor = p;
}

/**
 * air_vault_client_put_async:
 * @gateway: (nullable): the qube allowed to read it; %NULL for sys-remote-ZONE
 * @secret: the secret; for kind ssh-key an unencrypted OpenSSH ed25519
 *   private key file
 *
 * Stores (or replaces) the zone's credential of @kind. The result is the
 * stored credential's metadata.
 */
void
air_vault_client_put_async (AirVaultClient      *self,
                            const char          *zone,
                            const char          *kind,
                            const char          *label,
                            const char          *gateway,
                            GBytes              *secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *resolved = NULL;
  g_autoptr(GBytes) input = NULL;
  GError *error = NULL;
  const char *data;
  gsize len, size;
  char *request, *cursor;

  g_return_if_fail (AIR_IS_VAULT_CLIENT (self));
  g_return_if_fail (secret != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, air_vault_client_put_async);

  if (!check_zone_and_kind (zone, kind, &error) || kind == NULL ||
      !check_label (label, &error) ||
      (resolved = resolve_gateway (zone, gateway, &error)) == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                                     _("Give the credential's kind."));
      g_task_return_error (task, error);
      return;
    }

  data = g_bytes_get_data (secret, &len);
  if (len == 0 || len > AIR_VAULT_MAX_SECRET ||
      memchr (data, '\0', len) != NULL || !g_utf8_validate_len (data, len, NULL))
    {
      g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                               len == 0 ? _("The secret is empty.")
                               : len > AIR_VAULT_MAX_SECRET
                               ? _("The secret is larger than 64 KiB.")
                               : _("The secret must be text (UTF-8, without NUL bytes)."));
      return;
    }

  size = 64 + air_vault_json_escape (NULL, kind, strlen (kind))
            + air_vault_json_escape (NULL, label, strlen (label))
            + air_vault_json_escape (NULL, resolved, strlen (resolved))
            + air_vault_json_escape (NULL, data, len);
  request = cursor = g_malloc0 (size);
  *cursor++ = '{';
  append_json_member (&cursor, "kind", kind, strlen (kind), FALSE);
  append_json_member (&cursor, "label", label, strlen (label), FALSE);
  append_json_member (&cursor, "gateway", resolved, strlen (resolved), FALSE);
  append_json_member (&cursor, "secret", data, len, TRUE);
  g_assert ((gsize) (cursor - request) < size);

  input = _air_vault_wiped_bytes_take (request);
  _air_vault_client_call (self, g_steal_pointer (&task), DECODE_INFO, AIR_VAULT_SERVICE_PUT, zone, input);
}

AirCredentialInfo *
air_vault_client_put_finish (AirVaultClient  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return vault_call_finish (self, result, error);
}

/* The result is a GPtrArray of AirCredentialInfo, by zone then kind. */
void
air_vault_client_list_async (AirVaultClient      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (AIR_IS_VAULT_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, air_vault_client_list_async);
  _air_vault_client_call (self, g_steal_pointer (&task), DECODE_LIST, AIR_VAULT_SERVICE_LIST, NULL, NULL);
}

GPtrArray *
air_vault_client_list_finish (AirVaultClient  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return vault_call_finish (self, result, error);
}

static GBytes *
kind_request (const char *kind)
{
  g_autoptr(JsonBuilder) builder = NULL;
  char *line;

  if (kind == NULL)
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_end_object (builder);
  line = air_json_builder_to_line (builder);
  return g_bytes_new_take (line, strlen (line));
}

/* A call naming a zone and, optionally, a kind: Delete and Get. */
static void
call_vault_for_kind (AirVaultClient      *self,
                     gpointer             source_tag,
                     AirVaultDecode               decode,
                     const char          *service,
                     const char          *zone,
                     const char          *kind,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GBytes) input = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  if (!check_zone_and_kind (zone, kind, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  input = kind_request (kind);
  _air_vault_client_call (self, g_steal_pointer (&task), decode, service, zone, input);
}

/**
 * air_vault_client_delete_async:
 * @kind: (nullable): only this kind, or %NULL for all the zone's credentials
 */
void
air_vault_client_delete_async (AirVaultClient      *self,
                               const char          *zone,
                               const char          *kind,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (AIR_IS_VAULT_CLIENT (self));

  call_vault_for_kind (self, air_vault_client_delete_async, DECODE_DELETE, AIR_VAULT_SERVICE_DELETE,
                       zone, kind, cancellable, callback, user_data);
}

gboolean
air_vault_client_delete_finish (AirVaultClient  *self,
                                GAsyncResult    *result,
                                guint           *n_deleted,
                                GError         **error)
{
  gpointer value = vault_call_finish (self, result, error);

  if (n_deleted != NULL)
    *n_deleted = value ? GPOINTER_TO_UINT (value) - 1 : 0;
  return value != NULL;
}

/**
 * air_vault_client_generate_key_async:
 * @gateway: (nullable): the qube allowed to use the key; %NULL for sys-remote-ZONE
 * @label: (nullable): a description; %NULL for a default
 * @replace: whether to replace the zone's existing key
 *
 * Has the vault make the zone's ed25519 key pair. The result is the
 * public key as one OpenSSH line; the private key stays in the vault.
 */
void
air_vault_client_generate_key_async (AirVaultClient      *self,
                                     const char          *zone,
                                     const char          *gateway,
                                     const char          *label,
                                     gboolean             replace,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  air_vault_client_generate_async (self, zone, "ssh-key", gateway, label, replace,
                                   cancellable, callback, user_data);
}

/**
 * air_vault_client_generate_async:
 * @kind: ssh-key, wireguard-key (the result is the WireGuard public key)
 *   or age-identity (the result is the age recipient, age1…; @zone is then
 *   the identity's name)
 *
 * Has the vault make a key pair of @kind; the private key stays in the
 * vault. air_vault_client_generate_key_finish() gives the public half.
 */
void
air_vault_client_generate_async (AirVaultClient      *self,
                                 const char          *zone,
                                 const char          *kind,
                                 const char          *gateway,
                                 const char          *label,
                                 gboolean             replace,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *resolved = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GBytes) input = NULL;
  GError *error = NULL;

  g_return_if_fail (AIR_IS_VAULT_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, air_vault_client_generate_async);

  if (!air_credential_kind_is_key (kind))
    {
      g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                               _("The vault makes keys of kind ssh-key, wireguard-key or age-identity only."));
      return;
    }
  if (!check_zone_and_kind (zone, NULL, &error) ||
      (label != NULL && !check_label (label, &error)) ||
      (resolved = resolve_gateway (zone, gateway, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, "gateway");
  json_builder_add_string_value (builder, resolved);
  if (label != NULL)
    {
      json_builder_set_member_name (builder, "label");
      json_builder_add_string_value (builder, label);
    }
  json_builder_set_member_name (builder, "replace");
  json_builder_add_boolean_value (builder, replace);
  json_builder_end_object (builder);
  line = air_json_builder_to_line (builder);
  input = g_bytes_new (line, strlen (line));

  _air_vault_client_call (self, g_steal_pointer (&task), DECODE_PUBLIC_KEY,
                          AIR_VAULT_SERVICE_KEY_GENERATE, zone, input);
}

char *
air_vault_client_generate_key_finish (AirVaultClient  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  return vault_call_finish (self, result, error);
}

/**
 * air_vault_client_get_async:
 * @kind: (nullable): the kind, or %NULL for the zone's only credential
 *
 * For a gateway: reads its own zone's credential. The vault answers only
 * when the caller is the gateway stored with it. The result is the secret;
 * its memory is zeroed when the last reference goes.
 */
void
air_vault_client_get_async (AirVaultClient      *self,
                            const char          *zone,
                            const char          *kind,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (AIR_IS_VAULT_CLIENT (self));

  call_vault_for_kind (self, air_vault_client_get_async, DECODE_SECRET, AIR_VAULT_SERVICE_GET,
                       zone, kind, cancellable, callback, user_data);
}

GBytes *
air_vault_client_get_finish (AirVaultClient  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return vault_call_finish (self, result, error);
}
