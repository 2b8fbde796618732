/* air-transport.h — calling a qubesair.* service in another qube
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define AIR_TYPE_TRANSPORT (air_transport_get_type ())

G_DECLARE_FINAL_TYPE (AirTransport, air_transport, AIR, TRANSPORT, GObject)

typedef enum {
  AIR_TRANSPORT_KIND_LOOPBACK,
  AIR_TRANSPORT_KIND_QREXEC,
} AirTransportKind;

/* What a bounded call keeps of a service's stderr. */
#define AIR_TRANSPORT_MAX_ERROR 4096

/* qrexec-client-vm's own exit statuses. */
#define AIR_QREXEC_EXIT_REFUSED   126
#define AIR_QREXEC_EXIT_NO_SERVICE 127
#define AIR_QREXEC_EXIT_FAILED    125

AirTransport     *air_transport_new          (AirTransportKind   kind);
AirTransport     *air_transport_get_default  (void);
AirTransportKind  air_transport_get_kind     (AirTransport      *self);
const char       *air_transport_get_self_name (AirTransport     *self);
gboolean          air_transport_check_argument (const char      *arg,
                                                GError         **error);
void              air_transport_set_large_caller (gboolean       large);
GSubprocess      *air_transport_spawn        (AirTransport      *self,
                                              const char        *target,
                                              const char        *service,
                                              const char        *arg,
                                              GSubprocessFlags   flags,
                                              GError           **error);
void              air_transport_spawn_async  (AirTransport      *self,
                                              const char        *target,
                                              const char        *service,
                                              const char        *arg,
                                              GSubprocessFlags   flags,
                                              GCancellable      *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer           user_data);
GSubprocess      *air_transport_spawn_finish (AirTransport      *self,
                                              GAsyncResult      *result,
                                              GError           **error);
void              air_transport_call_async   (AirTransport      *self,
                                              const char        *target,
                                              const char        *service,
                                              const char        *arg,
                                              GBytes            *input,
                                              gsize              max_output,
                                              GCancellable      *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer           user_data);
/* Offered each whole line of a call's output as it comes, on the
 * caller's main context: TRUE takes it out of the answer (a progress
 * line), FALSE leaves it and the rest to the answer. */
typedef gboolean (*AirTransportLineFunc) (const char *line,
                                          gsize       len,
                                          gpointer    user_data);

void              air_transport_call_lines_async (AirTransport  *self,
                                              const char        *target,
                                              const char        *service,
                                              const char        *arg,
                                              GBytes            *input,
                                              gsize              max_output,
                                              AirTransportLineFunc line_func,
                                              gpointer           line_data,
                                              GCancellable      *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer           user_data);
GBytes           *air_transport_call_finish  (AirTransport      *self,
                                              GAsyncResult      *result,
                                              GError           **error);
GBytes           *air_transport_call_sync    (AirTransport      *self,
                                              const char        *target,
                                              const char        *service,
                                              const char        *arg,
                                              GBytes            *input,
                                              gsize              max_output,
                                              GCancellable      *cancellable,
                                              GError           **error);

G_END_DECLS
