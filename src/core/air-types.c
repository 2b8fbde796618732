/* air-types.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "air-types.h"

static const char * const state_names[] = {
  "Halted", "Transient", "Running", "Halting", "Paused", "Crashed", "NA",
};
static const char * const kind_names[] = {
  "AppVM", "DispVM", "TemplateVM", "StandaloneVM",
};
static const char * const label_names[] = {
  "red", "orange", "yellow", "green", "gray", "blue", "purple", "black",
};
static const char * const health_names[] = {
  "unknown", "up", "degraded", "down",
};
static const char * const isolation_names[] = {
  "unknown", "none", "namespaces", "vm",
};

static gboolean
lookup (const char * const *names,
        guint               n_names,
        const char         *text,
        guint              *out)
{
  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    if (strcmp (names[i], text) == 0)
      {
        *out = i;
        return TRUE;
      }

  return FALSE;
}

#define DEFINE_ENUM_STRINGS(Type, prefix, names)                              \
  const char *                                                                \
  prefix##_to_string (Type value)                                             \
  {                                                                           \
    if ((guint) value >= G_N_ELEMENTS (names))                                \
      return names[0];                                                        \
    return names[value];                                                      \
  }                                                                           \
  gboolean                                                                    \
  prefix##_from_string (const char *text, Type *out)                          \
  {                                                                           \
    guint index;                                                              \
    if (!lookup (names, G_N_ELEMENTS (names), text, &index))                  \
      return FALSE;                                                           \
    *out = (Type) index;                                                      \
    return TRUE;                                                              \
  }

DEFINE_ENUM_STRINGS (AirQubeState, air_qube_state, state_names)
DEFINE_ENUM_STRINGS (AirQubeKind, air_qube_kind, kind_names)
DEFINE_ENUM_STRINGS (AirLabel, air_label, label_names)
DEFINE_ENUM_STRINGS (AirHealth, air_health, health_names)
DEFINE_ENUM_STRINGS (AirIsolation, air_isolation, isolation_names)
