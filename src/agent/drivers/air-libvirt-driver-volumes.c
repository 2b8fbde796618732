/* air-libvirt-driver-volumes.c — AirLibvirtDriver: a qube's volumes
 * (the private volume and its disk key, the volatile one, their removal)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-libvirt-driver"

#define _GNU_SOURCE 1
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "air-error.h"
#include "air-libvirt-disk-keys.h"
#include "air-libvirt-driver-private.h"
#include "air-vm-guest.h"

#define PRIVATE_SIZE             "1G"

/* The key the gateway sent in this call (disk_keys call); refused when
 * it sent none: a zone that says it encrypts never makes or opens a
 * volume without its key. */
AirSecretBuffer *
_air_libvirt_driver_take_call_key (AirLibvirtDriver  *self,
                                   const char        *name,
                                   gboolean           create,
                                   GError           **error)
{
  if (self->call_key != NULL)
    return g_steal_pointer (&self->call_key);
  if (create)
    g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                 _("Qube “%s” was not created: this zone host encrypts private volumes with keys its "
                   "gateway sends in the call, and this call carried none. Update qubes-air-agent on "
                   "the zone’s gateway, or set disk_keys=none in the zone host’s agent.conf."), name);
  else
    g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                 _("Qube “%s” did not start: its private volume is encrypted and the call from the "
                   "zone’s gateway carried no key for it (%s). The gateway fetches it from the vault: "
                   "unlock the vault, or update qubes-air-agent on the gateway."),
                 name, self->call_key_sent ? _("the vault gave none") : _("no key line"));
  return NULL;
}

/* The key of a new qube's private volume: from the vault, or with
 * @ephemeral one this process alone holds (a disposable or a build, which
 * it also starts and removes); NULL without an error when the zone does
 * not encrypt. */
static AirSecretBuffer *
new_disk_key (AirLibvirtDriver  *self,
              const char        *name,
              gboolean           ephemeral,
              GError           **error)
{
  if (ephemeral)
    {
      AirSecretBuffer *key = air_libvirt_disk_key_new_ephemeral ();
      AirSecretBuffer *copy = air_secret_buffer_new (key->size);

      memcpy (copy->data, key->data, key->size);
      g_hash_table_replace (self->ephemeral_keys, g_strdup (name), copy);
      return key;
    }
  if (self->disk_keys == AIR_DISK_KEYS_NONE)
    return NULL;
  if (self->disk_keys == AIR_DISK_KEYS_CALL)
    return _air_libvirt_driver_take_call_key (self, name, TRUE, error);
  return air_disk_key_fetch (self->zone_name, name, TRUE, error);
}

/* The private volume: an empty ext4 file system owned by the qube's user,
 * made on the host so that the guest needs no mkfs; encrypted with a key
 * of its own where the zone does. */
gboolean
_air_libvirt_driver_make_private_volume (AirLibvirtDriver  *self,
                                         const char        *name,
                                         gboolean           ephemeral,
                                         GError           **error)
{
  g_autofree char *path = air_driver_path_in (self->private_dir, name, ".qcow2");
  g_autofree char *raw = air_driver_path_in (self->private_dir, name, ".raw.partial");
  g_autofree char *owner = g_strdup_printf ("root_owner=%d:%d,lazy_itable_init=1,lazy_journal_init=1",
                                            AIR_VM_USER_UID, AIR_VM_USER_UID);
  const char *mkfs[] = { "mkfs.ext4", "-q", "-F", "-L", "private", "-E", owner, raw, PRIVATE_SIZE, NULL };
  const char *convert[] = { "qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw, path, NULL };
  g_autoptr(GError) local_error = NULL;
  AirSecretBuffer *key = new_disk_key (self, name, ephemeral, &local_error);
  gboolean ok;

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_unlink (raw);
  ok = air_driver_run_tool (mkfs, "e2fsprogs", error) &&
       (key != NULL ? air_libvirt_make_encrypted_volume (raw, path, key, error)
                    : air_driver_run_tool (convert, "qemu-utils", error));
  g_unlink (raw);
  /* A key made for a volume that could not be made is no use to keep. */
  if (!ok && key != NULL && !ephemeral && self->disk_keys == AIR_DISK_KEYS_VAULT)
    air_disk_key_delete (self->zone_name, name, NULL);
  air_secret_buffer_free (key);
  return ok;
}

/* The host's end of channel @port: NAME.sock, NAME-1.sock, … */
char *
_air_libvirt_driver_channel_path (AirLibvirtDriver *self,
                                  const char       *name,
                                  guint             port,
                                  const char       *suffix)
{
  g_autofree char *with_port = port == 0 ? g_strdup (suffix) : g_strdup_printf ("-%u%s", port, suffix);

  return air_driver_path_in (self->run_dir, name, with_port);
}

void
_air_libvirt_driver_discard_volatile (AirLibvirtDriver *self,
                                      const char       *name)
{
  /* The console log stays until the next start: it tells why a start failed. */
  const char *suffixes[] = { "-root.qcow2", "-volatile.qcow2", ".json" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = air_driver_path_in (self->run_dir, name, suffixes[i]);

      g_unlink (path);
    }
  for (guint port = 0; port < AIR_VM_N_PORTS; port++)
    {
      g_autofree char *sock = _air_libvirt_driver_channel_path (self, name, port, ".sock");

      g_unlink (sock);
    }
}

void
_air_libvirt_driver_remove_volumes (AirLibvirtDriver *self,
                                    const char       *name)
{
  g_autofree char *settings = air_driver_path_in (self->qubes_dir, name, ".json");
  g_autofree char *private = air_driver_path_in (self->private_dir, name, ".qcow2");
  g_autofree char *failed = air_driver_path_in (self->run_dir, name, ".failed");
  g_autofree char *lock = air_driver_path_in (self->run_dir, name, ".lock");

  /* The settings first: a qube half removed is no qube. */
  g_unlink (settings);
  _air_libvirt_driver_discard_volatile (self, name);
  {
    g_autofree char *console = air_driver_path_in (self->run_dir, name, ".console.log");

    g_unlink (console);
  }
  g_unlink (private);
  g_unlink (failed);
  g_unlink (lock);
  g_hash_table_remove (self->ephemeral_keys, name);
  for (guint port = 0; port < AIR_VM_N_PORTS; port++)
    {
      g_autofree char *port_lock = _air_libvirt_driver_channel_path (self, name, port, ".port-lock");

      g_unlink (port_lock);
    }
}
