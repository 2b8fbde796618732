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
 * This file: the object, the connection and its event loop, listing and
 * watching; a qube's volumes are in -volumes.c, its domain in -domains.c,
 * calls through the guest channel in -calls.c, a template build's VM in
 * -build.c (what they share: air-libvirt-driver-private.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-libvirt-driver"

#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-libvirt-disk-keys.h"
#include "air-libvirt-driver-private.h"
#include "air-names.h"

#define DEFAULT_START_TIMEOUT_S  90
#define MAX_SETTINGS_FILE        (64 * 1024)
#define MAX_TOOL_MESSAGE         300

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

const char *
_air_libvirt_message (void)
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

char *
_air_libvirt_driver_domain_name (AirLibvirtDriver *self,
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

virConnectPtr
_air_libvirt_driver_get_connection (AirLibvirtDriver  *self,
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
                   self->uri, _air_libvirt_message ());
      return NULL;
    }
  answer_keepalives ();
  /* Disk keys left in libvirt by an agent that died while starting a qube. */
  air_libvirt_secrets_collect (self->conn, self->private_dir, self->run_dir);
  return self->conn;
}

AirQubeSpec *
_air_libvirt_driver_read_settings (AirLibvirtDriver  *self,
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
char *
_air_libvirt_driver_template_image (AirLibvirtDriver *self,
                                    const char       *template_name)
{
  /* A build's VM boots the image being built. */
  if (self->build_image != NULL && g_strcmp0 (template_name, self->build_template) == 0)
    return g_strdup (self->build_image);
  return air_template_store_current_path (self->templates, template_name, NULL);
}

char **
_air_libvirt_driver_list_templates (AirLibvirtDriver *self)
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

AirQubeState
_air_libvirt_driver_domain_state (AirLibvirtDriver *self,
                                  const char       *name,
                                  gboolean         *reachable)
{
  g_autofree char *dom_name = _air_libvirt_driver_domain_name (self, name);
  virConnectPtr conn = _air_libvirt_driver_get_connection (self, NULL);
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

AirQube *
_air_libvirt_driver_lookup (AirDriver   *driver,
                            const char  *name,
                            GError     **error)
{
  AirLibvirtDriver *self = AIR_LIBVIRT_DRIVER (driver);
  g_autoptr(AirQubeSpec) spec = _air_libvirt_driver_read_settings (self, name, error);
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
  state = _air_libvirt_driver_domain_state (self, name, &reachable);
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

gboolean
_air_libvirt_name_from_entry (const char  *entry,
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

      if (_air_libvirt_name_from_entry (entry, &name) &&
          (qube = _air_libvirt_driver_lookup (driver, name, NULL)) != NULL)
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
  info->templates = _air_libvirt_driver_list_templates (self);
  info->health = AIR_HEALTH_UP;

  conn = _air_libvirt_driver_get_connection (self, &error);
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

  conn = _air_libvirt_driver_get_connection (self, error);
  if (conn == NULL)
    return FALSE;
  self->watch_func = func;
  self->watch_data = user_data;
  self->watch_context = g_main_context_ref_thread_default ();
  if (virConnectDomainEventRegisterAny (conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                        VIR_DOMAIN_EVENT_CALLBACK (lifecycle_cb), self, NULL) < 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("Cannot watch the zone’s virtual machines: %s"), _air_libvirt_message ());
      self->watch_func = NULL;
      return FALSE;
    }
  /* The driver lives until the process ends, as the event thread does. */
  g_object_ref (self);
  return TRUE;
}

static void
air_libvirt_driver_iface_init (AirDriverInterface *iface)
{
  iface->get_zone_name = get_zone_name;
  iface->get_qubes_dir = get_qubes_dir;
  iface->get_run_dir = get_run_dir;
  iface->get_info = get_info;
  iface->list = list;
  iface->lookup = _air_libvirt_driver_lookup;
  iface->open_home = open_home;
  iface->create = _air_libvirt_driver_create;
  iface->remove = _air_libvirt_driver_remove;
  iface->start = _air_libvirt_driver_start;
  iface->shutdown = _air_libvirt_driver_shutdown;
  iface->kill = _air_libvirt_driver_kill;
  iface->run = _air_libvirt_driver_run;
  iface->disposable = _air_libvirt_driver_disposable;
  iface->set_prefs = _air_libvirt_driver_set_prefs;
  iface->watch = watch;
  iface->list_templates = _air_libvirt_driver_list_templates_full;
  iface->import_template = _air_libvirt_driver_import_template;
  iface->build_template = _air_libvirt_driver_build_template;
  iface->rollback_template = _air_libvirt_driver_rollback_template;
  iface->remove_template = _air_libvirt_driver_remove_template;
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

  if (g_once_init_enter (&initialised))
    {
      virSetErrorFunc (NULL, quiet_error_cb);
      /* Before any connection, so that one can deliver events. */
      virEventRegisterDefaultImpl ();
      g_once_init_leave (&initialised, 1);
    }

  self->zone_name = g_strdup (zone_name);
  self->state_dir = g_strdup (state_dir);
  if (!air_driver_make_dirs (vm_dir, &self->qubes_dir, &self->private_dir, &self->run_dir,
                             &self->templates_dir, error))
    return NULL;
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

  _air_libvirt_driver_collect_dead_disposables (self);
  return g_steal_pointer (&self);
}
