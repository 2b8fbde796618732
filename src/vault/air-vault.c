/* air-vault.c
 *
 * One program, several qrexec services, told apart by
 * QREXEC_SERVICE_FULL_NAME; the zone is QREXEC_SERVICE_ARGUMENT and the
 * caller QREXEC_REMOTE_DOMAIN. The vault checks the caller itself,
 * whatever the qrexec policy allowed:
 *
 *   CredentialPut+ZONE, CredentialList, CredentialDelete+ZONE,
 *   KeyGenerate+ZONE      management: only the management qubes named in
 *                         vault.conf (air-vault-config.c), and never a
 *                         qube that is the gateway of a stored credential.
 *                         KeyGenerate makes an ssh-key (default), a
 *                         wireguard-key or an age-identity ({"kind"})
 *   CredentialGet+ZONE    only the gateway stored with the credential; a
 *                         wireguard-key too (the gateway hands it to wg
 *                         through a pipe), never an ssh-key or an
 *                         age-identity
 *   SshAgent+ZONE         only the gateway stored with the zone's key
 *   CredentialExport      management: the given zones' credentials and
 *                         keys in an age file the vault encrypts itself
 *   CredentialImport      management: opens such a file and stores them
 *   CredentialAgeUnwrap+NAME  management: the file key of an age file from
 *                         its X25519 stanzas, with the age identity NAME
 *                         the vault keeps (which never leaves it)
 *   CredentialDiskKey+ZONE  the zone's gateway only: the keys of its
 *                         qubes' encrypted disks (air-vault-disk-keys.c)
 *
 * Refusals go to stderr for the caller and to the vault's own log
 * (AIR_VAULT_LOG, else $XDG_STATE_HOME/qubes-air/vault.log, and the
 * journal where there is one) with caller and zone — never a secret.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vault"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "air-age.h"
#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-secret.h"
#include "air-ssh-agent.h"
#include "air-ssh-key.h"
#include "air-vault-client.h"
#include "air-vault-config.h"
#include "air-vault-disk-keys.h"
#include "air-vault-store.h"
#include "air-vault.h"
#include "air-wireguard-key.h"

/* Requests without a secret are small. */
#define MAX_SMALL_REQUEST 4096
#define MAX_KIND 32

typedef struct {
  const char *service;
  const char *zone;     /* validated, or NULL when the service takes none */
  const char *caller;
} Request;

/* Logging */

static char *
log_path (void)
{
  const char *env = g_getenv ("AIR_VAULT_LOG");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_state_dir (), "qubes-air", "vault.log", NULL);
}

/* @message is built from validated names and fixed text only. */
static void
audit (const char *message)
{
  g_autofree char *path = log_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  g_autofree char *line = g_strdup_printf ("%s %s\n", stamp, message);
  const GLogField fields[] = {
    { "MESSAGE", message, -1 },
    { "PRIORITY", "4", -1 },
    { "SYSLOG_IDENTIFIER", "qubes-air-vault", -1 },
    { "GLIB_DOMAIN", G_LOG_DOMAIN, -1 },
  };
  int fd;

  /* Straight to the journal's writer: a refusal is not a programming
   * error, so it must not go through g_warning() (fatal in tests). */
  g_log_writer_journald (G_LOG_LEVEL_WARNING, fields, G_N_ELEMENTS (fields), NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return;
  fd = g_open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return;
  if (write (fd, line, strlen (line)) < 0)
    { /* nothing else to tell */ }
  close (fd);
}

static int
refuse (const Request *request,
        const char    *why)
{
  g_autofree char *entry = g_strdup_printf ("refused %s zone=%s caller=%s: %s",
                                            request->service,
                                            request->zone ? request->zone : "-",
                                            request->caller, why);

  audit (entry);
  g_printerr ("%s\n", why);
  return AIR_VAULT_EXIT_REFUSED;
}

static int
fail (GError *error)
{
  int status = AIR_VAULT_EXIT_FAILED;

  if (error->domain == AIR_ERROR &&
      (error->code == AIR_ERROR_PROTOCOL || error->code == AIR_ERROR_INVALID_ARGUMENT ||
       error->code == AIR_ERROR_INVALID_NAME))
    status = AIR_VAULT_EXIT_BAD_REQUEST;

  g_printerr ("%s\n", error->message);
  g_error_free (error);
  return status;
}

/* Requests */

/* Reads an optional JSON object from stdin: NULL with no error when the
 * caller sent nothing. Members not in @allowed are refused. */
static JsonObject *
read_request (gsize               max_len,
              const char * const *allowed,
              AirSecret         **out_raw,
              GError            **error)
{
  g_autoptr(AirSecret) raw = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) members = NULL;

  raw = air_secret_read_fd (STDIN_FILENO, max_len, error);
  if (raw == NULL)
    return NULL;
  if (raw->len == 0)
    return NULL;

  object = air_json_parse_object ((const char *) raw->data, raw->len, max_len, &local_error);
  if (object == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("The request is not valid: %s"), local_error->message);
      return NULL;
    }

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        g_autofree char *shown = air_text_sanitize (l->data, -1, 40);

        g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                     _("The request has an unknown field “%s”"), shown);
        return NULL;
      }

  if (out_raw != NULL)
    *out_raw = g_steal_pointer (&raw);
  return g_steal_pointer (&object);
}

static gboolean
get_kind (JsonObject  *object,
          gboolean     required,
          const char **out,
          GError     **error)
{
  *out = NULL;
  if (object != NULL &&
      !air_json_get_opt_string (object, "kind", MAX_KIND, NULL, out, error))
    return FALSE;

  if (*out == NULL && required)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The request has no “kind”"));
      return FALSE;
    }

  if (*out != NULL && !air_credential_kind_is_valid (*out))
    {
      g_autofree char *shown = air_text_sanitize (*out, -1, MAX_KIND);
      g_autofree char *known = g_strjoinv (", ", (char **) air_credential_kinds);

      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("“%s” is not a credential kind; the vault knows: %s"), shown, known);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_label (JsonObject  *object,
           const char  *fallback,
           char       **out,
           GError     **error)
{
  const char *label;
  g_autofree char *clean = NULL;

  if (!air_json_get_opt_string (object, "label", AIR_VAULT_MAX_LABEL, fallback, &label, error))
    return FALSE;

  if (label == NULL || label[0] == '\0')
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The request has no “label”"));
      return FALSE;
    }

  clean = air_text_sanitize (label, -1, AIR_VAULT_MAX_LABEL);
  if (!g_str_equal (clean, label))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The label may not contain control characters or line breaks"));
      return FALSE;
    }

  *out = g_steal_pointer (&clean);
  return TRUE;
}

