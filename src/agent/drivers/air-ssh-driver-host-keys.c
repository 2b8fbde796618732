/* air-ssh-driver-host-keys.c — AirSshDriver: the zone host's key,
 * scanned, pinned in the zone's own known_hosts, and read back
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-ssh-driver"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>

#include "air-error.h"
#include "air-host-key.h"
#include "air-names.h"
#include "air-ssh-driver-private.h"

#define MAX_KEYSCAN       (64 * 1024)

gboolean
_air_ssh_driver_known_hosts_pinned (AirSshDriver *self)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (self->known_hosts, &contents, NULL, NULL) &&
         strstr (contents, self->alias) != NULL;
}

/* The fingerprint of the key pinned for this zone, "" when none is. */
char *
_air_ssh_driver_pinned_fingerprint (AirSshDriver *self)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (self->known_hosts, &contents, NULL, NULL))
    return g_strdup ("");
  lines = g_strsplit (contents, "\n", 64);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *rest;
      g_autofree char *key = NULL;

      if (!g_str_has_prefix (lines[i], self->alias) || lines[i][strlen (self->alias)] != ' ')
        continue;
      rest = lines[i] + strlen (self->alias) + 1;
      key = air_host_key_normalize (rest, -1, NULL);
      if (key != NULL)
        return air_host_key_fingerprint (key);
    }
  return g_strdup ("");
}

/* The keys the host offers, each "TYPE BASE64", checked. */
GPtrArray *
air_ssh_driver_scan_host_keys (AirSshDriver  *self,
                               GError       **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) err = g_byte_array_new ();
  g_autofree char *port = g_strdup_printf ("%u", self->config->port);
  g_autofree char *timeout = g_strdup_printf ("%u", self->config->connect_timeout);
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error,
                              "ssh-keyscan", "-T", timeout, "-p", port,
                              "-t", "ed25519,ecdsa,rsa", "--", self->config->host, NULL);
  if (process == NULL || !_air_ssh_driver_pump (self, process, MAX_KEYSCAN, NULL, out, err, error))
    return NULL;

  /* A host that does not answer gives no output at all: an empty array,
   * whose data may be NULL. */
  text = g_strndup (out->len > 0 ? (const char *) out->data : "", out->len);
  lines = g_strsplit (text, "\n", 64);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strchr (lines[i], ' ');
      char *key;

      if (lines[i][0] == '#' || space == NULL)
        continue;
      key = air_host_key_normalize (space + 1, -1, NULL);
      if (key != NULL)
        g_ptr_array_add (keys, key);
    }

  if (keys->len == 0)
    {
      g_autofree char *said = air_text_sanitize ((const char *) err->data, err->len, MAX_ERROR_TEXT);

      g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                   _("The host of zone “%s” did not answer with an SSH host key on %s:%u within %u seconds "
                     "(nothing listening there, a firewall, or not an SSH server). %s"),
                   self->zone, self->config->host, self->config->port, self->config->connect_timeout, said);
      return NULL;
    }
  return g_steal_pointer (&keys);
}

/* Pins @key (as the user accepted it) as the zone's only host key, under
 * the zone's alias, and ends any connection made with the old one. */
gboolean
air_ssh_driver_pin_host_key (AirSshDriver  *self,
                             const char    *key,
                             GError       **error)
{
  g_autofree char *normal = air_host_key_normalize (key, -1, error);
  g_autofree char *line = NULL;
  g_autofree char *dir = NULL;

  if (normal == NULL)
    return FALSE;

  line = g_strdup_printf ("%s %s\n", self->alias, normal);
  dir = g_path_get_dirname (self->known_hosts);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot create %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  air_ssh_driver_disconnect (self);
  return g_file_set_contents_full (self->known_hosts, line, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}
