/* air-driver.h — what serves a zone's qubes on the machine the agent runs on
 *
 * The agent's services (air-agent.c), the relay and the file services call
 * only this interface. Two backends implement it:
 *
 *   bwrap    AirLocalDriver: a qube is a bubblewrap sandbox whose PID 1 is
 *            the agent (--qube-init); isolation "namespaces".
 *   libvirt  AirLibvirtDriver: a qube is a libvirt domain booted from a
 *            kernel the zone host supplies, with a copy-on-write root on the
 *            template's image, a persistent private volume and a discarded
 *            volatile one; the agent inside answers over virtio-serial;
 *            isolation "vm".
 *
 * The backend is chosen per zone host: AIR_BACKEND, else the "backend="
 * line of STATE_DIR/agent.conf, else bwrap (see air_driver_new_for_host).
 *
 * Errors are GErrors with a message a user can act on. A method returning
 * int returns the command's exit status, or -1 with @error set.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "air-protocol.h"
#include "air-qube.h"
#include "air-template.h"

G_BEGIN_DECLS

#define AIR_TYPE_DRIVER (air_driver_get_type ())

G_DECLARE_INTERFACE (AirDriver, air_driver, AIR, DRIVER, GObject)

/* Exit status of Run/Disposable when the agent itself failed. */
#ifndef AIR_RUN_EXIT_FAILED
#define AIR_RUN_EXIT_FAILED 125
#endif

/* Told the name of a qube whose state may have changed, on the thread
 * default main context of the caller of air_driver_watch(). */
typedef void (*AirDriverChangedFunc) (const char *name,
                                      gpointer    user_data);

/* Where a slow create (a Proxmox clone) tells how far it got: PERCENT
 * 0–100 or -1 when not known, and what it does. */
typedef struct {
  void     (*progress) (gpointer data, int percent, const char *text);
  gpointer   data;
} AirProgressReporter;

/* Where a template build tells how far it got: the step it begins, and
 * each line of the guest's output. */
typedef struct {
  void     (*step)   (gpointer data, const char *text, guint index, guint count);
  void     (*output) (gpointer data, const char *line, gsize len);
  gpointer   data;
} AirTemplateReporter;

/* Tells @reporter (which may be NULL, or have no step function) of step
 * @index of @count. */
void         air_template_reporter_step (const AirTemplateReporter *reporter,
                                         const char                *text,
                                         guint                      index,
                                         guint                      count);

struct _AirDriverInterface
{
  GTypeInterface parent_iface;

  const char  *(*get_zone_name) (AirDriver *self);
  const char  *(*get_qubes_dir) (AirDriver *self);
  const char  *(*get_run_dir)   (AirDriver *self);
  AirZoneInfo *(*get_info)      (AirDriver *self);
  GPtrArray   *(*list)          (AirDriver *self, GError **error);
  AirQube     *(*lookup)        (AirDriver *self, const char *name, GError **error);
  int          (*open_home)     (AirDriver *self, const char *name, GError **error);
  AirQube     *(*create)        (AirDriver *self, const char *name, const AirQubeSpec *spec,
                                 const AirProgressReporter *reporter, GError **error);
  gboolean     (*remove)        (AirDriver *self, const char *name, GError **error);
  AirQube     *(*start)         (AirDriver *self, const char *name, GError **error);
  AirQube     *(*shutdown)      (AirDriver *self, const char *name, GError **error);
  AirQube     *(*kill)          (AirDriver *self, const char *name, GError **error);
  int          (*run)           (AirDriver *self, const char *name, const AirRunHeader *header, GError **error);
  int          (*disposable)    (AirDriver *self, const char *template_name, const AirRunHeader *header, GError **error);
  /* Optional. */
  AirQube     *(*set_prefs)     (AirDriver *self, const char *name, const AirQubePrefs *prefs, GError **error);
  int          (*supervise)     (AirDriver *self, const char *name);
  gboolean     (*watch)         (AirDriver *self, AirDriverChangedFunc func, gpointer user_data, GError **error);
  /* Optional: templates (air-template.h). Without list_templates, the
   * zone info's names are listed. */
  GPtrArray   *(*list_templates)    (AirDriver *self, GError **error);
  AirTemplate *(*import_template)   (AirDriver *self, const char *name, int tar_fd,
                                     const AirTemplateReporter *reporter, GError **error);
  AirTemplate *(*build_template)    (AirDriver *self, const char *name, const AirTemplateRequest *request,
                                     int files_fd, const AirTemplateReporter *reporter, GError **error);
  AirTemplate *(*rollback_template) (AirDriver *self, const char *name, GError **error);
  gboolean     (*remove_template)   (AirDriver *self, const char *name, GError **error);
  /* Optional: the file services (air-file-services.c) for qubes whose
   * homes neither open_home nor an agent of ours inside can reach. */
  int          (*serve_files)       (AirDriver *self, const char *service, const char *name,
                                     const char *source, GError **error);
};

AirDriver   *air_driver_new_for_host   (const char          *state_dir,
                                        const char          *zone_name,
                                        GError             **error);
char        *air_driver_path_in        (const char          *dir,
                                        const char          *name,
                                        const char          *suffix);
gboolean     air_driver_write_atomically (const char        *path,
                                        const char          *contents,
                                        GError             **error);
/* Runs a tool of the zone host (qemu-img, mkfs.ext4…) to its end; the
 * message names the tool, or the package to install when it is missing. */
gboolean     air_driver_run_tool       (const char * const  *argv,
                                        const char          *package,
                                        GError             **error);