static gboolean
get_gateway (JsonObject  *object,
             const char  *zone,
             char       **out,
             GError     **error)
{
  const char *gateway = NULL;

  if (object != NULL &&
      !air_json_get_opt_string (object, "gateway", AIR_NAME_MAX + 1, NULL, &gateway, error))
    return FALSE;

  if (gateway == NULL)
    {
      *out = air_vault_default_gateway (zone);
      if (*out == NULL)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                       _("“sys-remote-%s” is too long for a qube name: name the zone's gateway"),
                       zone);
          return FALSE;
        }
      return TRUE;
    }

  if (!air_name_validate (gateway, "gateway qube", error))
    return FALSE;
  *out = g_strdup (gateway);
  return TRUE;
}

/* Output */

static int
print_node (JsonBuilder *builder)
{
  g_autofree char *line = air_json_builder_to_line (builder);

  if (fputs (line, stdout) == EOF || fflush (stdout) != 0)
    return AIR_VAULT_EXIT_FAILED;
  return AIR_VAULT_EXIT_OK;
}

static void
add_record (JsonBuilder          *builder,
            const AirVaultRecord *record)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "zone");
  json_builder_add_string_value (builder, record->zone);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, record->kind);
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, record->label);
  json_builder_set_member_name (builder, "gateway");
  json_builder_add_string_value (builder, record->gateway);
  json_builder_set_member_name (builder, "stored");
  json_builder_add_int_value (builder, record->stored);
}

/* Only a management qube named in vault.conf manages credentials, and a
 * gateway never does, even if a policy lets it call. */
static int
check_management_caller (const Request *request,
                         AirVaultStore *store,
                         GError       **error)
{
  g_autoptr(GPtrArray) records = air_vault_store_list (store, NULL, error);
  g_autoptr(GError) refusal = NULL;

  if (records == NULL)
    return AIR_VAULT_EXIT_FAILED;

  for (guint i = 0; i < records->len; i++)
    {
      AirVaultRecord *record = g_ptr_array_index (records, i);

      /* An age identity's "gateway" is the management qube that uses it. */
      if (g_str_equal (record->kind, "age-identity"))
        continue;
      if (g_str_equal (record->gateway, request->caller))
        {
          g_autofree char *why = g_strdup_printf (_("Qube “%s” is the gateway of zone “%s”; "
                                                    "a gateway cannot manage credentials. "
                                                    "Call from the management qube."),
                                                  request->caller, record->zone);
          return refuse (request, why);
        }
    }

  switch (air_vault_config_check_manager (request->caller, &refusal))
    {
    case AIR_VAULT_MANAGER_LISTED:
      break;
    case AIR_VAULT_MANAGER_PINNED:
      {
        g_autofree char *path = air_vault_config_path ();
        g_autofree char *entry = g_strdup_printf ("management qube pinned: caller=%s (first to manage "
                                                  "this vault; see %s)", request->caller, path);
        audit (entry);
      }
      break;
    case AIR_VAULT_MANAGER_REFUSED:
    default:
      return refuse (request, refusal->message);
    }

  return AIR_VAULT_EXIT_OK;
}

static AirVaultStore *
open_store (const Request *request,
            int           *status)
{
  GError *error = NULL;
  AirVaultStore *store = air_vault_store_open (&error);

  if (store == NULL)
    {
      *status = fail (error);
      return NULL;
    }

  *status = AIR_VAULT_EXIT_OK;
  return store;
}

/* Services */

static int
service_put (const Request *request)
{
  static const char * const allowed[] = { "kind", "label", "gateway", "secret", NULL };
  g_autoptr(AirSecret) raw = NULL;
  g_autoptr(AirSecret) secret = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(AirVaultRecord) record = g_new0 (AirVaultRecord, 1);
  g_autofree char *public_line = NULL;
  GError *error = NULL;
  const char *kind, *text;
  int status;

  object = read_request (AIR_VAULT_MAX_REQUEST, allowed, &raw, &error);
  if (object == NULL && error == NULL)
    error = g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL, _("The request is empty"));
  if (error != NULL)
    return fail (error);

  /* First of all, the secret goes from the parser's string to locked
   * memory, and both copies the parse left behind are zeroed — also when
   * the rest of the request turns out to be wrong. */
  if (!air_json_get_string (object, "secret", AIR_VAULT_MAX_SECRET, &text, &error))
    return fail (error);
  secret = air_secret_new_copy (text, strlen (text));
  air_secret_wipe_string ((char *) text);
  g_clear_pointer (&raw, air_secret_free);

  if (!get_kind (object, TRUE, &kind, &error) ||
      !get_label (object, NULL, &record->label, &error) ||
      !get_gateway (object, request->zone, &record->gateway, &error))
    return fail (error);

  if (secret->len == 0 || secret->len > AIR_VAULT_MAX_SECRET)
    return fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                      secret->len == 0 ? _("The secret is empty")
                                      : _("The secret is larger than 64 KiB")));

  record->zone = g_strdup (request->zone);
  record->kind = g_strdup (kind);

  if (g_str_equal (kind, "ssh-key"))
    {
      guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
      g_autofree char *comment = g_strdup_printf ("qubes-air-%s", request->zone);
      AirSecret *key = air_ssh_key_import_openssh (secret->data, secret->len, &error);

      if (key == NULL)
        return fail (error);
      g_clear_pointer (&secret, air_secret_free);
      secret = key;
      if (!air_ssh_key_public_from_secret (secret, public_key, &error))
        return fail (error);
      public_line = air_ssh_key_public_line (public_key, comment);
    }
  else if (g_str_equal (kind, "wireguard-key") || g_str_equal (kind, "age-identity"))
    {
      /* Keys brought back from an export: checked, and their public half
       * shown as when the vault makes them. */
      g_autofree char *key_text = g_strndup ((const char *) secret->data, secret->len);

      g_strchomp (key_text);
      if (g_str_equal (kind, "wireguard-key"))
        {
          char public_key[AIR_WIREGUARD_KEY_LEN + 1];

          if (!air_wireguard_key_public (key_text, public_key, &error))
            {
              air_secret_wipe_string (key_text);
              return fail (error);
            }
          public_line = g_strdup (public_key);
        }
      else if ((public_line = air_age_identity_to_recipient (key_text, &error)) == NULL)
        {
          air_secret_wipe_string (key_text);
          return fail (error);
        }
      g_clear_pointer (&secret, air_secret_free);
      secret = air_secret_new_copy (key_text, strlen (key_text));
      air_secret_wipe_string (key_text);
      if (g_str_equal (kind, "age-identity"))
        {
          g_free (record->gateway);
          record->gateway = g_strdup (request->caller);
        }
    }

  store = open_store (request, &status);
  if (store == NULL)
    return status;
  if ((status = check_management_caller (request, store, &error)) != AIR_VAULT_EXIT_OK)
    return error ? fail (error) : status;

  if (!air_vault_store_put (store, record, g_steal_pointer (&secret), &error))
    return fail (error);

  record->stored = g_get_real_time () / G_USEC_PER_SEC;
  builder = json_builder_new ();
  add_record (builder, record);
  if (public_line != NULL)
    {
      json_builder_set_member_name (builder, "public_key");
      json_builder_add_string_value (builder, public_line);
    }
  json_builder_end_object (builder);
  return print_node (builder);
}

