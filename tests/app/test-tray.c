/* test-tray.c — the tray indicator and notifications, seen from the bus
 *
 * Runs in a private session bus (headless.sh). The test plays the panel's
 * side: a StatusNotifierWatcher and a notification server of its own, on a
 * connection of its own. The application is the real one, registered on the
 * bus; the local zone is served by qubes-air-agent over loopback. The test
 * reads the item's properties and the menu's layout as a panel would,
 * clicks menu items with Event, and checks each change as the agent sees
 * it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "air-application.h"
#include "air-dbus-menu.h"
#include "air-test-utils.h"
#include "air-tray.h"

#define WAIT_SECONDS 60

static const char watcher_xml[] =
  "<node>"
  "  <interface name='org.kde.StatusNotifierWatcher'>"
  "    <method name='RegisterStatusNotifierItem'>"
  "      <arg type='s' name='service' direction='in'/>"
  "    </method>"
  "    <method name='RegisterStatusNotifierHost'>"
  "      <arg type='s' name='service' direction='in'/>"
  "    </method>"
  "    <property name='RegisteredStatusNotifierItems' type='as' access='read'/>"
  "    <property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
  "    <property name='ProtocolVersion' type='i' access='read'/>"
  "    <signal name='StatusNotifierItemRegistered'><arg type='s'/></signal>"
  "    <signal name='StatusNotifierItemUnregistered'><arg type='s'/></signal>"
  "    <signal name='StatusNotifierHostRegistered'/>"
  "  </interface>"
  "</node>";

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.gtk.Notifications'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='s' name='id' direction='in'/>"
  "      <arg type='a{sv}' name='notification' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='s' name='id' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

typedef struct {
  char *id;
  char *title;
  char *body;
} Notification;

/* The panel's side. */
static struct {
  GDBusConnection *bus;            /* the panel's connection */
  guint            watcher_owner;
  guint            watcher_object;
  gboolean         watcher_owned;
  GPtrArray       *registrations;  /* "sender service" */
  GPtrArray       *notifications;  /* Notification */
  guint            layout_updates;
  guint            property_updates;
  guint            new_status;
  char            *item_name;      /* the item's bus name, as registered */
  AirApplication  *app;
} panel;

static GDBusNodeInfo *watcher_info;
static GDBusNodeInfo *notifications_info;

static void
notification_free (Notification *n)
{
  g_free (n->id);
  g_free (n->title);
  g_free (n->body);
  g_free (n);
}

