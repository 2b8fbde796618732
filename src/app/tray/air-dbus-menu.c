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

#define DBUS_MENU_INTERFACE "com.canonical.dbusmenu"
/* Items the exporter keeps track of; a bigger menu is cut (hostile zones
 * could otherwise report thousands of qubes). */
#define MAX_ITEMS 4000

static const char introspection_xml[] =
  "<node>"
  "  <interface name='com.canonical.dbusmenu'>"
  "    <property name='Version' type='u' access='read'/>"
  "    <property name='TextDirection' type='s' access='read'/>"
  "    <property name='Status' type='s' access='read'/>"
  "    <property name='IconThemePath' type='as' access='read'/>"
  "    <method name='GetLayout'>"
  "      <arg type='i' name='parentId' direction='in'/>"
  "      <arg type='i' name='recursionDepth' direction='in'/>"
  "      <arg type='as' name='propertyNames' direction='in'/>"
  "      <arg type='u' name='revision' direction='out'/>"
  "      <arg type='(ia{sv}av)' name='layout' direction='out'/>"
  "    </method>"
  "    <method name='GetGroupProperties'>"
  "      <arg type='ai' name='ids' direction='in'/>"
  "      <arg type='as' name='propertyNames' direction='in'/>"
  "      <arg type='a(ia{sv})' name='properties' direction='out'/>"
  "    </method>"
  "    <method name='GetProperty'>"
  "      <arg type='i' name='id' direction='in'/>"
  "      <arg type='s' name='name' direction='in'/>"
  "      <arg type='v' name='value' direction='out'/>"
  "    </method>"
  "    <method name='Event'>"
  "      <arg type='i' name='id' direction='in'/>"
  "      <arg type='s' name='eventId' direction='in'/>"
  "      <arg type='v' name='data' direction='in'/>"
  "      <arg type='u' name='timestamp' direction='in'/>"
  "    </method>"
  "    <method name='EventGroup'>"
  "      <arg type='a(isvu)' name='events' direction='in'/>"
  "      <arg type='ai' name='idErrors' direction='out'/>"
  "    </method>"
  "    <method name='AboutToShow'>"
  "      <arg type='i' name='id' direction='in'/>"
  "      <arg type='b' name='needUpdate' direction='out'/>"
  "    </method>"
  "    <method name='AboutToShowGroup'>"
  "      <arg type='ai' name='ids' direction='in'/>"
  "      <arg type='ai' name='updatesNeeded' direction='out'/>"
  "      <arg type='ai' name='idErrors' direction='out'/>"
  "    </method>"
  "    <signal name='ItemsPropertiesUpdated'>"
  "      <arg type='a(ia{sv})' name='updatedProps'/>"
  "      <arg type='a(ias)' name='removedProps'/>"
  "    </signal>"
  "    <signal name='LayoutUpdated'>"
  "      <arg type='u' name='revision'/>"
  "      <arg type='i' name='parent'/>"
  "    </signal>"
  "    <signal name='ItemActivationRequested'>"
  "      <arg type='i' name='id'/>"
  "      <arg type='u' name='timestamp'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

typedef struct _Item Item;

struct _Item
{
  int        id;
  gboolean   separator;
  char      *label;
  char      *action;
  GVariant  *target;
  char      *key_attr;
  gboolean   enabled_attr;
  GPtrArray *children;   /* Item; NULL unless a submenu (or the root) */
  GVariant  *properties; /* a{sv}, computed once per build */
};

struct _AirDBusMenu
{
  GObject          parent_instance;

  /* Owned references */
  GMenuModel      *model;
  GActionGroup    *actions;
  GDBusConnection *connection;
  char            *object_path;
  Item            *root;
  GHashTable      *items;      /* id → Item, borrowed from the tree */
  GHashTable      *ids;        /* item key → id */
  GPtrArray       *watched;    /* GMenuModel followed for items-changed */
  AirDBusMenuPopulateFunc populate;
  gpointer         populate_data;

  guint            registration_id;
  guint            rebuild_id;
  guint            revision;
  guint            n_items;
  int              next_id;
  gboolean         stale;      /* the model must be filled before answering */
  gboolean         announced;  /* the panel was told, and has not asked since */
};

