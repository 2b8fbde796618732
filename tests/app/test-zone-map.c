/* test-zone-map.c — the zone map as a user sees it
 *
 * Zones are served by the stand-in zone (fake-zone.c, loopback transport):
 * AIR_FAKE_QUBES qubes each; a zone whose name starts with "down" fails
 * every call. The map is shown in a window of its own and drawn through
 * its own snapshot into pixels, which the tests look at.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "air-resources.h"
#include "air-session.h"
#include "air-test-utils.h"
#include "air-vault-client.h"
#include "air-zone-chip.h"
#include "air-zone-map.h"

#define WAIT_SECONDS 60

typedef struct {
  char       *top;
  AirSession *session;
  GtkWindow  *window;
  AirZoneMap *map;
  guint       expected;  /* qubes the session must have before a test looks */
} Fixture;

static gboolean
loaded (gpointer data)
{
  Fixture *fixture = data;
  GListModel *zones = air_session_get_zones (fixture->session);

  if (g_list_model_get_n_items (G_LIST_MODEL (air_session_get_inventory (fixture->session))) < fixture->expected)
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (zones); i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);

      if (air_session_zone_is_loading (fixture->session, air_zone_get_name (zone)) ||
          air_zone_get_health (zone) == AIR_HEALTH_UNKNOWN ||
          (air_zone_get_health (zone) != AIR_HEALTH_DOWN && air_zone_get_round_trip (zone) == 0))
        return FALSE;
    }
  return gtk_widget_get_width (GTK_WIDGET (fixture->map)) > 0;
}