static void
watcher_method_call (GDBusConnection       *connection,
                     const char            *sender,
                     const char            *object_path,
                     const char            *interface_name,
                     const char            *method_name,
                     GVariant              *parameters,
                     GDBusMethodInvocation *invocation,
                     gpointer               user_data)
{
  const char *service;

  g_variant_get (parameters, "(&s)", &service);
  if (g_str_equal (method_name, "RegisterStatusNotifierItem"))
    {
      g_ptr_array_add (panel.registrations, g_strdup_printf ("%s %s", sender, service));
      g_free (panel.item_name);
      /* A path means "the sender, at that path"; a name, "that name". */
      panel.item_name = g_strdup (service[0] == '/' ? sender : service);
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
watcher_get_property (GDBusConnection  *connection,
                      const char       *sender,
                      const char       *object_path,
                      const char       *interface_name,
                      const char       *property_name,
                      GError          **error,
                      gpointer          user_data)
{
  if (g_str_equal (property_name, "IsStatusNotifierHostRegistered"))
    return g_variant_new_boolean (TRUE);
  if (g_str_equal (property_name, "ProtocolVersion"))
    return g_variant_new_int32 (0);
  return g_variant_new_strv (NULL, 0);
}

static const GDBusInterfaceVTable watcher_vtable = {
  .method_call = watcher_method_call,
  .get_property = watcher_get_property,
};

static void
notifications_method_call (GDBusConnection       *connection,
                           const char            *sender,
                           const char            *object_path,
                           const char            *interface_name,
                           const char            *method_name,
                           GVariant              *parameters,
                           GDBusMethodInvocation *invocation,
                           gpointer               user_data)
{
  if (g_str_equal (method_name, "AddNotification"))
    {
      g_autoptr(GVariant) dict = NULL;
      Notification *n = g_new0 (Notification, 1);
      const char *app_id;

      g_variant_get (parameters, "(&ss@a{sv})", &app_id, &n->id, &dict);
      g_assert_cmpstr (app_id, ==, AIR_APP_ID);
      g_variant_lookup (dict, "title", "s", &n->title);
      g_variant_lookup (dict, "body", "s", &n->body);
      g_ptr_array_add (panel.notifications, n);
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable notifications_vtable = {
  .method_call = notifications_method_call,
};

static void
menu_signal_cb (GDBusConnection *connection,
                const char      *sender,
                const char      *object_path,
                const char      *interface_name,
                const char      *signal_name,
                GVariant        *parameters,
                gpointer         user_data)
{
  if (g_str_equal (signal_name, "LayoutUpdated"))
    panel.layout_updates++;
  else if (g_str_equal (signal_name, "ItemsPropertiesUpdated"))
    panel.property_updates++;
  else if (g_str_equal (signal_name, "NewStatus"))
    panel.new_status++;
}

static gboolean
flag_is_set (gpointer user_data)
{
  return *(gboolean *) user_data;
}

static void
watcher_acquired_cb (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  panel.watcher_owned = TRUE;
}

static GDBusConnection *
panel_connect (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GDBusConnection *bus;

  g_assert_no_error (error);
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (bus, FALSE);
  return bus;
}

/* A watcher (and a notification server) on a new connection of the panel. */
static void
watcher_start (void)
{
  g_autoptr(GError) error = NULL;

  panel.bus = panel_connect ();
  panel.watcher_object =
    g_dbus_connection_register_object (panel.bus, "/StatusNotifierWatcher", watcher_info->interfaces[0],
                                       &watcher_vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (panel.bus, "/org/gtk/Notifications", notifications_info->interfaces[0],
                                     &notifications_vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_signal_subscribe (panel.bus, NULL, NULL, NULL, NULL, NULL,
                                      G_DBUS_SIGNAL_FLAGS_NONE, menu_signal_cb, NULL, NULL);

  panel.watcher_owned = FALSE;
  g_bus_own_name_on_connection (panel.bus, "org.gtk.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                NULL, NULL, NULL, NULL);
  panel.watcher_owner = g_bus_own_name_on_connection (panel.bus, "org.kde.StatusNotifierWatcher",
                                                      G_BUS_NAME_OWNER_FLAGS_NONE,
                                                      watcher_acquired_cb, NULL, NULL, NULL);
  air_test_wait_until (flag_is_set, &panel.watcher_owned, WAIT_SECONDS, "the watcher's name");
}

typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Call;

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;

  call->result = g_object_ref (result);
  call->done = TRUE;
}

static gboolean
call_is_done (gpointer user_data)
{
  return ((Call *) user_data)->done;
}

/* A call from the panel to the item; the application answers on the same
 * main loop, so the call waits by iterating it. */
static GVariant *
panel_try_call (const char          *path,
                const char          *interface,
                const char          *method,
                GVariant            *parameters,
                const GVariantType  *reply_type,
                GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  Call call = { 0 };

  g_assert_nonnull (panel.item_name);
  g_dbus_connection_call (panel.bus, panel.item_name, path, interface, method, parameters,
                          reply_type, G_DBUS_CALL_FLAGS_NONE, WAIT_SECONDS * 1000, NULL,
                          call_done_cb, &call);
  air_test_wait_until (call_is_done, &call, WAIT_SECONDS, method);
  result = call.result;
  return g_dbus_connection_call_finish (panel.bus, result, error);
}

static GVariant *
panel_call (const char         *path,
            const char         *interface,
            const char         *method,
            GVariant           *parameters,
            const GVariantType *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = panel_try_call (path, interface, method, parameters, reply_type, &error);

  g_assert_no_error (error);
  return reply;
}

static GVariant *
item_property (const char *name)
{
  g_autoptr(GVariant) reply = panel_call (AIR_STATUS_NOTIFIER_ITEM_PATH, "org.freedesktop.DBus.Properties", "Get",
                                          g_variant_new ("(ss)", "org.kde.StatusNotifierItem", name),
                                          G_VARIANT_TYPE ("(v)"));
  GVariant *value;

  g_variant_get (reply, "(v)", &value);
  return value;
}

static char *
item_string (const char *name)
{
  g_autoptr(GVariant) value = item_property (name);

  return g_variant_dup_string (value, NULL);
}

static char *
tooltip_body (void)
{
  g_autoptr(GVariant) value = item_property ("ToolTip");
  char *body;

  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE ("(sa(iiay)ss)")));
  g_variant_get_child (value, 3, "s", &body);
  return body;
}

static GVariant *
menu_layout (void)
{
  g_autoptr(GVariant) reply = panel_call (AIR_STATUS_NOTIFIER_MENU_PATH, "com.canonical.dbusmenu", "GetLayout",
                                          g_variant_new ("(ii^as)", 0, -1, (const char *[]) { NULL }),
                                          G_VARIANT_TYPE ("(u(ia{sv}av))"));

  return g_variant_get_child_value (reply, 1);
}

/* The layout item with @label, searched depth first; NULL when absent. */
static GVariant *
find_item (GVariant   *layout,
           const char *label)
{
  g_autoptr(GVariant) props = g_variant_get_child_value (layout, 1);
  g_autoptr(GVariant) children = g_variant_get_child_value (layout, 2);
  const char *own = NULL;

  if (g_variant_lookup (props, "label", "&s", &own) && g_strcmp0 (own, label) == 0)
    return g_variant_ref (layout);

  for (gsize i = 0; i < g_variant_n_children (children); i++)
    {
      g_autoptr(GVariant) boxed = g_variant_get_child_value (children, i);
      g_autoptr(GVariant) child = g_variant_get_variant (boxed);
      GVariant *found = find_item (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static int
item_id (GVariant *item)
{
  int id;

  g_variant_get_child (item, 0, "i", &id);
  return id;
}

static gboolean
item_enabled (GVariant *item)
{
  g_autoptr(GVariant) props = g_variant_get_child_value (item, 1);
  gboolean enabled = TRUE;

  g_variant_lookup (props, "enabled", "b", &enabled);
  return enabled;
}

/* Under @parent_label, the item @label. */
static GVariant *
find_under (const char *parent_label,
            const char *label)
{
  g_autoptr(GVariant) layout = menu_layout ();
  g_autoptr(GVariant) parent = find_item (layout, parent_label);

  return parent ? find_item (parent, label) : NULL;
}

static gboolean
menu_has (gpointer user_data)
{
  g_autoptr(GVariant) layout = menu_layout ();
  g_autoptr(GVariant) item = find_item (layout, user_data);

  return item != NULL;
}

static gboolean
menu_lacks (gpointer user_data)
{
  return !menu_has (user_data);
}

static void
wait_menu_has (const char *label)
{
  g_autofree char *what = g_strdup_printf ("the menu to show “%s”", label);

  air_test_wait_until (menu_has, (gpointer) label, WAIT_SECONDS, what);
}

static void
click_at (const char *path,
          int         id)
{
  g_autoptr(GVariant) reply = panel_call (path, "com.canonical.dbusmenu", "Event",
                                          g_variant_new ("(isvu)", id, "clicked", g_variant_new_int32 (0), 0),
                                          NULL);
}

static void
click (int id)
{
  click_at (AIR_STATUS_NOTIFIER_MENU_PATH, id);
}

static gboolean
status_is (gpointer user_data)
{
  g_autofree char *status = item_string ("Status");

  return g_str_equal (status, user_data);
}

static void
wait_status (const char *status)
{
  g_autofree char *what = g_strdup_printf ("the status %s", status);

  air_test_wait_until (status_is, (gpointer) status, WAIT_SECONDS, what);
}

/* The last notification with @title. */
static Notification *
find_notification (const char *title)
{
  for (guint i = panel.notifications->len; i > 0; i--)
    {
      Notification *n = g_ptr_array_index (panel.notifications, i - 1);

      if (g_strcmp0 (n->title, title) == 0)
        return n;
    }
  return NULL;
}

static gboolean
notified (gpointer user_data)
{
  return find_notification (user_data) != NULL;
}

static Notification *
wait_notification (const char *title)
{
  g_autofree char *what = g_strdup_printf ("the notification “%s”", title);

  air_test_wait_until (notified, (gpointer) title, WAIT_SECONDS, what);
  return find_notification (title);
}

static guint
count_notifications (const char *id)
{
  guint count = 0;

  for (guint i = 0; i < panel.notifications->len; i++)
    if (g_str_equal (((Notification *) g_ptr_array_index (panel.notifications, i))->id, id))
      count++;
  return count;
}

/* The agent's own view of the local zone. */
static int
agent_state (const char *name)
{
  g_autoptr(AirZone) zone = air_zone_new ("local", NULL, "local");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) qubes = NULL;
  g_autoptr(GError) error = NULL;
  Call call = { 0 };

  air_zone_list_qubes_async (zone, NULL, call_done_cb, &call);
  air_test_wait_until (call_is_done, &call, WAIT_SECONDS, "List");
  result = call.result;
  qubes = air_zone_list_qubes_finish (zone, result, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < qubes->len; i++)
    if (g_str_equal (air_qube_get_name (g_ptr_array_index (qubes, i)), name))
      return air_qube_get_state (g_ptr_array_index (qubes, i));
  return -1;
}

typedef struct {
  const char *name;
  int         state;
} StateWait;

static gboolean
agent_state_is (gpointer user_data)
{
  StateWait *wait = user_data;

  return agent_state (wait->name) == wait->state;
}

static void
wait_agent_state (const char *name,
                  int         state)
{
  StateWait wait = { name, state };

  air_test_wait_until (agent_state_is, &wait, WAIT_SECONDS, "the agent to see the new state");
}

static void
prepare_qube (const char *name)
{
  g_autoptr(AirZone) zone = air_zone_new ("local", NULL, "local");
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AirQube) qube = NULL;
  g_autoptr(GError) error = NULL;
  Call call = { 0 };

  /* The spec's template is "host", the local zone's one. */
  air_zone_create_qube_async (zone, name, spec, NULL, NULL, NULL, call_done_cb, &call);
  air_test_wait_until (call_is_done, &call, WAIT_SECONDS, "Create");
  result = call.result;
  qube = air_zone_create_qube_finish (zone, result, &error);
  g_assert_no_error (error);
}

static AirSession *
session (void)
{
  return air_application_get_session (panel.app);
}

static gboolean
tray_in_use (gpointer user_data)
{
  return air_tray_get_in_use (air_application_get_tray (panel.app)) == GPOINTER_TO_INT (user_data);
}

static gboolean
no_jobs_running (gpointer user_data)
{
  GListModel *jobs = air_session_get_jobs (session ());

  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(AirJob) job = g_list_model_get_item (jobs, i);

      if (!air_job_is_finished (job))
        return FALSE;
    }
  return TRUE;
}

/* The item registers with the watcher; a panel reads what it needs. */
static void
test_tray_registers (void)
{
  g_autofree char *status = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GVariant) menu = NULL;
  g_autoptr(GVariant) is_menu = NULL;
  g_autoptr(GVariant) version = NULL;

  g_assert_cmpuint (panel.registrations->len, ==, 1);
  g_assert_nonnull (air_application_get_tray (panel.app));
  air_test_wait_until (tray_in_use, GINT_TO_POINTER (TRUE), WAIT_SECONDS, "the tray to be in use");

  id = item_string ("Id");
  g_assert_cmpstr (id, ==, AIR_APP_ID);
  status = item_string ("Status");
  g_assert_cmpstr (status, ==, "Active");
  icon = item_string ("IconName");
  g_assert_cmpstr (icon, ==, AIR_APP_ID);
  menu = item_property ("Menu");
  g_assert_cmpstr (g_variant_get_string (menu, NULL), ==, AIR_STATUS_NOTIFIER_MENU_PATH);
  is_menu = item_property ("ItemIsMenu");
  g_assert_false (g_variant_get_boolean (is_menu));

  /* The menu is a dbusmenu of version 3 or later. */
  {
    g_autoptr(GVariant) reply = panel_call (AIR_STATUS_NOTIFIER_MENU_PATH, "org.freedesktop.DBus.Properties", "Get",
                                            g_variant_new ("(ss)", "com.canonical.dbusmenu", "Version"),
                                            G_VARIANT_TYPE ("(v)"));
    g_variant_get (reply, "(v)", &version);
    g_assert_cmpuint (g_variant_get_uint32 (version), >=, 3);
  }
}

/* The menu lists zones and qubes; Start and Shut Down do what they say. */
static gboolean window_shown (gpointer user_data);

static void
test_tray_menu_actions (void)
{
  g_autoptr(GVariant) start = NULL;
  g_autoptr(GVariant) start_again = NULL;
  g_autoptr(GVariant) shutdown = NULL;
  g_autoptr(GVariant) open = NULL;
  g_autoptr(GVariant) quit = NULL;
  g_autofree char *body = NULL;
  Notification *n;
  guint updates, n_jobs;
  int start_id;

  wait_menu_has ("local — Up");
  wait_menu_has ("tray-q (Halted)");
  open = find_under ("local — Up", "tray-q (Halted)");
  g_assert_nonnull (open);
  g_clear_pointer (&open, g_variant_unref);

  open = find_item (menu_layout (), "Open Qubes Air");
  quit = find_item (menu_layout (), "Quit");
  g_assert_nonnull (open);
  g_assert_nonnull (quit);
  g_assert_true (item_enabled (open));

  start = find_under ("tray-q (Halted)", "Start");
  shutdown = find_under ("tray-q (Halted)", "Shut Down");
  g_assert_nonnull (start);
  g_assert_nonnull (shutdown);
  g_assert_true (item_enabled (start));
  g_assert_false (item_enabled (shutdown));
  start_id = item_id (start);

  updates = panel.layout_updates + panel.property_updates;
  click (start_id);
  wait_agent_state ("tray-q", AIR_QUBE_STATE_RUNNING);

  /* The menu follows, and tells the panel; the item keeps its id. */
  wait_menu_has ("tray-q (Running)");
  g_assert_cmpuint (panel.layout_updates + panel.property_updates, >, updates);
  start_again = find_under ("tray-q (Running)", "Start");
  g_assert_nonnull (start_again);
  g_assert_cmpint (item_id (start_again), ==, start_id);
  g_assert_false (item_enabled (start_again));

  /* A terminal in a qube that has none: a failed job, which says so. */
  {
    g_autoptr(GVariant) terminal = find_under ("tray-q (Running)", "Run Terminal");
    g_autofree char *host_terminal = g_find_program_in_path ("x-terminal-emulator");

    g_assert_nonnull (terminal);
    click (item_id (terminal));
    n = wait_notification ("Run Terminal in tray-q failed");
    if (host_terminal == NULL)
      g_assert_nonnull (strstr (n->body, "This qube has no terminal program"));
    wait_status ("NeedsAttention");

    /* Seen in the window, it no longer needs attention. */
    g_clear_pointer (&open, g_variant_unref);
    open = find_item (menu_layout (), "Open Qubes Air");
    click (item_id (open));
    air_test_wait_until (window_shown, NULL, WAIT_SECONDS, "the window");
    wait_status ("Active");
    gtk_window_destroy (gtk_application_get_active_window (GTK_APPLICATION (panel.app)));
  }

  /* The tooltip counts the running qube. */
  air_test_wait_until (no_jobs_running, NULL, WAIT_SECONDS, "the start job to end");
  body = tooltip_body ();
  g_assert_nonnull (strstr (body, "1 qube running · 0 jobs running"));

  /* The job's end is a notification (no window has the focus). */
  n = wait_notification ("Start tray-q finished");
  g_assert_true (g_str_has_prefix (n->id, "job-"));
  g_assert_cmpstr (n->body, ==, "In zone “local”.");

  /* A stale click on the disabled Start changes nothing. */
  n_jobs = g_list_model_get_n_items (air_session_get_jobs (session ()));
  click (start_id);
  g_assert_cmpuint (g_list_model_get_n_items (air_session_get_jobs (session ())), ==, n_jobs);
  g_clear_pointer (&shutdown, g_variant_unref);
  shutdown = find_under ("tray-q (Running)", "Shut Down");
  g_assert_true (item_enabled (shutdown));
  click (item_id (shutdown));
  wait_agent_state ("tray-q", AIR_QUBE_STATE_HALTED);
  wait_menu_has ("tray-q (Halted)");
  air_test_wait_until (no_jobs_running, NULL, WAIT_SECONDS, "the shutdown job to end");
}

static void
touch (const char *path)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
}

/* A zone that cannot be reached turns the item to NeedsAttention, named in
 * the tooltip, with one notification however often it fails; it comes
 * back Active. */
static void
test_tray_zone_down (void)
{
  g_autofree char *gateway_dir = g_build_filename (g_getenv ("AIR_LOOPBACK_DIR"), "sys-remote-broken", NULL);
  g_autofree char *body = NULL;
  g_autofree char *icon = NULL;
  g_autoptr(GError) error = NULL;
  guint status_signals = panel.new_status;
  Notification *n;

  /* The gateway's state directory is a file: its agent fails at once. */
  g_mkdir_with_parents (g_getenv ("AIR_LOOPBACK_DIR"), 0700);
  touch (gateway_dir);
  g_assert_true (air_session_add_zone (session (), "broken", "sys-remote-broken", "local", &error));
  g_assert_no_error (error);

  wait_status ("NeedsAttention");
  g_assert_cmpuint (panel.new_status, >, status_signals);
  body = tooltip_body ();
  g_assert_nonnull (strstr (body, "Zone “broken” is down"));
  icon = item_string ("IconName");
  g_assert_cmpstr (icon, ==, "network-error");
  wait_menu_has ("broken — Down");
  wait_menu_has ("Reconnect");
  n = wait_notification ("Zone “broken” is down");
  g_assert_cmpstr (n->id, ==, "zone-broken");
  g_assert_nonnull (strstr (n->body, "Cannot create the zone directory"));

  /* The session retries (after 1 s, then 2 s): still one notification. */
  {
    gint64 until = g_get_monotonic_time () + 3500 * G_TIME_SPAN_MILLISECOND;

    while (g_get_monotonic_time () < until)
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
  }
  g_assert_cmpuint (count_notifications ("zone-broken"), ==, 1);

  /* Repaired, and reconnected from the menu. */
  g_assert_cmpint (g_unlink (gateway_dir), ==, 0);
  {
    g_autoptr(GVariant) reconnect = find_under ("broken — Down", "Reconnect");

    g_assert_nonnull (reconnect);
    click (item_id (reconnect));
  }
  wait_status ("Active");
  n = wait_notification ("Zone “broken” is back");
  /* The same id: "back" replaces "down" on the desktop. */
  g_assert_cmpstr (n->id, ==, "zone-broken");
  g_assert_cmpuint (count_notifications ("zone-broken"), ==, 2);
  g_clear_pointer (&body, g_free);
  body = tooltip_body ();
  g_assert_nonnull (strstr (body, "All 2 zones reachable"));

  g_assert_true (air_session_remove_zone (session (), "broken", &error));
  g_assert_no_error (error);
  air_test_wait_until (menu_lacks, (gpointer) "broken — Up", WAIT_SECONDS, "the zone to leave the menu");
}

static gboolean
window_shown (gpointer user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (panel.app));

  return window != NULL && gtk_widget_get_visible (GTK_WIDGET (window));
}

static gboolean
job_finished (gpointer user_data)
{
  return air_job_is_finished (user_data);
}

/* A failed job needs attention until the user opens the window; a left
 * click on the item opens it. */
static void
test_tray_failed_job (void)
{
  g_autofree char *body = NULL;
  g_autoptr(GVariant) open = NULL;
  Notification *n;
  AirJob *job;

  job = air_session_qube_action (session (), "local", "no-such-qube", AIR_ZONE_ACTION_START);
  air_test_wait_until (job_finished, job, WAIT_SECONDS, "the job to fail");
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_FAILED);

  wait_status ("NeedsAttention");
  body = tooltip_body ();
  g_assert_nonnull (strstr (body, "“Start no-such-qube” failed"));
  wait_menu_has ("Failed: Start no-such-qube");
  n = wait_notification ("Start no-such-qube failed");
  g_assert_true (g_str_has_prefix (n->id, "job-"));

  /* "Open Qubes Air": the window, and the failure seen. */
  open = find_item (menu_layout (), "Open Qubes Air");
  click (item_id (open));
  air_test_wait_until (window_shown, NULL, WAIT_SECONDS, "the window");
  wait_status ("Active");
  g_assert_cmpuint (air_tray_get_n_unseen_failures (air_application_get_tray (panel.app)), ==, 0);

  /* Closed, the window comes back with a left click on the item. */
  gtk_window_destroy (gtk_application_get_active_window (GTK_APPLICATION (panel.app)));
  g_assert_false (window_shown (NULL));
  g_variant_unref (panel_call (AIR_STATUS_NOTIFIER_ITEM_PATH, "org.kde.StatusNotifierItem", "Activate",
                               g_variant_new ("(ii)", 0, 0), NULL));
  air_test_wait_until (window_shown, NULL, WAIT_SECONDS, "the window again");
  gtk_window_destroy (gtk_application_get_active_window (GTK_APPLICATION (panel.app)));
}