static int
service_list (const Request *request)
{
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  GError *error = NULL;
  int status;

  store = open_store (request, &status);
  if (store == NULL)
    return status;
  if ((status = check_management_caller (request, store, &error)) != AIR_VAULT_EXIT_OK)
    return error ? fail (error) : status;

  records = air_vault_store_list (store, request->zone, &error);
  if (records == NULL)
    return fail (error);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "credentials");
  json_builder_begin_array (builder);
  for (guint i = 0; i < records->len; i++)
    {
      add_record (builder, g_ptr_array_index (records, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return print_node (builder);
}

static int
service_delete (const Request *request)
{
  static const char * const allowed[] = { "kind", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  GError *error = NULL;
  const char *kind;
  guint n_deleted;
  int status;

  object = read_request (MAX_SMALL_REQUEST, allowed, NULL, &error);
  if (error != NULL || !get_kind (object, FALSE, &kind, &error))
    return fail (error);

  store = open_store (request, &status);
  if (store == NULL)
    return status;
  if ((status = check_management_caller (request, store, &error)) != AIR_VAULT_EXIT_OK)
    return error ? fail (error) : status;

  n_deleted = air_vault_store_delete (store, request->zone, kind, &error);
  if (n_deleted == 0)
    return fail (error);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "zone");
  json_builder_add_string_value (builder, request->zone);
  json_builder_set_member_name (builder, "deleted");
  json_builder_add_int_value (builder, n_deleted);
  json_builder_end_object (builder);
  return print_node (builder);
}

/* The zone's record that a gateway asks for, after checking it is that
 * zone's gateway. */
static AirVaultRecord *
find_for_gateway (const Request  *request,
                  AirVaultStore  *store,
                  const char     *kind,
                  int            *status)
{
  g_autoptr(GPtrArray) records = NULL;
  AirVaultRecord *found = NULL;
  GError *error = NULL;
  guint n_found = 0, found_index = 0;

  records = air_vault_store_list (store, request->zone, &error);
  if (records == NULL)
    {
      *status = fail (error);
      return NULL;
    }

  for (guint i = 0; i < records->len; i++)
    {
      AirVaultRecord *record = g_ptr_array_index (records, i);

      if (kind != NULL ? g_str_equal (record->kind, kind) : !air_credential_kind_is_key (record->kind))
        {
          found = record;
          found_index = i;
          n_found++;
        }
    }

  if (n_found == 0)
    {
      if (g_strcmp0 (kind, "ssh-key") == 0)
        g_printerr (_("No SSH key is stored for zone “%s”. Make one in the management qube "
                      "with “qair key generate --zone %s”.\n"), request->zone, request->zone);
      else
        g_printerr (_("No credential%s%s is stored for zone “%s”.\n"),
                    kind ? " " : "", kind ? kind : "", request->zone);
      *status = AIR_VAULT_EXIT_FAILED;
      return NULL;
    }

  if (n_found > 1)
    {
      g_printerr (_("Zone “%s” has several credentials; ask for one by its kind.\n"),
                  request->zone);
      *status = AIR_VAULT_EXIT_BAD_REQUEST;
      return NULL;
    }

  if (!g_str_equal (found->gateway, request->caller))
    {
      g_autofree char *why = g_strdup_printf (_("The vault refuses: qube “%s” is not the gateway "
                                                "of zone “%s”, and only that zone's gateway may use "
                                                "its %s."),
                                              request->caller, request->zone, found->kind);
      *status = refuse (request, why);
      return NULL;
    }

  *status = AIR_VAULT_EXIT_OK;
  return g_ptr_array_steal_index (records, found_index);
}

static gboolean
append_member (AirSecret  *out,
               const char *name,
               const char *value,
               gsize       len,
               gboolean    last)
{
  gsize escaped = air_vault_json_escape (NULL, value, len);

  if (out->size - out->len < escaped + strlen (name) + 8)
    return FALSE;

  out->len += g_snprintf ((char *) out->data + out->len, out->size - out->len, "\"%s\":\"", name);
  out->len += air_vault_json_escape ((char *) out->data + out->len, value, len);
  out->len += g_snprintf ((char *) out->data + out->len, out->size - out->len,
                          last ? "\"}\n" : "\",");
  return TRUE;
}

static int
service_get (const Request *request)
{
  static const char * const allowed[] = { "kind", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(AirVaultRecord) record = NULL;
  g_autoptr(AirSecret) secret = NULL;
  g_autoptr(AirSecret) answer = NULL;
  g_autofree char *entry = NULL;
  GError *error = NULL;
  const char *kind;
  int status;

  object = read_request (MAX_SMALL_REQUEST, allowed, NULL, &error);
  if (error != NULL || !get_kind (object, FALSE, &kind, &error))
    return fail (error);

  if (g_strcmp0 (kind, "ssh-key") == 0)
    return refuse (request, _("SSH keys never leave the vault: the gateway signs with "
                              "qubesair.SshAgent instead."));
  if (g_strcmp0 (kind, "age-identity") == 0)
    return refuse (request, _("Age identities never leave the vault: it decrypts with them itself."));

  store = open_store (request, &status);
  if (store == NULL)
    return status;

  record = find_for_gateway (request, store, kind, &status);
  if (record == NULL)
    return status;

  secret = air_vault_store_lookup (store, record->zone, record->kind, &error);
  if (secret == NULL)
    return fail (error);
  if (memchr (secret->data, '\0', secret->len) != NULL ||
      !g_utf8_validate_len ((const char *) secret->data, secret->len, NULL))
    return fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_FAILED,
                                      _("The stored secret is not text; store it again.")));

  answer = air_secret_new (secret->len * 6 + 256 + 4 * AIR_VAULT_MAX_LABEL * 6);
  air_secret_append (answer, "{", 1);
  if (!append_member (answer, "zone", record->zone, strlen (record->zone), FALSE) ||
      !append_member (answer, "kind", record->kind, strlen (record->kind), FALSE) ||
      !append_member (answer, "label", record->label, strlen (record->label), FALSE) ||
      !append_member (answer, "secret", (const char *) secret->data, secret->len, TRUE))
    return fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_FAILED, _("The answer does not fit")));

  entry = g_strdup_printf ("gave %s of zone=%s to caller=%s", record->kind,
                           request->zone, request->caller);
  audit (entry);

  if (!air_secret_write_fd (answer, STDOUT_FILENO, &error))
    return fail (error);
  return AIR_VAULT_EXIT_OK;
}