static void
open_map (Fixture    *fixture,
          const char *zones_json,
          const char *qubes_per_zone,
          guint       expected,
          int         width,
          int         height)
{
  g_autoptr(GError) error = NULL;

  fixture->top = air_test_isolate_dirs ("zone-map");
  air_test_setup_dirs ();
  g_setenv ("AIR_FAKE_QUBES", qubes_per_zone, TRUE);
  air_test_write_zones (zones_json);

  fixture->session = air_session_new (NULL);
  g_assert_true (air_session_load (fixture->session, &error));
  g_assert_no_error (error);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, width, height);
  fixture->map = AIR_ZONE_MAP (air_zone_map_new ());
  air_zone_map_set_session (fixture->map, fixture->session);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->map));
  gtk_window_present (fixture->window);

  fixture->expected = expected;
  air_test_wait_until (loaded, fixture, WAIT_SECONDS, "the zones to load");
  /* Let the map take in the last changes and lay itself out. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
close_map (Fixture *fixture)
{
  gtk_window_destroy (fixture->window);
  air_session_shutdown (fixture->session);
  g_clear_object (&fixture->session);
  air_test_remove_dirs (fixture->top);
  g_free (fixture->top);
}

/* The map as drawn, in pixels. */
static cairo_surface_t *
render (AirZoneMap *map)
{
  int width = gtk_widget_get_width (GTK_WIDGET (map));
  int height = gtk_widget_get_height (GTK_WIDGET (map));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);

  GTK_WIDGET_GET_CLASS (map)->snapshot (GTK_WIDGET (map), snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* How many pixels of @rect are close to @hex. */
static guint
count_color (cairo_surface_t       *surface,
             const graphene_rect_t *rect,
             const char            *hex)
{
  guchar *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  GdkRGBA want;
  guint count = 0;

  gdk_rgba_parse (&want, hex);
  for (int y = (int) rect->origin.y; y < (int) (rect->origin.y + rect->size.height); y++)
    for (int x = (int) rect->origin.x; x < (int) (rect->origin.x + rect->size.width); x++)
      {
        guint32 pixel = *(guint32 *) (data + y * stride + x * 4);
        int r = (pixel >> 16) & 0xff, g = (pixel >> 8) & 0xff, b = pixel & 0xff;

        if (ABS (r - (int) (want.red * 255)) < 24 && ABS (g - (int) (want.green * 255)) < 24 &&
            ABS (b - (int) (want.blue * 255)) < 24)
          count++;
      }
  return count;
}

/* A zone that is down is red at a glance (its card's border, its broken
 * link), says so to a screen reader, and one that is up has no red. */
static void
test_zone_down_visible (void)
{
  Fixture fixture = { 0 };
  cairo_surface_t *surface;
  graphene_rect_t up, down;
  GtkWidget *host, *link;
  guint red_up, red_down;

  open_map (&fixture,
            "{\"version\":1,\"zones\":["
            "{\"name\":\"office\",\"gateway\":\"sys-remote-office\",\"driver\":\"local\"},"
            "{\"name\":\"downtown\",\"gateway\":\"sys-remote-downtown\",\"driver\":\"local\"}]}",
            "3", 3, 1000, 300);

  g_assert_true (air_zone_map_get_zone_rect (fixture.map, "office", &up));
  g_assert_true (air_zone_map_get_zone_rect (fixture.map, "downtown", &down));
  surface = render (fixture.map);
  /* The health colour of "down" (air-label-colors.c). */
  red_up = count_color (surface, &up, "#e01b24");
  red_down = count_color (surface, &down, "#e01b24");
  cairo_surface_destroy (surface);
  g_test_message ("red pixels: up %u, down %u", red_up, red_down);
  g_assert_cmpuint (red_up, ==, 0);
  /* At least the whole border, thick: twice the perimeter. */
  g_assert_cmpuint (red_down, >, 2 * (down.size.width + down.size.height));

  host = air_zone_map_get_part (fixture.map, "downtown", AIR_ZONE_MAP_PART_HOST);
  link = air_zone_map_get_part (fixture.map, "downtown", AIR_ZONE_MAP_PART_LINK);
  g_assert_cmpstr (air_zone_map_part_get_name (AIR_ZONE_MAP_PART (host)), ==, "Zone downtown: Down");
  g_assert_true (g_str_has_prefix (air_zone_map_part_get_name (AIR_ZONE_MAP_PART (link)), "Link "));
  g_assert_nonnull (strstr (air_zone_map_part_get_details (AIR_ZONE_MAP_PART (link)), "Why it is down:"));
  g_assert_nonnull (strstr (air_zone_map_part_get_details (AIR_ZONE_MAP_PART (link)), "does not answer"));

  close_map (&fixture);
}

/* A zone whose qubes are not isolated says so in the warning colour, on
 * its card and to a screen reader; an isolated one has no warning. */
static void
test_no_isolation_stands_out (void)
{
  Fixture fixture = { 0 };
  cairo_surface_t *surface;
  graphene_rect_t isolated, bare;
  GtkWidget *host;
  guint warn_isolated, warn_bare;

  open_map (&fixture,
            "{\"version\":1,\"zones\":["
            "{\"name\":\"office\",\"gateway\":\"sys-remote-office\",\"driver\":\"local\"},"
            "{\"name\":\"bare-metal\",\"gateway\":\"sys-remote-bare-metal\",\"driver\":\"local\"}]}",
            "3", 6, 1000, 300);
  /* ZoneInfo, where the isolation is said, comes after the lists. */
  while (air_zone_get_isolation (air_session_lookup_zone (fixture.session, "bare-metal")) == AIR_ISOLATION_UNKNOWN)
    g_main_context_iteration (NULL, TRUE);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  g_assert_true (air_zone_map_get_zone_rect (fixture.map, "office", &isolated));
  g_assert_true (air_zone_map_get_zone_rect (fixture.map, "bare-metal", &bare));
  surface = render (fixture.map);
  /* The warning colour of the map on a light card. */
  warn_isolated = count_color (surface, &isolated, "#a51d2d");
  warn_bare = count_color (surface, &bare, "#a51d2d");
  cairo_surface_destroy (surface);
  g_test_message ("warning pixels: isolated %u, bare %u", warn_isolated, warn_bare);
  g_assert_cmpuint (warn_isolated, ==, 0);
  g_assert_cmpuint (warn_bare, >, 30);

  host = air_zone_map_get_part (fixture.map, "bare-metal", AIR_ZONE_MAP_PART_HOST);
  g_assert_nonnull (strstr (air_zone_map_part_get_details (AIR_ZONE_MAP_PART (host)), "not isolated"));

  close_map (&fixture);
}

/* 10,000 qubes do not fit as dots: the card says what they are instead
 * (counts by state and by label), not a bar of one colour. */
static void
test_summary_instead_of_dots (void)
{
  Fixture fixture = { 0 };
  GtkWidget *host;
  const char *details;

  open_map (&fixture,
            "{\"version\":1,\"zones\":["
            "{\"name\":\"big\",\"gateway\":\"sys-remote-big\",\"driver\":\"local\"},"
            "{\"name\":\"big2\",\"gateway\":\"sys-remote-big2\",\"driver\":\"local\"}]}",
            "5000", 10000, 1000, 300);

  g_assert_true (air_zone_map_zone_is_summarised (fixture.map, "big"));
  host = air_zone_map_get_part (fixture.map, "big", AIR_ZONE_MAP_PART_HOST);
  details = air_zone_map_part_get_details (AIR_ZONE_MAP_PART (host));
  g_test_message ("%s", details);
  g_assert_nonnull (strstr (details, "5000 qubes"));
  g_assert_nonnull (strstr (details, " running · "));
  g_assert_nonnull (strstr (details, " halted"));
  /* By label, most used first, named as the Label column names them. */
  g_assert_true (strstr (details, "Red ") != NULL || strstr (details, "Blue ") != NULL ||
                 strstr (details, "Green ") != NULL);

  /* A small zone in a large window keeps its dots. */
  close_map (&fixture);
  open_map (&fixture,
            "{\"version\":1,\"zones\":[{\"name\":\"small\",\"gateway\":\"sys-remote-small\",\"driver\":\"local\"}]}",
            "20", 20, 1000, 300);
  g_assert_false (air_zone_map_zone_is_summarised (fixture.map, "small"));
  close_map (&fixture);
}

/* A qube that starts in a zone (an event, as the session applies it):
 * the zone's card counts it at once, and the other zone's is unchanged. */
static void
test_counts_follow_events (void)
{
  Fixture fixture = { 0 };
  AirInventory *inventory;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *other = NULL;
  g_autoptr(AirQube) started = NULL;
  AirEvent event = { .kind = AIR_EVENT_QUBE_CHANGED };
  AirQube *halted = NULL;
  guint running = 0;

  open_map (&fixture,
            "{\"version\":1,\"zones\":["
            "{\"name\":\"one\",\"gateway\":\"sys-remote-one\",\"driver\":\"local\"},"
            "{\"name\":\"two\",\"gateway\":\"sys-remote-two\",\"driver\":\"local\"}]}",
            "20", 40, 1000, 600);
  inventory = air_session_get_inventory (fixture.session);
  air_inventory_count_zone (inventory, "one", &running);
  before = g_strdup_printf ("%u running", running);
  g_assert_nonnull (strstr (air_zone_map_part_get_details (AIR_ZONE_MAP_PART (
    air_zone_map_get_part (fixture.map, "one", AIR_ZONE_MAP_PART_HOST))), before));
  other = g_strdup (air_zone_map_part_get_details (AIR_ZONE_MAP_PART (
    air_zone_map_get_part (fixture.map, "two", AIR_ZONE_MAP_PART_HOST))));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (inventory)) && halted == NULL; i++)
    {
      g_autoptr(AirQube) qube = g_list_model_get_item (G_LIST_MODEL (inventory), i);

      if (g_str_equal (air_qube_get_zone (qube), "one") && air_qube_get_state (qube) == AIR_QUBE_STATE_HALTED)
        halted = qube;
    }
  g_assert_nonnull (halted);
  started = air_qube_new ("one", air_qube_get_name (halted));
  air_qube_update_from (started, halted);
  air_qube_set_state (started, AIR_QUBE_STATE_RUNNING);
  event.qube = started;
  air_zone_link_apply_event (air_session_get_link (fixture.session, "one"), &event);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  after = g_strdup_printf ("%u running", running + 1);
  g_test_message ("%s", air_zone_map_part_get_details (AIR_ZONE_MAP_PART (
    air_zone_map_get_part (fixture.map, "one", AIR_ZONE_MAP_PART_HOST))));
  g_assert_nonnull (strstr (air_zone_map_part_get_details (AIR_ZONE_MAP_PART (
    air_zone_map_get_part (fixture.map, "one", AIR_ZONE_MAP_PART_HOST))), after));
  g_assert_cmpstr (air_zone_map_part_get_details (AIR_ZONE_MAP_PART (
    air_zone_map_get_part (fixture.map, "two", AIR_ZONE_MAP_PART_HOST))), ==, other);

  close_map (&fixture);
}