static gboolean
connection_closed (gpointer user_data)
{
  return g_dbus_connection_is_closed (user_data);
}

/* The panel restarts: its new watcher gets the item registered again. */
static void
test_tray_watcher_restarts (void)
{
  g_autoptr(GDBusConnection) old = g_steal_pointer (&panel.bus);
  g_autofree char *status = NULL;

  g_bus_unown_name (panel.watcher_owner);
  g_dbus_connection_close (old, NULL, NULL, NULL);
  air_test_wait_until (connection_closed, old, WAIT_SECONDS, "the old watcher to go");
  air_test_wait_until (tray_in_use, GINT_TO_POINTER (FALSE), WAIT_SECONDS, "the tray to see the watcher go");

  g_ptr_array_set_size (panel.registrations, 0);
  g_clear_pointer (&panel.item_name, g_free);
  watcher_start ();
  air_test_wait_until (tray_in_use, GINT_TO_POINTER (TRUE), WAIT_SECONDS, "the item to register again");
  g_assert_cmpuint (panel.registrations->len, ==, 1);

  status = item_string ("Status");
  g_assert_cmpstr (status, ==, "Active");
  g_assert_true (menu_has ((gpointer) "tray-q (Halted)"));
}

typedef struct {
  guint *counter;
  guint  above;
} CounterWait;

