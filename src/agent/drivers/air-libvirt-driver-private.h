/* air-libvirt-driver-private.h — AirLibvirtDriver's fields and the functions
 * its topic files share (air-libvirt-driver.c: the object, the connection
 * and its event loop, listing and watching; -volumes.c; -domains.c;
 * -calls.c: the guest channel; -build.c: a template build's VM)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <libvirt/libvirt.h>

#include "air-disk-keys.h"
#include "air-driver.h"
#include "air-libvirt-driver.h"
#include "air-secret-buffer.h"
#include "air-template-store.h"

G_BEGIN_DECLS

#define SHUTDOWN_TIMEOUT_S       20

struct _AirLibvirtDriver
{
  GObject        parent_instance;

  /* Owned references */
  char          *zone_name;
  char          *state_dir;
  char          *qubes_dir;
  char          *private_dir;
  char          *run_dir;
  char          *templates_dir;
  AirTemplateStore *templates;
  char          *build_template;  /* while a build's VM runs: its image */
  char          *build_image;
  int            build_lock_fd;
  char          *uri;
  char          *kernel;
  char          *initrd;
  char          *default_template;
  char          *domain_prefix;   /* "qubesair-HASH-": names this state dir's domains */
  guint          start_timeout_s;
  AirDiskKeys    disk_keys;       /* where private volumes' keys come from */
  AirSecretBuffer *call_key;      /* disk_keys call: the key this call carried */
  gboolean       call_key_sent;   /* … and whether it carried a key line at all */
  GHashTable    *ephemeral_keys;  /* disposables' and builds' disk keys, by name */
  virConnectPtr  conn;

  /* The Events service's lifecycle callback. */
  GMainContext          *watch_context;
  AirDriverChangedFunc   watch_func;
  gpointer               watch_data;
};

/* air-libvirt-driver.c */
const char *_air_libvirt_message (void);
char *_air_libvirt_driver_domain_name (AirLibvirtDriver *self,
                                       const char       *name);
virConnectPtr _air_libvirt_driver_get_connection (AirLibvirtDriver  *self,
                                                  GError           **error);
AirQubeSpec *_air_libvirt_driver_read_settings (AirLibvirtDriver  *self,
                                                const char        *name,
                                                GError           **error);
char *_air_libvirt_driver_template_image (AirLibvirtDriver *self,
                                          const char       *template_name);
char **_air_libvirt_driver_list_templates (AirLibvirtDriver *self);
AirQubeState _air_libvirt_driver_domain_state (AirLibvirtDriver *self,
                                               const char       *name,
                                               gboolean         *reachable);
AirQube *_air_libvirt_driver_lookup (AirDriver   *driver,
                                     const char  *name,
                                     GError     **error);
gboolean _air_libvirt_name_from_entry (const char  *entry,
                                       char       **name);

/* air-libvirt-driver-volumes.c */
AirSecretBuffer *_air_libvirt_driver_take_call_key (AirLibvirtDriver  *self,
                                                    const char        *name,
                                                    gboolean           create,
                                                    GError           **error);
gboolean _air_libvirt_driver_make_private_volume (AirLibvirtDriver  *self,
                                                  const char        *name,
                                                  gboolean           ephemeral,
                                                  GError           **error);
char *_air_libvirt_driver_channel_path (AirLibvirtDriver *self,
                                        const char       *name,
                                        guint             port,
                                        const char       *suffix);
void _air_libvirt_driver_discard_volatile (AirLibvirtDriver *self,
                                           const char       *name);
void _air_libvirt_driver_remove_volumes (AirLibvirtDriver *self,
                                         const char       *name);

/* air-libvirt-driver-domains.c */
AirQube *_air_libvirt_driver_create_qube (AirDriver          *driver,
                                          const char         *name,
                                          const AirQubeSpec  *spec,
                                          gboolean            ephemeral_key,
                                          GError            **error);
