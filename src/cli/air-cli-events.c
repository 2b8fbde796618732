/* air-cli-events.c — qair events
 *
 * Follows a zone's Events stream until the zone ends it or we are
 * stopped; each event is parsed strictly and printed on one line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <unistd.h>

#include "air-cli.h"
#include "air-cli-events.h"
#include "air-cli-run.h"
#include "air-cli-wait.h"
#include "air-cli-zones.h"
#include "air-json.h"
#include "air-line-reader.h"
#include "air-names.h"
#include "air-protocol.h"

/* How long a stopped `qair events` gives its child to end before it is killed. */
#define EVENTS_STOP_GRACE 3

/* `qair events` stopped by a signal ends its child (the loopback service,
 * or qrexec-client-vm, whose end makes the gateway's service see EOF on
 * its stdin) instead of leaving it running. */
typedef struct {
  GSubprocess *process;
  int          signum;
  guint        kill_id;
} Stop;

static gboolean
events_kill_cb (gpointer user_data)
{
  Stop *stop = user_data;

  stop->kill_id = 0;
  g_subprocess_force_exit (stop->process);
  return G_SOURCE_REMOVE;
}

static void
events_stop (Stop *stop,
             int   signum)
{
  if (stop->signum != 0)
    return;
  stop->signum = signum;
  g_output_stream_close (g_subprocess_get_stdin_pipe (stop->process), NULL, NULL);
  g_subprocess_send_signal (stop->process, SIGTERM);
  stop->kill_id = g_timeout_add_seconds (EVENTS_STOP_GRACE, events_kill_cb, stop);
}

static gboolean
events_sigint_cb (gpointer user_data)
{
  events_stop (user_data, SIGINT);
  return G_SOURCE_CONTINUE;
}

static gboolean
events_sigterm_cb (gpointer user_data)
{
  events_stop (user_data, SIGTERM);
  return G_SOURCE_CONTINUE;
}

static void
print_event (AirZone  *zone,
             AirEvent *event)
{
  switch (event->kind)
    {
    case AIR_EVENT_QUBE_ADDED:
    case AIR_EVENT_QUBE_CHANGED:
      g_print ("%s %s %s %s\n", air_zone_get_name (zone),
               event->kind == AIR_EVENT_QUBE_ADDED ? "qube-added" : "qube-changed",
               air_qube_get_name (event->qube), air_qube_state_to_string (air_qube_get_state (event->qube)));
      break;
    case AIR_EVENT_QUBE_REMOVED:
      g_print ("%s qube-removed %s\n", air_zone_get_name (zone), event->name);
      break;
    case AIR_EVENT_ZONE_HEALTH:
      {
        g_autofree char *reason = air_text_sanitize (event->reason, -1, 300);

        g_print ("%s zone-health %s%s%s\n", air_zone_get_name (zone),
                 air_health_to_string (event->health), reason[0] ? " " : "", reason);
      }
      break;
    default:
      break;
    }
}

int
air_cli_cmd_events (int argc, char **argv)
{
  g_autofree char *zone_name = NULL;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_name, N_("The zone to follow (default: local)"), N_("ZONE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = air_cli_command_context (NULL,
                                                       _("Print a zone’s events (qubes added, removed, "
                                                         "changed; the zone’s health) until stopped."),
                                                       entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(AirLineReader) reader = NULL;
  g_autofree char *prefix = NULL;
  AirCliFilter err_filter = { NULL, STDERR_FILENO, NULL };
  Stop stop = { NULL, 0, 0 };
  GThread *err_thread;
  guint sigint_id, sigterm_id;
  AirZone *zone;
  int status = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage (error->message);
  if (argc != 1)
    return air_cli_usage (_("Use: qair events [--zone ZONE]"));
  if (!air_cli_load_registry (&error) ||
      (zone = air_cli_find_zone (air_cli_registry (), zone_name ? zone_name : "local", &error)) == NULL)
    return air_cli_fail (error);

  /* Our stdin pipe stays open while we follow: the service ends when it closes. */
  process = air_zone_spawn (zone, "qubesair.Events", NULL,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (process == NULL)
    return air_cli_fail (error);

  stop.process = process;
  sigint_id = g_unix_signal_add (SIGINT, events_sigint_cb, &stop);
  sigterm_id = g_unix_signal_add (SIGTERM, events_sigterm_cb, &stop);

  /* The gateway's stderr is the zone's text: filtered, and marked as its. */
  prefix = g_strdup_printf (_("qair: zone “%s”: "), air_zone_get_name (zone));
  err_filter.stream = g_subprocess_get_stderr_pipe (process);
  err_filter.prefix = prefix;
  err_thread = g_thread_new ("stderr", air_cli_filter_thread, &err_filter);

  reader = air_line_reader_new (g_subprocess_get_stdout_pipe (process), AIR_JSON_MAX_LINE);
  for (;;)
    {
      g_auto(AirCliWait) wait = { 0 };
      g_autoptr(GBytes) line = NULL;
      g_autoptr(AirEvent) event = NULL;
      gsize len;
      const char *data;

      air_cli_wait_init_default (&wait);
      air_line_reader_read_line_async (reader, NULL, air_cli_wait_cb, &wait);
      line = air_line_reader_read_line_finish (reader, air_cli_wait_finish (&wait), &error);
      if (line == NULL)
        {
          if (error != NULL && stop.signum == 0)
            status = air_cli_fail (error);
          break;
        }

      data = g_bytes_get_data (line, &len);
      event = air_event_parse (data, len, air_zone_get_name (zone), NULL);
      if (event != NULL)   /* unknown or bad events are skipped */
        print_event (zone, event);
    }

  if (stop.signum == 0)
    {
      /* The zone ended the stream: its stdin need not stay open. */
      g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, NULL);
      g_subprocess_send_signal (process, SIGTERM);
    }
  g_subprocess_wait (process, NULL, NULL);
  g_thread_join (err_thread);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_handle_id (&stop.kill_id, g_source_remove);

  if (stop.signum != 0)
    return 128 + stop.signum;
  return status;
}
