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
#include "air-utils.h"

#define ITEM_INTERFACE    "org.kde.StatusNotifierItem"
#define WATCHER_PATH      "/StatusNotifierWatcher"
#define WATCHER_INTERFACE "org.kde.StatusNotifierWatcher"

static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.kde.StatusNotifierItem'>"
  "    <property name='Category' type='s' access='read'/>"
  "    <property name='Id' type='s' access='read'/>"
  "    <property name='Title' type='s' access='read'/>"
  "    <property name='Status' type='s' access='read'/>"
  "    <property name='WindowId' type='i' access='read'/>"
  "    <property name='IconName' type='s' access='read'/>"
  "    <property name='IconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='OverlayIconName' type='s' access='read'/>"
  "    <property name='OverlayIconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='AttentionIconName' type='s' access='read'/>"
  "    <property name='AttentionIconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='AttentionMovieName' type='s' access='read'/>"
  "    <property name='ToolTip' type='(sa(iiay)ss)' access='read'/>"
  "    <property name='ItemIsMenu' type='b' access='read'/>"
  "    <property name='Menu' type='o' access='read'/>"
  "    <method name='ContextMenu'>"
  "      <arg type='i' name='x' direction='in'/>"
  "      <arg type='i' name='y' direction='in'/>"
  "    </method>"
  "    <method name='Activate'>"
  "      <arg type='i' name='x' direction='in'/>"
  "      <arg type='i' name='y' direction='in'/>"
  "    </method>"
  "    <method name='SecondaryActivate'>"
  "      <arg type='i' name='x' direction='in'/>"
  "      <arg type='i' name='y' direction='in'/>"
  "    </method>"
  "    <method name='Scroll'>"
  "      <arg type='i' name='delta' direction='in'/>"
  "      <arg type='s' name='orientation' direction='in'/>"
  "    </method>"
  "    <signal name='NewTitle'/>"
  "    <signal name='NewIcon'/>"
  "    <signal name='NewAttentionIcon'/>"
  "    <signal name='NewOverlayIcon'/>"
  "    <signal name='NewToolTip'/>"
  "    <signal name='NewStatus'>"
  "      <arg type='s' name='status'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

struct _AirStatusNotifier
{
  GObject                  parent_instance;

  /* Owned references */
  AirDBusMenu             *menu;
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
  guint                    registration_id;
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
static GDBusNodeInfo *introspection_data;

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
emit (AirStatusNotifier *self,
      const char        *signal,
      GVariant          *parameters)
{
  g_autoptr(GError) error = NULL;

  if (self->connection == NULL || self->registration_id == 0)
    {
      if (parameters != NULL)
        g_variant_unref (g_variant_ref_sink (parameters));
      return;
    }

  if (!g_dbus_connection_emit_signal (self->connection, NULL, AIR_STATUS_NOTIFIER_ITEM_PATH,
                                      ITEM_INTERFACE, signal, parameters, &error))
    g_debug ("Could not emit %s: %s", signal, error->message);
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
  g_autoptr(AirStatusNotifier) self = g_object_ref (user_data);
  int x = 0, y = 0;

  if (g_str_equal (method_name, "Activate") || g_str_equal (method_name, "SecondaryActivate"))
    {
      g_variant_get (parameters, "(ii)", &x, &y);
      g_dbus_method_invocation_return_value (invocation, NULL);
      g_signal_emit (self, signals[g_str_equal (method_name, "Activate") ? ACTIVATE : SECONDARY_ACTIVATE],
                     0, x, y);
    }
  else if (g_str_equal (method_name, "ContextMenu") || g_str_equal (method_name, "Scroll"))
    {
      /* The panel shows the Menu itself; scrolling means nothing here. */
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "Unknown method %s", method_name);
}

static GVariant *
no_pixmaps (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
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
  AirStatusNotifier *self = user_data;

  if (g_str_equal (property_name, "Category"))
    return g_variant_new_string ("ApplicationStatus");
  if (g_str_equal (property_name, "Id"))
    return g_variant_new_string (self->id);
  if (g_str_equal (property_name, "Title"))
    return g_variant_new_string (self->title);
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string (status_to_string (self->status));
  if (g_str_equal (property_name, "WindowId"))
    return g_variant_new_int32 (0);
  if (g_str_equal (property_name, "IconName"))
    return g_variant_new_string (self->icon_name ? self->icon_name : "");
  if (g_str_equal (property_name, "AttentionIconName"))
    return g_variant_new_string (self->attention_icon_name ? self->attention_icon_name : "");
  if (g_str_equal (property_name, "OverlayIconName") || g_str_equal (property_name, "AttentionMovieName"))
    return g_variant_new_string ("");
  /* The icon drawn, for hosts that cannot find it by name (an icon
   * installed nowhere they look). */
  if (g_str_equal (property_name, "IconPixmap") ||
      (g_str_equal (property_name, "AttentionIconPixmap") && self->attention_icon_name != NULL))
    return self->icon_pixmaps ? g_variant_ref (self->icon_pixmaps) : no_pixmaps ();
  if (g_str_has_suffix (property_name, "Pixmap"))
    return no_pixmaps ();
  if (g_str_equal (property_name, "ToolTip"))
    return g_variant_new ("(s@a(iiay)ss)", self->icon_name ? self->icon_name : "", no_pixmaps (),
                          self->tooltip_title ? self->tooltip_title : "",
                          self->tooltip_body ? self->tooltip_body : "");
  if (g_str_equal (property_name, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  if (g_str_equal (property_name, "Menu"))
    return g_variant_new_object_path (AIR_STATUS_NOTIFIER_MENU_PATH);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable vtable = {
  .method_call = method_call,
  .get_property = get_property,
};

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

  introspection_data = g_dbus_node_info_new_for_xml (introspection_xml, NULL);
  g_assert (introspection_data != NULL);
}

static void
air_status_notifier_init (AirStatusNotifier *self)
{
  self->status = AIR_STATUS_NOTIFIER_ACTIVE;
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

  self->registration_id =
    g_dbus_connection_register_object (connection, AIR_STATUS_NOTIFIER_ITEM_PATH,
                                       introspection_data->interfaces[0], &vtable, self, NULL, error);
  if (self->registration_id == 0)
    {
      air_dbus_menu_unexport (self->menu);
      return FALSE;
    }

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
  if (self->connection != NULL && self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
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
  emit (self, "NewStatus", g_variant_new ("(s)", status_to_string (status)));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

void
air_status_notifier_set_icon_name (AirStatusNotifier *self,
                                   const char        *icon_name)
{
  g_return_if_fail (AIR_IS_STATUS_NOTIFIER (self));

  if (air_set_str (&self->icon_name, icon_name))
    emit (self, "NewIcon", NULL);
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
  emit (self, "NewIcon", NULL);
}

void
air_status_notifier_set_attention_icon_name (AirStatusNotifier *self,
                                             const char        *icon_name)
{
  g_return_if_fail (AIR_IS_STATUS_NOTIFIER (self));

  if (air_set_str (&self->attention_icon_name, icon_name))
    emit (self, "NewAttentionIcon", NULL);
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
    emit (self, "NewToolTip", NULL);
}
