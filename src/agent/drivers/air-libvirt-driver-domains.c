/* air-libvirt-driver-domains.c — AirLibvirtDriver: a qube's domain
 * (create and its XML; start, shutdown, kill, remove, prefs)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-libvirt-driver"

#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <string.h>
#include <unistd.h>

#include "air-error.h"
#include "air-libvirt-disk-keys.h"
#include "air-libvirt-driver-private.h"
#include "air-names.h"
#include "air-vm-guest.h"

#define PING_TIMEOUT_MS          5000
#define VOLATILE_SIZE            "1G"
/* Too little for a kernel, its initramfs and the agent: refused at once
 * rather than as a guest that never answers. */
#define MIN_MEMORY_MIB           128u

AirQube *
_air_libvirt_driver_create_qube (AirDriver          *driver,
                                 const char         *name,
                                 const AirQubeSpec  *spec,
                                 gboolean            ephemeral_key,
                                 GError            **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autofree char *settings = air_driver_path_in (self->qubes_dir, name, ".json");
  g_autofree char *image = NULL;
  g_autofree char *json = NULL;
  g_autoptr(AirQubeSpec) copy = air_qube_spec_new ();
  int fd;

  if (!air_name_validate (name, "qube", error))
    return NULL;

  copy->kind = spec->kind;
  copy->label = spec->label;
  if (spec->memory > 0 && spec->memory < MIN_MEMORY_MIB)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("A VM qube needs at least %u MiB of memory"), MIN_MEMORY_MIB);
      return NULL;
    }
  copy->memory = spec->memory > 0 ? spec->memory : 400;
  copy->vcpus = spec->vcpus > 0 ? spec->vcpus : 1;
  copy->network = spec->network;
  g_free (copy->template_name);
  copy->template_name = g_strdup (spec->template_name);
  /* "host" is the bubblewrap backend's template; here it means the
   * zone host's default image. */
  if (g_strcmp0 (copy->template_name, "host") == 0 && self->default_template != NULL &&
      air_name_is_valid (self->default_template))
    {
      g_free (copy->template_name);
      copy->template_name = g_strdup (self->default_template);
    }

  image = _air_libvirt_driver_template_image (self, copy->template_name);
  if (image == NULL)
    {
      g_auto(GStrv) templates = _air_libvirt_driver_list_templates (self);
      g_autofree char *known = g_strjoinv (", ", templates);

      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                   _("Template “%s” has no image in zone “%s” (looked in %s). Templates there: %s"),
                   copy->template_name, self->zone_name, self->templates_dir, known[0] ? known : _("none"));
      return NULL;
    }

  /* O_EXCL on the settings path reserves the name against a concurrent
   * create; the real settings replace it last. */
  fd = g_open (settings, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      if (errno == EEXIST)
        g_set_error (error, AIR_ERROR, AIR_ERROR_EXISTS, _("A qube named “%s” already exists"), name);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", settings, g_strerror (errno));
      return NULL;
    }
  close (fd);

  json = air_qube_spec_to_json (copy);
  if (!_air_libvirt_driver_make_private_volume (self, name, ephemeral_key, error))
    {
      _air_libvirt_driver_remove_volumes (self, name);
      return NULL;
    }
  if (!air_driver_write_atomically (settings, json, error))
    {
      if (!ephemeral_key && self->disk_keys == AIR_DISK_KEYS_VAULT)
        air_disk_key_delete (self->zone_name, name, NULL);
      _air_libvirt_driver_remove_volumes (self, name);
      return NULL;
    }
  return _air_libvirt_driver_lookup (driver, name, error);
}

AirQube *
_air_libvirt_driver_create (AirDriver                 *driver,
                            const char                *name,
                            const AirQubeSpec         *spec,
                            const AirProgressReporter *reporter,
                            GError                   **error)
{
  /* A volume and a domain: seconds, not worth reporting. */
  return _air_libvirt_driver_create_qube (driver, name, spec, FALSE, error);
}

