/* air-notifier.c
 *
 * The work a user started ends with a notification even when the window is
 * closed: a job that finished or failed, a zone that went down or came
 * back. Each notification has an action that opens the window on the job's
 * or the zone's place.
 *
 * No flooding: a zone has one notification id, so its "down" is replaced
 * by its "back" and a zone that keeps failing (the session retries with a
 * growing wait) says so once — only a change of health is news. Jobs are
 * notified only while no window of the application has the focus: the
 * user is looking at the job list otherwise.
 *
 * Notifications go out only while a notification server is on the bus
 * (or through the portal in a Flatpak): GIO would otherwise warn on every
 * first try, in a qube without one.
 *
 * Reasons and titles were made safe by AirZone and AirJob; notification
 * servers may read the body as markup, so it is escaped here too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-notifier"

#include "config.h"

#include <glib/gi18n.h>

#include "air-names.h"
#include "air-notifier.h"

#define MAX_BODY 300

/* The servers GNotification's backends talk to, in GIO's order. */
static const char * const servers[] = { "org.gtk.Notifications", "org.freedesktop.Notifications" };

struct _AirNotifier
{
  GObject       parent_instance;

  /* Borrowed references */
  GApplication *application;   /* weak */

  /* Owned references */
  AirSession   *session;
  GHashTable   *down_zones;    /* zone name → TRUE while notified down */

  guint         n_sent;
  guint         next_job_id;
  guint         check_id;
  guint         server_watch[G_N_ELEMENTS (servers)];
  gboolean      server_present[G_N_ELEMENTS (servers)];
  gboolean      portal;
};

G_DEFINE_FINAL_TYPE (AirNotifier, air_notifier, G_TYPE_OBJECT)

static gboolean
can_send (AirNotifier *self)
{
  if (self->application == NULL)
    return FALSE;
  if (self->portal)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    if (self->server_present[i])
      return TRUE;
  return FALSE;
}

static void
send (AirNotifier   *self,
      const char    *id,
      GNotification *notification)
{
  if (!can_send (self))
    {
      g_debug ("No notification server for “%s”", id);
      return;
    }
  self->n_sent++;
  g_application_send_notification (self->application, id, notification);
}

static char *
safe_body (const char *text)
{
  g_autofree char *clean = air_text_sanitize (text, -1, MAX_BODY);

  return g_markup_escape_text (clean, -1);
}

static char *
zone_notification_id (const char *zone)
{
  return g_strdup_printf ("zone-%s", zone);
}

static void
check_zone (AirNotifier *self,
            AirZone     *zone)
{
  const char *name = air_zone_get_name (zone);
  AirHealth health = air_zone_get_health (zone);
  gboolean was_down = g_hash_table_contains (self->down_zones, name);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = zone_notification_id (name);
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  if (health == AIR_HEALTH_DOWN && !was_down)
    {
      const char *reason = air_zone_get_health_reason (zone);

      g_hash_table_add (self->down_zones, g_strdup (name));
      title = g_strdup_printf (_("Zone “%s” is down"), name);
      body = safe_body (reason && reason[0] ? reason : _("The zone cannot be reached."));
      notification = g_notification_new (title);
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
    }
  else if ((health == AIR_HEALTH_UP || health == AIR_HEALTH_DEGRADED) && was_down)
    {
      g_hash_table_remove (self->down_zones, name);
      title = g_strdup_printf (_("Zone “%s” is back"), name);
      body = g_strdup (_("The zone can be reached again."));
      notification = g_notification_new (title);
    }
  else
    return;

  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-zone", "s", name);
  g_notification_add_button_with_target (notification, _("Show Zone"), "app.show-zone", "s", name);
  send (self, id, notification);
}

/* A zone's health and its reason change one after the other: look once
 * both are there. */
static gboolean
check_zones_cb (gpointer user_data)
{
  AirNotifier *self = user_data;
  GListModel *zones = air_session_get_zones (self->session);

  self->check_id = 0;
  for (guint i = 0, n = g_list_model_get_n_items (zones); i < n; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);

      check_zone (self, zone);
    }
  return G_SOURCE_REMOVE;
}

static void
zone_health_cb (AirZone     *zone,
                GParamSpec  *pspec,
                AirNotifier *self)
{
  if (self->check_id == 0)
    self->check_id = g_idle_add (check_zones_cb, self);
}

static gboolean
window_has_focus (AirNotifier *self)
{
  GtkWindow *window;

  if (!GTK_IS_APPLICATION (self->application))
    return FALSE;
  window = gtk_application_get_active_window (GTK_APPLICATION (self->application));
  return window != NULL && gtk_widget_get_visible (GTK_WIDGET (window)) && gtk_window_is_active (window);
}

