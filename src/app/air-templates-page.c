/* air-templates-page.c
 *
 * The templates of each zone (qubesair.TemplateList): version, size, how
 * many qubes use each, what it was built on, when, and the packages asked
 * for. Import…, New Template… and Update… open AirTemplateDialog; Roll
 * Back and Remove ask first. Every operation is an AirJob in the session's
 * job list: a build's job shows the step it is in, its progress and the
 * guest's output, and cancelling the job ends the build. A zone's refusal
 * is shown across the top of the page in the zone's own words, as plain
 * text. Everything a zone sends was checked by air-template.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-templates-page"

#include "config.h"

#include <glib/gi18n.h>

#include "air-confirm-dialog.h"
#include "air-names.h"
#include "air-zone-list-parts.h"
#include "air-template-call.h"
#include "air-template-dialog.h"
#include "air-templates-page.h"


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
  char           *error;
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

/* @message is the zone's or the transport's text: shown as plain text,
 * made safe and short first. %NULL hides the banner. */
static void
show_error (AirTemplatesPage *self,
            const char *what,
            const char *message)
{
  g_free (self->error);
  self->error = air_zone_list_show_error (self->error_revealer, self->error_label, what, message);
}

/* What is known of @t, on one line; a zone's own system ("host") has no
 * size, base or date to show. */
static char *
format_details (const AirTemplate *t)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) when = t->built > 0 ? g_date_time_new_from_unix_local (t->built) : NULL;

  /* Translators: a template's version number */
  g_ptr_array_add (parts, g_strdup_printf (_("Version %u"), t->version));
  if (t->size > 0)
    g_ptr_array_add (parts, g_format_size (t->size));
  /* Translators: how many qubes use a template */
  g_ptr_array_add (parts, g_strdup_printf (ngettext ("used by %u qube", "used by %u qubes", t->users), t->users));
  if (t->base[0] != '\0')
    /* Translators: %s is the template a template was built on */
    g_ptr_array_add (parts, g_strdup_printf (_("built on %s"), t->base));
  else if (when != NULL)
    g_ptr_array_add (parts, g_strdup (_("imported")));
  if (when != NULL)
    {
      g_autofree char *date = g_date_time_format (when, "%Y-%m-%d %H:%M");

      /* Translators: %s is a date and time */
      g_ptr_array_add (parts, g_strdup_printf (_("made %s"), date));
    }
  g_ptr_array_add (parts, NULL);
  /* Translators: the separator of a template's details */
  return g_strjoinv (_(" · "), (char **) parts->pdata);
}

static GtkWidget *
create_label (const char *text,
              const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  /* A wrapping label asks for little width: let it use the row's. */
  gtk_label_set_max_width_chars (GTK_LABEL (label), 100);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
create_button (const char *zone,
               const char *name,
               const char *label,
               const char *icon,
               const char *action,
               gboolean    enabled,
               const char *tooltip)
{
  GtkWidget *button = icon ? gtk_button_new_from_icon_name (icon) : gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (icon != NULL)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      gtk_widget_add_css_class (button, "flat");
    }
  if (tooltip != NULL)
    gtk_widget_set_tooltip_text (button, tooltip);
  /* A disabled button names no action: the action's own state would
   * otherwise make it sensitive again. */
  if (enabled)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)", zone, name);
    }
  else
    gtk_widget_set_sensitive (button, FALSE);
  return button;
}

