/* air-ssh-driver-private.h — AirSshDriver's fields and the functions its
 * topic files share (air-ssh-driver.c: the object and its master
 * connection; -calls.c: how a call reaches the host; -relay.c: the call
 * pump and the answers; -events.c; -host-keys.c; -health.c)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-secret-buffer.h"
#include "air-ssh-driver.h"

G_BEGIN_DECLS

#define MAX_ERROR_TEXT    300

struct _AirSshDriver
{
  GObject        parent_instance;

  char          *state_dir;
  char          *zone;
  AirSshConfig  *config;
  char          *user;
  char          *known_hosts;
  char          *runtime_dir;
  char          *control_path;
  char          *alias;
  AirHealth      last_health;   /* what the event stream said last */
  char          *last_reason;
  gboolean       awaiting_list; /* the host's list is to be the stream's first line */
  gint64         wg_handshake;  /* WireGuard's last, as wireguard_health saw it */
};

/* The stream's lines for _air_ssh_driver_pump; NULL, 0 is a tick. */
typedef gboolean (*AirSshLineFunc) (AirSshDriver *self, const char *line, gsize len);

/* air-ssh-driver.c */
void         _air_ssh_argv_add                  (GPtrArray     *argv,
                                                 const char    *arg);
void         _air_ssh_argv_add_option           (GPtrArray     *argv,
                                                 const char    *format,
                                                 ...) G_GNUC_PRINTF (2, 3);
GPtrArray   *_air_ssh_driver_argv_full          (AirSshDriver  *self,
                                                 gboolean       forwarding);
GPtrArray   *_air_ssh_driver_argv               (AirSshDriver  *self);
char        *_air_ssh_driver_calls_path         (AirSshDriver  *self,
                                                 const char    *suffix);
gboolean     _air_ssh_driver_master_alive       (AirSshDriver  *self);
gboolean     _air_ssh_driver_master_control     (AirSshDriver  *self,
                                                 const char    *command);
char        *_air_ssh_driver_endpoint           (AirSshDriver  *self);

/* air-ssh-driver-calls.c */
GSubprocess *_air_ssh_driver_spawn_call         (AirSshDriver     *self,
                                                 const char       *service,
                                                 const char       *arg,
                                                 GSubprocessFlags  flags,
                                                 GError          **error);

/* air-ssh-driver-relay.c */
gboolean     _air_ssh_driver_pump               (AirSshDriver    *self,
                                                 GSubprocess     *process,
                                                 gsize            max,
                                                 AirSshLineFunc   line_cb,
                                                 GByteArray      *out,
                                                 GByteArray      *err,
                                                 GError         **error);
void         _air_ssh_print_error               (const char    *text,
                                                 gsize          len);
gboolean     _air_ssh_driver_connection_lost    (AirSshDriver  *self,
                                                 GSubprocess   *process);
int          _air_ssh_exit_status_of            (GSubprocess   *process);
GByteArray  *_air_ssh_driver_call_host          (AirSshDriver  *self,
                                                 const char    *service,
                                                 const char    *arg,
                                                 GError       **error);
int          _air_ssh_driver_relay_answer       (AirSshDriver          *self,
                                                 const char            *service,
                                                 const char            *arg,
                                                 const AirSecretBuffer *input,
                                                 const char            *failure);

/* air-ssh-driver-disk-keys.c */
gboolean     _air_ssh_driver_answer_takes_keys  (const char    *data,
                                                 gsize          len);
gboolean     _air_ssh_driver_host_takes_keys    (AirSshDriver  *self);
int          _air_ssh_driver_relay_keyed        (AirSshDriver  *self,
                                                 const char    *service,
                                                 const char    *arg);

/* air-ssh-driver-events.c */
gboolean     _air_ssh_driver_print_event        (AirSshDriver  *self,
                                                 AirHealth      health,
                                                 const char    *reason);
int          _air_ssh_driver_relay_events       (AirSshDriver  *self,
                                                 gboolean       listed);

/* air-ssh-driver-host-keys.c */
gboolean     _air_ssh_driver_known_hosts_pinned (AirSshDriver  *self);
char        *_air_ssh_driver_pinned_fingerprint (AirSshDriver  *self);

/* air-ssh-driver-health.c */
AirHealth    _air_ssh_driver_with_link_health   (AirSshDriver  *self,
                                                 AirHealth      host,
                                                 const char    *host_reason,
                                                 char         **reason);

G_END_DECLS
