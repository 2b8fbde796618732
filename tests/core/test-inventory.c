/* test-inventory.c — AirInventory as a GListModel
 *
 * A shadow copy follows every items-changed the way a GtkListView would; it
 * must always equal the model, so a wrong position or count shows up.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test-inventory"

#include "config.h"

#include <string.h>

#include "air-inventory.h"
#include "test-util.h"

typedef struct {
  guint position, removed, added;
} Change;

typedef struct {
  AirInventory *inventory;
  GPtrArray    *shadow;    /* AirQube, as a view would see them */
  GArray       *changes;   /* Change */
} Fixture;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  Change change = { position, removed, added };

  g_assert_cmpuint (position + removed, <=, fixture->shadow->len);
  g_ptr_array_remove_range (fixture->shadow, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (fixture->shadow, position + i, g_list_model_get_item (model, position + i));
  g_array_append_val (fixture->changes, change);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->inventory = air_inventory_new ();
  fixture->shadow = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_signal_connect (fixture->inventory, "items-changed", G_CALLBACK (items_changed_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->shadow, g_ptr_array_unref);
  g_clear_pointer (&fixture->changes, g_array_unref);
  g_assert_finalize_object (fixture->inventory);
}

/* The model equals its shadow; every qube is found by lookup; each zone's
 * qubes are one contiguous run. */
static void
check_model (Fixture *fixture)
{
  GListModel *model = G_LIST_MODEL (fixture->inventory);
  g_autoptr(GHashTable) finished = g_hash_table_new (g_str_hash, g_str_equal);
  const char *current = NULL;
  guint n = g_list_model_get_n_items (model);

  g_assert_cmpuint (n, ==, fixture->shadow->len);
  g_assert_true (g_list_model_get_item_type (model) == AIR_TYPE_QUBE);
  g_assert_null (g_list_model_get_item (model, n));
  g_assert_null (g_list_model_get_item (model, G_MAXUINT));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AirQube) qube = g_list_model_get_item (model, i);
      const char *zone = air_qube_get_zone (qube);

      g_assert_true (qube == g_ptr_array_index (fixture->shadow, i));
      g_assert_true (air_inventory_lookup (fixture->inventory, zone, air_qube_get_name (qube)) == qube);

      if (g_strcmp0 (zone, current) != 0)
        {
          if (current != NULL)
            g_hash_table_add (finished, (gpointer) current);
          g_assert_false (g_hash_table_contains (finished, zone));
          current = zone;
        }
    }
}

static void
assert_change (Fixture *fixture,
               guint    index,
               guint    position,
               guint    removed,
               guint    added)
{
  Change *change;

  g_assert_cmpuint (index, <, fixture->changes->len);
  change = &g_array_index (fixture->changes, Change, index);
  g_assert_cmpuint (change->position, ==, position);
  g_assert_cmpuint (change->removed, ==, removed);
  g_assert_cmpuint (change->added, ==, added);
}

static GPtrArray *
make_qubes (const char *zone,
            ...)
{
  GPtrArray *qubes = g_ptr_array_new_with_free_func (g_object_unref);
  va_list args;

  va_start (args, zone);
  for (const char *name = va_arg (args, const char *); name; name = va_arg (args, const char *))
    g_ptr_array_add (qubes, air_qube_new (zone, name));
  va_end (args);

  return qubes;
}

static const char *
name_at (Fixture *fixture,
         guint    position)
{
  return air_qube_get_name (g_ptr_array_index (fixture->shadow, position));
}

