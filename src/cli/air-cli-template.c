/* air-cli-template.c
 *
 *   qair template ls [--zone ZONE] [--json]
 *   qair template import NAME --zone ZONE ROOTFS.tar[.gz|.xz|.zst]
 *   qair template create NAME --zone ZONE --from BASE [--package PKG|FILE.deb …] [--run CMD]
 *   qair template update [ZONE:]NAME [--package PKG|FILE.deb …] [--run CMD] [--upgrade]
 *   qair template rollback [ZONE:]NAME
 *   qair template rm [ZONE:]NAME
 *
 * Builds print each step as the zone host begins it and the guest's output
 * as it comes; what the zone sends is checked and cleaned before it is
 * printed (air-template.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "air-cli-template.h"
#include "air-cli-wait.h"
#include "air-cli-zones.h"
#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-template-call.h"

#define COMMAND "qair template"

static int
fail (GError *error)
{
  g_printerr ("qair: %s\n", error->message);
  g_error_free (error);
  return AIR_CLI_EXIT_FAILED;
}

/* Every zone (or the one named) asked for its templates at once, each
 * within its time limit. */
static GPtrArray *
ask_for_templates (AirZoneRegistry *registry,
                   const char      *zone_name)
{
  g_autoptr(GPtrArray) zones = air_cli_all_zones (registry);
  g_autoptr(GPtrArray) asked = g_ptr_array_new ();

  for (guint i = 0; i < zones->len; i++)
    if (zone_name == NULL || strcmp (air_zone_get_name (g_ptr_array_index (zones, i)), zone_name) == 0)
      g_ptr_array_add (asked, g_ptr_array_index (zones, i));
  return air_cli_ask_zones (registry, asked, FALSE, air_zone_list_templates_async);
}

static GPtrArray *
answered_templates (AirCliAnswer  *answer,
                    GError       **error)
{
  GPtrArray *templates = air_zone_list_templates_finish (answer->zone, answer->result, error);

  if (templates == NULL)
    air_cli_answer_fix_error (answer, error);
  return templates;
}

static char *
size_text (guint64 bytes)
{
  return bytes > 0 ? g_format_size (bytes) : g_strdup ("-");
}

static int
template_ls (AirZoneRegistry *registry,
             const char      *zone_name,
             gboolean         json)
{
  g_autoptr(GPtrArray) answers = ask_for_templates (registry, zone_name);
  gboolean printed_header = FALSE, failed = FALSE;

  if (json)
    g_print ("[");
  for (guint z = 0, n_json = 0; z < answers->len; z++)
    {
      AirCliAnswer *answer = g_ptr_array_index (answers, z);
      AirZone *zone = answer->zone;
      g_autoptr(GPtrArray) templates = NULL;
      g_autoptr(GError) error = NULL;

      templates = answered_templates (answer, &error);
      if (templates == NULL)
        {
          air_cli_report_down (zone, error);
          failed = TRUE;
          continue;
        }
      if (json)
        {
          g_autofree char *text = air_template_list_to_json (air_zone_get_name (zone), templates);

          g_strchomp (text);
          g_print ("%s%s", n_json++ > 0 ? "," : "", text);
          continue;
        }
      if (!printed_header)
        {
          /* TRANSLATORS: column headings of "qair template ls" */
          g_print ("%-12s %-20s %7s %9s %-16s %5s %-16s %s\n", _("ZONE"), _("NAME"), _("VERSION"), _("SIZE"),
                   _("BASE"), _("QUBES"), _("BUILT"), _("PACKAGES"));
          printed_header = TRUE;
        }
      for (guint i = 0; i < templates->len; i++)
        {
          AirTemplate *t = g_ptr_array_index (templates, i);
          g_autofree char *size = size_text (t->size);
          g_autofree char *packages = g_strjoinv (",", t->packages);
          g_autofree char *built = NULL;

          if (t->built > 0)
            {
              g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (t->built);

              built = when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M") : NULL;
            }
          g_print ("%-12s %-20s %7u %9s %-16s %5u %-16s %s\n", air_zone_get_name (zone), t->name, t->version, size,
                   t->base[0] != '\0' ? t->base : "-", t->users, built != NULL ? built : "-",
                   packages[0] != '\0' ? packages : "-");
        }
    }
  if (json)
    g_print ("]\n");
  return failed ? AIR_CLI_EXIT_FAILED : AIR_CLI_EXIT_OK;
}

typedef struct {
  GMainLoop   *loop;
  AirTemplate *done;
  GError      *error;
} Waiting;

static void
step_cb (AirTemplateCall *call,
         const char      *text,
         guint            index,
         guint            count,
         gpointer         user_data)
{
  g_print ("[%u/%u] %s\n", index, count, text);
}

static void
output_cb (AirTemplateCall *call,
           const char      *line,
           gpointer         user_data)
{
  g_print ("    %s\n", line);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Waiting *waiting = user_data;

  waiting->done = air_template_call_run_finish (AIR_TEMPLATE_CALL (object), result, &waiting->error);
  g_main_loop_quit (waiting->loop);
}

