/* air-dbus-menu.c
 *
 * The tray's menu travels to the panel as com.canonical.dbusmenu: a tree of
 * items with integer ids, each a dictionary of properties, fetched with
 * GetLayout and clicked with Event. The menu itself is an ordinary
 * GMenuModel naming actions (as GTK menus do), so this file only translates:
 * sections become separators, submenus children, and a click activates the
 * item's action in the given action group.
 *
 * Ids stay the same while an item stays (a panel may hold an id between
 * GetLayout and the click): they are kept per item key. When only labels or
 * enabled states changed the panel is told with ItemsPropertiesUpdated; when
 * items came or went, with LayoutUpdated and a new revision. Changes are
 * gathered for one main loop turn, so a burst of events is one signal.
 *
 * A menu with a populate function is filled only when a panel asks
 * (GetLayout, AboutToShow, a click): air_dbus_menu_invalidate() costs one
 * LayoutUpdated, sent once until the panel asks again, and nothing at all
 * while no panel looks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-dbus-menu"

#include "config.h"

#include <string.h>

#include "air-dbus-menu.h"
#include "air-dbus-menu-private.h"
#include "air-dbus-menu-skeleton.h"

G_DEFINE_FINAL_TYPE (AirDBusMenu, air_dbus_menu, G_TYPE_OBJECT)

static void rebuild (AirDBusMenu *self);

static void
items_changed_cb (GMenuModel  *model,
                  int          position,
                  int          removed,
                  int          added,
                  AirDBusMenu *self);

static void
unwatch_all (AirDBusMenu *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, i), items_changed_cb, self);
  g_ptr_array_set_size (self->watched, 0);
}

void
air_dbus_menu_watch (AirDBusMenu *self,
                     GMenuModel  *model)
{
  if (g_ptr_array_find (self->watched, model, NULL))
    return;
  g_ptr_array_add (self->watched, g_object_ref (model));
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), self);
}

/* Tells the panel what changed between @old_items and the new tree. */
static void
announce (AirDBusMenu *self,
          GHashTable  *old_items,
          gboolean     same_shape)
{
  GVariantBuilder updated, removed;
  GHashTableIter iter;
  gpointer key, value;
  gboolean any = FALSE;

  if (!same_shape)
    {
      self->revision++;
      if (self->skeleton != NULL)
        air_dbus_dbusmenu_emit_layout_updated (self->skeleton, self->revision, 0);
      return;
    }

  g_variant_builder_init (&updated, G_VARIANT_TYPE ("a(ia{sv})"));
  g_variant_builder_init (&removed, G_VARIANT_TYPE ("a(ias)"));

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      AirDBusMenuItem *item = value;
      AirDBusMenuItem *old = g_hash_table_lookup (old_items, key);
      GVariantBuilder gone;
      GVariantIter props;
      const char *name;
      GVariant *prop;
      gboolean any_gone = FALSE;

      if (old != NULL && g_variant_equal (old->properties, item->properties))
        continue;

      any = TRUE;
      g_variant_builder_add (&updated, "(i@a{sv})", item->id, item->properties);

      if (old == NULL)
        continue;
      g_variant_builder_init (&gone, G_VARIANT_TYPE_STRING_ARRAY);
      g_variant_iter_init (&props, old->properties);
      while (g_variant_iter_next (&props, "{&sv}", &name, &prop))
        {
          g_autoptr(GVariant) still = g_variant_lookup_value (item->properties, name, NULL);

          if (still == NULL)
            {
              g_variant_builder_add (&gone, "s", name);
              any_gone = TRUE;
            }
          g_variant_unref (prop);
        }
      if (any_gone)
        g_variant_builder_add (&removed, "(i@as)", item->id, g_variant_builder_end (&gone));
      else
        g_variant_builder_clear (&gone);
    }

  if (any && self->skeleton != NULL)
    air_dbus_dbusmenu_emit_items_properties_updated (self->skeleton, g_variant_builder_end (&updated),
                                                     g_variant_builder_end (&removed));
  else
    {
      g_variant_builder_clear (&updated);
      g_variant_builder_clear (&removed);
    }
}

