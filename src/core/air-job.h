/* air-job.h — one slow action (create, start, run…) the user can watch
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  AIR_JOB_RUNNING,
  AIR_JOB_SUCCEEDED,
  AIR_JOB_FAILED,
  AIR_JOB_CANCELLED,
} AirJobState;

#define AIR_TYPE_JOB_STATE (air_job_state_get_type ())
GType air_job_state_get_type (void);

#define AIR_TYPE_JOB (air_job_get_type ())

G_DECLARE_FINAL_TYPE (AirJob, air_job, AIR, JOB, GObject)

/* What a job keeps of a failure, and of the output of a command. */
#define AIR_JOB_MAX_ERROR  400
#define AIR_JOB_MAX_OUTPUT (4 * 1024 * 1024)

AirJob       *air_job_new              (const char   *title,
                                        const char   *zone);
const char   *air_job_get_title        (AirJob       *self);
const char   *air_job_get_zone         (AirJob       *self);
AirJobState   air_job_get_state        (AirJob       *self);
gboolean      air_job_is_finished      (AirJob       *self);
double        air_job_get_progress     (AirJob       *self);
void          air_job_set_progress     (AirJob       *self,
                                        double        progress);
gboolean      air_job_get_pulsing      (AirJob       *self);
const char   *air_job_get_error        (AirJob       *self);
const char   *air_job_get_hint         (AirJob       *self);
const char   *air_job_get_detail       (AirJob       *self);
void          air_job_set_detail       (AirJob       *self,
                                        const char   *detail);
gint64        air_job_get_started      (AirJob       *self);
double        air_job_get_duration     (AirJob       *self);
int           air_job_get_exit_status  (AirJob       *self);
GCancellable *air_job_get_cancellable  (AirJob       *self);
void          air_job_cancel           (AirJob       *self);
void          air_job_succeed          (AirJob       *self);
void          air_job_fail             (AirJob       *self,
                                        const GError *error);
void          air_job_finish_command   (AirJob       *self,
                                        int           exit_status);
void          air_job_append_output    (AirJob       *self,
                                        const void   *data,
                                        gsize         len);
void          air_job_flush_output     (AirJob       *self);
char         *air_job_dup_output       (AirJob       *self);

G_END_DECLS
