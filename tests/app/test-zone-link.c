/* test-zone-link.c — AirZoneLink against stand-in zones (fake-zone)
 *
 * A zone's link goes CONNECTING → LISTING → LIVE, or DOWN and again; its
 * properties are notified once per real change (a view bound to them
 * redraws only then), its counts follow the zone's events, a list asked
 * for after an action never undoes a newer event, and a zone removed takes
 * its link and its qubes with it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-session.h"
#include "air-test-utils.h"

#define QUBES_PER_ZONE 25
/* fake-zone: qube i runs when i % 3 == 0. */
#define RUNNING_PER_ZONE 9
#define WAIT_SECONDS 30

typedef struct {
  GArray *states;          /* AirZoneLinkState, as notified */
  guint   n_qubes_notes;
  guint   n_running_notes;
  guint   reason_notes;
  guint   qubes_changed;
} Notes;

typedef struct {
  AirSession *session;
  char       *trigger_dir;
  Notes       up;
  Notes       down;
} Fixture;

static void
notify_cb (AirZoneLink *link,
           GParamSpec  *pspec,
           Notes       *notes)
{
  if (g_str_equal (pspec->name, "state"))
    {
      AirZoneLinkState state = air_zone_link_get_state (link);

      g_array_append_val (notes->states, state);
    }
  else if (g_str_equal (pspec->name, "n-qubes"))
    notes->n_qubes_notes++;
  else if (g_str_equal (pspec->name, "n-running"))
    notes->n_running_notes++;
  else if (g_str_equal (pspec->name, "health-reason"))
    notes->reason_notes++;
}

static void
qubes_changed_cb (AirZoneLink *link,
                  Notes       *notes)
{
  notes->qubes_changed++;
}

