/* air-proxmox-driver.c
 *
 * A Proxmox VE zone as qubes (no agent of ours on the Proxmox host): the
 * zone's gateway maps each operation onto the API (air-proxmox-api.c).
 *
 *   qube       a qemu VM in the zone's pool, or tagged "qubes-air", that
 *              is not a template; its name is the VM's name (VMs whose
 *              names are not valid qube names, or that share a name, are
 *              left out or refused, never guessed between)
 *   template   a template VM of the pool (or tagged)
 *   create     clone of the template (linked; full onto the zone's
 *              storage when one is set), then memory, cores and the label
 *              (a tag "air-label-COLOUR") through the VM's config
 *   start      status/start; shutdown status/shutdown with forceStop
 *              (ACPI first, stopped after the timeout); kill status/stop
 *   remove     DELETE with purge and the unreferenced disks destroyed
 *   run        the QEMU guest agent's exec: the command's input is read
 *              whole first (at most 1 MiB) and its output comes back
 *              whole — no interactive stdin through the guest agent
 *   disposable a linked clone, started, the command run, then stopped
 *              and destroyed, also when the command fails
 *
 * Every task (UPID) is followed until it ends.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-proxmox"

#include "config.h"

#include <glib/gi18n.h>
#include <gmodule.h>
#include <string.h>
#include <unistd.h>

#include "air-error.h"
#include "air-fd-io.h"
#include "air-json.h"
#include "air-names.h"
#include "air-proxmox-gateway.h"

#define RUN_EXIT_FAILED 125

struct _AirProxmoxDriver
{
  GObject           parent_instance;

  char             *zone_name;
  char             *state_dir;
  AirProxmoxConfig *config;
  AirProxmoxApi    *api;
};

G_DEFINE_FINAL_TYPE_WITH_CODE (AirProxmoxDriver, air_proxmox_driver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AIR_TYPE_DRIVER, _air_proxmox_driver_iface_init))

/* ---- the driver ---- */

static void
air_proxmox_driver_finalize (GObject *object)
{
  AirProxmoxDriver *self = AIR_PROXMOX_DRIVER (object);

  g_free (self->zone_name);
  g_free (self->state_dir);
  air_proxmox_config_free (self->config);
  g_clear_object (&self->api);
  G_OBJECT_CLASS (air_proxmox_driver_parent_class)->finalize (object);
}

static void
air_proxmox_driver_class_init (AirProxmoxDriverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_proxmox_driver_finalize;
}

static void
air_proxmox_driver_init (AirProxmoxDriver *self)
{
}

AirProxmoxDriver *
air_proxmox_driver_new (const char             *zone_name,
                        const AirProxmoxConfig *config,
                        AirProxmoxApi          *api)
{
  AirProxmoxDriver *self = g_object_new (AIR_TYPE_PROXMOX_DRIVER, NULL);

  self->zone_name = g_strdup (zone_name);
  self->config = g_new0 (AirProxmoxConfig, 1);
  self->config->url = g_strdup (config->url);
  self->config->node = g_strdup (config->node);
  self->config->pool = g_strdup (config->pool);
  self->config->storage = g_strdup (config->storage);
  self->config->pin = g_strdup (config->pin);
  self->config->timeout = config->timeout;
  self->api = g_object_ref (api);
  return self;
}

/* The gateway's driver (air-proxmox-gateway.c): @token is the zone's API
 * token from the vault, NULL while the server is not pinned. */
static AirDriver *
driver_new_with_token (const char             *state_dir,
                       const char             *zone_name,
                       const AirProxmoxConfig *config,
                       const char             *token,
                       gsize                   token_len,
                       GError                **error)
{
  g_autoptr(AirProxmoxApi) api = air_proxmox_api_new (config->url, config->pin, config->timeout);
  AirProxmoxDriver *self;

  if (token != NULL && !air_proxmox_api_set_token (api, token, token_len, error))
    return NULL;
  self = air_proxmox_driver_new (zone_name, config, api);
  self->state_dir = g_strdup (state_dir);
  return AIR_DRIVER (self);
}

static int
driver_watch (AirDriver *driver,
              gboolean   listed,
              guint      interval)
{
  return air_proxmox_driver_watch (AIR_PROXMOX_DRIVER (driver), listed, interval);
}