gpointer     air_driver_module_symbol  (const char          *module_name,
                                        const char          *symbol,
                                        GError             **error);
/* The value of "KEY=VALUE" in STATE_DIR/agent.conf (lines; "#" starts a
 * comment), else NULL. */
char        *air_driver_config_get     (const char          *state_dir,
                                        const char          *key);
/* A backend's directories under @base, made (0700) where missing:
 * qubes (each qube's NAME.json), private, run and templates. The paths
 * are set also on failure, for the caller to free. */
gboolean     air_driver_make_dirs      (const char          *base,
                                        char               **qubes_dir,
                                        char               **private_dir,
                                        char               **run_dir,
                                        char               **templates_dir,
                                        GError             **error);
/* Makes qube @name of @spec; NULL without @error when @name is taken. */
typedef AirQube *(*AirDriverCreateFunc) (const char         *name,
                                         const AirQubeSpec  *spec,
                                         gpointer            user_data,
                                         GError            **error);
/* Creates a qube of @spec under a free name PREFIXNNNN and returns the
 * name; when none of the names tried is free, AIR_ERROR_BUSY with
 * @busy_message. */
char        *air_driver_create_unnamed (const char          *prefix,
                                        const AirQubeSpec   *spec,
                                        AirDriverCreateFunc  create,
                                        gpointer             user_data,
                                        const char          *busy_message,
                                        GError             **error);
/* A GSpawnChildSetupFunc: the child starts a session of its own, so that
 * it outlives the call that starts it and no signal to that call's
 * process group reaches it. */
void         air_driver_child_new_session (gpointer         user_data);

const char  *air_driver_get_zone_name  (AirDriver           *self);
/* Directories whose entries NAME.json change with a qube's settings and
 * state (watched with inotify by the Events service). */
const char  *air_driver_get_qubes_dir  (AirDriver           *self);
const char  *air_driver_get_run_dir    (AirDriver           *self);
AirZoneInfo *air_driver_get_info       (AirDriver           *self);
GPtrArray   *air_driver_list           (AirDriver           *self,
                                        GError             **error);
AirQube     *air_driver_lookup         (AirDriver           *self,
                                        const char          *name,
                                        GError             **error);
int          air_driver_open_home      (AirDriver           *self,
                                        const char          *name,
                                        GError             **error);
/* @reporter may be NULL; most backends report nothing. */
AirQube     *air_driver_create         (AirDriver           *self,
                                        const char          *name,
                                        const AirQubeSpec   *spec,
                                        const AirProgressReporter *reporter,
                                        GError             **error);
gboolean     air_driver_remove         (AirDriver           *self,
                                        const char          *name,
                                        GError             **error);
AirQube     *air_driver_start          (AirDriver           *self,
                                        const char          *name,
                                        GError             **error);
AirQube     *air_driver_shutdown       (AirDriver           *self,
                                        const char          *name,
                                        GError             **error);
AirQube     *air_driver_kill           (AirDriver           *self,
                                        const char          *name,
                                        GError             **error);
int          air_driver_run            (AirDriver           *self,
                                        const char          *name,
                                        const AirRunHeader  *header,
                                        GError             **error);
int          air_driver_disposable     (AirDriver           *self,
                                        const char          *template_name,
                                        const AirRunHeader  *header,
                                        GError             **error);
/* Changes a qube's label at any time, its memory and vCPUs only while it
 * is halted (AIR_ERROR_BUSY otherwise); the backend applies them at the
 * next start. */
AirQube     *air_driver_set_prefs      (AirDriver           *self,
                                        const char          *name,
                                        const AirQubePrefs  *prefs,
                                        GError             **error);
int          air_driver_supervise      (AirDriver           *self,
                                        const char          *name);
/* Calls @func for changes the directories above do not show (a libvirt
 * domain's lifecycle events), until the process ends. TRUE when there is
 * nothing more to watch than the directories. */
gboolean     air_driver_watch          (AirDriver           *self,
                                        AirDriverChangedFunc func,
                                        gpointer             user_data,
                                        GError             **error);

/* The zone's templates, each with how many qubes use it. */
GPtrArray   *air_driver_list_templates (AirDriver           *self,
                                        GError             **error);
/* A first template from a root file system tarball read from @tar_fd. */
AirTemplate *air_driver_import_template (AirDriver          *self,
                                        const char          *name,
                                        int                  tar_fd,
                                        const AirTemplateReporter *reporter,
                                        GError             **error);
/* A new template (request->base set) or a new version of one: the
 * package files come from @files_fd in the request's order. */
AirTemplate *air_driver_build_template (AirDriver           *self,
                                        const char          *name,
                                        const AirTemplateRequest *request,
                                        int                  files_fd,
                                        const AirTemplateReporter *reporter,
                                        GError             **error);
AirTemplate *air_driver_rollback_template (AirDriver        *self,
                                        const char          *name,
                                        GError             **error);
/* Refused while a qube of the zone is based on it. */
gboolean     air_driver_remove_template (AirDriver          *self,
                                        const char          *name,
                                        GError             **error);

/* The file service qubesair.File* on qube @name, served by the backend
 * itself: its exit status, or -1 with @error (G_IO_ERROR_NOT_SUPPORTED
 * when the backend leaves it to open_home). */
int          air_driver_serve_files    (AirDriver           *self,
                                        const char          *service,
                                        const char          *name,
                                        const char          *source,
                                        GError             **error);

/* The backends' implementations (air-local-driver-iface.c). */
void         _air_local_driver_iface_init (AirDriverInterface *iface);

G_END_DECLS