static int
service_ssh_agent (const Request *request)
{
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(AirVaultRecord) record = NULL;
  g_autoptr(AirSshAgent) agent = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *entry = NULL;
  AirSecret *secret;
  GError *error = NULL;
  int status;

  store = open_store (request, &status);
  if (store == NULL)
    return status;

  record = find_for_gateway (request, store, "ssh-key", &status);
  if (record == NULL)
    return status;

  secret = air_vault_store_lookup (store, record->zone, record->kind, &error);
  if (secret == NULL)
    return fail (error);

  comment = g_strdup_printf ("qubes-air-%s", request->zone);
  agent = air_ssh_agent_new (secret, comment, &error);
  if (agent == NULL)
    return fail (error);

  /* The store's D-Bus connection is not needed while serving. */
  g_clear_object (&store);

  entry = g_strdup_printf ("ssh-agent for zone=%s opened by caller=%s", request->zone, request->caller);
  audit (entry);

  if (!air_ssh_agent_serve (agent, STDIN_FILENO, STDOUT_FILENO, &error))
    return fail (error);
  return AIR_VAULT_EXIT_OK;
}

/* The secret a new key of @kind is kept as, and its public half as the
 * vault shows it. */
static AirSecret *
make_key (const char  *kind,
          const char  *zone,
          char       **public_line,
          GError     **error)
{
  if (g_str_equal (kind, "wireguard-key"))
    {
      char private_key[AIR_WIREGUARD_KEY_LEN + 1], public_key[AIR_WIREGUARD_KEY_LEN + 1];
      AirSecret *secret = NULL;

      if (air_wireguard_key_generate (private_key, error) &&
          air_wireguard_key_public (private_key, public_key, error))
        {
          secret = air_secret_new_copy (private_key, strlen (private_key));
          *public_line = g_strdup (public_key);
        }
      sodium_memzero (private_key, sizeof private_key);
      return secret;
    }

  if (g_str_equal (kind, "age-identity"))
    {
      g_autofree char *identity = NULL;
      AirSecret *secret;

      if (!air_age_keygen (&identity, public_line, error))
        return NULL;
      secret = air_secret_new_copy (identity, strlen (identity));
      air_secret_wipe_string (identity);
      return secret;
    }

  {
    guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
    g_autofree char *comment = g_strdup_printf ("qubes-air-%s", zone);
    AirSecret *secret = air_ssh_key_generate (public_key);

    *public_line = air_ssh_key_public_line (public_key, comment);
    return secret;
  }
}

static int
service_key_generate (const Request *request)
{
  static const char * const allowed[] = { "kind", "gateway", "label", "replace", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(AirVaultRecord) record = g_new0 (AirVaultRecord, 1);
  g_autoptr(GPtrArray) existing = NULL;
  g_autoptr(AirSecret) secret = NULL;
  g_autofree char *default_label = NULL;
  g_autofree char *line = NULL;
  const char *kind = NULL;
  gboolean replace = FALSE;
  GError *error = NULL;
  int status;

  object = read_request (MAX_SMALL_REQUEST, allowed, NULL, &error);
  if (error != NULL)
    return fail (error);
  if (object == NULL)
    object = json_object_new ();

  if (!get_kind (object, FALSE, &kind, &error))
    return fail (error);
  if (kind == NULL)
    kind = "ssh-key";
  if (!air_credential_kind_is_key (kind))
    return fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                      _("The vault makes keys of kind ssh-key, wireguard-key or "
                                        "age-identity only")));

  default_label = g_str_equal (kind, "wireguard-key")
                  ? g_strdup_printf ("WireGuard key of zone %s", request->zone)
                  : g_str_equal (kind, "age-identity")
                  ? g_strdup_printf ("age identity %s", request->zone)
                  : g_strdup_printf ("SSH key of zone %s", request->zone);
  if (!get_label (object, default_label, &record->label, &error) ||
      !get_gateway (object, request->zone, &record->gateway, &error) ||
      !air_json_get_opt_bool (object, "replace", FALSE, &replace, &error))
    return fail (error);
  /* Only the management qube that made it decrypts with an age identity. */
  if (g_str_equal (kind, "age-identity"))
    {
      g_free (record->gateway);
      record->gateway = g_strdup (request->caller);
    }

  store = open_store (request, &status);
  if (store == NULL)
    return status;
  if ((status = check_management_caller (request, store, &error)) != AIR_VAULT_EXIT_OK)
    return error ? fail (error) : status;

  existing = air_vault_store_list (store, request->zone, &error);
  if (existing == NULL)
    return fail (error);
  for (guint i = 0; i < existing->len && !replace; i++)
    if (g_str_equal (((AirVaultRecord *) g_ptr_array_index (existing, i))->kind, kind))
      {
        if (g_str_equal (kind, "ssh-key"))
          return fail (g_error_new (AIR_ERROR, AIR_ERROR_EXISTS,
                                    _("Zone “%s” already has an SSH key. To make a new one, replace "
                                      "it (“qair key generate --zone %s --replace”); the old public "
                                      "key then stops working."), request->zone, request->zone));
        if (g_str_equal (kind, "wireguard-key"))
          return fail (g_error_new (AIR_ERROR, AIR_ERROR_EXISTS,
                                    _("Zone “%s” already has a WireGuard key. To make a new one, use "
                                      "“qair zone rekey %s”."), request->zone, request->zone));
        return fail (g_error_new (AIR_ERROR, AIR_ERROR_EXISTS,
                                  _("The vault already has an age identity called “%s”; "
                                    "choose another name."), request->zone));
      }

  record->zone = g_strdup (request->zone);
  record->kind = g_strdup (kind);
  secret = make_key (kind, request->zone, &line, &error);
  if (secret == NULL)
    return fail (error);
  if (!air_vault_store_put (store, record, g_steal_pointer (&secret), &error))
    return fail (error);

  g_print ("%s\n", line);
  return fflush (stdout) == 0 ? AIR_VAULT_EXIT_OK : AIR_VAULT_EXIT_FAILED;
}

