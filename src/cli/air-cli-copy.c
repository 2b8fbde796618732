/* air-cli-copy.c — “qair copy”: files into and between qubes
 *
 *   qair copy PATH... DEST_QUBE            local files and folders
 *   qair copy SRC_QUBE:PATH... DEST_QUBE   from a qube's home, straight
 *                                          from one zone into the other
 *
 * Files land in DEST_QUBE's ~/QubesIncoming/<source>/, as with qvm-copy.
 * DEST_QUBE is never a path, so it may be written ZONE:QUBE; the source
 * qube's zone is given with --from-zone. A progress line is drawn only
 * when stderr is a terminal; Ctrl+C cancels and leaves nothing half
 * copied. A transfer that makes no progress for the zones' time limit is
 * given up: a zone that stops answering does not hold qair for ever.
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
#include "air-cli-zones.h"
#include "air-error.h"
#include "air-file-transfer.h"
#include "air-filecopy-writer.h"
#include "air-names.h"

/* After a stall, how long the transfer has to wind down before qair
 * leaves it: a receiver that stopped answering never sends its result. */
#define STALL_GRACE 5

typedef struct {
  gint64  started;
  guint64 total;
  gboolean shown;
  gboolean tty;
  guint64 last_bytes;
  gint64  last_change;
  guint   limit;          /* seconds without progress before giving up */
  gint64  stalled;        /* when it was given up, or 0 */
  GCancellable *cancellable;
} Progress;