static GtkWidget *
create_template_row (const char        *zone,
                     const AirTemplate *t)
{
  g_autofree char *details = format_details (t);
  g_autofree char *remove_name = NULL;
  g_autofree char *in_use = NULL;
  GtkWidget *box, *text, *title, *row;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (box, "template-row");

  text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);

  title = gtk_label_new (t->name);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (text), title);
  gtk_box_append (GTK_BOX (text), create_label (details, "dim-label"));

  if (t->packages != NULL && t->packages[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", t->packages);
      /* Translators: the packages asked for in a template, comma-separated */
      g_autofree char *packages = g_strdup_printf (_("Packages: %s"), list);

      gtk_box_append (GTK_BOX (text), create_label (packages, "caption"));
    }

  gtk_box_append (GTK_BOX (box), create_button (zone, t->name, _("_Update…"), NULL, "page.update", !t->read_only,
                                                t->read_only
                                                ? _("Made outside Qubes Air (the zone host’s own system, or put there "
                                                    "by hand): it has no versions to build here")
                                                : _("Build a new version with more packages or a command")));
  gtk_box_append (GTK_BOX (box), create_button (zone, t->name, _("Roll _Back"), NULL, "page.roll-back",
                                                t->can_roll_back,
                                                t->can_roll_back ? _("Go back to the previous version")
                                                                 : _("There is no earlier version to go back to")));

  if (t->users > 0)
    /* Translators: why a template cannot be removed */
    in_use = g_strdup_printf (ngettext ("Used by %u qube: remove it or move it to another template first",
                                        "Used by %u qubes: remove them or move them to another template first",
                                        t->users), t->users);
  /* Translators: %s is a template */
  remove_name = g_strdup_printf (_("Remove %s"), t->name);
  gtk_box_append (GTK_BOX (box), create_button (zone, t->name, remove_name, "user-trash-symbolic", "page.remove",
                                                t->users == 0, in_use != NULL ? in_use : _("Remove the template")));

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static GtkWidget *
create_failed_row (const char *message)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  GtkWidget *label = create_label (message, NULL);
  GtkWidget *row;

  gtk_widget_add_css_class (box, "template-row");
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
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
          gtk_list_box_append (self->list, create_failed_row (entry->error));
          continue;
        }
      g_ptr_array_sort (result->templates, compare_templates);
      for (guint i = 0; i < result->templates->len; i++)
        {
          entry = g_new0 (Entry, 1);
          entry->zone = g_strdup (name);
          entry->template = air_template_copy (g_ptr_array_index (result->templates, i));
          g_ptr_array_add (self->shown, entry);
          gtk_list_box_append (self->list, create_template_row (name, entry->template));
        }
    }

  if (n_zones == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else if (self->shown->len == 0 && air_zone_list_page_get_loading (AIR_ZONE_LIST_PAGE (self)))
    gtk_stack_set_visible_child_name (self->stack, "loading");
  else
    gtk_stack_set_visible_child_name (self->stack, "list");
}

static const AirTemplate *
lookup_shown (AirTemplatesPage *self,
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

/* --- Operations, each an AirJob. */

typedef struct {
  AirTemplatesPage *page;
  AirJob           *job;
  AirZone          *zone;
  AirTemplateCall  *call;
  char             *failure;
} TemplateOp;

static void
template_op_free (TemplateOp *op)
{
  if (op->call != NULL)
    g_signal_handlers_disconnect_by_data (op->call, op);
  g_clear_object (&op->call);
  g_clear_object (&op->page);
  g_clear_object (&op->job);
  g_clear_object (&op->zone);
  g_free (op->failure);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TemplateOp, template_op_free)

static TemplateOp *
template_op_start (AirTemplatesPage *self,
                   AirZone          *zone,
                   const char       *title,
                   const char       *failure)
{
  TemplateOp *op = g_new0 (TemplateOp, 1);

  op->page = g_object_ref (self);
  op->zone = g_object_ref (zone);
  op->job = air_job_new (title, air_zone_get_name (zone));
  op->failure = g_strdup (failure);
  air_session_add_job (air_zone_list_page_get_session (AIR_ZONE_LIST_PAGE (self)), op->job);
  return op;
}

static void
info_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The zone's templates in New Qube come from its info. */
  if (!air_zone_refresh_info_finish (AIR_ZONE (object), result, &error))
    g_debug ("Zone %s: its info was not read again: %s", air_zone_get_name (AIR_ZONE (object)), error->message);
}

static void
template_op_finish (TemplateOp   *op,
                    const GError *error)
{
  AirTemplatesPage *self = op->page;

  if (error != NULL)
    air_job_fail (op->job, error);
  else
    {
      air_job_succeed (op->job);
      air_zone_refresh_info_async (op->zone, NULL, info_cb, NULL);
    }

  if (air_zone_list_page_is_gone (AIR_ZONE_LIST_PAGE (self)))
    return;

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_error (self, op->failure, error->message);
  else if (error == NULL)
    show_error (self, NULL, NULL);
  air_templates_page_refresh (self);
}

