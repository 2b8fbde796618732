/* air-libvirt-driver.c
 *
 * See air-libvirt-driver.h for the layout and the configuration. Every
 * call of the agent is a short process, so the domains are transient (the
 * settings file, not libvirt, holds a halted qube) and the libvirt
 * connection is opened only when a call needs it.
 *
 * Everything the guest sends is hostile: frames are checked by
 * air_call_read_frame(), the exit status is range-checked, and what a
 * qube's command writes goes to the caller as bytes, never interpreted.
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
#include <libvirt/virterror.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "air-call-frames.h"
#include "air-driver.h"
#include "air-error.h"
#include "air-fd-io.h"
#include "air-json.h"
#include "air-libvirt-disk-keys.h"
#include "air-libvirt-driver.h"
#include "air-libvirt-templates.h"
#include "air-template-store.h"
#include "air-names.h"
#include "air-utils.h"
#include "air-vm-guest.h"

#define DEFAULT_START_TIMEOUT_S  90
#define SHUTDOWN_TIMEOUT_S       20
#define BUILD_MEMORY_MIB         1024   /* a package manager's need */
#define PING_TIMEOUT_MS          5000
#define MAX_SETTINGS_FILE        (64 * 1024)
#define MAX_STALE_FRAMES         64
/* The guest's greeting: each connection waits this long before it is
 * made again, for at most GREETING_TIMEOUT_MS when the call has no limit
 * of its own; the pause lets the guest see the connection go. */
#define GREETING_ATTEMPT_MS      2000
#define GREETING_TIMEOUT_MS      60000
#define GREETING_PAUSE_MS        100
#define PRIVATE_SIZE             "1G"
#define VOLATILE_SIZE            "1G"
#define MAX_TOOL_MESSAGE         300
/* Too little for a kernel, its initramfs and the agent: refused at once
 * rather than as a guest that never answers. */
#define MIN_MEMORY_MIB           128u

struct _AirLibvirtDriver
{
  GObject        parent_instance;

  /* Owned references */
  char          *zone_name;
  char          *state_dir;
  char          *qubes_dir;
  char          *private_dir;
  char          *run_dir;
  char          *templates_dir;
  AirTemplateStore *templates;
  char          *build_template;  /* while a build's VM runs: its image */
  char          *build_image;
  int            build_lock_fd;
  char          *uri;
  char          *kernel;
  char          *initrd;
  char          *default_template;
  char          *domain_prefix;   /* "qubesair-HASH-": names this state dir's domains */
  guint          start_timeout_s;
  AirDiskKeys    disk_keys;       /* where private volumes' keys come from */
  AirSecretBuffer *call_key;      /* disk_keys call: the key this call carried */
  gboolean       call_key_sent;   /* … and whether it carried a key line at all */
  GHashTable    *ephemeral_keys;  /* disposables' and builds' disk keys, by name */
  virConnectPtr  conn;

  /* The Events service's lifecycle callback. */
  GMainContext          *watch_context;
  AirDriverChangedFunc   watch_func;
  gpointer               watch_data;
};

static void air_libvirt_driver_iface_init (AirDriverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AirLibvirtDriver, air_libvirt_driver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AIR_TYPE_DRIVER, air_libvirt_driver_iface_init))

static void
air_libvirt_driver_finalize (GObject *object)
{
  AirLibvirtDriver *self = (AirLibvirtDriver *)object;

  /* A watching connection lives as long as the process; it is not closed
   * under the event thread. */
  if (self->conn != NULL && self->watch_func == NULL)
    virConnectClose (self->conn);
  g_free (self->zone_name);
  g_free (self->state_dir);
  g_free (self->qubes_dir);
  g_free (self->private_dir);
  g_free (self->run_dir);
  g_free (self->templates_dir);
  g_clear_object (&self->templates);
  g_free (self->build_template);
  g_free (self->build_image);
  g_free (self->uri);
  air_secret_buffer_free (self->call_key);
  g_free (self->kernel);
  g_free (self->initrd);
  g_free (self->default_template);
  g_free (self->domain_prefix);
  g_clear_pointer (&self->ephemeral_keys, g_hash_table_unref);

  G_OBJECT_CLASS (air_libvirt_driver_parent_class)->finalize (object);
}

static void
air_libvirt_driver_class_init (AirLibvirtDriverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_libvirt_driver_finalize;
}

static void
air_libvirt_driver_init (AirLibvirtDriver *self)
{
  self->build_lock_fd = -1;
  self->ephemeral_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) air_secret_buffer_free);
}

/* libvirt prints every error on stderr by default; ours carry them. */
static void
quiet_error_cb (void        *user_data,
                virErrorPtr  error)
{
}

static const char *
libvirt_message (void)
{
  const char *message = virGetLastErrorMessage ();

  return message != NULL ? message : _("unknown error");
}

static char *
config_value (const char *state_dir,
              const char *env,
              const char *key)
{
  const char *value = env != NULL ? g_getenv (env) : NULL;

  if (value != NULL && value[0] != '\0')
    return g_strdup (value);
  return air_driver_config_get (state_dir, key);
}

static char *
domain_name (AirLibvirtDriver *self,
             const char       *name)
{
  return g_strconcat (self->domain_prefix, name, NULL);
}

static gpointer
event_thread (gpointer user_data)
{
  sigset_t pipe_set;

  /* A daemon gone away is an error for libvirt here, not our death. */
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, NULL);
  while (virEventRunDefaultImpl () == 0)
    ;
  return NULL;
}

/* libvirtd drops a client that leaves its keepalive unanswered for 30 s
 * (5 s × 5), and a command relayed to a qube, or a template's build step,
 * may take longer than that with this thread busy: the event loop runs on
 * a thread of its own from the first connection on, for the process's
 * life, so that the connection — and an AUTODESTROY build VM with it —
 * lasts as long as the call. A dropped connection ended the agent with
 * SIGPIPE (141) when it was closed at exit. */
static void
answer_keepalives (void)
{
  static gsize started = 0;

  if (g_once_init_enter (&started))
    {
      g_thread_unref (g_thread_new ("libvirt-events", event_thread, NULL));
      g_once_init_leave (&started, 1);
    }
}