/* The label under @widget whose text contains @part, if any. */
static GtkLabel *
find_label (GtkWidget  *widget,
            const char *part)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), part) != NULL)
    return GTK_LABEL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *label = find_label (child, part);

      if (label != NULL)
        return label;
    }
  return NULL;
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* A zone's chip says how many of its qubes run after each event; its
 * tooltip (the zone's health) is set again only when that changes: in
 * GTK 4.8 each set asks the X server where the pointer is. */
static void
test_chip_follows_events (void)
{
  Fixture fixture = { 0 };
  AirInventory *inventory;
  GtkWidget *box;
  GtkWidget *chip;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *tooltip = NULL;
  g_autoptr(AirQube) started = NULL;
  AirEvent event = { .kind = AIR_EVENT_QUBE_CHANGED };
  AirQube *halted = NULL;
  guint running = 0, tooltips = 0;

  /* Links the app's GResource (the chip's template) into this program. */
  g_assert_nonnull (air_get_resource ());
  open_map (&fixture,
            "{\"version\":1,\"zones\":["
            "{\"name\":\"one\",\"gateway\":\"sys-remote-one\",\"driver\":\"local\"}]}",
            "20", 20, 1000, 600);
  /* The chip beside the map, as the window has it. */
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_object_ref (fixture.map);
  gtk_window_set_child (fixture.window, box);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (fixture.map));
  g_object_unref (fixture.map);
  chip = air_zone_chip_new (fixture.session, air_session_lookup_zone (fixture.session, "one"));
  gtk_box_append (GTK_BOX (box), chip);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  inventory = air_session_get_inventory (fixture.session);
  air_inventory_count_zone (inventory, "one", &running);
  before = g_strdup_printf ("%u running", running);
  g_assert_nonnull (find_label (chip, before));
  tooltip = g_strdup (gtk_widget_get_tooltip_text (chip));
  g_assert_nonnull (tooltip);
  g_assert_true (g_str_has_prefix (tooltip, "one: "));
  g_signal_connect (chip, "notify::tooltip-text", G_CALLBACK (count_notify_cb), &tooltips);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (inventory)) && halted == NULL; i++)
    {
      g_autoptr(AirQube) qube = g_list_model_get_item (G_LIST_MODEL (inventory), i);

      if (air_qube_get_state (qube) == AIR_QUBE_STATE_HALTED)
        halted = qube;
    }
  g_assert_nonnull (halted);
  started = air_qube_new ("one", air_qube_get_name (halted));
  air_qube_update_from (started, halted);
  air_qube_set_state (started, AIR_QUBE_STATE_RUNNING);
  event.qube = started;
  air_zone_link_apply_event (air_session_get_link (fixture.session, "one"), &event);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  after = g_strdup_printf ("%u running", running + 1);
  g_assert_nonnull (find_label (chip, after));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (chip), ==, tooltip);
  g_assert_cmpuint (tooltips, ==, 0);

  close_map (&fixture);
}

