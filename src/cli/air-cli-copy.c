/* air-cli-copy.c — “qair copy”: files into and between qubes
 *
 *   qair copy PATH... DEST_QUBE            local files and folders
 *   qair copy SRC_QUBE:PATH... DEST_QUBE   from a qube's home, straight
 *                                          from one zone into the other
 *
 * Files land in DEST_QUBE's ~/QubesIncoming/<source>/, as with qvm-copy.
 * A progress line is drawn only when stderr is a terminal; Ctrl+C cancels
 * and leaves nothing half copied.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "qair"

#include "config.h"

#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "air-cli-copy.h"
#include "air-cli-wait.h"
#include "air-error.h"
#include "air-file-transfer.h"
#include "air-filecopy-writer.h"
#include "air-names.h"

typedef struct {
  gint64  started;
  guint64 total;
  gboolean shown;
} Progress;

static void
progress_cb (guint64  bytes,
             gpointer user_data)
{
  Progress *p = user_data;
  gint64 elapsed = g_get_monotonic_time () - p->started;
  g_autofree char *done = g_format_size (bytes);
  g_autofree char *speed = g_format_size (elapsed > 0 ? bytes * G_USEC_PER_SEC / elapsed : 0);

  if (p->total > 0)
    {
      g_autofree char *total = g_format_size (p->total);
      /* Translators: "12.3 MB of 40.0 MB, 5.1 MB/s" */
      g_printerr ("\r\033[K%s", "");
      g_printerr (_("%s of %s, %s/s"), done, total, speed);
    }
  else
    {
      g_printerr ("\r\033[K%s", "");
      /* Translators: "12.3 MB copied, 5.1 MB/s" */
      g_printerr (_("%s copied, %s/s"), done, speed);
    }
  p->shown = TRUE;
}

static gboolean
interrupt_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_CONTINUE;
}

static GSource *
add_signal (int           signum,
            GMainContext *context,
            GCancellable *cancellable)
{
  GSource *source = g_unix_signal_source_new (signum);

  g_source_set_callback (source, interrupt_cb, cancellable, NULL);
  g_source_attach (source, context);
  return source;
}

static AirZone *
zone_of_qube (AirZoneRegistry  *registry,
              const char       *name,
              GError          **error)
{
  GListModel *zones = air_zone_registry_get_zones (registry);

  if (!air_name_validate (name, "qube", error))
    return NULL;

  for (guint i = 0; i < g_list_model_get_n_items (zones); i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      g_auto(AirCliWait) wait = { 0 };
      g_autoptr(GPtrArray) qubes = NULL;

      air_cli_wait_init (&wait);
      air_zone_list_qubes_async (zone, NULL, air_cli_wait_cb, &wait);
      qubes = air_zone_list_qubes_finish (zone, air_cli_wait_finish (&wait), NULL);
      for (guint j = 0; qubes != NULL && j < qubes->len; j++)
        if (strcmp (air_qube_get_name (g_ptr_array_index (qubes, j)), name) == 0)
          return zone;
    }

  g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
               _("There is no qube called “%s” in any zone. “qair ls” lists them."), name);
  return NULL;
}

int
air_cli_copy_main (AirZoneRegistry  *registry,
                   int               argc,
                   char            **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *src_qube = NULL;
  g_auto(AirCliWait) wait = { 0 };
  AirZone *dest_zone, *src_zone = NULL;
  const char *dest;
  Progress progress = { 0 };
  gboolean tty = isatty (STDERR_FILENO);
  g_autoptr(GSource) sigint = NULL;
  g_autoptr(GSource) sigterm = NULL;
  guint64 bytes;

  context = g_option_context_new (_("PATH... DEST_QUBE | SRC_QUBE:PATH... DEST_QUBE"));
  g_option_context_set_summary (context, _("Copy files and folders into ~/QubesIncoming/<source>/ of a qube."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, "qair copy", error->message);
  if (argc < 3)
    return air_cli_usage_error (context, "qair copy", _("Name what to copy and the qube to copy it to"));

  dest = argv[argc - 1];
  for (int i = 1; i < argc - 1; i++)
    {
      const char *colon = strchr (argv[i], ':');
      g_autofree char *qube = colon ? g_strndup (argv[i], colon - argv[i]) : NULL;

      /* "work:docs" names a qube's file only if "work" is a qube name;
       * "./a:b" or "/x:y" stay local paths. */
      if (qube != NULL && !air_name_is_valid (qube))
        g_clear_pointer (&qube, g_free);
      if (i == 1)
        src_qube = g_strdup (qube);
      else if ((qube == NULL) != (src_qube == NULL))
        return air_cli_usage_error (context, "qair copy", _("Copy either local files or files of one qube, not both"));
      else if (qube != NULL && strcmp (qube, src_qube) != 0)
        return air_cli_usage_error (context, "qair copy", _("All files must come from the same qube"));
      g_ptr_array_add (paths, g_strdup (qube ? colon + 1 : argv[i]));
    }
  g_ptr_array_add (paths, NULL);

  dest_zone = zone_of_qube (registry, dest, &error);
  if (dest_zone == NULL)
    {
      g_printerr ("qair: %s\n", error->message);
      return AIR_CLI_EXIT_FAILED;
    }
  if (src_qube != NULL && (src_zone = zone_of_qube (registry, src_qube, &error)) == NULL)
    {
      g_printerr ("qair: %s\n", error->message);
      return AIR_CLI_EXIT_FAILED;
    }

  progress.started = g_get_monotonic_time ();
  if (src_qube == NULL)
    for (guint i = 0; g_ptr_array_index (paths, i) != NULL; i++)
      progress.total += air_filecopy_measure (AT_FDCWD, g_ptr_array_index (paths, i));

  air_cli_wait_init (&wait);
  /* On the context the wait iterates. */
  sigint = add_signal (SIGINT, wait.context, cancellable);
  sigterm = add_signal (SIGTERM, wait.context, cancellable);
  if (src_qube == NULL)
    air_file_transfer_put_async (dest_zone, dest, NULL, (const char * const *) paths->pdata,
                                 tty ? progress_cb : NULL, &progress, cancellable,
                                 air_cli_wait_cb, &wait);
  else
    air_file_transfer_copy_async (src_zone, src_qube, (const char * const *) paths->pdata,
                                  dest_zone, dest, tty ? progress_cb : NULL, &progress,
                                  cancellable, air_cli_wait_cb, &wait);
  bytes = air_file_transfer_finish (air_cli_wait_finish (&wait), &error);
  g_source_destroy (sigint);
  g_source_destroy (sigterm);

  if (progress.shown)
    g_printerr ("\r\033[K");
  if (error != NULL)
    {
      g_printerr ("qair: %s\n", error->message);
      return AIR_CLI_EXIT_FAILED;
    }
  if (tty)
    {
      g_autofree char *size = g_format_size (bytes);
      g_printerr (_("Copied %s to %s.\n"), size, dest);
    }
  return AIR_CLI_EXIT_OK;
}