/* What this module gives the agent, which loads it (air-proxmox-gateway.h). */
G_MODULE_EXPORT const AirProxmoxModule air_proxmox_module = {
  .task_guard_main = air_proxmox_task_guard_main,
  .fetch_pin = air_proxmox_fetch_pin,
  .driver_new = driver_new_with_token,
  .driver_watch = driver_watch,
};

const char *
air_proxmox_driver_get_zone_name (AirProxmoxDriver *self)
{
  return self->zone_name;
}

const char *
air_proxmox_driver_get_state_dir (AirProxmoxDriver *self)
{
  return self->state_dir;
}

static gboolean
has_tag (AirProxmoxVm *vm, const char *tag)
{
  return vm->tags != NULL && g_strv_contains ((const char * const *) vm->tags, tag);
}

/* Whether the VM is the zone's: on our node, and in our pool or tagged. */
static gboolean
is_ours (AirProxmoxDriver *self, AirProxmoxVm *vm)
{
  if (vm->name == NULL || g_strcmp0 (vm->node, self->config->node) != 0)
    return FALSE;
  if (self->config->pool != NULL)
    return g_strcmp0 (vm->pool, self->config->pool) == 0;
  return has_tag (vm, AIR_PROXMOX_TAG);
}

static AirLabel
label_of (AirProxmoxVm *vm)
{
  AirLabel label = AIR_LABEL_GRAY;

  for (guint i = 0; vm->tags != NULL && vm->tags[i] != NULL; i++)
    if (g_str_has_prefix (vm->tags[i], AIR_PROXMOX_LABEL_TAG) &&
        air_label_from_string (vm->tags[i] + strlen (AIR_PROXMOX_LABEL_TAG), &label))
      break;
  return label;
}

static AirQube *
qube_of (AirProxmoxDriver *self, AirProxmoxVm *vm)
{
  AirQubeState state = AIR_QUBE_STATE_UNKNOWN;

  if (strcmp (vm->status, "running") == 0)
    state = AIR_QUBE_STATE_RUNNING;
  else if (strcmp (vm->status, "stopped") == 0)
    state = AIR_QUBE_STATE_HALTED;
  else if (strcmp (vm->status, "paused") == 0)
    state = AIR_QUBE_STATE_PAUSED;
  return air_qube_new_full (self->zone_name, vm->name, state,
                            vm->is_template ? AIR_QUBE_KIND_TEMPLATE_VM : AIR_QUBE_KIND_APP_VM,
                            label_of (vm), NULL, NULL,
                            (guint) MIN (vm->maxmem / (1024 * 1024), G_MAXUINT), vm->maxcpu,
                            state == AIR_QUBE_STATE_RUNNING
                            ? g_get_real_time () / G_USEC_PER_SEC - (gint64) vm->uptime : 0);
}

/* The zone's VMs, or of one name (a name two VMs share is refused). */
static AirProxmoxVm *
find (AirProxmoxDriver *self, GPtrArray *vms, const char *name, gboolean want_template, GError **error)
{
  AirProxmoxVm *found = NULL;

  for (guint i = 0; i < vms->len; i++)
    {
      AirProxmoxVm *vm = vms->pdata[i];

      if (!is_ours (self, vm) || vm->is_template != want_template || strcmp (vm->name, name) != 0)
        continue;
      if (found != NULL)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                       _("Two VMs of zone “%s” are called “%s” (%u and %u): rename one on the Proxmox server."),
                       self->zone_name, name, found->vmid, vm->vmid);
          return NULL;
        }
      found = vm;
    }
  if (found == NULL)
    g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                 want_template ? _("There is no template “%s” in zone “%s”.")
                               : _("There is no qube “%s” in zone “%s”."), name, self->zone_name);
  return found;
}

static AirProxmoxVm *
lookup (AirProxmoxDriver *self, const char *name, gboolean want_template, GPtrArray **vms, GError **error)
{
  *vms = air_proxmox_api_list_vms (self->api, error);
  if (*vms == NULL)
    return NULL;
  return find (self, *vms, name, want_template, error);
}

