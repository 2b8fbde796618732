/* air-inventory.c
 *
 * Qubes are kept grouped by zone, in the zone's own order, so a whole-zone
 * refresh is one items-changed over that zone's range. A qube already known
 * keeps its object (and so its row and selection); only its properties
 * change. Each zone's number of qubes and of running ones is kept as
 * changes are applied, so views ask for them at no cost per event; they
 * follow what goes through the inventory (the session's only writer).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-inventory"

#include "config.h"

#include <string.h>

#include "air-inventory.h"

struct _AirInventory
{
  GObject     parent_instance;

  GPtrArray  *items;   /* AirQube, grouped by zone */
  GHashTable *index;   /* "zone/name" → AirQube (borrowed from items) */
  GHashTable *counts;  /* zone → ZoneCount */
};

typedef struct {
  guint n_qubes;
  guint n_running;
} ZoneCount;

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AirInventory, air_inventory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
air_inventory_get_item_type (GListModel *model)
{
  return AIR_TYPE_QUBE;
}

static guint
air_inventory_get_n_items (GListModel *model)
{
  return AIR_INVENTORY (model)->items->len;
}

static gpointer
air_inventory_get_item (GListModel *model,
                        guint       position)
{
  AirInventory *self = AIR_INVENTORY (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = air_inventory_get_item_type;
  iface->get_n_items = air_inventory_get_n_items;
  iface->get_item = air_inventory_get_item;
}

static void
air_inventory_finalize (GObject *object)
{
  AirInventory *self = (AirInventory *)object;

  g_clear_pointer (&self->index, g_hash_table_unref);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (air_inventory_parent_class)->finalize (object);
}

static void
air_inventory_class_init (AirInventoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_inventory_finalize;
}

static void
air_inventory_init (AirInventory *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

AirInventory *
air_inventory_new (void)
{
  return g_object_new (AIR_TYPE_INVENTORY, NULL);
}

static char *
make_key (const char *zone,
          const char *name)
{
  return g_strconcat (zone, "/", name, NULL);
}

/**
 * air_inventory_lookup:
 *
 * Returns: (transfer none) (nullable): the qube, if known
 */
AirQube *
air_inventory_lookup (AirInventory *self,
                      const char   *zone,
                      const char   *name)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (AIR_IS_INVENTORY (self), NULL);

  key = make_key (zone, name);
  return g_hash_table_lookup (self->index, key);
}

/* The range [*start, *start + *len) the zone occupies; where it would go
 * (the end) when it has no qubes. */
static void
zone_range (AirInventory *self,
            const char   *zone,
            guint        *start,
            guint        *len)
{
  guint i = 0;

  while (i < self->items->len &&
         strcmp (air_qube_get_zone (g_ptr_array_index (self->items, i)), zone) != 0)
    i++;

  *start = i;
  while (i < self->items->len &&
         strcmp (air_qube_get_zone (g_ptr_array_index (self->items, i)), zone) == 0)
    i++;
  *len = i - *start;
}

static void
index_remove (AirInventory *self,
              AirQube      *qube)
{
  g_autofree char *key = make_key (air_qube_get_zone (qube), air_qube_get_name (qube));

  g_hash_table_remove (self->index, key);
}

static void
index_add (AirInventory *self,
           AirQube      *qube)
{
  g_hash_table_insert (self->index,
                       make_key (air_qube_get_zone (qube), air_qube_get_name (qube)),
                       qube);
}

static ZoneCount *
zone_count (AirInventory *self,
            const char   *zone)
{
  ZoneCount *count = g_hash_table_lookup (self->counts, zone);

  if (count == NULL)
    {
      count = g_new0 (ZoneCount, 1);
      g_hash_table_insert (self->counts, g_strdup (zone), count);
    }
  return count;
}

/* @qube (of @zone) joins (@delta 1) or leaves (-1) the counts. */
static void
count_qube (AirInventory *self,
            AirQube      *qube,
            int           delta)
{
  ZoneCount *count = zone_count (self, air_qube_get_zone (qube));

  count->n_qubes += delta;
  if (air_qube_is_running (qube))
    count->n_running += delta;
  if (count->n_qubes == 0)
    g_hash_table_remove (self->counts, air_qube_get_zone (qube));
}

/* Copies @incoming into @known, keeping the running count right. */
static void
update_known (AirInventory *self,
              AirQube      *known,
              AirQube      *incoming)
{
  gboolean was_running = air_qube_is_running (known);
  ZoneCount *count;

  air_qube_update_from (known, incoming);
  if (air_qube_is_running (known) == was_running)
    return;
  count = zone_count (self, air_qube_get_zone (known));
  if (was_running)
    count->n_running--;
  else
    count->n_running++;
}

/* Makes the zone's part of the inventory what @qubes says, reusing the
 * objects of qubes already known. */
void
air_inventory_replace_zone (AirInventory *self,
                            const char   *zone,
                            GPtrArray    *qubes)
{
  g_autoptr(GPtrArray) fresh = NULL;
  GPtrArray *items;
  gboolean same_set;
  guint start, len;

  g_return_if_fail (AIR_IS_INVENTORY (self));
  g_return_if_fail (zone != NULL);
  g_return_if_fail (qubes != NULL);

  zone_range (self, zone, &start, &len);

  fresh = g_ptr_array_new_full (qubes->len, g_object_unref);
  same_set = qubes->len == len;

  for (guint i = 0; i < qubes->len; i++)
    {
      AirQube *incoming = g_ptr_array_index (qubes, i);
      AirQube *known = air_inventory_lookup (self, zone, air_qube_get_name (incoming));

      if (known != NULL)
        {
          update_known (self, known, incoming);
          g_ptr_array_add (fresh, g_object_ref (known));
        }
      else
        g_ptr_array_add (fresh, g_object_ref (incoming));

      if (same_set && g_ptr_array_index (self->items, start + i) != g_ptr_array_index (fresh, i))
        same_set = FALSE;
    }

  if (same_set)
    return;

  for (guint i = 0; i < len; i++)
    {
      index_remove (self, g_ptr_array_index (self->items, start + i));
      count_qube (self, g_ptr_array_index (self->items, start + i), -1);
    }

  /* One new array, not an insert per qube (each a memmove of the rest). */
  items = g_ptr_array_new_full (self->items->len - len + fresh->len, g_object_unref);
  for (guint i = 0; i < start; i++)
    g_ptr_array_add (items, g_object_ref (g_ptr_array_index (self->items, i)));
  for (guint i = 0; i < fresh->len; i++)
    {
      AirQube *qube = g_ptr_array_index (fresh, i);

      g_ptr_array_add (items, g_object_ref (qube));
      index_add (self, qube);
      count_qube (self, qube, 1);
    }
  for (guint i = start + len; i < self->items->len; i++)
    g_ptr_array_add (items, g_object_ref (g_ptr_array_index (self->items, i)));

  g_ptr_array_unref (self->items);
  self->items = items;

  g_list_model_items_changed (G_LIST_MODEL (self), start, len, fresh->len);
}

void
air_inventory_remove_zone (AirInventory *self,
                           const char   *zone)
{
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();

  g_return_if_fail (AIR_IS_INVENTORY (self));

  air_inventory_replace_zone (self, zone, empty);
}

void
air_inventory_apply_event (AirInventory   *self,
                           const char     *zone,
                           const AirEvent *event)
{
  AirQube *known;
  guint start, len;

  g_return_if_fail (AIR_IS_INVENTORY (self));
  g_return_if_fail (event != NULL);

  switch (event->kind)
    {
    case AIR_EVENT_QUBE_ADDED:
    case AIR_EVENT_QUBE_CHANGED:
      known = air_inventory_lookup (self, zone, air_qube_get_name (event->qube));
      if (known != NULL)
        {
          update_known (self, known, event->qube);
          break;
        }
      zone_range (self, zone, &start, &len);
      g_ptr_array_insert (self->items, start + len, g_object_ref (event->qube));
      index_add (self, event->qube);
      count_qube (self, event->qube, 1);
      g_list_model_items_changed (G_LIST_MODEL (self), start + len, 0, 1);
      break;

    case AIR_EVENT_QUBE_REMOVED:
      known = air_inventory_lookup (self, zone, event->name);
      if (known != NULL)
        {
          guint position;

          if (g_ptr_array_find (self->items, known, &position))
            {
              index_remove (self, known);
              count_qube (self, known, -1);
              g_ptr_array_remove_index (self->items, position);
              g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
            }
        }
      break;

    case AIR_EVENT_ZONE_HEALTH:
    default:
      break;
    }
}

/* The zone's number of qubes and of running ones, kept as changes are
 * applied: no scan. */
guint
air_inventory_count_zone (AirInventory *self,
                          const char   *zone,
                          guint        *n_running)
{
  ZoneCount *count;

  g_return_val_if_fail (AIR_IS_INVENTORY (self), 0);

  count = zone != NULL ? g_hash_table_lookup (self->counts, zone) : NULL;
  if (n_running != NULL)
    *n_running = count != NULL ? count->n_running : 0;
  return count != NULL ? count->n_qubes : 0;
}
