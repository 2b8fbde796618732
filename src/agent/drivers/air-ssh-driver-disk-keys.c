/* air-ssh-driver-disk-keys.c — AirSshDriver: the disk keys of a VM zone
 * host behind the relay
 *
 * Such a host cannot reach the vault; the gateway can, for its own zone
 * only. A host that asks for them (ZoneInfo's disk-encryption
 * AIR_DISK_ENCRYPTION_BY_CALL) gets its qube's key as the first line of
 * qubesair.Create and qubesair.Start (air-disk-keys.h), read from the
 * vault by us for that call, in locked memory, written into the call's
 * stdin pipe and wiped: never in argv, the environment, a file or a log.
 * A host that did not ask gets no key, and its calls go as before.
 *
 * qubesair.Remove: the vault deletes the key before the call goes
 * (crypto-shredding); when it cannot, nothing is removed. A new key is
 * made only for a name the host does not have, under a lock, since the
 * vault's "create" replaces an older key.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-ssh-driver"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "air-disk-keys.h"
#include "air-error.h"
#include "air-fd-io.h"
#include "air-json.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-ssh-driver-private.h"

/* Whether a host's ZoneInfo answer asks for keys in our calls. */
gboolean
_air_ssh_driver_answer_takes_keys (const char *data,
                                   gsize       len)
{
  g_autoptr(JsonObject) object = air_json_parse_object (data, len, AIR_JSON_MAX_LINE, NULL);
  const char *value = NULL;

  return object != NULL &&
         air_json_get_opt_string (object, "disk-encryption", 16, "", &value, NULL) &&
         g_strcmp0 (value, AIR_DISK_ENCRYPTION_BY_CALL) == 0;
}

/* Asked each time: the host's agent may have changed since. */
gboolean
_air_ssh_driver_host_takes_keys (AirSshDriver *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) answer = _air_ssh_driver_call_host (self, "qubesair.ZoneInfo", "", &error);

  if (answer == NULL)
    {
      g_debug ("ZoneInfo of zone %s: %s", self->zone, error->message);
      return FALSE;
    }
  return _air_ssh_driver_answer_takes_keys ((const char *) answer->data, answer->len);
}

/* The host's qube @name (NULL without an error when it has none). */
static AirQube *
find_qube (AirSshDriver  *self,
           const char    *name,
           GError       **error)
{
  g_autoptr(GByteArray) answer = _air_ssh_driver_call_host (self, "qubesair.List", "", error);
  g_autoptr(GPtrArray) qubes = NULL;

  if (answer == NULL)
    return NULL;
  qubes = air_protocol_parse_list ((const char *) answer->data, answer->len, self->zone, error);
  for (guint i = 0; qubes != NULL && i < qubes->len; i++)
    if (g_strcmp0 (air_qube_get_name (g_ptr_array_index (qubes, i)), name) == 0)
      return g_object_ref (g_ptr_array_index (qubes, i));
  return NULL;
}

/* The key line, then @rest: the call's whole input, in locked memory. */
static AirSecretBuffer *
keyed_input (const AirSecretBuffer *key,
             GBytes                *rest)
{
  AirSecretBuffer *line = air_disk_key_line (key);
  gsize rest_len = rest != NULL ? g_bytes_get_size (rest) : 0;
  AirSecretBuffer *input = air_secret_buffer_new (line->size + rest_len);

  memcpy (input->data, line->data, line->size);
  if (rest_len > 0)
    memcpy (input->data + line->size, g_bytes_get_data (rest, NULL), rest_len);
  air_secret_buffer_free (line);
  return input;
}

static int
relay_create (AirSshDriver *self,
              const char   *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) existing = NULL;
  g_autoptr(GBytes) settings = NULL;
  g_autofree char *lock_path = _air_ssh_driver_calls_path (self, "disk-keys.lock");
  AirSecretBuffer *key = NULL;
  AirSecretBuffer *input;
  int lock_fd, status;

  settings = air_fd_read_to_end (STDIN_FILENO, AIR_JSON_MAX_LINE, &error);
  if (settings == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  /* One create at a time through this gateway: the name checked free
   * stays free until the host has made the qube. */
  lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX) != 0)
    {
      g_printerr (_("Cannot lock %s: %s\n"), lock_path, g_strerror (errno));
      if (lock_fd >= 0)
        close (lock_fd);
      return 1;
    }
  existing = find_qube (self, name, &error);
  if (existing == NULL && error != NULL)
    {
      g_printerr ("%s\n", error->message);
      close (lock_fd);
      return 1;
    }
  /* A name in use gets no new key (it would replace that qube's): the
   * host refuses the name itself. */
  if (existing == NULL && (key = air_disk_key_fetch (self->zone, name, TRUE, &error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      close (lock_fd);
      return 1;
    }
  input = keyed_input (key, settings);
  air_secret_buffer_free (key);
  status = _air_ssh_driver_relay_answer (self, "qubesair.Create", name, input, NULL);
  air_secret_buffer_free (input);

  /* A key made for a qube that was not made is no use to keep; when we
   * cannot tell (the connection lost), it stays. */
  if (status != 0 && existing == NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(AirQube) made = find_qube (self, name, &local_error);

      if (made == NULL && local_error == NULL)
        air_disk_key_delete (self->zone, name, NULL);
    }
  close (lock_fd);
  return status;
}

/* The key, or "none" and the vault's message, which the user sees if
 * the host needed the key: a volume made plain before needs none. */
static int
relay_start (AirSshDriver *self,
             const char   *name)
{
  g_autoptr(GError) error = NULL;
  AirSecretBuffer *key = air_disk_key_fetch (self->zone, name, FALSE, &error);
  AirSecretBuffer *input = keyed_input (key, NULL);
  int status;

  air_secret_buffer_free (key);
  status = _air_ssh_driver_relay_answer (self, "qubesair.Start", name, input,
                                         error != NULL ? error->message : NULL);
  air_secret_buffer_free (input);
  return status;
}

static int
relay_remove (AirSshDriver *self,
              const char   *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) qube = find_qube (self, name, &error);

  if (qube == NULL && error != NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  /* Not there, or running: the host says so, and nothing is lost. */
  if (qube != NULL && !air_qube_is_running (qube) && !air_disk_key_delete (self->zone, name, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return _air_ssh_driver_relay_answer (self, "qubesair.Remove", name, NULL, NULL);
}

int
_air_ssh_driver_relay_keyed (AirSshDriver *self,
                             const char   *service,
                             const char   *arg)
{
  g_autoptr(GError) error = NULL;

  if (!air_name_validate (arg, "qube", &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (strcmp (service, "qubesair.Create") == 0)
    return relay_create (self, arg);
  if (strcmp (service, "qubesair.Start") == 0)
    return relay_start (self, arg);
  return relay_remove (self, arg);
}