static virConnectPtr
get_connection (AirLibvirtDriver  *self,
                GError           **error)
{
  if (self->conn != NULL)
    return self->conn;

  self->conn = virConnectOpen (self->uri);
  if (self->conn == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                   _("Cannot connect to libvirt at %s (%s). Install libvirt-daemon and "
                     "libvirt-daemon-driver-qemu and make sure libvirtd runs (as root without "
                     "systemd: “libvirtd -d”), or set uri= in the agent’s agent.conf."),
                   self->uri, libvirt_message ());
      return NULL;
    }
  answer_keepalives ();
  /* Disk keys left in libvirt by an agent that died while starting a qube. */
  air_libvirt_secrets_collect (self->conn, self->private_dir, self->run_dir);
  return self->conn;
}

static AirQubeSpec *
read_settings (AirLibvirtDriver  *self,
               const char        *name,
               GError           **error)
{
  g_autofree char *path = air_driver_path_in (self->qubes_dir, name, ".json");
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!air_name_validate (name, "qube", error))
    return NULL;
  if (!g_file_get_contents (path, &contents, &len, NULL))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                   _("There is no qube “%s” in zone “%s”"), name, self->zone_name);
      return NULL;
    }
  if (len > MAX_SETTINGS_FILE)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("The settings of qube “%s” are damaged"), name);
      return NULL;
    }
  return air_qube_spec_parse (contents, len, error);
}

/* The image of the template's current version; NULL when it has none. A
 * qube's overlay keeps the version it started on open, whatever updates
 * then remove. */
static char *
template_image (AirLibvirtDriver *self,
                const char       *template_name)
{
  /* A build's VM boots the image being built. */
  if (self->build_image != NULL && g_strcmp0 (template_name, self->build_template) == 0)
    return g_strdup (self->build_image);
  return air_template_store_current_path (self->templates, template_name, NULL);
}

static char **
list_templates (AirLibvirtDriver *self)
{
  g_autoptr(GPtrArray) templates = air_template_store_list (self->templates);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < templates->len; i++)
    g_ptr_array_add (names, g_strdup (((AirTemplate *) g_ptr_array_index (templates, i))->name));
  g_ptr_array_sort (names, (GCompareFunc) air_name_collate);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

static gint64
file_mtime (const char *path)
{
  struct stat st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_mtime : 0;
}

static AirQubeState
domain_state (AirLibvirtDriver *self,
              const char       *name,
              gboolean         *reachable)
{
  g_autofree char *dom_name = domain_name (self, name);
  virConnectPtr conn = get_connection (self, NULL);
  virDomainPtr dom;
  int state = VIR_DOMAIN_NOSTATE, reason = 0;

  *reachable = conn != NULL;
  if (conn == NULL)
    return AIR_QUBE_STATE_UNKNOWN;
  dom = virDomainLookupByName (conn, dom_name);
  if (dom == NULL)
    return AIR_QUBE_STATE_HALTED;
  if (virDomainGetState (dom, &state, &reason, 0) < 0)
    state = VIR_DOMAIN_NOSTATE;
  virDomainFree (dom);

  switch (state)
    {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED:
      return AIR_QUBE_STATE_RUNNING;
    case VIR_DOMAIN_PAUSED:
    case VIR_DOMAIN_PMSUSPENDED:
      return AIR_QUBE_STATE_PAUSED;
    case VIR_DOMAIN_SHUTDOWN:
      return AIR_QUBE_STATE_HALTING;
    case VIR_DOMAIN_CRASHED:
      return AIR_QUBE_STATE_CRASHED;
    case VIR_DOMAIN_SHUTOFF:
      return AIR_QUBE_STATE_HALTED;
    default:
      return AIR_QUBE_STATE_UNKNOWN;
    }
}

static AirQube *
lookup (AirDriver   *driver,
        const char  *name,
        GError     **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQubeSpec) spec = read_settings (self, name, error);
  g_autofree char *failed = NULL;
  g_autofree char *starting = NULL;
  g_autofree char *root = NULL;
  AirQube *qube;
  AirQubeState state;
  gboolean reachable;
  gint64 started = 0;

  if (spec == NULL)
    return NULL;

  failed = air_driver_path_in (self->run_dir, name, ".failed");
  starting = air_driver_path_in (self->run_dir, name, ".json");
  root = air_driver_path_in (self->run_dir, name, "-root.qcow2");
  state = domain_state (self, name, &reachable);
  if (state == AIR_QUBE_STATE_HALTED && g_file_test (failed, G_FILE_TEST_EXISTS))
    state = AIR_QUBE_STATE_CRASHED;
  else if (state == AIR_QUBE_STATE_RUNNING && g_file_test (starting, G_FILE_TEST_EXISTS))
    state = AIR_QUBE_STATE_STARTING;
  if (state != AIR_QUBE_STATE_HALTED && state != AIR_QUBE_STATE_CRASHED)
    started = file_mtime (root);

  qube = air_qube_new_full (self->zone_name, name, state, spec->kind, spec->label,
                            spec->template_name, NULL, spec->memory, spec->vcpus, started);
  air_qube_set_network (qube, spec->network);
  return qube;
}

static char *
read_failure (AirLibvirtDriver *self,
              const char       *name)
{
  g_autofree char *path = air_driver_path_in (self->run_dir, name, ".failed");
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  return air_text_sanitize (contents, len, AIR_PROTOCOL_MAX_REASON);
}

static const char *
get_zone_name (AirDriver *driver)
{
  return AIR_LIBVIRT_DRIVER (driver)->zone_name;
}

static const char *
get_qubes_dir (AirDriver *driver)
{
  return AIR_LIBVIRT_DRIVER (driver)->qubes_dir;
}

static const char *
get_run_dir (AirDriver *driver)
{
  return AIR_LIBVIRT_DRIVER (driver)->run_dir;
}

static gboolean
name_from_entry (const char  *entry,
                 char       **name)
{
  if (!g_str_has_suffix (entry, ".json"))
    return FALSE;
  *name = g_strndup (entry, strlen (entry) - strlen (".json"));
  if (air_name_is_valid (*name))
    return TRUE;
  g_clear_pointer (name, g_free);
  return FALSE;
}

