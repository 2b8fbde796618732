/* air-file-services.h — qubesair.FilePut, FileGet and FileList
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-driver.h"

G_BEGIN_DECLS

gboolean air_file_services_handles (const char     *service);
int      air_file_services_serve   (AirDriver      *driver,
                                    const char     *service,
                                    const char     *arg);

/* qfile-unpacker: stdin into @qube's ~/QubesIncoming/@source/; returns
 * the exit status. */
int      air_file_services_put     (AirDriver      *driver,
                                    const char     *qube,
                                    const char     *source);

/* The service on the home @home_fd (taken), as the process's own user. */
int      air_file_services_serve_home (int          home_fd,
                                       const char  *service,
                                       const char  *source);
int      air_file_services_guest_main (const char  *service,
                                       const char  *source);

G_END_DECLS
