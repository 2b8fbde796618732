/* air-application.c
 *
 * One instance per user (GApplication's uniqueness over D-Bus): a second
 * launch activates the first, which raises its window. The application owns
 * the session (GNOME Text Editor's EditorApplication owns its
 * EditorSession); windows are views of it.
 *
 * The tray indicator and the notifier are views of the session too. While
 * a panel shows the indicator the application holds itself, so closing the
 * window leaves it running in the background; without a panel, closing the
 * window quits as before. Started with --background (the autostart file
 * does) it opens no window and waits a while for a panel to appear, since
 * at login the panel may come up after us.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-application"

#include "config.h"

#include <glib/gi18n.h>

#include "air-application.h"
#include "air-notifier.h"
#include "air-tray.h"
#include "air-window.h"

/* How long the application waits for a panel before it quits, when it has
 * no window: at login, or while the panel restarts. */
#define TRAY_GRACE_SECONDS 30

struct _AirApplication
{
  GtkApplication  parent_instance;

  /* Owned references */
  AirSession     *session;
  GError         *load_error;
  AirTray        *tray;
  AirNotifier    *notifier;

  guint           grace_id;
  gboolean        held;
  gboolean        background;   /* --background: no window at the first activation */
};

G_DEFINE_FINAL_TYPE (AirApplication, air_application, GTK_TYPE_APPLICATION)

static void
window_active_cb (GtkWindow      *window,
                  GParamSpec     *pspec,
                  AirApplication *self)
{
  /* The window shows the job list: failures are seen. */
  if (gtk_window_is_active (window) && self->tray != NULL)
    air_tray_mark_seen (self->tray);
}

static GtkWindow *
ensure_window (AirApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = GTK_WINDOW (air_window_new (GTK_APPLICATION (self), self->session));
      if (self->load_error != NULL)
        air_window_show_error (AIR_WINDOW (window), self->load_error->message);
      g_signal_connect_object (window, "notify::is-active", G_CALLBACK (window_active_cb), self, 0);
    }

  return window;
}

static void
air_application_activate (GApplication *application)
{
  AirApplication *self = AIR_APPLICATION (application);

  if (self->background)
    {
      self->background = FALSE;
      return;
    }

  gtk_window_present (ensure_window (self));
}

static void
release_hold (AirApplication *self)
{
  g_clear_handle_id (&self->grace_id, g_source_remove);
  if (self->held)
    {
      self->held = FALSE;
      g_application_release (G_APPLICATION (self));
    }
}

static gboolean
grace_cb (gpointer user_data)
{
  AirApplication *self = user_data;

  self->grace_id = 0;
  g_debug ("No panel shows the indicator: running only while a window is open");
  release_hold (self);
  return G_SOURCE_REMOVE;
}

/* Holds the application while a panel shows the indicator, and for a grace
 * period after it went (a panel restarting registers again). */
static void
tray_in_use_cb (AirApplication *self)
{
  if (air_tray_get_in_use (self->tray))
    {
      g_clear_handle_id (&self->grace_id, g_source_remove);
      if (!self->held)
        {
          self->held = TRUE;
          g_application_hold (G_APPLICATION (self));
        }
    }
  else if (self->held && self->grace_id == 0)
    self->grace_id = g_timeout_add_seconds (TRAY_GRACE_SECONDS, grace_cb, self);
}

static void
show_zone (AirApplication *self,
           const char     *zone)
{
  GtkWindow *window = ensure_window (self);

  gtk_window_present (window);
  if (zone != NULL && air_session_lookup_zone (self->session, zone) != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-zone", "s", zone);
}

static void
tray_open_window_cb (AirTray        *tray,
                     const char     *zone,
                     AirApplication *self)
{
  show_zone (self, zone);
}

static void
tray_quit_cb (AirApplication *self)
{
  g_application_quit (G_APPLICATION (self));
}

static void
show_zone_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  show_zone (user_data, g_variant_get_string (parameter, NULL));
}

static void
show_job_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  AirApplication *self = user_data;

  /* The job list is in the window, beside the job's zone. */
  if (self->tray != NULL)
    air_tray_mark_seen (self->tray);
  show_zone (self, g_variant_get_string (parameter, NULL));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  AirApplication *self = user_data;
  static const char *developers[] = { "The Qubes Air developers", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "program-name", _("Qubes Air"),
                         "logo-icon-name", AIR_APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Run and manage qubes in remote zones as safely as local ones"),
                         "license-type", GTK_LICENSE_GPL_2_0,
                         "authors", developers,
                         "translator-credits", _("translator-credits"),
                         "website", "https://github.com/qubesair/qubes-air",
                         NULL);
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_action },
  { .name = "about", .activate = about_action },
  { .name = "show-zone", .activate = show_zone_action, .parameter_type = "s" },
  { .name = "show-job", .activate = show_job_action, .parameter_type = "s" },
};