static GPtrArray *
list (AirDriver  *driver,
      GError    **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(GPtrArray) qubes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDir) dir = g_dir_open (self->qubes_dir, 0, error);
  const char *entry;

  if (dir == NULL)
    return NULL;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name = NULL;
      AirQube *qube;

      if (name_from_entry (entry, &name) && (qube = lookup (driver, name, NULL)) != NULL)
        g_ptr_array_add (qubes, qube);
    }
  return g_steal_pointer (&qubes);
}

static AirZoneInfo *
get_info (AirDriver *driver)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  AirZoneInfo *info = g_new0 (AirZoneInfo, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) qubes = NULL;
  virConnectPtr conn;
  virNodeInfo node;

  info->name = g_strdup (self->zone_name);
  info->driver = g_strdup ("libvirt");
  info->isolation = AIR_ISOLATION_VM;
  info->acceleration = g_strdup (access ("/dev/kvm", R_OK | W_OK) == 0 ? "kvm" : "tcg");
  info->disk_encryption = g_strdup (self->disk_keys == AIR_DISK_KEYS_VAULT ? "luks" :
                                    self->disk_keys == AIR_DISK_KEYS_CALL ? AIR_DISK_ENCRYPTION_BY_CALL : "none");
  info->templates = list_templates (self);
  info->health = AIR_HEALTH_UP;

  conn = get_connection (self, &error);
  if (conn == NULL)
    {
      info->health = AIR_HEALTH_DOWN;
      info->health_reason = g_strdup (error->message);
    }
  else if (!g_file_test (self->kernel, G_FILE_TEST_IS_REGULAR))
    {
      info->health = AIR_HEALTH_DEGRADED;
      info->health_reason = g_strdup_printf (_("No kernel for VM qubes at %s"), self->kernel);
    }
  else
    info->health_reason = g_strdup ("");

  if (conn != NULL && virNodeGetInfo (conn, &node) == 0)
    {
      info->memory_total = node.memory / 1024;
      info->vcpus_total = node.cpus;
    }

  qubes = list (driver, NULL);
  for (guint i = 0; qubes != NULL && i < qubes->len; i++)
    {
      AirQube *qube = g_ptr_array_index (qubes, i);

      info->n_qubes++;
      if (air_qube_is_running (qube))
        info->n_running++;
      /* A failed start says why where the zone's health is shown. */
      if (air_qube_get_state (qube) == AIR_QUBE_STATE_CRASHED && info->health == AIR_HEALTH_UP)
        {
          g_autofree char *reason = read_failure (self, air_qube_get_name (qube));

          info->health = AIR_HEALTH_DEGRADED;
          g_free (info->health_reason);
          info->health_reason = g_strdup_printf (_("Qube “%s” failed: %s"), air_qube_get_name (qube),
                                                 reason != NULL ? reason : "");
        }
    }
  return info;
}

static int
open_home (AirDriver   *driver,
           const char  *name,
           GError     **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("Files cannot be copied to or from qube “%s” yet: it is a virtual machine "
                 "(libvirt backend), whose files the zone host cannot open"), name);
  return -1;
}

/* The key the gateway sent in this call (disk_keys call); refused when
 * it sent none: a zone that says it encrypts never makes or opens a
 * volume without its key. */
static AirSecretBuffer *
take_call_key (AirLibvirtDriver  *self,
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
    return take_call_key (self, name, TRUE, error);
  return air_disk_key_fetch (self->zone_name, name, TRUE, error);
}

/* The private volume: an empty ext4 file system owned by the qube's user,
 * made on the host so that the guest needs no mkfs; encrypted with a key
 * of its own where the zone does. */
static gboolean
make_private_volume (AirLibvirtDriver  *self,
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
static char *
channel_path (AirLibvirtDriver *self,
              const char       *name,
              guint             port,
              const char       *suffix)
{
  g_autofree char *with_port = port == 0 ? g_strdup (suffix) : g_strdup_printf ("-%u%s", port, suffix);

  return air_driver_path_in (self->run_dir, name, with_port);
}

static void
discard_volatile (AirLibvirtDriver *self,
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
      g_autofree char *sock = channel_path (self, name, port, ".sock");

      g_unlink (sock);
    }
}

static void
remove_volumes (AirLibvirtDriver *self,
                const char       *name)
{
  g_autofree char *settings = air_driver_path_in (self->qubes_dir, name, ".json");
  g_autofree char *private = air_driver_path_in (self->private_dir, name, ".qcow2");
  g_autofree char *failed = air_driver_path_in (self->run_dir, name, ".failed");
  g_autofree char *lock = air_driver_path_in (self->run_dir, name, ".lock");

  /* The settings first: a qube half removed is no qube. */
  g_unlink (settings);
  discard_volatile (self, name);
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
      g_autofree char *port_lock = channel_path (self, name, port, ".port-lock");

      g_unlink (port_lock);
    }
}

static AirQube *
create_qube (AirDriver          *driver,
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

  image = template_image (self, copy->template_name);
  if (image == NULL)
    {
      g_auto(GStrv) templates = list_templates (self);
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
  if (!make_private_volume (self, name, ephemeral_key, error))
    {
      remove_volumes (self, name);
      return NULL;
    }
  if (!air_driver_write_atomically (settings, json, error))
    {
      if (!ephemeral_key && self->disk_keys == AIR_DISK_KEYS_VAULT)
        air_disk_key_delete (self->zone_name, name, NULL);
      remove_volumes (self, name);
      return NULL;
    }
  return lookup (driver, name, error);
}

static AirQube *
create (AirDriver          *driver,
        const char         *name,
        const AirQubeSpec  *spec,
        GError            **error)
{
  return create_qube (driver, name, spec, FALSE, error);
}

static char *
domain_xml (AirLibvirtDriver  *self,
            const char        *name,
            const AirQubeSpec *spec,
            const char        *template_path,
            const char        *secret_uuid)
{
  g_autofree char *dom = domain_name (self, name);
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
      /* The private volume's key is the libvirt secret's (a UUID). */
      g_autofree char *encryption = disks[i].path == private && secret_uuid != NULL
        ? g_strdup_printf ("<encryption format='luks'><secret type='passphrase' uuid='%s'/></encryption>",
                           secret_uuid)
        : g_strdup ("");

      g_string_append_printf (xml, "    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                                   "<source file='%s'/><target dev='%s' bus='virtio'/>%s</disk>\n",
                              escaped, disks[i].dev, encryption);
    }
  for (guint port = 0; port < AIR_VM_N_PORTS; port++)
    {
      g_autofree char *sock = channel_path (self, name, port, ".sock");
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

/* Takes a channel no other call of ours is using (each serves one call
 * at a time); when all are busy, waits for one. Returns its port, and
 * the lock to hold for the call in @lock_fd. */
static guint
take_channel (AirLibvirtDriver *self,
              const char       *name,
              int              *lock_fd)
{
  for (guint port = 0; port < AIR_VM_N_PORTS; port++)
    {
      g_autofree char *path = channel_path (self, name, port, ".port-lock");
      int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

      if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) == 0)
        {
          *lock_fd = fd;
          return port;
        }
      if (fd >= 0)
        close (fd);
    }
  {
    guint port = (guint) getpid () % AIR_VM_N_PORTS;
    g_autofree char *path = channel_path (self, name, port, ".port-lock");
    int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    while (fd >= 0 && flock (fd, LOCK_EX) != 0 && errno == EINTR)
      ;
    *lock_fd = fd;
    return port;
  }
}

