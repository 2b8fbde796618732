/* air-proxmox-vms.c — the VMs of a Proxmox VE server's /cluster/resources
 *
 * The answer is {"data":[{...}, ...]}, one object per resource. It is read
 * with the strict cursor rather than built into a tree: a tree of 1,000
 * VMs' objects was most of the gateway's own time in `qair ls`
 * (bench/proxmox). Every member the API describes is checked as before;
 * others are skipped. The server may be hostile: names that are not qube
 * names are kept out (name NULL), text is bounded, and the list too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-proxmox"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-proxmox-vms.h"

enum {
  FIELD_TYPE,
  FIELD_VMID,
  FIELD_NAME,
  FIELD_NODE,
  FIELD_STATUS,
  FIELD_POOL,
  FIELD_TAGS,
  FIELD_TEMPLATE,
  FIELD_MAXMEM,
  FIELD_MAXCPU,
  FIELD_UPTIME,
  N_FIELDS
};

static const char * const field_names[N_FIELDS] = {
  "type", "vmid", "name", "node", "status", "pool", "tags", "template", "maxmem", "maxcpu", "uptime",
};

void
air_proxmox_vm_free (AirProxmoxVm *vm)
{
  if (vm == NULL)
    return;
  g_free (vm->name);
  g_free (vm->node);
  g_free (vm->status);
  g_free (vm->pool);
  g_strfreev (vm->tags);
  g_free (vm);
}

static char *
status_text (const char *status)
{
  static const char * const known[] = { "running", "stopped", "paused" };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_strcmp0 (status, known[i]) == 0)
      return g_strdup (known[i]);
  return g_strdup ("unknown");
}

/* The three ways an answer is refused; each returns FALSE. */
static gboolean
not_api_json (GError **error)
{
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The Proxmox server's answer is not the API's JSON"));
  return FALSE;
}

static gboolean
not_a_list (GError **error)
{
  g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
               _("The Proxmox server's list of VMs is not a list of at most %d"), AIR_PROXMOX_MAX_VMS);
  return FALSE;
}

static gboolean
bad_entry (GError **error)
{
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                       _("The Proxmox server's list of VMs has an entry the API does not describe"));
  return FALSE;
}

/* One resource: a qemu VM, checked (NULL and @error unset when it is
 * another kind of resource). */
static AirProxmoxVm *
vm_from_values (const AirJsonValue *values,
                gboolean           *bad)
{
  g_autoptr(AirProxmoxVm) vm = NULL;
  const char *type, *name, *node, *status, *pool, *tags;
  gint64 vmid, template, maxmem, maxcpu, uptime;

  *bad = FALSE;
  if (!air_json_value_get_string (&values[FIELD_TYPE], "type", 16, "", &type, NULL) ||
      strcmp (type, "qemu") != 0)
    return NULL;
  if (!air_json_value_get_int (&values[FIELD_VMID], "vmid", 100, 999999999, 0, &vmid, NULL) || vmid == 0 ||
      !air_json_value_get_string (&values[FIELD_NAME], "name", 4096, "", &name, NULL) ||
      !air_json_value_get_string (&values[FIELD_NODE], "node", 64, "", &node, NULL) ||
      !air_json_value_get_string (&values[FIELD_STATUS], "status", 32, "unknown", &status, NULL) ||
      !air_json_value_get_string (&values[FIELD_POOL], "pool", 64, NULL, &pool, NULL) ||
      !air_json_value_get_string (&values[FIELD_TAGS], "tags", 1024, "", &tags, NULL) ||
      !air_json_value_get_int (&values[FIELD_TEMPLATE], "template", 0, 1, 0, &template, NULL) ||
      !air_json_value_get_int (&values[FIELD_MAXMEM], "maxmem", 0, G_MAXINT64, 0, &maxmem, NULL) ||
      !air_json_value_get_int (&values[FIELD_MAXCPU], "maxcpu", 0, 4096, 0, &maxcpu, NULL) ||
      !air_json_value_get_int (&values[FIELD_UPTIME], "uptime", 0, G_MAXINT64, 0, &uptime, NULL))
    {
      *bad = TRUE;
      return NULL;
    }

  vm = g_new0 (AirProxmoxVm, 1);
  vm->vmid = (guint) vmid;
  vm->name = air_name_is_valid (name) ? g_strdup (name) : NULL;
  vm->node = air_name_is_valid (node) ? g_strdup (node) : NULL;
  vm->status = status_text (status);
  vm->is_template = template == 1;
  vm->maxmem = (guint64) maxmem;
  vm->maxcpu = (guint) maxcpu;
  vm->uptime = (guint64) uptime;
  vm->pool = pool && air_name_is_valid (pool) ? g_strdup (pool) : NULL;
  vm->tags = g_strsplit_set (tags, ";, ", 32);
  return g_steal_pointer (&vm);
}

/* The elements of "data", the cursor on its array: FALSE on error. */
static gboolean
read_resources (AirJsonCursor  *cursor,
                GPtrArray      *vms,
                guint          *n_resources,
                GError        **error)
{
  if (air_json_cursor_peek (cursor) != AIR_JSON_ARRAY || !air_json_cursor_enter (cursor, NULL))
    return not_a_list (error);

  while (air_json_cursor_next_element (cursor, NULL))
    {
      AirJsonValue values[N_FIELDS];
      AirProxmoxVm *vm;
      gboolean bad;

      if (++*n_resources > AIR_PROXMOX_MAX_VMS)
        return not_a_list (error);
      if (air_json_cursor_peek (cursor) != AIR_JSON_OBJECT)
        return bad_entry (error);
      if (!air_json_cursor_read_members (cursor, field_names, N_FIELDS, values, NULL))
        return not_api_json (error);

      vm = vm_from_values (values, &bad);
      if (bad)
        return bad_entry (error);
      if (vm != NULL)
        g_ptr_array_add (vms, vm);
    }
  return air_json_cursor_failed (cursor) ? not_api_json (error) : TRUE;
}

/**
 * air_proxmox_vms_parse:
 * @max_len: the largest answer taken
 *
 * Every qemu VM of a /cluster/resources answer, checked; a VM whose name
 * is not a valid qube name keeps name NULL (the driver leaves it out).
 *
 * Returns: (transfer full) (element-type AirProxmoxVm): the VMs, or NULL
 */
GPtrArray *
air_proxmox_vms_parse (const char  *data,
                       gsize        len,
                       gsize        max_len,
                       GError     **error)
{
  g_autoptr(AirJsonCursor) cursor = air_json_cursor_new (data, len, max_len, NULL);
  g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func ((GDestroyNotify) air_proxmox_vm_free);
  gboolean listed = FALSE;
  guint n_resources = 0;
  const char *member;

  if (cursor == NULL || air_json_cursor_peek (cursor) != AIR_JSON_OBJECT || !air_json_cursor_enter (cursor, NULL))
    {
      not_api_json (error);
      return NULL;
    }

  while (air_json_cursor_next_member (cursor, &member, NULL))
    {
      AirJsonValue other;

      if (strcmp (member, "data") != 0)
        {
          if (!air_json_cursor_read (cursor, &other, NULL))
            break;
          continue;
        }
      if (!read_resources (cursor, vms, &n_resources, error))
        return NULL;
      listed = TRUE;
    }
  if (air_json_cursor_failed (cursor) || !air_json_cursor_finish (cursor, NULL) || !listed)
    {
      not_api_json (error);
      return NULL;
    }
  return g_steal_pointer (&vms);
}