static void
start_tray (AirApplication *self)
{
  GDBusConnection *connection = g_application_get_dbus_connection (G_APPLICATION (self));
  g_autoptr(GError) error = NULL;

  self->notifier = air_notifier_new (G_APPLICATION (self), self->session);

  /* No session bus, no panel: the window alone. */
  if (connection == NULL)
    return;

  self->tray = air_tray_new (self->session);
  g_signal_connect_object (self->tray, "open-window", G_CALLBACK (tray_open_window_cb), self, 0);
  g_signal_connect_object (self->tray, "quit", G_CALLBACK (tray_quit_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tray, "notify::in-use", G_CALLBACK (tray_in_use_cb), self, G_CONNECT_SWAPPED);
  if (!air_tray_export (self->tray, connection, &error))
    {
      g_warning ("Cannot show the tray indicator: %s", error->message);
      g_clear_object (&self->tray);
    }
}

static int
air_application_handle_local_options (GApplication *application,
                                      GVariantDict *options)
{
  AirApplication *self = AIR_APPLICATION (application);
  g_autoptr(GError) error = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("qubes-air %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (!g_variant_dict_contains (options, "background"))
    return -1;

  if (!g_application_register (application, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  /* Already running: it is in the background or has its window. */
  if (g_application_get_is_remote (application))
    return 0;

  self->background = TRUE;
  /* Wait for a panel; without one there is nothing to show. */
  self->held = TRUE;
  g_application_hold (application);
  if (self->tray == NULL || !air_tray_get_in_use (self->tray))
    self->grace_id = g_timeout_add_seconds (TRAY_GRACE_SECONDS, grace_cb, self);
  return -1;
}

static void
air_application_startup (GApplication *application)
{
  AirApplication *self = AIR_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (air_application_parent_class)->startup (application);

  air_application_style_display (gdk_display_get_default ());

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);

  self->session = air_session_new (NULL);
  if (!air_session_load (self->session, &self->load_error))
    g_warning ("%s", self->load_error->message);

  start_tray (self);
}

static void
air_application_shutdown (GApplication *application)
{
  AirApplication *self = AIR_APPLICATION (application);

  g_clear_handle_id (&self->grace_id, g_source_remove);
  if (self->tray != NULL)
    g_signal_handlers_disconnect_by_data (self->tray, self);
  g_clear_object (&self->tray);
  g_clear_object (&self->notifier);
  if (self->session != NULL)
    air_session_shutdown (self->session);

  G_APPLICATION_CLASS (air_application_parent_class)->shutdown (application);
}

static void
air_application_finalize (GObject *object)
{
  AirApplication *self = (AirApplication *)object;

  g_clear_object (&self->tray);
  g_clear_object (&self->notifier);
  g_clear_object (&self->session);
  g_clear_error (&self->load_error);

  G_OBJECT_CLASS (air_application_parent_class)->finalize (object);
}

static void
air_application_class_init (AirApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = air_application_finalize;

  app_class->activate = air_application_activate;
  app_class->handle_local_options = air_application_handle_local_options;
  app_class->startup = air_application_startup;
  app_class->shutdown = air_application_shutdown;
}

static void
air_application_init (AirApplication *self)
{
  static const GOptionEntry options[] = {
    { "background", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Start without a window, in the tray (as at login)"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

AirApplication *
air_application_new (void)
{
  return g_object_new (AIR_TYPE_APPLICATION,
                       "application-id", AIR_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/qubesair/QubesAir",
                       NULL);
}

AirSession *
air_application_get_session (AirApplication *self)
{
  g_return_val_if_fail (AIR_IS_APPLICATION (self), NULL);
  return self->session;
}

/**
 * air_application_get_tray:
 *
 * Returns: (transfer none) (nullable): the tray indicator, once started
 */
AirTray *
air_application_get_tray (AirApplication *self)
{
  g_return_val_if_fail (AIR_IS_APPLICATION (self), NULL);
  return self->tray;
}

/* The app's look on @display: its style sheet, its icons (a label's dot)
 * and its windows' icon. At startup, and in bench/app, which builds the
 * window without the application. */
void
air_application_style_display (GdkDisplay *display)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (css, "/io/github/qubesair/QubesAir/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                    "/io/github/qubesair/QubesAir/icons");
  gtk_window_set_default_icon_name (AIR_APP_ID);
}

/* Called before GTK starts. A qube has no GPU, so OpenGL would be Mesa's
 * software rasteriser: preparing it alone cost ~150 ms of CPU at start-up
 * (bench/app), for frames GTK's cairo renderer draws as fast. Whoever asks
 * for a GL renderer or sets GDK_DEBUG keeps their choice. */
void
air_application_choose_renderer (void)
{
  const char *renderer = g_getenv ("GSK_RENDERER");

  if (g_getenv ("GDK_DEBUG") == NULL && (renderer == NULL || g_str_equal (renderer, "cairo")))
    g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
}
