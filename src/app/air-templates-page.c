/* air-templates-page.c
 *
 * The templates of each zone (qubesair.TemplateList): version, size, how
 * many qubes use each, what it was built on, when, and the packages asked
 * for. This file holds the object and the list: each zone's last answer,
 * and the rows in the session's zone order under a heading per zone (the
 * rows' widgets are made in air-templates-page-rows.c). What is done with
 * a template — Import…, New Template…, Update…, Roll Back, Remove, each an
 * AirJob — is in air-templates-page-actions.c. A zone's refusal is shown
 * across the top of the page in the zone's own words, as plain text.
 * Everything a zone sends was checked by air-template.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-templates-page"

#include "config.h"

#include "air-names.h"
#include "air-zone-list-parts.h"
#include "air-templates-page-private.h"

/* One row: a template of a zone, or why the zone did not list them. */
typedef struct {
  char        *zone;
  AirTemplate *template;   /* NULL for a failed zone */
  char        *error;
} Entry;

/* What a zone last answered to TemplateList. */
typedef struct {
  GPtrArray *templates;    /* AirTemplate, or NULL */
  char      *error;
} ZoneResult;

struct _AirTemplatesPage
{
  AirZoneListPage parent_instance;

  /* Template widgets */
  GtkStack       *stack;
  GtkListBox     *list;
  GtkRevealer    *error_revealer;
  GtkLabel       *error_label;

  /* Owned references */
  GCancellable   *list_cancellable;
  GPtrArray      *shown;           /* Entry, the list's rows in order */
  GHashTable     *results;         /* zone name → ZoneResult */
};

G_DEFINE_FINAL_TYPE (AirTemplatesPage, air_templates_page, AIR_TYPE_ZONE_LIST_PAGE)

static void
entry_free (Entry *entry)
{
  g_free (entry->zone);
  g_clear_pointer (&entry->template, air_template_free);
  g_free (entry->error);
  g_free (entry);
}

static void
zone_result_free (ZoneResult *result)
{
  g_clear_pointer (&result->templates, g_ptr_array_unref);
  g_free (result->error);
  g_free (result);
}

static const char *
row_zone (AirTemplatesPage *self,
          GtkListBoxRow    *row)
{
  int index = gtk_list_box_row_get_index (row);

  g_return_val_if_fail (index >= 0 && (guint) index < self->shown->len, NULL);
  return ((Entry *) g_ptr_array_index (self->shown, index))->zone;
}

/* A heading over the first row of each zone. */
static void
header_func (GtkListBoxRow *row,
             GtkListBoxRow *before,
             gpointer       user_data)
{
  AirTemplatesPage *self = user_data;

  air_zone_list_set_heading (row, row_zone (self, row), before != NULL ? row_zone (self, before) : NULL,
                             "template-zone");
}

static int
compare_templates (gconstpointer a,
                   gconstpointer b)
{
  return air_name_collate ((*(AirTemplate **) a)->name, (*(AirTemplate **) b)->name);
}

/* The rows again from the zones' last answers, in the session's zone order. */
static void
show_list (AirTemplatesPage *self)
{
  GListModel *zones = air_session_get_zones (air_zone_list_page_get_session (AIR_ZONE_LIST_PAGE (self)));
  guint n_zones = g_list_model_get_n_items (zones);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_ptr_array_set_size (self->shown, 0);

  for (guint z = 0; z < n_zones; z++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, z);
      const char *name = air_zone_get_name (zone);
      ZoneResult *result = g_hash_table_lookup (self->results, name);
      Entry *entry;

      if (result == NULL)
        continue;
      if (result->templates == NULL)
        {
          entry = g_new0 (Entry, 1);
          entry->zone = g_strdup (name);
          entry->error = g_strdup (result->error);
          g_ptr_array_add (self->shown, entry);
          gtk_list_box_append (self->list, _air_templates_page_create_failed_row (entry->error));
          continue;
        }
      g_ptr_array_sort (result->templates, compare_templates);
      for (guint i = 0; i < result->templates->len; i++)
        {
          entry = g_new0 (Entry, 1);
          entry->zone = g_strdup (name);
          entry->template = air_template_copy (g_ptr_array_index (result->templates, i));
          g_ptr_array_add (self->shown, entry);
          gtk_list_box_append (self->list, _air_templates_page_create_template_row (name, entry->template));
        }
    }

  if (n_zones == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else if (self->shown->len == 0 && air_zone_list_page_get_loading (AIR_ZONE_LIST_PAGE (self)))
    gtk_stack_set_visible_child_name (self->stack, "loading");
  else
    gtk_stack_set_visible_child_name (self->stack, "list");
}

const AirTemplate *
_air_templates_page_lookup_shown (AirTemplatesPage *self,
                                  const char       *zone,
                                  const char       *name)
{
  for (guint i = 0; i < self->shown->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->shown, i);

      if (entry->template != NULL && g_strcmp0 (entry->zone, zone) == 0 &&
          g_strcmp0 (entry->template->name, name) == 0)
        return entry->template;
    }
  return NULL;
}

