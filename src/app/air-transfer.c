/* air-transfer.c — a file transfer onto a qube, shown as a job
 *
 * Files dropped from the desktop are packed here and streamed into the
 * qube's FilePut; files dragged out of another qube stream from its
 * FileGet through this process into FilePut, never stored on disk. The
 * job shows bytes done, speed and time left, and its Cancel button stops
 * the transfer with nothing left half written in the qube.
 *
 * On a real Qubes system, a qube of the zone whose gateway is dom0 (the
 * local Qubes, reached through the Admin API) receives the files through
 * the stock qubes.Filecopy service instead, with its usual policy prompt.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-transfer"

#include "config.h"

#include <glib/gi18n.h>

#include "air-error.h"
#include "air-file-transfer.h"
#include "air-transfer.h"

struct _AirTransfer
{
  GObject  parent_instance;

  AirJob  *job;
  gint64   started;
  guint64  total;
  guint64  done;
};

G_DEFINE_FINAL_TYPE (AirTransfer, air_transfer, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (AirFileDrag, air_file_drag, air_file_drag_copy, air_file_drag_free)

AirFileDrag *
air_file_drag_new (const char         *zone,
                   const char         *qube,
                   const char * const *paths,
                   guint64             total)
{
  AirFileDrag *drag = g_new0 (AirFileDrag, 1);

  drag->zone = g_strdup (zone);
  drag->qube = g_strdup (qube);
  drag->paths = g_strdupv ((char **) paths);
  drag->total = total;
  return drag;
}

AirFileDrag *
air_file_drag_copy (const AirFileDrag *drag)
{
  return air_file_drag_new (drag->zone, drag->qube, (const char * const *) drag->paths, drag->total);
}

void
air_file_drag_free (AirFileDrag *drag)
{
  if (drag == NULL)
    return;
  g_free (drag->zone);
  g_free (drag->qube);
  g_strfreev (drag->paths);
  g_free (drag);
}

static void
air_transfer_finalize (GObject *object)
{
  AirTransfer *self = AIR_TRANSFER (object);

  g_clear_object (&self->job);
  G_OBJECT_CLASS (air_transfer_parent_class)->finalize (object);
}

static void
air_transfer_class_init (AirTransferClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_transfer_finalize;
}

static void
air_transfer_init (AirTransfer *self)
{
  self->started = g_get_monotonic_time ();
}

static void
show_progress (AirTransfer *self)
{
  double seconds = (g_get_monotonic_time () - self->started) / (double) G_USEC_PER_SEC;
  guint64 speed = seconds > 0.5 ? (guint64) (self->done / seconds) : 0;
  g_autofree char *done = g_format_size (self->done);
  g_autofree char *rate = g_format_size (speed);
  g_autofree char *detail = NULL;

  if (self->total > 0 && self->done <= self->total)
    {
      g_autofree char *total = g_format_size (self->total);
      guint64 left = speed > 0 ? (self->total - self->done) / speed : 0;

      air_job_set_progress (self->job, (double) self->done / self->total);
      if (speed > 0)
        /* Translators: bytes done of total, speed, seconds left */
        detail = g_strdup_printf (_("%s of %s, %s/s, %lu s left"), done, total, rate, (gulong) left);
      else
        detail = g_strdup_printf (_("%s of %s"), done, total);
    }
  else
    /* Translators: bytes done, speed */
    detail = g_strdup_printf (_("%s, %s/s"), done, rate);
  air_job_set_detail (self->job, detail);
}

static void
progress_cb (guint64  bytes,
             gpointer user_data)
{
  AirTransfer *self = user_data;

  self->done = bytes;
  show_progress (self);
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(AirTransfer) self = user_data;
  g_autoptr(GError) error = NULL;
  guint64 bytes = air_file_transfer_finish (result, &error);

  if (error != NULL)
    {
      air_job_fail (self->job, error);
      return;
    }
  self->done = bytes;
  self->total = MAX (self->total, bytes);
  show_progress (self);
  air_job_succeed (self->job);
}

static AirTransfer *
transfer_new (AirSession *session,
              const char *title,
              const char *zone)
{
  AirTransfer *self = g_object_new (AIR_TYPE_TRANSFER, NULL);

  self->job = air_job_new (title, zone);
  air_job_set_progress (self->job, 0.0);
  air_session_add_job (session, self->job);
  return self;
}

/* The local Qubes: its qubes get the stock service. */
static gboolean
uses_stock_filecopy (AirZone *zone)
{
  return air_transport_get_kind (air_zone_get_transport (zone)) == AIR_TRANSPORT_KIND_QREXEC &&
         g_strcmp0 (air_zone_get_gateway (zone), "dom0") == 0;
}

