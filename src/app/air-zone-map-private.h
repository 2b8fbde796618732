/* air-zone-map-private.h — shared by the zone map's topic files:
 * air-zone-map.c (the object, its session and refresh), -layout.c,
 * -draw.c, -describe.c and -input.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-zone-map.h"
#include "air-zone-map-part.h"

G_BEGIN_DECLS


#define MGMT_WIDTH      170.0   /* "Management qube" in bold, unclipped */
#define MGMT_HEIGHT      50.0
#define VAULT_HEIGHT     58.0
#define VAULT_GAP        26.0
#define LEFT_COLUMN     (PADDING + MGMT_WIDTH + 60.0)
#define CARD_MIN_WIDTH  130.0   /* one-line cards */
#define FULL_MIN_WIDTH  200.0   /* cards that draw the whole chain */
#define FULL_HEADER      80.0   /* gateway, link, host and counts rows */
#define FULL_MIN_HEIGHT (FULL_HEADER + DOT_MIN + 4)   /* and one row of small dots */
#define LINE_HEIGHT      18.0   /* a one-line card's header */
#define MARK_SIZE        10.0
#define DOT_MAX          16.0
#define DOT_MIN           7.0
#define PADDING          10.0
#define TOP_MARGIN       20.0   /* room for the links above the first row */
#define STRIP_HEIGHT     20.0   /* the focused part's details, at the bottom */
#define N_STATES          7
#define NOTE_HEIGHT      18.0   /* a full card's warning line under its counts */

/* Where a WireGuard zone's private key is, from the vault's list. */
typedef enum {
  KEY_PLACE_NONE,           /* no WireGuard, in the vault, or not asked yet */
  KEY_PLACE_NOT_IN_VAULT,   /* a file of its gateway holds it: qair zone rekey */
  KEY_PLACE_UNKNOWN,        /* the vault did not answer */
} KeyPlace;

typedef struct {
  AirZone         *zone;     /* borrowed from the registry */
  GPtrArray       *qubes;    /* borrowed AirQube */
  guint            n_running;
  guint            by_label[8];
  guint            by_state[N_STATES];
  graphene_rect_t  box;
  graphene_rect_t  parts[AIR_ZONE_MAP_N_PARTS];
  graphene_rect_t  dots;     /* where the qubes go */
  gboolean         full;     /* the whole chain, or one line */
  double           dot;      /* 0: summarised */
  guint            columns;
  guint            lane;     /* its column: which line of the gap its link takes */
  KeyPlace         key_place;
  graphene_rect_t  note;     /* the warning line, when the card has one */
} ZoneView;

struct _AirZoneMap
{
  GtkWidget    parent_instance;

  /* Owned references */
  AirSession  *session;
  GPtrArray   *links;        /* AirZoneLink whose signals reach the map */
  GArray      *views;        /* ZoneView */
  GPtrArray   *parts;        /* AirZoneMapPart, unparented on dispose */
  char        *selected_zone;
  AirQube     *selected_qube;
  AirQube     *drop_qube;    /* the dot a drag of files is over */

  guint        focus;        /* index into views */
  gboolean     dirty;
  gboolean     dragging;     /* files are being dragged over the map */
  int          laid_out_w;
  int          laid_out_h;
  guint        refresh_id;
  double       text_scale;   /* smaller text on one-line cards */

  /* The vault's list (metadata only), for where WireGuard keys are */
  GHashTable  *key_places;   /* zone name → KeyPlace (GINT_TO_POINTER) */
  GCancellable *vault_cancellable;
  gboolean     vault_asking;
  gboolean     vault_again;  /* asked for while a list was on its way */
  guint        vault_timer_id;
};

static inline gboolean
_air_zone_view_is_down (ZoneView *view)
{
  return air_zone_get_health (view->zone) == AIR_HEALTH_DOWN;
}

/* air-zone-map.c */
void            _air_zone_map_rebuild              (AirZoneMap      *self);
void            _air_zone_map_invalidate           (AirZoneMap      *self);
void            _air_zone_map_emit_zone_activated  (AirZoneMap      *self,
                                                    const char      *zone);
void            _air_zone_map_emit_qube_activated  (AirZoneMap      *self,
                                                    AirQube         *qube);

/* air-zone-map-layout.c */
void            _air_zone_map_layout               (AirZoneMap      *self);
void            _air_zone_map_gateway_point        (ZoneView        *view,
                                                    double          *x,
                                                    double          *y);
void            _air_zone_map_dot_center           (ZoneView        *view,
                                                    guint            index,
                                                    double          *x,
                                                    double          *y);
ZoneView       *_air_zone_map_zone_at              (AirZoneMap      *self,
                                                    double           x,
                                                    double           y,
                                                    guint           *index);
AirQube        *_air_zone_map_qube_at              (ZoneView        *view,
                                                    double           x,
                                                    double           y);
void            _air_zone_map_measure              (GtkWidget       *widget,
                                                    GtkOrientation   orientation,
                                                    int              for_size,
                                                    int             *minimum,
                                                    int             *natural,
                                                    int             *minimum_baseline,
                                                    int             *natural_baseline);
void            _air_zone_map_size_allocate        (GtkWidget       *widget,
                                                    int              width,
                                                    int              height,
                                                    int              baseline);

/* air-zone-map-draw.c */
void            _air_zone_map_snapshot             (GtkWidget       *widget,
                                                    GtkSnapshot     *snapshot);

/* air-zone-map-describe.c */
char           *_air_zone_map_summary_states       (ZoneView        *view);
char           *_air_zone_map_summary_labels       (ZoneView        *view);
const char     *_air_zone_map_link_display_name    (const char      *link);
char           *_air_zone_map_link_short           (ZoneView        *view);
char           *_air_zone_map_link_summary         (ZoneView        *view);
char           *_air_zone_map_describe_zone        (AirZoneMap      *self,
                                                    ZoneView        *view);
void            _air_zone_map_update_part_texts    (AirZoneMap      *self);
void            _air_zone_map_update_accessible    (AirZoneMap      *self);

/* air-zone-map-vault.c */
void            _air_zone_map_ask_vault            (AirZoneMap      *self);
void            _air_zone_map_stop_vault           (AirZoneMap      *self);
char           *_air_zone_map_describe_key_place   (ZoneView        *view);

/* air-zone-map-input.c */
AirZoneMapPart *_air_zone_map_focused_part         (AirZoneMap      *self);
void            _air_zone_map_init_input           (AirZoneMap      *self);

G_END_DECLS