typedef struct {
  AirTemplatesPage *page;
  char             *zone;
} ListCall;

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ListCall *call = user_data;
  g_autoptr(AirTemplatesPage) self = call->page;
  g_autofree char *zone = call->zone;
  g_autoptr(GPtrArray) templates = NULL;
  g_autoptr(GError) error = NULL;
  ZoneResult *answer;

  g_free (call);
  templates = air_zone_list_templates_finish (AIR_ZONE (object), result, &error);
  if (air_zone_list_page_is_gone (AIR_ZONE_LIST_PAGE (self)))
    return;
  air_zone_list_page_set_loading (AIR_ZONE_LIST_PAGE (self), FALSE);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  answer = g_new0 (ZoneResult, 1);
  if (templates != NULL)
    answer->templates = g_steal_pointer (&templates);
  else
    answer->error = air_text_sanitize (error->message, -1, AIR_ZONE_LIST_MAX_ERROR);
  g_hash_table_replace (self->results, g_steal_pointer (&zone), answer);
  show_list (self);
}

void
air_templates_page_refresh (AirTemplatesPage *self)
{
  GListModel *zones;

  g_return_if_fail (AIR_IS_TEMPLATES_PAGE (self));

  if (air_zone_list_page_is_gone (AIR_ZONE_LIST_PAGE (self)))
    return;

  /* A newer list replaces one still on its way. */
  if (self->list_cancellable != NULL)
    g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();

  zones = air_session_get_zones (air_zone_list_page_get_session (AIR_ZONE_LIST_PAGE (self)));
  for (guint i = 0; i < g_list_model_get_n_items (zones); i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      ListCall *call = g_new0 (ListCall, 1);

      call->page = g_object_ref (self);
      call->zone = g_strdup (air_zone_get_name (zone));
      air_zone_list_page_set_loading (AIR_ZONE_LIST_PAGE (self), TRUE);
      air_zone_list_templates_async (zone, self->list_cancellable, list_cb, call);
    }
  show_list (self);
}


static void
air_templates_page_refresh_page (AirZoneListPage *page)
{
  air_templates_page_refresh (AIR_TEMPLATES_PAGE (page));
}

static void
air_templates_page_zones_changed (AirZoneListPage *page,
                                  GListModel      *zones,
                                  guint            added)
{
  AirTemplatesPage *self = AIR_TEMPLATES_PAGE (page);
  gboolean has_zones = g_list_model_get_n_items (zones) > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.import", has_zones);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.new", has_zones);
  if (added > 0)
    air_templates_page_refresh (self);
  else
    show_list (self);
}

static void
air_templates_page_dispose (GObject *object)
{
  AirTemplatesPage *self = (AirTemplatesPage *)object;

  /* The lists stop; builds go on as jobs, cancelled from the job list. */
  g_cancellable_cancel (air_zone_list_page_get_cancellable (AIR_ZONE_LIST_PAGE (self)));
  if (self->list_cancellable != NULL)
    g_cancellable_cancel (self->list_cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_TEMPLATES_PAGE);

  G_OBJECT_CLASS (air_templates_page_parent_class)->dispose (object);
}

static void
air_templates_page_finalize (GObject *object)
{
  AirTemplatesPage *self = (AirTemplatesPage *)object;

  g_clear_pointer (&self->shown, g_ptr_array_unref);
  g_clear_pointer (&self->results, g_hash_table_unref);
  g_clear_object (&self->list_cancellable);

  G_OBJECT_CLASS (air_templates_page_parent_class)->finalize (object);
}

static void
air_templates_page_class_init (AirTemplatesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  AirZoneListPageClass *page_class = AIR_ZONE_LIST_PAGE_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_templates_page_dispose;
  object_class->finalize = air_templates_page_finalize;

  page_class->zones_changed = air_templates_page_zones_changed;
  page_class->refresh = air_templates_page_refresh_page;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-templates-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AirTemplatesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, AirTemplatesPage, list);
  gtk_widget_class_bind_template_child (widget_class, AirTemplatesPage, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, AirTemplatesPage, error_label);

  _air_templates_page_class_actions_init (klass);
}

static void
air_templates_page_init (AirTemplatesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->shown = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) zone_result_free);
  air_zone_list_page_set_banner (AIR_ZONE_LIST_PAGE (self), self->error_revealer, self->error_label);
  gtk_list_box_set_header_func (self->list, header_func, self, NULL);
}

AirTemplatesPage *
air_templates_page_new (GtkWindow  *parent,
                        AirSession *session)
{
  AirTemplatesPage *self;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);

  self = g_object_new (AIR_TYPE_TEMPLATES_PAGE, "transient-for", parent, "session", session, NULL);

  air_zone_list_page_start (AIR_ZONE_LIST_PAGE (self));
  return self;
}

/* The failed operation shown across the top; %NULL when there is none. */
const char *
air_templates_page_get_error (AirTemplatesPage *self)
{
  g_return_val_if_fail (AIR_IS_TEMPLATES_PAGE (self), NULL);
  return air_zone_list_page_get_error (AIR_ZONE_LIST_PAGE (self));
}
