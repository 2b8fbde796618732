/* air-cli-prefs.c
 *
 *   qair prefs [--zone ZONE] [ZONE:]NAME [--json]
 *   qair prefs [--zone ZONE] [ZONE:]NAME [--label LABEL] [--memory MIB] [--vcpus N]
 *
 * The twin of Qubes' qvm-prefs: without a change it prints the qube's
 * settings one per line (or as the zone's JSON); with one it asks the zone
 * to change them. Memory and vCPUs change only while the qube is halted;
 * the zone refuses otherwise and says how to go on.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-cli.h"
#include "air-cli-prefs.h"
#include "air-cli-wait.h"
#include "air-cli-zones.h"
#include "air-error.h"
#include "air-names.h"
#include "air-protocol.h"

#define COMMAND "qair prefs"

typedef struct {
  const char   *name;
  AirQubePrefs  prefs;
} PrefsCall;

static PrefsCall prefs_call;

static void
set_prefs_call (AirZone             *zone,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  air_zone_set_prefs_async (zone, prefs_call.name, &prefs_call.prefs, cancellable, callback, user_data);
}

static void
print_prefs (AirQube *qube)
{
  const char *template_name = air_qube_get_template (qube);
  const char *ip = air_qube_get_ip (qube);

  /* Keys and values as qvm-prefs prints them: not translated, for scripts. */
  g_print ("%-9s %s\n", "zone", air_qube_get_zone (qube));
  g_print ("%-9s %s\n", "state", air_qube_state_to_string (air_qube_get_state (qube)));
  g_print ("%-9s %s\n", "class", air_qube_kind_to_string (air_qube_get_kind (qube)));
  g_print ("%-9s %s\n", "template", template_name != NULL ? template_name : "");
  g_print ("%-9s %s\n", "label", air_label_to_string (air_qube_get_label (qube)));
  g_print ("%-9s %u\n", "memory", air_qube_get_memory (qube));
  g_print ("%-9s %u\n", "vcpus", air_qube_get_vcpus (qube));
  g_print ("%-9s %s\n", "network", air_qube_get_network (qube) ? "True" : "False");
  g_print ("%-9s %s\n", "ip", ip != NULL ? ip : "");
}

static int
show_prefs (AirZoneRegistry *registry,
            AirZone         *zone,
            const char      *name,
            gboolean         json)
{
  g_autoptr(GPtrArray) zones = g_ptr_array_new ();
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GPtrArray) qubes = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (zones, zone);
  answers = air_cli_ask_zones (registry, zones, FALSE, air_cli_list_call);
  qubes = air_cli_list_answers (g_ptr_array_index (answers, 0), &error);
  if (qubes == NULL)
    return air_cli_fail (error);

  for (guint i = 0; i < qubes->len; i++)
    {
      AirQube *qube = g_ptr_array_index (qubes, i);

      if (g_strcmp0 (air_qube_get_name (qube), name) != 0)
        continue;
      if (json)
        {
          g_autofree char *text = air_protocol_qube_to_json (qube);

          g_print ("%s%s", text, g_str_has_suffix (text, "\n") ? "" : "\n");
        }
      else
        print_prefs (qube);
      return AIR_CLI_EXIT_OK;
    }

  g_set_error (&error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
               _("There is no qube “%s” in zone “%s”."), name, air_zone_get_name (zone));
  return air_cli_fail (error);
}

int
air_cli_prefs_main (AirZoneRegistry  *registry,
                    int               argc,
                    char            **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) zones = g_ptr_array_new ();
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirQube) qube = NULL;
  g_autofree char *zone_name = NULL;
  g_autofree char *label = NULL;
  g_autofree char *name = NULL;
  int memory = 0, vcpus = 0;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_name, N_("The qube’s zone, where two zones have the name"), N_("ZONE") },
    { "label", 'l', 0, G_OPTION_ARG_STRING, &label, N_("New label colour"), N_("LABEL") },
    { "memory", 'm', 0, G_OPTION_ARG_INT, &memory, N_("New memory in MiB (only while the qube is halted)"), N_("MIB") },
    { "vcpus", 'c', 0, G_OPTION_ARG_INT, &vcpus, N_("New number of vCPUs (only while the qube is halted)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the qube as the zone’s JSON"), NULL },
    { NULL }
  };
  AirCliAnswer *answer;
  AirZone *zone;

  context = g_option_context_new (_("[ZONE:]NAME — show or change a qube’s settings"));
  g_option_context_set_description (context,
    _("Without a change, prints the qube’s settings. Memory and vCPUs are the machine’s own on "
      "zones that run qubes as VMs; they change only while the qube is halted, and take effect "
      "at its next start."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, COMMAND, error->message);
  if (argc != 2)
    return air_cli_usage_error (context, COMMAND, _("Give exactly one qube name"));

  memset (&prefs_call, 0, sizeof prefs_call);
  if (label != NULL)
    {
      if (!air_label_from_string (label, &prefs_call.prefs.label))
        return air_cli_usage_error (context, COMMAND,
                                    _("Unknown label. Use one of: red, orange, yellow, green, gray, blue, purple, black"));
      prefs_call.prefs.has_label = TRUE;
    }
  if (memory < 0 || memory > AIR_PROTOCOL_MAX_MEMORY || vcpus < 0 || vcpus > AIR_PROTOCOL_MAX_VCPUS)
    return air_cli_usage_error (context, COMMAND,
                                _("--memory and --vcpus must be positive and within the zone's limits"));
  prefs_call.prefs.memory = (guint) memory;
  prefs_call.prefs.vcpus = (guint) vcpus;
  if (json && (label != NULL || memory > 0 || vcpus > 0))
    return air_cli_usage_error (context, COMMAND, _("--json only shows settings: leave out the changes"));

  zone = air_cli_find_qube (registry, argv[1], zone_name, &name, &error);
  if (zone == NULL)
    return air_cli_fail (error);

  if (label == NULL && memory == 0 && vcpus == 0)
    return show_prefs (registry, zone, name, json);

  prefs_call.name = name;
  g_ptr_array_add (zones, zone);
  answers = air_cli_ask_zones (registry, zones, TRUE, set_prefs_call);
  answer = g_ptr_array_index (answers, 0);
  qube = air_zone_set_prefs_finish (zone, answer->result, &error);
  if (qube == NULL)
    {
      air_cli_answer_fix_error (answer, &error);
      return air_cli_fail (error);
    }
  return AIR_CLI_EXIT_OK;
}
