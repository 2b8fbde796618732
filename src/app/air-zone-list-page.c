/* air-zone-list-page.c
 *
 * What the Credentials and Templates pages have in common: the session
 * they show, a cancellable for the page's life (cancelled when it is
 * closed, so that an answer arriving later changes nothing), a count of
 * the lists being asked for (the "loading" property a spinner follows) and
 * the dialog the page opened last, held weakly. A page follows the
 * session's zones (zones_changed) and lists what they have (refresh).
 * A failed change is shown across the top of the page in the peer's own
 * words (the banner, page.dismiss-error hides it); a change is an
 * AirZoneListOp, a job in the session's list, after which the page lists
 * again; one that cannot be undone is confirmed first (confirm).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-list-page"

#include "config.h"

#include "air-confirm-dialog.h"
#include "air-zone-list-page.h"
#include "air-zone-list-parts.h"

typedef struct
{
  /* Borrowed references: the subclass's template widgets */
  GtkRevealer  *error_revealer;
  GtkLabel     *error_label;

  /* Owned references */
  AirSession   *session;
  GCancellable *cancellable;   /* the page's life */
  GWeakRef      dialog;
  guint         loading;
  char         *error;         /* the banner's text, or NULL */
} AirZoneListPagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (AirZoneListPage, air_zone_list_page, GTK_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
air_zone_list_page_dispose (GObject *object)
{
  AirZoneListPage *self = (AirZoneListPage *)object;
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  if (priv->cancellable != NULL)
    g_cancellable_cancel (priv->cancellable);
  /* The subclass disposed of its template already. */
  priv->error_revealer = NULL;
  priv->error_label = NULL;

  G_OBJECT_CLASS (air_zone_list_page_parent_class)->dispose (object);
}

static void
air_zone_list_page_finalize (GObject *object)
{
  AirZoneListPage *self = (AirZoneListPage *)object;
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  g_weak_ref_clear (&priv->dialog);
  g_clear_object (&priv->session);
  g_clear_object (&priv->cancellable);
  g_clear_pointer (&priv->error, g_free);

  G_OBJECT_CLASS (air_zone_list_page_parent_class)->finalize (object);
}

static void
air_zone_list_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  AirZoneListPage *self = AIR_ZONE_LIST_PAGE (object);
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, priv->session);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, priv->loading > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_zone_list_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  AirZoneListPage *self = AIR_ZONE_LIST_PAGE (object);
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION:
      priv->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AIR_ZONE_LIST_PAGE_GET_CLASS (widget)->refresh (AIR_ZONE_LIST_PAGE (widget));
}

static void
dismiss_error_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  air_zone_list_page_show_error (AIR_ZONE_LIST_PAGE (widget), NULL, NULL);
}