static char *
domain_xml (AirLibvirtDriver  *self,
            const char        *name,
            const AirQubeSpec *spec,
            const char        *template_path,
            const char        *secret_uuid,
            const char        *volatile_uuid)
{
  g_autofree char *dom = _air_libvirt_driver_domain_name (self, name);
  g_autofree char *root = air_driver_path_in (self->run_dir, name, "-root.qcow2");
  g_autofree char *volatile_path = air_driver_path_in (self->run_dir, name, "-volatile.qcow2");
  g_autofree char *private = air_driver_path_in (self->private_dir, name, ".qcow2");
  g_autofree char *console = air_driver_path_in (self->run_dir, name, ".console.log");
  g_autofree char *kernel = g_markup_escape_text (self->kernel, -1);
  g_autofree char *initrd = g_markup_escape_text (self->initrd, -1);
  gboolean kvm = access ("/dev/kvm", R_OK | W_OK) == 0;
  GString *xml = g_string_new (NULL);
  const struct { const char *path, *dev; } disks[] = {
    { root, "vda" }, { private, "vdb" }, { volatile_path, "vdc" },
  };

  /* Paths are our own, but escaped all the same. */
  g_string_append_printf (xml, "<domain type='%s'>\n", kvm ? "kvm" : "qemu");
  g_string_append_printf (xml, "  <name>%s</name>\n", dom);
  g_string_append_printf (xml, "  <memory unit='MiB'>%u</memory>\n", spec->memory);
  g_string_append_printf (xml, "  <vcpu>%u</vcpu>\n", spec->vcpus);
  g_string_append (xml, "  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n");
  g_string_append_printf (xml, "    <kernel>%s</kernel>\n", kernel);
  g_string_append_printf (xml, "    <initrd>%s</initrd>\n", initrd);
  /* @name is a validated qube name: nothing in it needs quoting. */
  g_string_append_printf (xml, "    <cmdline>console=ttyS0 quiet panic=-1 air.port=%s air.name=%s</cmdline>\n  </os>\n",
                          AIR_VM_PORT_NAME, name);
  if (kvm)
    g_string_append (xml, "  <cpu mode='host-passthrough'/>\n");
  g_string_append (xml, "  <features><acpi/></features>\n"
                        "  <on_poweroff>destroy</on_poweroff>\n"
                        "  <on_reboot>destroy</on_reboot>\n"
                        "  <on_crash>destroy</on_crash>\n"
                        "  <devices>\n");
  for (guint i = 0; i < G_N_ELEMENTS (disks); i++)
    {
      g_autofree char *escaped = g_markup_escape_text (disks[i].path, -1);
      /* An encrypted volume's key is the libvirt secret's (a UUID). */
      const char *uuid = disks[i].path == private ? secret_uuid
                         : disks[i].path == volatile_path ? volatile_uuid : NULL;
      g_autofree char *encryption = uuid != NULL
        ? g_strdup_printf ("<encryption format='luks'><secret type='passphrase' uuid='%s'/></encryption>", uuid)
        : g_strdup ("");

      g_string_append_printf (xml, "    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                                   "<source file='%s'/><target dev='%s' bus='virtio'/>%s</disk>\n",
                              escaped, disks[i].dev, encryption);
    }
  for (guint port = 0; port < AIR_VM_N_PORTS; port++)
    {
      g_autofree char *sock = _air_libvirt_driver_channel_path (self, name, port, ".sock");
      g_autofree char *escaped_sock = g_markup_escape_text (sock, -1);

      g_string_append_printf (xml, "    <channel type='unix'><source mode='bind' path='%s'/>"
                                   "<target type='virtio' name='%s%u'/></channel>\n",
                              escaped_sock, AIR_VM_PORT_PREFIX, port);
    }
  {
    g_autofree char *escaped_console = g_markup_escape_text (console, -1);

    g_string_append_printf (xml, "    <serial type='file'><source path='%s'/><target port='0'/></serial>\n",
                            escaped_console);
  }
  /* A qube has no network unless it is given one: then QEMU's user-mode
   * NAT, nothing bridged (the guest's side is set up by its initramfs). */
  if (spec->network)
    g_string_append (xml, "    <interface type='user'><model type='virtio'/></interface>\n");
  g_string_append (xml, "    <memballoon model='none'/>\n  </devices>\n</domain>\n");
  (void) template_path;
  return g_string_free (xml, FALSE);
}

static gboolean
domain_is_active (AirLibvirtDriver *self,
                  const char       *name)
{
  gboolean reachable;
  AirQubeState state = _air_libvirt_driver_domain_state (self, name, &reachable);

  return state != AIR_QUBE_STATE_HALTED && state != AIR_QUBE_STATE_UNKNOWN;
}