/* Connects to the qube's channel @port, retrying while QEMU makes its socket. */
static int
connect_channel (AirLibvirtDriver  *self,
                 const char        *name,
                 guint              port,
                 GError           **error)
{
  g_autofree char *path = channel_path (self, name, port, ".sock");
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof addr.sun_path)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("The agent’s state directory is too deep for a socket path: %s"), path);
      return -1;
    }
  strcpy (addr.sun_path, path);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                   _("Cannot reach the agent of qube “%s”: %s"), name, g_strerror (saved_errno));
      return -1;
    }
  return fd;
}

/* Reads frames until the guest's READY, within @deadline (monotonic µs;
 * 0: none). FALSE with @error on a timeout, a closed channel or junk. */
static gboolean
wait_ready (int          fd,
            const char  *name,
            gint64       deadline,
            GError     **error)
{
  g_autofree guint8 *buffer = g_malloc (AIR_CALL_MAX_FRAME);

  for (guint skipped = 0; skipped < MAX_STALE_FRAMES; skipped++)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      AirCallFrame type;
      gsize len;
      int wait_ms = deadline == 0 ? -1 : (int) MAX (0, (deadline - g_get_monotonic_time ()) / 1000);
      int n = poll (&pfd, 1, wait_ms);

      if (n < 0 && errno == EINTR)
        continue;
      if (n == 0)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                       _("The agent of qube “%s” did not answer"), name);
          return FALSE;
        }
      if (!air_call_read_frame (fd, &type, buffer, &len, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                         _("Qube “%s” closed its agent’s channel"), name);
          return FALSE;
        }
      if (type == AIR_CALL_FRAME_READY)
        return TRUE;
    }

  g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The agent of qube “%s” sent too much before answering"), name);
  return FALSE;
}

/* Connects to the guest, waits for its greeting (air-vm-guest.h: the
 * guest greets each connection once, after dropping whatever the one
 * before left), sends the call and waits for its READY. A guest that
 * has not yet seen the previous connection go does not greet: the
 * connection is made again, after a pause it cannot miss.
 * @timeout_ms < 0: no limit once greeted. Returns the channel, or -1. */
