/* air-cli-remotevm.c
 *
 *   qair remotevm script --zone ZONE [--format sh|sls] [QUBE…]
 *
 * prints what dom0 runs to know the zone's qubes (all, or those named) as
 * Qubes 4.3 RemoteVMs: the management qube cannot run dom0 commands, so
 * the user copies it there. The qubes' labels come from the zone's list.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-cli.h"
#include "air-cli-remotevm.h"
#include "air-cli-wait.h"
#include "air-cli-zones.h"
#include "air-names.h"
#include "air-remotevm.h"

#define COMMAND "qair remotevm script"

int
air_cli_remotevm_main (AirZoneRegistry  *registry,
                       int               argc,
                       char            **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) zones = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GPtrArray) qubes = NULL;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *zone_name = NULL;
  g_autofree char *format = NULL;
  g_autofree char *script = NULL;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_name, N_("The zone whose qubes dom0 is to know"), N_("ZONE") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      N_("sh: a script for a dom0 terminal (default); sls: a Salt state for qubesctl"), N_("FORMAT") },
    { NULL }
  };
  AirZone *zone;

  context = g_option_context_new (_("script [QUBE…] — what dom0 runs to use a zone's qubes as RemoteVMs"));
  g_option_context_set_description (context,
    _("Prints, for each qube (all of the zone's when none is named), the qvm-create of a Qubes 4.3 "
      "RemoteVM named ZONE-QUBE whose relay is the zone's gateway, and the policy that lets your "
      "qubes use it (asking each time). Run it in dom0: the management qube cannot."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, COMMAND, error->message);
  if (argc < 2 || strcmp (argv[1], "script") != 0)
    return air_cli_usage_error (context, COMMAND, _("Use: qair remotevm script --zone ZONE [QUBE…]"));
  if (zone_name == NULL)
    return air_cli_usage_error (context, COMMAND, _("Say which zone: --zone ZONE (“qair zones” lists them)"));
  if (format != NULL && strcmp (format, "sh") != 0 && strcmp (format, "sls") != 0)
    return air_cli_usage_error (context, COMMAND, _("--format is sh or sls"));
  for (int i = 2; i < argc; i++)
    if (!air_name_validate (argv[i], "qube", &error))
      return air_cli_fail (g_steal_pointer (&error));

  zone = air_cli_find_zone (registry, zone_name, &error);
  if (zone == NULL)
    return air_cli_fail (g_steal_pointer (&error));
  g_ptr_array_add (zones, g_object_ref (zone));
  answers = air_cli_ask_zones (registry, zones, FALSE, air_cli_list_call);
  qubes = air_cli_list_answers (g_ptr_array_index (answers, 0), &error);
  if (qubes == NULL)
    return air_cli_fail (g_steal_pointer (&error));

  for (int i = 2; i < argc; i++)
    if (!air_cli_qubes_have (qubes, argv[i]))
      {
        g_autofree char *text = g_strdup_printf (_("Zone “%s” has no qube called “%s”. "
                                                   "“qair ls --zone %s” lists them."),
                                                 zone_name, argv[i], zone_name);

        g_printerr ("qair: %s\n", text);
        return AIR_CLI_EXIT_FAILED;
      }
  for (guint i = 0; i < qubes->len; i++)
    {
      AirQube *qube = g_ptr_array_index (qubes, i);
      gboolean wanted = argc == 2;

      for (int j = 2; j < argc && !wanted; j++)
        wanted = strcmp (argv[j], air_qube_get_name (qube)) == 0;
      /* A disposable is gone before dom0 could use it. */
      if (wanted && air_qube_get_kind (qube) != AIR_QUBE_KIND_DISP_VM)
        g_ptr_array_add (chosen, qube);
    }

  script = air_remotevm_script (zone_name, air_zone_get_gateway (zone), (AirQube * const *) chosen->pdata,
                                chosen->len,
                                g_strcmp0 (format, "sls") == 0 ? AIR_REMOTEVM_FORMAT_SALT
                                                                : AIR_REMOTEVM_FORMAT_SHELL);
  g_print ("%s", script);
  return AIR_CLI_EXIT_OK;
}