void
_air_libvirt_driver_destroy_domain (AirLibvirtDriver *self,
                                    const char       *name)
{
  g_autofree char *dom_name = _air_libvirt_driver_domain_name (self, name);
  virConnectPtr conn = _air_libvirt_driver_get_connection (self, NULL);
  virDomainPtr dom = conn != NULL ? virDomainLookupByName (conn, dom_name) : NULL;

  if (dom != NULL)
    {
      virDomainDestroy (dom);
      virDomainFree (dom);
    }
}

static void
mark_failed (AirLibvirtDriver *self,
             const char       *name,
             const char       *reason)
{
  g_autofree char *path = air_driver_path_in (self->run_dir, name, ".failed");

  _air_libvirt_driver_destroy_domain (self, name);
  _air_libvirt_driver_discard_volatile (self, name);
  air_driver_write_atomically (path, reason, NULL);
}

/* Waits for the guest's agent to answer a ping: the qube is up. */
static gboolean
wait_agent (AirLibvirtDriver  *self,
            const char        *name,
            GError           **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) self->start_timeout_s * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) local_error = NULL;
      int fd, lock_fd = -1;

      if (!domain_is_active (self, name))
        {
          g_autofree char *log = air_driver_path_in (self->run_dir, name, ".console.log");

          g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                       _("Qube “%s” stopped while it was booting (its console: %s)"), name, log);
          return FALSE;
        }
      fd = _air_libvirt_driver_open_call (self, name, "ping", NULL,
                                          (int) CLAMP ((deadline - g_get_monotonic_time ()) / 1000, 1, PING_TIMEOUT_MS),
                                          &lock_fd, &local_error);
      if (fd >= 0)
        {
          gboolean ok = _air_libvirt_read_exit (fd, name, PING_TIMEOUT_MS, &local_error);

          _air_libvirt_close_call (fd, lock_fd);
          if (ok)
            return TRUE;
        }
      g_usleep (G_USEC_PER_SEC / 5);
    }

  g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
               _("The agent inside qube “%s” never answered within %u s: the qube is marked failed. "
                 "Check that the zone host’s initramfs starts qubes-air-agent --vm-init"),
               name, self->start_timeout_s);
  return FALSE;
}