static void
step_cb (AirTemplateCall *call,
         const char      *text,
         guint            index,
         guint            count,
         TemplateOp      *op)
{
  g_autofree char *detail = NULL;

  /* Translators: a build's step: its number, how many there are, what it does */
  detail = g_strdup_printf (_("[%u/%u] %s"), index, count, text);
  air_job_set_detail (op->job, detail);
  /* Steps done so far: the last one begun is still running. */
  if (count > 0 && index > 0)
    air_job_set_progress (op->job, (double) (MIN (index, count) - 1) / count);
}

static void
output_cb (AirTemplateCall *call,
           const char      *line,
           TemplateOp      *op)
{
  air_job_append_output (op->job, line, strlen (line));
  air_job_append_output (op->job, "\n", 1);
}

static void
build_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TemplateOp) op = user_data;
  g_autoptr(AirTemplate) template = NULL;
  g_autoptr(GError) error = NULL;

  template = air_template_call_run_finish (AIR_TEMPLATE_CALL (object), result, &error);
  if (template != NULL)
    {
      g_autofree char *size = g_format_size (template->size);
      /* Translators: the end of a template build */
      g_autofree char *done = g_strdup_printf (_("Template “%s” is at version %u (%s)."),
                                               template->name, template->version, size);

      air_job_set_detail (op->job, done);
    }
  template_op_finish (op, error);
}

/* The dialog's call, run as a job. */
static void
start_cb (AirTemplateDialog *dialog,
          AirTemplateCall   *call,
          const char        *zone_name,
          const char        *title,
          AirTemplatesPage  *self)
{
  AirZone *zone = air_session_lookup_zone (air_zone_list_page_get_session (AIR_ZONE_LIST_PAGE (self)), zone_name);
  TemplateOp *op;

  if (air_zone_list_page_is_gone (AIR_ZONE_LIST_PAGE (self)))
    return;
  if (zone == NULL)
    {
      /* Translators: %s is a zone */
      g_autofree char *message = g_strdup_printf (_("There is no zone “%s” any more."), zone_name);

      show_error (self, title, message);
      return;
    }
  op = template_op_start (self, zone, title, _("The template was not built"));
  op->call = g_object_ref (call);
  g_signal_connect (call, "step", G_CALLBACK (step_cb), op);
  g_signal_connect (call, "output", G_CALLBACK (output_cb), op);
  air_template_call_run_async (call, air_job_get_cancellable (op->job), build_cb, op);
}

static void
open_dialog (AirTemplatesPage      *self,
             AirTemplateDialogMode  mode,
             const char            *zone,
             const char            *name)
{
  AirTemplateDialog *dialog =
    air_template_dialog_new (GTK_WINDOW (self), air_zone_list_page_get_session (AIR_ZONE_LIST_PAGE (self)),
                             mode, zone, name);

  g_signal_connect_object (dialog, "start", G_CALLBACK (start_cb), self, 0);
  air_zone_list_page_set_dialog (AIR_ZONE_LIST_PAGE (self), GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  open_dialog (AIR_TEMPLATES_PAGE (widget), AIR_TEMPLATE_DIALOG_IMPORT, NULL, NULL);
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  open_dialog (AIR_TEMPLATES_PAGE (widget), AIR_TEMPLATE_DIALOG_CREATE, NULL, NULL);
}

static void
update_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  const char *zone, *name;

  g_variant_get (parameter, "(&s&s)", &zone, &name);
  if (air_name_is_valid (zone) && air_name_is_valid (name))
    open_dialog (AIR_TEMPLATES_PAGE (widget), AIR_TEMPLATE_DIALOG_UPDATE, zone, name);
}

static void
action_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TemplateOp) op = user_data;
  g_autoptr(AirTemplate) template = NULL;
  g_autoptr(GError) error = NULL;

  if (air_zone_template_action_finish (AIR_ZONE (object), result, &template, &error) && template != NULL)
    {
      /* Translators: after a roll-back */
      g_autofree char *done = g_strdup_printf (_("Template “%s” is back at version %u."),
                                               template->name, template->version);

      air_job_set_detail (op->job, done);
    }
  template_op_finish (op, error);
}

