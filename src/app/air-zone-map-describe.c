/* air-zone-map-describe.c — the zone map in words
 *
 * What the map says of each zone where the picture is not enough: the
 * counts that replace dots, the link's name and round trip, and the texts
 * of the parts (tooltip, bottom line, screen reader).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-map"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-label-colors.h"
#include "air-zone-map-private.h"

/* What the dots would say, when they do not fit: counts by state. */
char *
_air_zone_map_summary_states (ZoneView *view)
{
  guint halted = view->by_state[AIR_QUBE_STATE_HALTED];
  guint other = view->qubes->len - view->n_running - halted;

  if (other > 0)
    /* Translators: counts of a zone's qubes by state, when its dots do not fit */
    return g_strdup_printf (_("%u running · %u halted · %u changing or crashed"),
                            view->n_running, halted, other);
  /* Translators: counts of a zone's qubes by state, when its dots do not fit */
  return g_strdup_printf (_("%u running · %u halted"), view->n_running, halted);
}

/* …and by label colour, the most used first. */
char *
_air_zone_map_summary_labels (ZoneView *view)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint order[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

  for (guint i = 1; i < 8; i++)
    for (guint j = i; j > 0 && view->by_label[order[j]] > view->by_label[order[j - 1]]; j--)
      {
        guint t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }

  for (guint i = 0; i < 8; i++)
    if (view->by_label[order[i]] > 0)
      g_string_append_printf (text, "%s%s %u", text->len ? " · " : "",
                              air_label_get_display_name (order[i]), view->by_label[order[i]]);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

const char *
_air_zone_map_link_display_name (const char *link)
{
  if (g_strcmp0 (link, "qrexec") == 0)
    return _("qrexec");
  if (g_strcmp0 (link, "ssh") == 0)
    return _("SSH");
  if (g_strcmp0 (link, "wireguard-ssh") == 0)
    /* Translators: the link from a gateway to its zone host */
    return _("WireGuard, then SSH");
  if (g_strcmp0 (link, "https") == 0)
    /* Translators: the link from a gateway to a Proxmox zone */
    return _("HTTPS API");
  /* Translators: the link from a gateway to its zone host, before it says */
  return _("link");
}

/* What a one-line card has room for: "down", the round trip, or the kind. */
char *
_air_zone_map_link_short (ZoneView *view)
{
  const char *link = air_zone_get_link (view->zone);
  guint rtt = air_zone_get_round_trip (view->zone);

  if (_air_zone_view_is_down (view))
    /* Translators: a zone is down, on a small card of the map */
    return g_strdup (_("down"));
  if (rtt >= 1000 && air_zone_get_health (view->zone) != AIR_HEALTH_UNKNOWN)
    /* Translators: a round trip in seconds, on a small card of the map */
    return g_strdup_printf (_("%.1f s"), rtt / 1000.0);
  if (rtt > 0 && air_zone_get_health (view->zone) != AIR_HEALTH_UNKNOWN)
    return g_strdup_printf (_("%u ms"), rtt);
  if (g_strcmp0 (link, "wireguard-ssh") == 0)
    /* Translators: WireGuard then SSH, on a small card of the map */
    return g_strdup (_("WG+SSH"));
  return g_strdup (_air_zone_map_link_display_name (link));
}

/* "SSH · 12 ms", or "SSH · down": what the link row says. */
char *
_air_zone_map_link_summary (ZoneView *view)
{
  const char *kind = _air_zone_map_link_display_name (air_zone_get_link (view->zone));
  guint rtt = air_zone_get_round_trip (view->zone);

  if (_air_zone_view_is_down (view))
    /* Translators: a link, and that it is down */
    return g_strdup_printf (_("%s · down"), kind);
  if (air_zone_get_health (view->zone) == AIR_HEALTH_UNKNOWN || rtt == 0)
    return g_strdup (kind);
  if (air_zone_get_health (view->zone) == AIR_HEALTH_DEGRADED)
    /* Translators: a link, its last round trip in milliseconds, and that it is degraded */
    return g_strdup_printf (_("%s · %u ms · degraded"), kind, rtt);
  /* Translators: a link and its last round trip in milliseconds */
  return g_strdup_printf (_("%s · %u ms"), kind, rtt);
}

char *
_air_zone_map_describe_zone (AirZoneMap *self,
                             ZoneView   *view)
{
  const char *reason = air_zone_get_health_reason (view->zone);
  g_autofree char *counts = NULL;

  /* Translators: how many qubes a zone has, and how many run */
  counts = g_strdup_printf (ngettext ("%u qube, %u running", "%u qubes, %u running", view->qubes->len),
                            view->qubes->len, view->n_running);
  if (reason != NULL && reason[0] != '\0')
    /* Translators: zone name, health, qube counts, reason */
    return g_strdup_printf (_("Zone %s: %s — %s. %s"),
                            air_zone_get_name (view->zone),
                            air_health_get_display_name (air_zone_get_health (view->zone)),
                            counts, reason);
  /* Translators: zone name, health, qube counts */
  return g_strdup_printf (_("Zone %s: %s — %s"),
                          air_zone_get_name (view->zone),
                          air_health_get_display_name (air_zone_get_health (view->zone)),
                          counts);
}

static char *
describe_age (gint64 when)
{
  gint64 age = MAX (0, g_get_real_time () / G_USEC_PER_SEC - when);

  if (age < 120)
    return g_strdup_printf (ngettext ("%u second ago", "%u seconds ago", (gulong) age), (guint) age);
  if (age < 7200)
    return g_strdup_printf (ngettext ("%u minute ago", "%u minutes ago", (gulong) (age / 60)),
                            (guint) (age / 60));
  return g_strdup_printf (ngettext ("%u hour ago", "%u hours ago", (gulong) (age / 3600)),
                          (guint) MIN (age / 3600, G_MAXUINT));
}

/* The three parts' names (short, what a screen reader says first) and
 * details (the tooltip, the map's bottom line and the accessible
 * description). */
static void
describe_parts (AirZoneMap *self,
                ZoneView   *view,
                char      **names,
                char      **details)
{
  AirZone *zone = view->zone;
  const char *name = air_zone_get_name (zone);
  g_autofree char *gateway = air_zone_dup_gateway_for (name);
  const char *endpoint = air_zone_get_endpoint (zone);
  const char *key = air_zone_get_host_key (zone);
  const char *reason = air_zone_get_health_reason (zone);
  const char *health = air_health_get_display_name (air_zone_get_health (zone));
  const char *link = _air_zone_map_link_display_name (air_zone_get_link (zone));
  g_autoptr(GString) text = g_string_new (NULL);
  guint rtt = air_zone_get_round_trip (zone);

  /* Translators: the accessible name of a zone's gateway qube on the map */
  names[AIR_ZONE_MAP_PART_GATEWAY] = g_strdup_printf (_("Gateway %s"), gateway);
  /* Translators: gateway qube, zone */
  g_string_append_printf (text, _("Gateway qube %s of zone %s"), gateway, name);
  if (endpoint[0] != '\0')
    g_string_append_printf (text, "\n%s %s", _("Endpoint:"), endpoint);
  else if (g_strcmp0 (air_zone_get_link (zone), "qrexec") == 0)
    g_string_append_printf (text, "\n%s", _("Endpoint: this machine, over qrexec"));
  if (key[0] != '\0')
    g_string_append_printf (text, "\n%s %s", _("Pinned host key:"), key);
  else if (g_strcmp0 (air_zone_get_link (zone), "qrexec") != 0)
    g_string_append_printf (text, "\n%s", _("No host key pinned yet: see “qair zone trust”"));
  {
    g_autofree char *key_place = _air_zone_map_describe_key_place (view);

    if (key_place != NULL)
      g_string_append_printf (text, "\n%s", key_place);
  }
  details[AIR_ZONE_MAP_PART_GATEWAY] = g_strdup (text->str);

  /* Translators: the accessible name of a link on the map: kind, gateway, zone, health */
  names[AIR_ZONE_MAP_PART_LINK] = g_strdup_printf (_("Link %s from %s to %s: %s"), link, gateway, name, health);
  g_string_truncate (text, 0);
  /* Translators: kind of link, gateway, zone, health */
  g_string_append_printf (text, _("%s from %s to zone %s: %s"), link, gateway, name, health);
  if (rtt > 0)
    {
      g_string_append_printf (text, "\n%s ", _("Last round trip:"));
      g_string_append_printf (text, ngettext ("%u millisecond", "%u milliseconds", rtt), rtt);
    }
  if (air_zone_get_handshake (zone) > 0)
    {
      g_autofree char *age = describe_age (air_zone_get_handshake (zone));
      g_string_append_printf (text, "\n%s %s", _("Last WireGuard handshake:"), age);
    }
  else if (g_strcmp0 (air_zone_get_link (zone), "wireguard-ssh") == 0)
    g_string_append_printf (text, "\n%s", _("No WireGuard handshake yet"));
  if (_air_zone_view_is_down (view))
    g_string_append_printf (text, "\n%s %s", _("Why it is down:"),
                            reason[0] ? reason : _("the zone cannot be reached"));
  else if (reason[0] != '\0')
    g_string_append_printf (text, "\n%s", reason);
  details[AIR_ZONE_MAP_PART_LINK] = g_strdup (text->str);

  /* Translators: the accessible name of a zone's host on the map: zone, health */
  names[AIR_ZONE_MAP_PART_HOST] = g_strdup_printf (_("Zone %s: %s"), name, health);
  g_string_truncate (text, 0);
  {
    g_autofree char *zone_text = _air_zone_map_describe_zone (self, view);
    g_string_append (text, zone_text);
  }
  /* Translators: a zone's backend (driver) and isolation */
  g_string_append_printf (text, "\n%s %s · %s %s", _("Backend:"), air_zone_get_driver (zone),
                          _("Isolation:"), air_zone_get_isolation_display_name (zone));
  /* What the zone says of its qubes' disks; nothing when it did not say. */
  if (g_strcmp0 (air_zone_get_disk_encryption (zone), "luks") == 0)
    g_string_append_printf (text, "\n%s", _("Qube disks encrypted (LUKS, keys in the vault)"));
  else if (g_strcmp0 (air_zone_get_disk_encryption (zone), "none") == 0)
    g_string_append_printf (text, "\n%s", _("Qube disks not encrypted"));
  if (view->dot <= 0 && view->qubes->len > 0)
    {
      g_autofree char *states = _air_zone_map_summary_states (view);
      g_autofree char *labels = _air_zone_map_summary_labels (view);
      g_string_append_printf (text, "\n%s\n%s\n%s", states, labels,
                              _("Press Enter to list them all."));
    }
  details[AIR_ZONE_MAP_PART_HOST] = g_strdup (text->str);
}

/* After layout: the host's details say whether its dots are summarised. */
void
_air_zone_map_update_part_texts (AirZoneMap *self)
{
  for (guint i = 0; i < self->views->len && i * AIR_ZONE_MAP_N_PARTS < self->parts->len; i++)
    {
      char *names[AIR_ZONE_MAP_N_PARTS], *details[AIR_ZONE_MAP_N_PARTS];

      describe_parts (self, &g_array_index (self->views, ZoneView, i), names, details);
      for (guint p = 0; p < AIR_ZONE_MAP_N_PARTS; p++)
        {
          air_zone_map_part_set_text (g_ptr_array_index (self->parts, i * AIR_ZONE_MAP_N_PARTS + p),
                                      names[p], details[p]);
          g_free (names[p]);
          g_free (details[p]);
        }
    }
}

void
_air_zone_map_update_accessible (AirZoneMap *self)
{
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autofree char *focused = NULL;

  /* Translators: the map, as a screen reader describes it before its parts */
  g_string_append (summary, _("Management qube, vault qube, and for each zone its gateway, "
                              "its link and its zone host. "));
  for (guint i = 0; i < self->views->len && i < 100; i++)
    {
      g_autofree char *text = _air_zone_map_describe_zone (self, &g_array_index (self->views, ZoneView, i));
      g_string_append (summary, text);
      g_string_append (summary, ". ");
    }

  if (self->focus < self->views->len)
    {
      g_autofree char *zone = _air_zone_map_describe_zone (self, &g_array_index (self->views, ZoneView, self->focus));
      /* Translators: the map's name for a screen reader, then its focused zone */
      focused = g_strdup_printf (_("Zone map: %s"), zone);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  focused ? focused : _("Zone map"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary->str,
                                  -1);
}