static void
rebuild_full (AirDBusMenu *self,
              gboolean     quiet)
{
  g_autoptr(GHashTable) old_items = NULL;
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *old_shape = NULL;
  g_autofree char *new_shape = NULL;
  AirDBusMenuItem *old_root;
  GHashTableIter iter;
  gpointer key;

  g_clear_handle_id (&self->rebuild_id, g_source_remove);

  old_root = g_steal_pointer (&self->root);
  old_shape = air_dbus_menu_tree_shape (old_root);
  old_items = g_steal_pointer (&self->items);
  self->items = g_hash_table_new (NULL, NULL);

  unwatch_all (self);
  self->n_items = 0;
  self->root = air_dbus_menu_item_new ();
  self->root->children = g_ptr_array_new_with_free_func ((GDestroyNotify) air_dbus_menu_item_free);
  if (self->model != NULL)
    air_dbus_menu_add_items (self, self->root, self->model);
  air_dbus_menu_assign (self, self->root, "", keys);
  self->root->properties = g_variant_ref_sink (g_variant_new_parsed ("{'children-display': <'submenu'>}"));
  g_hash_table_insert (self->items, GINT_TO_POINTER (0), self->root);

  /* Forget the ids of items that are gone: the table stays the size of the
   * menu. */
  g_hash_table_iter_init (&iter, self->ids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (keys, key))
      g_hash_table_iter_remove (&iter);

  new_shape = air_dbus_menu_tree_shape (self->root);
  if (old_root != NULL && quiet)
    {
      /* Asked for: the answer is the news; a new shape, a new revision. */
      if (!g_str_equal (old_shape, new_shape))
        self->revision++;
    }
  else if (old_root != NULL)
    announce (self, old_items, g_str_equal (old_shape, new_shape));

  if (old_root != NULL)
    air_dbus_menu_item_free (old_root);
}

static void
rebuild (AirDBusMenu *self)
{
  rebuild_full (self, FALSE);
}

static gboolean
rebuild_cb (gpointer user_data)
{
  AirDBusMenu *self = user_data;

  self->rebuild_id = 0;
  rebuild (self);
  return G_SOURCE_REMOVE;
}

static void
queue_rebuild (AirDBusMenu *self)
{
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add (rebuild_cb, self);
}

static void
items_changed_cb (GMenuModel  *model,
                  int          position,
                  int          removed,
                  int          added,
                  AirDBusMenu *self)
{
  queue_rebuild (self);
}

static void
action_changed_cb (AirDBusMenu *self)
{
  queue_rebuild (self);
}

/* Answers come from the current menu. Returns TRUE if it had to be
 * filled first. */
static gboolean
ensure_current (AirDBusMenu *self)
{
  if (self->stale && self->populate != NULL)
    {
      self->stale = FALSE;
      self->announced = FALSE;
      self->populate (self->populate_data);
      rebuild_full (self, TRUE);
      return TRUE;
    }
  if (self->rebuild_id != 0 || self->root == NULL)
    rebuild (self);
  return FALSE;
}

/* Activates a clicked item's action. Returns FALSE for an unknown id. */
static gboolean
activate_item (AirDBusMenu *self,
               int          id,
               const char  *event_id)
{
  AirDBusMenuItem *item = g_hash_table_lookup (self->items, GINT_TO_POINTER (id));
  g_autofree char *action = NULL;
  g_autoptr(GVariant) target = NULL;
  g_autoptr(GVariant) enabled = NULL;

  if (item == NULL)
    return FALSE;
  if (g_strcmp0 (event_id, "clicked") != 0 || item->action == NULL || self->actions == NULL)
    return TRUE;

  /* A panel may click what it showed disabled: the menu decides. */
  enabled = g_variant_lookup_value (item->properties, "enabled", G_VARIANT_TYPE_BOOLEAN);
  if (enabled != NULL && !g_variant_get_boolean (enabled))
    return TRUE;

  /* The action may change the menu, and with it free the item. */
  action = g_strdup (item->action);
  target = item->target ? g_variant_ref (item->target) : NULL;
  g_action_group_activate_action (self->actions, action, target);
  return TRUE;
}