/* What a Roll Back or Remove confirmation is about. */
typedef struct {
  GWeakRef  page;
  char     *zone;
  char     *name;
  gboolean  removing;
} ActionTarget;

static void
action_target_free (gpointer  data,
                    GClosure *closure)
{
  ActionTarget *target = data;

  g_weak_ref_clear (&target->page);
  g_free (target->zone);
  g_free (target->name);
  g_free (target);
}

static void
confirmed_cb (AirConfirmDialog *dialog,
              ActionTarget     *target)
{
  g_autoptr(AirTemplatesPage) self = g_weak_ref_get (&target->page);
  g_autofree char *title = NULL;
  AirZone *zone;
  TemplateOp *op;

  if (self == NULL || air_zone_list_page_is_gone (AIR_ZONE_LIST_PAGE (self)))
    return;
  zone = air_session_lookup_zone (air_zone_list_page_get_session (AIR_ZONE_LIST_PAGE (self)), target->zone);
  if (zone == NULL)
    return;

  if (target->removing)
    {
      /* Translators: a job; template, then zone */
      title = g_strdup_printf (_("Remove template %s from %s"), target->name, target->zone);
      op = template_op_start (self, zone, title, _("The template was not removed"));
    }
  else
    {
      /* Translators: a job; template, then zone */
      title = g_strdup_printf (_("Roll back template %s in %s"), target->name, target->zone);
      op = template_op_start (self, zone, title, _("The template was not rolled back"));
    }
  air_zone_template_action_async (zone, target->removing ? "qubesair.TemplateRemove" : "qubesair.TemplateRollback",
                                  target->name, air_job_get_cancellable (op->job), action_cb, op);
}

static void
confirm_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AirTemplatesPage *self = AIR_TEMPLATES_PAGE (widget);
  gboolean removing = g_str_equal (action_name, "page.remove");
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  const AirTemplate *template;
  AirConfirmDialog *dialog;
  ActionTarget *target;
  const char *zone, *name;

  g_variant_get (parameter, "(&s&s)", &zone, &name);
  template = lookup_shown (self, zone, name);
  if (template == NULL || !air_name_is_valid (zone))
    return;

  if (removing)
    {
      /* Translators: template, then zone */
      heading = g_strdup_printf (_("Remove the template %s of %s?"), name, zone);
      body = g_strdup (_("Its files are deleted from the zone, with every version kept for a roll-back. "
                         "This cannot be undone."));
    }
  else
    {
      /* Translators: template, then its version */
      heading = g_strdup_printf (_("Roll %s back from version %u?"), name, template->version);
      body = g_strdup (_("The previous version becomes the current one; qubes see it at their next start. "
                         "The version you leave is dropped."));
    }
  dialog = air_confirm_dialog_new (GTK_WINDOW (self), heading, body,
                                   removing ? _("_Remove") : _("Roll _Back"));
  target = g_new0 (ActionTarget, 1);
  g_weak_ref_init (&target->page, self);
  target->zone = g_strdup (zone);
  target->name = g_strdup (name);
  target->removing = removing;
  g_signal_connect_data (dialog, "confirmed", G_CALLBACK (confirmed_cb), target, action_target_free, 0);
  air_zone_list_page_set_dialog (AIR_ZONE_LIST_PAGE (self), GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  air_templates_page_refresh (AIR_TEMPLATES_PAGE (widget));
}

static void
dismiss_error_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  show_error (AIR_TEMPLATES_PAGE (widget), NULL, NULL);
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
  g_clear_pointer (&self->error, g_free);

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

  gtk_widget_class_install_action (widget_class, "page.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "page.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "page.update", "(ss)", update_action);
  gtk_widget_class_install_action (widget_class, "page.roll-back", "(ss)", confirm_action);
  gtk_widget_class_install_action (widget_class, "page.remove", "(ss)", confirm_action);
  gtk_widget_class_install_action (widget_class, "page.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "page.dismiss-error", NULL, dismiss_error_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "page.new", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "page.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "page.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
air_templates_page_init (AirTemplatesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->shown = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) zone_result_free);
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
  return self->error;
}