/* Runs @call with its steps and output on the terminal as they come. */
static int
build (AirTemplateCall *call)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Waiting waiting = { loop, NULL, NULL };
  g_autofree char *size = NULL;

  g_signal_connect (call, "step", G_CALLBACK (step_cb), NULL);
  g_signal_connect (call, "output", G_CALLBACK (output_cb), NULL);
  air_template_call_run_async (call, NULL, run_cb, &waiting);
  g_main_loop_run (loop);
  g_object_unref (call);
  if (waiting.done == NULL)
    return fail (waiting.error);
  size = size_text (waiting.done->size);
  g_print (_("Template “%s” is at version %u (%s).\n"), waiting.done->name, waiting.done->version, size);
  air_template_free (waiting.done);
  return AIR_CLI_EXIT_OK;
}

/* Rollback or Remove, as air_cli_ask_zones() calls it. */
static struct {
  const char *service;
  const char *name;
} action_call;

static void
template_action_call (AirZone             *zone,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  air_zone_template_action_async (zone, action_call.service, action_call.name, cancellable, callback, user_data);
}

/* [ZONE:]NAME and --zone, or the one zone that has the template. */
static AirZone *
find_template_zone (AirZoneRegistry  *registry,
                    const char       *arg,
                    const char       *zone_name,
                    char            **name,
                    GError          **error)
{
  const char *colon = strchr (arg, ':');
  g_autoptr(GPtrArray) answers = NULL;
  g_autofree char *prefix = NULL;
  AirZone *found = NULL;

  if (colon != NULL)
    {
      prefix = g_strndup (arg, colon - arg);
      arg = colon + 1;
      if (zone_name != NULL && strcmp (zone_name, prefix) != 0)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                       _("“%s:” and --zone %s name different zones"), prefix, zone_name);
          return NULL;
        }
      zone_name = prefix;
    }
  if (!air_name_validate (arg, "template", error))
    return NULL;
  *name = g_strdup (arg);
  if (zone_name != NULL)
    return air_cli_find_zone (registry, zone_name, error);

  answers = ask_for_templates (registry, NULL);
  for (guint i = 0; i < answers->len; i++)
    {
      AirCliAnswer *answer = g_ptr_array_index (answers, i);
      AirZone *zone = answer->zone;
      g_autoptr(GPtrArray) templates = answered_templates (answer, NULL);
      for (guint j = 0; templates != NULL && j < templates->len; j++)
        if (strcmp (((AirTemplate *) g_ptr_array_index (templates, j))->name, arg) == 0)
          {
            if (found != NULL)
              {
                g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                             _("Zones “%s” and “%s” both have a template “%s”: say which with --zone."),
                             air_zone_get_name (found), air_zone_get_name (zone), arg);
                return NULL;
              }
            found = zone;
          }
    }
  if (found == NULL)
    g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                 _("No zone that answered has a template “%s” (“qair template ls” lists them)."), arg);
  return found;
}

/* --package values: names to the request, files to @paths. */
static gboolean
add_packages (AirTemplateRequest  *request,
              char               **packages,
              GPtrArray           *paths,
              GError             **error)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint i = 0; packages != NULL && packages[i] != NULL; i++)
    {
      const char *p = packages[i];

      if (g_str_has_suffix (p, ".deb") || g_str_has_suffix (p, ".rpm") || strchr (p, '/') != NULL)
        {
          g_autoptr(GFile) file = g_file_new_for_commandline_arg (p);
          g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                                         G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                         G_FILE_QUERY_INFO_NONE, NULL, error);
          g_autofree char *base = g_file_get_basename (file);

          if (info == NULL)
            return FALSE;
          if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
            {
              g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("“%s” is not a file"), p);
              return FALSE;
            }
          if (!air_template_request_add_file (request, base, g_file_info_get_size (info), error))
            return FALSE;
          g_ptr_array_add (paths, g_strdup (p));
        }
      else if (!air_template_package_is_valid (p))
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME,
                       _("“%s” is not a package name: use letters, digits and + . _ - only, "
                         "or give a .deb or .rpm file"), p);
          return FALSE;
        }
      else
        g_strv_builder_add (names, p);
    }
  g_strfreev (request->packages);
  request->packages = g_strv_builder_end (names);
  if (g_strv_length (request->packages) > AIR_TEMPLATE_MAX_PACKAGES)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("At most %d packages can be asked for at once"), AIR_TEMPLATE_MAX_PACKAGES);
      return FALSE;
    }
  return TRUE;
}