G_DEFINE_FINAL_TYPE (AirDBusMenu, air_dbus_menu, G_TYPE_OBJECT)

static GDBusNodeInfo *introspection_data;

static void rebuild (AirDBusMenu *self);

static void
item_free (Item *item)
{
  g_free (item->label);
  g_free (item->action);
  g_clear_pointer (&item->target, g_variant_unref);
  g_free (item->key_attr);
  g_clear_pointer (&item->children, g_ptr_array_unref);
  g_clear_pointer (&item->properties, g_variant_unref);
  g_free (item);
}

static Item *
item_new (void)
{
  Item *item = g_new0 (Item, 1);

  item->enabled_attr = TRUE;
  return item;
}

static Item *
separator_new (void)
{
  Item *item = item_new ();

  item->separator = TRUE;
  return item;
}

/* dbusmenu labels use "_" for mnemonics: names from a zone carry none. */
static char *
escape_mnemonics (const char *label)
{
  GString *out = g_string_sized_new (strlen (label) + 4);

  for (const char *p = label; *p != '\0'; p++)
    {
      if (*p == '_')
        g_string_append_c (out, '_');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static GVariant *
item_compute_properties (AirDBusMenu *self,
                         Item        *item)
{
  GVariantBuilder builder;
  gboolean enabled;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);

  if (item->separator)
    {
      g_variant_builder_add (&builder, "{sv}", "type", g_variant_new_string ("separator"));
      return g_variant_ref_sink (g_variant_builder_end (&builder));
    }

  if (item->label != NULL)
    {
      g_autofree char *label = escape_mnemonics (item->label);

      g_variant_builder_add (&builder, "{sv}", "label", g_variant_new_string (label));
    }

  if (item->children != NULL)
    {
      g_variant_builder_add (&builder, "{sv}", "children-display", g_variant_new_string ("submenu"));
      enabled = item->enabled_attr;
    }
  else if (item->action != NULL && self->actions != NULL)
    enabled = item->enabled_attr &&
              g_action_group_has_action (self->actions, item->action) &&
              g_action_group_get_action_enabled (self->actions, item->action);
  else
    enabled = FALSE;   /* a line of information */

  g_variant_builder_add (&builder, "{sv}", "enabled", g_variant_new_boolean (enabled));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

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

static void
watch (AirDBusMenu *self,
       GMenuModel  *model)
{
  if (g_ptr_array_find (self->watched, model, NULL))
    return;
  g_ptr_array_add (self->watched, g_object_ref (model));
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), self);
}

/* Appends the items of @model to @parent; sections are set apart by
 * separators, tidied afterwards. */
static void
add_items (AirDBusMenu *self,
           Item        *parent,
           GMenuModel  *model)
{
  int n = g_menu_model_get_n_items (model);

  watch (self, model);

  for (int i = 0; i < n && self->n_items < MAX_ITEMS; i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      g_autoptr(GMenuModel) submenu = NULL;
      Item *item;

      if (section != NULL)
        {
          g_ptr_array_add (parent->children, separator_new ());
          add_items (self, parent, section);
          g_ptr_array_add (parent->children, separator_new ());
          continue;
        }

      item = item_new ();
      self->n_items++;
      g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &item->label);
      g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &item->action);
      g_menu_model_get_item_attribute (model, i, AIR_DBUS_MENU_ATTRIBUTE_KEY, "s", &item->key_attr);
      g_menu_model_get_item_attribute (model, i, AIR_DBUS_MENU_ATTRIBUTE_ENABLED, "b", &item->enabled_attr);
      item->target = g_menu_model_get_item_attribute_value (model, i, G_MENU_ATTRIBUTE_TARGET, NULL);
      g_ptr_array_add (parent->children, item);

      submenu = g_menu_model_get_item_link (model, i, G_MENU_LINK_SUBMENU);
      if (submenu != NULL)
        {
          item->children = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
          add_items (self, item, submenu);
        }
    }
}