static GtkDropTarget *
find_drop_target (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  return NULL;
}

/* Files dragged over the map: only a qube's dot accepts, and it alone is
 * highlighted; the zone's card (its header, its empty space) refuses. */
static void
test_drop_targets (void)
{
  Fixture fixture = { 0 };
  GtkDropTarget *target;
  g_autoptr(AirQube) qube = NULL;
  graphene_rect_t card;
  GdkDragAction action = 0;
  cairo_surface_t *before, *after;
  double x, y;

  open_map (&fixture,
            "{\"version\":1,\"zones\":[{\"name\":\"office\",\"gateway\":\"sys-remote-office\",\"driver\":\"local\"}]}",
            "3", 3, 1000, 300);

  qube = g_list_model_get_item (G_LIST_MODEL (air_session_get_inventory (fixture.session)), 0);
  g_assert_true (air_zone_map_get_qube_point (fixture.map, qube, &x, &y));
  g_assert_true (air_zone_map_get_zone_rect (fixture.map, "office", &card));
  target = find_drop_target (GTK_WIDGET (fixture.map));
  g_assert_nonnull (target);

  before = render (fixture.map);

  g_signal_emit_by_name (target, "motion", x, y, &action);
  g_assert_cmpint (action, ==, GDK_ACTION_COPY);
  g_assert_true (air_zone_map_get_drop_qube (fixture.map) == qube);
  g_assert_true (air_zone_map_drop_qube_at (fixture.map, x, y) == qube);

  /* The dot, and only around the dot, changed. */
  after = render (fixture.map);
  {
    graphene_rect_t around = GRAPHENE_RECT_INIT (x - 12, y - 12, 24, 24);
    graphene_rect_t header = GRAPHENE_RECT_INIT (card.origin.x + 2, card.origin.y + 2, card.size.width - 4, 40);

    g_assert_cmpuint (count_color (after, &around, "#26a269"), >, count_color (before, &around, "#26a269") + 20);
    g_assert_cmpuint (count_color (after, &header, "#26a269"), ==, count_color (before, &header, "#26a269"));
  }
  cairo_surface_destroy (before);
  cairo_surface_destroy (after);

  /* The card's header and its empty space: nothing to drop on. */
  action = GDK_ACTION_COPY;
  g_signal_emit_by_name (target, "motion", card.origin.x + card.size.width / 2, card.origin.y + 10, &action);
  g_assert_cmpint (action, ==, 0);
  g_assert_null (air_zone_map_get_drop_qube (fixture.map));
  action = GDK_ACTION_COPY;
  g_signal_emit_by_name (target, "motion", card.origin.x + card.size.width - 20,
                         card.origin.y + card.size.height - 20, &action);
  g_assert_cmpint (action, ==, 0);
  /* Outside every card. */
  action = GDK_ACTION_COPY;
  g_signal_emit_by_name (target, "motion", 5.0, 5.0, &action);
  g_assert_cmpint (action, ==, 0);

  close_map (&fixture);
}

