/* air-template-services.c — qubesair.Template* on a zone host
 *
 * The answers of air-template.h, written as the build goes. The caller's
 * going away ends this process (SIGPIPE) and the build's sandbox with it
 * (--die-with-parent); what it left is removed by the next call.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-template-services"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "air-agent.h"
#include "air-error.h"
#include "air-fd-io.h"
#include "air-json.h"
#include "air-names.h"
#include "air-template-services.h"

static const char * const services[] = {
  "qubesair.TemplateList", "qubesair.TemplateImport", "qubesair.TemplateCreate",
  "qubesair.TemplateUpdate", "qubesair.TemplateRollback", "qubesair.TemplateRemove",
};

gboolean
air_template_services_handles (const char *service)
{
  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    if (g_strcmp0 (service, services[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
write_text (const char *text)
{
  return air_fd_write_all (STDOUT_FILENO, text, strlen (text));
}

static void
report_step (gpointer    data,
             const char *text,
             guint       index,
             guint       count)
{
  g_autofree char *line = air_template_progress_step_line (text, index, count);

  write_text (line);
}

static void
report_output (gpointer    data,
               const char *text,
               gsize       len)
{
  g_autofree char *line = air_template_progress_output_line (text, len);

  write_text (line);
}

static int
finish (AirTemplate  *template,
        gboolean      as_progress,
        GError      **error)
{
  g_autofree char *line = NULL;

  if (template == NULL)
    return air_agent_fail (*error);
  line = as_progress ? air_template_progress_done_line (template) : air_template_to_json (template);
  air_template_free (template);
  return write_text (line) ? 0 : 1;
}

/* The request line: the package files follow it. */
static AirTemplateRequest *
read_request (gboolean   create,
              GError   **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *line = air_fd_read_line (STDIN_FILENO, AIR_JSON_MAX_LINE, &local_error);

  if (line == NULL)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           local_error != NULL ? _("The template request is too long") : _("The template request is missing"));
      return NULL;
    }
  return air_template_request_parse (line, strlen (line), create, error);
}

int
air_template_services_serve (AirDriver  *driver,
                             const char *service,
                             const char *arg)
{
  const AirTemplateReporter reporter = { report_step, report_output, NULL };
  g_autoptr(GError) error = NULL;

  if (strcmp (service, "qubesair.TemplateList") == 0)
    {
      g_autoptr(GPtrArray) templates = air_driver_list_templates (driver, &error);
      g_autofree char *json = NULL;

      if (templates == NULL)
        return air_agent_fail (error);
      json = air_template_list_to_json (air_driver_get_zone_name (driver), templates);
      return write_text (json) ? 0 : 1;
    }

  if (!air_name_validate (arg, "template", &error))
    return air_agent_fail (error);

  if (strcmp (service, "qubesair.TemplateImport") == 0)
    return finish (air_driver_import_template (driver, arg, STDIN_FILENO, &reporter, &error), TRUE, &error);
  if (strcmp (service, "qubesair.TemplateCreate") == 0 || strcmp (service, "qubesair.TemplateUpdate") == 0)
    {
      g_autoptr(AirTemplateRequest) request = read_request (strcmp (service, "qubesair.TemplateCreate") == 0, &error);

      if (request == NULL)
        return air_agent_fail (error);
      return finish (air_driver_build_template (driver, arg, request, STDIN_FILENO, &reporter, &error), TRUE, &error);
    }
  if (strcmp (service, "qubesair.TemplateRollback") == 0)
    return finish (air_driver_rollback_template (driver, arg, &error), FALSE, &error);
  /* qubesair.TemplateRemove */
  if (!air_driver_remove_template (driver, arg, &error))
    return air_agent_fail (error);
  return write_text ("{\"removed\":true}\n") ? 0 : 1;
}
