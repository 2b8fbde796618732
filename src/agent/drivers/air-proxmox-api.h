/* air-proxmox-api.h — the gateway's client of a Proxmox VE server's REST
 * API (/api2/json), for the proxmox zone driver
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "air-proxmox-vms.h"

G_BEGIN_DECLS

/* What one answer may be: 1,000 VMs' resources are ~300 KiB. */
#define AIR_PROXMOX_MAX_ANSWER   (4 * 1024 * 1024)
#define AIR_PROXMOX_MAX_TOKEN    512
#define AIR_PROXMOX_MAX_OUTPUT   (1024 * 1024)
/* The API's own limits on agent/file-write's content (characters: we
 * send base64, so 45 KiB of data a call) and on what file-read returns. */
#define AIR_PROXMOX_MAX_WRITE    61440
#define AIR_PROXMOX_MAX_READ     (16 * 1024 * 1024)

#define AIR_TYPE_PROXMOX_API (air_proxmox_api_get_type ())

G_DECLARE_FINAL_TYPE (AirProxmoxApi, air_proxmox_api, AIR, PROXMOX_API, GObject)

gboolean       air_proxmox_url_validate    (const char     *url,
                                            GError        **error);
char          *air_proxmox_fetch_pin       (const char     *url,
                                            guint           timeout,
                                            GError        **error);

AirProxmoxApi *air_proxmox_api_new         (const char     *url,
                                            const char     *pin,
                                            guint           timeout);
gboolean       air_proxmox_api_set_token   (AirProxmoxApi  *self,
                                            const char     *token,
                                            gsize           len,
                                            GError        **error);
JsonNode      *air_proxmox_api_request     (AirProxmoxApi  *self,
                                            const char     *method,
                                            const char     *path,
                                            const char * const *form,
                                            GError        **error);
GPtrArray     *air_proxmox_api_list_vms    (AirProxmoxApi  *self,
                                            GError        **error);
/* @max: the bound on this answer, for the few that are larger. */
JsonNode      *air_proxmox_api_request_up_to (AirProxmoxApi *self,
                                            const char     *method,
                                            const char     *path,
                                            const char * const *form,
                                            gsize           max,
                                            GError        **error);

/* How far a task got, from its log: PERCENT 0–100 or -1, and its last
 * line, cleaned. Called only when either changed. */
typedef void (*AirProxmoxTaskProgress) (int         percent,
                                        const char *text,
                                        gpointer    user_data);

gboolean       air_proxmox_api_wait_task   (AirProxmoxApi  *self,
                                            const char     *node,
                                            const char     *upid,
                                            guint           timeout,
                                            AirProxmoxTaskProgress progress,
                                            gpointer        progress_data,
                                            GCancellable   *cancellable,
                                            GError        **error);
int            air_proxmox_log_percent     (const char     *line);
void           air_proxmox_api_set_caller_fd (AirProxmoxApi *self,
                                            int             fd);
gboolean       air_proxmox_api_caller_gone (AirProxmoxApi  *self);
gboolean       air_proxmox_api_stop_task   (AirProxmoxApi  *self,
                                            const char     *node,
                                            const char     *upid,
                                            GError        **error);
int            air_proxmox_api_exec        (AirProxmoxApi  *self,
                                            const char     *node,
                                            guint           vmid,
                                            const char * const *argv,
                                            GBytes         *input,
                                            GBytes        **out,
                                            GBytes        **err,
                                            GError        **error);
gboolean       air_proxmox_api_write_token (AirProxmoxApi  *self,
                                            int             fd);
gboolean       air_proxmox_api_file_write  (AirProxmoxApi  *self,
                                            const char     *node,
                                            guint           vmid,
                                            const char     *file,
                                            const char     *base64,
                                            GError        **error);
char          *air_proxmox_api_file_read   (AirProxmoxApi  *self,
                                            const char     *node,
                                            guint           vmid,
                                            const char     *file,
                                            gboolean       *truncated,
                                            GError        **error);

G_END_DECLS