AirQube *_air_libvirt_driver_create (AirDriver                 *driver,
                                     const char                *name,
                                     const AirQubeSpec         *spec,
                                     const AirProgressReporter *reporter,
                                     GError                   **error);
void _air_libvirt_driver_destroy_domain (AirLibvirtDriver *self,
                                         const char       *name);
AirQube *_air_libvirt_driver_start_qube (AirLibvirtDriver  *self,
                                         const char        *name,
                                         unsigned int       flags,
                                         GError           **error);
AirQube *_air_libvirt_driver_start (AirDriver   *driver,
                                    const char  *name,
                                    GError     **error);
gboolean _air_libvirt_driver_wait_gone (AirLibvirtDriver *self,
                                        const char       *name,
                                        guint             timeout_s);
AirQube *_air_libvirt_driver_kill (AirDriver   *driver,
                                   const char  *name,
                                   GError     **error);
AirQube *_air_libvirt_driver_shutdown (AirDriver   *driver,
                                       const char  *name,
                                       GError     **error);
gboolean _air_libvirt_driver_remove (AirDriver   *driver,
                                     const char  *name,
                                     GError     **error);
AirQube *_air_libvirt_driver_set_prefs (AirDriver           *driver,
                                        const char          *name,
                                        const AirQubePrefs  *prefs,
                                        GError             **error);

/* air-libvirt-driver-calls.c */
int _air_libvirt_driver_open_call (AirLibvirtDriver  *self,
                                   const char        *name,
                                   const char        *service,
                                   const char        *extra_line,
                                   int                timeout_ms,
                                   int               *lock_fd,
                                   GError           **error);
void _air_libvirt_close_call (int fd,
                              int lock_fd);
gboolean _air_libvirt_read_exit (int          fd,
                                 const char  *name,
                                 int          timeout_ms,
                                 GError     **error);
int _air_libvirt_relay_command (int          fd,
                                const char  *name,
                                int          in_fd,
                                int          out_fd,
                                int          err_fd,
                                GError     **error);
int _air_libvirt_driver_run (AirDriver           *driver,
                             const char          *name,
                             const AirRunHeader  *header,
                             GError             **error);
int _air_libvirt_driver_take_lock (AirLibvirtDriver *self,
                                   const char       *name);
/* A disposable VM's qube (a disposable's, a build's) under a free name
 * PREFIXNNNN, with the name's lock held (*@lock_fd) for as long as it
 * lives. */
char *_air_libvirt_driver_create_locked (AirLibvirtDriver   *self,
                                         const char         *prefix,
                                         const AirQubeSpec  *spec,
                                         const char         *busy_message,
                                         int                *lock_fd,
                                         GError            **error);
int _air_libvirt_driver_disposable (AirDriver           *driver,
                                    const char          *template_name,
                                    const AirRunHeader  *header,
                                    GError             **error);
void _air_libvirt_driver_collect_dead_disposables (AirLibvirtDriver *self);

/* air-libvirt-driver-build.c */
AirTemplate *_air_libvirt_driver_build_template (AirDriver                  *driver,
                                                 const char                 *name,
                                                 const AirTemplateRequest   *request,
                                                 int                         files_fd,
                                                 const AirTemplateReporter  *reporter,
                                                 GError                    **error);
GPtrArray *_air_libvirt_driver_list_templates_full (AirDriver  *driver,
                                                    GError    **error);
AirTemplate *_air_libvirt_driver_import_template (AirDriver                  *driver,
                                                  const char                 *name,
                                                  int                         tar_fd,
                                                  const AirTemplateReporter  *reporter,
                                                  GError                    **error);
AirTemplate *_air_libvirt_driver_rollback_template (AirDriver   *driver,
                                                    const char  *name,
                                                    GError     **error);
gboolean _air_libvirt_driver_remove_template (AirDriver   *driver,
                                              const char  *name,
                                              GError     **error);

G_END_DECLS
