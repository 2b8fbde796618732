/* air-dbus-menu-items.c
 *
 * The exporter's item tree, built from the GMenuModel: sections become
 * separators (none first, last or twice), submenus children, each item a
 * dictionary of dbusmenu properties with an id kept per item key; and the
 * tree as GetLayout and GetGroupProperties answer it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-dbus-menu"

#include "config.h"

#include <string.h>

#include "air-dbus-menu-private.h"

void
air_dbus_menu_item_free (AirDBusMenuItem *item)
{
  g_free (item->label);
  g_free (item->action);
  g_clear_pointer (&item->target, g_variant_unref);
  g_free (item->key_attr);
  g_clear_pointer (&item->children, g_ptr_array_unref);
  g_clear_pointer (&item->properties, g_variant_unref);
  g_free (item);
}

AirDBusMenuItem *
air_dbus_menu_item_new (void)
{
  AirDBusMenuItem *item = g_new0 (AirDBusMenuItem, 1);

  item->enabled_attr = TRUE;
  return item;
}

static AirDBusMenuItem *
separator_new (void)
{
  AirDBusMenuItem *item = air_dbus_menu_item_new ();

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
item_compute_properties (AirDBusMenu     *self,
                         AirDBusMenuItem *item)
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

/* Appends the items of @model to @parent; sections are set apart by
 * separators, tidied afterwards. */
void
air_dbus_menu_add_items (AirDBusMenu     *self,
                         AirDBusMenuItem *parent,
                         GMenuModel      *model)
{
  int n = g_menu_model_get_n_items (model);

  air_dbus_menu_watch (self, model);

  for (int i = 0; i < n && self->n_items < MAX_ITEMS; i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      g_autoptr(GMenuModel) submenu = NULL;
      AirDBusMenuItem *item;

      if (section != NULL)
        {
          g_ptr_array_add (parent->children, separator_new ());
          air_dbus_menu_add_items (self, parent, section);
          g_ptr_array_add (parent->children, separator_new ());
          continue;
        }

      item = air_dbus_menu_item_new ();
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
          item->children = g_ptr_array_new_with_free_func ((GDestroyNotify) air_dbus_menu_item_free);
          air_dbus_menu_add_items (self, item, submenu);
        }
    }
}

/* No separator first, last or twice in a row. */
static void
tidy_separators (GPtrArray *children)
{
  for (guint i = children->len; i > 0; i--)
    {
      AirDBusMenuItem *item = g_ptr_array_index (children, i - 1);
      gboolean drop = FALSE;

      if (!item->separator)
        continue;
      if (i == children->len || i == 1)
        drop = TRUE;
      else if (((AirDBusMenuItem *) g_ptr_array_index (children, i))->separator)
        drop = TRUE;
      if (drop)
        g_ptr_array_remove_index (children, i - 1);
    }
  /* The first may have become a separator after a removal at index 0. */
  while (children->len > 0 && ((AirDBusMenuItem *) g_ptr_array_index (children, 0))->separator)
    g_ptr_array_remove_index (children, 0);
}

static char *
item_key (AirDBusMenuItem *item,
          const char      *parent_key,
          guint            separator_index)
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
void
air_dbus_menu_assign (AirDBusMenu     *self,
                      AirDBusMenuItem *parent,
                      const char      *parent_key,
                      GHashTable      *keys)
{
  guint separators = 0;

  tidy_separators (parent->children);

  for (guint i = 0; i < parent->children->len; i++)
    {
      AirDBusMenuItem *item = g_ptr_array_index (parent->children, i);
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
        air_dbus_menu_assign (self, item, key, keys);
    }
}

static void
append_shape (GString         *shape,
              AirDBusMenuItem *item)
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

char *
air_dbus_menu_tree_shape (AirDBusMenuItem *root)
{
  GString *shape = g_string_new (NULL);

  if (root != NULL)
    append_shape (shape, root);
  return g_string_free (shape, FALSE);
}

GVariant *
air_dbus_menu_filter_properties (GVariant           *properties,
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

GVariant *
air_dbus_menu_layout_of (AirDBusMenuItem    *item,
                         int                 depth,
                         const char * const *names)
{
  GVariantBuilder children;

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));
  if (depth != 0 && item->children != NULL)
    for (guint i = 0; i < item->children->len; i++)
      g_variant_builder_add (&children, "v",
                             air_dbus_menu_layout_of (g_ptr_array_index (item->children, i),
                                        depth < 0 ? -1 : depth - 1, names));

  return g_variant_new ("(i@a{sv}av)", item->id, air_dbus_menu_filter_properties (item->properties, names), &children);
}
