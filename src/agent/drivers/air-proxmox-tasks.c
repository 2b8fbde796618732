/* air-proxmox-tasks.c
 *
 * Proxmox VE tasks (UPIDs) followed to their end: the status polled with
 * a growing pause, the task stopped when its caller goes away or the wait
 * is cancelled, and — for a caller that wants it — the task's log read as
 * it grows, its last "(NN.NN%)" taken as how far the task got: that is
 * how Proxmox's clone and disk moves report ("transferred 1.0 GiB of
 * 32.0 GiB (3.12%)").
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
#include "air-proxmox-api.h"

#define MAX_ERROR      300
/* Lines of a task's log read a poll; a server that sends more is cut. */
#define LOG_LINES      50
#define MAX_LOG_LINE   8192   /* read; shown cut to MAX_LOG_TEXT */
#define MAX_LOG_TEXT   200

/* DELETE /nodes/{node}/tasks/{upid}: "Stop a task." */
gboolean
air_proxmox_api_stop_task (AirProxmoxApi  *self,
                           const char     *node,
                           const char     *upid,
                           GError        **error)
{
  g_autofree char *escaped = g_uri_escape_string (upid, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/nodes/%s/tasks/%s", node, escaped);
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) data = air_proxmox_api_request (self, "DELETE", path, NULL, &local);

  /* Proxmox answers {"data":null} */
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

/* The last "(NN%)" or "(NN.NN%)" of a log line, as a whole percentage;
 * -1 when it has none. */
int
air_proxmox_log_percent (const char *line)
{
  int found = -1;

  for (const char *open = strchr (line, '('); open != NULL; open = strchr (open + 1, '('))
    {
      const char *p = open + 1;
      guint whole = 0, digits = 0;

      for (; g_ascii_isdigit (*p) && digits < 3; p++, digits++)
        whole = whole * 10 + (*p - '0');
      if (digits == 0 || whole > 100)
        continue;
      if (*p == '.')
        for (p++; g_ascii_isdigit (*p); p++)
          ;
      if (p[0] == '%' && p[1] == ')')
        found = (int) whole;
    }
  return found;
}

typedef struct {
  AirProxmoxTaskProgress  func;
  gpointer                data;
  char                   *log_path;
  gint64                  next_line;   /* the log's "start": lines already read */
  int                     percent;
  char                   *text;
} LogReader;

static void
log_reader_clear (LogReader *reader)
{
  g_free (reader->log_path);
  g_free (reader->text);
}

/* GET /nodes/{node}/tasks/{upid}/log?start=N&limit=M: [{"n":LINE,"t":TEXT}…].
 * What is read is shown, never trusted: a bad answer only ends the
 * reading, not the task's wait. */
static void
log_reader_poll (AirProxmoxApi *self,
                 LogReader     *reader)
{
  g_autofree char *start = g_strdup_printf ("%" G_GINT64_FORMAT, reader->next_line);
  g_autofree char *limit = g_strdup_printf ("%d", LOG_LINES);
  const char *form[] = { "start", start, "limit", limit, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) data = air_proxmox_api_request (self, "GET", reader->log_path, form, &error);
  JsonArray *lines;
  int percent = reader->percent;
  const char *text = NULL;

  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    {
      g_debug ("The task's log is not readable: %s", error != NULL ? error->message : "not a list");
      g_clear_pointer (&reader->log_path, g_free);
      return;
    }
  lines = json_node_get_array (data);
  for (guint i = 0; i < MIN (json_array_get_length (lines), LOG_LINES); i++)
    {
      JsonNode *node = json_array_get_element (lines, i);
      const char *line;
      gint64 n;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !air_json_get_opt_int (json_node_get_object (node), "n", 1, G_MAXINT32, 0, &n, NULL) || n == 0 ||
          !air_json_get_opt_string (json_node_get_object (node), "t", MAX_LOG_LINE, "", &line, NULL))
        continue;
      /* An empty log reads as one line "no content": not a line to skip. */
      if (strcmp (line, "no content") == 0)
        continue;
      reader->next_line = MAX (reader->next_line, n);
      /* "TASK OK" tells nothing the end of the wait does not */
      if (line[0] == '\0' || strcmp (line, "TASK OK") == 0)
        continue;
      text = line;
      if (air_proxmox_log_percent (line) >= 0)
        percent = air_proxmox_log_percent (line);
    }
  if (text != NULL)
    {
      g_autofree char *shown = air_text_sanitize (text, -1, MAX_LOG_TEXT);

      if (percent != reader->percent || g_strcmp0 (shown, reader->text) != 0)
        {
          reader->percent = percent;
          g_free (reader->text);
          reader->text = g_steal_pointer (&shown);
          reader->func (reader->percent, reader->text, reader->data);
        }
    }
}

/* A task (UPID) followed until it stops; its exit status is "OK" or the
 * reason it failed. With @progress, its log tells how far it got. */
gboolean
air_proxmox_api_wait_task (AirProxmoxApi           *self,
                           const char              *node,
                           const char              *upid,
                           guint                    timeout,
                           AirProxmoxTaskProgress   progress,
                           gpointer                 progress_data,
                           GCancellable            *cancellable,
                           GError                 **error)
{
  g_autofree char *escaped = g_uri_escape_string (upid, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/nodes/%s/tasks/%s/status", node, escaped);
  gint64 end = g_get_monotonic_time () + (gint64) timeout * G_USEC_PER_SEC;
  gulong pause = 100 * 1000;
  LogReader reader = { progress, progress_data, NULL, 0, -1, NULL };

  if (progress != NULL)
    reader.log_path = g_strdup_printf ("/nodes/%s/tasks/%s/log", node, escaped);
  for (;;)
    {
      g_autoptr(JsonNode) data = air_proxmox_api_request (self, "GET", path, NULL, error);
      const char *status = NULL, *exit_status = NULL;
      JsonObject *object;

      if (data == NULL)
        break;
      if (!JSON_NODE_HOLDS_OBJECT (data) ||
          !air_json_get_string (object = json_node_get_object (data), "status", 32, &status, NULL) ||
          !air_json_get_opt_string (object, "exitstatus", 400, NULL, &exit_status, NULL))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("The Proxmox server's task status is not the API's"));
          break;
        }
      if (strcmp (status, "stopped") == 0)
        {
          g_autofree char *shown = NULL;

          /* its last lines: the 100 % of a clone that just ended */
          if (reader.log_path != NULL)
            log_reader_poll (self, &reader);
          if (g_strcmp0 (exit_status, "OK") == 0)
            {
              log_reader_clear (&reader);
              return TRUE;
            }
          shown = air_text_sanitize (exit_status ? exit_status : "?", -1, MAX_ERROR);
          g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE, _("The Proxmox task failed: %s"), shown);
          break;
        }
      if (g_cancellable_is_cancelled (cancellable) || air_proxmox_api_caller_gone (self))
        {
          g_autoptr(GError) stop_error = NULL;

          if (!air_proxmox_api_stop_task (self, node, upid, &stop_error))
            g_warning ("The Proxmox task was not stopped: %s", stop_error->message);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Cancelled: the Proxmox task was stopped"));
          break;
        }
      if (g_get_monotonic_time () > end)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY,
                       _("The Proxmox task did not end within %u seconds"), timeout);
          break;
        }
      if (reader.log_path != NULL)
        log_reader_poll (self, &reader);
      g_usleep (pause);
      pause = MIN (pause * 2, 1000 * 1000);
    }
  log_reader_clear (&reader);
  return FALSE;
}
