/* air-cli.c — qair
 *
 * Every command is one or two service calls to a zone's gateway; the
 * streaming ones (run, dispvm, events) hand our own stdin/stdout to the
 * service. Text from a zone is sanitised before it reaches a terminal.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "air-cli.h"
#include "air-cli-config.h"
#include "air-cli-copy.h"
#include "air-cli-cred.h"
#include "air-cli-key.h"
#include "air-cli-zone.h"
#include "air-error.h"
#include "air-json.h"
#include "air-line-reader.h"
#include "air-names.h"
#include "air-zone-registry.h"

#define EXIT_USAGE 2

static AirZoneRegistry *registry;

static int
fail (GError *error)
{
  g_printerr ("qair: %s\n", error->message);
  return 1;
}

static int
usage (const char *message)
{
  g_printerr ("qair: %s\n%s\n", message, _("Run “qair help” for the commands."));
  return EXIT_USAGE;
}

static AirZone *
find_zone (const char  *name,
           GError     **error)
{
  AirZone *zone;

  if (!air_name_validate (name, "zone", error))
    return NULL;
  zone = air_zone_registry_lookup (registry, name);
  if (zone == NULL)
    g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                 _("There is no zone called “%s”. “qair zones” lists them."), name);
  return zone;
}

/* Runs an async zone call to completion on a private context. */
typedef struct {
  GMainContext *context;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Wait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (wait->context, TRUE);
  return wait->result;
}

static GPtrArray *
list_zone (AirZone  *zone,
           GError  **error)
{
  Wait wait = { g_main_context_default (), NULL };
  GPtrArray *qubes;

  air_zone_list_qubes_async (zone, NULL, wait_cb, &wait);
  qubes = air_zone_list_qubes_finish (zone, wait_for (&wait), error);
  g_object_unref (wait.result);
  return qubes;
}

/* One lookup of a qube over every zone at once. It may outlive
 * zone_of_qube(): zones that have not answered when another zone has the
 * qube are cancelled, and their callbacks still come. */
typedef struct {
  char         *name;
  GCancellable *cancellable;
  AirZone      *found;
  guint         pending;
} Lookup;

static void
lookup_unref (Lookup *lookup)
{
  if (--lookup->pending > 0)
    return;
  g_free (lookup->name);
  g_object_unref (lookup->cancellable);
  g_free (lookup);
}

static void
lookup_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GPtrArray) qubes = air_zone_list_qubes_finish (AIR_ZONE (object), result, NULL);

  for (guint j = 0; lookup->found == NULL && qubes != NULL && j < qubes->len; j++)
    if (strcmp (air_qube_get_name (g_ptr_array_index (qubes, j)), lookup->name) == 0)
      {
        lookup->found = AIR_ZONE (object);
        g_cancellable_cancel (lookup->cancellable);
      }
  lookup_unref (lookup);
}

/* Finds which zone has qube @name. With one zone there is nothing to look
 * up: the call goes straight there and the zone itself says if the qube
 * is missing. With several, every zone is asked at once and the first that
 * has it wins, so a slow or unreachable zone costs nothing. */
static AirZone *
zone_of_qube (const char  *name,
              GError     **error)
{
  GListModel *zones = air_zone_registry_get_zones (registry);
  guint n = g_list_model_get_n_items (zones);
  Lookup *lookup;
  AirZone *found;

  if (!air_name_validate (name, "qube", error))
    return NULL;

  if (n == 1)
    {
      g_autoptr(AirZone) only = g_list_model_get_item (zones, 0);
      return only;   /* the registry keeps its reference */
    }

  lookup = g_new0 (Lookup, 1);
  lookup->name = g_strdup (name);
  lookup->cancellable = g_cancellable_new ();
  lookup->pending = n + 1;   /* one for each zone, one for us */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);

      air_zone_list_qubes_async (zone, lookup->cancellable, lookup_listed_cb, lookup);
    }

  while (lookup->found == NULL && lookup->pending > 1)
    g_main_context_iteration (NULL, TRUE);

  found = lookup->found;   /* the registry keeps its reference */
  lookup_unref (lookup);

  if (found == NULL)
    g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                 _("There is no qube called “%s” in any zone. “qair ls” lists them."), name);
  return found;
}