static void
test_replace_zone (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) a1 = make_qubes ("a", "work", "personal", NULL);
  g_autoptr(GPtrArray) b1 = make_qubes ("b", "web", NULL);
  g_autoptr(GPtrArray) c1 = make_qubes ("c", "x", "y", NULL);
  g_autoptr(GPtrArray) b2 = make_qubes ("b", "mail", "web", "build", NULL);
  g_autoptr(GPtrArray) a2 = make_qubes ("a", "work", NULL);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->inventory)), ==, 0);

  air_inventory_replace_zone (fixture->inventory, "a", a1);
  assert_change (fixture, 0, 0, 0, 2);
  air_inventory_replace_zone (fixture->inventory, "b", b1);
  assert_change (fixture, 1, 2, 0, 1);
  air_inventory_replace_zone (fixture->inventory, "c", c1);
  assert_change (fixture, 2, 3, 0, 2);
  check_model (fixture);

  /* The middle zone grows: one change over its range, neighbours untouched. */
  air_inventory_replace_zone (fixture->inventory, "b", b2);
  assert_change (fixture, 3, 2, 1, 3);
  check_model (fixture);
  g_assert_cmpstr (name_at (fixture, 0), ==, "work");
  g_assert_cmpstr (name_at (fixture, 2), ==, "mail");
  g_assert_cmpstr (name_at (fixture, 3), ==, "web");
  g_assert_cmpstr (name_at (fixture, 5), ==, "x");
  /* "web" was known: the object from the first refresh stays. */
  g_assert_true (g_ptr_array_index (fixture->shadow, 3) == g_ptr_array_index (b1, 0));
  g_assert_false (g_ptr_array_index (fixture->shadow, 3) == g_ptr_array_index (b2, 1));

  /* The first zone shrinks. */
  air_inventory_replace_zone (fixture->inventory, "a", a2);
  assert_change (fixture, 4, 0, 2, 1);
  check_model (fixture);
  g_assert_true (g_ptr_array_index (fixture->shadow, 0) == g_ptr_array_index (a1, 0));
  g_assert_null (air_inventory_lookup (fixture->inventory, "a", "personal"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->inventory)), ==, 6);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_replace_same_set (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) first = make_qubes ("a", "one", "two", NULL);
  g_autoptr(GPtrArray) second = make_qubes ("a", "one", "two", NULL);
  g_autoptr(GPtrArray) reordered = make_qubes ("a", "two", "one", NULL);
  AirQube *one = g_ptr_array_index (first, 0);
  guint notified = 0;

  air_inventory_replace_zone (fixture->inventory, "a", first);
  g_signal_connect (one, "notify", G_CALLBACK (notify_cb), &notified);

  /* The same qubes with new states: no items-changed, the rows' objects
   * keep their identity and learn the new state. */
  air_qube_set_state (g_ptr_array_index (second, 0), AIR_QUBE_STATE_RUNNING);
  air_qube_set_memory (g_ptr_array_index (second, 0), 800);
  air_inventory_replace_zone (fixture->inventory, "a", second);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  g_assert_true (air_inventory_lookup (fixture->inventory, "a", "one") == one);
  g_assert_cmpint (air_qube_get_state (one), ==, AIR_QUBE_STATE_RUNNING);
  g_assert_cmpuint (air_qube_get_memory (one), ==, 800);
  g_assert_cmpuint (notified, >=, 2);

  /* Nothing new at all: nothing notified. */
  notified = 0;
  air_inventory_replace_zone (fixture->inventory, "a", second);
  g_assert_cmpuint (notified, ==, 0);
  g_assert_cmpuint (fixture->changes->len, ==, 1);

  /* The zone's own order counts. */
  air_inventory_replace_zone (fixture->inventory, "a", reordered);
  assert_change (fixture, 1, 0, 2, 2);
  check_model (fixture);
  g_assert_cmpstr (name_at (fixture, 0), ==, "two");
  g_assert_true (g_ptr_array_index (fixture->shadow, 1) == one);
}

