/* air-cli.c — qair
 *
 * Every command is one or two service calls to a zone's gateway; the
 * streaming ones (run, dispvm, events) hand our own stdin/stdout to the
 * service. Text from a zone is sanitised before it reaches a terminal.
 * Every zone asked has a time limit (air-cli-zones.c), and a qube name
 * means one qube: ZONE:NAME or --zone says which where two zones have it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "air-cli.h"
#include "air-cli-config.h"
#include "air-cli-copy.h"
#include "air-cli-prefs.h"
#include "air-cli-template.h"
#include "air-cli-remotevm.h"
#include "air-cli-cred.h"
#include "air-cli-key.h"
#include "air-cli-wait.h"
#include "air-cli-zone.h"
#include "air-cli-zones.h"
#include "air-error.h"
#include "air-json.h"
#include "air-line-reader.h"
#include "air-names.h"
#include "air-zone-registry.h"

#define EXIT_USAGE AIR_CLI_EXIT_USAGE

/* How long a stopped `qair events` gives its child to end before it is killed. */
#define EVENTS_STOP_GRACE 3

static AirZoneRegistry *registry;

static int
fail (GError *error)
{
  g_printerr ("qair: %s\n", error->message);
  return 1;
}

/* "qair: MESSAGE", then where to read how the command is used. */
static int
usage (const char *message)
{
  const char *prgname = g_get_prgname ();

  g_printerr ("qair: %s\n", message);
  if (prgname != NULL && g_str_has_prefix (prgname, "qair "))
    g_printerr (_("qair: “%s --help” shows how to use it.\n"), prgname);
  else
    g_printerr (_("qair: “qair help” lists the commands.\n"));
  return EXIT_USAGE;
}

static gboolean
load_registry (GError **error)
{
  if (registry != NULL)
    return TRUE;
  registry = air_zone_registry_new (NULL);
  if (air_zone_registry_load (registry, error))
    return TRUE;
  g_clear_object (&registry);
  return FALSE;
}

/* Runs an async zone call to completion on the default context. */
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

static const char *current_usage (void);

/* A command's options; its --help starts with its full usage line, as
 * `qair help` shows it. */
static GOptionContext *
command_context (const char         *parameters,
                 const char         *summary,
                 const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameters);
  const char *usage = current_usage ();
  g_autofree char *text = NULL;

  if (usage != NULL)
    text = g_strconcat (usage, summary != NULL ? "\n\n" : NULL, summary, NULL);
  else
    text = g_strdup (summary);
  if (text != NULL)
    g_option_context_set_summary (context, text);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  return context;
}

/* Splits "OPTIONS… -- CMD…" so that the command's own options are never
 * taken for ours: returns the index of "--", or @argc. */
static int
find_separator (int    argc,
                char **argv)
{
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--") == 0)
      return i;
  return argc;
}

/* Rows of `qair ls`: sorted as people read names (q2 before q10), then by zone. */
static int
compare_qubes (gconstpointer a,
               gconstpointer b)
{
  AirQube *qa = *(AirQube **) a, *qb = *(AirQube **) b;
  int order = air_name_collate (air_qube_get_name (qa), air_qube_get_name (qb));

  return order != 0 ? order : air_name_collate (air_qube_get_zone (qa), air_qube_get_zone (qb));
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
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_filter, N_("Only this zone"), N_("ZONE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = command_context (NULL, _("List the qubes of every zone."), entries);
  g_autoptr(GString) out = g_string_new ("{\"qubes\":[");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) zones = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  int status = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (error->message);
  if (argc != 1)
    return usage (_("“ls” takes no arguments: qair ls [--zone ZONE] [--json]"));
  if (!load_registry (&error))
    return fail (error);

  if (zone_filter != NULL)
    {
      AirZone *zone = air_cli_find_zone (registry, zone_filter, &error);

      if (zone == NULL)
        return fail (error);
      zones = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (zones, g_object_ref (zone));
    }
  else
    zones = air_cli_all_zones (registry);

  answers = air_cli_ask_zones (registry, zones, FALSE, air_cli_list_call);
  for (guint i = 0; i < answers->len; i++)
    {
      AirCliAnswer *answer = g_ptr_array_index (answers, i);
      g_autoptr(GError) zone_error = NULL;
      g_autoptr(GPtrArray) qubes = air_cli_list_answers (answer, &zone_error);

      if (qubes == NULL)
        {
          air_cli_report_down (answer->zone, zone_error);
          status = 1;
          continue;
        }
      g_ptr_array_extend_and_steal (rows, g_steal_pointer (&qubes));
    }
  g_ptr_array_sort (rows, compare_qubes);

  if (!json)
    g_print ("%-31s %-12s %-9s %-12s %-16s %-7s %6s %3s\n", _("NAME"), _("ZONE"), _("STATE"),
             _("CLASS"), _("TEMPLATE"), _("LABEL"), _("MEMORY"), _("CPU"));

  for (guint j = 0; j < rows->len; j++)
    {
      AirQube *qube = g_ptr_array_index (rows, j);

      if (json)
        {
          g_string_append (out, j == 0 ? "{\"zone\":" : ",{\"zone\":");
          air_json_append_string (out, air_qube_get_zone (qube));
          g_string_append (out, ",\"qube\":");
          air_protocol_append_qube (out, qube);
          g_string_append_c (out, '}');
        }
      else
        print_qube_row (qube);
    }

  if (json)
    {
      g_string_append (out, "]}\n");
      g_print ("%s", out->str);
    }

  return status;
}