static void
print_qube_row (AirQube *qube)
{
  g_print ("%-31s %-12s %-9s %-12s %-16s %-7s %6u %3u\n",
           air_qube_get_name (qube), air_qube_get_zone (qube),
           air_qube_state_to_string (air_qube_get_state (qube)),
           air_qube_kind_to_string (air_qube_get_kind (qube)),
           air_qube_get_template (qube),
           air_label_to_string (air_qube_get_label (qube)),
           air_qube_get_memory (qube), air_qube_get_vcpus (qube));
}

static int
cmd_ls (int argc, char **argv)
{
  g_autofree char *zone_filter = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "zone", 0, 0, G_OPTION_ARG_STRING, &zone_filter, N_("Only this zone"), "ZONE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GString) out = g_string_new ("{\"qubes\":[");
  g_autoptr(GError) error = NULL;
  GListModel *zones = air_zone_registry_get_zones (registry);
  gboolean first = TRUE;
  int status = 0;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (error->message);
  if (zone_filter != NULL && find_zone (zone_filter, &error) == NULL)
    return fail (error);

  if (!json)
    g_print ("%-31s %-12s %-9s %-12s %-16s %-7s %6s %3s\n", _("NAME"), _("ZONE"), _("STATE"),
             _("CLASS"), _("TEMPLATE"), _("LABEL"), _("MEMORY"), _("CPU"));

  for (guint i = 0; i < g_list_model_get_n_items (zones); i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      g_autoptr(GPtrArray) qubes = NULL;
      g_autoptr(GError) zone_error = NULL;

      if (zone_filter != NULL && strcmp (zone_filter, air_zone_get_name (zone)) != 0)
        continue;

      qubes = list_zone (zone, &zone_error);
      if (qubes == NULL)
        {
          g_printerr ("qair: %s\n", zone_error->message);
          status = 1;
          continue;
        }

      for (guint j = 0; j < qubes->len; j++)
        {
          AirQube *qube = g_ptr_array_index (qubes, j);

          if (json)
            {
              g_string_append (out, first ? "{\"zone\":" : ",{\"zone\":");
              air_json_append_string (out, air_qube_get_zone (qube));
              g_string_append (out, ",\"qube\":");
              air_protocol_append_qube (out, qube);
              g_string_append_c (out, '}');
              first = FALSE;
            }
          else
            print_qube_row (qube);
        }
    }

  if (json)
    {
      g_string_append (out, "]}\n");
      g_print ("%s", out->str);
    }

  return status;
}

