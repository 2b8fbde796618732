/* air-status-notifier.c
 *
 * GTK 4 has no tray icon, so the item speaks the StatusNotifierItem
 * protocol itself: an object on the session bus whose properties the panel
 * reads (icon name, status, tooltip, the path of its dbusmenu) and whose
 * methods it calls (Activate on a left click). The panel learns about the
 * item from the StatusNotifierWatcher: the item registers with it whenever
 * one appears — at start, later, or after the watcher restarted — and is
 * simply not shown while there is none.
 *
 * Text in the tooltip body may be read as markup by the panel: it is
 * escaped here, whatever the caller passes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-status-notifier"

#include "config.h"

#include "air-status-notifier.h"
#include "air-status-notifier-skeleton.h"
#include "air-utils.h"

#define WATCHER_PATH      "/StatusNotifierWatcher"
#define WATCHER_INTERFACE "org.kde.StatusNotifierWatcher"

struct _AirStatusNotifier
{
  GObject                  parent_instance;

  /* Owned references */
  AirDBusMenu             *menu;
  AirDBusStatusNotifierItem *skeleton;  /* the item's properties, as panels read them */
  GDBusConnection         *connection;
  GCancellable            *register_cancellable;
  char                    *id;
  char                    *title;
  char                    *icon_name;
  char                    *attention_icon_name;
  GVariant                *icon_pixmaps;     /* a(iiay), or NULL */
  char                    *tooltip_title;
  char                    *tooltip_body;   /* escaped */

  AirStatusNotifierStatus  status;
  gboolean                 exported;
  guint                    watch_id;
  gboolean                 registered;
  gboolean                 watched;
};

G_DEFINE_FINAL_TYPE (AirStatusNotifier, air_status_notifier, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REGISTERED,
  PROP_WATCHED,
  PROP_STATUS,
  N_PROPS
};

enum {
  ACTIVATE,
  SECONDARY_ACTIVATE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *
status_to_string (AirStatusNotifierStatus status)
{
  switch (status)
    {
    case AIR_STATUS_NOTIFIER_PASSIVE: return "Passive";
    case AIR_STATUS_NOTIFIER_NEEDS_ATTENTION: return "NeedsAttention";
    case AIR_STATUS_NOTIFIER_ACTIVE:
    default: return "Active";
    }
}

static void
set_registered (AirStatusNotifier *self,
                gboolean           registered)
{
  if (self->registered == registered)
    return;
  self->registered = registered;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTERED]);
}

static void
set_watched (AirStatusNotifier *self,
             gboolean           watched)
{
  if (self->watched == watched)
    return;
  self->watched = watched;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WATCHED]);
}

/* A left or middle click; the panel shows the Menu itself on a right
 * click, and scrolling means nothing here. */
