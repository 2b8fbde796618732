/* air-job-row.h — one job in the job list
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "air-job.h"

G_BEGIN_DECLS

#define AIR_TYPE_JOB_ROW (air_job_row_get_type ())

G_DECLARE_FINAL_TYPE (AirJobRow, air_job_row, AIR, JOB_ROW, GtkWidget)

GtkWidget *air_job_row_new     (void);
AirJob    *air_job_row_get_job (AirJobRow *self);
void       air_job_row_set_job (AirJobRow *self,
                                AirJob    *job);

G_END_DECLS
