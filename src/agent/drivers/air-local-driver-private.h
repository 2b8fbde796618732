/* air-local-driver-private.h — AirLocalDriver's fields and the functions
 * its topic files share (air-local-driver.c: the object, create, remove,
 * list; -state.c: locks, runtime state, settings files; -lifecycle.c:
 * start, shutdown, kill, run; -supervisor.c: the supervisor)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-local-driver.h"
#include "air-sandbox.h"

G_BEGIN_DECLS

#define STOP_TIMEOUT_S      30
#define SOCKET_NAME         "control"

struct _AirLocalDriver
{
  GObject       parent_instance;

  char         *zone_name;
  char         *state_dir;
  char         *qubes_dir;
  char         *private_dir;
  char         *run_dir;
  char         *templates_dir;
  AirTemplateStore *templates;
  AirIsolation  isolation;   /* probed on first use */
};

typedef struct {
  AirQubeState state;
  gint64       started;
  gint64       pid;
} AirLocalRuntime;

/* What List opens once for all the qubes it reads. */
typedef struct {
  GHashTable *run_entries;   /* names in run/, listed just before */
  int         qubes_fd;      /* qubes/ and run/, so each file is one lookup */
  int         run_fd;
} AirLocalSnapshot;

/* air-local-driver.c */
gboolean      _air_local_set_errno_error           (GError          **error,
                                                    int               saved_errno,
                                                    const char       *format,
                                                    ...) G_GNUC_PRINTF (3, 4);
AirIsolation  _air_local_driver_get_isolation      (AirLocalDriver   *self);
gboolean      _air_local_remove_tree               (const char       *path,
                                                    GError          **error);
char         *_air_local_driver_template_root      (AirLocalDriver   *self,
                                                    const char       *template_name,
                                                    int              *lock_fd);
gboolean      _air_local_driver_remove_qube_locked (AirLocalDriver   *self,
                                                    const char       *name,
                                                    GError          **error);
void          _air_local_driver_remove_disposable  (AirLocalDriver   *self,
                                                    const char       *name);

/* air-local-driver-state.c */
int           _air_local_open_lock                 (const char       *path);
gboolean      _air_local_lock_wait                 (int               fd,
                                                    int               seconds);
int           _air_local_driver_take_zone_lock     (AirLocalDriver   *self,
                                                    GError          **error);
gboolean      _air_local_driver_supervisor_alive   (AirLocalDriver   *self,
                                                    const char       *name);
void          _air_local_driver_read_runtime       (AirLocalDriver         *self,
                                                    const char             *name,
                                                    const AirLocalSnapshot *snap,
                                                    AirLocalRuntime        *runtime);
gboolean      _air_local_driver_write_runtime      (AirLocalDriver   *self,
                                                    const char       *name,
                                                    AirQubeState      state,
                                                    gint64            started,
                                                    GError          **error);
void          _air_local_driver_clear_runtime      (AirLocalDriver   *self,
                                                    const char       *name);
AirQube      *_air_local_driver_read_qube          (AirLocalDriver         *self,
                                                    const char             *name,
                                                    gboolean                with_runtime,
                                                    const AirLocalSnapshot *snap,
                                                    GError                **error);
gboolean      _air_local_driver_write_qube         (AirLocalDriver   *self,
                                                    AirQube          *qube,
                                                    GError          **error);

/* air-local-driver-lifecycle.c */
char         *_air_local_self_program              (void);
int           _air_local_driver_connect_qube       (AirLocalDriver   *self,
                                                    const char       *name,
                                                    GError          **error);

G_END_DECLS
