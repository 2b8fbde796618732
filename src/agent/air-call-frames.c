/* air-call-frames.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-call-frames"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

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
                     const char *caller,
                     const char *target)
{
  GString *out = g_string_new ("{\"service\":");

  air_json_append_string (out, service);
  g_string_append (out, ",\"arg\":");
  air_json_append_string (out, arg);
  g_string_append (out, ",\"caller\":");
  air_json_append_string (out, caller);
  if (target != NULL)
    {
      g_string_append (out, ",\"target\":");
      air_json_append_string (out, target);
    }
  g_string_append (out, "}\n");
  return g_string_free (out, FALSE);
}

/* What qrexec-client-vm takes as a target: a qube's name, or one of the
 * names dom0 resolves itself. */
gboolean
air_call_target_is_valid (const char *target)
{
  if (target == NULL)
    return FALSE;
  if (strcmp (target, "@default") == 0 || strcmp (target, "@dispvm") == 0)
    return TRUE;
  if (g_str_has_prefix (target, "@dispvm:"))
    return air_name_is_valid (target + strlen ("@dispvm:"));
  return air_name_is_valid (target);
}

/* The header's line ends with "\n"; whatever was read past it is the
 * start of the call's stdin, returned in @leftover. */
char *
air_call_read_header (int     fd,
                      gsize  *len,
                      char  **leftover,
                      gsize  *leftover_len)
{
  g_autofree char *buffer = g_malloc (AIR_CALL_MAX_HEADER + 1);
  gsize have = 0;

  while (have < AIR_CALL_MAX_HEADER)
    {
      ssize_t n = read (fd, buffer + have, AIR_CALL_MAX_HEADER - have);
      char *newline;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return NULL;
      have += n;
      newline = memchr (buffer, '\n', have);
      if (newline != NULL)
        {
          *len = newline - buffer;
          *leftover_len = have - *len - 1;
          *leftover = g_memdup2 (newline + 1, *leftover_len);
          return g_steal_pointer (&buffer);
        }
    }
  return NULL;
}

/* Names as qrexec allows them: the service without "+", the argument by
 * qrexec's rules, the caller a qube name (else dom0, as qrexec says). */
gboolean
air_call_header_parse (const char  *line,
                       gsize        len,
                       char       **service,
                       char       **arg,
                       char       **caller,
                       char       **target,
                       GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (line, len, AIR_CALL_MAX_HEADER, error);
  const char *s, *a, *c, *t;

  if (object == NULL ||
      !air_json_get_string (object, "service", MAX_SERVICE, &s, error) ||
      !air_json_get_opt_string (object, "arg", 4096, "", &a, error) ||
      !air_json_get_opt_string (object, "caller", AIR_NAME_MAX, "dom0", &c, error) ||
      !air_json_get_opt_string (object, "target", AIR_NAME_MAX + 8, "", &t, error) ||
      !air_transport_check_argument (s, error) ||
      !air_transport_check_argument (a, error))
    return FALSE;

  if (s[0] == '\0' || strchr (s, '+') != NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("Invalid service name"));
      return FALSE;
    }

  /* A call out of a zone names where it goes; others must not. */
  if ((target != NULL) != (t[0] != '\0') || (target != NULL && !air_call_target_is_valid (t)))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           target != NULL ? _("The call names no qube to go to, or one that is not valid")
                                          : _("Invalid call header"));
      return FALSE;
    }

  *service = g_strdup (s);
  *arg = g_strdup (a);
  *caller = g_strdup (air_name_is_valid (c) ? c : "dom0");
  if (target != NULL)
    *target = g_strdup (t);
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
  /* On a socket (a VM's channel, a forwarded call), a peer gone is an
   * error the caller handles, never a SIGPIPE. */
  return air_fd_send_all (fd, head, sizeof head) && (len == 0 || air_fd_send_all (fd, data, len));
}

/* A call ended before it began: READY, why on stderr, and @status. */
void
air_call_refuse (int         fd,
                 guint32     status,
                 const char *text)
{
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  guint32 be = GUINT32_TO_BE (status);

  air_call_write_frame (fd, AIR_CALL_FRAME_READY, NULL, 0);
  air_call_write_frame (fd, AIR_CALL_FRAME_STDERR, line, MIN (strlen (line), AIR_CALL_MAX_FRAME));
  air_call_write_frame (fd, AIR_CALL_FRAME_EXIT, &be, sizeof be);
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
