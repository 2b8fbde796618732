/* air-dbus-menu-private.h — the exporter's state, shared by air-dbus-menu.c
 * (the object, its D-Bus side and its updates) and air-dbus-menu-items.c
 * (the item tree built from the menu model)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-dbus-menu.h"
#include "air-dbus-menu-skeleton.h"

G_BEGIN_DECLS

/* Items the exporter keeps track of; a bigger menu is cut (hostile zones
 * could otherwise report thousands of qubes). */
#define MAX_ITEMS 4000

typedef struct _AirDBusMenuItem AirDBusMenuItem;

struct _AirDBusMenuItem
{
  int        id;
  gboolean   separator;
  char      *label;
  char      *action;
  GVariant  *target;
  char      *key_attr;
  gboolean   enabled_attr;
  GPtrArray *children;   /* AirDBusMenuItem; NULL unless a submenu (or the root) */
  GVariant  *properties; /* a{sv}, computed once per build */
};

struct _AirDBusMenu
{
  GObject          parent_instance;

  /* Owned references */
  GMenuModel      *model;
  GActionGroup    *actions;
  AirDBusDbusmenu *skeleton;   /* while exported */
  char            *object_path;
  AirDBusMenuItem            *root;
  GHashTable      *items;      /* id → AirDBusMenuItem, borrowed from the tree */
  GHashTable      *ids;        /* item key → id */
  GPtrArray       *watched;    /* GMenuModel followed for items-changed */
  AirDBusMenuPopulateFunc populate;
  gpointer         populate_data;

  guint            rebuild_id;
  guint            revision;
  guint            n_items;
  int              next_id;
  gboolean         stale;      /* the model must be filled before answering */
  gboolean         announced;  /* the panel was told, and has not asked since */
};

void              air_dbus_menu_item_free         (AirDBusMenuItem    *item);
AirDBusMenuItem * air_dbus_menu_item_new          (void);
void              air_dbus_menu_add_items         (AirDBusMenu        *self,
                                                   AirDBusMenuItem    *parent,
                                                   GMenuModel         *model);
void              air_dbus_menu_assign            (AirDBusMenu        *self,
                                                   AirDBusMenuItem    *parent,
                                                   const char         *parent_key,
                                                   GHashTable         *keys);
char *            air_dbus_menu_tree_shape        (AirDBusMenuItem    *root);
GVariant *        air_dbus_menu_filter_properties (GVariant           *properties,
                                                   const char * const *names);
GVariant *        air_dbus_menu_layout_of         (AirDBusMenuItem    *item,
                                                   int                 depth,
                                                   const char * const *names);
void              air_dbus_menu_watch             (AirDBusMenu        *self,
                                                   GMenuModel         *model);

G_END_DECLS