static void
test_remove_zone (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) a = make_qubes ("a", "q1", "q2", NULL);
  g_autoptr(GPtrArray) b = make_qubes ("b", "q1", NULL);
  AirQube *gone = g_ptr_array_index (a, 1);

  air_inventory_replace_zone (fixture->inventory, "a", a);
  air_inventory_replace_zone (fixture->inventory, "b", b);
  /* The same name in two zones is two qubes. */
  g_assert_true (air_inventory_lookup (fixture->inventory, "a", "q1") != air_inventory_lookup (fixture->inventory, "b", "q1"));

  g_object_add_weak_pointer (G_OBJECT (gone), (gpointer *) &gone);
  g_clear_pointer (&a, g_ptr_array_unref);

  /* Held by the inventory (and the view's shadow) only… */
  g_assert_nonnull (gone);

  air_inventory_remove_zone (fixture->inventory, "a");
  assert_change (fixture, 2, 0, 2, 0);
  check_model (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->inventory)), ==, 1);
  g_assert_null (air_inventory_lookup (fixture->inventory, "a", "q1"));
  g_assert_nonnull (air_inventory_lookup (fixture->inventory, "b", "q1"));

  /* …so removing its zone frees it: no reference leaks. */
  g_assert_null (gone);

  /* Removing an unknown zone changes nothing. */
  air_inventory_remove_zone (fixture->inventory, "nowhere");
  g_assert_cmpuint (fixture->changes->len, ==, 3);
}

static AirEvent *
event_new (AirEventKind  kind,
           const char   *zone,
           const char   *name,
           AirQubeState  state)
{
  AirEvent *event = g_new0 (AirEvent, 1);

  event->kind = kind;
  if (kind == AIR_EVENT_QUBE_REMOVED)
    event->name = g_strdup (name);
  else if (kind != AIR_EVENT_ZONE_HEALTH)
    {
      event->qube = air_qube_new (zone, name);
      air_qube_set_state (event->qube, state);
    }
  return event;
}

static void
apply (Fixture      *fixture,
       AirEventKind  kind,
       const char   *zone,
       const char   *name,
       AirQubeState  state)
{
  g_autoptr(AirEvent) event = event_new (kind, zone, name, state);

  air_inventory_apply_event (fixture->inventory, zone, event);
  check_model (fixture);
}

static void
test_apply_event (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) a = make_qubes ("a", "a1", "a2", NULL);
  g_autoptr(GPtrArray) b = make_qubes ("b", "b1", NULL);
  AirQube *a1 = g_ptr_array_index (a, 0);

  air_inventory_replace_zone (fixture->inventory, "a", a);
  air_inventory_replace_zone (fixture->inventory, "b", b);

  /* Added to the first zone: at the end of that zone, before "b". */
  apply (fixture, AIR_EVENT_QUBE_ADDED, "a", "a3", AIR_QUBE_STATE_HALTED);
  assert_change (fixture, 2, 2, 0, 1);
  g_assert_cmpstr (name_at (fixture, 2), ==, "a3");
  g_assert_cmpstr (name_at (fixture, 3), ==, "b1");

  /* Added to a zone not seen yet: a new group at the end. */
  apply (fixture, AIR_EVENT_QUBE_ADDED, "c", "c1", AIR_QUBE_STATE_RUNNING);
  assert_change (fixture, 3, 4, 0, 1);

  /* Changed: the existing object learns it, no items-changed. */
  apply (fixture, AIR_EVENT_QUBE_CHANGED, "a", "a1", AIR_QUBE_STATE_RUNNING);
  g_assert_cmpuint (fixture->changes->len, ==, 4);
  g_assert_true (air_inventory_lookup (fixture->inventory, "a", "a1") == a1);
  g_assert_cmpint (air_qube_get_state (a1), ==, AIR_QUBE_STATE_RUNNING);

  /* An "added" for a known qube (a replayed event) is a change. */
  apply (fixture, AIR_EVENT_QUBE_ADDED, "a", "a1", AIR_QUBE_STATE_PAUSED);
  g_assert_cmpuint (fixture->changes->len, ==, 4);
  g_assert_cmpint (air_qube_get_state (a1), ==, AIR_QUBE_STATE_PAUSED);

  /* A "changed" for an unknown qube adds it. */
  apply (fixture, AIR_EVENT_QUBE_CHANGED, "b", "b2", AIR_QUBE_STATE_HALTED);
  assert_change (fixture, 4, 4, 0, 1);

  /* Removed. */
  apply (fixture, AIR_EVENT_QUBE_REMOVED, "a", "a2", 0);
  assert_change (fixture, 5, 1, 1, 0);
  g_assert_null (air_inventory_lookup (fixture->inventory, "a", "a2"));

  /* Removing what is not there, or from another zone, does nothing. */
  apply (fixture, AIR_EVENT_QUBE_REMOVED, "a", "a2", 0);
  apply (fixture, AIR_EVENT_QUBE_REMOVED, "b", "a1", 0);
  apply (fixture, AIR_EVENT_QUBE_REMOVED, "nowhere", "a1", 0);
  apply (fixture, AIR_EVENT_ZONE_HEALTH, "a", NULL, 0);
  g_assert_cmpuint (fixture->changes->len, ==, 6);

  g_assert_cmpuint (air_inventory_count_zone (fixture->inventory, "a", NULL), ==, 2);
  g_assert_cmpuint (air_inventory_count_zone (fixture->inventory, "b", NULL), ==, 2);
  g_assert_cmpuint (air_inventory_count_zone (fixture->inventory, "c", NULL), ==, 1);
}

