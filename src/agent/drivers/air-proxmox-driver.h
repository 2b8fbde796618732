/* air-proxmox-driver.h — a zone whose qubes are VMs of a Proxmox VE
 * server, driven from the gateway through Proxmox's API
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "air-driver.h"
#include "air-protocol.h"
#include "air-proxmox-api.h"
#include "air-qube.h"

G_BEGIN_DECLS

/* The tag that marks a VM as a qube of the zone (besides its pool). */
#define AIR_PROXMOX_TAG          "qubes-air"
#define AIR_PROXMOX_LABEL_TAG    "air-label-"
#define AIR_PROXMOX_TASK_TIMEOUT 600   /* seconds: a full clone can take minutes */
#define AIR_PROXMOX_MAX_INPUT    (1024 * 1024)
#define AIR_PROXMOX_POLL_INTERVAL 5    /* seconds between reads while Events listens */

typedef struct {
  char  *url;       /* https://HOST:8006 */
  char  *node;
  char  *pool;      /* NULL: VMs tagged qubes-air */
  char  *storage;   /* NULL: linked clones on the template's storage */
  char  *pin;       /* sha256//…, NULL until trusted */
  guint  timeout;   /* seconds a request may take */
  /* Through the zone's WireGuard tunnel (air-proxmox-config.c): @url is
   * then the server at its tunnel address, @server_url the user's. */
  char  *wireguard;  /* the tunnel's endpoint HOST:PORT; NULL: no tunnel */
  char  *tunnel;     /* the server's address in the tunnel */
  char  *server_url; /* the URL the user gave */
} AirProxmoxConfig;

void              air_proxmox_config_free     (AirProxmoxConfig  *config);
AirProxmoxConfig *air_proxmox_config_parse    (const char        *data,
                                               gsize              len,
                                               GError           **error);
char             *air_proxmox_config_to_json  (const AirProxmoxConfig *config);
char             *air_proxmox_config_tunnel_url (const char      *url,
                                                 const char      *address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirProxmoxConfig, air_proxmox_config_free)

#define AIR_TYPE_PROXMOX_DRIVER (air_proxmox_driver_get_type ())

G_DECLARE_FINAL_TYPE (AirProxmoxDriver, air_proxmox_driver, AIR, PROXMOX_DRIVER, GObject)

AirProxmoxDriver *air_proxmox_driver_new        (const char              *zone_name,
                                                 const AirProxmoxConfig  *config,
                                                 AirProxmoxApi           *api);
/* What ZoneInfo says of a zone whose driver could not be made. */
AirZoneInfo      *air_proxmox_zone_info_down    (const char             *zone_name,
                                                 const AirProxmoxConfig *config,
                                                 const char             *reason);
const char       *air_proxmox_driver_get_zone_name (AirProxmoxDriver *self);
const char       *air_proxmox_driver_get_state_dir (AirProxmoxDriver *self);
AirQube          *air_proxmox_driver_lookup     (AirProxmoxDriver  *self,
                                                 const char        *name,
                                                 GError           **error);
AirZoneInfo      *air_proxmox_driver_get_info   (AirProxmoxDriver  *self);
GPtrArray        *air_proxmox_driver_list       (AirProxmoxDriver  *self,
                                                 GError           **error);
AirQube          *air_proxmox_driver_create     (AirProxmoxDriver  *self,
                                                 const char        *name,
                                                 const AirQubeSpec *spec,
                                                 const AirProgressReporter *reporter,
                                                 GError           **error);
AirQube          *air_proxmox_driver_start      (AirProxmoxDriver  *self,
                                                 const char        *name,
                                                 GError           **error);
AirQube          *air_proxmox_driver_shutdown   (AirProxmoxDriver  *self,
                                                 const char        *name,
                                                 GError           **error);
AirQube          *air_proxmox_driver_kill       (AirProxmoxDriver  *self,
                                                 const char        *name,
                                                 GError           **error);
gboolean          air_proxmox_driver_remove     (AirProxmoxDriver  *self,
                                                 const char        *name,
                                                 GError           **error);
int               air_proxmox_driver_run        (AirProxmoxDriver  *self,
                                                 const char        *name,
                                                 const AirRunHeader *header,
                                                 int                in_fd,
                                                 int                out_fd,
                                                 int                err_fd,
                                                 GError           **error);
int               air_proxmox_driver_disposable (AirProxmoxDriver  *self,
                                                 const char        *template_name,
                                                 const AirRunHeader *header,
                                                 int                in_fd,
                                                 int                out_fd,
                                                 int                err_fd,
                                                 GError           **error);
int               air_proxmox_driver_watch      (AirProxmoxDriver  *self,
                                                 gboolean           listed,
                                                 guint              interval);

AirProxmoxApi    *air_proxmox_driver_get_api    (AirProxmoxDriver  *self);
const char       *air_proxmox_driver_get_node   (AirProxmoxDriver  *self);
guint             air_proxmox_driver_running_vmid (AirProxmoxDriver *self,
                                                 const char        *name,
                                                 GError           **error);

/* air-proxmox-files.c: qubesair.FilePut and FileGet through the guest
 * agent (FileList is refused). */
#define AIR_PROXMOX_MAX_COPY_IN   (64 * 1024 * 1024)  /* bytes of one copy into a qube */
#define AIR_PROXMOX_MAX_COPY_FILES 1000                /* files and folders of one copy */
/* bytes of one file copied out: file-read's 16 MiB, of base64 */
#define AIR_PROXMOX_MAX_FILE_OUT  (AIR_PROXMOX_MAX_READ / 4 * 3)
#define AIR_PROXMOX_MAX_COPY_OUT  (64 * 1024 * 1024)  /* bytes of one copy out of a qube */
int               air_proxmox_driver_serve_files (AirProxmoxDriver *self,
                                                 const char        *service,
                                                 const char        *name,
                                                 const char        *source,
                                                 GError           **error);

/* qubes-air-agent --proxmox-task-guard: stdin the task (a JSON line) and
 * the token; stops the task and destroys its VM unless "done" follows. */
gboolean          air_proxmox_driver_destroy_vm (AirProxmoxDriver  *self,
                                                 guint              vmid,
                                                 GError           **error);

/* The guard of a clone (air-proxmox-guard.c): the pipe to it, or -1. */
int               air_proxmox_guard_start       (const AirProxmoxConfig *config,
                                                 AirProxmoxApi     *api,
                                                 const char        *upid,
                                                 guint              vmid);
void              air_proxmox_guard_done        (int                fd);
int               air_proxmox_task_guard_main   (void);

/* air-proxmox-driver-iface.c */
void              _air_proxmox_driver_iface_init (AirDriverInterface *iface);

G_END_DECLS
