/* air-zone-chip.c
 *
 * The inventory's line of zones: each shows its health as a coloured dot,
 * its qubes and running count, and when it is down, why (the reason comes
 * from the zone and was made safe by AirZone; it is shown as plain text).
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
  AirSession *session;
  AirZone    *zone;
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
  const char *reason = air_zone_get_health_reason (self->zone);
  g_autofree char *status = NULL;
  g_autofree char *tooltip = NULL;
  guint running = 0, count;

  count = air_inventory_count_zone (air_session_get_inventory (self->session), zone, &running);

  if (health == AIR_HEALTH_DOWN && reason != NULL && reason[0] != '\0')
    /* Translators: a zone that cannot be reached, and why */
    status = g_strdup_printf (_("down: %s"), reason);
  else if (health == AIR_HEALTH_DOWN)
    status = g_strdup (_("down"));
  else if (air_session_zone_is_loading (self->session, zone))
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
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
  gtk_widget_set_css_classes (self->health_dot,
                              (const char *[]) { "health-dot", health_classes[MIN ((guint) health, 3)], NULL });
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
}

static void
zone_changed_cb (AirSession  *session,
                 const char  *zone,
                 AirZoneChip *self)
{
  if (g_strcmp0 (zone, air_zone_get_name (self->zone)) == 0)
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
  g_clear_object (&self->session);
  g_clear_object (&self->zone);

  G_OBJECT_CLASS (air_zone_chip_parent_class)->dispose (object);
}

static void
air_zone_chip_class_init (AirZoneChipClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_zone_chip_dispose;

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
  g_signal_connect_object (session, "zone-changed", G_CALLBACK (zone_changed_cb), self, 0);
  g_signal_connect_object (zone, "notify::health", G_CALLBACK (health_changed_cb), self, 0);
  g_signal_connect_object (zone, "notify::health-reason", G_CALLBACK (health_changed_cb), self, 0);
  update (self);

  return GTK_WIDGET (self);
}

AirZone *
air_zone_chip_get_zone (AirZoneChip *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_CHIP (self), NULL);
  return self->zone;
}
