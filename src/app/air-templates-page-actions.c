/* air-templates-page-actions.c
 *
 * What the templates page does: Import…, New Template… and Update… open
 * AirTemplateDialog and run the call it hands back; Roll Back and Remove
 * ask first. Every operation is an AirJob in the session's job list: a
 * build's job shows the step it is in, its progress and the guest's
 * output, and cancelling the job ends the build. When one ends, the zone's
 * info and the page's list are read again, and a failure is shown across
 * the top of the page.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-templates-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-names.h"
#include "air-template-call.h"
#include "air-template-dialog.h"
#include "air-templates-page-private.h"

/* An AirZoneListOp, and what a template's operation adds to it. */
typedef struct {
  AirZoneListOp   *base;
  AirZone         *zone;
  AirTemplateCall *call;
} TemplateOp;

static void
template_op_free (TemplateOp *op)
{
  if (op->call != NULL)
    g_signal_handlers_disconnect_by_data (op->call, op);
  g_clear_object (&op->call);
  g_clear_pointer (&op->base, air_zone_list_op_free);
  g_clear_object (&op->zone);
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

  op->base = air_zone_list_op_new (AIR_ZONE_LIST_PAGE (self), air_zone_get_name (zone), title, failure, FALSE);
  op->zone = g_object_ref (zone);
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
  if (error == NULL)
    air_zone_refresh_info_async (op->zone, NULL, info_cb, NULL);
  air_zone_list_op_finish (op->base, error);
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
  air_job_set_detail (op->base->job, detail);
  /* Steps done so far: the last one begun is still running. */
  if (count > 0 && index > 0)
    air_job_set_progress (op->base->job, (double) (MIN (index, count) - 1) / count);
}

static void
output_cb (AirTemplateCall *call,
           const char      *line,
           TemplateOp      *op)
{
  air_job_append_output (op->base->job, line, strlen (line));
  air_job_append_output (op->base->job, "\n", 1);
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

      air_job_set_detail (op->base->job, done);
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

      air_zone_list_page_show_error (AIR_ZONE_LIST_PAGE (self), title, message);
      return;
    }
  op = template_op_start (self, zone, title, _("The template was not built"));
  op->call = g_object_ref (call);
  g_signal_connect (call, "step", G_CALLBACK (step_cb), op);
  g_signal_connect (call, "output", G_CALLBACK (output_cb), op);
  air_template_call_run_async (call, air_job_get_cancellable (op->base->job), build_cb, op);
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
  air_zone_list_page_present (AIR_ZONE_LIST_PAGE (self), GTK_WINDOW (dialog));
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

      air_job_set_detail (op->base->job, done);
    }
  template_op_finish (op, error);
}

static void
confirmed (AirTemplatesPage *self,
           const char       *zone_name,
           const char       *name,
           gboolean          removing)
{
  g_autofree char *title = NULL;
  AirZone *zone;
  TemplateOp *op;

  if (air_zone_list_page_is_gone (AIR_ZONE_LIST_PAGE (self)))
    return;
  zone = air_session_lookup_zone (air_zone_list_page_get_session (AIR_ZONE_LIST_PAGE (self)), zone_name);
  if (zone == NULL)
    return;

  if (removing)
    {
      /* Translators: a job; template, then zone */
      title = g_strdup_printf (_("Remove template %s from %s"), name, zone_name);
      op = template_op_start (self, zone, title, _("The template was not removed"));
    }
  else
    {
      /* Translators: a job; template, then zone */
      title = g_strdup_printf (_("Roll back template %s in %s"), name, zone_name);
      op = template_op_start (self, zone, title, _("The template was not rolled back"));
    }
  air_zone_template_action_async (zone, removing ? "qubesair.TemplateRemove" : "qubesair.TemplateRollback",
                                  name, air_job_get_cancellable (op->base->job), action_cb, op);
}

static void
remove_confirmed (AirZoneListPage *page,
                  const char      *zone,
                  const char      *name)
{
  confirmed (AIR_TEMPLATES_PAGE (page), zone, name, TRUE);
}

static void
roll_back_confirmed (AirZoneListPage *page,
                     const char      *zone,
                     const char      *name)
{
  confirmed (AIR_TEMPLATES_PAGE (page), zone, name, FALSE);
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
  const char *zone, *name;

  g_variant_get (parameter, "(&s&s)", &zone, &name);
  template = _air_templates_page_lookup_shown (self, zone, name);
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
  air_zone_list_page_confirm (AIR_ZONE_LIST_PAGE (self), heading, body,
                              removing ? _("_Remove") : _("Roll _Back"), zone, name,
                              removing ? remove_confirmed : roll_back_confirmed);
}

void
_air_templates_page_class_actions_init (AirTemplatesPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "page.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "page.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "page.update", "(ss)", update_action);
  gtk_widget_class_install_action (widget_class, "page.roll-back", "(ss)", confirm_action);
  gtk_widget_class_install_action (widget_class, "page.remove", "(ss)", confirm_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "page.new", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "page.import", NULL);
}