/* Export and import of a zone's credentials and keys (qair config export
 * --with-secrets). The vault writes them into an age file itself, to the
 * recipients or passphrase the management qube gives, so they never are
 * plain text outside the vault; importing, it opens such a file (with the
 * identities or passphrase given, or an age identity it keeps) and stores
 * what is in it. Age identities themselves are never exported. */

#define SECRETS_KIND "qubes-air-secrets"
#define MAX_SECRETS_REQUEST (AIR_VAULT_MAX_SECRETS_FILE * 4 / 3 + 64 * 1024)
#define MAX_TRANSFER_ZONES 1000

static char **
get_zones (JsonObject  *object,
           GError     **error)
{
  g_auto(GStrv) zones = air_json_get_strv (object, "zones", MAX_TRANSFER_ZONES, AIR_NAME_MAX, error);

  if (zones == NULL)
    return NULL;
  for (guint i = 0; zones[i] != NULL; i++)
    if (!air_name_validate (zones[i], "zone", error))
      return NULL;
  return g_steal_pointer (&zones);
}

static void
secret_bytes_free (gpointer data)
{
  air_secret_free (data);
}

static int
service_export (const Request *request)
{
  static const char * const allowed[] = { "zones", "recipients", "passphrase", NULL };
  g_autoptr(AirSecret) raw = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func (secret_bytes_free);
  g_autoptr(AirSecret) plain = NULL;
  g_autoptr(GBytes) plain_bytes = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *file_b64 = NULL;
  g_autofree char *entry = NULL;
  g_auto(GStrv) zones = NULL;
  g_auto(GStrv) recipients = NULL;
  const char *passphrase = NULL;
  gsize size = 64;
  GError *error = NULL;
  int status;

  object = read_request (MAX_SMALL_REQUEST * 16, allowed, &raw, &error);
  if (object == NULL && error == NULL)
    error = g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL, _("The request is empty"));
  if (error != NULL)
    return fail (error);
  if ((zones = get_zones (object, &error)) == NULL ||
      !air_json_get_opt_string (object, "passphrase", 1024, NULL, &passphrase, &error))
    return fail (error);
  if (json_object_has_member (object, "recipients"))
    {
      recipients = air_json_get_strv (object, "recipients", AIR_AGE_MAX_STANZAS, 200, &error);
      if (recipients == NULL)
        return fail (error);
      for (guint i = 0; recipients[i] != NULL; i++)
        if (!air_age_recipient_validate (recipients[i], &error))
          return fail (error);
    }
  if ((passphrase == NULL) == (recipients == NULL || recipients[0] == NULL))
    return fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                      _("Give either age recipients or a passphrase to encrypt to")));

  store = open_store (request, &status);
  if (store == NULL)
    return status;
  if ((status = check_management_caller (request, store, &error)) != AIR_VAULT_EXIT_OK)
    return error ? fail (error) : status;

  records = air_vault_store_list (store, NULL, &error);
  if (records == NULL)
    return fail (error);
  for (guint i = 0; i < records->len; i++)
    {
      AirVaultRecord *record = g_ptr_array_index (records, i);
      AirSecret *secret;

      if (!g_strv_contains ((const char * const *) zones, record->zone) ||
          g_str_equal (record->kind, "age-identity"))
        continue;
      secret = air_vault_store_lookup (store, record->zone, record->kind, &error);
      if (secret == NULL)
        return fail (error);
      g_ptr_array_add (chosen, record);
      g_ptr_array_add (secrets, secret);
      size += sodium_base64_ENCODED_LEN (secret->len, sodium_base64_VARIANT_ORIGINAL) + 160 +
              air_vault_json_escape (NULL, record->zone, strlen (record->zone)) +
              air_vault_json_escape (NULL, record->kind, strlen (record->kind)) +
              air_vault_json_escape (NULL, record->label, strlen (record->label)) +
              air_vault_json_escape (NULL, record->gateway, strlen (record->gateway));
    }

  /* The plain text is built in locked memory only. */
  plain = air_secret_new (size + 128);
  plain->len = g_snprintf ((char *) plain->data, plain->size,
                           "{\"kind\":\"" SECRETS_KIND "\",\"version\":1,\"credentials\":[");
  for (guint i = 0; i < chosen->len; i++)
    {
      AirVaultRecord *record = g_ptr_array_index (chosen, i);
      AirSecret *secret = g_ptr_array_index (secrets, i);
      char *out;

      if (i > 0)
        air_secret_append (plain, ",", 1);
      air_secret_append (plain, "{", 1);
      append_member (plain, "zone", record->zone, strlen (record->zone), FALSE);
      append_member (plain, "kind", record->kind, strlen (record->kind), FALSE);
      append_member (plain, "label", record->label, strlen (record->label), FALSE);
      append_member (plain, "gateway", record->gateway, strlen (record->gateway), FALSE);
      plain->len += g_snprintf ((char *) plain->data + plain->len, plain->size - plain->len,
                                "\"secret_base64\":\"");
      out = (char *) plain->data + plain->len;
      sodium_bin2base64 (out, plain->size - plain->len, secret->data, secret->len,
                         sodium_base64_VARIANT_ORIGINAL);
      plain->len += strlen (out);
      air_secret_append (plain, "\"}", 2);
    }
  air_secret_append (plain, "]}\n", 3);
  g_clear_pointer (&secrets, g_ptr_array_unref);

  plain_bytes = g_bytes_new_static (plain->data, plain->len);
  file = passphrase != NULL
         ? air_age_encrypt_passphrase (plain_bytes, passphrase, AIR_AGE_SCRYPT_LOG_N, &error)
         : air_age_encrypt (plain_bytes, (const char * const *) recipients, &error);
  if (passphrase != NULL)
    air_secret_wipe_string ((char *) passphrase);
  g_clear_pointer (&raw, air_secret_free);
  if (file == NULL)
    return fail (error);
  if (g_bytes_get_size (file) > AIR_VAULT_MAX_SECRETS_FILE)
    return fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_FAILED,
                                      _("These zones' credentials are too large to export at once; "
                                        "export one zone at a time")));

  file_b64 = g_base64_encode (g_bytes_get_data (file, NULL), g_bytes_get_size (file));
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, chosen->len);
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, file_b64);
  json_builder_end_object (builder);

  entry = g_strdup_printf ("exported %u credentials and keys (encrypted) to caller=%s",
                           chosen->len, request->caller);
  audit (entry);
  return print_node (builder);
}