static int
open_call_on (AirLibvirtDriver  *self,
              const char        *name,
              guint              port,
              const char        *service,
              const char        *extra_line,
              int                timeout_ms,
              GError           **error)
{
  g_autofree char *header = air_call_header_new (service, "", "dom0", NULL);
  gint64 limit = timeout_ms < 0 ? GREETING_TIMEOUT_MS : timeout_ms;
  gint64 deadline = g_get_monotonic_time () + limit * 1000;
  guint pause_ms = GREETING_PAUSE_MS / 2;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 attempt = MIN (deadline, g_get_monotonic_time () + GREETING_ATTEMPT_MS * 1000);
      int fd = connect_channel (self, name, port, error);

      if (fd < 0)
        return -1;
      if (wait_ready (fd, name, attempt, &local_error))
        {
          /* A channel that closes after its greeting is tried again, as
           * one that gives none. */
          if (!air_fd_send_all (fd, header, strlen (header)) ||
              (extra_line != NULL && !air_fd_send_all (fd, extra_line, strlen (extra_line))))
            g_set_error (&local_error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                         _("Cannot reach the agent of qube “%s”"), name);
          else if (!wait_ready (fd, name, timeout_ms < 0 ? 0 : deadline, error))
            {
              close (fd);
              return -1;
            }
          else
            return fd;
        }
      close (fd);
      if (g_get_monotonic_time () >= deadline ||
          !g_error_matches (local_error, AIR_ERROR, AIR_ERROR_UNREACHABLE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
      /* Longer each time: a guest slow to be scheduled must see the gap. */
      pause_ms = MIN (pause_ms * 2, 1600);
      g_usleep (pause_ms * 1000);
    }
}

/* A call on a free channel: the channel, and in @lock_fd the lock that
 * keeps it ours until both are closed (close_call). */
static int
open_call (AirLibvirtDriver  *self,
           const char        *name,
           const char        *service,
           const char        *extra_line,
           int                timeout_ms,
           int               *lock_fd,
           GError           **error)
{
  guint port = take_channel (self, name, lock_fd);
  int fd = open_call_on (self, name, port, service, extra_line, timeout_ms, error);

  if (fd < 0 && *lock_fd >= 0)
    {
      close (*lock_fd);
      *lock_fd = -1;
    }
  return fd;
}

static void
close_call (int fd,
            int lock_fd)
{
  close (fd);
  if (lock_fd >= 0)
    close (lock_fd);
}

static gboolean
read_exit (int          fd,
           const char  *name,
           int          timeout_ms,
           GError     **error)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  g_autofree guint8 *buffer = g_malloc (AIR_CALL_MAX_FRAME);
  AirCallFrame type;
  gsize len;

  if (poll (&pfd, 1, timeout_ms) <= 0 ||
      !air_call_read_frame (fd, &type, buffer, &len, NULL) || type != AIR_CALL_FRAME_EXIT)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE, _("The agent of qube “%s” did not answer"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
domain_is_active (AirLibvirtDriver *self,
                  const char       *name)
{
  gboolean reachable;
  AirQubeState state = domain_state (self, name, &reachable);

  return state != AIR_QUBE_STATE_HALTED && state != AIR_QUBE_STATE_UNKNOWN;
}

static void
destroy_domain (AirLibvirtDriver *self,
                const char       *name)
{
  g_autofree char *dom_name = domain_name (self, name);
  virConnectPtr conn = get_connection (self, NULL);
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

  destroy_domain (self, name);
  discard_volatile (self, name);
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
      fd = open_call (self, name, "ping", NULL,
                      (int) CLAMP ((deadline - g_get_monotonic_time ()) / 1000, 1, PING_TIMEOUT_MS),
                      &lock_fd, &local_error);
      if (fd >= 0)
        {
          gboolean ok = read_exit (fd, name, PING_TIMEOUT_MS, &local_error);

          close_call (fd, lock_fd);
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

static AirQube *
start_qube (AirLibvirtDriver  *self,
            const char        *name,
            unsigned int       flags,
            GError           **error)
{
  g_autoptr(AirQubeSpec) spec = read_settings (self, name, error);
  g_autofree char *image = NULL;
  g_autofree char *root = NULL;
  g_autofree char *volatile_path = NULL;
  g_autofree char *starting = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *private = NULL;
  g_autoptr(GError) local_error = NULL;
  AirSecretBuffer *key = NULL;
  char secret_uuid[VIR_UUID_STRING_BUFLEN] = "";
  virConnectPtr conn;
  virDomainPtr dom;

  if (spec == NULL)
    return NULL;
  if (domain_is_active (self, name))
    return lookup (AIR_DRIVER (self), name, error);

  conn = get_connection (self, error);
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
  image = template_image (self, spec->template_name);
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
          if ((key = take_call_key (self, name, FALSE, error)) == NULL)
            return NULL;
        }
      else if ((key = air_disk_key_fetch (self->zone_name, name, FALSE, error)) == NULL)
        return NULL;
    }

  failed = air_driver_path_in (self->run_dir, name, ".failed");
  g_unlink (failed);
  discard_volatile (self, name);
  {
    g_autofree char *console = air_driver_path_in (self->run_dir, name, ".console.log");

    g_unlink (console);
  }

  root = air_driver_path_in (self->run_dir, name, "-root.qcow2");
  volatile_path = air_driver_path_in (self->run_dir, name, "-volatile.qcow2");
  starting = air_driver_path_in (self->run_dir, name, ".json");
  {
    const char *overlay[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-b", image, "-F", "qcow2", root, NULL };
    const char *scratch[] = { "qemu-img", "create", "-q", "-f", "qcow2", volatile_path, VOLATILE_SIZE, NULL };

    gboolean ok = air_driver_run_tool (overlay, "qemu-utils", error) &&
                  air_driver_run_tool (scratch, "qemu-utils", error) &&
                  air_driver_write_atomically (starting, "{\"state\":\"starting\"}\n", error) &&
                  (key == NULL || air_libvirt_secret_define (conn, private, name, key, secret_uuid, error));

    /* libvirt has its own copy now, which it never gives back. */
    air_secret_buffer_free (key);
    if (!ok)
      {
        discard_volatile (self, name);
        return NULL;
      }
  }

  xml = domain_xml (self, name, spec, image, secret_uuid[0] != '\0' ? secret_uuid : NULL);
  dom = virDomainCreateXML (conn, xml, flags);
  /* QEMU has the key once it runs: the secret goes at once, whatever
   * happened, rather than when the qube stops. */
  if (secret_uuid[0] != '\0')
    air_libvirt_secret_undefine (conn, private);
  if (dom == NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("libvirt could not start it: %s"), libvirt_message ());

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
  return lookup (AIR_DRIVER (self), name, error);
}

static AirQube *
start (AirDriver   *driver,
       const char  *name,
       GError     **error)
{
  return start_qube (AIR_LIBVIRT_DRIVER (driver), name, 0, error);
}

static gboolean
wait_gone (AirLibvirtDriver *self,
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

static AirQube *
kill_qube (AirDriver   *driver,
           const char  *name,
           GError     **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQubeSpec) spec = read_settings (self, name, error);
  g_autofree char *failed = NULL;

  if (spec == NULL || get_connection (self, error) == NULL)
    return NULL;
  destroy_domain (self, name);
  discard_volatile (self, name);
  failed = air_driver_path_in (self->run_dir, name, ".failed");
  g_unlink (failed);
  {
    g_autofree char *private = air_driver_path_in (self->private_dir, name, ".qcow2");

    air_libvirt_secret_undefine (self->conn, private);
  }
  return lookup (driver, name, error);
}

/* Asks the guest to power off; the domain is destroyed if it does not. */
static AirQube *
shutdown_qube (AirDriver   *driver,
               const char  *name,
               GError     **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQubeSpec) spec = read_settings (self, name, error);
  int fd, lock_fd = -1;

  if (spec == NULL || get_connection (self, error) == NULL)
    return NULL;
  if (!domain_is_active (self, name))
    return kill_qube (driver, name, error);

  fd = open_call (self, name, "shutdown", NULL, SHUTDOWN_TIMEOUT_S * 1000, &lock_fd, NULL);
  if (fd >= 0)
    {
      read_exit (fd, name, SHUTDOWN_TIMEOUT_S * 1000, NULL);
      close_call (fd, lock_fd);
    }
  wait_gone (self, name, SHUTDOWN_TIMEOUT_S);
  return kill_qube (driver, name, error);
}

static gboolean
remove_qube (AirDriver   *driver,
             const char  *name,
             GError     **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQubeSpec) spec = read_settings (self, name, error);

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
  remove_volumes (self, name);
  return TRUE;
}

/* The settings file is the domain's definition at its next start: a
 * running domain keeps what it was started with, so memory and vCPUs are
 * refused while it runs (Qubes does the same without memory balancing). */
static AirQube *
set_prefs (AirDriver           *driver,
           const char          *name,
           const AirQubePrefs  *prefs,
           GError             **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQubeSpec) spec = read_settings (self, name, error);
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
  return lookup (driver, name, error);
}

