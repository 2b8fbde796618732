/* air-disk-keys.c — the keys of VM qubes' private volumes, on their way
 * from the vault: fetched and deleted by the zone's gateway, and carried
 * to a zone host behind the ssh relay in the call's input (see
 * air-disk-keys.h). Built with or without libvirt: a gateway of a remote
 * zone needs no libvirt of its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-disk-keys"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "air-disk-keys.h"
#include "air-driver.h"
#include "air-error.h"
#include "air-transport.h"
#include "air-vault-client.h"

#define MAX_KEY_TEXT     64      /* base64 of 32 bytes is 44 */
#define MAX_VAULT_ANSWER 1024

static AirSecretBuffer *
key_from_text (const char *text,
               gsize       len)
{
  AirSecretBuffer *key;

  if (len == 0 || len > MAX_KEY_TEXT)
    return NULL;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/' && text[i] != '=')
      return NULL;
  key = air_secret_buffer_new (len);
  memcpy (key->data, text, len);
  return key;
}

/* Where new private volumes get their keys: the vault, or, on a zone host
 * reached through the ssh relay (which cannot call the vault), the
 * gateway's calls. */
AirDiskKeys
air_disk_keys_mode (const char *state_dir)
{
  const char *env = g_getenv ("AIR_DISK_KEYS");
  g_autofree char *value = NULL;

  if (env != NULL && env[0] != '\0')
    value = g_strdup (env);
  else
    value = air_driver_config_get (state_dir, "disk_keys");
  if (g_strcmp0 (value, "none") == 0)
    return AIR_DISK_KEYS_NONE;
  if (g_strcmp0 (value, "call") == 0)
    return AIR_DISK_KEYS_CALL;
  if (value != NULL)
    return AIR_DISK_KEYS_VAULT;
  return g_getenv ("AIR_ZONE_NAME") != NULL ? AIR_DISK_KEYS_CALL : AIR_DISK_KEYS_VAULT;
}

/* The calls whose input begins with a key line (to a host that asked). */
gboolean
air_disk_key_call_wants (const char *service)
{
  return g_strcmp0 (service, "qubesair.Create") == 0 || g_strcmp0 (service, "qubesair.Start") == 0;
}

/* "disk-key KEY\n" in locked memory, for the call's input. */
AirSecretBuffer *
air_disk_key_line (const AirSecretBuffer *key)
{
  gsize prefix = strlen (AIR_DISK_KEY_LINE_PREFIX);
  gsize size = key != NULL ? key->size : strlen (AIR_DISK_KEY_LINE_NONE);
  AirSecretBuffer *line = air_secret_buffer_new (prefix + size + 1);

  memcpy (line->data, AIR_DISK_KEY_LINE_PREFIX, prefix);
  memcpy (line->data + prefix, key != NULL ? key->data : AIR_DISK_KEY_LINE_NONE, size);
  line->data[prefix + size] = '\n';
  return line;
}

/* The key line at the start of @fd, read a byte at a time so that nothing
 * after it is taken: the key (NULL for "-"), @sent telling whether the
 * line was there at all. Anything else is an error: the rest of the input
 * is not read then. */
AirSecretBuffer *
air_disk_key_read_line (int        fd,
                                gboolean  *sent,
                                GError   **error)
{
  gsize prefix = strlen (AIR_DISK_KEY_LINE_PREFIX);
  AirSecretBuffer *line = air_secret_buffer_new (prefix + MAX_KEY_TEXT + 2);
  AirSecretBuffer *key = NULL;
  gsize have = 0;

  *sent = FALSE;
  while (have < line->size)
    {
      ssize_t n = read (fd, line->data + have, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || line->data[have] == '\n')
        break;
      have++;
      /* Not a key line: an agent that sends none (an older gateway). */
      if (have <= prefix && line->data[have - 1] != AIR_DISK_KEY_LINE_PREFIX[have - 1])
        break;
    }
  if (have > prefix && have < line->size && line->data[have] == '\n' &&
      memcmp (line->data, AIR_DISK_KEY_LINE_PREFIX, prefix) == 0)
    {
      const char *text = line->data + prefix;
      gsize len = have - prefix;

      if (len == strlen (AIR_DISK_KEY_LINE_NONE) && memcmp (text, AIR_DISK_KEY_LINE_NONE, len) == 0)
        *sent = TRUE;
      else if ((key = key_from_text (text, len)) != NULL)
        *sent = TRUE;
    }
  air_secret_buffer_free (line);
  if (!*sent)
    g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                         _("The call carried no disk key line from the zone’s gateway"));
  return key;
}

/* The vault's answer is {"zone","qube","key"}: the key is read straight
 * from it into locked memory (no JSON parser's copies), and the answer
 * wiped. */
static AirSecretBuffer *
key_from_answer (GBytes *answer)
{
  gsize len = 0;
  char *data = (char *) g_bytes_get_data (answer, &len);
  const char *start = data != NULL ? g_strstr_len (data, len, "\"key\":\"") : NULL;
  AirSecretBuffer *key = NULL;

  if (start != NULL)
    {
      const char *end;

      start += strlen ("\"key\":\"");
      end = memchr (start, '"', len - (gsize) (start - data));
      if (end != NULL)
        key = key_from_text (start, (gsize) (end - start));
    }
  if (data != NULL)
    sodium_memzero (data, len);
  return key;
}

static GBytes *
call_vault (const char  *zone,
            const char  *qube,
            const char  *op,
            GError     **error)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autofree char *request = g_strdup_printf ("{\"op\":\"%s\",\"qube\":\"%s\"}", op, qube);
  g_autoptr(GBytes) input = g_bytes_new (request, strlen (request));

  return air_transport_call_sync (air_vault_client_get_transport (client),
                                  air_vault_client_get_vault_qube (client),
                                  AIR_VAULT_SERVICE_DISK_KEY, zone, input, MAX_VAULT_ANSWER,
                                  NULL, error);
}

/* The qube's key from the vault (@create: a new one). The error names
 * the vault's own message, which says what to start or unlock. */
AirSecretBuffer *
air_disk_key_fetch (const char  *zone,
                            const char  *qube,
                            gboolean     create,
                            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) answer = call_vault (zone, qube, create ? "create" : "get", &local_error);
  AirSecretBuffer *key;

  if (answer == NULL)
    {
      /* The vault's own message says what to start or unlock. */
      if (create)
        g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                     _("Qube “%s” was not created: the vault did not make the key of its private "
                       "volume: %s"), qube, local_error->message);
      else
        g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                     _("Qube “%s” did not start: the vault did not give the key of its private "
                       "volume: %s"), qube, local_error->message);
      return NULL;
    }
  key = key_from_answer (answer);
  if (key == NULL)
    g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                 _("The vault’s answer for the disk key of qube “%s” holds no key"), qube);
  return key;
}

/* Has the vault delete the qube's key: TRUE also when it had none. */
gboolean
air_disk_key_delete (const char  *zone,
                             const char  *qube,
                             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) answer = call_vault (zone, qube, "delete", &local_error);

  if (answer == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("Qube “%s” was not removed: the vault did not delete the key of its private "
                     "volume, which goes first: %s"),
                   qube, local_error->message);
      return FALSE;
    }
  return TRUE;
}