static gboolean
counter_above (gpointer user_data)
{
  CounterWait *wait = user_data;

  return *wait->counter > wait->above;
}

static void
set_flag_cb (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  *(gboolean *) user_data = TRUE;
}

static GVariant *
test_menu_layout (guint *revision)
{
  g_autoptr(GVariant) reply = panel_call ("/TestMenu", "com.canonical.dbusmenu", "GetLayout",
                                          g_variant_new ("(ii^as)", 0, -1, (const char *[]) { NULL }),
                                          G_VARIANT_TYPE ("(u(ia{sv}av))"));

  g_variant_get_child (reply, 0, "u", revision);
  return g_variant_get_child_value (reply, 1);
}

static GMenuItem *
keyed_item (const char *label)
{
  GMenuItem *item = g_menu_item_new (label, "poke");

  g_menu_item_set_attribute (item, AIR_DBUS_MENU_ATTRIBUTE_KEY, "s", "poke");
  return item;
}

/* The exporter tells a panel what changed: properties alone (the same
 * ids), or the layout (a new revision); mnemonics in names are escaped. */
static void
test_tray_dbus_menu_updates (void)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) poke = g_simple_action_new ("poke", NULL);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(AirDBusMenu) exporter = NULL;
  g_autoptr(GVariant) layout = NULL;
  g_autoptr(GVariant) item = NULL;
  g_autoptr(GMenuItem) menu_item = NULL;
  g_autoptr(GError) error = NULL;
  gboolean poked = FALSE;
  guint revision, new_revision, layouts;
  CounterWait wait;
  int id;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (poke));
  g_signal_connect (poke, "activate", G_CALLBACK (set_flag_cb), &poked);
  menu_item = keyed_item ("my_qube");
  g_menu_append_item (menu, menu_item);
  exporter = air_dbus_menu_new (G_MENU_MODEL (menu), G_ACTION_GROUP (group));
  g_assert_true (air_dbus_menu_export (exporter, bus, "/TestMenu", &error));
  g_assert_no_error (error);

  layout = test_menu_layout (&revision);
  item = find_item (layout, "my__qube");
  g_assert_nonnull (item);
  g_assert_true (item_enabled (item));
  id = item_id (item);

  /* The action disabled: the item's properties, nothing else. */
  layouts = panel.layout_updates;
  wait = (CounterWait) { &panel.property_updates, panel.property_updates };
  g_simple_action_set_enabled (poke, FALSE);
  air_test_wait_until (counter_above, &wait, WAIT_SECONDS, "ItemsPropertiesUpdated");
  g_clear_pointer (&layout, g_variant_unref);
  g_clear_pointer (&item, g_variant_unref);
  layout = test_menu_layout (&new_revision);
  item = find_item (layout, "my__qube");
  g_assert_false (item_enabled (item));
  g_assert_cmpint (item_id (item), ==, id);

  /* A new label on the same item: properties again, the same id. */
  wait.above = panel.property_updates;
  g_menu_remove (menu, 0);
  g_clear_object (&menu_item);
  menu_item = keyed_item ("renamed");
  g_menu_append_item (menu, menu_item);
  air_test_wait_until (counter_above, &wait, WAIT_SECONDS, "ItemsPropertiesUpdated");
  g_assert_cmpuint (panel.layout_updates, ==, layouts);
  g_clear_pointer (&layout, g_variant_unref);
  g_clear_pointer (&item, g_variant_unref);
  layout = test_menu_layout (&new_revision);
  item = find_item (layout, "renamed");
  g_assert_cmpint (item_id (item), ==, id);
  g_assert_cmpuint (new_revision, ==, revision);

  /* Another item: the layout, with a new revision. */
  wait = (CounterWait) { &panel.layout_updates, panel.layout_updates };
  g_menu_append (menu, "Second", "poke");
  air_test_wait_until (counter_above, &wait, WAIT_SECONDS, "LayoutUpdated");
  g_clear_pointer (&layout, g_variant_unref);
  layout = test_menu_layout (&new_revision);
  g_assert_cmpuint (new_revision, >, revision);
  g_assert_cmpuint (new_revision, ==, air_dbus_menu_get_revision (exporter));

  /* Clicked while disabled: nothing; enabled: the action. */
  click_at ("/TestMenu", id);
  g_assert_false (poked);
  g_simple_action_set_enabled (poke, TRUE);
  click_at ("/TestMenu", id);
  g_assert_true (poked);

  air_dbus_menu_unexport (exporter);
}