static int
cmd_zones (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GError) error = NULL;
  GListModel *zones = air_zone_registry_get_zones (registry);

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (error->message);

  if (json)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "zones");
      json_builder_begin_array (builder);
    }
  else
    g_print ("%-16s %-24s %-8s %-10s %s\n", _("ZONE"), _("GATEWAY"), _("DRIVER"), _("HEALTH"), _("TEMPLATES"));

  for (guint i = 0; i < g_list_model_get_n_items (zones); i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      g_autoptr(GError) zone_error = NULL;
      g_autofree char *templates = NULL;
      Wait wait = { g_main_context_default (), NULL };

      air_zone_refresh_info_async (zone, NULL, wait_cb, &wait);
      if (!air_zone_refresh_info_finish (zone, wait_for (&wait), &zone_error))
        air_zone_set_health (zone, AIR_HEALTH_DOWN, zone_error->message);
      g_object_unref (wait.result);

      templates = g_strjoinv (",", (char **) air_zone_get_templates (zone));
      if (json)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, air_zone_get_name (zone));
          json_builder_set_member_name (builder, "gateway");
          json_builder_add_string_value (builder, air_zone_get_gateway (zone));
          json_builder_set_member_name (builder, "driver");
          json_builder_add_string_value (builder, air_zone_get_driver (zone));
          json_builder_set_member_name (builder, "health");
          json_builder_add_string_value (builder, air_health_to_string (air_zone_get_health (zone)));
          json_builder_set_member_name (builder, "reason");
          json_builder_add_string_value (builder, air_zone_get_health_reason (zone));
          json_builder_set_member_name (builder, "isolation");
          json_builder_add_string_value (builder, air_isolation_to_string (air_zone_get_isolation (zone)));
          json_builder_end_object (builder);
        }
      else
        g_print ("%-16s %-24s %-8s %-10s %s%s%s\n", air_zone_get_name (zone), air_zone_get_gateway (zone),
                 air_zone_get_driver (zone), air_health_to_string (air_zone_get_health (zone)),
                 templates, air_zone_get_health_reason (zone)[0] ? "  " : "",
                 air_zone_get_health_reason (zone));
    }

  if (json)
    {
      g_autofree char *text = NULL;

      json_builder_end_array (builder);
      json_builder_end_object (builder);
      text = air_json_builder_to_line (builder);
      g_print ("%s", text);
    }
  return 0;
}

static int
cmd_create (int argc, char **argv)
{
  g_autofree char *zone_name = NULL;
  g_autofree char *template_name = NULL;
  g_autofree char *label = NULL;
  int memory = 400, vcpus = 2;
  GOptionEntry entries[] = {
    { "zone", 0, 0, G_OPTION_ARG_STRING, &zone_name, N_("Zone to create the qube in"), "ZONE" },
    { "template", 0, 0, G_OPTION_ARG_STRING, &template_name, N_("Template (default: host)"), "T" },
    { "label", 0, 0, G_OPTION_ARG_STRING, &label, N_("Label colour (default: red)"), "L" },
    { "memory", 0, 0, G_OPTION_ARG_INT, &memory, N_("Memory in MiB"), "MIB" },
    { "vcpus", 0, 0, G_OPTION_ARG_INT, &vcpus, N_("Number of vCPUs"), "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME"));
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) qube = NULL;
  Wait wait = { g_main_context_default (), NULL };
  AirZone *zone;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (error->message);
  if (argc != 2)
    return usage (_("create takes one qube name: qair create NAME --zone ZONE"));
  if (zone_name == NULL)
    return usage (_("Say which zone: --zone ZONE (“qair zones” lists them)"));
  if (!air_name_validate (argv[1], "qube", &error))
    return fail (error);
  if ((zone = find_zone (zone_name, &error)) == NULL)
    return fail (error);
  if (template_name != NULL)
    {
      if (!air_name_validate (template_name, "template", &error))
        return fail (error);
      g_free (spec->template_name);
      spec->template_name = g_strdup (template_name);
    }
  if (label != NULL && !air_label_from_string (label, &spec->label))
    return usage (_("Unknown label. Use one of: red, orange, yellow, green, gray, blue, purple, black"));
  if (memory < 1 || memory > AIR_PROTOCOL_MAX_MEMORY || vcpus < 1 || vcpus > AIR_PROTOCOL_MAX_VCPUS)
    return usage (_("--memory and --vcpus must be positive and within the zone's limits"));
  spec->memory = memory;
  spec->vcpus = vcpus;

  air_zone_create_qube_async (zone, argv[1], spec, NULL, wait_cb, &wait);
  qube = air_zone_create_qube_finish (zone, wait_for (&wait), &error);
  g_object_unref (wait.result);
  if (qube == NULL)
    return fail (error);
  return 0;
}