static void
air_zone_list_page_class_init (AirZoneListPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_zone_list_page_dispose;
  object_class->finalize = air_zone_list_page_finalize;
  object_class->get_property = air_zone_list_page_get_property;
  object_class->set_property = air_zone_list_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, AIR_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Subclasses inherit these. */
  gtk_widget_class_install_action (widget_class, "page.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "page.dismiss-error", NULL, dismiss_error_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "page.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
air_zone_list_page_init (AirZoneListPage *self)
{
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  priv->cancellable = g_cancellable_new ();
  g_weak_ref_init (&priv->dialog, NULL);
}

AirSession *
air_zone_list_page_get_session (AirZoneListPage *self)
{
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  g_return_val_if_fail (AIR_IS_ZONE_LIST_PAGE (self), NULL);
  return priv->session;
}

/* Cancelled when the page is closed. */
GCancellable *
air_zone_list_page_get_cancellable (AirZoneListPage *self)
{
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  g_return_val_if_fail (AIR_IS_ZONE_LIST_PAGE (self), NULL);
  return priv->cancellable;
}

/* Whether the page was closed: what arrives now changes nothing. */
gboolean
air_zone_list_page_is_gone (AirZoneListPage *self)
{
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  g_return_val_if_fail (AIR_IS_ZONE_LIST_PAGE (self), TRUE);
  return priv->cancellable == NULL || g_cancellable_is_cancelled (priv->cancellable);
}

gboolean
air_zone_list_page_get_loading (AirZoneListPage *self)
{
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  g_return_val_if_fail (AIR_IS_ZONE_LIST_PAGE (self), FALSE);
  return priv->loading > 0;
}

/* One more list asked for (@more), or one fewer. */
void
air_zone_list_page_set_loading (AirZoneListPage *self,
                                gboolean         more)
{
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  g_return_if_fail (AIR_IS_ZONE_LIST_PAGE (self));

  if (more)
    priv->loading++;
  else if (priv->loading > 0)
    priv->loading--;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/**
 * air_zone_list_page_get_dialog:
 *
 * Returns: (transfer none) (nullable): the dialog the page opened last, while
 *   it is open
 */
GtkWindow *
air_zone_list_page_get_dialog (AirZoneListPage *self)
{
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);
  GtkWindow *dialog;

  g_return_val_if_fail (AIR_IS_ZONE_LIST_PAGE (self), NULL);

  /* An open toplevel is kept alive by GTK's list of toplevels. */
  dialog = g_weak_ref_get (&priv->dialog);
  if (dialog != NULL)
    g_object_unref (dialog);
  return dialog;
}

void
air_zone_list_page_set_dialog (AirZoneListPage *self,
                               GtkWindow       *dialog)
{
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  g_return_if_fail (AIR_IS_ZONE_LIST_PAGE (self));
  g_weak_ref_set (&priv->dialog, dialog);
}

static void
zones_changed_cb (GListModel      *zones,
                  guint            position,
                  guint            removed,
                  guint            added,
                  AirZoneListPage *self)
{
  AIR_ZONE_LIST_PAGE_GET_CLASS (self)->zones_changed (self, zones, added);
}

/* Once the subclass has what it needs: follows the session's zones, and
 * asks for the lists. */
void
air_zone_list_page_start (AirZoneListPage *self)
{
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);
  GListModel *zones;

  g_return_if_fail (AIR_IS_ZONE_LIST_PAGE (self));
  g_return_if_fail (priv->session != NULL);

  zones = air_session_get_zones (priv->session);
  g_signal_connect_object (zones, "items-changed", G_CALLBACK (zones_changed_cb), self, 0);
  zones_changed_cb (zones, 0, 0, 0, self);
  AIR_ZONE_LIST_PAGE_GET_CLASS (self)->refresh (self);
}

/* The subclass's banner: @label in @revealer, both template widgets. */
void
air_zone_list_page_set_banner (AirZoneListPage *self,
                               GtkRevealer     *revealer,
                               GtkLabel        *label)
{
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  g_return_if_fail (AIR_IS_ZONE_LIST_PAGE (self));
  g_return_if_fail (GTK_IS_REVEALER (revealer));
  g_return_if_fail (GTK_IS_LABEL (label));

  priv->error_revealer = revealer;
  priv->error_label = label;
}

/* Shows "WHAT: MESSAGE" across the top of the page. @message is the
 * peer's or the transport's text: shown as plain text, made safe and
 * short first. %NULL hides the banner. */
void
air_zone_list_page_show_error (AirZoneListPage *self,
                               const char      *what,
                               const char      *message)
{
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  g_return_if_fail (AIR_IS_ZONE_LIST_PAGE (self));
  g_return_if_fail (priv->error_revealer != NULL);

  g_free (priv->error);
  priv->error = air_zone_list_show_error (priv->error_revealer, priv->error_label, what, message);
}

/* The failed change shown across the top; %NULL when there is none. */
const char *
air_zone_list_page_get_error (AirZoneListPage *self)
{
  AirZoneListPagePrivate *priv = air_zone_list_page_get_instance_private (self);

  g_return_val_if_fail (AIR_IS_ZONE_LIST_PAGE (self), NULL);
  return priv->error;
}

/* Shows @dialog, which the page opened, and keeps it as the page's dialog. */
void
air_zone_list_page_present (AirZoneListPage *self,
                            GtkWindow       *dialog)
{
  g_return_if_fail (AIR_IS_ZONE_LIST_PAGE (self));
  g_return_if_fail (GTK_IS_WINDOW (dialog));

  air_zone_list_page_set_dialog (self, dialog);
  gtk_window_present (dialog);
}

/* What a confirmation is about: the page is held weakly, so that an
 * open confirmation does not keep a closed page alive. */
typedef struct {
  GWeakRef                page;
  char                   *zone;
  char                   *item;
  AirZoneListConfirmFunc  confirmed;
} ConfirmTarget;

static void
confirm_target_free (gpointer  data,
                     GClosure *closure)
{
  ConfirmTarget *target = data;

  g_weak_ref_clear (&target->page);
  g_free (target->zone);
  g_free (target->item);
  g_free (target);
}

static void
confirmed_cb (AirConfirmDialog *dialog,
              ConfirmTarget    *target)
{
  g_autoptr(AirZoneListPage) self = g_weak_ref_get (&target->page);

  if (self != NULL)
    target->confirmed (self, target->zone, target->item);
}

/* Asks @heading with @body; @confirmed is called with @zone and @item
 * (a credential's kind, a template's name) when the user accepts. */
void
air_zone_list_page_confirm (AirZoneListPage        *self,
                            const char             *heading,
                            const char             *body,
                            const char             *accept_label,
                            const char             *zone,
                            const char             *item,
                            AirZoneListConfirmFunc  confirmed)
{
  AirConfirmDialog *dialog;
  ConfirmTarget *target;

  g_return_if_fail (AIR_IS_ZONE_LIST_PAGE (self));
  g_return_if_fail (confirmed != NULL);

  dialog = air_confirm_dialog_new (GTK_WINDOW (self), heading, body, accept_label);
  target = g_new0 (ConfirmTarget, 1);
  g_weak_ref_init (&target->page, self);
  target->zone = g_strdup (zone);
  target->item = g_strdup (item);
  target->confirmed = confirmed;
  g_signal_connect_data (dialog, "confirmed", G_CALLBACK (confirmed_cb), target, confirm_target_free, 0);
  air_zone_list_page_present (self, GTK_WINDOW (dialog));
}

/**
 * air_zone_list_op_new:
 * @title: the job's title
 * @failure: what the banner says failed, should the operation fail
 * @loading: whether the page's "loading" counts the operation while it runs
 *
 * Returns: (transfer full): the operation, its job in the session's list
 */
AirZoneListOp *
air_zone_list_op_new (AirZoneListPage *page,
                      const char      *zone,
                      const char      *title,
                      const char      *failure,
                      gboolean         loading)
{
  AirZoneListOp *op;

  g_return_val_if_fail (AIR_IS_ZONE_LIST_PAGE (page), NULL);

  op = g_new0 (AirZoneListOp, 1);
  op->page = g_object_ref (page);
  op->job = air_job_new (title, zone);
  op->failure = g_strdup (failure);
  op->loading = loading;
  air_session_add_job (air_zone_list_page_get_session (page), op->job);
  if (loading)
    air_zone_list_page_set_loading (page, TRUE);
  return op;
}

/* Ends the job with @error, or as done; then, unless the page was closed,
 * shows the failure (a cancelled job's banner stays as it was) or clears
 * the banner, and lists again. */
void
air_zone_list_op_finish (AirZoneListOp *op,
                         const GError  *error)
{
  AirZoneListPage *self = op->page;

  if (error != NULL)
    air_job_fail (op->job, error);
  else
    air_job_succeed (op->job);

  if (air_zone_list_page_is_gone (self))
    return;

  if (op->loading)
    air_zone_list_page_set_loading (self, FALSE);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    air_zone_list_page_show_error (self, op->failure, error->message);
  else if (error == NULL)
    air_zone_list_page_show_error (self, NULL, NULL);
  AIR_ZONE_LIST_PAGE_GET_CLASS (self)->refresh (self);
}

void
air_zone_list_op_free (AirZoneListOp *op)
{
  g_clear_object (&op->page);
  g_clear_object (&op->job);
  g_free (op->failure);
  g_free (op);
}