/* The rest of what a panel may call (the generated skeletons answer the
 * calls, this code the questions): the menu's own properties, one item's
 * or several items' properties, clicks in a group, AboutToShowGroup, and
 * the item's icon pixels and menu path. */
static void
test_tray_dbus_calls (void)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) poke = g_simple_action_new ("poke", NULL);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(AirDBusMenu) exporter = NULL;
  g_autoptr(GVariant) layout = NULL;
  g_autoptr(GVariant) item = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GMenuItem) menu_item = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  gboolean poked = FALSE;
  guint revision;
  int id;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (poke));
  g_signal_connect (poke, "activate", G_CALLBACK (set_flag_cb), &poked);
  menu_item = keyed_item ("one");
  g_menu_append_item (menu, menu_item);
  exporter = air_dbus_menu_new (G_MENU_MODEL (menu), G_ACTION_GROUP (group));
  g_assert_true (air_dbus_menu_export (exporter, bus, "/TestMenu", &error));
  g_assert_no_error (error);
  layout = test_menu_layout (&revision);
  item = find_item (layout, "one");
  id = item_id (item);

  reply = panel_call ("/TestMenu", "org.freedesktop.DBus.Properties", "Get",
                      g_variant_new ("(ss)", "com.canonical.dbusmenu", "Version"), G_VARIANT_TYPE ("(v)"));
  g_variant_get (reply, "(v)", &value);
  g_assert_cmpuint (g_variant_get_uint32 (value), ==, 3);
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_pointer (&value, g_variant_unref);

  reply = panel_call ("/TestMenu", "com.canonical.dbusmenu", "GetProperty",
                      g_variant_new ("(is)", id, "label"), G_VARIANT_TYPE ("(v)"));
  g_variant_get (reply, "(v)", &value);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "one");
  g_clear_pointer (&reply, g_variant_unref);
  reply = panel_try_call ("/TestMenu", "com.canonical.dbusmenu", "GetProperty",
                          g_variant_new ("(is)", 9999, "label"), G_VARIANT_TYPE ("(v)"), &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  /* Only the properties asked for, of the items that exist. */
  reply = panel_call ("/TestMenu", "com.canonical.dbusmenu", "GetGroupProperties",
                      g_variant_new ("(@ai^as)", g_variant_new_fixed_array (G_VARIANT_TYPE_INT32,
                                                                            (int[]) { id, 9999 }, 2, sizeof (int)),
                                     (const char *[]) { "label", NULL }),
                      G_VARIANT_TYPE ("(a(ia{sv}))"));
  {
    g_autoptr(GVariant) items = g_variant_get_child_value (reply, 0);
    g_autoptr(GVariant) first = g_variant_get_child_value (items, 0);
    g_autoptr(GVariant) props = g_variant_get_child_value (first, 1);

    g_assert_cmpuint (g_variant_n_children (items), ==, 1);
    g_assert_cmpuint (g_variant_n_children (props), ==, 1);
    g_assert_true (g_variant_lookup (props, "label", "s", &label));
    g_assert_cmpstr (label, ==, "one");
  }
  g_clear_pointer (&reply, g_variant_unref);

  /* A group of clicks: the known one activates, the unknown one is named. */
  reply = panel_call ("/TestMenu", "com.canonical.dbusmenu", "EventGroup",
                      g_variant_new_parsed ("([(%i, 'clicked', <0>, @u 0), (9999, 'clicked', <0>, 0)],)", id),
                      G_VARIANT_TYPE ("(ai)"));
  g_assert_true (poked);
  g_free (label);
  label = g_variant_print (reply, FALSE);
  g_assert_cmpstr (label, ==, "([9999],)");
  g_clear_pointer (&reply, g_variant_unref);
  reply = panel_try_call ("/TestMenu", "com.canonical.dbusmenu", "EventGroup",
                          g_variant_new_parsed ("([(9998, 'clicked', <0>, @u 0)],)"), G_VARIANT_TYPE ("(ai)"),
                          &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  reply = panel_call ("/TestMenu", "com.canonical.dbusmenu", "AboutToShowGroup",
                      g_variant_new_parsed ("([%i, 9999],)", id), G_VARIANT_TYPE ("(aiai)"));
  g_free (label);
  label = g_variant_print (reply, FALSE);
  g_assert_cmpstr (label, ==, "([], [9999])");
  g_clear_pointer (&reply, g_variant_unref);
  air_dbus_menu_unexport (exporter);

  /* The item: its icon's pixels (none set here: an empty list, of the
   * right type) and where its menu is. */
  value = item_property ("IconPixmap");
  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE ("a(iiay)")));
  g_clear_pointer (&value, g_variant_unref);
  value = item_property ("Menu");
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, AIR_STATUS_NOTIFIER_MENU_PATH);
}