static int
cmd_action (AirZoneAction   action,
            int             argc,
            char          **argv)
{
  g_autoptr(GError) error = NULL;
  Wait wait = { g_main_context_default (), NULL };
  AirZone *zone;
  gboolean ok;

  if (argc != 2)
    return usage (_("Give exactly one qube name"));
  if ((zone = zone_of_qube (argv[1], &error)) == NULL)
    return fail (error);

  air_zone_qube_action_async (zone, action, argv[1], NULL, wait_cb, &wait);
  ok = air_zone_qube_action_finish (zone, wait_for (&wait), &error);
  g_object_unref (wait.result);
  return ok ? 0 : fail (error);
}

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
 * drive it (escape sequences) but keeping newlines and tabs. */
static void
filter_to_fd (GInputStream *stream,
              int           fd)
{
  char buffer[8192];
  gssize n;

  while ((n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      for (gssize i = 0; i < n; i++)
        {
          unsigned char c = buffer[i];

          if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f)
            buffer[i] = '?';
        }
      if (write (fd, buffer, n) < 0)
        break;
    }
}

static gpointer
stderr_thread (gpointer data)
{
  filter_to_fd (data, STDERR_FILENO);
  return NULL;
}

static gpointer
stdout_thread (gpointer data)
{
  filter_to_fd (data, STDOUT_FILENO);
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

  if (tty_out)
    flags |= G_SUBPROCESS_FLAGS_STDOUT_PIPE;

  process = air_zone_spawn (zone, verb, arg, flags, &error);
  if (process == NULL)
    return fail (error);

  header = air_run_header_to_line ((const char * const *) command, "user");
  if (!g_output_stream_write_all (g_subprocess_get_stdin_pipe (process), header, strlen (header),
                                  NULL, NULL, &error))
    return fail (error);

  err_thread = g_thread_new ("stderr", stderr_thread, g_subprocess_get_stderr_pipe (process));
  if (tty_out)
    out_thread = g_thread_new ("stdout", stdout_thread, g_subprocess_get_stdout_pipe (process));

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

static int
cmd_run (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  AirZone *zone;

  /* qair run NAME -- CMD [ARG...] */
  if (argc < 4 || strcmp (argv[2], "--") != 0)
    return usage (_("Use: qair run NAME -- CMD [ARG...]"));
  if ((zone = zone_of_qube (argv[1], &error)) == NULL)
    return fail (error);
  return run_streaming (zone, "qubesair.Run", argv[1], argv + 3);
}

static int
cmd_dispvm (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *zone_name = NULL, *template_name = "host";
  AirZone *zone;
  int i;

  /* qair dispvm --zone Z [--template T] -- CMD [ARG...] */
  for (i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    {
      if (strcmp (argv[i], "--zone") == 0 && i + 1 < argc)
        zone_name = argv[++i];
      else if (strcmp (argv[i], "--template") == 0 && i + 1 < argc)
        template_name = argv[++i];
      else
        return usage (_("Use: qair dispvm --zone ZONE [--template T] -- CMD [ARG...]"));
    }
  if (zone_name == NULL || i + 1 >= argc)
    return usage (_("Use: qair dispvm --zone ZONE [--template T] -- CMD [ARG...]"));
  if ((zone = find_zone (zone_name, &error)) == NULL ||
      !air_name_validate (template_name, "template", &error))
    return fail (error);
  return run_streaming (zone, "qubesair.Disposable", template_name, argv + i + 1);
}

static int
cmd_events (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(AirLineReader) reader = NULL;
  const char *zone_name = "local";
  AirZone *zone;

  if (argc == 3 && strcmp (argv[1], "--zone") == 0)
    zone_name = argv[2];
  else if (argc != 1)
    return usage (_("Use: qair events [--zone ZONE]"));

  if ((zone = find_zone (zone_name, &error)) == NULL)
    return fail (error);

  process = air_zone_spawn (zone, "qubesair.Events", NULL, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (process == NULL)
    return fail (error);

  reader = air_line_reader_new (g_subprocess_get_stdout_pipe (process), AIR_JSON_MAX_LINE);
  for (;;)
    {
      Wait wait = { g_main_context_default (), NULL };
      g_autoptr(GBytes) line = NULL;
      g_autoptr(AirEvent) event = NULL;
      gsize len;
      const char *data;

      air_line_reader_read_line_async (reader, NULL, wait_cb, &wait);
      line = air_line_reader_read_line_finish (reader, wait_for (&wait), &error);
      g_object_unref (wait.result);
      if (line == NULL)
        return error ? fail (error) : 0;

      data = g_bytes_get_data (line, &len);
      event = air_event_parse (data, len, air_zone_get_name (zone), NULL);
      if (event == NULL)
        continue;   /* unknown or bad events are skipped */

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
          g_print ("%s zone-health %s%s%s\n", air_zone_get_name (zone),
                   air_health_to_string (event->health),
                   event->reason[0] ? " " : "", event->reason);
          break;
        default:
          break;
        }
    }
}

static int
cmd_help (void)
{
  g_print ("%s", _("Usage:\n"
                   "  qair zones [--json]\n"
                   "  qair ls [--zone Z] [--json]\n"
                   "  qair create NAME --zone Z [--template T] [--label L] [--memory MIB] [--vcpus N]\n"
                   "  qair start|shutdown|kill|rm NAME\n"
                   "  qair run NAME -- CMD [ARG...]\n"
                   "  qair dispvm --zone Z [--template T] -- CMD [ARG...]\n"
                   "  qair events [--zone Z]\n"
                   "  qair copy PATH... DEST_QUBE | SRC_QUBE:PATH... DEST_QUBE\n"
                   "  qair cred put|ls|rm ...\n"
                   "  qair key generate --zone Z\n"
                   "  qair zone add|trust|rm NAME ...\n"));
  return 0;
}

int
air_cli_main (int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *command;
  int status;

  if (argc < 2)
    return cmd_help () + EXIT_USAGE;

  command = argv[1];
  if (strcmp (command, "help") == 0 || strcmp (command, "--help") == 0)
    return cmd_help ();
  if (strcmp (command, "cred") == 0)
    return air_cli_cred_main (argc - 1, argv + 1);
  if (strcmp (command, "key") == 0)
    return air_cli_key_main (argc - 1, argv + 1);
  if (strcmp (command, "zone") == 0)
    return air_cli_zone_main (argc - 1, argv + 1);
  if (strcmp (command, "config") == 0)
    return air_cli_config_main (argc - 1, argv + 1);

  registry = air_zone_registry_new (NULL);
  if (!air_zone_registry_load (registry, &error))
    return fail (error);

  argc--;
  argv++;
  if (strcmp (command, "zones") == 0)
    status = cmd_zones (argc, argv);
  else if (strcmp (command, "ls") == 0)
    status = cmd_ls (argc, argv);
  else if (strcmp (command, "create") == 0)
    status = cmd_create (argc, argv);
  else if (strcmp (command, "start") == 0)
    status = cmd_action (AIR_ZONE_ACTION_START, argc, argv);
  else if (strcmp (command, "shutdown") == 0)
    status = cmd_action (AIR_ZONE_ACTION_SHUTDOWN, argc, argv);
  else if (strcmp (command, "kill") == 0)
    status = cmd_action (AIR_ZONE_ACTION_KILL, argc, argv);
  else if (strcmp (command, "rm") == 0)
    status = cmd_action (AIR_ZONE_ACTION_REMOVE, argc, argv);
  else if (strcmp (command, "run") == 0)
    status = cmd_run (argc, argv);
  else if (strcmp (command, "dispvm") == 0)
    status = cmd_dispvm (argc, argv);
  else if (strcmp (command, "events") == 0)
    status = cmd_events (argc, argv);
  else if (strcmp (command, "copy") == 0)
    status = air_cli_copy_main (registry, argc, argv);
  else
    {
      g_autofree char *shown = air_text_sanitize (command, -1, 40);
      g_autofree char *message = g_strdup_printf (_("Unknown command “%s”"), shown);

      status = usage (message);
    }

  g_clear_object (&registry);
  return status;
}
