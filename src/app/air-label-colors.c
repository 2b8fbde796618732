/* air-label-colors.c
 *
 * The colours match the stylesheet (resources/style.css) and Qubes' own
 * label colours; the names are what the user reads.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-label-colors"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-label-colors.h"

static const char * const label_rgb[] = {
  "#cc0000", "#f57900", "#edd400", "#73d216",
  "#8c8c8c", "#3465a4", "#75507b", "#2e3436",
};

static const char * const health_rgb[] = {
  "#9a9996", "#26a269", "#e5a50a", "#e01b24",
};

void
air_label_get_rgba (AirLabel  label,
                    GdkRGBA  *rgba)
{
  if ((guint) label >= G_N_ELEMENTS (label_rgb))
    label = AIR_LABEL_GRAY;
  gdk_rgba_parse (rgba, label_rgb[label]);
}

void
air_health_get_rgba (AirHealth  health,
                     GdkRGBA   *rgba)
{
  if ((guint) health >= G_N_ELEMENTS (health_rgb))
    health = AIR_HEALTH_UNKNOWN;
  gdk_rgba_parse (rgba, health_rgb[health]);
}

const char *
air_label_get_css_class (AirLabel label)
{
  static const char * const classes[] = {
    "label-red", "label-orange", "label-yellow", "label-green",
    "label-gray", "label-blue", "label-purple", "label-black",
  };

  if ((guint) label >= G_N_ELEMENTS (classes))
    return "label-gray";
  return classes[label];
}

const char *
air_label_get_display_name (AirLabel label)
{
  switch (label)
    {
    case AIR_LABEL_RED: return _("Red");
    case AIR_LABEL_ORANGE: return _("Orange");
    case AIR_LABEL_YELLOW: return _("Yellow");
    case AIR_LABEL_GREEN: return _("Green");
    case AIR_LABEL_GRAY: return _("Gray");
    case AIR_LABEL_BLUE: return _("Blue");
    case AIR_LABEL_PURPLE: return _("Purple");
    case AIR_LABEL_BLACK: return _("Black");
    default: return _("Gray");
    }
}

const char *
air_qube_state_get_display_name (AirQubeState state)
{
  switch (state)
    {
    case AIR_QUBE_STATE_HALTED: return _("Halted");
    case AIR_QUBE_STATE_STARTING: return _("Starting");
    case AIR_QUBE_STATE_RUNNING: return _("Running");
    case AIR_QUBE_STATE_HALTING: return _("Halting");
    case AIR_QUBE_STATE_PAUSED: return _("Paused");
    case AIR_QUBE_STATE_CRASHED: return _("Crashed");
    case AIR_QUBE_STATE_UNKNOWN:
    default: return _("Unknown");
    }
}

const char *
air_qube_kind_get_display_name (AirQubeKind kind)
{
  /* Qubes' class names are the same in every language. */
  switch (kind)
    {
    case AIR_QUBE_KIND_APP_VM: return "AppVM";
    case AIR_QUBE_KIND_DISP_VM: return "DispVM";
    case AIR_QUBE_KIND_TEMPLATE_VM: return "TemplateVM";
    case AIR_QUBE_KIND_STANDALONE_VM: return "StandaloneVM";
    default: return "AppVM";
    }
}

const char *
air_health_get_display_name (AirHealth health)
{
  switch (health)
    {
    case AIR_HEALTH_UP: return _("Up");
    case AIR_HEALTH_DEGRADED: return _("Degraded");
    case AIR_HEALTH_DOWN: return _("Down");
    case AIR_HEALTH_UNKNOWN:
    default: return _("Connecting");
    }
}

const char *
air_isolation_get_display_name (AirIsolation isolation)
{
  switch (isolation)
    {
    case AIR_ISOLATION_NONE: return _("None — qubes are not isolated");
    case AIR_ISOLATION_NAMESPACES: return _("Namespaces (sandbox)");
    case AIR_ISOLATION_VM: return _("Virtual machines");
    case AIR_ISOLATION_UNKNOWN:
    default: return _("Unknown");
    }
}

/* The zone's isolation, with whether its VMs have hardware acceleration. */
const char *
air_zone_get_isolation_display_name (AirZone *zone)
{
  const char *acceleration = air_zone_get_acceleration (zone);

  if (air_zone_get_isolation (zone) == AIR_ISOLATION_VM && strcmp (acceleration, "kvm") == 0)
    return _("Virtual machines (KVM)");
  if (air_zone_get_isolation (zone) == AIR_ISOLATION_VM && strcmp (acceleration, "tcg") == 0)
    /* Translators: emulated, without hardware acceleration */
    return _("Virtual machines (TCG, no KVM)");
  return air_isolation_get_display_name (air_zone_get_isolation (zone));
}