/* Relays our stdin to the guest as STDIN frames and its frames to our
 * stdout and stderr, until its EXIT — or until our caller goes away,
 * which closes the channel and so ends the command in the guest. */
static int
relay_command (int          fd,
               const char  *name,
               int          in_fd,
               int          out_fd,
               int          err_fd,
               GError     **error)
{
  g_autofree guint8 *buffer = g_malloc (AIR_CALL_MAX_FRAME);
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  gboolean stdin_done = in_fd < 0;

  /* No input: its end, at once. */
  if (stdin_done)
    g_byte_array_append (pending, (const guint8 []) { AIR_VM_FRAME_STDIN, 0, 0, 0, 0 }, 5);

  for (;;)
    {
      struct pollfd pfd[3] = {
        { .fd = (!stdin_done && pending->len == 0) ? in_fd : -1, .events = POLLIN },
        { .fd = fd, .events = POLLIN | (pending->len > 0 ? POLLOUT : 0) },
        { .fd = out_fd, .events = 0 },   /* POLLERR: our caller closed its end */
      };

      if (poll (pfd, G_N_ELEMENTS (pfd), -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }

      if (pfd[2].revents & (POLLERR | POLLHUP | POLLNVAL))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED, _("The caller went away"));
          return -1;
        }

      if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          ssize_t n = read (in_fd, buffer + 5, AIR_CALL_MAX_FRAME - 5);
          guint32 be;

          if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
          if (n <= 0)
            {
              n = 0;
              stdin_done = TRUE;
            }
          buffer[0] = AIR_VM_FRAME_STDIN;
          be = GUINT32_TO_BE ((guint32) n);
          memcpy (buffer + 1, &be, 4);
          g_byte_array_append (pending, buffer, n + 5);
        }

      if (pending->len > 0 && (pfd[1].revents & POLLOUT))
        {
          ssize_t n = send (fd, pending->data, pending->len, MSG_DONTWAIT | MSG_NOSIGNAL);

          if (n > 0)
            g_byte_array_remove_range (pending, 0, n);
          else if (n < 0 && errno != EAGAIN && errno != EINTR)
            break;
        }

      if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          AirCallFrame type;
          gsize len;
          guint32 status;

          if (!air_call_read_frame (fd, &type, buffer, &len, NULL))
            break;
          switch (type)
            {
            case AIR_CALL_FRAME_STDOUT:
            case AIR_CALL_FRAME_STDERR:
              if (!air_fd_write_all (type == AIR_CALL_FRAME_STDOUT ? out_fd : err_fd, buffer, len) &&
                  type == AIR_CALL_FRAME_STDOUT)
                {
                  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED, _("The caller went away"));
                  return -1;
                }
              break;
            case AIR_CALL_FRAME_EXIT:
              memcpy (&status, buffer, 4);
              status = GUINT32_FROM_BE (status);
              if (status > 255)
                {
                  g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("Qube “%s” sent an exit status that is not valid"), name);
                  return -1;
                }
              return (int) status;
            default:
              goto lost;
            }
        }
    }

lost:
  g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Qube “%s” stopped before the command finished."), name);
  return -1;
}

static int
run_in_qube (AirLibvirtDriver    *self,
             const char          *name,
             const AirRunHeader  *header,
             GError             **error)
{
  g_autofree char *line = air_run_header_to_line ((const char * const *) header->argv, header->user);
  int fd, lock_fd = -1, status;

  if (strlen (line) > AIR_JSON_MAX_LINE)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("The command line is too long"));
      return -1;
    }
  fd = open_call (self, name, "run", line, -1, &lock_fd, error);
  if (fd < 0)
    return -1;
  status = relay_command (fd, name, STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, error);
  close_call (fd, lock_fd);
  return status;
}

static int
run (AirDriver           *driver,
     const char          *name,
     const AirRunHeader  *header,
     GError             **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQube) qube = lookup (driver, name, error);

  if (qube == NULL)
    return -1;
  /* Like qvm-run, a halted qube is started first. */
  if (!air_qube_is_running (qube))
    {
      g_clear_object (&qube);
      qube = start (driver, name, error);
      if (qube == NULL)
        return -1;
    }
  return run_in_qube (self, name, header, error);
}

static int
take_lock (AirLibvirtDriver *self,
           const char       *name)
{
  g_autofree char *path = air_driver_path_in (self->run_dir, name, ".lock");
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* A disposable lives as long as this process: its domain is started with
 * AUTODESTROY (libvirt destroys it when our connection goes, even after a
 * kill -9), and its lock, released by the kernel then, lets the next
 * agent remove what is left (collect_dead_disposables). */
static int
disposable (AirDriver           *driver,
            const char          *template_name,
            const AirRunHeader  *header,
            GError             **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(AirQube) qube = NULL;
  g_autofree char *name = NULL;
  int lock_fd = -1, status;

  if (!air_name_validate (template_name, "template", error))
    return -1;
  g_free (spec->template_name);
  spec->template_name = g_strdup (template_name);
  spec->kind = AIR_QUBE_KIND_DISP_VM;

  for (guint attempt = 0; qube == NULL && attempt < 20; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      g_free (name);
      name = g_strdup_printf ("disp%d", g_random_int_range (1000, 10000));
      lock_fd = take_lock (self, name);
      if (lock_fd < 0)
        continue;
      qube = create_qube (driver, name, spec, TRUE, &local_error);
      if (qube == NULL)
        {
          close (lock_fd);
          lock_fd = -1;
          if (!g_error_matches (local_error, AIR_ERROR, AIR_ERROR_EXISTS))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return -1;
            }
        }
    }
  if (qube == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_BUSY, _("No free name for a disposable"));
      return -1;
    }

  g_clear_object (&qube);
  qube = start_qube (self, name, VIR_DOMAIN_START_AUTODESTROY, error);
  status = qube != NULL ? run_in_qube (self, name, header, error) : -1;

  destroy_domain (self, name);
  remove_volumes (self, name);
  close (lock_fd);
  return status;
}

