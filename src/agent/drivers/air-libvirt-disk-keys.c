/* air-libvirt-disk-keys.c — encrypted private volumes of VM qubes
 *
 * See air-libvirt-disk-keys.h. QEMU's LUKS takes the passphrase as UTF-8
 * text, so a key is the vault's base64 text of 32 random bytes, used as
 * it is by qemu-img and as the libvirt secret's value.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-libvirt"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "air-disk-keys.h"
#include "air-driver.h"
#include "air-error.h"
#include "air-libvirt-disk-keys.h"
#include "air-names.h"
#include "air-utils.h"

#define KEY_BYTES        32
#define MAX_TOOL_MESSAGE 300
/* The key is the whole entropy: LUKS's key stretching adds nothing, and
 * its default of two seconds would be paid at every start. */
#define LUKS_OPTIONS     "encrypt.format=luks,encrypt.key-secret=airkey,encrypt.iter-time=10"
#define QCOW2_CRYPT_LUKS 2

/* The qcow2 header says how the image is encrypted (crypt_method, a
 * big-endian 32-bit word at byte 32): 2 is LUKS. */
gboolean
air_libvirt_volume_is_encrypted (const char *path)
{
  guint8 header[36];
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  gboolean luks = FALSE;

  if (fd < 0)
    return FALSE;
  if (read (fd, header, sizeof header) == (ssize_t) sizeof header &&
      memcmp (header, "QFI\xfb", 4) == 0)
    luks = ((guint32) header[32] << 24 | (guint32) header[33] << 16 |
            (guint32) header[34] << 8 | header[35]) == QCOW2_CRYPT_LUKS;
  close (fd);
  return luks;
}

/* For a disposable or a build: its agent process is the only holder, so
 * the volume is unreadable once that process is gone. */
AirSecretBuffer *
air_libvirt_disk_key_new_ephemeral (void)
{
  guint8 raw[KEY_BYTES];
  gsize size = sodium_base64_ENCODED_LEN (KEY_BYTES, sodium_base64_VARIANT_ORIGINAL);
  AirSecretBuffer *key = air_secret_buffer_new (size);

  randombytes_buf (raw, sizeof raw);
  sodium_bin2base64 (key->data, size, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
  sodium_memzero (raw, sizeof raw);
  /* The text without its terminating NUL. */
  key->size = strlen (key->data);
  return key;
}

/* Runs qemu-img with @key readable on its descriptor 3 (a pipe the key is
 * already in), so that it is in no argument, variable or file. */
static gboolean
run_qemu_img_with_key (const char * const    *argv,
                       const AirSecretBuffer *key,
                       GError               **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *program = g_find_program_in_path (argv[0]);
  int fds[2];

  if (program == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("%s is missing on the zone host: install the package %s"), argv[0], "qemu-utils");
      return FALSE;
    }
  /* The key is far smaller than a pipe's buffer. */
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return FALSE;
  if (write (fds[1], key->data, key->size) != (ssize_t) key->size)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s", g_strerror (errno));
      close (fds[0]);
      close (fds[1]);
      return FALSE;
    }
  close (fds[1]);
  g_subprocess_launcher_take_fd (launcher, fds[0], 3);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return FALSE;
  if (!g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &local_error) ||
      !g_subprocess_get_successful (process))
    {
      g_autofree char *what = air_text_sanitize (err != NULL ? err : (local_error ? local_error->message : ""),
                                                 -1, MAX_TOOL_MESSAGE);

      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("%s failed: %s"), argv[0], g_strstrip (what));
      return FALSE;
    }
  return TRUE;
}

/* Makes the encrypted image @path with @argv (qemu-img with our LUKS
 * options, the key on descriptor 3). */
