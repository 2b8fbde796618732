/* test-templates-page.c — the Templates page against the real agent
 *
 * The local zone's bubblewrap backend, as a user drives the page: Import…
 * a busybox root file system the test makes, New Template… on it with a
 * .deb the test builds with dpkg-deb (no network) and a command; both run
 * as jobs whose detail is the step they are in and whose output is the
 * guest's, and both end in the page's list and in the zone's templates
 * (what New Qube offers). A cancelled build leaves no template; a bad
 * package name and a name taken are refused in the dialog; Remove is
 * disabled while a qube uses the template, and the zone's refusal is shown
 * in its own words; Roll Back goes back a version.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>
#include <unistd.h>

#include "air-application.h"
#include "air-confirm-dialog.h"
#include "air-resources.h"
#include "air-session.h"
#include "air-template-dialog.h"
#include "air-templates-page.h"
#include "air-test-utils.h"
#include "air-test-widgets.h"

#define WAIT_SECONDS 90

static AirSession *session;
static AirTemplatesPage *page;
static char *work_dir;
static char *tarball;
static char *deb;

/* --- Waiting and finding. */

static gboolean
zone_answered (gpointer user_data)
{
  return air_zone_get_templates (user_data)[0] != NULL;
}

static gboolean
job_finished (gpointer job)
{
  return air_job_is_finished (job);
}

static gboolean
page_loaded (gpointer unused)
{
  return !air_zone_list_page_get_loading (AIR_ZONE_LIST_PAGE (page));
}

static gboolean
label_shows (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
label_contains (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static gboolean
label_holds (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static gboolean
page_lists (gpointer name)
{
  return page_loaded (NULL) && air_test_find_widget (GTK_WIDGET (page), label_shows, name) != NULL;
}

static gboolean
zone_has_template (gpointer name)
{
  AirZone *zone = air_session_lookup_zone (session, "local");

  return g_strv_contains (air_zone_get_templates (zone), name);
}

static gboolean
dialog_idle (gpointer dialog)
{
  return !air_template_dialog_get_busy (dialog);
}

static gboolean
is_entry (GtkWidget *widget, gconstpointer unused)
{
  return GTK_IS_ENTRY (widget);
}

static gboolean
is_second_dropdown (GtkWidget *widget, gconstpointer data)
{
  guint *seen = (guint *) data;

  return GTK_IS_DROP_DOWN (widget) && ++*seen == 2;
}

/* The dialog's entries in layout order: name, package, command. */
static GtkEditable *
dialog_entry (AirTemplateDialog *dialog,
              guint              index)
{
  GtkWidget *entry = air_test_find_widget (GTK_WIDGET (dialog), is_entry, NULL);

  for (guint i = 0; i < index; i++)
    {
      GtkWidget *next = NULL;

      /* The next entry after @entry in the whole dialog. */
      for (GtkWidget *w = entry; next == NULL && w != NULL; w = gtk_widget_get_parent (w))
        for (GtkWidget *s = gtk_widget_get_next_sibling (w); next == NULL && s != NULL; s = gtk_widget_get_next_sibling (s))
          next = air_test_find_widget (s, is_entry, NULL);
      entry = next;
    }
  g_assert_nonnull (entry);
  return GTK_EDITABLE (entry);
}

static void
choose_base (AirTemplateDialog *dialog,
             const char        *name)
{
  guint seen = 0;
  GtkDropDown *base = GTK_DROP_DOWN (air_test_find_widget (GTK_WIDGET (dialog), is_second_dropdown, &seen));
  GListModel *bases = gtk_drop_down_get_model (base);
  GtkStringObject *chosen;

  for (guint i = 0; i < g_list_model_get_n_items (bases); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (bases, i);

      if (g_str_equal (gtk_string_object_get_string (item), name))
        gtk_drop_down_set_selected (base, i);
    }
  chosen = gtk_drop_down_get_selected_item (base);
  g_assert_nonnull (chosen);
  g_assert_cmpstr (gtk_string_object_get_string (chosen), ==, name);
}

static AirTemplateDialog *
open_dialog (const char *action)
{
  GtkWindow *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), action, NULL));
  dialog = air_zone_list_page_get_dialog (AIR_ZONE_LIST_PAGE (page));
  g_assert_true (AIR_IS_TEMPLATE_DIALOG (dialog));
  return AIR_TEMPLATE_DIALOG (dialog);
}