static void
info_call (AirZone             *zone,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  air_zone_refresh_info_async (zone, cancellable, callback, user_data);
}

static int
cmd_zones (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = command_context (NULL, _("List the zones, each with its health."), entries);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) zones = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GHashTable) key_places = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (error->message);
  if (argc != 1)
    return usage (_("“zones” takes no arguments: qair zones [--json]"));
  if (!load_registry (&error))
    return fail (error);

  zones = air_cli_all_zones (registry);
  answers = air_cli_ask_zones (registry, zones, FALSE, info_call);
  key_places = air_cli_wireguard_key_places (registry, zones);

  if (json)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "zones");
      json_builder_begin_array (builder);
    }
  else
    g_print ("%-16s %-24s %-8s %-10s %-14s %-5s %s\n", _("ZONE"), _("GATEWAY"), _("DRIVER"), _("HEALTH"),
             _("ISOLATION"), _("DISKS"), _("TEMPLATES"));

  for (guint i = 0; i < answers->len; i++)
    {
      AirCliAnswer *answer = g_ptr_array_index (answers, i);
      AirZone *zone = answer->zone;
      g_autoptr(GError) zone_error = NULL;
      g_autofree char *templates = NULL;
      g_autofree char *reason = NULL;
      g_autofree char *isolation = NULL;

      if (!air_zone_refresh_info_finish (zone, answer->result, &zone_error))
        {
          air_cli_answer_fix_error (answer, &zone_error);
          air_cli_report_down (zone, zone_error);
          air_zone_set_health (zone, AIR_HEALTH_DOWN, zone_error->message);
        }

      templates = g_strjoinv (",", (char **) air_zone_get_templates (zone));
      /* "vm (tcg)": a VM zone says whether it has hardware acceleration. */
      isolation = air_zone_get_acceleration (zone)[0] != '\0'
                  ? g_strdup_printf ("%s (%s)", air_isolation_to_string (air_zone_get_isolation (zone)),
                                     air_zone_get_acceleration (zone))
                  : g_strdup (air_isolation_to_string (air_zone_get_isolation (zone)));
      reason = air_text_sanitize (air_zone_get_health_reason (zone), -1, 300);
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
          json_builder_add_string_value (builder, reason);
          json_builder_set_member_name (builder, "isolation");
          json_builder_add_string_value (builder, air_isolation_to_string (air_zone_get_isolation (zone)));
          json_builder_set_member_name (builder, "acceleration");
          json_builder_add_string_value (builder, air_zone_get_acceleration (zone));
          /* "luks", "none", or "" when the zone did not say. */
          json_builder_set_member_name (builder, "disk_encryption");
          json_builder_add_string_value (builder, air_zone_get_disk_encryption (zone));
          if (g_hash_table_contains (key_places, air_zone_get_name (zone)))
            {
              json_builder_set_member_name (builder, "wireguard_key");
              json_builder_add_string_value (builder, g_hash_table_lookup (key_places, air_zone_get_name (zone)));
            }
          json_builder_set_member_name (builder, "templates");
          json_builder_begin_array (builder);
          for (const char * const *t = air_zone_get_templates (zone); t != NULL && *t != NULL; t++)
            json_builder_add_string_value (builder, *t);
          json_builder_end_array (builder);
          json_builder_end_object (builder);
        }
      else
        g_print ("%-16s %-24s %-8s %-10s %-14s %-5s %s%s%s\n", air_zone_get_name (zone), air_zone_get_gateway (zone),
                 air_zone_get_driver (zone), air_health_to_string (air_zone_get_health (zone)),
                 isolation, air_zone_get_disk_encryption (zone)[0] ? air_zone_get_disk_encryption (zone) : "-",
                 templates, reason[0] ? "  " : "", reason);
    }

  if (json)
    {
      g_autofree char *text = NULL;

      json_builder_end_array (builder);
      json_builder_end_object (builder);
      text = air_json_builder_to_line (builder);
      g_print ("%s", text);
    }
  else
    air_cli_print_key_notes (key_places);
  return 0;
}

