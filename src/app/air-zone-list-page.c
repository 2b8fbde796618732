/* air-zone-list-page.c
 *
 * What the Credentials and Templates pages have in common: the session
 * they show, a cancellable for the page's life (cancelled when it is
 * closed, so that an answer arriving later changes nothing), a count of
 * the lists being asked for (the "loading" property a spinner follows) and
 * the dialog the page opened last, held weakly. A page follows the
 * session's zones (zones_changed) and lists what they have (refresh).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone-list-page"

#include "config.h"

#include "air-zone-list-page.h"

typedef struct
{
  /* Owned references */
  AirSession   *session;
  GCancellable *cancellable;   /* the page's life */
  GWeakRef      dialog;
  guint         loading;
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
air_zone_list_page_class_init (AirZoneListPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

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