/* Each link as the session makes it, before it starts connecting. */
static void
links_changed_cb (GListModel *links,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(AirZoneLink) link = g_list_model_get_item (links, i);
      const char *name = air_zone_get_name (air_zone_link_get_zone (link));
      Notes *notes = g_str_equal (name, "up1") ? &fixture->up : &fixture->down;

      g_signal_connect (link, "notify", G_CALLBACK (notify_cb), notes);
      g_signal_connect (link, "qubes-changed", G_CALLBACK (qubes_changed_cb), notes);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fifo = NULL;

  air_test_setup_dirs ();
  fixture->trigger_dir = g_build_filename (g_get_user_runtime_dir (), "triggers", NULL);
  g_mkdir_with_parents (fixture->trigger_dir, 0700);
  fifo = g_strdup_printf ("%s/up1.fifo", fixture->trigger_dir);
  g_unlink (fifo);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_setenv ("AIR_FAKE_TRIGGER_DIR", fixture->trigger_dir, TRUE);
  g_setenv ("AIR_FAKE_QUBES", G_STRINGIFY (QUBES_PER_ZONE), TRUE);
  g_unsetenv ("AIR_FAKE_CALL_LOG");

  air_test_write_zones ("{\"version\":1,\"zones\":["
                        "{\"name\":\"up1\",\"gateway\":\"sys-remote-up1\",\"driver\":\"local\"},"
                        "{\"name\":\"down1\",\"gateway\":\"sys-remote-down1\",\"driver\":\"ssh\"}]}");

  fixture->up.states = g_array_new (FALSE, FALSE, sizeof (AirZoneLinkState));
  fixture->down.states = g_array_new (FALSE, FALSE, sizeof (AirZoneLinkState));
  fixture->session = air_session_new (NULL);
  g_assert_cmpuint (g_list_model_get_n_items (air_session_get_links (fixture->session)), ==, 0);
  g_signal_connect (air_session_get_links (fixture->session), "items-changed",
                    G_CALLBACK (links_changed_cb), fixture);
  g_assert_true (air_session_load (fixture->session, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  air_session_shutdown (fixture->session);
  g_assert_finalize_object (fixture->session);
  g_unlink (g_getenv ("AIR_ZONES_FILE"));
  g_array_unref (fixture->up.states);
  g_array_unref (fixture->down.states);
  g_free (fixture->trigger_dir);
}

static gboolean
link_in_state (gpointer user_data)
{
  AirZoneLink *link = ((gpointer *) user_data)[0];

  return air_zone_link_get_state (link) == (AirZoneLinkState) GPOINTER_TO_INT (((gpointer *) user_data)[1]);
}

static void
wait_state (AirZoneLink      *link,
            AirZoneLinkState  state)
{
  gpointer data[2] = { link, GINT_TO_POINTER (state) };

  air_test_wait_until (link_in_state, data, WAIT_SECONDS, "the link's state");
}

static gboolean
counter_above (gpointer user_data)
{
  guint *counter = ((gpointer *) user_data)[0];

  return *counter > GPOINTER_TO_UINT (((gpointer *) user_data)[1]);
}

static void
wait_counter_above (guint      *counter,
                    guint       value,
                    const char *what)
{
  gpointer data[2] = { counter, GUINT_TO_POINTER (value) };

  air_test_wait_until (counter_above, data, WAIT_SECONDS, what);
}

/* Has the fake zone send @line as an event (its Events process opens the
 * FIFO once it has started: until then there is no reader, ENXIO). */
static void
send_trigger (Fixture    *fixture,
              const char *line)
{
  g_autofree char *fifo = g_strdup_printf ("%s/up1.fifo", fixture->trigger_dir);
  int fd;

  for (guint i = 0; (fd = open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0 && errno == ENXIO && i < 500; i++)
    g_usleep (10000);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, line, strlen (line)), ==, strlen (line));
  close (fd);
}

/* A reachable zone: listing, then live, its counts notified once each; an
 * unreachable one: down with the zone's reason, tried again, the same
 * reason not notified again. */
static void
test_zone_link_states (Fixture       *fixture,
                       gconstpointer  data)
{
  AirZoneLink *up = air_session_get_link (fixture->session, "up1");
  AirZoneLink *down = air_session_get_link (fixture->session, "down1");
  guint down_states;

  g_assert_nonnull (up);
  g_assert_nonnull (down);
  g_assert_cmpuint (g_list_model_get_n_items (air_session_get_links (fixture->session)), ==, 2);
  g_assert_true (air_zone_link_get_zone (up) == air_session_lookup_zone (fixture->session, "up1"));
  g_assert_true (air_session_zone_is_loading (fixture->session, "up1"));

  wait_state (up, AIR_ZONE_LINK_LIVE);
  g_assert_cmpuint (fixture->up.states->len, ==, 2);
  g_assert_cmpint (g_array_index (fixture->up.states, AirZoneLinkState, 0), ==, AIR_ZONE_LINK_LISTING);
  g_assert_cmpint (g_array_index (fixture->up.states, AirZoneLinkState, 1), ==, AIR_ZONE_LINK_LIVE);
  g_assert_false (air_session_zone_is_loading (fixture->session, "up1"));
  g_assert_cmpuint (air_zone_link_get_n_qubes (up), ==, QUBES_PER_ZONE);
  g_assert_cmpuint (air_zone_link_get_n_running (up), ==, RUNNING_PER_ZONE);
  g_assert_cmpuint (fixture->up.n_qubes_notes, ==, 1);
  g_assert_cmpuint (fixture->up.n_running_notes, ==, 1);
  g_assert_cmpstr (air_zone_link_get_health_reason (up), ==, "");

  wait_state (down, AIR_ZONE_LINK_DOWN);
  g_assert_nonnull (strstr (air_zone_link_get_health_reason (down), "does not answer"));
  g_assert_cmpuint (fixture->down.reason_notes, ==, 1);
  g_assert_cmpuint (air_zone_link_get_n_qubes (down), ==, 0);
  g_assert_cmpuint (fixture->down.n_qubes_notes, ==, 0);

  /* After its wait (a second, the first time), the zone is tried again. */
  down_states = fixture->down.states->len;
  wait_counter_above (&fixture->down.states->len, down_states + 1, "another attempt");
  wait_state (down, AIR_ZONE_LINK_DOWN);
  g_assert_cmpint (g_array_index (fixture->down.states, AirZoneLinkState, down_states), ==,
                   AIR_ZONE_LINK_CONNECTING);
  g_assert_cmpuint (fixture->down.reason_notes, ==, 1);

  /* Asked to, at once. */
  down_states = fixture->down.states->len;
  air_session_reconnect_zone (fixture->session, "down1");
  g_assert_cmpint (air_zone_link_get_state (down), ==, AIR_ZONE_LINK_CONNECTING);
  g_assert_cmpuint (fixture->down.states->len, ==, down_states + 1);
  wait_state (down, AIR_ZONE_LINK_DOWN);
}

/* The zone's events: a qube that starts is one n-running notification; an
 * event that changes no count notifies none, but the views drawing each
 * qube still hear of it. */
static void
test_zone_link_events (Fixture       *fixture,
                       gconstpointer  data)
{
  AirZoneLink *up = air_session_get_link (fixture->session, "up1");
  AirInventory *inventory = air_session_get_inventory (fixture->session);
  guint changed;

  wait_state (up, AIR_ZONE_LINK_LIVE);
  g_assert_cmpuint (fixture->up.n_running_notes, ==, 1);

  changed = fixture->up.qubes_changed;
  send_trigger (fixture, "up1-q00001 Running\n");
  wait_counter_above (&fixture->up.qubes_changed, changed, "the event");
  g_assert_cmpuint (air_zone_link_get_n_running (up), ==, RUNNING_PER_ZONE + 1);
  g_assert_cmpuint (fixture->up.n_running_notes, ==, 2);
  g_assert_cmpuint (fixture->up.n_qubes_notes, ==, 1);

  changed = fixture->up.qubes_changed;
  send_trigger (fixture, "up1-q00002 Transient\n");
  wait_counter_above (&fixture->up.qubes_changed, changed, "the second event");
  g_assert_cmpint (air_qube_get_state (air_inventory_lookup (inventory, "up1", "up1-q00002")), ==,
                   AIR_QUBE_STATE_STARTING);
  g_assert_cmpuint (air_zone_link_get_n_running (up), ==, RUNNING_PER_ZONE + 1);
  g_assert_cmpuint (fixture->up.n_running_notes, ==, 2);

  /* What the session knows happened there (a qube it created) goes in
   * through the same link. */
  {
    g_autoptr(AirQube) made = air_qube_new ("up1", "made-here");
    AirEvent event = { .kind = AIR_EVENT_QUBE_ADDED, .qube = made };

    air_qube_set_state (made, AIR_QUBE_STATE_RUNNING);
    air_zone_link_apply_event (up, &event);
    g_assert_cmpuint (air_zone_link_get_n_qubes (up), ==, QUBES_PER_ZONE + 1);
    g_assert_cmpuint (air_zone_link_get_n_running (up), ==, RUNNING_PER_ZONE + 2);
    g_assert_cmpuint (air_inventory_count_zone (inventory, "up1", NULL), ==, QUBES_PER_ZONE + 1);
    g_assert_cmpuint (fixture->up.n_qubes_notes, ==, 2);
  }
}

static gboolean
file_mentions (gpointer user_data)
{
  const char *const *args = user_data;
  g_autofree char *contents = NULL;

  return g_file_get_contents (args[0], &contents, NULL, NULL) && strstr (contents, args[1]) != NULL;
}

static gboolean
set_true (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
is_true (gpointer user_data)
{
  return *(gboolean *) user_data;
}

/* After an action the session asks for the zone's list again; a change
 * the zone tells while that List is in flight (here, a qube starting as
 * the list is made) is newer than the list and must not be undone by it:
 * the qube stays Running. */
static void
test_zone_link_resync (Fixture       *fixture,
                       gconstpointer  data)
{
  AirZoneLink *up = air_session_get_link (fixture->session, "up1");
  AirInventory *inventory = air_session_get_inventory (fixture->session);
  g_autofree char *gate = g_build_filename (fixture->trigger_dir, "list-gate", NULL);
  g_autofree char *log = g_build_filename (fixture->trigger_dir, "calls", NULL);
  const char *listed[] = { log, "qubesair.List+ up1\n" };
  gboolean read_time = FALSE;
  guint changed;

  wait_state (up, AIR_ZONE_LINK_LIVE);
  g_unlink (gate);
  g_unlink (log);
  g_setenv ("AIR_FAKE_LIST_GATE", gate, TRUE);
  g_setenv ("AIR_FAKE_CALL_LOG", log, TRUE);

  air_session_qube_action (fixture->session, "up1", "up1-q00001", AIR_ZONE_ACTION_START);
  air_test_wait_until (file_mentions, listed, WAIT_SECONDS, "the List after the action");
  send_trigger (fixture, "up1-q00001 Running\n");
  /* Time for the event to be read while the List is held. */
  g_timeout_add (300, set_true, &read_time);
  air_test_wait_until (is_true, &read_time, WAIT_SECONDS, "the event to be read");

  changed = fixture->up.qubes_changed;
  g_assert_true (g_file_set_contents (gate, "", 0, NULL));
  wait_counter_above (&fixture->up.qubes_changed, changed, "the list");
  g_assert_cmpint (air_qube_get_state (air_inventory_lookup (inventory, "up1", "up1-q00001")), ==,
                   AIR_QUBE_STATE_RUNNING);
  g_assert_cmpuint (air_zone_link_get_n_running (up), ==, RUNNING_PER_ZONE + 1);

  g_unsetenv ("AIR_FAKE_LIST_GATE");
  g_unsetenv ("AIR_FAKE_CALL_LOG");
  g_unlink (gate);
  g_unlink (log);
}

static gboolean
weak_cleared (gpointer user_data)
{
  return *(gpointer *) user_data == NULL;
}

/* A zone removed: its link leaves the links model, its qubes the
 * inventory (n-qubes to 0), and nothing keeps the link alive. */
static void
test_zone_link_removed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  AirZoneLink *up = air_session_get_link (fixture->session, "up1");
  gpointer weak = up;

  wait_state (up, AIR_ZONE_LINK_LIVE);
  g_object_add_weak_pointer (G_OBJECT (up), &weak);

  g_assert_true (air_session_remove_zone (fixture->session, "up1", &error));
  g_assert_no_error (error);
  g_assert_null (air_session_get_link (fixture->session, "up1"));
  g_assert_cmpuint (g_list_model_get_n_items (air_session_get_links (fixture->session)), ==, 1);
  g_assert_cmpuint (air_inventory_count_zone (air_session_get_inventory (fixture->session), "up1", NULL), ==, 0);
  g_assert_cmpuint (fixture->up.n_qubes_notes, ==, 2);   /* 25, then 0 */

  air_test_wait_until (weak_cleared, &weak, WAIT_SECONDS, "the link to go");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/air/zone-link/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("states", test_zone_link_states);
  ADD ("events", test_zone_link_events);
  ADD ("resync", test_zone_link_resync);
  ADD ("removed", test_zone_link_removed);

  return g_test_run ();
}
