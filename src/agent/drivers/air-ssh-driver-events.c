/* air-ssh-driver-events.c — AirSshDriver: the zone host's event stream,
 * relayed line by line, with the link's health joined to the host's
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-ssh-driver"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "air-fd-io.h"
#include "air-json.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-ssh-driver-private.h"

gboolean
_air_ssh_driver_print_event (AirSshDriver *self,
                             AirHealth     health,
                             const char   *reason)
{
  AirEvent event = { .kind = AIR_EVENT_ZONE_HEALTH, .health = health, .reason = (char *) reason };
  g_autofree char *line = air_event_to_line (&event);

  self->last_health = health;
  g_free (self->last_reason);
  self->last_reason = g_strdup (reason);
  return air_fd_write_all (STDOUT_FILENO, line, strlen (line));
}

/* The link's health again; an event only when its state changed (the
 * WireGuard counters alone do not make one). */
static gboolean
health_tick (AirSshDriver *self)
{
  g_autofree char *reason = NULL;
  AirHealth health;

  if (self->awaiting_list)
    return TRUE;   /* nothing before the list */
  health = air_ssh_driver_link_health (self, &reason);
  if (health == self->last_health)
    return TRUE;
  return _air_ssh_driver_print_event (self, health, reason);
}

static gboolean event_line_cb (AirSshDriver *self, const char *line, gsize len);

/* The host's first line, asked to be its list: passed on as our own
 * rendering (the host's health follows it, and goes on joined with the
 * link's). From an older host agent it is an event: the link's health goes
 * first, and the caller, taking it for an older gateway, calls List. */
static gboolean
first_line (AirSshDriver *self,
            const char   *line,
            gsize         len)
{
  g_autoptr(GPtrArray) qubes = air_protocol_parse_list (line, len, self->zone, NULL);
  g_autofree char *reason = NULL;
  AirHealth health;

  self->awaiting_list = FALSE;
  if (qubes != NULL)
    {
      g_autofree char *json = air_protocol_list_to_json (self->zone, qubes);

      return air_fd_write_all (STDOUT_FILENO, json, strlen (json));
    }
  health = air_ssh_driver_link_health (self, &reason);
  return _air_ssh_driver_print_event (self, health, reason) && event_line_cb (self, line, len);
}

static gboolean
event_line_cb (AirSshDriver *self,
               const char   *line,
               gsize         len)
{
  g_autoptr(AirEvent) event = NULL;
  g_autofree char *out = NULL;

  if (line == NULL)
    return health_tick (self);
  if (len == 0)
    return TRUE;
  if (self->awaiting_list)
    return first_line (self, line, len);
  event = air_event_parse (line, len, self->zone, NULL);
  if (event == NULL)
    return TRUE;   /* unknown or bad: dropped, as the app would */
  if (event->kind == AIR_EVENT_ZONE_HEALTH)
    {
      g_autofree char *reason = NULL;
      AirHealth health = _air_ssh_driver_with_link_health (self, event->health, event->reason, &reason);

      return _air_ssh_driver_print_event (self, health, reason);
    }
  out = air_event_to_line (event);
  /* Our caller went away: the stream ends. */
  return air_fd_write_all (STDOUT_FILENO, out, strlen (out));
}

/* With @listed (AIR_PROTOCOL_EVENTS_LISTED), the host's list comes first,
 * and the link's health after it; else the health first. */
int
_air_ssh_driver_relay_events (AirSshDriver *self,
                              gboolean      listed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) err = g_byte_array_new ();
  g_autofree char *reason = NULL;
  AirHealth health = air_ssh_driver_link_health (self, &reason);

  if (!listed && !_air_ssh_driver_print_event (self, health, reason))
    return 0;

  self->awaiting_list = listed;
  /* Its stdin, a pipe kept open and never written, tells the zone host's
   * Events service we follow; it ends when we do. */
  process = _air_ssh_driver_spawn_call (self, "qubesair.Events", listed ? AIR_PROTOCOL_EVENTS_LISTED : "",
                                        G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (process == NULL ||
      !_air_ssh_driver_pump (self, process, listed ? AIR_SSH_MAX_ANSWER : AIR_JSON_MAX_LINE + 1, event_line_cb, out, err, &error))
    {
      g_autofree char *message = air_text_sanitize (error->message, -1, MAX_ERROR_TEXT);
      _air_ssh_driver_print_event (self, AIR_HEALTH_DOWN, message);
      return 1;
    }

  if (_air_ssh_driver_connection_lost (self, process))
    {
      g_autofree char *message = g_strdup_printf (_("The connection to zone “%s” was lost."), self->zone);

      _air_ssh_driver_print_event (self, AIR_HEALTH_DOWN, message);
      g_printerr ("%s\n", message);
      return 1;
    }
  _air_ssh_print_error ((const char *) err->data, err->len);
  return _air_ssh_exit_status_of (process);
}
