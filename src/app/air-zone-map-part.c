/* air-zone-map-part.c
 *
 * The map draws everything itself (GtkSnapshot, no widget per qube). GTK 4.8
 * has no accessible objects for drawn parts (a custom GtkAccessible needs
 * 4.10), so each zone gets three of these small, empty, focusable widgets
 * placed over its gateway, its link and its zone host: Tab and the arrows
 * reach them, a screen reader reads their names and roles, the pointer gets
 * their details as a tooltip. Three per zone (150 for 50 zones) stays cheap;
 * qubes stay drawn dots, reachable from the list.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-map"

#include "config.h"

#include "air-zone-map-part.h"

struct _AirZoneMapPart
{
  GtkWidget           parent_instance;

  /* Owned references */
  char               *name;
  char               *details;

  AirZoneMapPartKind  kind;
  guint               zone_index;
};

G_DEFINE_FINAL_TYPE (AirZoneMapPart, air_zone_map_part, GTK_TYPE_WIDGET)

static void
air_zone_map_part_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  const float widths[4] = { 2, 2, 2, 2 };
  GskRoundedRect outline;
  GdkRGBA ring[4];

  /* The map draws the part; only the keyboard focus is drawn here. */
  if (!gtk_widget_has_visible_focus (widget) || width < 4 || height < 4)
    return;

  gdk_rgba_parse (&ring[0], "#1c71d8");
  ring[1] = ring[2] = ring[3] = ring[0];
  gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (0, 0, width, height), 4);
  gtk_snapshot_append_border (snapshot, &outline, widths, ring);
}

static void
air_zone_map_part_finalize (GObject *object)
{
  AirZoneMapPart *self = (AirZoneMapPart *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->details, g_free);

  G_OBJECT_CLASS (air_zone_map_part_parent_class)->finalize (object);
}

static void
air_zone_map_part_class_init (AirZoneMapPartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = air_zone_map_part_finalize;
  widget_class->snapshot = air_zone_map_part_snapshot;

  gtk_widget_class_set_css_name (widget_class, "zonemappart");
}

static void
air_zone_map_part_init (AirZoneMapPart *self)
{
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
}

GtkWidget *
air_zone_map_part_new (AirZoneMapPartKind kind,
                       guint              zone_index)
{
  /* Gateway and zone host act (Enter lists the zone's qubes); the link is
   * a picture of the connection. */
  AirZoneMapPart *self = g_object_new (AIR_TYPE_ZONE_MAP_PART,
                                       "accessible-role", kind == AIR_ZONE_MAP_PART_LINK
                                                          ? GTK_ACCESSIBLE_ROLE_IMG
                                                          : GTK_ACCESSIBLE_ROLE_BUTTON,
                                       NULL);

  self->kind = kind;
  self->zone_index = zone_index;
  return GTK_WIDGET (self);
}

AirZoneMapPartKind
air_zone_map_part_get_kind (AirZoneMapPart *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_MAP_PART (self), AIR_ZONE_MAP_PART_HOST);
  return self->kind;
}

guint
air_zone_map_part_get_zone_index (AirZoneMapPart *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_MAP_PART (self), 0);
  return self->zone_index;
}

const char *
air_zone_map_part_get_name (AirZoneMapPart *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_MAP_PART (self), NULL);
  return self->name;
}

const char *
air_zone_map_part_get_details (AirZoneMapPart *self)
{
  g_return_val_if_fail (AIR_IS_ZONE_MAP_PART (self), NULL);
  return self->details;
}

/* Plain text (names come from zones): never markup. Updated only on change,
 * since every inventory change reaches here. */
void
air_zone_map_part_set_text (AirZoneMapPart *self,
                            const char     *name,
                            const char     *details)
{
  g_return_if_fail (AIR_IS_ZONE_MAP_PART (self));

  if (g_strcmp0 (self->name, name) == 0 && g_strcmp0 (self->details, details) == 0)
    return;

  g_free (self->name);
  self->name = g_strdup (name);
  g_free (self->details);
  self->details = g_strdup (details);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, details,
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), details);
}