static void
progress_cb (guint64  bytes,
             gpointer user_data)
{
  Progress *p = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 elapsed = now - p->started;
  g_autofree char *done = NULL;
  g_autofree char *speed = NULL;

  if (bytes != p->last_bytes)
    {
      p->last_bytes = bytes;
      p->last_change = now;
    }
  if (!p->tty)
    return;

  done = g_format_size (bytes);
  speed = g_format_size (elapsed > 0 ? bytes * G_USEC_PER_SEC / elapsed : 0);

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

/* Each second: a transfer without progress for the limit is given up. */
static gboolean
watchdog_cb (gpointer user_data)
{
  Progress *p = user_data;
  gint64 now = g_get_monotonic_time ();

  if (p->stalled == 0 && now - p->last_change > (gint64) p->limit * G_USEC_PER_SEC)
    {
      p->stalled = now;
      g_cancellable_cancel (p->cancellable);
    }
  return G_SOURCE_CONTINUE;
}

static const char *
blamed_zones (AirZone *src_zone,
              AirZone *dest_zone,
              char   **owned)
{
  if (src_zone == NULL || src_zone == dest_zone)
    return *owned = g_strdup_printf (_("zone “%s”"), air_zone_get_name (dest_zone));
  return *owned = g_strdup_printf (_("zone “%s” or “%s”"),
                                   air_zone_get_name (src_zone), air_zone_get_name (dest_zone));
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
  g_autofree char *src_arg = NULL;
  g_autofree char *src_qube = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *zone_name = NULL;
  g_autofree char *from_zone = NULL;
  g_autofree char *blamed = NULL;
  g_auto(AirCliWait) wait = { 0 };
  AirZone *dest_zone, *src_zone = NULL;
  Progress progress = { 0 };
  gboolean tty = isatty (STDERR_FILENO);
  g_autoptr(GSource) sigint = NULL;
  g_autoptr(GSource) sigterm = NULL;
  g_autoptr(GSource) watchdog = NULL;
  GAsyncResult *result;
  guint64 bytes;
  const GOptionEntry entries[] = {
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_name,
      N_("The zone of DEST_QUBE, where two zones have the name"), N_("ZONE") },
    { "from-zone", 'f', 0, G_OPTION_ARG_STRING, &from_zone,
      N_("The zone of SRC_QUBE, where two zones have the name"), N_("ZONE") },
    { NULL }
  };

  context = g_option_context_new (_("PATH… [ZONE:]DEST_QUBE | SRC_QUBE:PATH… [ZONE:]DEST_QUBE"));
  g_option_context_set_summary (context, _("Copy files and folders into ~/QubesIncoming/<source>/ of a qube."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return air_cli_usage_error (context, "qair copy", error->message);
  if (argc < 3)
    return air_cli_usage_error (context, "qair copy", _("Name what to copy and the qube to copy it to"));

  for (int i = 1; i < argc - 1; i++)
    {
      const char *colon = strchr (argv[i], ':');
      g_autofree char *qube = colon ? g_strndup (argv[i], colon - argv[i]) : NULL;

      /* "work:docs" names a qube's file only if "work" is a qube name;
       * "./a:b" or "/x:y" stay local paths. */
      if (qube != NULL && !air_name_is_valid (qube))
        g_clear_pointer (&qube, g_free);
      if (i == 1)
        src_arg = g_strdup (qube);
      else if ((qube == NULL) != (src_arg == NULL))
        return air_cli_usage_error (context, "qair copy", _("Copy either local files or files of one qube, not both"));
      else if (qube != NULL && strcmp (qube, src_arg) != 0)
        return air_cli_usage_error (context, "qair copy", _("All files must come from the same qube"));
      g_ptr_array_add (paths, g_strdup (qube ? colon + 1 : argv[i]));
    }
  g_ptr_array_add (paths, NULL);
  if (from_zone != NULL && src_arg == NULL)
    return air_cli_usage_error (context, "qair copy", _("--from-zone is for files of a qube (SRC_QUBE:PATH)"));

  /* The last argument is always a qube: ZONE:QUBE there names its zone. */
  dest_zone = air_cli_find_qube (registry, argv[argc - 1], zone_name, &dest, &error);
  if (dest_zone == NULL)
    {
      g_printerr ("qair: %s\n", error->message);
      return AIR_CLI_EXIT_FAILED;
    }
  if (src_arg != NULL &&
      (src_zone = air_cli_find_qube (registry, src_arg, from_zone, &src_qube, &error)) == NULL)
    {
      g_printerr ("qair: %s\n", error->message);
      return AIR_CLI_EXIT_FAILED;
    }

  progress.started = progress.last_change = g_get_monotonic_time ();
  progress.tty = tty;
  progress.cancellable = cancellable;
  progress.limit = air_cli_zone_time_limit (registry, dest_zone);
  if (src_zone != NULL)
    progress.limit = MAX (progress.limit, air_cli_zone_time_limit (registry, src_zone));
  if (src_qube == NULL)
    for (guint i = 0; g_ptr_array_index (paths, i) != NULL; i++)
      progress.total += air_filecopy_measure (AT_FDCWD, g_ptr_array_index (paths, i));

  air_cli_wait_init (&wait);
  /* On the context the wait iterates. */
  sigint = add_signal (SIGINT, wait.context, cancellable);
  sigterm = add_signal (SIGTERM, wait.context, cancellable);
  watchdog = g_timeout_source_new_seconds (1);
  g_source_set_callback (watchdog, watchdog_cb, &progress, NULL);
  g_source_attach (watchdog, wait.context);
  if (src_qube == NULL)
    air_file_transfer_put_async (dest_zone, dest, NULL, (const char * const *) paths->pdata,
                                 progress_cb, &progress, cancellable,
                                 air_cli_wait_cb, &wait);
  else
    air_file_transfer_copy_async (src_zone, src_qube, (const char * const *) paths->pdata,
                                  dest_zone, dest, progress_cb, &progress,
                                  cancellable, air_cli_wait_cb, &wait);

  /* A receiver that stopped answering may never let the transfer end:
   * past the grace, qair leaves it (its processes see EOF as qair exits). */
  while (wait.result == NULL &&
         (progress.stalled == 0 || g_get_monotonic_time () - progress.stalled < STALL_GRACE * G_USEC_PER_SEC))
    g_main_context_iteration (wait.context, TRUE);
  result = wait.result;
  g_source_destroy (sigint);
  g_source_destroy (sigterm);
  g_source_destroy (watchdog);

  if (progress.shown)
    g_printerr ("\r\033[K");
  if (progress.stalled != 0)
    {
      g_printerr (ngettext ("qair: the copy made no progress for %u second: %s stopped answering.\n",
                            "qair: the copy made no progress for %u seconds: %s stopped answering.\n", progress.limit),
                  progress.limit, blamed_zones (src_zone, dest_zone, &blamed));
      if (result == NULL)
        _exit (AIR_CLI_EXIT_FAILED);   /* the transfer's thread is still blocked on the zone */
      return AIR_CLI_EXIT_FAILED;
    }
  bytes = air_file_transfer_finish (result, &error);
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