static void
job_finished_cb (AirJob      *job,
                 AirNotifier *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  const char *zone = air_job_get_zone (job);

  if (window_has_focus (self) || zone == NULL)
    return;

  switch (air_job_get_state (job))
    {
    case AIR_JOB_SUCCEEDED:
      /* Translators: a job that ended well, e.g. "Start work finished" */
      title = g_strdup_printf (_("%s finished"), air_job_get_title (job));
      body = g_strdup_printf (_("In zone “%s”."), zone);
      notification = g_notification_new (title);
      break;
    case AIR_JOB_FAILED:
      {
        g_autofree char *error = safe_body (air_job_get_error (job) ? air_job_get_error (job) : "");
        g_autofree char *hint = safe_body (air_job_get_hint (job) ? air_job_get_hint (job) : "");

        /* Translators: a job that failed, e.g. "Start work failed" */
        title = g_strdup_printf (_("%s failed"), air_job_get_title (job));
        body = g_strdup_printf ("%s\n%s", error, hint);
        notification = g_notification_new (title);
        g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      }
      break;
    case AIR_JOB_RUNNING:
    case AIR_JOB_CANCELLED:
    default:
      return;   /* the user cancelled it: no news */
    }

  id = g_strdup_printf ("job-%u", ++self->next_job_id);
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-job", "s", zone);
  g_notification_add_button_with_target (notification, _("Show Job"), "app.show-job", "s", zone);
  send (self, id, notification);
}

static void
jobs_changed_cb (GListModel  *jobs,
                 guint        position,
                 guint        removed,
                 guint        added,
                 AirNotifier *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(AirJob) job = g_list_model_get_item (jobs, i);

      /* A job moved in the list comes again: it is watched once. */
      if (air_job_is_finished (job) ||
          g_signal_handler_find (job, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                                 job_finished_cb, self) != 0)
        continue;
      g_signal_connect_object (job, "finished", G_CALLBACK (job_finished_cb), self, 0);
    }
}

static void
zones_changed_cb (GListModel  *zones,
                  guint        position,
                  guint        removed,
                  guint        added,
                  AirNotifier *self)
{
  GHashTableIter iter;
  gpointer key;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);

      g_signal_connect_object (zone, "notify::health", G_CALLBACK (zone_health_cb), self, 0);
      zone_health_cb (zone, NULL, self);
    }

  /* A zone removed from the list is no news any more. */
  g_hash_table_iter_init (&iter, self->down_zones);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (air_session_lookup_zone (self->session, key) == NULL)
      {
        g_autofree char *id = zone_notification_id (key);

        if (self->application != NULL)
          g_application_withdraw_notification (self->application, id);
        g_hash_table_iter_remove (&iter);
      }
}

static void
server_appeared_cb (GDBusConnection *connection,
                    const char      *name,
                    const char      *name_owner,
                    gpointer         user_data)
{
  AirNotifier *self = user_data;

  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    if (g_str_equal (name, servers[i]))
      self->server_present[i] = TRUE;
}

static void
server_vanished_cb (GDBusConnection *connection,
                    const char      *name,
                    gpointer         user_data)
{
  AirNotifier *self = user_data;

  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    if (g_str_equal (name, servers[i]))
      self->server_present[i] = FALSE;
}

static void
watch_servers (AirNotifier *self)
{
  GDBusConnection *connection = g_application_get_dbus_connection (self->application);

  /* In a Flatpak the portal delivers them. */
  self->portal = g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
  if (connection == NULL)
    return;

  /* A server started on demand (a .service file) counts as present. */
  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    self->server_watch[i] =
      g_bus_watch_name_on_connection (connection, servers[i], G_BUS_NAME_WATCHER_FLAGS_AUTO_START,
                                      server_appeared_cb, server_vanished_cb, self, NULL);
}

static void
air_notifier_dispose (GObject *object)
{
  AirNotifier *self = (AirNotifier *)object;

  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    g_clear_handle_id (&self->server_watch[i], g_bus_unwatch_name);
  g_clear_handle_id (&self->check_id, g_source_remove);
  g_clear_weak_pointer (&self->application);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (air_notifier_parent_class)->dispose (object);
}

static void
air_notifier_finalize (GObject *object)
{
  AirNotifier *self = (AirNotifier *)object;

  g_clear_pointer (&self->down_zones, g_hash_table_unref);

  G_OBJECT_CLASS (air_notifier_parent_class)->finalize (object);
}

static void
air_notifier_class_init (AirNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = air_notifier_dispose;
  object_class->finalize = air_notifier_finalize;
}

static void
air_notifier_init (AirNotifier *self)
{
  self->down_zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * air_notifier_new:
 * @application: sends the notifications and has the actions "app.show-zone"
 *   and "app.show-job" (both take a zone name)
 */
AirNotifier *
air_notifier_new (GApplication *application,
                  AirSession   *session)
{
  AirNotifier *self;
  GListModel *zones, *jobs;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);

  self = g_object_new (AIR_TYPE_NOTIFIER, NULL);
  g_set_weak_pointer (&self->application, application);
  self->session = g_object_ref (session);
  watch_servers (self);

  zones = air_session_get_zones (session);
  jobs = air_session_get_jobs (session);
  g_signal_connect_object (zones, "items-changed", G_CALLBACK (zones_changed_cb), self, 0);
  g_signal_connect_object (jobs, "items-changed", G_CALLBACK (jobs_changed_cb), self, 0);
  zones_changed_cb (zones, 0, 0, g_list_model_get_n_items (zones), self);
  jobs_changed_cb (jobs, 0, 0, g_list_model_get_n_items (jobs), self);
  return self;
}

/* How many notifications were sent (or replaced). */
guint
air_notifier_get_n_sent (AirNotifier *self)
{
  g_return_val_if_fail (AIR_IS_NOTIFIER (self), 0);
  return self->n_sent;
}