static gboolean
press (AirZoneMap *map,
       guint       keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (map));
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, 0, &handled);
    }
  return handled;
}

static void
zone_activated_cb (AirZoneMap *map,
                   const char *zone,
                   char      **out)
{
  g_free (*out);
  *out = g_strdup (zone);
}

/* The keyboard walks the parts: Left/Right along a chain, Up/Down between
 * zones; Enter lists the focused zone's qubes. */
static void
test_keyboard (void)
{
  Fixture fixture = { 0 };
  g_autofree char *activated = NULL;
  GtkWidget *focus;

  open_map (&fixture,
            "{\"version\":1,\"zones\":["
            "{\"name\":\"office\",\"gateway\":\"sys-remote-office\",\"driver\":\"local\"},"
            "{\"name\":\"home\",\"gateway\":\"sys-remote-home\",\"driver\":\"local\"}]}",
            "3", 6, 1000, 300);
  g_signal_connect (fixture.map, "zone-activated", G_CALLBACK (zone_activated_cb), &activated);

  gtk_widget_grab_focus (air_zone_map_get_part (fixture.map, "office", AIR_ZONE_MAP_PART_GATEWAY));
  g_assert_true (press (fixture.map, GDK_KEY_Right));
  focus = gtk_root_get_focus (GTK_ROOT (fixture.window));
  g_assert_true (focus == air_zone_map_get_part (fixture.map, "office", AIR_ZONE_MAP_PART_LINK));
  g_assert_true (press (fixture.map, GDK_KEY_Down));
  focus = gtk_root_get_focus (GTK_ROOT (fixture.window));
  g_assert_true (focus == air_zone_map_get_part (fixture.map, "home", AIR_ZONE_MAP_PART_LINK));
  g_assert_cmpstr (air_zone_map_get_focus_zone (fixture.map), ==, "home");
  g_assert_true (press (fixture.map, GDK_KEY_Return));
  g_assert_cmpstr (activated, ==, "home");

  close_map (&fixture);
}