static AirQube *
current (AirProxmoxDriver *self, const char *name, GError **error)
{
  g_autoptr(GPtrArray) vms = NULL;
  AirProxmoxVm *vm = lookup (self, name, FALSE, &vms, error);

  return vm ? qube_of (self, vm) : NULL;
}

AirQube *
air_proxmox_driver_lookup (AirProxmoxDriver  *self,
                           const char        *name,
                           GError           **error)
{
  return current (self, name, error);
}

AirZoneInfo *
air_proxmox_driver_get_info (AirProxmoxDriver *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) vms = air_proxmox_api_list_vms (self->api, &error);
  g_autoptr(GStrvBuilder) templates = g_strv_builder_new ();
  AirZoneInfo *info = g_new0 (AirZoneInfo, 1);

  info->name = g_strdup (self->zone_name);
  info->driver = g_strdup ("proxmox");
  info->isolation = AIR_ISOLATION_VM;
  /* What the map shows of the gateway's link: Proxmox's API over HTTPS. */
  info->link = g_strdup ("https");
  info->endpoint = g_strdup (self->config->url);
  if (vms == NULL)
    {
      info->health = AIR_HEALTH_DOWN;
      info->health_reason = g_strdup (error->message);
    }
  else
    {
      info->health = AIR_HEALTH_UP;
      info->health_reason = g_strdup_printf (_("Proxmox VE at %s, node %s"), self->config->url, self->config->node);
      for (guint i = 0; i < vms->len; i++)
        {
          AirProxmoxVm *vm = vms->pdata[i];

          if (!is_ours (self, vm))
            continue;
          if (vm->is_template)
            g_strv_builder_add (templates, vm->name);
          else
            {
              info->n_qubes++;
              info->n_running += strcmp (vm->status, "running") == 0;
              info->memory_total += vm->maxmem / (1024 * 1024);
              info->vcpus_total += vm->maxcpu;
            }
        }
    }
  info->templates = g_strv_builder_end (templates);
  return info;
}

GPtrArray *
air_proxmox_driver_list (AirProxmoxDriver  *self,
                         GError           **error)
{
  g_autoptr(GPtrArray) vms = air_proxmox_api_list_vms (self->api, error);
  g_autoptr(GHashTable) uses = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) ours = NULL;
  GPtrArray *qubes;

  if (vms == NULL)
    return NULL;
  /* one pass to count each name, one to keep those only one VM has: a
   * name that two VMs share names no one qube, and neither is listed
   * (a find() per VM was quadratic: 10 ms of 1,000 VMs) */
  ours = g_ptr_array_sized_new (vms->len);
  for (guint i = 0; i < vms->len; i++)
    {
      AirProxmoxVm *vm = vms->pdata[i];

      if (!is_ours (self, vm) || vm->is_template)
        continue;
      g_ptr_array_add (ours, vm);
      g_hash_table_insert (uses, vm->name,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (uses, vm->name)) + 1));
    }
  qubes = g_ptr_array_new_full (ours->len, g_object_unref);
  for (guint i = 0; i < ours->len; i++)
    {
      AirProxmoxVm *vm = ours->pdata[i];

      if (GPOINTER_TO_UINT (g_hash_table_lookup (uses, vm->name)) == 1)
        g_ptr_array_add (qubes, qube_of (self, vm));
    }
  return qubes;
}

static void
report_task (int percent, const char *text, gpointer user_data)
{
  const AirProgressReporter *reporter = user_data;

  reporter->progress (reporter->data, percent, text);
}

/* POST/DELETE that answers a UPID, followed to its end; with
 * @guard_vmid, a guard (above) destroys that VM if this process dies
 * meanwhile; with @reporter, the task's log tells how far it got. */