/* Runs the main loop for @ms: signals on their way reach the panel. */
static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

/* tray-q's state as a zone event says it, applied as the session does. */
static void
tray_q_event (AirQubeState state)
{
  AirInventory *inventory = air_session_get_inventory (session ());
  g_autoptr(AirQube) changed = air_qube_new ("local", "tray-q");
  AirQube *known = air_inventory_lookup (inventory, "local", "tray-q");
  AirEvent event = { .kind = AIR_EVENT_QUBE_CHANGED, .qube = changed };

  g_assert_nonnull (known);
  air_qube_update_from (changed, known);
  air_qube_set_state (changed, state);
  air_zone_link_apply_event (air_session_get_link (session (), "local"), &event);
}

/* A burst of zone events while the panel does not look at the menu: the
 * panel is told once that the menu changed (not once per event), and what
 * it then fetches is current. */
static void
test_tray_menu_on_demand (void)
{
  guint before;

  wait_menu_has ("tray-q (Halted)");
  spin (300);
  before = panel.layout_updates + panel.property_updates;

  for (guint i = 0; i < 5; i++)
    {
      tray_q_event (i % 2 == 0 ? AIR_QUBE_STATE_RUNNING : AIR_QUBE_STATE_HALTED);
      spin (100);   /* each event its own update */
    }
  spin (300);
  g_assert_cmpuint (panel.layout_updates + panel.property_updates, ==, before + 1);
  g_assert_true (menu_has ((gpointer) "tray-q (Running)"));

  /* Asked for, the menu is news again at the next change. */
  before = panel.layout_updates + panel.property_updates;
  tray_q_event (AIR_QUBE_STATE_HALTED);
  spin (300);
  g_assert_cmpuint (panel.layout_updates + panel.property_updates, ==, before + 1);
  g_assert_true (menu_has ((gpointer) "tray-q (Halted)"));
}