/* Each zone has a gateway, a link and a host part, focusable, named. */
static void
test_parts_named (void)
{
  Fixture fixture = { 0 };
  GtkWidget *gateway, *link, *host;

  open_map (&fixture,
            "{\"version\":1,\"zones\":[{\"name\":\"office\",\"gateway\":\"sys-remote-office\",\"driver\":\"local\"}]}",
            "3", 3, 1000, 300);

  gateway = air_zone_map_get_part (fixture.map, "office", AIR_ZONE_MAP_PART_GATEWAY);
  link = air_zone_map_get_part (fixture.map, "office", AIR_ZONE_MAP_PART_LINK);
  host = air_zone_map_get_part (fixture.map, "office", AIR_ZONE_MAP_PART_HOST);
  g_assert_cmpstr (air_zone_map_part_get_name (AIR_ZONE_MAP_PART (gateway)), ==, "Gateway sys-remote-office");
  g_assert_true (g_str_has_prefix (air_zone_map_part_get_name (AIR_ZONE_MAP_PART (link)),
                                   "Link qrexec from sys-remote-office to office: Up"));
  g_assert_cmpstr (air_zone_map_part_get_name (AIR_ZONE_MAP_PART (host)), ==, "Zone office: Up");
  g_assert_nonnull (strstr (air_zone_map_part_get_details (AIR_ZONE_MAP_PART (host)), "Isolation:"));
  /* The round trip of the session's ZoneInfo call is shown. */
  g_assert_nonnull (strstr (air_zone_map_part_get_details (AIR_ZONE_MAP_PART (link)), "Last round trip:"));
  g_assert_true (gtk_widget_get_focusable (gateway) && gtk_widget_get_focusable (link) &&
                 gtk_widget_get_focusable (host));
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (gateway)), ==, GTK_ACCESSIBLE_ROLE_BUTTON);
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (link)), ==, GTK_ACCESSIBLE_ROLE_IMG);
  /* Placed over what they name: the gateway above the link above the host. */
  g_assert_cmpint (gtk_widget_get_height (gateway), >, 0);
  {
    graphene_point_t g, l, h;

    g_assert_true (gtk_widget_compute_point (gateway, GTK_WIDGET (fixture.map), &GRAPHENE_POINT_INIT (0, 0), &g));
    g_assert_true (gtk_widget_compute_point (link, GTK_WIDGET (fixture.map), &GRAPHENE_POINT_INIT (0, 0), &l));
    g_assert_true (gtk_widget_compute_point (host, GTK_WIDGET (fixture.map), &GRAPHENE_POINT_INIT (0, 0), &h));
    g_assert_cmpfloat (g.y, <, l.y);
    g_assert_cmpfloat (l.y, <, h.y);
  }

  close_map (&fixture);
}

/* What the zone says of its qubes' disks is in its host's details, and
 * nothing when it does not say. */
static void
test_disk_encryption (void)
{
  Fixture fixture = { 0 };
  const char *luks, *plain, *quiet;

  open_map (&fixture,
            "{\"version\":1,\"zones\":["
            "{\"name\":\"luks1\",\"gateway\":\"sys-remote-luks1\",\"driver\":\"local\"},"
            "{\"name\":\"plain1\",\"gateway\":\"sys-remote-plain1\",\"driver\":\"local\"},"
            "{\"name\":\"office\",\"gateway\":\"sys-remote-office\",\"driver\":\"local\"}]}",
            "3", 9, 1000, 300);
  /* ZoneInfo, where it is said, comes after the lists. */
  while (air_zone_get_isolation (air_session_lookup_zone (fixture.session, "office")) == AIR_ISOLATION_UNKNOWN)
    g_main_context_iteration (NULL, TRUE);

  luks = air_zone_map_part_get_details (AIR_ZONE_MAP_PART (air_zone_map_get_part (fixture.map, "luks1",
                                                                                   AIR_ZONE_MAP_PART_HOST)));
  g_test_message ("%s", luks);
  g_assert_nonnull (strstr (luks, "Qube disks encrypted (LUKS, keys in the vault)"));
  plain = air_zone_map_part_get_details (AIR_ZONE_MAP_PART (air_zone_map_get_part (fixture.map, "plain1",
                                                                                    AIR_ZONE_MAP_PART_HOST)));
  g_assert_nonnull (strstr (plain, "Qube disks not encrypted"));
  quiet = air_zone_map_part_get_details (AIR_ZONE_MAP_PART (air_zone_map_get_part (fixture.map, "office",
                                                                                    AIR_ZONE_MAP_PART_HOST)));
  g_assert_null (strstr (quiet, "Qube disks"));
  close_map (&fixture);
}

static gboolean
vault_answered (gpointer data)
{
  return !air_zone_map_is_asking_vault (data);
}

static guint
warning_pixels (Fixture *fixture, const char *zone)
{
  graphene_rect_t rect;
  cairo_surface_t *surface;
  guint n;

  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (air_zone_map_get_zone_rect (fixture->map, zone, &rect));
  surface = render (fixture->map);
  n = count_color (surface, &rect, "#a51d2d");
  cairo_surface_destroy (surface);
  return n;
}