/* Disposables whose owning agent died: their lock is free. */
static void
collect_dead_disposables (AirLibvirtDriver *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->qubes_dir, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name = NULL;
      g_autoptr(AirQubeSpec) spec = NULL;
      int lock_fd;

      if (!name_from_entry (entry, &name) || !g_str_has_prefix (name, "disp"))
        continue;
      spec = read_settings (self, name, NULL);
      if (spec == NULL || spec->kind != AIR_QUBE_KIND_DISP_VM)
        continue;
      lock_fd = take_lock (self, name);
      if (lock_fd < 0)
        continue;
      destroy_domain (self, name);
      remove_volumes (self, name);
      close (lock_fd);
    }
}

/* Lifecycle events, on a thread running libvirt's event loop; each one is
 * handed to the watcher's main context by name. */

typedef struct {
  AirLibvirtDriver *self;
  char             *name;
} Change;

static gboolean
change_cb (gpointer user_data)
{
  Change *change = user_data;

  change->self->watch_func (change->name, change->self->watch_data);
  g_free (change->name);
  g_free (change);
  return G_SOURCE_REMOVE;
}

static int
lifecycle_cb (virConnectPtr  conn,
              virDomainPtr   dom,
              int            event,
              int            detail,
              void          *opaque)
{
  AirLibvirtDriver *self = opaque;
  const char *dom_name = virDomainGetName (dom);
  Change *change;

  if (dom_name == NULL || !g_str_has_prefix (dom_name, self->domain_prefix) ||
      !air_name_is_valid (dom_name + strlen (self->domain_prefix)))
    return 0;
  change = g_new0 (Change, 1);
  change->self = self;
  change->name = g_strdup (dom_name + strlen (self->domain_prefix));
  g_main_context_invoke (self->watch_context, change_cb, change);
  return 0;
}

static gboolean
watch (AirDriver             *driver,
       AirDriverChangedFunc   func,
       gpointer               user_data,
       GError               **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  virConnectPtr conn;

  g_return_val_if_fail (self->watch_func == NULL, FALSE);

  conn = get_connection (self, error);
  if (conn == NULL)
    return FALSE;
  self->watch_func = func;
  self->watch_data = user_data;
  self->watch_context = g_main_context_ref_thread_default ();
  if (virConnectDomainEventRegisterAny (conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                        VIR_DOMAIN_EVENT_CALLBACK (lifecycle_cb), self, NULL) < 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("Cannot watch the zone’s virtual machines: %s"), libvirt_message ());
      self->watch_func = NULL;
      return FALSE;
    }
  /* The driver lives until the process ends, as the event thread does. */
  g_object_ref (self);
  return TRUE;
}

/* --- A template build's VM (air-libvirt-templates.c): a disposable on
 * the image being built, whose root overlay is committed into it. */

char *
air_libvirt_driver_boot_build (AirLibvirtDriver  *self,
                               const char        *template_name,
                               const char        *image,
                               GError           **error)
{
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(AirQube) qube = NULL;
  g_autofree char *name = NULL;
  int lock_fd = -1;

  g_free (spec->template_name);
  spec->template_name = g_strdup (template_name);
  spec->kind = AIR_QUBE_KIND_DISP_VM;
  spec->memory = BUILD_MEMORY_MIB;
  spec->network = TRUE;   /* for the template's package manager */
  air_set_str (&self->build_template, template_name);
  air_set_str (&self->build_image, image);

  for (guint attempt = 0; qube == NULL && attempt < 20; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      g_free (name);
      name = g_strdup_printf ("build%d", g_random_int_range (1000, 10000));
      lock_fd = take_lock (self, name);
      if (lock_fd < 0)
        continue;
      qube = create_qube (AIR_DRIVER (self), name, spec, TRUE, &local_error);
      if (qube == NULL)
        {
          close (lock_fd);
          lock_fd = -1;
          if (!g_error_matches (local_error, AIR_ERROR, AIR_ERROR_EXISTS))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
        }
    }
  if (qube == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_BUSY, _("No free name for a template build"));
      return NULL;
    }
  g_clear_object (&qube);
  qube = start_qube (self, name, VIR_DOMAIN_START_AUTODESTROY, error);
  if (qube == NULL)
    {
      destroy_domain (self, name);
      remove_volumes (self, name);
      close (lock_fd);
      return NULL;
    }
  self->build_lock_fd = lock_fd;
  return g_steal_pointer (&name);
}

int
air_libvirt_driver_run_in_build (AirLibvirtDriver    *self,
                                 const char          *name,
                                 const char * const  *argv,
                                 int                  in_fd,
                                 int                  out_fd,
                                 GError             **error)
{
  g_autofree char *line = air_run_header_to_line (argv, "root");
  int fd, lock_fd = -1, status;

  fd = open_call (self, name, "run", line, -1, &lock_fd, error);
  if (fd < 0)
    return -1;
  status = relay_command (fd, name, in_fd, out_fd, out_fd, error);
  close_call (fd, lock_fd);
  return status;
}

/* Ends the build's VM; with @keep, after a clean power-off its changes go
 * into the image. */
gboolean
air_libvirt_driver_end_build (AirLibvirtDriver  *self,
                              const char        *name,
                              gboolean           keep,
                              GError           **error)
{
  g_autofree char *root = air_driver_path_in (self->run_dir, name, "-root.qcow2");
  gboolean ok = TRUE;

  if (keep)
    {
      int fd, lock_fd = -1;

      fd = open_call (self, name, "shutdown", NULL, SHUTDOWN_TIMEOUT_S * 1000, &lock_fd, NULL);
      if (fd >= 0)
        {
          read_exit (fd, name, SHUTDOWN_TIMEOUT_S * 1000, NULL);
          close_call (fd, lock_fd);
        }
      if (!wait_gone (self, name, SHUTDOWN_TIMEOUT_S))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED,
                               _("The template’s VM did not power off: its changes are not kept."));
          ok = FALSE;
        }
      else
        {
          const char * const commit[] = { "qemu-img", "commit", "-q", root, NULL };

          ok = air_driver_run_tool (commit, "qemu-utils", error);
        }
    }
  destroy_domain (self, name);
  remove_volumes (self, name);
  if (self->build_lock_fd >= 0)
    close (self->build_lock_fd);
  self->build_lock_fd = -1;
  g_clear_pointer (&self->build_template, g_free);
  g_clear_pointer (&self->build_image, g_free);
  return ok;
}

