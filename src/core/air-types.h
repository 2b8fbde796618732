/* air-types.h — enumerations shared by the models and the wire protocol
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  AIR_QUBE_STATE_HALTED,
  AIR_QUBE_STATE_STARTING,
  AIR_QUBE_STATE_RUNNING,
  AIR_QUBE_STATE_HALTING,
  AIR_QUBE_STATE_PAUSED,
  AIR_QUBE_STATE_CRASHED,
  AIR_QUBE_STATE_UNKNOWN,
} AirQubeState;

typedef enum {
  AIR_QUBE_KIND_APP_VM,
  AIR_QUBE_KIND_DISP_VM,
  AIR_QUBE_KIND_TEMPLATE_VM,
  AIR_QUBE_KIND_STANDALONE_VM,
} AirQubeKind;

/* The eight Qubes label colours, in Qubes' order. */
typedef enum {
  AIR_LABEL_RED,
  AIR_LABEL_ORANGE,
  AIR_LABEL_YELLOW,
  AIR_LABEL_GREEN,
  AIR_LABEL_GRAY,
  AIR_LABEL_BLUE,
  AIR_LABEL_PURPLE,
  AIR_LABEL_BLACK,
} AirLabel;

typedef enum {
  AIR_HEALTH_UNKNOWN,
  AIR_HEALTH_UP,
  AIR_HEALTH_DEGRADED,
  AIR_HEALTH_DOWN,
} AirHealth;

typedef enum {
  AIR_ISOLATION_UNKNOWN,
  AIR_ISOLATION_NONE,
  AIR_ISOLATION_NAMESPACES,
  AIR_ISOLATION_VM,
} AirIsolation;

/* Wire names (Qubes' own spelling where Qubes has one). */
const char *air_qube_state_to_string (AirQubeState state);
gboolean    air_qube_state_from_string (const char *text, AirQubeState *out);
const char *air_qube_kind_to_string (AirQubeKind kind);
gboolean    air_qube_kind_from_string (const char *text, AirQubeKind *out);
const char *air_label_to_string (AirLabel label);
gboolean    air_label_from_string (const char *text, AirLabel *out);
const char *air_health_to_string (AirHealth health);
gboolean    air_health_from_string (const char *text, AirHealth *out);
const char *air_isolation_to_string (AirIsolation isolation);
gboolean    air_isolation_from_string (const char *text, AirIsolation *out);

G_END_DECLS