/* The vault's own age identity NAME. */
static AirSecret *
own_identity (AirVaultStore  *store,
              const char     *name,
              GError        **error)
{
  g_autoptr(GPtrArray) records = NULL;

  if (!air_name_validate (name, "age identity", error) ||
      (records = air_vault_store_list (store, name, error)) == NULL)
    return NULL;
  for (guint i = 0; i < records->len; i++)
    if (g_str_equal (((AirVaultRecord *) g_ptr_array_index (records, i))->kind, "age-identity"))
      return air_vault_store_lookup (store, name, "age-identity", error);
  g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
               _("The vault keeps no age identity called “%s” (qair key generate --kind age %s makes one)"),
               name, name);
  return NULL;
}

/* One credential of an imported file, checked as CredentialPut checks
 * one; the secret is decoded into locked memory. */
static gboolean
import_one (JsonObject       *item,
            AirVaultRecord   *record,
            AirSecret       **out_secret,
            char            **out_public,
            GError          **error)
{
  const char *zone, *kind, *gateway, *text;
  g_autoptr(AirSecret) secret = NULL;
  gsize len = 0;

  if (!air_json_get_string (item, "zone", AIR_NAME_MAX, &zone, error) ||
      !air_name_validate (zone, "zone", error) ||
      !get_kind (item, TRUE, &kind, error) ||
      !get_label (item, NULL, &record->label, error) ||
      !air_json_get_string (item, "gateway", AIR_NAME_MAX, &gateway, error) ||
      !air_name_validate (gateway, "gateway qube", error) ||
      !air_json_get_string (item, "secret_base64", AIR_VAULT_MAX_SECRET * 2, &text, error))
    return FALSE;
  if (g_str_equal (kind, "age-identity"))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("An exported file never holds an age identity"));
      return FALSE;
    }

  secret = air_secret_new (strlen (text) + 4);
  if (sodium_base642bin (secret->data, secret->size, text, strlen (text), NULL, &len, NULL,
                         sodium_base64_VARIANT_ORIGINAL) != 0 || len == 0 || len > AIR_VAULT_MAX_SECRET)
    {
      air_secret_wipe_string ((char *) text);
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A secret in the file is not valid base64"));
      return FALSE;
    }
  secret->len = len;
  air_secret_wipe_string ((char *) text);

  if (g_str_equal (kind, "ssh-key"))
    {
      guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
      g_autofree char *comment = g_strdup_printf ("qubes-air-%s", zone);

      if (secret->len != AIR_ED25519_SECRET_BYTES ||
          !air_ssh_key_public_from_secret (secret, public_key, error))
        {
          g_clear_error (error);
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("An SSH key in the file is damaged"));
          return FALSE;
        }
      *out_public = air_ssh_key_public_line (public_key, comment);
    }
  else if (memchr (secret->data, '\0', secret->len) != NULL ||
           !g_utf8_validate_len ((const char *) secret->data, secret->len, NULL))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A credential in the file is not text"));
      return FALSE;
    }
  else if (g_str_equal (kind, "wireguard-key"))
    {
      char key[AIR_WIREGUARD_KEY_LEN + 1] = "", public_key[AIR_WIREGUARD_KEY_LEN + 1];
      gboolean ok = secret->len == AIR_WIREGUARD_KEY_LEN;

      if (ok)
        memcpy (key, secret->data, AIR_WIREGUARD_KEY_LEN);
      ok = ok && air_wireguard_key_public (key, public_key, NULL);
      sodium_memzero (key, sizeof key);
      if (!ok)
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A WireGuard key in the file is damaged"));
          return FALSE;
        }
      *out_public = g_strdup (public_key);
    }

  record->zone = g_strdup (zone);
  record->kind = g_strdup (kind);
  record->gateway = g_strdup (gateway);
  *out_secret = g_steal_pointer (&secret);
  return TRUE;
}

void
air_vault_import_item_free (AirVaultImportItem *item)
{
  if (item == NULL)
    return;
  air_vault_record_free (item->record);
  air_secret_free (item->secret);
  g_free (item->public_line);
  g_free (item);
}

/* The plain text of an exported file: hostile until checked (whoever
 * made the file may not be the user), so every entry is checked and a
 * single bad one refuses the whole file. */
