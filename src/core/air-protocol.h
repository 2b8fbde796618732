/* air-protocol.h — the JSON messages of the qubesair.* services
 *
 * Every decoder here treats its input as hostile: names are validated, text is
 * length-limited, numbers are range-checked, unknown fields are ignored.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "air-qube.h"
#include "air-types.h"

G_BEGIN_DECLS

#define AIR_PROTOCOL_VERSION     1
#define AIR_PROTOCOL_MAX_QUBES   100000
#define AIR_PROTOCOL_MAX_MEMORY  (1024 * 1024)   /* MiB */
#define AIR_PROTOCOL_MAX_VCPUS   1024
#define AIR_PROTOCOL_MAX_REASON  200
#define AIR_PROTOCOL_MAX_ENDPOINT 255
#define AIR_PROTOCOL_MAX_HOST_KEY 100
#define AIR_PROTOCOL_MAX_ARGV    4096

/* qubesair.Events with this argument begins with the zone's List answer;
 * an older agent ignores it and sends events alone. */
#define AIR_PROTOCOL_EVENTS_LISTED "listed"

typedef struct {
  char         *template_name;
  AirQubeKind   kind;
  AirLabel      label;
  guint         memory;
  guint         vcpus;
  gboolean      network;   /* FALSE: only the qube's own loopback */
  /* qubesair.Create only: the caller reads progress lines before the
   * qube (below); an older agent ignores it and sends the qube alone. */
  gboolean      progress;
} AirQubeSpec;

/* A progress line of a long call (a Proxmox clone):
 * {"progress":PERCENT,"text":TEXT}, PERCENT 0–100 or -1 when not known. */
#define AIR_PROTOCOL_MAX_PROGRESS_TEXT 200

/* qubesair.SetPrefs: what to change; a field left at its zero value (or
 * has_label FALSE) is kept. Memory and vCPUs change only while the qube is
 * halted, as in Qubes; the label at any time. */
typedef struct {
  gboolean      has_label;
  AirLabel      label;
  guint         memory;    /* MiB; 0: keep */
  guint         vcpus;     /* 0: keep */
} AirQubePrefs;

typedef enum {
  AIR_EVENT_QUBE_ADDED,
  AIR_EVENT_QUBE_CHANGED,
  AIR_EVENT_QUBE_REMOVED,
  AIR_EVENT_ZONE_HEALTH,
} AirEventKind;

typedef struct {
  AirEventKind  kind;
  AirQube      *qube;     /* added, changed */
  char         *name;     /* removed */
  AirHealth     health;   /* zone-health */
  char         *reason;
} AirEvent;

typedef struct {
  char         *name;
  char         *driver;
  AirIsolation  isolation;
  char         *acceleration;   /* VMs: "kvm" or "tcg"; "" otherwise */
  char        **templates;
  AirHealth     health;
  char         *health_reason;
  guint         n_qubes;
  guint         n_running;
  guint64       memory_total;   /* MiB */
  guint         vcpus_total;
  /* Optional, from the gateway: how it reaches the zone host. */
  char         *link;           /* "qrexec", "ssh", "wireguard-ssh", "https" or "" */
  char         *endpoint;       /* user@host:port, "" when none */
  char         *host_key;       /* pinned key's "SHA256:…", "" when none */
  gint64        handshake;      /* WireGuard's last, Unix seconds; 0: none */
  /* Whether the zone encrypts its qubes' private volumes: "luks" (each
   * with a key of its own from the vault), "none", or "" when the zone
   * did not say (an older agent). */
  char         *disk_encryption;
} AirZoneInfo;

typedef struct {
  char        **argv;
  char         *user;
} AirRunHeader;

AirQubeSpec  *air_qube_spec_new          (void);
void          air_qube_spec_free         (AirQubeSpec *spec);
AirQubeSpec  *air_qube_spec_parse        (const char  *data,
                                          gsize        len,
                                          GError     **error);
char         *air_qube_spec_to_json      (const AirQubeSpec *spec);

char         *air_progress_to_line       (int          percent,
                                          const char  *text);
gboolean      air_progress_line_matches  (const char  *line,
                                          gsize        len);
gboolean      air_progress_parse         (const char  *line,
                                          gsize        len,
                                          int         *percent,
                                          char       **text,
                                          GError     **error);

/* FALSE with @error when nothing is asked for or a value is out of range. */
gboolean      air_qube_prefs_parse       (const char  *data,
                                          gsize        len,
                                          AirQubePrefs *prefs,
                                          GError     **error);
char         *air_qube_prefs_to_json     (const AirQubePrefs *prefs);

void          air_event_free             (AirEvent    *event);
AirEvent     *air_event_parse            (const char  *line,
                                          gsize        len,
                                          const char  *zone,
                                          GError     **error);
char         *air_event_to_line          (const AirEvent *event);

void          air_zone_info_free         (AirZoneInfo *info);
AirZoneInfo  *air_zone_info_parse        (const char  *data,
                                          gsize        len,
                                          GError     **error);
char         *air_zone_info_to_json      (const AirZoneInfo *info);
gboolean      air_zone_link_is_known     (const char  *link);

void          air_run_header_free        (AirRunHeader *header);
AirRunHeader *air_run_header_parse       (const char  *line,
                                          gsize        len,
                                          GError     **error);
char         *air_run_header_to_line     (const char * const *argv,
                                          const char  *user);

AirQube      *air_protocol_qube_from_object (JsonObject  *object,
                                             const char  *zone,
                                             GError     **error);
void          air_protocol_append_qube   (GString     *out,
                                          AirQube     *qube);
AirQube      *air_protocol_parse_qube    (const char  *data,
                                          gsize        len,
                                          const char  *zone,
                                          GError     **error);
char         *air_protocol_qube_to_json  (AirQube     *qube);
GPtrArray    *air_protocol_parse_list    (const char  *data,
                                          gsize        len,
                                          const char  *zone,
                                          GError     **error);
char         *air_protocol_list_to_json  (const char  *zone,
                                          GPtrArray   *qubes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirQubeSpec, air_qube_spec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirEvent, air_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirZoneInfo, air_zone_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirRunHeader, air_run_header_free)

G_END_DECLS