static gboolean
task_guarded (AirProxmoxDriver *self, const char *method, const char *path, const char * const *form,
              guint guard_vmid, const AirProgressReporter *reporter, GError **error)
{
  g_autoptr(JsonNode) data = air_proxmox_api_request (self->api, method, path, form, error);
  const char *upid;
  gboolean ok;
  int guard;

  if (data == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (data) || json_node_get_value_type (data) != G_TYPE_STRING ||
      !g_str_has_prefix (upid = json_node_get_string (data), "UPID:") || strlen (upid) > 200)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The Proxmox server did not answer with a task"));
      return FALSE;
    }
  guard = guard_vmid != 0 ? air_proxmox_guard_start (self->config, self->api, upid, guard_vmid) : -1;
  ok = air_proxmox_api_wait_task (self->api, self->config->node, upid, AIR_PROXMOX_TASK_TIMEOUT,
                                  reporter != NULL ? report_task : NULL, (gpointer) reporter, NULL, error);
  air_proxmox_guard_done (guard);
  return ok;
}

static gboolean
task (AirProxmoxDriver *self, const char *method, const char *path, const char * const *form, GError **error)
{
  return task_guarded (self, method, path, form, 0, NULL, error);
}

static gboolean
vm_action (AirProxmoxDriver *self, guint vmid, const char *action, const char * const *form, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/nodes/%s/qemu/%u/status/%s", self->config->node, vmid, action);

  return task (self, "POST", path, form, error);
}

static guint
next_id (AirProxmoxDriver *self, GError **error)
{
  g_autoptr(JsonNode) data = air_proxmox_api_request (self->api, "GET", "/cluster/nextid", NULL, error);
  guint64 id = 0;

  if (data == NULL)
    return 0;
  if (!JSON_NODE_HOLDS_VALUE (data) ||
      (json_node_get_value_type (data) == G_TYPE_STRING
       ? !g_ascii_string_to_unsigned (json_node_get_string (data), 10, 100, 999999999, &id, NULL)
       : json_node_get_value_type (data) == G_TYPE_INT64
         ? (id = (guint64) json_node_get_int (data)) < 100 || id > 999999999
         : TRUE))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The Proxmox server gave no free VM id"));
      return 0;
    }
  return (guint) id;
}

/* Destroys VM @vmid with its disks (also the task guard's last word). */
gboolean
air_proxmox_driver_destroy_vm (AirProxmoxDriver *self, guint vmid, GError **error)
{
  static const char * const form[] = { "purge", "1", "destroy-unreferenced-disks", "1", NULL };
  g_autofree char *path = g_strdup_printf ("/nodes/%s/qemu/%u", self->config->node, vmid);

  return task (self, "DELETE", path, form, error);
}

