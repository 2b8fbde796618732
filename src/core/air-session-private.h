/* air-session-private.h — AirSession's fields, shared by its topic files
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-session.h"

G_BEGIN_DECLS

struct _AirSession
{
  GObject          parent_instance;

  /* Owned references */
  AirZoneRegistry *registry;
  AirInventory    *inventory;
  GListStore      *jobs;
  GListStore      *link_list;  /* AirZoneLink, as the links model */
  GHashTable      *links;      /* zone name → AirZoneLink */
  guint            info_timeout_id;
  gint64           info_due;   /* when info_timeout_id fires */
  guint            apply_id;
  gint64           applied_at;   /* monotonic; when lists last went in */
  GFileMonitor    *registry_monitor;
  guint            reload_id;
  guint            saves_pending;   /* zone list writes not done yet */

  gboolean         loaded;
};

G_END_DECLS
