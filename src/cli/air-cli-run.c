/* air-cli-run.c — qair run, qair dispvm
 *
 * Both hand our own stdin and stdout to the zone's service; what the zone
 * sends back is filtered before it reaches a terminal.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "air-cli.h"
#include "air-cli-run.h"
#include "air-cli-zones.h"
#include "air-names.h"
#include "air-protocol.h"

/* Streams: our stdin after the header into the service; the service's
 * stdout to ours (filtered on a terminal); its stderr sanitised. */
typedef struct {
  gboolean exited;
} Pump;

static void
splice_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, NULL);
}

static void
wait_process_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pump *pump = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  pump->exited = TRUE;
}

/* Copies a stream to a terminal, replacing control characters that could
 * drive it (escape sequences) but keeping newlines and tabs; with a
 * prefix, each line is marked as not ours ("qair: zone “x”: …"). */
static void
filter_to_fd (AirCliFilter *filter)
{
  char buffer[8192];
  gboolean line_start = TRUE;
  gsize prefix_len = filter->prefix ? strlen (filter->prefix) : 0;
  gssize n;

  while ((n = g_input_stream_read (filter->stream, buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      gssize from = 0;

      for (gssize i = 0; i < n; i++)
        {
          unsigned char c = buffer[i];

          if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f)
            buffer[i] = '?';
        }
      while (from < n)
        {
          const char *newline = memchr (buffer + from, '\n', n - from);
          gssize end = newline ? newline - buffer + 1 : n;

          if (line_start && prefix_len > 0 && write (filter->fd, filter->prefix, prefix_len) < 0)
            return;
          if (write (filter->fd, buffer + from, end - from) < 0)
            return;
          line_start = newline != NULL;
          from = end;
        }
    }
  if (!line_start && prefix_len > 0 && write (filter->fd, "\n", 1) < 0)
    return;
}

gpointer
air_cli_filter_thread (gpointer data)
{
  filter_to_fd (data);
  return NULL;
}

static int
run_streaming (AirZone     *zone,
               const char  *verb,
               const char  *arg,
               char       **command)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GInputStream) our_stdin = NULL;
  g_autofree char *header = NULL;
  gboolean tty_out = isatty (STDOUT_FILENO);
  GThread *err_thread, *out_thread = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;
  Pump pump = { FALSE };
  AirCliFilter err_filter = { NULL, STDERR_FILENO, NULL };
  AirCliFilter out_filter = { NULL, STDOUT_FILENO, NULL };

  if (tty_out)
    flags |= G_SUBPROCESS_FLAGS_STDOUT_PIPE;

  process = air_zone_spawn (zone, verb, arg, flags, &error);
  if (process == NULL)
    return air_cli_fail (error);

  header = air_run_header_to_line ((const char * const *) command, "user");
  if (!g_output_stream_write_all (g_subprocess_get_stdin_pipe (process), header, strlen (header),
                                  NULL, NULL, &error))
    return air_cli_fail (error);

  err_filter.stream = g_subprocess_get_stderr_pipe (process);
  err_thread = g_thread_new ("stderr", air_cli_filter_thread, &err_filter);
  if (tty_out)
    {
      out_filter.stream = g_subprocess_get_stdout_pipe (process);
      out_thread = g_thread_new ("stdout", air_cli_filter_thread, &out_filter);
    }

  our_stdin = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_output_stream_splice_async (g_subprocess_get_stdin_pipe (process), our_stdin,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT,
                                NULL, splice_cb, NULL);
  g_subprocess_wait_async (process, NULL, wait_process_cb, &pump);

  /* The command may end before its input does: stop at its exit. */
  while (!pump.exited)
    g_main_context_iteration (NULL, TRUE);

  g_thread_join (err_thread);
  if (out_thread)
    g_thread_join (out_thread);

  if (g_subprocess_get_if_exited (process))
    return g_subprocess_get_exit_status (process);
  return 128 + g_subprocess_get_term_sig (process);
}

int
air_cli_cmd_run (int argc, char **argv)
{
  g_autofree char *zone_name = NULL;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_name, N_("The qube’s zone, where two zones have the name"), N_("ZONE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = air_cli_command_context (_("[ZONE:]NAME -- COMMAND [ARG…]"),
                                                       _("Run a command in a qube, with this terminal’s "
                                                         "input and output; the exit status is the command’s."),
                                                       entries);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  int separator = air_cli_find_separator (argc, argv);
  int n_ours = separator;
  AirZone *zone;

  /* qair run [--zone Z] NAME -- CMD [ARG...]: only what is before "--" is ours. */
  if (!g_option_context_parse (context, &n_ours, &argv, &error))
    return air_cli_usage (error->message);
  if (n_ours != 2 || separator + 1 >= argc)
    return air_cli_usage (_("Use: qair run [--zone ZONE] NAME -- COMMAND [ARG…]"));
  if (!air_cli_load_registry (&error) ||
      (zone = air_cli_find_qube (air_cli_registry (), argv[1], zone_name, &name, &error)) == NULL)
    return air_cli_fail (error);
  return run_streaming (zone, "qubesair.Run", name, argv + separator + 1);
}

int
air_cli_cmd_dispvm (int argc, char **argv)
{
  g_autofree char *zone_name = NULL;
  g_autofree char *template_name = NULL;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_name, N_("Zone to run the disposable in"), N_("ZONE") },
    { "template", 't', 0, G_OPTION_ARG_STRING, &template_name, N_("Template (default: host)"), N_("TEMPLATE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = air_cli_command_context (_("-- COMMAND [ARG…]"),
                                                       _("Run a command in a new disposable qube, "
                                                         "destroyed when the command ends."),
                                                       entries);
  g_autoptr(GError) error = NULL;
  int separator = air_cli_find_separator (argc, argv);
  int n_ours = separator;
  AirZone *zone;

  /* qair dispvm --zone Z [--template T] -- CMD [ARG...] */
  if (!g_option_context_parse (context, &n_ours, &argv, &error))
    return air_cli_usage (error->message);
  if (n_ours != 1 || zone_name == NULL || separator + 1 >= argc)
    return air_cli_usage (_("Use: qair dispvm --zone ZONE [--template TEMPLATE] -- COMMAND [ARG…]"));
  if (!air_cli_load_registry (&error) ||
      (zone = air_cli_find_zone (air_cli_registry (), zone_name, &error)) == NULL ||
      !air_name_validate (template_name ? template_name : "host", "template", &error))
    return air_cli_fail (error);
  return run_streaming (zone, "qubesair.Disposable", template_name ? template_name : "host",
                        argv + separator + 1);
}
