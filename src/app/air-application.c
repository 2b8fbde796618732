/* air-application.c
 *
 * One instance per user (GApplication's uniqueness over D-Bus): a second
 * launch activates the first, which raises its window. The application owns
 * the session (GNOME Text Editor's EditorApplication owns its
 * EditorSession); windows are views of it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-application"

#include "config.h"

#include <glib/gi18n.h>

#include "air-application.h"
#include "air-window.h"

struct _AirApplication
{
  GtkApplication  parent_instance;

  /* Owned references */
  AirSession     *session;
  GError         *load_error;
};

G_DEFINE_FINAL_TYPE (AirApplication, air_application, GTK_TYPE_APPLICATION)

static void
air_application_activate (GApplication *application)
{
  AirApplication *self = AIR_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = GTK_WINDOW (air_window_new (GTK_APPLICATION (self), self->session));
      if (self->load_error != NULL)
        air_window_show_error (AIR_WINDOW (window), self->load_error->message);
    }

  gtk_window_present (window);
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
};

static void
air_application_startup (GApplication *application)
{
  AirApplication *self = AIR_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (air_application_parent_class)->startup (application);

  gtk_css_provider_load_from_resource (css, "/io/github/qubesair/QubesAir/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/io/github/qubesair/QubesAir/icons");

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_window_set_default_icon_name (AIR_APP_ID);

  self->session = air_session_new (NULL);
  if (!air_session_load (self->session, &self->load_error))
    g_warning ("%s", self->load_error->message);
}

static void
air_application_shutdown (GApplication *application)
{
  AirApplication *self = AIR_APPLICATION (application);

  if (self->session != NULL)
    air_session_shutdown (self->session);

  G_APPLICATION_CLASS (air_application_parent_class)->shutdown (application);
}

static void
air_application_finalize (GObject *object)
{
  AirApplication *self = (AirApplication *)object;

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
  app_class->startup = air_application_startup;
  app_class->shutdown = air_application_shutdown;
}

static void
air_application_init (AirApplication *self)
{
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
