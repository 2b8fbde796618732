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
/* For a backend whose qubes' files are reached only piecemeal (a
 * Proxmox VM through its guest agent): the service runs on a staging home
 * @home_fd (taken) of the backend's, which fetches a FileGet's @paths
 * (names already checked) into it first, and delivers a FilePut's files
 * from the staged QubesIncoming/SOURCE folder @incoming_fd before the
 * caller hears the copy is done. Limits of 0 are the usual ones. */
typedef struct {
  gboolean (*fetch)   (gpointer data, int home_fd, const char * const *paths, GError **error);
  gboolean (*deliver) (gpointer data, int incoming_fd, GError **error);
  gpointer   data;
  guint64    max_bytes;
  guint64    max_entries;
  /* Said before the reader's message when a transfer is over them. */
  const char *too_large;
} AirFileStage;

int      air_file_services_serve_staged (int                 home_fd,
                                         const char         *service,
                                         const char         *source,
                                         const AirFileStage *stage);
int      air_file_services_guest_main (const char  *service,
                                       const char  *source);

G_END_DECLS