static guint
clone (AirProxmoxDriver *self, const AirProxmoxVm *template, const char *name, const AirQubeSpec *spec,
       const AirProgressReporter *reporter, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *newid = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *cores = NULL;
  g_autoptr(GPtrArray) form = g_ptr_array_new ();
  guint id = next_id (self, error);
  gboolean ok;

  if (id == 0)
    return 0;
  newid = g_strdup_printf ("%u", id);
  path = g_strdup_printf ("/nodes/%s/qemu/%u/clone", self->config->node, template->vmid);
  g_ptr_array_add (form, "newid");
  g_ptr_array_add (form, newid);
  g_ptr_array_add (form, "name");
  g_ptr_array_add (form, (gpointer) name);
  g_ptr_array_add (form, "full");
  g_ptr_array_add (form, self->config->storage ? "1" : "0");
  if (self->config->storage != NULL)
    {
      g_ptr_array_add (form, "storage");
      g_ptr_array_add (form, self->config->storage);
    }
  if (self->config->pool != NULL)
    {
      g_ptr_array_add (form, "pool");
      g_ptr_array_add (form, self->config->pool);
    }
  g_ptr_array_add (form, NULL);
  /* A clone can take minutes: if the caller goes away meanwhile (a
   * cancelled job), the task is stopped and what it made goes. */
  air_proxmox_api_set_caller_fd (self->api, STDOUT_FILENO);
  if (reporter != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cloning template “%s”"), template->name);

      reporter->progress (reporter->data, -1, text);
    }
  ok = task_guarded (self, "POST", path, (const char * const *) form->pdata, id, reporter, error);
  air_proxmox_api_set_caller_fd (self->api, -1);
  if (!ok)
    {
      if (error != NULL && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        air_proxmox_driver_destroy_vm (self, id, NULL);
      return 0;
    }

  /* memory, cores and the label; the tag marks it as the zone's */
  g_free (path);
  path = g_strdup_printf ("/nodes/%s/qemu/%u/config", self->config->node, id);
  tags = g_strdup_printf ("%s;%s%s", AIR_PROXMOX_TAG, AIR_PROXMOX_LABEL_TAG,
                          air_label_to_string (spec ? spec->label : AIR_LABEL_GRAY));
  {
    g_autoptr(GPtrArray) config = g_ptr_array_new ();
    g_autoptr(JsonNode) done = NULL;
    g_autoptr(GError) config_error = NULL;

    g_ptr_array_add (config, "tags");
    g_ptr_array_add (config, tags);
    if (spec != NULL && spec->memory > 0)
      {
        memory = g_strdup_printf ("%u", spec->memory);
        g_ptr_array_add (config, "memory");
        g_ptr_array_add (config, memory);
      }
    if (spec != NULL && spec->vcpus > 0)
      {
        cores = g_strdup_printf ("%u", spec->vcpus);
        g_ptr_array_add (config, "cores");
        g_ptr_array_add (config, cores);
      }
    g_ptr_array_add (config, NULL);
    done = air_proxmox_api_request (self->api, "POST", path, (const char * const *) config->pdata, &config_error);
    if (config_error != NULL)
      {
        g_autoptr(GError) destroy_error = NULL;

        /* a VM without the zone's tag and settings is no qube: it goes */
        air_proxmox_driver_destroy_vm (self, id, &destroy_error);
        g_propagate_error (error, g_steal_pointer (&config_error));
        return 0;
      }
  }
  return id;
}

AirQube *
air_proxmox_driver_create (AirProxmoxDriver          *self,
                           const char                *name,
                           const AirQubeSpec         *spec,
                           const AirProgressReporter *reporter,
                           GError                   **error)
{
  g_autoptr(GPtrArray) vms = air_proxmox_api_list_vms (self->api, error);
  g_autoptr(GError) missing = NULL;
  const char *template_name;
  AirProxmoxVm *template;

  if (vms == NULL || !air_name_validate (name, "qube", error))
    return NULL;
  if (find (self, vms, name, FALSE, &missing) != NULL ||
      !g_error_matches (missing, AIR_ERROR, AIR_ERROR_NOT_FOUND))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_EXISTS, _("Zone “%s” already has a qube “%s”."),
                   self->zone_name, name);
      return NULL;
    }
  template_name = spec && spec->template_name ? spec->template_name : NULL;
  if (template_name == NULL)
    {
      for (guint i = 0; i < vms->len && template_name == NULL; i++)
        if (is_ours (self, vms->pdata[i]) && ((AirProxmoxVm *) vms->pdata[i])->is_template)
          template_name = ((AirProxmoxVm *) vms->pdata[i])->name;
      if (template_name == NULL)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                       _("Zone “%s” has no template: make a Proxmox template VM in its pool or tag it “%s”."),
                       self->zone_name, AIR_PROXMOX_TAG);
          return NULL;
        }
    }
  template = find (self, vms, template_name, TRUE, error);
  if (template == NULL || clone (self, template, name, spec, reporter, error) == 0)
    return NULL;
  return current (self, name, error);
}

static AirQube *
act (AirProxmoxDriver *self, const char *name, const char *action, const char * const *form, GError **error)
{
  g_autoptr(GPtrArray) vms = NULL;
  AirProxmoxVm *vm = lookup (self, name, FALSE, &vms, error);

  if (vm == NULL || !vm_action (self, vm->vmid, action, form, error))
    return NULL;
  return current (self, name, error);
}

AirQube *
air_proxmox_driver_start (AirProxmoxDriver  *self,
                          const char        *name,
                          GError           **error)
{
  return act (self, name, "start", NULL, error);
}

AirQube *
air_proxmox_driver_shutdown (AirProxmoxDriver  *self,
                             const char        *name,
                             GError           **error)
{
  /* ACPI first; Proxmox stops the VM itself when the timeout passes */
  static const char * const form[] = { "forceStop", "1", "timeout", "60", NULL };

  return act (self, name, "shutdown", form, error);
}

AirQube *
air_proxmox_driver_kill (AirProxmoxDriver  *self,
                         const char        *name,
                         GError           **error)
{
  return act (self, name, "stop", NULL, error);
}