/* No separator first, last or twice in a row. */
static void
tidy_separators (GPtrArray *children)
{
  for (guint i = children->len; i > 0; i--)
    {
      Item *item = g_ptr_array_index (children, i - 1);
      gboolean drop = FALSE;

      if (!item->separator)
        continue;
      if (i == children->len || i == 1)
        drop = TRUE;
      else if (((Item *) g_ptr_array_index (children, i))->separator)
        drop = TRUE;
      if (drop)
        g_ptr_array_remove_index (children, i - 1);
    }
  /* The first may have become a separator after a removal at index 0. */
  while (children->len > 0 && ((Item *) g_ptr_array_index (children, 0))->separator)
    g_ptr_array_remove_index (children, 0);
}

static char *
item_key (Item       *item,
          const char *parent_key,
          guint       separator_index)
{
  g_autofree char *target = NULL;

  if (item->separator)
    return g_strdup_printf ("%s/-%u", parent_key, separator_index);
  if (item->key_attr != NULL)
    return g_strdup_printf ("%s/k:%s", parent_key, item->key_attr);
  if (item->action != NULL)
    {
      target = item->target ? g_variant_print (item->target, TRUE) : g_strdup ("");
      return g_strdup_printf ("%s/a:%s(%s)", parent_key, item->action, target);
    }
  return g_strdup_printf ("%s/l:%s", parent_key, item->label ? item->label : "");
}

/* Gives every item its id (the same as last time for the same key) and its
 * properties; fills @keys with the keys in use. */
static void
assign (AirDBusMenu *self,
        Item        *parent,
        const char  *parent_key,
        GHashTable  *keys)
{
  guint separators = 0;

  tidy_separators (parent->children);

  for (guint i = 0; i < parent->children->len; i++)
    {
      Item *item = g_ptr_array_index (parent->children, i);
      g_autofree char *base = item_key (item, parent_key, separators);
      g_autofree char *key = g_strdup (base);
      gpointer id;

      if (item->separator)
        separators++;

      /* Two items alike (the same action and target twice) get two ids. */
      for (guint dup = 2; g_hash_table_contains (keys, key); dup++)
        {
          g_free (key);
          key = g_strdup_printf ("%s#%u", base, dup);
        }

      if (g_hash_table_lookup_extended (self->ids, key, NULL, &id))
        item->id = GPOINTER_TO_INT (id);
      else
        {
          item->id = ++self->next_id;
          g_hash_table_insert (self->ids, g_strdup (key), GINT_TO_POINTER (item->id));
        }
      g_hash_table_add (keys, g_strdup (key));

      item->properties = item_compute_properties (self, item);
      g_hash_table_insert (self->items, GINT_TO_POINTER (item->id), item);

      if (item->children != NULL)
        assign (self, item, key, keys);
    }
}

static void
append_shape (GString *shape,
              Item    *item)
{
  g_string_append_printf (shape, "%d", item->id);
  if (item->children == NULL)
    return;
  g_string_append_c (shape, '(');
  for (guint i = 0; i < item->children->len; i++)
    {
      append_shape (shape, g_ptr_array_index (item->children, i));
      g_string_append_c (shape, ',');
    }
  g_string_append_c (shape, ')');
}

static char *
tree_shape (Item *root)
{
  GString *shape = g_string_new (NULL);

  if (root != NULL)
    append_shape (shape, root);
  return g_string_free (shape, FALSE);
}