/* The panel's calls, each answered from the current menu. */

static gboolean
no_item (GDBusMethodInvocation *invocation,
         int                    id)
{
  g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                         "No menu item with id %d", id);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_layout (AirDBusDbusmenu       *skeleton,
                   GDBusMethodInvocation *invocation,
                   int                    parent_id,
                   int                    depth,
                   const char * const    *names,
                   AirDBusMenu           *self)
{
  AirDBusMenuItem *parent;

  ensure_current (self);
  parent = g_hash_table_lookup (self->items, GINT_TO_POINTER (parent_id));
  if (parent == NULL)
    return no_item (invocation, parent_id);
  air_dbus_dbusmenu_complete_get_layout (skeleton, invocation, self->revision, air_dbus_menu_layout_of (parent, depth, names));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_group_properties (AirDBusDbusmenu       *skeleton,
                             GDBusMethodInvocation *invocation,
                             GVariant              *ids,
                             const char * const    *names,
                             AirDBusMenu           *self)
{
  GVariantBuilder builder;
  GVariantIter iter;
  int id;

  ensure_current (self);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ia{sv})"));
  g_variant_iter_init (&iter, ids);
  while (g_variant_iter_next (&iter, "i", &id))
    {
      AirDBusMenuItem *item = g_hash_table_lookup (self->items, GINT_TO_POINTER (id));

      if (item != NULL)
        g_variant_builder_add (&builder, "(i@a{sv})", id, air_dbus_menu_filter_properties (item->properties, names));
    }
  air_dbus_dbusmenu_complete_get_group_properties (skeleton, invocation, g_variant_builder_end (&builder));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_property (AirDBusDbusmenu       *skeleton,
                     GDBusMethodInvocation *invocation,
                     int                    id,
                     const char            *name,
                     AirDBusMenu           *self)
{
  g_autoptr(GVariant) value = NULL;
  AirDBusMenuItem *item;

  ensure_current (self);
  item = g_hash_table_lookup (self->items, GINT_TO_POINTER (id));
  if (item != NULL)
    value = g_variant_lookup_value (item->properties, name, NULL);
  if (value == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No property %s on menu item %d", name, id);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  air_dbus_dbusmenu_complete_get_property (skeleton, invocation, g_variant_new_variant (value));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_event (AirDBusDbusmenu       *skeleton,
              GDBusMethodInvocation *invocation,
              int                    id,
              const char            *event_id,
              GVariant              *data,
              guint                  timestamp,
              AirDBusMenu           *self)
{
  g_autoptr(AirDBusMenu) keep = g_object_ref (self);
  g_autofree char *kind = g_strdup (event_id);

  ensure_current (self);
  if (!g_hash_table_contains (self->items, GINT_TO_POINTER (id)))
    return no_item (invocation, id);
  /* Answer first: the action may quit the application. */
  air_dbus_dbusmenu_complete_event (skeleton, invocation);
  activate_item (self, id, kind);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_event_group (AirDBusDbusmenu       *skeleton,
                    GDBusMethodInvocation *invocation,
                    GVariant              *events,
                    AirDBusMenu           *self)
{
  g_autoptr(AirDBusMenu) keep = g_object_ref (self);
  g_autoptr(GArray) known = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GPtrArray) kinds = g_ptr_array_new_with_free_func (g_free);
  GVariantBuilder errors;
  GVariantIter iter;
  const char *event_id;
  GVariant *data;
  guint32 timestamp;
  int id;
  guint n = 0;

  ensure_current (self);
  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  g_variant_iter_init (&iter, events);
  while (g_variant_iter_next (&iter, "(i&svu)", &id, &event_id, &data, &timestamp))
    {
      n++;
      if (g_hash_table_contains (self->items, GINT_TO_POINTER (id)))
        {
          g_array_append_val (known, id);
          g_ptr_array_add (kinds, g_strdup (event_id));
        }
      else
        g_variant_builder_add (&errors, "i", id);
      g_variant_unref (data);
    }

  if (n > 0 && known->len == 0)
    {
      g_variant_builder_clear (&errors);
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No menu item with these ids");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  air_dbus_dbusmenu_complete_event_group (skeleton, invocation, g_variant_builder_end (&errors));
  for (guint i = 0; i < known->len; i++)
    activate_item (self, g_array_index (known, int, i), g_ptr_array_index (kinds, i));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_about_to_show (AirDBusDbusmenu       *skeleton,
                      GDBusMethodInvocation *invocation,
                      int                    id,
                      AirDBusMenu           *self)
{
  /* Filled just now: the panel fetches the layout again. */
  air_dbus_dbusmenu_complete_about_to_show (skeleton, invocation, ensure_current (self));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_about_to_show_group (AirDBusDbusmenu       *skeleton,
                            GDBusMethodInvocation *invocation,
                            GVariant              *ids,
                            AirDBusMenu           *self)
{
  GVariantBuilder errors;
  GVariantIter iter;
  int id;

  ensure_current (self);
  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  g_variant_iter_init (&iter, ids);
  while (g_variant_iter_next (&iter, "i", &id))
    if (!g_hash_table_contains (self->items, GINT_TO_POINTER (id)))
      g_variant_builder_add (&errors, "i", id);
  air_dbus_dbusmenu_complete_about_to_show_group (skeleton, invocation,
                                                  g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0),
                                                  g_variant_builder_end (&errors));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
air_dbus_menu_dispose (GObject *object)
{
  AirDBusMenu *self = (AirDBusMenu *)object;

  air_dbus_menu_unexport (self);
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  if (self->watched != NULL)
    unwatch_all (self);
  if (self->actions != NULL)
    g_signal_handlers_disconnect_by_data (self->actions, self);
  g_clear_object (&self->actions);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (air_dbus_menu_parent_class)->dispose (object);
}

static void
air_dbus_menu_finalize (GObject *object)
{
  AirDBusMenu *self = (AirDBusMenu *)object;

  g_clear_pointer (&self->root, air_dbus_menu_item_free);
  g_clear_pointer (&self->items, g_hash_table_unref);
  g_clear_pointer (&self->ids, g_hash_table_unref);
  g_clear_pointer (&self->watched, g_ptr_array_unref);

  G_OBJECT_CLASS (air_dbus_menu_parent_class)->finalize (object);
}

static void
air_dbus_menu_class_init (AirDBusMenuClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = air_dbus_menu_dispose;
  object_class->finalize = air_dbus_menu_finalize;
}

static void
air_dbus_menu_init (AirDBusMenu *self)
{
  self->items = g_hash_table_new (NULL, NULL);
  self->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * air_dbus_menu_new:
 * @model: the menu; its items name actions of @actions (without prefix)
 * @actions: what clicking an item activates
 */
AirDBusMenu *
air_dbus_menu_new (GMenuModel   *model,
                   GActionGroup *actions)
{
  AirDBusMenu *self;

  g_return_val_if_fail (G_IS_MENU_MODEL (model), NULL);
  g_return_val_if_fail (G_IS_ACTION_GROUP (actions), NULL);

  self = g_object_new (AIR_TYPE_DBUS_MENU, NULL);
  self->model = g_object_ref (model);
  self->actions = g_object_ref (actions);
  g_signal_connect_swapped (actions, "action-added", G_CALLBACK (action_changed_cb), self);
  g_signal_connect_swapped (actions, "action-removed", G_CALLBACK (action_changed_cb), self);
  g_signal_connect_swapped (actions, "action-enabled-changed", G_CALLBACK (action_changed_cb), self);
  rebuild (self);
  return self;
}

gboolean
air_dbus_menu_export (AirDBusMenu      *self,
                      GDBusConnection  *connection,
                      const char       *object_path,
                      GError          **error)
{
  static const char * const no_paths[] = { NULL };
  g_autoptr(AirDBusDbusmenu) skeleton = NULL;

  g_return_val_if_fail (AIR_IS_DBUS_MENU (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (g_variant_is_object_path (object_path), FALSE);
  g_return_val_if_fail (self->skeleton == NULL, FALSE);

  skeleton = air_dbus_dbusmenu_skeleton_new ();
  air_dbus_dbusmenu_set_version (skeleton, 3);
  air_dbus_dbusmenu_set_text_direction (skeleton, "ltr");
  air_dbus_dbusmenu_set_status (skeleton, "normal");
  air_dbus_dbusmenu_set_icon_theme_path (skeleton, no_paths);
  g_signal_connect_object (skeleton, "handle-get-layout", G_CALLBACK (handle_get_layout), self, 0);
  g_signal_connect_object (skeleton, "handle-get-group-properties",
                           G_CALLBACK (handle_get_group_properties), self, 0);
  g_signal_connect_object (skeleton, "handle-get-property", G_CALLBACK (handle_get_property), self, 0);
  g_signal_connect_object (skeleton, "handle-event", G_CALLBACK (handle_event), self, 0);
  g_signal_connect_object (skeleton, "handle-event-group", G_CALLBACK (handle_event_group), self, 0);
  g_signal_connect_object (skeleton, "handle-about-to-show", G_CALLBACK (handle_about_to_show), self, 0);
  g_signal_connect_object (skeleton, "handle-about-to-show-group",
                           G_CALLBACK (handle_about_to_show_group), self, 0);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (skeleton), connection, object_path, error))
    return FALSE;

  self->skeleton = g_steal_pointer (&skeleton);
  self->object_path = g_strdup (object_path);
  return TRUE;
}

void
air_dbus_menu_unexport (AirDBusMenu *self)
{
  g_return_if_fail (AIR_IS_DBUS_MENU (self));

  if (self->skeleton != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
  g_clear_object (&self->skeleton);
  g_clear_pointer (&self->object_path, g_free);
}

/**
 * air_dbus_menu_set_populate_func:
 * @func: fills the model; called before a panel's request is answered,
 *   once after each air_dbus_menu_invalidate()
 *
 * Makes the menu lazy: the model's owner keeps it empty or out of date,
 * and says so with air_dbus_menu_invalidate().
 */
void
air_dbus_menu_set_populate_func (AirDBusMenu             *self,
                                 AirDBusMenuPopulateFunc  func,
                                 gpointer                 user_data)
{
  g_return_if_fail (AIR_IS_DBUS_MENU (self));

  self->populate = func;
  self->populate_data = user_data;
  self->stale = func != NULL;
}

/* What the model would show has changed: the panel is told (once until it
 * asks again), and the model is filled when it does. */
void
air_dbus_menu_invalidate (AirDBusMenu *self)
{
  g_return_if_fail (AIR_IS_DBUS_MENU (self));

  self->stale = TRUE;
  if (self->announced || self->skeleton == NULL)
    return;
  self->announced = TRUE;
  self->revision++;
  air_dbus_dbusmenu_emit_layout_updated (self->skeleton, self->revision, 0);
}

const char *
air_dbus_menu_get_object_path (AirDBusMenu *self)
{
  g_return_val_if_fail (AIR_IS_DBUS_MENU (self), NULL);
  return self->object_path;
}

guint
air_dbus_menu_get_revision (AirDBusMenu *self)
{
  g_return_val_if_fail (AIR_IS_DBUS_MENU (self), 0);
  return self->revision;
}