static int
cmd_create (int argc, char **argv)
{
  g_autofree char *zone_name = NULL;
  g_autofree char *template_name = NULL;
  g_autofree char *label = NULL;
  g_autofree char *zone_part = NULL;
  int memory = 400, vcpus = 2;
  gboolean network = FALSE;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_name, N_("Zone to create the qube in"), N_("ZONE") },
    { "template", 't', 0, G_OPTION_ARG_STRING, &template_name, N_("Template (default: host)"), N_("TEMPLATE") },
    { "label", 'l', 0, G_OPTION_ARG_STRING, &label, N_("Label colour (default: red)"), N_("LABEL") },
    { "memory", 'm', 0, G_OPTION_ARG_INT, &memory, N_("Memory in MiB (default: 400)"), N_("MIB") },
    { "vcpus", 'c', 0, G_OPTION_ARG_INT, &vcpus, N_("Number of vCPUs (default: 2)"), N_("N") },
    { "network", 'n', 0, G_OPTION_ARG_NONE, &network,
      N_("Give the qube the zone host's network (default: only its own loopback)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = command_context (_("[ZONE:]NAME"), _("Create a qube in a zone."), entries);
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) qube = NULL;
  Wait wait = { g_main_context_default (), NULL };
  const char *name, *colon;
  AirZone *zone;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (error->message);
  if (argc != 2)
    return usage (_("create takes one qube name: qair create NAME --zone ZONE"));
  name = argv[1];
  if ((colon = strchr (name, ':')) != NULL)
    {
      zone_part = g_strndup (name, colon - name);
      name = colon + 1;
      if (zone_name != NULL && strcmp (zone_name, zone_part) != 0)
        return usage (_("The zone is named twice, differently"));
      g_free (zone_name);
      zone_name = g_strdup (zone_part);
    }
  if (zone_name == NULL)
    return usage (_("Say which zone: --zone ZONE (“qair zones” lists them)"));
  if (!air_name_validate (name, "qube", &error))
    return fail (error);
  if (!load_registry (&error) || (zone = air_cli_find_zone (registry, zone_name, &error)) == NULL)
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
  spec->network = network;

  air_zone_create_qube_async (zone, name, spec, NULL, wait_cb, &wait);
  qube = air_zone_create_qube_finish (zone, wait_for (&wait), &error);
  g_object_unref (wait.result);
  if (qube == NULL)
    return fail (error);
  return 0;
}

typedef struct {
  AirZoneAction  action;
  const char    *name;
} ActionCall;

static ActionCall action_call;

static void
action_cb (AirZone             *zone,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  air_zone_qube_action_async (zone, action_call.action, action_call.name, cancellable, callback, user_data);
}