static gboolean
make_encrypted (const char * const     *argv,
                const char             *path,
                const AirSecretBuffer  *key,
                GError                **error)
{
  g_autoptr(GError) local_error = NULL;

  /* QEMU times PBKDF2 to choose LUKS's iteration counts, and gives up when
   * its thread's CPU clock did not move (a loaded host with a coarse
   * clock: seen here, now and then): that is tried again. */
  for (guint attempt = 0; attempt < 4; attempt++)
    {
      g_clear_error (&local_error);
      if (run_qemu_img_with_key (argv, key, &local_error))
        return TRUE;
      if (strstr (local_error->message, "accurate CPU usage") == NULL)
        break;
      g_unlink (path);
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* @raw's file system as the encrypted qcow2 image @path. */
gboolean
air_libvirt_make_encrypted_volume (const char             *raw,
                                   const char             *path,
                                   const AirSecretBuffer  *key,
                                   GError                **error)
{
  const char * const argv[] = {
    "qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2",
    "--object", "secret,id=airkey,file=/dev/fd/3", "-o", LUKS_OPTIONS, raw, path, NULL,
  };

  return make_encrypted (argv, path, key, error);
}

/* An empty encrypted qcow2 image of @size (qemu-img's notation). */
gboolean
air_libvirt_make_encrypted_scratch (const char             *path,
                                    const char             *size,
                                    const AirSecretBuffer  *key,
                                    GError                **error)
{
  const char * const argv[] = {
    "qemu-img", "create", "-q", "-f", "qcow2",
    "--object", "secret,id=airkey,file=/dev/fd/3", "-o", LUKS_OPTIONS, path, size, NULL,
  };

  return make_encrypted (argv, path, key, error);
}

static char *
usage_xml (const char *volume,
           const char *qube)
{
  g_autofree char *escaped = g_markup_escape_text (volume, -1);

  /* @qube is a validated name: nothing in it needs quoting. */
  return g_strdup_printf ("<secret ephemeral='yes' private='yes'>"
                          "<description>Qubes Air: a volume of qube %s</description>"
                          "<usage type='volume'><volume>%s</volume></usage></secret>",
                          qube, escaped);
}

void
air_libvirt_secret_undefine (virConnectPtr  conn,
                             const char    *volume)
{
  virSecretPtr secret = virSecretLookupByUsage (conn, VIR_SECRET_USAGE_TYPE_VOLUME, volume);

  if (secret != NULL)
    {
      virSecretUndefine (secret);
      virSecretFree (secret);
    }
}

/* A private, ephemeral secret for @volume holding @key: libvirt keeps it
 * in memory only and never gives its value back; the domain's disk names
 * it by @uuid. */
gboolean
air_libvirt_secret_define (virConnectPtr           conn,
                           const char             *volume,
                           const char             *qube,
                           const AirSecretBuffer  *key,
                           char                    uuid[VIR_UUID_STRING_BUFLEN],
                           GError                **error)
{
  g_autofree char *xml = usage_xml (volume, qube);
  virSecretPtr secret;

  /* One left by a start that did not finish. */
  air_libvirt_secret_undefine (conn, volume);
  secret = virSecretDefineXML (conn, xml, 0);
  if (secret == NULL || virSecretSetValue (secret, (const unsigned char *) key->data, key->size, 0) != 0 ||
      virSecretGetUUIDString (secret, uuid) != 0)
    {
      const char *message = virGetLastErrorMessage ();

      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("libvirt could not hold the key of qube “%s”’s private volume: %s"),
                   qube, message != NULL ? message : _("unknown error"));
      if (secret != NULL)
        {
          virSecretUndefine (secret);
          virSecretFree (secret);
        }
      return FALSE;
    }
  virSecretFree (secret);
  return TRUE;
}

/* Secrets of this zone's volumes left by an agent that died while a qube
 * started: undefined, unless that qube is starting now (its run/NAME.json). */
void
air_libvirt_secrets_collect (virConnectPtr  conn,
                             const char    *private_dir,
                             const char    *run_dir)
{
  g_autofree char *prefix = g_strconcat (private_dir, G_DIR_SEPARATOR_S, NULL);
  virSecretPtr *secrets = NULL;
  int n = virConnectListAllSecrets (conn, &secrets, VIR_CONNECT_LIST_SECRETS_EPHEMERAL);

  for (int i = 0; i < n; i++)
    {
      const char *volume = virSecretGetUsageID (secrets[i]);

      if (virSecretGetUsageType (secrets[i]) == VIR_SECRET_USAGE_TYPE_VOLUME && volume != NULL &&
          g_str_has_prefix (volume, prefix) && g_str_has_suffix (volume, ".qcow2"))
        {
          g_autofree char *base = g_path_get_basename (volume);
          g_autofree char *name = g_strndup (base, strlen (base) - strlen (".qcow2"));
          g_autofree char *starting = air_driver_path_in (run_dir, name, ".json");

          if (!g_file_test (starting, G_FILE_TEST_EXISTS))
            virSecretUndefine (secrets[i]);
        }
      virSecretFree (secrets[i]);
    }
  free (secrets);
}