static void
assert_message (AirTemplateDialog *dialog,
                const char        *part)
{
  const char *message = air_template_dialog_get_message (dialog);

  if (message == NULL || strstr (message, part) == NULL)
    g_error ("The dialog says “%s”, not “%s”", message, part);
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* The newest job of the session with @title. */
static AirJob *
newest_job (const char *title)
{
  GListModel *jobs = air_session_get_jobs (session);
  AirJob *job = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(AirJob) item = g_list_model_get_item (jobs, i);

      if (g_strcmp0 (air_job_get_title (item), title) == 0 &&
          (job == NULL || air_job_get_started (item) >= air_job_get_started (job)))
        g_set_object (&job, item);
    }
  if (job == NULL)
    g_error ("No job “%s”", title);
  return job;
}

/* Accepts @dialog and returns the job it started (the session's newest). */
static AirJob *
accept (AirTemplateDialog *dialog,
        const char        *title)
{
  GListModel *jobs = air_session_get_jobs (session);
  guint before = g_list_model_get_n_items (jobs);
  g_autoptr(AirJob) job = NULL;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.accept", NULL));
  air_test_wait_until (is_gone, &dialog, 5, "the dialog to close");
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, before + 1);
  job = newest_job (title);
  g_assert_false (air_job_is_finished (job));
  return g_steal_pointer (&job);
}

/* Every detail a job showed, one a line. */
static void
detail_cb (AirJob     *job,
           GParamSpec *pspec,
           GString    *details)
{
  g_string_append_printf (details, "%s\n", air_job_get_detail (job));
}

static void
watch_details (AirJob  *job,
               GString *details)
{
  g_signal_connect (job, "notify::detail", G_CALLBACK (detail_cb), details);
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (text == NULL || strstr (text, part) == NULL)
    g_error ("“%s” is not in:\n%s", part, text);
}