static int
cmd_action (AirZoneAction   action,
            const char     *summary,
            int             argc,
            char          **argv)
{
  g_autofree char *zone_name = NULL;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_name, N_("The qube’s zone, where two zones have the name"), N_("ZONE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = command_context (_("[ZONE:]NAME"), summary, entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) zones = g_ptr_array_new ();
  g_autoptr(GPtrArray) answers = NULL;
  g_autofree char *name = NULL;
  AirCliAnswer *answer;
  AirZone *zone;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (error->message);
  if (argc != 2)
    return usage (_("Give exactly one qube name"));
  if (!load_registry (&error) ||
      (zone = air_cli_find_qube (registry, argv[1], zone_name, &name, &error)) == NULL)
    return fail (error);

  action_call.action = action;
  action_call.name = name;
  g_ptr_array_add (zones, zone);
  answers = air_cli_ask_zones (registry, zones, TRUE, action_cb);
  answer = g_ptr_array_index (answers, 0);
  if (!air_zone_qube_action_finish (zone, answer->result, &error))
    {
      air_cli_answer_fix_error (answer, &error);
      return fail (error);
    }
  return 0;
}

static int
cmd_start (int argc, char **argv)
{
  return cmd_action (AIR_ZONE_ACTION_START, _("Start a qube."), argc, argv);
}

static int
cmd_shutdown (int argc, char **argv)
{
  return cmd_action (AIR_ZONE_ACTION_SHUTDOWN, _("Shut a qube down."), argc, argv);
}

static int
cmd_kill (int argc, char **argv)
{
  return cmd_action (AIR_ZONE_ACTION_KILL, _("Stop a qube at once."), argc, argv);
}

static int
cmd_rm (int argc, char **argv)
{
  return cmd_action (AIR_ZONE_ACTION_REMOVE, _("Remove a qube and its data."), argc, argv);
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

typedef struct {
  GInputStream *stream;
  int           fd;
  const char   *prefix;   /* before each line, or NULL */
} Filter;

/* Copies a stream to a terminal, replacing control characters that could
 * drive it (escape sequences) but keeping newlines and tabs; with a
 * prefix, each line is marked as not ours ("qair: zone “x”: …"). */
static void
filter_to_fd (Filter *filter)
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

static gpointer
filter_thread (gpointer data)
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
  Filter err_filter = { NULL, STDERR_FILENO, NULL };
  Filter out_filter = { NULL, STDOUT_FILENO, NULL };

  if (tty_out)
    flags |= G_SUBPROCESS_FLAGS_STDOUT_PIPE;

  process = air_zone_spawn (zone, verb, arg, flags, &error);
  if (process == NULL)
    return fail (error);

  header = air_run_header_to_line ((const char * const *) command, "user");
  if (!g_output_stream_write_all (g_subprocess_get_stdin_pipe (process), header, strlen (header),
                                  NULL, NULL, &error))
    return fail (error);

  err_filter.stream = g_subprocess_get_stderr_pipe (process);
  err_thread = g_thread_new ("stderr", filter_thread, &err_filter);
  if (tty_out)
    {
      out_filter.stream = g_subprocess_get_stdout_pipe (process);
      out_thread = g_thread_new ("stdout", filter_thread, &out_filter);
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

static int
cmd_run (int argc, char **argv)
{
  g_autofree char *zone_name = NULL;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_name, N_("The qube’s zone, where two zones have the name"), N_("ZONE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = command_context (_("[ZONE:]NAME -- COMMAND [ARG…]"),
                                                       _("Run a command in a qube, with this terminal’s "
                                                         "input and output; the exit status is the command’s."),
                                                       entries);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  int separator = find_separator (argc, argv);
  int n_ours = separator;
  AirZone *zone;

  /* qair run [--zone Z] NAME -- CMD [ARG...]: only what is before "--" is ours. */
  if (!g_option_context_parse (context, &n_ours, &argv, &error))
    return usage (error->message);
  if (n_ours != 2 || separator + 1 >= argc)
    return usage (_("Use: qair run [--zone ZONE] NAME -- COMMAND [ARG…]"));
  if (!load_registry (&error) ||
      (zone = air_cli_find_qube (registry, argv[1], zone_name, &name, &error)) == NULL)
    return fail (error);
  return run_streaming (zone, "qubesair.Run", name, argv + separator + 1);
}

static int
cmd_dispvm (int argc, char **argv)
{
  g_autofree char *zone_name = NULL;
  g_autofree char *template_name = NULL;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_name, N_("Zone to run the disposable in"), N_("ZONE") },
    { "template", 't', 0, G_OPTION_ARG_STRING, &template_name, N_("Template (default: host)"), N_("TEMPLATE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = command_context (_("-- COMMAND [ARG…]"),
                                                       _("Run a command in a new disposable qube, "
                                                         "destroyed when the command ends."),
                                                       entries);
  g_autoptr(GError) error = NULL;
  int separator = find_separator (argc, argv);
  int n_ours = separator;
  AirZone *zone;

  /* qair dispvm --zone Z [--template T] -- CMD [ARG...] */
  if (!g_option_context_parse (context, &n_ours, &argv, &error))
    return usage (error->message);
  if (n_ours != 1 || zone_name == NULL || separator + 1 >= argc)
    return usage (_("Use: qair dispvm --zone ZONE [--template TEMPLATE] -- COMMAND [ARG…]"));
  if (!load_registry (&error) ||
      (zone = air_cli_find_zone (registry, zone_name, &error)) == NULL ||
      !air_name_validate (template_name ? template_name : "host", "template", &error))
    return fail (error);
  return run_streaming (zone, "qubesair.Disposable", template_name ? template_name : "host",
                        argv + separator + 1);
}

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

static int
cmd_events (int argc, char **argv)
{
  g_autofree char *zone_name = NULL;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_name, N_("The zone to follow (default: local)"), N_("ZONE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = command_context (NULL,
                                                       _("Print a zone’s events (qubes added, removed, "
                                                         "changed; the zone’s health) until stopped."),
                                                       entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(AirLineReader) reader = NULL;
  g_autofree char *prefix = NULL;
  Filter err_filter = { NULL, STDERR_FILENO, NULL };
  Stop stop = { NULL, 0, 0 };
  GThread *err_thread;
  guint sigint_id, sigterm_id;
  AirZone *zone;
  int status = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (error->message);
  if (argc != 1)
    return usage (_("Use: qair events [--zone ZONE]"));
  if (!load_registry (&error) ||
      (zone = air_cli_find_zone (registry, zone_name ? zone_name : "local", &error)) == NULL)
    return fail (error);

  /* Our stdin pipe stays open while we follow: the service ends when it closes. */
  process = air_zone_spawn (zone, "qubesair.Events", NULL,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (process == NULL)
    return fail (error);

  stop.process = process;
  sigint_id = g_unix_signal_add (SIGINT, events_sigint_cb, &stop);
  sigterm_id = g_unix_signal_add (SIGTERM, events_sigterm_cb, &stop);

  /* The gateway's stderr is the zone's text: filtered, and marked as its. */
  prefix = g_strdup_printf (_("qair: zone “%s”: "), air_zone_get_name (zone));
  err_filter.stream = g_subprocess_get_stderr_pipe (process);
  err_filter.prefix = prefix;
  err_thread = g_thread_new ("stderr", filter_thread, &err_filter);

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
        {
          if (error != NULL && stop.signum == 0)
            status = fail (error);
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

static int
cmd_copy (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  if (!load_registry (&error))
    return fail (error);
  return air_cli_copy_main (registry, argc, argv);
}

/* Commands with their own subcommands, each its own usage. */
static int
cmd_cred (int argc, char **argv)
{
  return air_cli_cred_main (argc, argv);
}

static int
cmd_key (int argc, char **argv)
{
  return air_cli_key_main (argc, argv);
}

static int
cmd_zone (int argc, char **argv)
{
  return air_cli_zone_main (argc, argv);
}

static int
cmd_prefs (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  if (!load_registry (&error))
    return fail (error);
  return air_cli_prefs_main (registry, argc, argv);
}

static int
cmd_remotevm (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  if (!load_registry (&error))
    return fail (error);
  return air_cli_remotevm_main (registry, argc, argv);
}

static int
cmd_template (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  if (!load_registry (&error))
    return fail (error);
  return air_cli_template_main (registry, argc, argv);
}

static int
cmd_config (int argc, char **argv)
{
  return air_cli_config_main (argc, argv);
}

typedef struct {
  const char *name;
  const char *usage;       /* its lines in `qair help`, each "qair NAME …" */
  int       (*run) (int argc, char **argv);
  gboolean    subcommands; /* "qair NAME SUB …": help is the usage lines */
} Command;

/* The order `qair help` shows. The man page (doc/man/qair.1) and the bash
 * completion (data/bash-completion/qair) list the same commands: a test
 * checks each against this list. */
static const Command commands[] = {
  { "zones", N_("qair zones [--json]"), cmd_zones, FALSE },
  { "ls", N_("qair ls [--zone ZONE] [--json]"), cmd_ls, FALSE },
  { "create", N_("qair create [ZONE:]NAME --zone ZONE [--template TEMPLATE] [--label LABEL] [--memory MIB] [--vcpus N] [--network]"), cmd_create, FALSE },
  { "start", N_("qair start [--zone ZONE] [ZONE:]NAME"), cmd_start, FALSE },
  { "shutdown", N_("qair shutdown [--zone ZONE] [ZONE:]NAME"), cmd_shutdown, FALSE },
  { "kill", N_("qair kill [--zone ZONE] [ZONE:]NAME"), cmd_kill, FALSE },
  { "rm", N_("qair rm [--zone ZONE] [ZONE:]NAME"), cmd_rm, FALSE },
  { "prefs", N_("qair prefs [--zone ZONE] [ZONE:]NAME [--json]\n"
                 "qair prefs [--zone ZONE] [ZONE:]NAME [--label LABEL] [--memory MIB] [--vcpus N]"), cmd_prefs, FALSE },
  { "run", N_("qair run [--zone ZONE] [ZONE:]NAME -- COMMAND [ARG…]"), cmd_run, FALSE },
  { "dispvm", N_("qair dispvm --zone ZONE [--template TEMPLATE] -- COMMAND [ARG…]"), cmd_dispvm, FALSE },
  { "events", N_("qair events [--zone ZONE]"), cmd_events, FALSE },
  { "copy", N_("qair copy [--zone ZONE] PATH… [ZONE:]DEST_QUBE\n"
                "qair copy [--from-zone ZONE] [--zone ZONE] SRC_QUBE:PATH… [ZONE:]DEST_QUBE"), cmd_copy, FALSE },
  { "cred", N_("qair cred put ZONE --kind KIND --label LABEL [--gateway QUBE] < SECRET\n"
                "qair cred ls [--json]\n"
                "qair cred rm ZONE [--kind KIND]"), cmd_cred, TRUE },
  { "key", N_("qair key generate --zone ZONE [--gateway QUBE] [--label LABEL] [--replace]\n"
               "qair key generate --kind age NAME [--label LABEL]"), cmd_key, TRUE },
  { "zone", N_("qair zone add NAME [--driver local|ssh] [--gateway QUBE] [--host HOST] [--port PORT] [--user USER]\n"
                "              [--agent PATH] [--timeout SECONDS] [--wireguard HOST:PORT [--wireguard-peer-key KEY]]\n"
                "              [--fingerprint SHA256:…]\n"
                "qair zone add NAME --driver proxmox --url https://HOST:8006 --node NODE [--pool POOL] [--storage STORAGE]\n"
                "              [--fingerprint SHA256:…]\n"
                "qair zone trust NAME [--fingerprint SHA256:…]\n"
                "qair zone up NAME\n"
                "qair zone rekey NAME\n"
                "qair zone rm NAME"), cmd_zone, TRUE },
  { "config", N_("qair config export [--zone ZONE] [--recipient age1… | --recipient-file FILE | --passphrase]\n"
                  "                   [--output FILE] [--with-secrets [--yes]]\n"
                  "qair config import FILE [--identity FILE | --identity-in-vault NAME | --passphrase]\n"
                  "                   [--replace] [--yes]"), cmd_config, TRUE },
  { "template", N_("qair template ls [--zone ZONE] [--json]\n"
                    "qair template import NAME --zone ZONE ROOTFS.tar[.gz|.xz|.zst]\n"
                    "qair template create NAME --zone ZONE --from BASE [--package PKG|FILE.deb …] [--run CMD]\n"
                    "qair template update [ZONE:]NAME [--package PKG|FILE.deb …] [--run CMD] [--upgrade]\n"
                    "qair template rollback [ZONE:]NAME\n"
                    "qair template rm [ZONE:]NAME"), cmd_template, TRUE },
  { "remotevm", N_("qair remotevm script --zone ZONE [--format sh|sls] [QUBE…]"), cmd_remotevm, TRUE },
  { "help", N_("qair help [COMMAND]"), NULL, FALSE },
};

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

/* The usage line of the command being run (its program name is "qair NAME"). */
static const char *
current_usage (void)
{
  const char *prgname = g_get_prgname ();
  const Command *command;

  if (prgname == NULL || !g_str_has_prefix (prgname, "qair ") ||
      (command = find_command (prgname + strlen ("qair "))) == NULL)
    return NULL;
  return _(command->usage);
}

static void
print_usage_lines (const Command *command,
                   gboolean       to_stderr)
{
  g_auto(GStrv) lines = g_strsplit (_(command->usage), "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (to_stderr)
      g_printerr ("  %s\n", lines[i]);
    else
      g_print ("  %s\n", lines[i]);
}

static int
cmd_help_all (gboolean to_stderr)
{
  const char *intro = _("Usage:\n");
  const char *outro = _("\n"
                        "A qube NAME may be written ZONE:NAME, or given --zone ZONE, where two zones have it.\n"
                        "“qair help COMMAND” or “qair COMMAND --help” shows a command’s options;\n"
                        "“man qair” tells more. qair --version prints the version.\n");

  if (to_stderr)
    g_printerr ("%s", intro);
  else
    g_print ("%s", intro);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    print_usage_lines (&commands[i], to_stderr);
  if (to_stderr)
    g_printerr ("%s", outro);
  else
    g_print ("%s", outro);
  return to_stderr ? EXIT_USAGE : 0;
}

static int
run_command (const Command  *command,
             int             argc,
             char          **argv);

/* `qair help COMMAND` is `qair COMMAND --help`. */
static int
cmd_help (int argc, char **argv)
{
  const Command *command;
  char *help_argv[] = { NULL, (char *) "--help", NULL };

  if (argc < 2)
    return cmd_help_all (FALSE);
  command = find_command (argv[1]);
  if (command == NULL || command->run == NULL)
    {
      g_autofree char *shown = air_text_sanitize (argv[1], -1, 40);
      g_autofree char *message = g_strdup_printf (_("Unknown command “%s”"), shown);

      if (command == NULL)
        return usage (message);
      return cmd_help_all (FALSE);
    }
  help_argv[0] = (char *) command->name;
  return run_command (command, 2, help_argv);
}

static int
run_command (const Command  *command,
             int             argc,
             char          **argv)
{
  g_autofree char *prgname = NULL;

  /* Usage lines read "qair ls [OPTION…]", "qair zone add [OPTION…]". */
  if (command->subcommands && argc >= 2 && argv[1][0] != '-' && air_name_is_valid (argv[1]))
    prgname = g_strdup_printf ("qair %s %s", command->name, argv[1]);
  else
    prgname = g_strdup_printf ("qair %s", command->name);
  g_set_prgname (prgname);

  if (command->subcommands &&
      (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      g_autofree char *summary = g_strdup_printf (_("Usage of “qair %s”:\n"), command->name);

      if (argc < 2)
        {
          g_printerr ("%s", summary);
          print_usage_lines (command, TRUE);
          return EXIT_USAGE;
        }
      g_print ("%s", summary);
      print_usage_lines (command, FALSE);
      return 0;
    }
  return command->run (argc, argv);
}

int
air_cli_main (int    argc,
              char **argv)
{
  const Command *command;
  int status;

  if (argc < 2)
    return cmd_help_all (TRUE);

  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-V") == 0)
    {
      g_print ("qair %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    return cmd_help_all (FALSE);

  command = find_command (argv[1]);
  if (command == NULL)
    {
      g_autofree char *shown = air_text_sanitize (argv[1], -1, 40);
      g_autofree char *message = g_strdup_printf (_("Unknown command “%s”"), shown);

      return usage (message);
    }

  if (command->run == NULL)
    status = cmd_help (argc - 1, argv + 1);
  else
    status = run_command (command, argc - 1, argv + 1);

  g_clear_object (&registry);
  return status;
}