static void
test_count_zone (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) a = make_qubes ("a", "r1", "h1", "r2", "p1", NULL);
  guint running = 99;

  g_assert_cmpuint (air_inventory_count_zone (fixture->inventory, "a", &running), ==, 0);
  g_assert_cmpuint (running, ==, 0);

  air_qube_set_state (g_ptr_array_index (a, 0), AIR_QUBE_STATE_RUNNING);
  air_qube_set_state (g_ptr_array_index (a, 2), AIR_QUBE_STATE_RUNNING);
  air_qube_set_state (g_ptr_array_index (a, 3), AIR_QUBE_STATE_PAUSED);
  air_inventory_replace_zone (fixture->inventory, "a", a);

  g_assert_cmpuint (air_inventory_count_zone (fixture->inventory, "a", &running), ==, 4);
  g_assert_cmpuint (running, ==, 2);

  apply (fixture, AIR_EVENT_QUBE_CHANGED, "a", "r1", AIR_QUBE_STATE_HALTING);
  g_assert_cmpuint (air_inventory_count_zone (fixture->inventory, "a", &running), ==, 4);
  g_assert_cmpuint (running, ==, 1);
  g_assert_cmpuint (air_inventory_count_zone (fixture->inventory, "b", &running), ==, 0);
  g_assert_cmpuint (running, ==, 0);
}

/* The counts a zone chip shows, by a scan of the model. */
static guint
scan_zone (AirInventory *inventory,
           const char   *zone,
           guint        *n_running)
{
  guint count = 0;

  *n_running = 0;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (inventory)); i++)
    {
      g_autoptr(AirQube) qube = g_list_model_get_item (G_LIST_MODEL (inventory), i);

      if (g_str_equal (air_qube_get_zone (qube), zone))
        {
          count++;
          if (air_qube_is_running (qube))
            (*n_running)++;
        }
    }
  return count;
}

/* The kept counts agree with the qubes through every kind of change: a
 * burst of events (added, changed, removed, twice over), lists replacing a
 * zone, a zone removed. */