int
air_cli_template_main (AirZoneRegistry  *registry,
                       int               argc,
                       char            **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AirTemplateRequest) request = air_template_request_new ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *zone_name = NULL;
  g_autofree char *from = NULL;
  g_autofree char *run = NULL;
  g_autofree char *name = NULL;
  g_auto(GStrv) packages = NULL;
  gboolean json = FALSE, upgrade = FALSE;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_name, N_("The template’s zone"), N_("ZONE") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("The template to build on (create)"), N_("BASE") },
    { "package", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &packages,
      N_("A package to install, by name or as a .deb or .rpm file (repeat for more)"), N_("PKG|FILE") },
    { "run", 0, 0, G_OPTION_ARG_STRING, &run, N_("A command to run as root in the template after the packages"), N_("CMD") },
    { "upgrade", 0, 0, G_OPTION_ARG_NONE, &upgrade, N_("Upgrade every package first (update)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the zones’ JSON (ls)"), NULL },
    { NULL }
  };
  const char *sub;
  AirZone *zone;

  context = g_option_context_new (_("ls|import|create|update|rollback|rm … — a zone’s templates"));
  g_option_context_set_description (context,
    _("A qube’s root comes from its template, read-only. “update” makes a new version that qubes see at "
      "their next start; the previous version is kept, and “rollback” goes back to it. Packages are "
      "installed with the template’s own apt-get or dnf; a .deb or .rpm file is copied in first."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, COMMAND, error->message);
  if (argc < 2)
    return air_cli_usage_error (context, COMMAND, _("Say what to do: ls, import, create, update, rollback or rm"));
  sub = argv[1];

  if (strcmp (sub, "ls") == 0)
    {
      if (argc != 2)
        return air_cli_usage_error (context, COMMAND, _("“ls” takes no names"));
      if (zone_name != NULL && (zone = air_cli_find_zone (registry, zone_name, &error)) == NULL)
        return fail (g_steal_pointer (&error));
      return template_ls (registry, zone_name, json);
    }

  if (strcmp (sub, "import") == 0 || strcmp (sub, "create") == 0)
    {
      gboolean create = strcmp (sub, "create") == 0;

      if (argc != (create ? 3 : 4))
        return air_cli_usage_error (context, COMMAND, create ? _("Use: qair template create NAME --zone ZONE --from BASE …")
                                                             : _("Use: qair template import NAME --zone ZONE ROOTFS.tar"));
      if (zone_name == NULL)
        return air_cli_usage_error (context, COMMAND, _("Say which zone: --zone ZONE (“qair zones” lists them)"));
      if (create && from == NULL)
        return air_cli_usage_error (context, COMMAND, _("Say which template to build on: --from BASE"));
      if (!air_name_validate (argv[2], "template", &error) ||
          (create && !air_name_validate (from, "template", &error)))
        return fail (g_steal_pointer (&error));
      zone = air_cli_find_zone (registry, zone_name, &error);
      if (zone == NULL)
        return fail (g_steal_pointer (&error));
      if (!create)
        {
          if (!g_file_test (argv[3], G_FILE_TEST_IS_REGULAR))
            {
              g_set_error (&error, AIR_ERROR, AIR_ERROR_NOT_FOUND, _("There is no file “%s”"), argv[3]);
              return fail (g_steal_pointer (&error));
            }
          return build (air_template_call_new_import (zone, argv[2], argv[3]));
        }
      g_free (request->base);
      request->base = g_strdup (from);
      g_free (request->run);
      request->run = g_strdup (run != NULL ? run : "");
      if (!add_packages (request, packages, paths, &error))
        return fail (g_steal_pointer (&error));
      return build (air_template_call_new_build (zone, argv[2], request, paths));
    }

  if (strcmp (sub, "update") != 0 && strcmp (sub, "rollback") != 0 && strcmp (sub, "rm") != 0)
    return air_cli_usage_error (context, COMMAND, _("Say what to do: ls, import, create, update, rollback or rm"));
  if (argc != 3)
    return air_cli_usage_error (context, COMMAND, _("Give exactly one template name"));
  zone = find_template_zone (registry, argv[2], zone_name, &name, &error);
  if (zone == NULL)
    return fail (g_steal_pointer (&error));

  if (strcmp (sub, "update") == 0)
    {
      request->upgrade = upgrade;
      g_free (request->run);
      request->run = g_strdup (run != NULL ? run : "");
      if (!add_packages (request, packages, paths, &error))
        return fail (g_steal_pointer (&error));
      if (request->packages[0] == NULL && request->files->len == 0 && request->run[0] == '\0' && !upgrade)
        return air_cli_usage_error (context, COMMAND, _("Nothing to update: give --package, --run or --upgrade"));
      return build (air_template_call_new_build (zone, name, request, paths));
    }

  {
    g_autoptr(GPtrArray) zones = g_ptr_array_new ();
    g_autoptr(GPtrArray) answers = NULL;
    g_autoptr(AirTemplate) template = NULL;
    AirCliAnswer *answer;

    action_call.service = strcmp (sub, "rollback") == 0 ? "qubesair.TemplateRollback" : "qubesair.TemplateRemove";
    action_call.name = name;
    g_ptr_array_add (zones, zone);
    answers = air_cli_ask_zones (registry, zones, TRUE, template_action_call);
    answer = g_ptr_array_index (answers, 0);
    if (!air_zone_template_action_finish (zone, answer->result, &template, &error))
      {
        air_cli_answer_fix_error (answer, &error);
        return fail (g_steal_pointer (&error));
      }
    if (template == NULL)
      g_print (_("Template “%s” removed from zone “%s”.\n"), name, air_zone_get_name (zone));
    else
      g_print (_("Template “%s” is back at version %u.\n"), template->name, template->version);
    return AIR_CLI_EXIT_OK;
  }
}
