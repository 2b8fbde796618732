/* air-call-frames.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-call-frames"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-call-frames.h"
#include "air-error.h"
#include "air-fd-io.h"
#include "air-json.h"
#include "air-names.h"
#include "air-transport.h"

#define MAX_SERVICE 64

char *
air_call_header_new (const char *service,
                     const char *arg,
                     const char *caller)
{
  GString *out = g_string_new ("{\"service\":");

  air_json_append_string (out, service);
  g_string_append (out, ",\"arg\":");
  air_json_append_string (out, arg);
  g_string_append (out, ",\"caller\":");
  air_json_append_string (out, caller);
  g_string_append (out, "}\n");
  return g_string_free (out, FALSE);
}

/* Names as qrexec allows them: the service without "+", the argument by
 * qrexec's rules, the caller a qube name (else dom0, as qrexec says). */
gboolean
air_call_header_parse (const char  *line,
                       gsize        len,
                       char       **service,
                       char       **arg,
                       char       **caller,
                       GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (line, len, AIR_CALL_MAX_HEADER, error);
  const char *s, *a, *c;

  if (object == NULL ||
      !air_json_get_string (object, "service", MAX_SERVICE, &s, error) ||
      !air_json_get_opt_string (object, "arg", 4096, "", &a, error) ||
      !air_json_get_opt_string (object, "caller", AIR_NAME_MAX, "dom0", &c, error) ||
      !air_transport_check_argument (s, error) ||
      !air_transport_check_argument (a, error))
    return FALSE;

  if (s[0] == '\0' || strchr (s, '+') != NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("Invalid service name"));
      return FALSE;
    }

  *service = g_strdup (s);
  *arg = g_strdup (a);
  *caller = g_strdup (air_name_is_valid (c) ? c : "dom0");
  return TRUE;
}

gboolean
air_call_write_frame (int           fd,
                      AirCallFrame  type,
                      const void   *data,
                      gsize         len)
{
  guint8 head[5] = { (guint8) type, };
  guint32 be = GUINT32_TO_BE ((guint32) len);

  g_return_val_if_fail (len <= AIR_CALL_MAX_FRAME, FALSE);
  memcpy (head + 1, &be, 4);
  return air_fd_write_all (fd, head, sizeof head) && (len == 0 || air_fd_write_all (fd, data, len));
}

gboolean
air_call_read_frame (int            fd,
                     AirCallFrame  *type,
                     guint8        *buffer,
                     gsize         *len,
                     GError       **error)
{
  guint8 head[5];
  guint32 be;
  gsize got = air_fd_read_full (fd, head, sizeof head);

  if (got == 0)
    return FALSE;
  if (got < sizeof head)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The call’s stream ended inside a frame"));
      return FALSE;
    }

  memcpy (&be, head + 1, 4);
  *len = GUINT32_FROM_BE (be);
  *type = (AirCallFrame) head[0];
  if ((*type != AIR_CALL_FRAME_READY && *type != AIR_CALL_FRAME_STDOUT &&
       *type != AIR_CALL_FRAME_STDERR && *type != AIR_CALL_FRAME_EXIT) ||
      *len > AIR_CALL_MAX_FRAME ||
      (*type == AIR_CALL_FRAME_EXIT && *len != 4) ||
      (*type == AIR_CALL_FRAME_READY && *len != 0))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The call’s stream holds a frame that is not valid"));
      return FALSE;
    }

  if (air_fd_read_full (fd, buffer, *len) != *len)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("The call’s stream ended inside a frame"));
      return FALSE;
    }
  return TRUE;
}