static gboolean
handle_activate (AirDBusStatusNotifierItem *skeleton,
                 GDBusMethodInvocation     *invocation,
                 int                        x,
                 int                        y,
                 AirStatusNotifier         *self)
{
  g_autoptr(AirStatusNotifier) keep = g_object_ref (self);

  air_dbus_status_notifier_item_complete_activate (skeleton, invocation);
  g_signal_emit (self, signals[ACTIVATE], 0, x, y);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_secondary_activate (AirDBusStatusNotifierItem *skeleton,
                           GDBusMethodInvocation     *invocation,
                           int                        x,
                           int                        y,
                           AirStatusNotifier         *self)
{
  g_autoptr(AirStatusNotifier) keep = g_object_ref (self);

  air_dbus_status_notifier_item_complete_secondary_activate (skeleton, invocation);
  g_signal_emit (self, signals[SECONDARY_ACTIVATE], 0, x, y);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_context_menu (AirDBusStatusNotifierItem *skeleton,
                     GDBusMethodInvocation     *invocation,
                     int                        x,
                     int                        y,
                     AirStatusNotifier         *self)
{
  air_dbus_status_notifier_item_complete_context_menu (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_scroll (AirDBusStatusNotifierItem *skeleton,
               GDBusMethodInvocation     *invocation,
               int                        delta,
               const char                *orientation,
               AirStatusNotifier         *self)
{
  air_dbus_status_notifier_item_complete_scroll (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static GVariant *
no_pixmaps (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
}

/* The item's properties as the panel reads them, from ours. Panels learn
 * of changes from the New* signals that follow. */
static void
update_skeleton (AirStatusNotifier *self)
{
  AirDBusStatusNotifierItem *item = self->skeleton;

  air_dbus_status_notifier_item_set_category (item, "ApplicationStatus");
  air_dbus_status_notifier_item_set_id (item, self->id ? self->id : "");
  air_dbus_status_notifier_item_set_title (item, self->title ? self->title : "");
  air_dbus_status_notifier_item_set_status (item, status_to_string (self->status));
  air_dbus_status_notifier_item_set_window_id (item, 0);
  air_dbus_status_notifier_item_set_icon_name (item, self->icon_name ? self->icon_name : "");
  air_dbus_status_notifier_item_set_attention_icon_name (item, self->attention_icon_name ? self->attention_icon_name : "");
  air_dbus_status_notifier_item_set_overlay_icon_name (item, "");
  air_dbus_status_notifier_item_set_attention_movie_name (item, "");
  /* The icon drawn, for hosts that cannot find it by name (an icon
   * installed nowhere they look). */
  air_dbus_status_notifier_item_set_icon_pixmap (item, self->icon_pixmaps ? self->icon_pixmaps : no_pixmaps ());
  air_dbus_status_notifier_item_set_attention_icon_pixmap (item,
                                                           self->icon_pixmaps && self->attention_icon_name
                                                           ? self->icon_pixmaps : no_pixmaps ());
  air_dbus_status_notifier_item_set_overlay_icon_pixmap (item, no_pixmaps ());
  air_dbus_status_notifier_item_set_tool_tip (item,
                                              g_variant_new ("(s@a(iiay)ss)",
                                                             self->icon_name ? self->icon_name : "",
                                                             no_pixmaps (),
                                                             self->tooltip_title ? self->tooltip_title : "",
                                                             self->tooltip_body ? self->tooltip_body : ""));
  air_dbus_status_notifier_item_set_item_is_menu (item, FALSE);
  air_dbus_status_notifier_item_set_menu (item, AIR_STATUS_NOTIFIER_MENU_PATH);
}

static void
register_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AirStatusNotifier) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (reply == NULL)
    {
      /* Not fatal: without a panel the application still works. */
      g_debug ("The StatusNotifierWatcher refused the item: %s", error->message);
      set_registered (self, FALSE);
      return;
    }

  g_debug ("Registered with the StatusNotifierWatcher");
  set_registered (self, TRUE);
}

/* A watcher is there (first, or again after a restart): register with it. */
static void
watcher_appeared_cb (GDBusConnection *connection,
                     const char      *name,
                     const char      *name_owner,
                     gpointer         user_data)
{
  AirStatusNotifier *self = user_data;

  if (self->register_cancellable != NULL)
    g_cancellable_cancel (self->register_cancellable);
  g_clear_object (&self->register_cancellable);
  self->register_cancellable = g_cancellable_new ();

  /* Before registering: what the item shows is current when the watcher's
   * host first reads it. */
  set_watched (self, TRUE);

  /* Our unique name: the watcher looks for the item at its usual path. */
  g_dbus_connection_call (connection, name_owner, WATCHER_PATH, WATCHER_INTERFACE,
                          "RegisterStatusNotifierItem",
                          g_variant_new ("(s)", g_dbus_connection_get_unique_name (connection)),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, self->register_cancellable,
                          register_cb, g_object_ref (self));
}

static void
watcher_vanished_cb (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  AirStatusNotifier *self = user_data;

  if (self->register_cancellable != NULL)
    g_cancellable_cancel (self->register_cancellable);
  g_clear_object (&self->register_cancellable);
  set_registered (self, FALSE);
  set_watched (self, FALSE);
}

static void
air_status_notifier_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  AirStatusNotifier *self = AIR_STATUS_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_REGISTERED:
      g_value_set_boolean (value, self->registered);
      break;
    case PROP_WATCHED:
      g_value_set_boolean (value, self->watched);
      break;
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_status_notifier_dispose (GObject *object)
{
  AirStatusNotifier *self = (AirStatusNotifier *)object;

  air_status_notifier_unexport (self);
  g_clear_object (&self->menu);
  g_clear_object (&self->skeleton);

  G_OBJECT_CLASS (air_status_notifier_parent_class)->dispose (object);
}

static void
air_status_notifier_finalize (GObject *object)
{
  AirStatusNotifier *self = (AirStatusNotifier *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->icon_name, g_free);
  g_clear_pointer (&self->attention_icon_name, g_free);
  g_clear_pointer (&self->icon_pixmaps, g_variant_unref);
  g_clear_pointer (&self->tooltip_title, g_free);
  g_clear_pointer (&self->tooltip_body, g_free);

  G_OBJECT_CLASS (air_status_notifier_parent_class)->finalize (object);
}

static void
air_status_notifier_class_init (AirStatusNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = air_status_notifier_dispose;
  object_class->finalize = air_status_notifier_finalize;
  object_class->get_property = air_status_notifier_get_property;

  /* A watcher has the item: a panel can show it. */
  properties[PROP_REGISTERED] =
    g_param_spec_boolean ("registered", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* A StatusNotifierWatcher is on the bus (the item registers with it):
   * what the item shows is worth keeping current. */
  properties[PROP_WATCHED] =
    g_param_spec_boolean ("watched", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL,
                      AIR_STATUS_NOTIFIER_PASSIVE, AIR_STATUS_NOTIFIER_NEEDS_ATTENTION,
                      AIR_STATUS_NOTIFIER_ACTIVE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A left click on the item (x, y: where, in screen coordinates). */
  signals[ACTIVATE] =
    g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
  signals[SECONDARY_ACTIVATE] =
    g_signal_new ("secondary-activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
}

static void
air_status_notifier_init (AirStatusNotifier *self)
{
  self->status = AIR_STATUS_NOTIFIER_ACTIVE;
  self->skeleton = air_dbus_status_notifier_item_skeleton_new ();
  g_signal_connect_object (self->skeleton, "handle-activate", G_CALLBACK (handle_activate), self, 0);
  g_signal_connect_object (self->skeleton, "handle-secondary-activate",
                           G_CALLBACK (handle_secondary_activate), self, 0);
  g_signal_connect_object (self->skeleton, "handle-context-menu", G_CALLBACK (handle_context_menu), self, 0);
  g_signal_connect_object (self->skeleton, "handle-scroll", G_CALLBACK (handle_scroll), self, 0);
}

/**
 * air_status_notifier_new:
 * @id: the item's Id, stable across runs (the application id)
 * @title: its name as people read it
 * @menu: the menu, exported beside the item
 */
AirStatusNotifier *
air_status_notifier_new (const char  *id,
                         const char  *title,
                         AirDBusMenu *menu)
{
  AirStatusNotifier *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (AIR_IS_DBUS_MENU (menu), NULL);

  self = g_object_new (AIR_TYPE_STATUS_NOTIFIER, NULL);
  self->id = g_strdup (id);
  self->title = g_strdup (title);
  self->menu = g_object_ref (menu);
  update_skeleton (self);
  return self;
}

/* Exports the item and its menu on @connection and registers with every
 * StatusNotifierWatcher that comes along. */
gboolean
air_status_notifier_export (AirStatusNotifier  *self,
                            GDBusConnection    *connection,
                            GError            **error)
{
  g_return_val_if_fail (AIR_IS_STATUS_NOTIFIER (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (self->connection == NULL, FALSE);

  if (!air_dbus_menu_export (self->menu, connection, AIR_STATUS_NOTIFIER_MENU_PATH, error))
    return FALSE;

  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection,
                                         AIR_STATUS_NOTIFIER_ITEM_PATH, error))
    {
      air_dbus_menu_unexport (self->menu);
      return FALSE;
    }

  self->exported = TRUE;
  self->connection = g_object_ref (connection);
  self->watch_id = g_bus_watch_name_on_connection (connection, AIR_STATUS_NOTIFIER_WATCHER,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   watcher_appeared_cb, watcher_vanished_cb,
                                                   self, NULL);
  return TRUE;
}

void
air_status_notifier_unexport (AirStatusNotifier *self)
{
  g_return_if_fail (AIR_IS_STATUS_NOTIFIER (self));

  if (self->register_cancellable != NULL)
    g_cancellable_cancel (self->register_cancellable);
  g_clear_object (&self->register_cancellable);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  if (self->exported)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
  self->exported = FALSE;
  if (self->menu != NULL)
    air_dbus_menu_unexport (self->menu);
  g_clear_object (&self->connection);
  set_registered (self, FALSE);
  set_watched (self, FALSE);
}

gboolean
air_status_notifier_get_registered (AirStatusNotifier *self)
{
  g_return_val_if_fail (AIR_IS_STATUS_NOTIFIER (self), FALSE);
  return self->registered;
}

gboolean
air_status_notifier_get_watched (AirStatusNotifier *self)
{
  g_return_val_if_fail (AIR_IS_STATUS_NOTIFIER (self), FALSE);
  return self->watched;
}

AirStatusNotifierStatus
air_status_notifier_get_status (AirStatusNotifier *self)
{
  g_return_val_if_fail (AIR_IS_STATUS_NOTIFIER (self), AIR_STATUS_NOTIFIER_ACTIVE);
  return self->status;
}

void
air_status_notifier_set_status (AirStatusNotifier       *self,
                                AirStatusNotifierStatus  status)
{
  g_return_if_fail (AIR_IS_STATUS_NOTIFIER (self));

  if (self->status == status)
    return;
  self->status = status;
  update_skeleton (self);
  air_dbus_status_notifier_item_emit_new_status (self->skeleton, status_to_string (status));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

void
air_status_notifier_set_icon_name (AirStatusNotifier *self,
                                   const char        *icon_name)
{
  g_return_if_fail (AIR_IS_STATUS_NOTIFIER (self));

  if (air_set_str (&self->icon_name, icon_name))
    {
      update_skeleton (self);
      air_dbus_status_notifier_item_emit_new_icon (self->skeleton);
    }
}

/* The icon's pixels, a(iiay): width, height, ARGB32 in network byte
 * order, in as many sizes as given. */
void
air_status_notifier_set_icon_pixmaps (AirStatusNotifier *self,
                                      GVariant          *pixmaps)
{
  g_return_if_fail (AIR_IS_STATUS_NOTIFIER (self));
  g_return_if_fail (pixmaps == NULL || g_variant_is_of_type (pixmaps, G_VARIANT_TYPE ("a(iiay)")));

  if (pixmaps != NULL)
    g_variant_ref_sink (pixmaps);
  g_clear_pointer (&self->icon_pixmaps, g_variant_unref);
  self->icon_pixmaps = pixmaps;
  update_skeleton (self);
  air_dbus_status_notifier_item_emit_new_icon (self->skeleton);
}

void
air_status_notifier_set_attention_icon_name (AirStatusNotifier *self,
                                             const char        *icon_name)
{
  g_return_if_fail (AIR_IS_STATUS_NOTIFIER (self));

  if (air_set_str (&self->attention_icon_name, icon_name))
    {
      update_skeleton (self);
      air_dbus_status_notifier_item_emit_new_attention_icon (self->skeleton);
    }
}

/* @body is plain text; it is escaped for panels that read it as markup. */
void
air_status_notifier_set_tooltip (AirStatusNotifier *self,
                                 const char        *title,
                                 const char        *body)
{
  g_autofree char *escaped = NULL;
  gboolean changed;

  g_return_if_fail (AIR_IS_STATUS_NOTIFIER (self));

  escaped = body ? g_markup_escape_text (body, -1) : NULL;
  changed = air_set_str (&self->tooltip_title, title);
  changed |= air_set_str (&self->tooltip_body, escaped);
  if (changed)
    {
      update_skeleton (self);
      air_dbus_status_notifier_item_emit_new_tool_tip (self->skeleton);
    }
}