static AirTemplate *
build_template (AirDriver                  *driver,
                const char                 *name,
                const AirTemplateRequest   *request,
                int                         files_fd,
                const AirTemplateReporter  *reporter,
                GError                    **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);

  air_template_store_clean (self->templates);
  return air_libvirt_templates_build (self, self->templates, name, request, files_fd, reporter, error);
}

static GPtrArray *
list_templates_full (AirDriver  *driver,
                     GError    **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);

  air_template_store_clean (self->templates);
  return air_template_store_list (self->templates);
}

static AirTemplate *
import_template (AirDriver                  *driver,
                 const char                 *name,
                 int                         tar_fd,
                 const AirTemplateReporter  *reporter,
                 GError                    **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);

  air_template_store_clean (self->templates);
  return air_libvirt_templates_import (self->templates, name, tar_fd, reporter, error);
}

static AirTemplate *
rollback_template (AirDriver   *driver,
                   const char  *name,
                   GError     **error)
{
  return air_template_store_rollback (AIR_LIBVIRT_DRIVER (driver)->templates, name, error);
}

static gboolean
remove_template (AirDriver   *driver,
                 const char  *name,
                 GError     **error)
{
  return air_template_store_remove (AIR_LIBVIRT_DRIVER (driver)->templates, name, error);
}

static void
air_libvirt_driver_iface_init (AirDriverInterface *iface)
{
  iface->get_zone_name = get_zone_name;
  iface->get_qubes_dir = get_qubes_dir;
  iface->get_run_dir = get_run_dir;
  iface->get_info = get_info;
  iface->list = list;
  iface->lookup = lookup;
  iface->open_home = open_home;
  iface->create = create;
  iface->remove = remove_qube;
  iface->start = start;
  iface->shutdown = shutdown_qube;
  iface->kill = kill_qube;
  iface->run = run;
  iface->disposable = disposable;
  iface->set_prefs = set_prefs;
  iface->watch = watch;
  iface->list_templates = list_templates_full;
  iface->import_template = import_template;
  iface->build_template = build_template;
  iface->rollback_template = rollback_template;
  iface->remove_template = remove_template;
}

AirLibvirtDriver *
air_libvirt_driver_new (const char  *state_dir,
                        const char  *zone_name,
                        GError     **error)
{
  static gsize initialised = 0;
  g_autoptr(AirLibvirtDriver) self = g_object_new (AIR_TYPE_LIBVIRT_DRIVER, NULL);
  g_autofree char *vm_dir = g_build_filename (state_dir, "vm", NULL);
  g_autofree char *kernel_dir = g_build_filename (vm_dir, "kernel", NULL);
  g_autofree char *timeout = NULL;
  g_autofree char *hash = NULL;
  const char *dirs[4];

  if (g_once_init_enter (&initialised))
    {
      virSetErrorFunc (NULL, quiet_error_cb);
      /* Before any connection, so that one can deliver events. */
      virEventRegisterDefaultImpl ();
      g_once_init_leave (&initialised, 1);
    }

  self->zone_name = g_strdup (zone_name);
  self->state_dir = g_strdup (state_dir);
  self->qubes_dir = g_build_filename (vm_dir, "qubes", NULL);
  self->private_dir = g_build_filename (vm_dir, "private", NULL);
  self->run_dir = g_build_filename (vm_dir, "run", NULL);
  self->templates_dir = g_build_filename (vm_dir, "templates", NULL);
  self->templates = air_template_store_new (self->templates_dir, ".qcow2");

  self->uri = config_value (state_dir, "AIR_LIBVIRT_URI", "uri");
  if (self->uri == NULL)
    self->uri = g_strdup (getuid () == 0 ? "qemu:///system" : "qemu:///session");
  self->kernel = config_value (state_dir, "AIR_VM_KERNEL", "kernel");
  if (self->kernel == NULL)
    self->kernel = g_build_filename (kernel_dir, "vmlinuz", NULL);
  self->initrd = config_value (state_dir, "AIR_VM_INITRD", "initrd");
  if (self->initrd == NULL)
    self->initrd = g_build_filename (kernel_dir, "initrd.img", NULL);
  self->default_template = config_value (state_dir, NULL, "default_template");
  timeout = config_value (state_dir, "AIR_VM_START_TIMEOUT", "start_timeout");
  self->start_timeout_s = timeout != NULL ? (guint) CLAMP (g_ascii_strtoull (timeout, NULL, 10), 1, 3600)
                                          : DEFAULT_START_TIMEOUT_S;

  /* Domains of different state directories (zones, tests) never meet. */
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, state_dir, -1);
  self->domain_prefix = g_strdup_printf ("qubesair-%.8s-", hash);

  dirs[0] = self->qubes_dir;
  dirs[1] = self->private_dir;
  dirs[2] = self->run_dir;
  dirs[3] = self->templates_dir;
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (g_mkdir_with_parents (dirs[i], 0700) != 0)
      {
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                     _("Cannot create the zone directory %s: %s"), dirs[i], g_strerror (errno));
        return NULL;
      }

  self->disk_keys = air_disk_keys_mode (state_dir);
  /* The gateway's key comes first in the input of the calls that need
   * one: taken now, before the call's own input is read. */
  if (self->disk_keys == AIR_DISK_KEYS_CALL)
    {
      const char *full_name = g_getenv ("QREXEC_SERVICE_FULL_NAME");
      g_autofree char *service = full_name != NULL ? g_strndup (full_name, strcspn (full_name, "+")) : NULL;

      if (air_disk_key_call_wants (service))
        self->call_key = air_disk_key_read_line (STDIN_FILENO, &self->call_key_sent, NULL);
      /* Without it a create's input is not what it says: refused here. */
      if (!self->call_key_sent && g_strcmp0 (service, "qubesair.Create") == 0)
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED,
                               _("No qube was created: this zone host encrypts private volumes with keys "
                                 "its gateway sends in the call, and this call carried none. Update "
                                 "qubes-air-agent on the zone’s gateway, or set disk_keys=none in the "
                                 "zone host’s agent.conf."));
          return NULL;
        }
    }

  collect_dead_disposables (self);
  return g_steal_pointer (&self);
}