AirQube *
_air_libvirt_driver_start_qube (AirLibvirtDriver  *self,
                                const char        *name,
                                unsigned int       flags,
                                GError           **error)
{
  g_autoptr(AirQubeSpec) spec = _air_libvirt_driver_read_settings (self, name, error);
  g_autofree char *image = NULL;
  g_autofree char *root = NULL;
  g_autofree char *volatile_path = NULL;
  g_autofree char *starting = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *private = NULL;
  g_autoptr(GError) local_error = NULL;
  AirSecretBuffer *key = NULL;
  AirSecretBuffer *scratch_key = NULL;
  char secret_uuid[VIR_UUID_STRING_BUFLEN] = "";
  char volatile_uuid[VIR_UUID_STRING_BUFLEN] = "";
  virConnectPtr conn;
  virDomainPtr dom;

  if (spec == NULL)
    return NULL;
  if (domain_is_active (self, name))
    return _air_libvirt_driver_lookup (AIR_DRIVER (self), name, error);

  conn = _air_libvirt_driver_get_connection (self, error);
  if (conn == NULL)
    return NULL;

  if (!g_file_test (self->kernel, G_FILE_TEST_IS_REGULAR) || !g_file_test (self->initrd, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                   _("No kernel for VM qubes on the zone host: put a kernel at %s and its initramfs at %s "
                     "(or set kernel= and initrd= in the agent’s agent.conf)"),
                   self->kernel, self->initrd);
      return NULL;
    }
  image = _air_libvirt_driver_template_image (self, spec->template_name);
  if (image == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                   _("The image of template “%s” is missing (in %s): qube “%s” cannot start"),
                   spec->template_name, self->templates_dir, name);
      return NULL;
    }

  /* An encrypted private volume's key first: without it nothing is made. */
  private = air_driver_path_in (self->private_dir, name, ".qcow2");
  if (air_libvirt_volume_is_encrypted (private))
    {
      AirSecretBuffer *ephemeral = g_hash_table_lookup (self->ephemeral_keys, name);

      if (ephemeral != NULL)
        {
          key = air_secret_buffer_new (ephemeral->size);
          memcpy (key->data, ephemeral->data, ephemeral->size);
        }
      else if (self->disk_keys == AIR_DISK_KEYS_CALL)
        {
          if ((key = _air_libvirt_driver_take_call_key (self, name, FALSE, error)) == NULL)
            return NULL;
        }
      else if ((key = air_disk_key_fetch (self->zone_name, name, FALSE, error)) == NULL)
        return NULL;
    }

  failed = air_driver_path_in (self->run_dir, name, ".failed");
  g_unlink (failed);
  _air_libvirt_driver_discard_volatile (self, name);
  {
    g_autofree char *console = air_driver_path_in (self->run_dir, name, ".console.log");

    g_unlink (console);
  }

  root = air_driver_path_in (self->run_dir, name, "-root.qcow2");
  volatile_path = air_driver_path_in (self->run_dir, name, "-volatile.qcow2");
  starting = air_driver_path_in (self->run_dir, name, ".json");
  /* A qube whose private volume is encrypted swaps to a volatile volume
   * encrypted too, with a key nothing keeps: gone when the qube stops. */
  if (key != NULL)
    scratch_key = air_libvirt_disk_key_new_ephemeral ();
  {
    const char *overlay[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-b", image, "-F", "qcow2", root, NULL };
    const char *scratch[] = { "qemu-img", "create", "-q", "-f", "qcow2", volatile_path, VOLATILE_SIZE, NULL };

    gboolean ok = air_driver_run_tool (overlay, "qemu-utils", error) &&
                  (scratch_key != NULL
                   ? air_libvirt_make_encrypted_scratch (volatile_path, VOLATILE_SIZE, scratch_key, error) &&
                     air_libvirt_secret_define (conn, volatile_path, name, scratch_key, volatile_uuid, error)
                   : air_driver_run_tool (scratch, "qemu-utils", error)) &&
                  air_driver_write_atomically (starting, "{\"state\":\"starting\"}\n", error) &&
                  (key == NULL || air_libvirt_secret_define (conn, private, name, key, secret_uuid, error));

    /* libvirt has its own copies now, which it never gives back. */
    air_secret_buffer_free (key);
    air_secret_buffer_free (scratch_key);
    if (!ok)
      {
        if (volatile_uuid[0] != '\0')
          air_libvirt_secret_undefine (conn, volatile_path);
        _air_libvirt_driver_discard_volatile (self, name);
        return NULL;
      }
  }

  xml = domain_xml (self, name, spec, image, secret_uuid[0] != '\0' ? secret_uuid : NULL,
                    volatile_uuid[0] != '\0' ? volatile_uuid : NULL);
  dom = virDomainCreateXML (conn, xml, flags);
  /* QEMU has the key once it runs: the secret goes at once, whatever
   * happened, rather than when the qube stops. */
  if (secret_uuid[0] != '\0')
    air_libvirt_secret_undefine (conn, private);
  if (volatile_uuid[0] != '\0')
    air_libvirt_secret_undefine (conn, volatile_path);
  if (dom == NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("libvirt could not start it: %s"),
                                                 _air_libvirt_message ());

      mark_failed (self, name, reason);
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Qube “%s” did not start: %s"), name, reason);
      return NULL;
    }
  virDomainFree (dom);

  if (!wait_agent (self, name, &local_error))
    {
      mark_failed (self, name, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  g_unlink (starting);
  return _air_libvirt_driver_lookup (AIR_DRIVER (self), name, error);
}

AirQube *
_air_libvirt_driver_start (AirDriver   *driver,
                           const char  *name,
                           GError     **error)
{
  return _air_libvirt_driver_start_qube (AIR_LIBVIRT_DRIVER (driver), name, 0, error);
}

gboolean
_air_libvirt_driver_wait_gone (AirLibvirtDriver *self,
                               const char       *name,
                               guint             timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (domain_is_active (self, name))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (G_USEC_PER_SEC / 10);
    }
  return TRUE;
}