static void
test_counts_follow (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const zones[] = { "a", "b", "c" };
  GRand *rand = g_rand_new_with_seed (17);

  for (guint step = 0; step < 3000; step++)
    {
      const char *zone = zones[g_rand_int_range (rand, 0, 3)];
      g_autofree char *name = g_strdup_printf ("q%d", g_rand_int_range (rand, 0, 12));
      AirQubeState state = g_rand_boolean (rand) ? AIR_QUBE_STATE_RUNNING : AIR_QUBE_STATE_HALTED;
      int what = g_rand_int_range (rand, 0, 100);

      if (what < 40)
        {
          g_autoptr(AirEvent) event = event_new (AIR_EVENT_QUBE_CHANGED, zone, name, state);
          air_inventory_apply_event (fixture->inventory, zone, event);
        }
      else if (what < 60)
        {
          g_autoptr(AirEvent) event = event_new (AIR_EVENT_QUBE_ADDED, zone, name, state);
          air_inventory_apply_event (fixture->inventory, zone, event);
        }
      else if (what < 85)
        {
          g_autoptr(AirEvent) event = event_new (AIR_EVENT_QUBE_REMOVED, zone, name, state);
          air_inventory_apply_event (fixture->inventory, zone, event);
        }
      else if (what < 98)
        {
          g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);

          for (int i = 0, n = g_rand_int_range (rand, 0, 8); i < n; i++)
            {
              g_autofree char *listed = g_strdup_printf ("q%d", i * 2);
              AirQube *qube = air_qube_new (zone, listed);

              air_qube_set_state (qube, g_rand_boolean (rand) ? AIR_QUBE_STATE_RUNNING : AIR_QUBE_STATE_PAUSED);
              g_ptr_array_add (list, qube);
            }
          air_inventory_replace_zone (fixture->inventory, zone, list);
        }
      else
        air_inventory_remove_zone (fixture->inventory, zone);

      for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
        {
          guint kept_running = 99, scanned_running = 0;
          guint kept = air_inventory_count_zone (fixture->inventory, zones[z], &kept_running);

          g_assert_cmpuint (kept, ==, scan_zone (fixture->inventory, zones[z], &scanned_running));
          g_assert_cmpuint (kept_running, ==, scanned_running);
        }
    }
  g_rand_free (rand);
}

static void
test_lifetimes (void)
{
  AirInventory *inventory = air_inventory_new ();
  g_autoptr(GPtrArray) a = make_qubes ("a", "q", NULL);
  AirQube *qube = g_object_ref (g_ptr_array_index (a, 0));
  g_autoptr(AirEvent) event = event_new (AIR_EVENT_QUBE_ADDED, "a", "new", AIR_QUBE_STATE_HALTED);
  AirQube *added = g_object_ref (event->qube);

  air_inventory_replace_zone (inventory, "a", a);
  air_inventory_apply_event (inventory, "a", event);
  g_clear_pointer (&a, g_ptr_array_unref);
  g_clear_pointer (&event, air_event_free);

  /* The inventory holds its own references, and drops them all. */
  g_assert_finalize_object (inventory);
  g_assert_finalize_object (qube);
  g_assert_finalize_object (added);
}

static void
test_random (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const zones[] = { "z0", "z1", "z2", "z3" };

  /* Random refreshes and events; after each the model is checked. */
  for (guint round = 0; round < 3000; round++)
    {
      const char *zone = zones[g_test_rand_int_range (0, G_N_ELEMENTS (zones))];
      g_autofree char *name = g_strdup_printf ("q%d", g_test_rand_int_range (0, 12));
      int op = g_test_rand_int_range (0, 5);

      if (op == 0)
        {
          g_autoptr(GPtrArray) qubes = g_ptr_array_new_with_free_func (g_object_unref);

          for (guint i = 0; i < 12; i++)
            if (g_test_rand_bit ())
              {
                g_autofree char *qube_name = g_strdup_printf ("q%u", i);
                g_ptr_array_add (qubes, air_qube_new (zone, qube_name));
              }
          air_inventory_replace_zone (fixture->inventory, zone, qubes);
          check_model (fixture);
        }
      else if (op == 1)
        {
          air_inventory_remove_zone (fixture->inventory, zone);
          check_model (fixture);
        }
      else if (op == 2)
        apply (fixture, AIR_EVENT_QUBE_REMOVED, zone, name, 0);
      else
        apply (fixture, op == 3 ? AIR_EVENT_QUBE_ADDED : AIR_EVENT_QUBE_CHANGED, zone, name,
               g_test_rand_int_range (0, AIR_QUBE_STATE_UNKNOWN + 1));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = test_isolate_dirs ();
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/air/inventory/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("replace-zone", test_replace_zone);
  ADD ("replace-same-set", test_replace_same_set);
  ADD ("remove-zone", test_remove_zone);
  ADD ("apply-event", test_apply_event);
  ADD ("count-zone", test_count_zone);
  ADD ("random", test_random);
  ADD ("counts-follow", test_counts_follow);
  g_test_add_func ("/air/inventory/lifetimes", test_lifetimes);

#undef ADD

  status = g_test_run ();
  test_remove_tree (home);
  return status;
}
