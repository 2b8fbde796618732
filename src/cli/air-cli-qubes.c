/* air-cli-qubes.c — qair ls, zones, create, start, shutdown, kill, rm
 *
 * Each is one service call to every zone asked (air-cli-zones.c gives
 * each a time limit); text from a zone is sanitised before it is printed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "air-cli.h"
#include "air-cli-qubes.h"
#include "air-cli-wait.h"
#include "air-cli-zones.h"
#include "air-json.h"
#include "air-names.h"
#include "air-protocol.h"

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

int
air_cli_cmd_ls (int argc, char **argv)
{
  g_autofree char *zone_filter = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_filter, N_("Only this zone"), N_("ZONE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = air_cli_command_context (NULL, _("List the qubes of every zone."), entries);
  g_autoptr(GString) out = g_string_new ("{\"qubes\":[");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) zones = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  int status = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage (error->message);
  if (argc != 1)
    return air_cli_usage (_("“ls” takes no arguments: qair ls [--zone ZONE] [--json]"));
  if (!air_cli_load_registry (&error))
    return air_cli_fail (error);

  if (zone_filter != NULL)
    {
      AirZone *zone = air_cli_find_zone (air_cli_registry (), zone_filter, &error);

      if (zone == NULL)
        return air_cli_fail (error);
      zones = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (zones, g_object_ref (zone));
    }
  else
    zones = air_cli_all_zones (air_cli_registry ());

  answers = air_cli_ask_zones (air_cli_registry (), zones, FALSE, air_cli_list_call);
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

int
air_cli_cmd_zones (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = air_cli_command_context (NULL, _("List the zones, each with its health."), entries);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) zones = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GHashTable) key_places = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage (error->message);
  if (argc != 1)
    return air_cli_usage (_("“zones” takes no arguments: qair zones [--json]"));
  if (!air_cli_load_registry (&error))
    return air_cli_fail (error);

  zones = air_cli_all_zones (air_cli_registry ());
  answers = air_cli_ask_zones (air_cli_registry (), zones, FALSE, info_call);
  key_places = air_cli_wireguard_key_places (air_cli_registry (), zones);

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

/* A slow create's progress (a Proxmox clone), on one line of the
 * terminal; text from the zone comes checked (air_progress_parse). */
static void
create_progress (int         percent,
                 const char *text,
                 gpointer    user_data)
{
  const char *name = user_data;
  /* Kept to one line of a narrow terminal, or \r cannot redraw it. */
  g_autofree char *shown = g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), 40));

  g_printerr ("\r\033[K");
  if (percent >= 0)
    /* Translators: qube name, percentage, what the zone is doing */
    g_printerr (_("Creating %s: %d%% %s"), name, percent, shown);
  else
    g_printerr (_("Creating %s: %s"), name, shown);
}

int
air_cli_cmd_create (int argc, char **argv)
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
  g_autoptr(GOptionContext) context = air_cli_command_context (_("[ZONE:]NAME"), _("Create a qube in a zone."), entries);
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) qube = NULL;
  g_auto(AirCliWait) wait = { 0 };
  gboolean terminal = isatty (STDERR_FILENO);
  const char *name, *colon;
  AirZone *zone;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage (error->message);
  if (argc != 2)
    return air_cli_usage (_("create takes one qube name: qair create NAME --zone ZONE"));
  name = argv[1];
  if ((colon = strchr (name, ':')) != NULL)
    {
      zone_part = g_strndup (name, colon - name);
      name = colon + 1;
      if (zone_name != NULL && strcmp (zone_name, zone_part) != 0)
        return air_cli_usage (_("The zone is named twice, differently"));
      g_free (zone_name);
      zone_name = g_strdup (zone_part);
    }
  if (zone_name == NULL)
    return air_cli_usage (_("Say which zone: --zone ZONE (“qair zones” lists them)"));
  if (!air_name_validate (name, "qube", &error))
    return air_cli_fail (error);
  if (!air_cli_load_registry (&error) || (zone = air_cli_find_zone (air_cli_registry (), zone_name, &error)) == NULL)
    return air_cli_fail (error);
  if (template_name != NULL)
    {
      if (!air_name_validate (template_name, "template", &error))
        return air_cli_fail (error);
      g_free (spec->template_name);
      spec->template_name = g_strdup (template_name);
    }
  if (label != NULL && !air_label_from_string (label, &spec->label))
    return air_cli_usage (_("Unknown label. Use one of: red, orange, yellow, green, gray, blue, purple, black"));
  if (memory < 1 || memory > AIR_PROTOCOL_MAX_MEMORY || vcpus < 1 || vcpus > AIR_PROTOCOL_MAX_VCPUS)
    return air_cli_usage (_("--memory and --vcpus must be positive and within the zone's limits"));
  spec->memory = memory;
  spec->vcpus = vcpus;
  spec->network = network;

  air_cli_wait_init_default (&wait);
  air_zone_create_qube_async (zone, name, spec, terminal ? create_progress : NULL, (gpointer) name,
                              NULL, air_cli_wait_cb, &wait);
  qube = air_zone_create_qube_finish (zone, air_cli_wait_finish (&wait), &error);
  if (terminal)
    g_printerr ("\r\033[K");
  if (qube == NULL)
    return air_cli_fail (error);
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
  g_autoptr(GOptionContext) context = air_cli_command_context (_("[ZONE:]NAME"), summary, entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) zones = g_ptr_array_new ();
  g_autoptr(GPtrArray) answers = NULL;
  g_autofree char *name = NULL;
  AirCliAnswer *answer;
  AirZone *zone;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage (error->message);
  if (argc != 2)
    return air_cli_usage (_("Give exactly one qube name"));
  if (!air_cli_load_registry (&error) ||
      (zone = air_cli_find_qube (air_cli_registry (), argv[1], zone_name, &name, &error)) == NULL)
    return air_cli_fail (error);

  action_call.action = action;
  action_call.name = name;
  g_ptr_array_add (zones, zone);
  answers = air_cli_ask_zones (air_cli_registry (), zones, TRUE, action_cb);
  answer = g_ptr_array_index (answers, 0);
  if (!air_zone_qube_action_finish (zone, answer->result, &error))
    {
      air_cli_answer_fix_error (answer, &error);
      return air_cli_fail (error);
    }
  return 0;
}

int
air_cli_cmd_start (int argc, char **argv)
{
  return cmd_action (AIR_ZONE_ACTION_START, _("Start a qube."), argc, argv);
}

int
air_cli_cmd_shutdown (int argc, char **argv)
{
  return cmd_action (AIR_ZONE_ACTION_SHUTDOWN, _("Shut a qube down."), argc, argv);
}

int
air_cli_cmd_kill (int argc, char **argv)
{
  return cmd_action (AIR_ZONE_ACTION_KILL, _("Stop a qube at once."), argc, argv);
}

int
air_cli_cmd_rm (int argc, char **argv)
{
  return cmd_action (AIR_ZONE_ACTION_REMOVE, _("Remove a qube and its data."), argc, argv);
}