gboolean
air_proxmox_driver_remove (AirProxmoxDriver  *self,
                           const char        *name,
                           GError           **error)
{
  g_autoptr(GPtrArray) vms = NULL;
  AirProxmoxVm *vm = lookup (self, name, FALSE, &vms, error);

  if (vm == NULL)
    return FALSE;
  if (strcmp (vm->status, "stopped") != 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY, _("Qube “%s” is running: shut it down first."), name);
      return FALSE;
    }
  return air_proxmox_driver_destroy_vm (self, vm->vmid, error);
}

AirProxmoxApi *
air_proxmox_driver_get_api (AirProxmoxDriver *self)
{
  return self->api;
}

const char *
air_proxmox_driver_get_node (AirProxmoxDriver *self)
{
  return self->config->node;
}

/* The VM id of the running qube @name, for the guest agent's calls. */
guint
air_proxmox_driver_running_vmid (AirProxmoxDriver  *self,
                                 const char        *name,
                                 GError           **error)
{
  g_autoptr(GPtrArray) vms = NULL;
  AirProxmoxVm *vm = lookup (self, name, FALSE, &vms, error);

  if (vm == NULL)
    return 0;
  if (strcmp (vm->status, "running") != 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY, _("Qube “%s” is not running: start it first."), name);
      return 0;
    }
  return vm->vmid;
}

static int
exec_in (AirProxmoxDriver *self, guint vmid, const AirRunHeader *header,
         int in_fd, int out_fd, int err_fd, GError **error)
{
  g_autoptr(GBytes) input = air_fd_read_to_end (in_fd, AIR_PROXMOX_MAX_INPUT, error);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  int status;

  if (input == NULL)
    return -1;
  status = air_proxmox_api_exec (self->api, self->config->node, vmid,
                                 (const char * const *) header->argv, input, &out, &err, error);
  if (status < 0)
    return -1;
  /* the command's own bytes, as a run passes them (the caller filters
   * what it shows on a terminal) */
  air_fd_write_all (out_fd, g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  air_fd_write_all (err_fd, g_bytes_get_data (err, NULL), g_bytes_get_size (err));
  return status;
}

int
air_proxmox_driver_run (AirProxmoxDriver   *self,
                        const char         *name,
                        const AirRunHeader *header,
                        int                 in_fd,
                        int                 out_fd,
                        int                 err_fd,
                        GError            **error)
{
  g_autoptr(GPtrArray) vms = NULL;
  AirProxmoxVm *vm = lookup (self, name, FALSE, &vms, error);

  if (vm == NULL)
    return -1;
  if (strcmp (vm->status, "running") != 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY, _("Qube “%s” is not running: start it first."), name);
      return -1;
    }
  return exec_in (self, vm->vmid, header, in_fd, out_fd, err_fd, error);
}

int
air_proxmox_driver_disposable (AirProxmoxDriver   *self,
                               const char         *template_name,
                               const AirRunHeader *header,
                               int                 in_fd,
                               int                 out_fd,
                               int                 err_fd,
                               GError            **error)
{
  g_autoptr(GPtrArray) vms = air_proxmox_api_list_vms (self->api, error);
  g_autoptr(GError) cleanup_error = NULL;
  g_autofree char *name = g_strdup_printf ("disp%04u", g_random_int_range (1000, 10000));
  AirProxmoxVm *template;
  guint id;
  int status = -1;

  if (vms == NULL || (template = find (self, vms, template_name, TRUE, error)) == NULL)
    return -1;
  id = clone (self, template, name, NULL, NULL, error);
  if (id == 0)
    return -1;
  if (vm_action (self, id, "start", NULL, error))
    status = exec_in (self, id, header, in_fd, out_fd, err_fd, error);

  /* gone afterwards, whatever happened */
  if (!vm_action (self, id, "stop", NULL, &cleanup_error))
    g_clear_error (&cleanup_error);   /* it may never have started */
  if (!air_proxmox_driver_destroy_vm (self, id, &cleanup_error))
    g_printerr (_("The disposable VM %u could not be destroyed: %s\n"), id, cleanup_error->message);
  return status;
}
