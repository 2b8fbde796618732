/* air-cli-zones.h — asking zones with a time limit, and finding a qube's zone
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "air-zone-registry.h"

G_BEGIN_DECLS

/* Seconds a zone has to answer a listing: the ssh link's own connect
 * timeout plus AIR_CLI_ANSWER_MARGIN for an ssh zone, else the default.
 * QAIR_TIMEOUT (seconds) overrides both. */
#define AIR_CLI_DEFAULT_TIMEOUT 30
#define AIR_CLI_ANSWER_MARGIN   20
/* Actions (start, create, …) may take a qube's boot: this much more. */
#define AIR_CLI_ACTION_EXTRA    90
#define AIR_CLI_MAX_TIMEOUT     3600

typedef void (*AirCliZoneCall) (AirZone             *zone,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);

/* One zone's answer: @result is always set once air_cli_ask_zones()
 * returns; @timed_out says the zone was cut off at @limit seconds (its
 * result then holds a cancellation error). */
typedef struct {
  AirZone      *zone;
  GAsyncResult *result;
  GCancellable *cancellable;
  GSource      *timer;
  guint         limit;
  gboolean      timed_out;
} AirCliAnswer;

gboolean   air_cli_qubes_have       (GPtrArray           *qubes,
                                     const char          *name);
void       air_cli_list_call        (AirZone             *zone,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
guint      air_cli_zone_time_limit  (AirZoneRegistry  *registry,
                                     AirZone          *zone);
GPtrArray *air_cli_ask_zones        (AirZoneRegistry  *registry,
                                     GPtrArray        *zones,
                                     gboolean          action,
                                     AirCliZoneCall    call);
void       air_cli_answer_fix_error (AirCliAnswer     *answer,
                                     GError          **error);
GPtrArray *air_cli_list_answers     (AirCliAnswer     *answer,
                                     GError          **error);
GPtrArray *air_cli_all_zones        (AirZoneRegistry  *registry);

AirZone   *air_cli_find_qube        (AirZoneRegistry  *registry,
                                     const char       *arg,
                                     const char       *zone_name,
                                     char            **name,
                                     GError          **error);
AirZone   *air_cli_find_zone        (AirZoneRegistry  *registry,
                                     const char       *name,
                                     GError          **error);
void       air_cli_report_down      (AirZone          *zone,
                                     const GError     *error);

/* Where each WireGuard zone's key is: "vault", "not-in-vault" (a zone
 * made before the vault kept them: its key is in a file of its gateway),
 * or "unknown" when the vault did not answer. Zones without a tunnel are
 * not in the table. */
GHashTable *air_cli_wireguard_key_places (AirZoneRegistry *registry,
                                          GPtrArray       *zones);
void        air_cli_print_key_notes      (GHashTable      *places);
char       *air_cli_vault_wireguard_key  (const char      *zone,
                                          const char      *gateway,
                                          GError         **error);

G_END_DECLS
