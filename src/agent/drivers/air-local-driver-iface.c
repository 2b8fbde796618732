/* air-local-driver-iface.c — AirLocalDriver as an AirDriver
 *
 * Thin wrappers, so the bubblewrap backend keeps its own typed API.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-local-driver"

#include "config.h"

#include <glib/gi18n.h>

#include "air-driver.h"
#include "air-error.h"
#include "air-local-driver.h"
#include "air-local-templates.h"

#define LOCAL(d) AIR_LOCAL_DRIVER (d)

static const char *
get_zone_name (AirDriver *d)
{
  return air_local_driver_get_zone_name (LOCAL (d));
}

static const char *
get_qubes_dir (AirDriver *d)
{
  return air_local_driver_get_qubes_dir (LOCAL (d));
}

static const char *
get_run_dir (AirDriver *d)
{
  return air_local_driver_get_run_dir (LOCAL (d));
}

static AirZoneInfo *
get_info (AirDriver *d)
{
  return air_local_driver_get_info (LOCAL (d));
}

static GPtrArray *
list (AirDriver *d, GError **error)
{
  return air_local_driver_list (LOCAL (d), error);
}

static AirQube *
lookup (AirDriver *d, const char *name, GError **error)
{
  return air_local_driver_lookup (LOCAL (d), name, error);
}

static int
open_home (AirDriver *d, const char *name, GError **error)
{
  return air_local_driver_open_home (LOCAL (d), name, error);
}

static AirQube *
create (AirDriver *d, const char *name, const AirQubeSpec *spec, const AirProgressReporter *reporter,
        GError **error)
{
  return air_local_driver_create (LOCAL (d), name, spec, error);
}

static AirQube *
set_prefs (AirDriver *d, const char *name, const AirQubePrefs *prefs, GError **error)
{
  return air_local_driver_set_prefs (LOCAL (d), name, prefs, error);
}

static gboolean
remove_qube (AirDriver *d, const char *name, GError **error)
{
  return air_local_driver_remove (LOCAL (d), name, error);
}

static AirQube *
start (AirDriver *d, const char *name, GError **error)
{
  return air_local_driver_start (LOCAL (d), name, error);
}

static AirQube *
shutdown_qube (AirDriver *d, const char *name, GError **error)
{
  return air_local_driver_shutdown (LOCAL (d), name, error);
}

static AirQube *
kill_qube (AirDriver *d, const char *name, GError **error)
{
  return air_local_driver_kill (LOCAL (d), name, error);
}

static int
run (AirDriver *d, const char *name, const AirRunHeader *header, GError **error)
{
  return air_local_driver_run (LOCAL (d), name, header, error);
}

static int
disposable (AirDriver *d, const char *template_name, const AirRunHeader *header, GError **error)
{
  return air_local_driver_disposable (LOCAL (d), template_name, header, error);
}

static int
supervise (AirDriver *d, const char *name)
{
  return air_local_driver_supervise (LOCAL (d), name);
}

static GPtrArray *
list_templates (AirDriver *d, GError **error)
{
  AirTemplateStore *store = air_local_driver_get_templates (LOCAL (d));
  GPtrArray *templates;
  AirTemplate *host = air_template_new ("host");

  /* What a build killed half-way left goes first. */
  air_template_store_clean (store);
  templates = air_template_store_list (store);

  /* This machine's own system, shared read-only. */
  host->version = 1;
  host->read_only = TRUE;
  g_ptr_array_insert (templates, 0, host);
  return templates;
}

static AirTemplate *
import_template (AirDriver *d, const char *name, int tar_fd, const AirTemplateReporter *reporter, GError **error)
{
  air_template_store_clean (air_local_driver_get_templates (LOCAL (d)));
  return air_local_templates_import (air_local_driver_get_templates (LOCAL (d)), name, tar_fd, reporter, error);
}

static AirTemplate *
build_template (AirDriver *d, const char *name, const AirTemplateRequest *request, int files_fd,
                const AirTemplateReporter *reporter, GError **error)
{
  air_template_store_clean (air_local_driver_get_templates (LOCAL (d)));
  return air_local_templates_build (air_local_driver_get_templates (LOCAL (d)), name, request, files_fd,
                                    reporter, error);
}

static AirTemplate *
rollback_template (AirDriver *d, const char *name, GError **error)
{
  return air_template_store_rollback (air_local_driver_get_templates (LOCAL (d)), name, error);
}

static gboolean
remove_template (AirDriver *d, const char *name, GError **error)
{
  if (g_strcmp0 (name, "host") == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED,
                           _("“host” is this machine’s own system and cannot be removed."));
      return FALSE;
    }
  return air_template_store_remove (air_local_driver_get_templates (LOCAL (d)), name, error);
}

void
_air_local_driver_iface_init (AirDriverInterface *iface)
{
  iface->get_zone_name = get_zone_name;
  iface->get_qubes_dir = get_qubes_dir;
  iface->get_run_dir = get_run_dir;
  iface->get_info = get_info;
  iface->list = list;
  iface->lookup = lookup;
  iface->open_home = open_home;
  iface->create = create;
  iface->remove = remove_qube;
  iface->start = start;
  iface->shutdown = shutdown_qube;
  iface->kill = kill_qube;
  iface->run = run;
  iface->disposable = disposable;
  iface->set_prefs = set_prefs;
  iface->supervise = supervise;
  iface->list_templates = list_templates;
  iface->import_template = import_template;
  iface->build_template = build_template;
  iface->rollback_template = rollback_template;
  iface->remove_template = remove_template;
}
