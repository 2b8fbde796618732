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
 * The services themselves are in air-vault-credentials.c (put, list,
 * delete, get, the ssh-agent, key generation) and air-vault-export.c
 * (export, import, age unwrap); this file has what they share — the
 * log, reading a request, writing an answer, the check of a management
 * caller (air-vault-private.h) — and the dispatch.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vault"

#include "config.h"

#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-secret.h"
#include "air-vault-client.h"
#include "air-vault-config.h"
#include "air-vault-disk-keys.h"
#include "air-vault-private.h"
#include "air-vault-store.h"
#include "air-vault.h"

#define MAX_KIND 32

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
void
_air_vault_audit (const char *message)
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

int
_air_vault_refuse (const AirVaultRequest *request,
                   const char            *why)
{
  g_autofree char *entry = g_strdup_printf ("refused %s zone=%s caller=%s: %s",
                                            request->service,
                                            request->zone ? request->zone : "-",
                                            request->caller, why);

  _air_vault_audit (entry);
  g_printerr ("%s\n", why);
  return AIR_VAULT_EXIT_REFUSED;
}

int
_air_vault_fail (GError *error)
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
JsonObject *
_air_vault_read_request (gsize               max_len,
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

gboolean
_air_vault_get_kind (JsonObject  *object,
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

gboolean
_air_vault_get_label (JsonObject  *object,
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

gboolean
_air_vault_get_gateway (JsonObject  *object,
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

int
_air_vault_print_node (JsonBuilder *builder)
{
  g_autofree char *line = air_json_builder_to_line (builder);

  if (fputs (line, stdout) == EOF || fflush (stdout) != 0)
    return AIR_VAULT_EXIT_FAILED;
  return AIR_VAULT_EXIT_OK;
}

void
_air_vault_add_record (JsonBuilder          *builder,
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
check_management_caller (const AirVaultRequest *request,
                         AirVaultStore         *store,
                         GError               **error)
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
          return _air_vault_refuse (request, why);
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
        _air_vault_audit (entry);
      }
      break;
    case AIR_VAULT_MANAGER_REFUSED:
    default:
      return _air_vault_refuse (request, refusal->message);
    }

  return AIR_VAULT_EXIT_OK;
}

AirVaultStore *
_air_vault_open_store (const AirVaultRequest *request,
                       int                   *status)
{
  GError *error = NULL;
  AirVaultStore *store = air_vault_store_open (&error);

  if (store == NULL)
    {
      *status = _air_vault_fail (error);
      return NULL;
    }

  *status = AIR_VAULT_EXIT_OK;
  return store;
}

/* The store, for a management service: refused (or failed) with the
 * caller told why, unless check_management_caller lets it in. */
AirVaultStore *
_air_vault_open_managed_store (const AirVaultRequest *request,
                               int                   *status)
{
  g_autoptr(AirVaultStore) store = _air_vault_open_store (request, status);
  GError *error = NULL;

  if (store == NULL)
    return NULL;
  if ((*status = check_management_caller (request, store, &error)) != AIR_VAULT_EXIT_OK)
    {
      if (error != NULL)
        *status = _air_vault_fail (error);
      return NULL;
    }
  return g_steal_pointer (&store);
}

gboolean
_air_vault_append_member (AirSecret  *out,
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

/* Dispatch */

static int
service_disk_key (const AirVaultRequest *request)
{
  g_autofree char *entry = NULL;
  g_autofree char *refusal = NULL;
  GError *error = NULL;
  int status = air_vault_disk_key_serve (request->zone, request->caller, &entry, &refusal, &error);

  if (entry != NULL)
    _air_vault_audit (entry);
  if (refusal != NULL)
    return _air_vault_refuse (request, refusal);
  if (error != NULL)
    {
      _air_vault_fail (error);
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
  int       (*run) (const AirVaultRequest *request);
} services[] = {
  { AIR_VAULT_SERVICE_PUT, ZONE_REQUIRED, _air_vault_service_put },
  { AIR_VAULT_SERVICE_LIST, ZONE_OPTIONAL, _air_vault_service_list },
  { AIR_VAULT_SERVICE_DELETE, ZONE_REQUIRED, _air_vault_service_delete },
  { AIR_VAULT_SERVICE_GET, ZONE_REQUIRED, _air_vault_service_get },
  { AIR_VAULT_SERVICE_SSH_AGENT, ZONE_REQUIRED, _air_vault_service_ssh_agent },
  { AIR_VAULT_SERVICE_KEY_GENERATE, ZONE_REQUIRED, _air_vault_service_key_generate },
  { AIR_VAULT_SERVICE_EXPORT, ZONE_NONE, _air_vault_service_export },
  { AIR_VAULT_SERVICE_IMPORT, ZONE_NONE, _air_vault_service_import },
  { AIR_VAULT_SERVICE_AGE_UNWRAP, ZONE_REQUIRED, _air_vault_service_age_unwrap },
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
  AirVaultRequest request = { 0 };

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