AirQube *
_air_libvirt_driver_kill (AirDriver   *driver,
                          const char  *name,
                          GError     **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQubeSpec) spec = _air_libvirt_driver_read_settings (self, name, error);
  g_autofree char *failed = NULL;

  if (spec == NULL || _air_libvirt_driver_get_connection (self, error) == NULL)
    return NULL;
  _air_libvirt_driver_destroy_domain (self, name);
  _air_libvirt_driver_discard_volatile (self, name);
  failed = air_driver_path_in (self->run_dir, name, ".failed");
  g_unlink (failed);
  {
    g_autofree char *private = air_driver_path_in (self->private_dir, name, ".qcow2");

    air_libvirt_secret_undefine (self->conn, private);
  }
  return _air_libvirt_driver_lookup (driver, name, error);
}

/* Asks the guest to power off; the domain is destroyed if it does not. */
AirQube *
_air_libvirt_driver_shutdown (AirDriver   *driver,
                              const char  *name,
                              GError     **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQubeSpec) spec = _air_libvirt_driver_read_settings (self, name, error);
  int fd, lock_fd = -1;

  if (spec == NULL || _air_libvirt_driver_get_connection (self, error) == NULL)
    return NULL;
  if (!domain_is_active (self, name))
    return _air_libvirt_driver_kill (driver, name, error);

  fd = _air_libvirt_driver_open_call (self, name, "shutdown", NULL, SHUTDOWN_TIMEOUT_S * 1000,
                                      &lock_fd, NULL);
  if (fd >= 0)
    {
      _air_libvirt_read_exit (fd, name, SHUTDOWN_TIMEOUT_S * 1000, NULL);
      _air_libvirt_close_call (fd, lock_fd);
    }
  _air_libvirt_driver_wait_gone (self, name, SHUTDOWN_TIMEOUT_S);
  return _air_libvirt_driver_kill (driver, name, error);
}

gboolean
_air_libvirt_driver_remove (AirDriver   *driver,
                            const char  *name,
                            GError     **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQubeSpec) spec = _air_libvirt_driver_read_settings (self, name, error);

  if (spec == NULL)
    return FALSE;
  if (domain_is_active (self, name))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY,
                   _("Qube “%s” is running: shut it down before removing it"), name);
      return FALSE;
    }
  /* Crypto-shredding: the key goes from the vault before the volume, so
   * that no copy of the volume can be read afterwards. Behind the relay
   * the gateway had the vault delete it before it sent this call. */
  {
    g_autofree char *private = air_driver_path_in (self->private_dir, name, ".qcow2");

    if (self->disk_keys != AIR_DISK_KEYS_CALL && air_libvirt_volume_is_encrypted (private) &&
        !air_disk_key_delete (self->zone_name, name, error))
      return FALSE;
  }
  _air_libvirt_driver_remove_volumes (self, name);
  return TRUE;
}

/* The settings file is the domain's definition at its next start: a
 * running domain keeps what it was started with, so memory and vCPUs are
 * refused while it runs (Qubes does the same without memory balancing). */
AirQube *
_air_libvirt_driver_set_prefs (AirDriver           *driver,
                               const char          *name,
                               const AirQubePrefs  *prefs,
                               GError             **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQubeSpec) spec = _air_libvirt_driver_read_settings (self, name, error);
  g_autofree char *settings = NULL;
  g_autofree char *json = NULL;
  gboolean resizes;

  if (spec == NULL)
    return NULL;
  resizes = (prefs->memory > 0 && prefs->memory != spec->memory) ||
            (prefs->vcpus > 0 && prefs->vcpus != spec->vcpus);
  if (resizes && domain_is_active (self, name))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY,
                   _("Qube “%s” is running: its memory and vCPUs change only while it is halted. "
                     "Shut it down first: qair shutdown %s"), name, name);
      return NULL;
    }
  if (prefs->memory > 0 && prefs->memory < MIN_MEMORY_MIB)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("A VM qube needs at least %u MiB of memory"), MIN_MEMORY_MIB);
      return NULL;
    }

  if (prefs->has_label)
    spec->label = prefs->label;
  if (prefs->memory > 0)
    spec->memory = prefs->memory;
  if (prefs->vcpus > 0)
    spec->vcpus = prefs->vcpus;

  settings = air_driver_path_in (self->qubes_dir, name, ".json");
  json = air_qube_spec_to_json (spec);
  if (!air_driver_write_atomically (settings, json, error))
    return NULL;
  return _air_libvirt_driver_lookup (driver, name, error);
}
