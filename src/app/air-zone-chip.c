/* air-zone-chip.c
 *
 * The inventory's line of zones: each shows its health as a coloured dot,
 * its qubes and running count, and when it is down, why (the reason comes
 * from the zone and was made safe by AirZone; it is shown as plain text).
 * It follows the zone's link (state, counts, reason) through one signal
 * group, pointed at the link again when the session's links change.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-chip"

#include "config.h"

#include <glib/gi18n.h>

#include "air-label-colors.h"
#include "air-zone-chip.h"

struct _AirZoneChip
{
  GtkWidget   parent_instance;

  /* Template widgets */
  GtkWidget  *health_dot;
  GtkLabel   *name;
  GtkLabel   *status;

  /* Owned references */
  AirSession   *session;
  AirZone      *zone;
  GSignalGroup *link_signals;   /* the zone's AirZoneLink */

  /* What the chip shows now: a count changes with every zone event, the
   * rest rarely, and setting a tooltip in GTK 4.8 asks the X server where
   * the pointer is (a round trip), so only what changed is set again. */
  char         *tooltip;
  int           health_shown;   /* -1: none yet */
};

G_DEFINE_FINAL_TYPE (AirZoneChip, air_zone_chip, GTK_TYPE_WIDGET)

static void
update (AirZoneChip *self)
{
  static const char * const health_classes[] = {
    "health-unknown", "health-up", "health-degraded", "health-down",
  };
  const char *zone = air_zone_get_name (self->zone);
  AirHealth health = air_zone_get_health (self->zone);
  g_autoptr(AirZoneLink) link = g_signal_group_dup_target (self->link_signals);
  const char *reason = link ? air_zone_link_get_health_reason (link) : air_zone_get_health_reason (self->zone);
  g_autofree char *status = NULL;
  g_autofree char *tooltip = NULL;
  guint running = link ? air_zone_link_get_n_running (link) : 0;
  guint count = link ? air_zone_link_get_n_qubes (link) : 0;

  if (health == AIR_HEALTH_DOWN && reason != NULL && reason[0] != '\0')
    /* Translators: a zone that cannot be reached, and why */
    status = g_strdup_printf (_("down: %s"), reason);
  else if (health == AIR_HEALTH_DOWN)
    status = g_strdup (_("down"));
  else if (link != NULL && air_zone_link_is_loading (link))
    status = g_strdup (_("connecting…"));
  else
    {
      g_autofree char *qubes = g_strdup_printf (ngettext ("%u qube", "%u qubes", count), count);

      /* Translators: a zone's number of qubes, then of running ones */
      status = g_strdup_printf (_("%s · %u running"), qubes, running);
    }

  tooltip = g_strdup_printf ("%s: %s%s%s", zone, air_health_get_display_name (health),
                             reason && reason[0] ? " — " : "", reason ? reason : "");

  gtk_label_set_text (self->status, status);
  if (self->health_shown != (int) MIN ((guint) health, 3))
    {
      self->health_shown = (int) MIN ((guint) health, 3);
      gtk_widget_set_css_classes (self->health_dot,
                                  (const char *[]) { "health-dot", health_classes[self->health_shown], NULL });
    }
  if (g_strcmp0 (tooltip, self->tooltip) != 0)
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
      g_free (self->tooltip);
      self->tooltip = g_steal_pointer (&tooltip);
    }
}

static void
link_changed_cb (AirZoneChip *self)
{
  update (self);
}

/* The zone's link came, or was made anew. One that went (the session shut
 * down) stays the target: the chip keeps what it last showed. */
static void
links_changed_cb (GListModel  *links,
                  guint        position,
                  guint        removed,
                  guint        added,
                  AirZoneChip *self)
{
  AirZoneLink *link = air_session_get_link (self->session, air_zone_get_name (self->zone));
  g_autoptr(AirZoneLink) before = g_signal_group_dup_target (self->link_signals);

  if (link == NULL || air_zone_link_get_zone (link) != self->zone || link == before)
    return;
  g_signal_group_set_target (self->link_signals, link);
  update (self);
}

static void
health_changed_cb (AirZone     *zone,
                   GParamSpec  *pspec,
                   AirZoneChip *self)
{
  update (self);
}

static void
air_zone_chip_dispose (GObject *object)
{
  AirZoneChip *self = (AirZoneChip *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_ZONE_CHIP);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  if (self->link_signals != NULL)
    g_signal_group_set_target (self->link_signals, NULL);
  g_clear_object (&self->link_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->zone);

  G_OBJECT_CLASS (air_zone_chip_parent_class)->dispose (object);
}

static void
air_zone_chip_finalize (GObject *object)
{
  AirZoneChip *self = (AirZoneChip *)object;

  g_free (self->tooltip);

  G_OBJECT_CLASS (air_zone_chip_parent_class)->finalize (object);
}

static void
air_zone_chip_class_init (AirZoneChipClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_zone_chip_dispose;
  object_class->finalize = air_zone_chip_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "zonechip");
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-zone-chip.ui");
  gtk_widget_class_bind_template_child (widget_class, AirZoneChip, health_dot);
  gtk_widget_class_bind_template_child (widget_class, AirZoneChip, name);
  gtk_widget_class_bind_template_child (widget_class, AirZoneChip, status);
}

static void
air_zone_chip_init (AirZoneChip *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->health_shown = -1;
  self->link_signals = g_signal_group_new (AIR_TYPE_ZONE_LINK);
  g_signal_group_connect_swapped (self->link_signals, "notify::state", G_CALLBACK (link_changed_cb), self);
  g_signal_group_connect_swapped (self->link_signals, "notify::health-reason", G_CALLBACK (link_changed_cb), self);
  g_signal_group_connect_swapped (self->link_signals, "notify::n-qubes", G_CALLBACK (link_changed_cb), self);
  g_signal_group_connect_swapped (self->link_signals, "notify::n-running", G_CALLBACK (link_changed_cb), self);
}

GtkWidget *
air_zone_chip_new (AirSession *session,
                   AirZone    *zone)
{
  AirZoneChip *self;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);
  g_return_val_if_fail (AIR_IS_ZONE (zone), NULL);

  self = g_object_new (AIR_TYPE_ZONE_CHIP, NULL);
  self->session = g_object_ref (session);
  self->zone = g_object_ref (zone);

  gtk_label_set_text (self->name, air_zone_get_name (zone));
  g_signal_connect_object (zone, "notify::health", G_CALLBACK (health_changed_cb), self, 0);
  g_signal_connect_object (air_session_get_links (session), "items-changed",
                           G_CALLBACK (links_changed_cb), self, 0);
  links_changed_cb (NULL, 0, 0, 0, self);
  update (self);

  return GTK_WIDGET (self);
}

AirZone *
air_zone_chip_get_zone (AirZoneChip *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_CHIP (self), NULL);
  return self->zone;
}