static const char *
gateway_details (Fixture *fixture, const char *zone)
{
  return air_zone_map_part_get_details (AIR_ZONE_MAP_PART (air_zone_map_get_part (fixture->map, zone,
                                                                                   AIR_ZONE_MAP_PART_GATEWAY)));
}

static void
key_made_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A WireGuard zone whose key is not in the vault (made before keys moved
 * there): its card has a warning line and its gateway's details say to
 * run “qair zone rekey”; once the vault keeps the key, neither. Without a
 * vault that answers, the card has no warning and the details say that it
 * is not known. */
static void
test_wireguard_key (void)
{
  Fixture fixture = { 0 };
  gboolean vault = g_getenv ("AIR_VAULT_PROGRAM") != NULL;
  guint outside, inside;

  open_map (&fixture,
            "{\"version\":1,\"zones\":["
            "{\"name\":\"wg1\",\"gateway\":\"sys-remote-wg1\",\"driver\":\"ssh\","
            "\"ssh\":{\"host\":\"127.0.0.1\",\"wireguard\":\"10.9.0.1:51820\"}},"
            "{\"name\":\"office\",\"gateway\":\"sys-remote-office\",\"driver\":\"local\"}]}",
            "3", 6, 1000, 400);
  air_test_wait_until (vault_answered, fixture.map, WAIT_SECONDS, "the vault's list");
  g_test_message ("%s", gateway_details (&fixture, "wg1"));
  g_assert_null (strstr (gateway_details (&fixture, "office"), "WireGuard key"));

  if (!vault)
    {
      g_assert_nonnull (strstr (gateway_details (&fixture, "wg1"), "not known"));
      g_assert_cmpuint (warning_pixels (&fixture, "wg1"), ==, 0);
      close_map (&fixture);
      return;
    }

  g_assert_nonnull (strstr (gateway_details (&fixture, "wg1"), "not in the vault yet"));
  g_assert_nonnull (strstr (gateway_details (&fixture, "wg1"), "qair zone rekey wg1"));
  outside = warning_pixels (&fixture, "wg1");
  if (g_getenv ("AIR_TEST_SHOTS") != NULL)
    {
      /* to look at by eye */
      g_autofree char *path = g_build_filename (g_getenv ("AIR_TEST_SHOTS"), "zone-map-key.png", NULL);
      cairo_surface_t *surface = render (fixture.map);

      cairo_surface_write_to_png (surface, path);
      cairo_surface_destroy (surface);
    }
  g_assert_cmpuint (warning_pixels (&fixture, "office"), ==, 0);

  /* The vault makes the zone's key (as qair zone rekey does). */
  {
    g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *key = NULL;

    air_vault_client_generate_async (client, "wg1", "wireguard-key", "sys-remote-wg1", NULL, TRUE, NULL,
                                     key_made_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    key = air_vault_client_generate_key_finish (client, result, &error);
    g_assert_no_error (error);
  }
  air_zone_map_refresh_vault (fixture.map);
  air_test_wait_until (vault_answered, fixture.map, WAIT_SECONDS, "the vault's list");
  g_test_message ("%s", gateway_details (&fixture, "wg1"));
  g_assert_null (strstr (gateway_details (&fixture, "wg1"), "WireGuard key"));
  inside = warning_pixels (&fixture, "wg1");
  g_test_message ("warning pixels: key outside the vault %u, inside %u", outside, inside);
  g_assert_cmpuint (outside, >, 100);
  g_assert_cmpuint (inside, ==, 0);

  close_map (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("LANG", "C.UTF-8", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/zone-map/zone-down-visible", test_zone_down_visible);
  g_test_add_func ("/zone-map/summary-instead-of-dots", test_summary_instead_of_dots);
  g_test_add_func ("/zone-map/no-isolation-stands-out", test_no_isolation_stands_out);
  g_test_add_func ("/zone-map/counts-follow-events", test_counts_follow_events);
  g_test_add_func ("/zone-map/chip-follows-events", test_chip_follows_events);
  g_test_add_func ("/zone-map/drop-targets", test_drop_targets);
  g_test_add_func ("/zone-map/parts-named", test_parts_named);
  g_test_add_func ("/zone-map/keyboard", test_keyboard);
  g_test_add_func ("/zone-map/disk-encryption", test_disk_encryption);
  g_test_add_func ("/zone-map/wireguard-key", test_wireguard_key);

  return g_test_run ();
}