static guint
count_titled (const char *title)
{
  guint count = 0;

  for (guint i = 0; i < panel.notifications->len; i++)
    if (g_strcmp0 (((Notification *) g_ptr_array_index (panel.notifications, i))->title, title) == 0)
      count++;
  return count;
}

/* A job the job list shows again (added twice) ends with one notification,
 * not one per time it was listed. */
static void
test_notifier_job_once (void)
{
  g_autoptr(AirJob) job = air_job_new ("Tidy the zone", "local");
  g_autoptr(AirJob) marker = air_job_new ("Count the qubes", "local");
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "No room left.");

  air_session_add_job (session (), job);
  air_session_add_job (session (), job);
  air_job_fail (job, error);
  wait_notification ("Tidy the zone failed");
  /* The bus keeps the order: once the next job's notification is in, a
   * second one for the first would be too. */
  air_session_add_job (session (), marker);
  air_job_fail (marker, error);
  wait_notification ("Count the qubes failed");
  g_assert_cmpuint (count_titled ("Tidy the zone failed"), ==, 1);
  g_assert_cmpuint (count_titled ("Count the qubes failed"), ==, 1);
}

static gboolean
registered (gpointer user_data)
{
  return panel.registrations->len > 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dirs = air_test_isolate_dirs ("test-tray");
  g_autofree char *loopback = g_build_filename (dirs, "loopback", NULL);
  g_autofree char *zones = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  g_setenv ("AIR_LOOPBACK_DIR", loopback, TRUE);
  g_setenv ("AIR_TRANSPORT", "loopback", TRUE);
  zones = g_build_filename (g_get_user_config_dir (), "qubes-air", "zones.json", NULL);
  g_setenv ("AIR_ZONES_FILE", zones, TRUE);

  watcher_info = g_dbus_node_info_new_for_xml (watcher_xml, NULL);
  notifications_info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  panel.registrations = g_ptr_array_new_with_free_func (g_free);
  panel.notifications = g_ptr_array_new_with_free_func ((GDestroyNotify) notification_free);

  /* The panel is up first, as at login; then the application starts. */
  watcher_start ();
  prepare_qube ("tray-q");
  panel.app = air_application_new ();
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (g_application_register (G_APPLICATION (panel.app), NULL, &error));
    g_assert_no_error (error);
  }
  air_test_wait_until (registered, NULL, WAIT_SECONDS, "the item to register");

  g_test_add_func ("/air/tray/registers", test_tray_registers);
  g_test_add_func ("/air/tray/menu-actions", test_tray_menu_actions);
  g_test_add_func ("/air/tray/zone-down", test_tray_zone_down);
  g_test_add_func ("/air/tray/failed-job", test_tray_failed_job);
  g_test_add_func ("/air/tray/watcher-restarts", test_tray_watcher_restarts);
  g_test_add_func ("/air/tray/dbus-menu-updates", test_tray_dbus_menu_updates);
  g_test_add_func ("/air/tray/dbus-calls", test_tray_dbus_calls);
  g_test_add_func ("/air/tray/menu-on-demand", test_tray_menu_on_demand);
  g_test_add_func ("/air/tray/notifier-job-once", test_notifier_job_once);

  status = g_test_run ();

  /* Leave no qube running behind. */
  air_session_shutdown (session ());
  g_clear_object (&panel.app);
  g_clear_object (&panel.bus);
  g_clear_pointer (&panel.registrations, g_ptr_array_unref);
  g_clear_pointer (&panel.notifications, g_ptr_array_unref);
  g_clear_pointer (&panel.item_name, g_free);
  air_test_remove_dirs (dirs);
  return status;
}