static void
emit (AirDBusMenu *self,
      const char  *signal,
      GVariant    *parameters)
{
  g_autoptr(GError) error = NULL;

  if (self->connection == NULL)
    {
      g_variant_unref (g_variant_ref_sink (parameters));
      return;
    }

  if (!g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                      DBUS_MENU_INTERFACE, signal, parameters, &error))
    g_debug ("Could not emit %s: %s", signal, error->message);
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
      emit (self, "LayoutUpdated", g_variant_new ("(ui)", self->revision, 0));
      return;
    }

  g_variant_builder_init (&updated, G_VARIANT_TYPE ("a(ia{sv})"));
  g_variant_builder_init (&removed, G_VARIANT_TYPE ("a(ias)"));

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Item *item = value;
      Item *old = g_hash_table_lookup (old_items, key);
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

  if (any)
    emit (self, "ItemsPropertiesUpdated", g_variant_new ("(a(ia{sv})a(ias))", &updated, &removed));
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
  Item *old_root;
  GHashTableIter iter;
  gpointer key;

  g_clear_handle_id (&self->rebuild_id, g_source_remove);

  old_root = g_steal_pointer (&self->root);
  old_shape = tree_shape (old_root);
  old_items = g_steal_pointer (&self->items);
  self->items = g_hash_table_new (NULL, NULL);

  unwatch_all (self);
  self->n_items = 0;
  self->root = item_new ();
  self->root->children = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  if (self->model != NULL)
    add_items (self, self->root, self->model);
  assign (self, self->root, "", keys);
  self->root->properties = g_variant_ref_sink (g_variant_new_parsed ("{'children-display': <'submenu'>}"));
  g_hash_table_insert (self->items, GINT_TO_POINTER (0), self->root);

  /* Forget the ids of items that are gone: the table stays the size of the
   * menu. */
  g_hash_table_iter_init (&iter, self->ids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (keys, key))
      g_hash_table_iter_remove (&iter);

  new_shape = tree_shape (self->root);
  if (old_root != NULL && quiet)
    {
      /* Asked for: the answer is the news; a new shape, a new revision. */
      if (!g_str_equal (old_shape, new_shape))
        self->revision++;
    }
  else if (old_root != NULL)
    announce (self, old_items, g_str_equal (old_shape, new_shape));

  if (old_root != NULL)
    item_free (old_root);
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

static GVariant *
filter_properties (GVariant           *properties,
                   const char * const *names)
{
  GVariantBuilder builder;

  if (names == NULL || names[0] == NULL)
    return properties;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (properties, names[i], NULL);

      if (value != NULL)
        g_variant_builder_add (&builder, "{sv}", names[i], value);
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
layout_of (Item               *item,
           int                 depth,
           const char * const *names)
{
  GVariantBuilder children;

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));
  if (depth != 0 && item->children != NULL)
    for (guint i = 0; i < item->children->len; i++)
      g_variant_builder_add (&children, "v",
                             layout_of (g_ptr_array_index (item->children, i),
                                        depth < 0 ? -1 : depth - 1, names));

  return g_variant_new ("(i@a{sv}av)", item->id, filter_properties (item->properties, names), &children);
}

