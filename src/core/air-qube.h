/* air-qube.h — one qube in one zone, as the zone last reported it
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "air-types.h"

G_BEGIN_DECLS

#define AIR_TYPE_QUBE (air_qube_get_type ())

G_DECLARE_FINAL_TYPE (AirQube, air_qube, AIR, QUBE, GObject)

AirQube      *air_qube_new           (const char   *zone,
                                      const char   *name);
AirQube      *air_qube_new_full      (const char   *zone,
                                      const char   *name,
                                      AirQubeState  state,
                                      AirQubeKind   kind,
                                      AirLabel      label,
                                      const char   *template_name,
                                      const char   *ip,
                                      guint         memory,
                                      guint         vcpus,
                                      gint64        started);
const char   *air_qube_get_zone      (AirQube      *self);
const char   *air_qube_get_name      (AirQube      *self);
AirQubeState  air_qube_get_state     (AirQube      *self);
void          air_qube_set_state     (AirQube      *self,
                                      AirQubeState  state);
AirQubeKind   air_qube_get_kind      (AirQube      *self);
void          air_qube_set_kind      (AirQube      *self,
                                      AirQubeKind   kind);
const char   *air_qube_get_template  (AirQube      *self);
void          air_qube_set_template  (AirQube      *self,
                                      const char   *template_name);
AirLabel      air_qube_get_label     (AirQube      *self);
void          air_qube_set_label     (AirQube      *self,
                                      AirLabel      label);
guint         air_qube_get_memory    (AirQube      *self);
void          air_qube_set_memory    (AirQube      *self,
                                      guint         mib);
guint         air_qube_get_vcpus     (AirQube      *self);
void          air_qube_set_vcpus     (AirQube      *self,
                                      guint         vcpus);
gboolean      air_qube_get_network   (AirQube      *self);
void          air_qube_set_network   (AirQube      *self,
                                      gboolean      network);
const char   *air_qube_get_ip        (AirQube      *self);
void          air_qube_set_ip        (AirQube      *self,
                                      const char   *ip);
gint64        air_qube_get_started   (AirQube      *self);
void          air_qube_set_started   (AirQube      *self,
                                      gint64        unix_time);
gboolean      air_qube_is_running    (AirQube      *self);
void          air_qube_update_from   (AirQube      *self,
                                      AirQube      *other);

G_END_DECLS