static void
measured_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AirTransfer) self = user_data;
  guint64 total = air_file_transfer_measure_finish (result, NULL);

  if (total > 0 && !air_job_is_finished (self->job))
    {
      self->total = total;
      show_progress (self);
    }
}

AirJob *
air_transfer_put_files (AirSession *session,
                        AirQube    *dest,
                        GSList     *files)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(AirTransfer) self = NULL;
  g_autofree char *title = NULL;
  AirZone *zone;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);
  g_return_val_if_fail (AIR_IS_QUBE (dest), NULL);

  /* Translators: "Copy to work" */
  title = g_strdup_printf (_("Copy to %s"), air_qube_get_name (dest));
  self = transfer_new (session, title, air_qube_get_zone (dest));

  for (GSList *l = files; l != NULL; l = l->next)
    {
      char *path = g_file_get_path (G_FILE (l->data));

      if (path == NULL)
        {
          g_autoptr(GError) error =
            g_error_new_literal (AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                                 _("Only local files can be copied into a qube"));
          air_job_fail (self->job, error);
          return self->job;
        }
      g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);

  zone = air_session_lookup_zone (session, air_qube_get_zone (dest));
  if (zone == NULL)
    {
      g_autoptr(GError) error = g_error_new (AIR_ERROR, AIR_ERROR_NOT_FOUND,
                                             _("The zone of qube “%s” is gone"), air_qube_get_name (dest));
      air_job_fail (self->job, error);
      return self->job;
    }

  /* the total comes later: a big folder takes a while to walk */
  air_file_transfer_measure_async ((const char * const *) paths->pdata, air_job_get_cancellable (self->job),
                                   measured_cb, g_object_ref (self));

  if (uses_stock_filecopy (zone))
    air_file_transfer_qubes_filecopy_async (air_qube_get_name (dest), (const char * const *) paths->pdata,
                                            progress_cb, self, air_job_get_cancellable (self->job),
                                            done_cb, g_object_ref (self));
  else
    air_file_transfer_put_async (zone, air_qube_get_name (dest), NULL, (const char * const *) paths->pdata,
                                 progress_cb, self, air_job_get_cancellable (self->job),
                                 done_cb, g_object_ref (self));
  return self->job;
}

AirJob *
air_transfer_copy (AirSession        *session,
                   const AirFileDrag *drag,
                   AirQube           *dest)
{
  g_autoptr(AirTransfer) self = NULL;
  g_autofree char *title = NULL;
  AirZone *src_zone, *dest_zone;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);
  g_return_val_if_fail (drag != NULL, NULL);

  /* Translators: "Copy from work to dev" */
  title = g_strdup_printf (_("Copy from %s to %s"), drag->qube, air_qube_get_name (dest));
  self = transfer_new (session, title, air_qube_get_zone (dest));
  self->total = drag->total;

  src_zone = air_session_lookup_zone (session, drag->zone);
  dest_zone = air_session_lookup_zone (session, air_qube_get_zone (dest));
  if (src_zone == NULL || dest_zone == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (AIR_ERROR, AIR_ERROR_NOT_FOUND,
                                                     _("The zone of one of the qubes is gone"));
      air_job_fail (self->job, error);
      return self->job;
    }

  air_file_transfer_copy_async (src_zone, drag->qube, (const char * const *) drag->paths,
                                dest_zone, air_qube_get_name (dest), progress_cb, self,
                                air_job_get_cancellable (self->job), done_cb, g_object_ref (self));
  return self->job;
}

GtkDropTarget *
air_transfer_drop_target_new (void)
{
  GType types[] = { GDK_TYPE_FILE_LIST, AIR_TYPE_FILE_DRAG };
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);

  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  return target;
}

gboolean
air_transfer_handle_drop (AirSession   *session,
                          AirQube      *dest,
                          const GValue *value)
{
  if (dest == NULL)
    return FALSE;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);

      if (files == NULL)
        return FALSE;
      air_transfer_put_files (session, dest, files);
      return TRUE;
    }

  if (G_VALUE_HOLDS (value, AIR_TYPE_FILE_DRAG))
    {
      const AirFileDrag *drag = g_value_get_boxed (value);

      /* Onto the qube the files come from: nothing to do. */
      if (drag == NULL || (g_strcmp0 (drag->qube, air_qube_get_name (dest)) == 0 &&
                           g_strcmp0 (drag->zone, air_qube_get_zone (dest)) == 0))
        return FALSE;
      air_transfer_copy (session, drag, dest);
      return TRUE;
    }

  return FALSE;
}