/* Activates a clicked item's action. Returns FALSE for an unknown id. */
static gboolean
handle_event (AirDBusMenu *self,
              int          id,
              const char  *event_id)
{
  Item *item = g_hash_table_lookup (self->items, GINT_TO_POINTER (id));
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

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  g_autoptr(AirDBusMenu) self = g_object_ref (user_data);
  gboolean filled = ensure_current (self);

  if (g_str_equal (method_name, "GetLayout"))
    {
      g_autofree const char **names = NULL;
      int parent_id, depth;
      Item *parent;

      g_variant_get (parameters, "(ii^a&s)", &parent_id, &depth, &names);
      parent = g_hash_table_lookup (self->items, GINT_TO_POINTER (parent_id));
      if (parent == NULL)
        {
          g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                 "No menu item with id %d", parent_id);
          return;
        }
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(u@(ia{sv}av))", self->revision,
                                                            layout_of (parent, depth, names)));
    }
  else if (g_str_equal (method_name, "GetGroupProperties"))
    {
      g_autoptr(GVariantIter) ids = NULL;
      g_autofree const char **names = NULL;
      GVariantBuilder builder;
      int id;

      g_variant_get (parameters, "(ai^a&s)", &ids, &names);
      g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ia{sv})"));
      while (g_variant_iter_next (ids, "i", &id))
        {
          Item *item = g_hash_table_lookup (self->items, GINT_TO_POINTER (id));

          if (item != NULL)
            g_variant_builder_add (&builder, "(i@a{sv})", id, filter_properties (item->properties, names));
        }
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(ia{sv}))", &builder));
    }
  else if (g_str_equal (method_name, "GetProperty"))
    {
      g_autoptr(GVariant) value = NULL;
      const char *name;
      Item *item;
      int id;

      g_variant_get (parameters, "(i&s)", &id, &name);
      item = g_hash_table_lookup (self->items, GINT_TO_POINTER (id));
      if (item != NULL)
        value = g_variant_lookup_value (item->properties, name, NULL);
      if (value == NULL)
        {
          g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                 "No property %s on menu item %d", name, id);
          return;
        }
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
    }
  else if (g_str_equal (method_name, "Event"))
    {
      g_autoptr(GVariant) data = NULL;
      g_autofree char *event_id = NULL;
      guint32 timestamp;
      int id;

      g_variant_get (parameters, "(isvu)", &id, &event_id, &data, &timestamp);
      if (!g_hash_table_contains (self->items, GINT_TO_POINTER (id)))
        {
          g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                 "No menu item with id %d", id);
          return;
        }
      /* Answer first: the action may quit the application. */
      g_dbus_method_invocation_return_value (invocation, NULL);
      handle_event (self, id, event_id);
    }
  else if (g_str_equal (method_name, "EventGroup"))
    {
      g_autoptr(GVariantIter) events = NULL;
      g_autoptr(GArray) known = g_array_new (FALSE, FALSE, sizeof (int));
      g_autoptr(GPtrArray) kinds = g_ptr_array_new_with_free_func (g_free);
      GVariantBuilder errors;
      const char *event_id;
      GVariant *data;
      guint32 timestamp;
      int id;
      guint n = 0;

      g_variant_get (parameters, "(a(isvu))", &events);
      g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
      while (g_variant_iter_next (events, "(i&svu)", &id, &event_id, &data, &timestamp))
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
          return;
        }
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ai)", &errors));
      for (guint i = 0; i < known->len; i++)
        handle_event (self, g_array_index (known, int, i), g_ptr_array_index (kinds, i));
    }
  else if (g_str_equal (method_name, "AboutToShow"))
    {
      /* Filled just now: the panel fetches the layout again. */
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", filled));
    }
  else if (g_str_equal (method_name, "AboutToShowGroup"))
    {
      g_autoptr(GVariantIter) ids = NULL;
      GVariantBuilder errors;
      int id;

      g_variant_get (parameters, "(ai)", &ids);
      g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
      while (g_variant_iter_next (ids, "i", &id))
        if (!g_hash_table_contains (self->items, GINT_TO_POINTER (id)))
          g_variant_builder_add (&errors, "i", id);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@aiai)",
                                                                        g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0),
                                                                        &errors));
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "Unknown method %s", method_name);
}

static GVariant *
get_property (GDBusConnection  *connection,
              const char       *sender,
              const char       *object_path,
              const char       *interface_name,
              const char       *property_name,
              GError          **error,
              gpointer          user_data)
{
  if (g_str_equal (property_name, "Version"))
    return g_variant_new_uint32 (3);
  if (g_str_equal (property_name, "TextDirection"))
    return g_variant_new_string ("ltr");
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string ("normal");
  if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_strv (NULL, 0);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable vtable = {
  .method_call = method_call,
  .get_property = get_property,
};

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

  g_clear_pointer (&self->root, item_free);
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

  introspection_data = g_dbus_node_info_new_for_xml (introspection_xml, NULL);
  g_assert (introspection_data != NULL);
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
  g_return_val_if_fail (AIR_IS_DBUS_MENU (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (g_variant_is_object_path (object_path), FALSE);
  g_return_val_if_fail (self->connection == NULL, FALSE);

  self->registration_id =
    g_dbus_connection_register_object (connection, object_path, introspection_data->interfaces[0],
                                       &vtable, self, NULL, error);
  if (self->registration_id == 0)
    return FALSE;

  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (object_path);
  return TRUE;
}

void
air_dbus_menu_unexport (AirDBusMenu *self)
{
  g_return_if_fail (AIR_IS_DBUS_MENU (self));

  if (self->connection != NULL && self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_clear_object (&self->connection);
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
  if (self->announced || self->connection == NULL)
    return;
  self->announced = TRUE;
  self->revision++;
  emit (self, "LayoutUpdated", g_variant_new ("(ui)", self->revision, 0));
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
