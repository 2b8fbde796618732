/* test-zone-picker.c — the zone and template choosers of New Qube and
 * Open a Disposable (AirZonePicker)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test-zone-picker"

#include "config.h"

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "air-application.h"
#include "air-create-dialog.h"
#include "air-resources.h"
#include "air-session.h"
#include "air-test-utils.h"
#include "air-zone-picker.h"

typedef struct {
  char            *dir;
  AirZoneRegistry *registry;
  AirSession      *session;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(AirZone) alpha = air_zone_new ("alpha", "sys-gw-alpha", "local");
  g_autoptr(AirZone) beta = air_zone_new ("beta", "sys-gw-beta", "local");

  fixture->dir = g_dir_make_tmp ("air-picker-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "zones.json", NULL);
  fixture->registry = air_zone_registry_new (path);
  g_assert_true (air_zone_registry_add (fixture->registry, alpha, &error));
  g_assert_true (air_zone_registry_add (fixture->registry, beta, &error));
  g_assert_no_error (error);
  fixture->session = air_session_new (fixture->registry);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->registry);
  air_test_remove_dirs (fixture->dir);
  g_free (fixture->dir);
}

/* What a zone says in ZoneInfo, as far as the picker looks. */
static void
report_templates (Fixture            *fixture,
                  const char         *zone,
                  const char * const *templates)
{
  AirZoneInfo info = { 0, };

  info.templates = (char **) templates;
  info.health = AIR_HEALTH_UP;
  air_zone_apply_info (air_session_lookup_zone (fixture->session, zone), &info);
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static void
test_follows_zone (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const two[] = { "debian-12", "fedora-40", NULL };
  static const char * const one[] = { "fedora-40", NULL };
  static const char * const none[] = { NULL };
  AirZonePicker *picker = AIR_ZONE_PICKER (g_object_ref_sink (air_zone_picker_new ()));
  guint template_notes = 0, zone_notes = 0;

  report_templates (fixture, "alpha", none);
  report_templates (fixture, "beta", two);
  g_signal_connect (picker, "notify::template", G_CALLBACK (count_cb), &template_notes);
  g_signal_connect (picker, "notify::zone", G_CALLBACK (count_cb), &zone_notes);

  /* nothing to choose from before it has the session */
  g_assert_null (air_zone_picker_get_zone (picker));
  g_assert_null (air_zone_picker_get_template (picker));

  /* the zone asked for, its first template */
  air_zone_picker_set_session (picker, fixture->session, "beta");
  g_assert_true (air_zone_picker_get_zone (picker) == air_session_lookup_zone (fixture->session, "beta"));
  g_assert_cmpstr (air_zone_picker_get_template (picker), ==, "debian-12");
  g_assert_cmpuint (zone_notes, ==, 1);
  g_assert_cmpuint (template_notes, >, 0);

  /* the zone reports its templates again: the list follows */
  template_notes = 0;
  report_templates (fixture, "beta", one);
  g_assert_cmpstr (air_zone_picker_get_template (picker), ==, "fedora-40");
  g_assert_cmpuint (template_notes, >, 0);

  /* a zone without templates: none to choose */
  air_zone_picker_set_session (picker, fixture->session, "alpha");
  g_assert_true (air_zone_picker_get_zone (picker) == air_session_lookup_zone (fixture->session, "alpha"));
  g_assert_null (air_zone_picker_get_template (picker));
  g_assert_cmpuint (zone_notes, ==, 2);

  /* the zone left behind no longer moves the picker */
  template_notes = 0;
  report_templates (fixture, "beta", two);
  g_assert_cmpuint (template_notes, ==, 0);
  g_assert_null (air_zone_picker_get_template (picker));

  /* the zone chosen now does */
  report_templates (fixture, "alpha", one);
  g_assert_cmpstr (air_zone_picker_get_template (picker), ==, "fedora-40");

  g_assert_finalize_object (picker);
  /* gone: a zone's later report reaches nothing */
  report_templates (fixture, "alpha", two);
}

/* New Qube asks for a template only a zone with templates has. */
static void
test_create_dialog (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const two[] = { "debian-12", "fedora-40", NULL };
  static const char * const none[] = { NULL };
  AirCreateDialog *dialog;

  report_templates (fixture, "alpha", none);
  report_templates (fixture, "beta", two);

  dialog = air_create_dialog_new (NULL, fixture->session, "alpha");
  air_create_dialog_set_name (dialog, "picker-q");
  g_assert_cmpstr (air_create_dialog_get_problem (dialog), ==, "The zone has no template to make the qube from.");
  report_templates (fixture, "alpha", two);
  air_create_dialog_set_name (dialog, "picker-q2");
  g_assert_null (air_create_dialog_get_problem (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = air_create_dialog_new (NULL, fixture->session, "beta");
  air_create_dialog_set_name (dialog, "picker-q");
  g_assert_null (air_create_dialog_get_problem (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  air_application_choose_renderer ();
  gtk_init ();
  g_assert_nonnull (air_get_resource ());

  g_test_add ("/air/zone-picker/follows-zone", Fixture, NULL, fixture_set_up, test_follows_zone, fixture_tear_down);
  g_test_add ("/air/zone-picker/create-dialog", Fixture, NULL, fixture_set_up, test_create_dialog, fixture_tear_down);

  return g_test_run ();
}