GPtrArray *
air_vault_secrets_parse (const char  *plain,
                         gsize        len,
                         GError     **error)
{
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(GPtrArray) items = NULL;
  const char *kind = NULL;
  JsonArray *array;
  GError *local_error = NULL;

  root = air_json_parse_object (plain, len, AIR_VAULT_MAX_SECRETS_FILE, error);
  if (root == NULL ||
      !air_json_get_opt_string (root, "kind", 64, NULL, &kind, error))
    return NULL;
  if (g_strcmp0 (kind, SECRETS_KIND) != 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The file opened, but it holds no Qubes Air credentials"));
      return NULL;
    }
  array = air_json_get_opt_array (root, "credentials", MAX_TRANSFER_ZONES * 8, &local_error);
  if (array == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The file has no “credentials”"));
      return NULL;
    }

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) air_vault_import_item_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      AirVaultImportItem *item = g_new0 (AirVaultImportItem, 1);

      item->record = g_new0 (AirVaultRecord, 1);
      g_ptr_array_add (items, item);
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("An entry of the file's credentials is not an object"));
          return NULL;
        }
      if (!import_one (json_node_get_object (node), item->record, &item->secret, &item->public_line, error))
        return NULL;
    }
  return g_steal_pointer (&items);
}

static int
service_import (const Request *request)
{
  static const char * const allowed[] = { "zones", "file", "identities", "passphrase", "identity", NULL };
  g_autoptr(AirSecret) raw = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(AirSecret) own = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree guchar *file_data = NULL;
  g_autofree char *entry = NULL;
  g_auto(GStrv) zones = NULL;
  g_auto(GStrv) identities = NULL;
  const char *passphrase = NULL, *identity = NULL, *file_b64;
  gsize file_len = 0;
  guint n_stored = 0;
  GError *error = NULL;
  int status;

  object = read_request (MAX_SECRETS_REQUEST, allowed, &raw, &error);
  if (object == NULL && error == NULL)
    error = g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL, _("The request is empty"));
  if (error != NULL)
    return fail (error);
  if ((zones = get_zones (object, &error)) == NULL ||
      !air_json_get_string (object, "file", MAX_SECRETS_REQUEST, &file_b64, &error) ||
      !air_json_get_opt_string (object, "passphrase", 1024, NULL, &passphrase, &error) ||
      !air_json_get_opt_string (object, "identity", AIR_NAME_MAX, NULL, &identity, &error))
    return fail (error);
  if (json_object_has_member (object, "identities") &&
      (identities = air_json_get_strv (object, "identities", 64, 200, &error)) == NULL)
    return fail (error);
  if ((passphrase != NULL) + (identity != NULL) + (identities != NULL) != 1)
    return fail (g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                      _("Give one of: age identities, a passphrase, or the name of "
                                        "an age identity the vault keeps")));
  file_data = g_base64_decode (file_b64, &file_len);
  file = g_bytes_new_static (file_data, file_len);

  store = open_store (request, &status);
  if (store == NULL)
    return status;
  if ((status = check_management_caller (request, store, &error)) != AIR_VAULT_EXIT_OK)
    return error ? fail (error) : status;

  if (identity != NULL)
    {
      g_autofree char *text = NULL;
      const char *list[2] = { NULL, NULL };

      if ((own = own_identity (store, identity, &error)) == NULL)
        return fail (error);
      text = g_strndup ((const char *) own->data, own->len);
      list[0] = text;
      plain = air_age_decrypt (file, list, NULL, &error);
      air_secret_wipe_string (text);
    }
  else
    plain = air_age_decrypt (file, (const char * const *) identities, passphrase, &error);
  for (guint i = 0; identities != NULL && identities[i] != NULL; i++)
    air_secret_wipe_string (identities[i]);
  if (passphrase != NULL)
    air_secret_wipe_string ((char *) passphrase);
  g_clear_pointer (&raw, air_secret_free);
  if (plain == NULL)
    return fail (error);

  items = air_vault_secrets_parse (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), &error);
  sodium_memzero ((gpointer) g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
  if (items == NULL)
    return fail (error);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "credentials");
  json_builder_begin_array (builder);
  for (guint i = 0; i < items->len; i++)
    {
      AirVaultImportItem *item = g_ptr_array_index (items, i);

      /* Only the zones the user chose to import. */
      if (!g_strv_contains ((const char * const *) zones, item->record->zone))
        continue;
      if (!air_vault_store_put (store, item->record, g_steal_pointer (&item->secret), &error))
        return fail (error);
      item->record->stored = g_get_real_time () / G_USEC_PER_SEC;
      add_record (builder, item->record);
      if (item->public_line != NULL)
        {
          json_builder_set_member_name (builder, "public_key");
          json_builder_add_string_value (builder, item->public_line);
        }
      json_builder_end_object (builder);
      n_stored++;
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  entry = g_strdup_printf ("imported %u credentials and keys from caller=%s", n_stored, request->caller);
  audit (entry);
  return print_node (builder);
}

/* CredentialAgeUnwrap+NAME: the file key of an age file, from its X25519 stanzas
 * ({"stanzas": [{"share", "body"}]}, base64 as in the header), with the
 * age identity NAME the vault keeps: the identity never leaves the vault;
 * the caller opens the file with the file key. */
