/* air-proxmox-guest.c
 *
 * The QEMU guest agent's calls through a Proxmox VE server's API, for the
 * proxmox driver's run and files: agent/exec with exec-status, and
 * agent/file-write and file-read, each bounded by the API's own limits
 * (air-proxmox-api.h). What the guest answers is hostile input, as is
 * everything the server says.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-proxmox"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-proxmox-api.h"

static GBytes *
output_bytes (JsonObject *object, const char *member)
{
  const char *text = NULL;

  if (!air_json_get_opt_string (object, member, AIR_PROXMOX_MAX_OUTPUT, "", &text, NULL))
    text = "";
  return g_bytes_new (text, strlen (text));
}

/* Runs ARGV in the VM through the QEMU guest agent (agent/exec, then
 * agent/exec-status until it exited): the input is given whole, the
 * output comes back whole, at most AIR_PROXMOX_MAX_OUTPUT each. */
int
air_proxmox_api_exec (AirProxmoxApi       *self,
                      const char          *node,
                      guint                vmid,
                      const char * const  *argv,
                      GBytes              *input,
                      GBytes             **out,
                      GBytes             **err,
                      GError             **error)
{
  g_autofree char *exec_path = g_strdup_printf ("/nodes/%s/qemu/%u/agent/exec", node, vmid);
  g_autofree char *status_path = g_strdup_printf ("/nodes/%s/qemu/%u/agent/exec-status", node, vmid);
  g_autoptr(GPtrArray) form = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) started = NULL;
  g_autofree char *pid_text = NULL;
  gulong pause = 50 * 1000;
  gint64 pid = 0;

  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_ptr_array_add (form, g_strdup ("command"));
      g_ptr_array_add (form, g_strdup (argv[i]));
    }
  if (input != NULL && g_bytes_get_size (input) > 0)
    {
      g_ptr_array_add (form, g_strdup ("input-data"));
      g_ptr_array_add (form, g_strndup (g_bytes_get_data (input, NULL), g_bytes_get_size (input)));
    }
  g_ptr_array_add (form, NULL);

  started = air_proxmox_api_request (self, "POST", exec_path, (const char * const *) form->pdata, error);
  if (started == NULL)
    return -1;
  if (!JSON_NODE_HOLDS_OBJECT (started) ||
      !air_json_get_opt_int (json_node_get_object (started), "pid", 1, G_MAXINT32, 0, &pid, NULL) || pid == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The Proxmox guest agent did not say which process it started"));
      return -1;
    }

  pid_text = g_strdup_printf ("%" G_GINT64_FORMAT, pid);
  for (;;)
    {
      const char *form_status[] = { "pid", pid_text, NULL };
      g_autoptr(JsonNode) data = air_proxmox_api_request (self, "GET", status_path, form_status, error);
      gboolean exited = FALSE;
      gint64 exit_code = 0;
      JsonObject *object;

      if (data == NULL)
        return -1;
      if (!JSON_NODE_HOLDS_OBJECT (data))
        goto bad;
      object = json_node_get_object (data);
      /* Proxmox sends "exited" as 0/1 */
      {
        gint64 value = 0;

        if (!air_json_get_opt_int (object, "exited", 0, 1, 0, &value, NULL) &&
            !air_json_get_opt_bool (object, "exited", FALSE, &exited, NULL))
          goto bad;
        exited = exited || value == 1;
      }
      if (exited)
        {
          if (!air_json_get_opt_int (object, "exitcode", -255, 255, 255, &exit_code, NULL))
            goto bad;
          if (out != NULL)
            *out = output_bytes (object, "out-data");
          if (err != NULL)
            *err = output_bytes (object, "err-data");
          return exit_code < 0 ? 128 - (int) exit_code : (int) exit_code;
        }
      g_usleep (pause);
      pause = MIN (pause * 2, 500 * 1000);
    }

bad:
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                       _("The Proxmox guest agent's status is not the API's"));
  return -1;
}

/* POST agent/file-write: @base64 (at most AIR_PROXMOX_MAX_WRITE
 * characters) is decoded by the guest agent into @file, which it
 * creates or replaces; there is no append. */
gboolean
air_proxmox_api_file_write (AirProxmoxApi  *self,
                            const char     *node,
                            guint           vmid,
                            const char     *file,
                            const char     *base64,
                            GError        **error)
{
  g_autofree char *path = g_strdup_printf ("/nodes/%s/qemu/%u/agent/file-write", node, vmid);
  const char *form[] = { "file", file, "content", base64, "encode", "0", NULL };
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) data = NULL;

  g_return_val_if_fail (strlen (base64) <= AIR_PROXMOX_MAX_WRITE, FALSE);
  data = air_proxmox_api_request (self, "POST", path, form, &local);
  /* it answers {"data":null} */
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

/* GET agent/file-read: the file's bytes, of which Proxmox returns at most
 * AIR_PROXMOX_MAX_READ, saying "truncated" when there was more. */
char *
air_proxmox_api_file_read (AirProxmoxApi  *self,
                           const char     *node,
                           guint           vmid,
                           const char     *file,
                           gboolean       *truncated,
                           GError        **error)
{
  g_autofree char *path = g_strdup_printf ("/nodes/%s/qemu/%u/agent/file-read", node, vmid);
  const char *form[] = { "file", file, NULL };
  g_autoptr(JsonNode) data = air_proxmox_api_request_up_to (self, "GET", path, form, AIR_PROXMOX_MAX_READ + 64 * 1024, error);
  gint64 cut = 0;
  gboolean cut_bool = FALSE;
  const char *content;
  JsonObject *object;

  if (data == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (data) ||
      !air_json_get_string (object = json_node_get_object (data), "content", AIR_PROXMOX_MAX_READ, &content, NULL) ||
      (!air_json_get_opt_int (object, "truncated", 0, 1, 0, &cut, NULL) &&
       !air_json_get_opt_bool (object, "truncated", FALSE, &cut_bool, NULL)))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The Proxmox guest agent's file-read answer is not the API's"));
      return NULL;
    }
  *truncated = cut == 1 || cut_bool;
  return g_strdup (content);
}