static void
run (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (work_dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* A busybox root file system with busybox's dpkg, and one package. */
static void
make_inputs (void)
{
  g_autofree char *root = g_build_filename (work_dir, "rootfs", NULL);
  g_autofree char *pkg = g_build_filename (work_dir, "pkg", NULL);
  g_autofree char *control = g_build_filename (pkg, "DEBIAN", "control", NULL);
  g_autofree char *content = g_build_filename (pkg, "usr", "share", "air-hello", "content", NULL);
  const char *dirs[] = { "bin", "etc", "var/lib/dpkg/info", "usr/share" };
  const char *applets[] = { "sh", "cat", "ls", "dpkg", "mkdir", "rm", "echo", "sleep", "test" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (root, dirs[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
    }
  {
    g_autofree char *busybox = g_build_filename (root, "bin", "busybox", NULL);
    g_autofree char *status = g_build_filename (root, "var", "lib", "dpkg", "status", NULL);
    const char *cp[] = { "cp", "/bin/busybox", busybox, NULL };

    run (cp);
    g_file_set_contents (status, "", 0, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < G_N_ELEMENTS (applets); i++)
    {
      g_autofree char *link = g_build_filename (root, "bin", applets[i], NULL);

      g_assert_cmpint (symlink ("busybox", link), ==, 0);
    }
  tarball = g_build_filename (work_dir, "base.tar.gz", NULL);
  {
    const char *tar[] = { "tar", "-C", root, "-czf", tarball, ".", NULL };

    run (tar);
  }

  g_assert_cmpint (g_mkdir_with_parents (pkg, 0755), ==, 0);
  {
    g_autofree char *debian = g_path_get_dirname (control);
    g_autofree char *share = g_path_get_dirname (content);

    g_mkdir_with_parents (debian, 0755);
    g_mkdir_with_parents (share, 0755);
  }
  g_file_set_contents (control, "Package: air-hello\nVersion: 1.0\nArchitecture: all\n"
                       "Maintainer: Test <test@example.org>\nDescription: test package\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (content, "hello from the package\n", -1, &error);
  g_assert_no_error (error);
  deb = g_build_filename (work_dir, "air-hello_1.0_all.deb", NULL);
  {
    const char *build[] = { "dpkg-deb", "--build", pkg, deb, NULL };

    run (build);
  }
}

/* --- The tests, in order: each builds on the one before. */

static void
test_import (void)
{
  g_autoptr(GString) details = g_string_new (NULL);
  g_autoptr(GFile) file = g_file_new_for_path (tarball);
  g_autoptr(AirJob) job = NULL;
  g_autofree char *output = NULL;
  AirTemplateDialog *dialog;
  GtkEditable *name;

  air_test_wait_until (page_lists, (gpointer) "host", WAIT_SECONDS, "the zone's templates on the page");

  dialog = open_dialog ("page.import");
  name = dialog_entry (dialog, 0);
  /* A bad name is named before anything is sent. */
  gtk_editable_set_text (name, "1base");
  assert_message (dialog, "must start with a letter");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.accept", NULL);
  g_assert_true (air_zone_list_page_get_dialog (AIR_ZONE_LIST_PAGE (page)) == GTK_WINDOW (dialog));
  gtk_editable_set_text (name, "host");
  assert_message (dialog, "already has a template “host”");
  gtk_editable_set_text (name, "");
  assert_message (dialog, "named after it unless you give a name");
  gtk_editable_set_text (name, "base");
  assert_message (dialog, "Choose a root file system tarball");

  air_template_dialog_set_rootfs (dialog, file);
  assert_message (dialog, "unpacked there as version 1 of “base”");
  job = accept (dialog, "Import template base into local");
  watch_details (job, details);
  air_test_wait_until (job_finished, job, WAIT_SECONDS, "the import to end");
  g_assert_cmpstr (air_job_get_error (job), ==, NULL);
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_SUCCEEDED);
  assert_contains (details->str, "Unpacking the root file system");
  assert_contains (details->str, "/");
  assert_contains (air_job_get_detail (job), "is at version 1");

  air_test_wait_until (page_lists, (gpointer) "base", WAIT_SECONDS, "the imported template on the page");
  g_assert_nonnull (air_test_find_widget (GTK_WIDGET (page), label_contains, "Version 1 · "));
  air_test_wait_until (zone_has_template, (gpointer) "base", WAIT_SECONDS, "the template in the zone's info");
  output = air_job_dup_output (job);
  g_assert_nonnull (output);
}

static void
test_create (void)
{
  g_autoptr(GString) details = g_string_new (NULL);
  g_autoptr(GFile) file = g_file_new_for_path (deb);
  g_autoptr(AirJob) job = NULL;
  g_autofree char *output = NULL;
  AirTemplateDialog *dialog;

  dialog = open_dialog ("page.new");
  gtk_editable_set_text (dialog_entry (dialog, 0), "dev");

  /* The base from the zone's templates, "base" among them after the import. */
  choose_base (dialog, "base");

  /* A package name that is not one is refused, and the list keeps nothing. */
  gtk_editable_set_text (dialog_entry (dialog, 1), "two words");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.add-package", NULL);
  assert_message (dialog, "is not a package name");
  g_assert_null (air_test_find_widget (GTK_WIDGET (dialog), label_shows, "two words"));
  gtk_editable_set_text (dialog_entry (dialog, 1), "");

  /* The .deb as the file chooser hands it over. */
  air_template_dialog_add_file (dialog, file);
  g_assert_true (air_template_dialog_get_busy (dialog));
  air_test_wait_until (dialog_idle, dialog, WAIT_SECONDS, "the package file to be looked at");
  g_assert_nonnull (air_test_find_widget (GTK_WIDGET (dialog), label_shows, "air-hello_1.0_all.deb"));
  gtk_editable_set_text (dialog_entry (dialog, 2), "echo built > /etc/built-by");
  assert_message (dialog, "on a copy of “base”");

  job = accept (dialog, "Create template dev in local");
  watch_details (job, details);
  air_test_wait_until (job_finished, job, WAIT_SECONDS, "the build to end");
  g_assert_cmpstr (air_job_get_error (job), ==, NULL);
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_SUCCEEDED);
  assert_contains (details->str, "Installing package files");
  output = air_job_dup_output (job);
  assert_contains (output, "Setting up air-hello");

  air_test_wait_until (page_lists, (gpointer) "dev", WAIT_SECONDS, "the new template on the page");
  g_assert_nonnull (air_test_find_widget (GTK_WIDGET (page), label_contains, "built on base"));
  g_assert_nonnull (air_test_find_widget (GTK_WIDGET (page), label_contains, "air-hello_1.0_all.deb"));
  /* New Qube lists the zone's templates from its info. */
  air_test_wait_until (zone_has_template, (gpointer) "dev", WAIT_SECONDS, "the new template in the zone's info");
}

static gboolean
job_in_step (gpointer job)
{
  const char *detail = air_job_get_detail (job);

  return detail != NULL && strstr (detail, "Running the command") != NULL;
}

static void
test_cancel (void)
{
  g_autoptr(AirJob) job = NULL;
  AirTemplateDialog *dialog;

  dialog = open_dialog ("page.new");
  gtk_editable_set_text (dialog_entry (dialog, 0), "slow");
  choose_base (dialog, "base");
  gtk_editable_set_text (dialog_entry (dialog, 2), "sleep 60");
  job = accept (dialog, "Create template slow in local");
  air_test_wait_until (job_in_step, job, WAIT_SECONDS, "the build to run its command");
  g_assert_cmpfloat (air_job_get_progress (job), >, 0.0);
  g_assert_cmpfloat (air_job_get_progress (job), <, 1.0);
  air_job_cancel (job);
  air_test_wait_until (job_finished, job, 20, "the cancelled build to end");
  g_assert_cmpint (air_job_get_state (job), ==, AIR_JOB_CANCELLED);

  air_templates_page_refresh (page);
  air_test_wait_until (page_loaded, NULL, WAIT_SECONDS, "the page to ask again");
  air_test_wait_until (page_lists, (gpointer) "dev", WAIT_SECONDS, "the list");
  g_assert_null (air_test_find_widget (GTK_WIDGET (page), label_shows, "slow"));
  g_assert_null (air_templates_page_get_error (page));
}

static gboolean
button_with_tooltip (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) == 0;
}

static void
confirm_open_dialog (void)
{
  GtkWindow *confirm = air_zone_list_page_get_dialog (AIR_ZONE_LIST_PAGE (page));

  g_assert_true (AIR_IS_CONFIRM_DIALOG (confirm));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (confirm), "dialog.confirm", NULL));
}

static gboolean
button_for_action (GtkWidget *widget, gconstpointer action)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

static gboolean
revealer_open (GtkWidget *widget, gconstpointer unused)
{
  return GTK_IS_REVEALER (widget) && gtk_revealer_get_reveal_child (GTK_REVEALER (widget));
}

static gboolean
page_has_error (gpointer unused)
{
  return air_templates_page_get_error (page) != NULL;
}

static void
test_in_use (void)
{
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  GtkWidget *remove_button, *dismiss;
  AirJob *job;

  g_free (spec->template_name);
  spec->template_name = g_strdup ("dev");
  job = air_session_create_qube (session, "local", "tpl-user", spec);
  air_test_wait_until (job_finished, job, WAIT_SECONDS, "the qube to be made");
  g_assert_cmpstr (air_job_get_error (job), ==, NULL);

  air_templates_page_refresh (page);
  air_test_wait_until (page_loaded, NULL, WAIT_SECONDS, "the page to ask again");
  /* Remove is disabled while a qube uses the template… */
  remove_button = air_test_find_widget (GTK_WIDGET (page), button_with_tooltip,
                                        "Used by 1 qube: remove it or move it to another template first");
  g_assert_nonnull (remove_button);
  g_assert_false (gtk_widget_get_sensitive (remove_button));

  /* …and the zone refuses it anyway, in its own words on the page. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.remove", "(ss)", "local", "dev"));
  confirm_open_dialog ();
  air_test_wait_until (page_has_error, NULL, WAIT_SECONDS, "the zone's refusal");
  assert_contains (air_templates_page_get_error (page), "used by 1 qube");
  /* The banner's label, shown as the revealer opens. */
  g_assert_nonnull (air_test_find_widget (GTK_WIDGET (page), label_holds, "used by 1 qube: remove"));
  air_test_wait_until (page_lists, (gpointer) "dev", WAIT_SECONDS, "the template still listed");

  /* The banner's Dismiss (an action of AirZoneListPage) hides it. */
  dismiss = air_test_find_widget (GTK_WIDGET (page), button_for_action, "page.dismiss-error");
  g_assert_nonnull (dismiss);
  g_assert_nonnull (air_test_find_widget (GTK_WIDGET (page), revealer_open, NULL));
  g_signal_emit_by_name (dismiss, "clicked");
  g_assert_null (air_templates_page_get_error (page));
  g_assert_null (air_test_find_widget (GTK_WIDGET (page), revealer_open, NULL));
}

static void
test_update_roll_back (void)
{
  g_autoptr(AirJob) job = NULL;
  AirTemplateDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.update", "(ss)", "local", "dev"));
  dialog = AIR_TEMPLATE_DIALOG (air_zone_list_page_get_dialog (AIR_ZONE_LIST_PAGE (page)));
  assert_message (dialog, "Add packages, give a command");
  gtk_editable_set_text (dialog_entry (dialog, 2), "echo two > /etc/built-by");
  job = accept (dialog, "Update template dev in local");
  air_test_wait_until (job_finished, job, WAIT_SECONDS, "the update to end");
  g_assert_cmpstr (air_job_get_error (job), ==, NULL);
  air_test_wait_until (page_loaded, NULL, WAIT_SECONDS, "the page to ask again");
  air_test_wait_until (page_lists, (gpointer) "dev", WAIT_SECONDS, "the list");
  g_assert_nonnull (air_test_find_widget (GTK_WIDGET (page), label_contains, "Version 2 · "));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.roll-back", "(ss)", "local", "dev"));
  confirm_open_dialog ();
  {
    g_autoptr(AirJob) roll = newest_job ("Roll back template dev in local");

    air_test_wait_until (job_finished, roll, WAIT_SECONDS, "the roll-back to end");
    g_assert_cmpstr (air_job_get_error (roll), ==, NULL);
    assert_contains (air_job_get_detail (roll), "back at version 1");
  }
  air_test_wait_until (page_loaded, NULL, WAIT_SECONDS, "the page to ask again");
  air_test_wait_until (page_lists, (gpointer) "dev", WAIT_SECONDS, "the list");
  g_assert_null (air_test_find_widget (GTK_WIDGET (page), label_contains, "Version 2 · "));
}

static void
skip (void)
{
  g_test_skip ("needs bwrap, dpkg-deb and a busybox with dpkg");
}

static gboolean
can_run (void)
{
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");
  g_autofree char *dpkg_deb = g_find_program_in_path ("dpkg-deb");
  g_autofree char *applets = NULL;
  const char *list[] = { "/bin/busybox", "--list", NULL };

  if (bwrap == NULL || dpkg_deb == NULL || !g_file_test ("/bin/busybox", G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;
  if (!g_spawn_sync (NULL, (char **) list, NULL, 0, NULL, NULL, &applets, NULL, NULL, NULL))
    return FALSE;
  return strstr (applets, "\ndpkg\n") != NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dirs = air_test_isolate_dirs ("test-templates-page");
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!can_run ())
    {
      g_test_add_func ("/air/templates-page/import", skip);
      status = g_test_run ();
      air_test_remove_dirs (dirs);
      return status;
    }
  /* The sandbox reads the templates' files as another user: let it in. */
  g_chmod (dirs, 0755);
  g_chmod (g_getenv ("HOME"), 0755);
  g_chmod (g_getenv ("XDG_DATA_HOME"), 0755);
  air_test_setup_dirs ();
  air_application_choose_renderer ();
  gtk_init ();
  g_assert_nonnull (air_get_resource ());

  work_dir = g_build_filename (dirs, "work", NULL);
  g_mkdir_with_parents (work_dir, 0755);
  make_inputs ();

  /* No zone list: the first start's "local" zone, the real agent's. */
  session = air_session_new (NULL);
  g_assert_true (air_session_load (session, &error));
  g_assert_no_error (error);
  air_test_wait_until (zone_answered, air_session_lookup_zone (session, "local"), WAIT_SECONDS,
                       "the local zone to answer");
  page = air_templates_page_new (NULL, session);
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);
  gtk_window_present (GTK_WINDOW (page));

  g_test_add_func ("/air/templates-page/import", test_import);
  g_test_add_func ("/air/templates-page/create", test_create);
  g_test_add_func ("/air/templates-page/cancel", test_cancel);
  g_test_add_func ("/air/templates-page/in-use", test_in_use);
  g_test_add_func ("/air/templates-page/update-roll-back", test_update_roll_back);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (page));
  air_session_shutdown (session);
  g_clear_object (&session);
  g_free (tarball);
  g_free (deb);
  g_free (work_dir);
  air_test_remove_dirs (dirs);
  return status;
}