static int
service_age_unwrap (const Request *request)
{
  static const char * const allowed[] = { "stanzas", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirVaultStore) store = NULL;
  g_autoptr(AirSecret) own = NULL;
  g_autoptr(AirSecret) answer = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *entry = NULL;
  guint8 file_key[AIR_AGE_FILE_KEY_LEN];
  char encoded[sodium_base64_ENCODED_LEN (AIR_AGE_FILE_KEY_LEN, sodium_base64_VARIANT_ORIGINAL)];
  gboolean found = FALSE;
  JsonArray *array;
  GError *error = NULL;
  int status;

  object = read_request (MAX_SMALL_REQUEST * 4, allowed, NULL, &error);
  if (object == NULL && error == NULL)
    error = g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL, _("The request is empty"));
  if (error != NULL)
    return fail (error);
  array = air_json_get_opt_array (object, "stanzas", AIR_AGE_MAX_STANZAS, &error);
  if (array == NULL)
    return fail (error ? error : g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                                      _("The request has no “stanzas”")));

  store = open_store (request, &status);
  if (store == NULL)
    return status;
  if ((status = check_management_caller (request, store, &error)) != AIR_VAULT_EXIT_OK)
    return error ? fail (error) : status;
  if ((own = own_identity (store, request->zone, &error)) == NULL)
    return fail (error);
  identity = g_strndup ((const char *) own->data, own->len);

  for (guint i = 0; i < json_array_get_length (array) && !found; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *share, *body;
      g_autofree guchar *body_data = NULL;
      char *args[2] = { NULL, NULL };
      AirAgeStanza stanza = { (char *) "X25519", args, NULL };
      gsize body_len = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !air_json_get_string (json_node_get_object (node), "share", 64, &share, &error) ||
          !air_json_get_string (json_node_get_object (node), "body", 64, &body, &error))
        {
          air_secret_wipe_string (identity);
          return fail (error ? error : g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                                            _("A stanza of the request is not an object")));
        }
      args[0] = (char *) share;
      body_data = g_base64_decode (body, &body_len);
      stanza.body = g_bytes_new_static (body_data, body_len);
      found = air_age_unwrap_x25519 (identity, &stanza, file_key, &error);
      g_bytes_unref (stanza.body);
      if (error != NULL)
        {
          air_secret_wipe_string (identity);
          return fail (error);
        }
    }
  air_secret_wipe_string (identity);
  if (!found)
    return fail (g_error_new (AIR_ERROR, AIR_ERROR_REFUSED,
                              _("The age identity “%s” of the vault cannot open this file: it is "
                                "encrypted to other recipients"), request->zone));

  sodium_bin2base64 (encoded, sizeof encoded, file_key, sizeof file_key, sodium_base64_VARIANT_ORIGINAL);
  sodium_memzero (file_key, sizeof file_key);
  answer = air_secret_new (sizeof encoded + 32);
  air_secret_append (answer, "{\"file_key\":\"", 13);
  air_secret_append (answer, encoded, strlen (encoded));
  air_secret_append (answer, "\"}\n", 3);
  sodium_memzero (encoded, sizeof encoded);

  entry = g_strdup_printf ("opened a file key with age identity %s for caller=%s", request->zone, request->caller);
  audit (entry);
  if (!air_secret_write_fd (answer, STDOUT_FILENO, &error))
    return fail (error);
  return AIR_VAULT_EXIT_OK;
}

/* Dispatch */

static int
service_disk_key (const Request *request)
{
  g_autofree char *entry = NULL;
  g_autofree char *refusal = NULL;
  GError *error = NULL;
  int status = air_vault_disk_key_serve (request->zone, request->caller, &entry, &refusal, &error);

  if (entry != NULL)
    audit (entry);
  if (refusal != NULL)
    return refuse (request, refusal);
  if (error != NULL)
    {
      fail (error);
      return status != AIR_VAULT_EXIT_OK ? status : AIR_VAULT_EXIT_FAILED;
    }
  return status;
}

typedef enum {
  ZONE_NONE,
  ZONE_OPTIONAL,
  ZONE_REQUIRED,
} ZoneUse;

static const struct {
  const char *service;
  ZoneUse     zone;
  int       (*run) (const Request *request);
} services[] = {
  { AIR_VAULT_SERVICE_PUT, ZONE_REQUIRED, service_put },
  { AIR_VAULT_SERVICE_LIST, ZONE_OPTIONAL, service_list },
  { AIR_VAULT_SERVICE_DELETE, ZONE_REQUIRED, service_delete },
  { AIR_VAULT_SERVICE_GET, ZONE_REQUIRED, service_get },
  { AIR_VAULT_SERVICE_SSH_AGENT, ZONE_REQUIRED, service_ssh_agent },
  { AIR_VAULT_SERVICE_KEY_GENERATE, ZONE_REQUIRED, service_key_generate },
  { AIR_VAULT_SERVICE_EXPORT, ZONE_NONE, service_export },
  { AIR_VAULT_SERVICE_IMPORT, ZONE_NONE, service_import },
  { AIR_VAULT_SERVICE_AGE_UNWRAP, ZONE_REQUIRED, service_age_unwrap },
  { AIR_VAULT_SERVICE_DISK_KEY, ZONE_REQUIRED, service_disk_key },
};

static gboolean
caller_is_valid (const char *caller)
{
  return g_strcmp0 (caller, "dom0") == 0 || air_name_is_valid (caller);
}

static void
harden (void)
{
  struct rlimit no_core = { 0, 0 };

  /* No core dump and no ptrace by the same user: a dump would be a file
   * with secrets in it. */
  setrlimit (RLIMIT_CORE, &no_core);
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  /* A caller that goes away is an error on write, not a signal. */
  signal (SIGPIPE, SIG_IGN);
}

int
air_vault_main (void)
{
  const char *full_name = g_getenv ("QREXEC_SERVICE_FULL_NAME");
  const char *argument = g_getenv ("QREXEC_SERVICE_ARGUMENT");
  const char *caller = g_getenv ("QREXEC_REMOTE_DOMAIN");
  g_autofree char *service = NULL;
  g_autoptr(GError) error = NULL;
  Request request = { 0 };

  harden ();

  if (!air_secret_init (&error))
    {
      g_printerr ("%s\n", error->message);
      return AIR_VAULT_EXIT_FAILED;
    }

  if (full_name == NULL || caller == NULL)
    {
      g_printerr (_("qubes-air-vault is a qrexec service: it is run by qrexec with "
                    "QREXEC_SERVICE_FULL_NAME and QREXEC_REMOTE_DOMAIN set, not by hand.\n"));
      return AIR_VAULT_EXIT_BAD_REQUEST;
    }

  if (!caller_is_valid (caller))
    {
      g_printerr (_("The calling qube's name is not valid.\n"));
      return AIR_VAULT_EXIT_BAD_REQUEST;
    }

  service = g_strndup (full_name, strcspn (full_name, "+"));
  request.service = service;
  request.caller = caller;

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      if (!g_str_equal (services[i].service, service))
        continue;

      if (argument != NULL && argument[0] != '\0')
        {
          if (services[i].zone == ZONE_NONE ||
              !air_name_validate (argument, "zone", &error))
            {
              g_printerr ("%s\n", error ? error->message : _("This service takes no argument."));
              return AIR_VAULT_EXIT_BAD_REQUEST;
            }
          request.zone = argument;
        }
      else if (services[i].zone == ZONE_REQUIRED)
        {
          g_printerr (_("%s needs the zone as its argument (%s+ZONE).\n"), service, service);
          return AIR_VAULT_EXIT_BAD_REQUEST;
        }

      return services[i].run (&request);
    }

  {
    g_autofree char *shown = air_text_sanitize (service, -1, 60);

    g_printerr (_("qubes-air-vault has no service “%s”.\n"), shown);
  }
  return AIR_VAULT_EXIT_BAD_REQUEST;
}
