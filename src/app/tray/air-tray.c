/* air-tray.c
 *
 * The tray indicator is a view of the session, like the window: a glance
 * says whether every zone is reachable and what runs where. Its status is
 * Active while all zones answer, NeedsAttention while one is down or a job
 * failed that the user has not seen yet (the tooltip names which). Its
 * menu has one submenu per zone — health, then each qube with its state and
 * Start / Shut down / Run Terminal — the running jobs, "Open Qubes Air" and
 * "Quit"; the menu names actions of the tray's own action group, which call
 * the session.
 *
 * Icon, status and tooltip are recomputed in one idle callback after the
 * session changed (a zone's link: its state, its counts, its qubes), so a
 * zone sending a burst of events costs one update, from the links' kept
 * counts (no scan). The menu, the costly part (a
 * submenu per qube), is built only when the panel asks for it (the
 * dbusmenu exporter's populate function), and the panel is only told that
 * it changed. Without a StatusNotifierWatcher on the bus nothing is done
 * at all: no panel can show any of it.
 *
 * The menu itself is built in air-tray-menu.c.
 *
 * Names in labels were validated by the session (zone and qube names);
 * reasons and job titles were made safe by AirZone and AirJob.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-tray"

#include "config.h"

#include <glib/gi18n.h>

#include "air-dbus-menu.h"
#include "air-label-colors.h"
#include "air-names.h"
#include "air-tray-private.h"
#include "air-tray.h"

G_DEFINE_FINAL_TYPE (AirTray, air_tray, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_IN_USE,
  N_PROPS
};

enum {
  OPEN_WINDOW,
  QUIT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void queue_update (AirTray *self);

/* "zone/qube", as the actions take it. */
static gboolean
split_target (GVariant  *parameter,
              char     **zone,
              char     **name)
{
  const char *target = g_variant_get_string (parameter, NULL);
  g_auto(GStrv) parts = g_strsplit (target, "/", 2);

  if (g_strv_length (parts) != 2 || !air_name_is_valid (parts[0]) || !air_name_is_valid (parts[1]))
    return FALSE;
  *zone = g_strdup (parts[0]);
  *name = g_strdup (parts[1]);
  return TRUE;
}

static void
qube_action (AirTray       *self,
             GVariant      *parameter,
             AirZoneAction  action)
{
  g_autofree char *zone = NULL;
  g_autofree char *name = NULL;

  if (split_target (parameter, &zone, &name))
    air_session_qube_action (self->session, zone, name, action);
}

static void
start_qube_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  qube_action (user_data, parameter, AIR_ZONE_ACTION_START);
}

static void
shutdown_qube_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  qube_action (user_data, parameter, AIR_ZONE_ACTION_SHUTDOWN);
}

static void
run_terminal_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  AirTray *self = user_data;
  static const char * const argv[] = { "/bin/sh", "-c", AIR_TRAY_TERMINAL_SCRIPT, NULL };
  g_autofree char *zone = NULL;
  g_autofree char *name = NULL;

  /* The terminal's window comes from the qube (Qubes' GUI agent); the job
   * lasts as long as the terminal. */
  if (split_target (parameter, &zone, &name))
    air_session_run_command (self->session, zone, name, argv, _("Terminal"), FALSE);
}

static void
reconnect_zone_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  AirTray *self = user_data;

  air_session_reconnect_zone (self->session, g_variant_get_string (parameter, NULL));
}

static void
show_zone_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  AirTray *self = user_data;

  g_signal_emit (self, signals[OPEN_WINDOW], 0, g_variant_get_string (parameter, NULL));
}

static void
open_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  AirTray *self = user_data;

  /* The window lists the jobs: what failed is seen from now on. */
  air_tray_mark_seen (self);
  g_signal_emit (self, signals[OPEN_WINDOW], 0, NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_signal_emit (user_data, signals[QUIT], 0);
}

static const GActionEntry tray_actions[] = {
  { .name = "start-qube", .activate = start_qube_action, .parameter_type = "s" },
  { .name = "shutdown-qube", .activate = shutdown_qube_action, .parameter_type = "s" },
  { .name = "run-terminal", .activate = run_terminal_action, .parameter_type = "s" },
  { .name = "reconnect-zone", .activate = reconnect_zone_action, .parameter_type = "s" },
  { .name = "show-zone", .activate = show_zone_action, .parameter_type = "s" },
  { .name = "open", .activate = open_action },
  { .name = "quit", .activate = quit_action },
};

typedef struct {
  guint      running_qubes;
  guint      running_jobs;
  GPtrArray *down;       /* AirZone, borrowed */
} Summary;

/* What the icon and tooltip say: per zone, its link's kept counts. */
static void
summarise (AirTray *self,
           Summary *summary)
{
  GListModel *zones = air_session_get_zones (self->session);
  GListModel *jobs = air_session_get_jobs (self->session);

  for (guint i = 0, n = g_list_model_get_n_items (zones); i < n; i++)
    {
      g_autoptr(AirZone) zone = g_list_model_get_item (zones, i);
      AirZoneLink *link = air_session_get_link (self->session, air_zone_get_name (zone));

      if (link != NULL)
        summary->running_qubes += air_zone_link_get_n_running (link);
      if (air_zone_get_health (zone) == AIR_HEALTH_DOWN)
        g_ptr_array_add (summary->down, zone);   /* the session keeps it */
    }
  for (guint i = 0, n = g_list_model_get_n_items (jobs); i < n; i++)
    {
      g_autoptr(AirJob) job = g_list_model_get_item (jobs, i);

      if (!air_job_is_finished (job))
        summary->running_jobs++;
    }
}

/* The exporter's populate function: the panel asks for the menu. */
static void
populate_cb (gpointer user_data)
{
  AirTray *self = user_data;

  if (self->menu_stale)
    _air_tray_fill_menu (self);
}

static char *
tooltip_body (AirTray *self,
              Summary *summary)
{
  GString *body = g_string_new (NULL);
  guint n_zones = g_list_model_get_n_items (air_session_get_zones (self->session));

  if (summary->down->len == 0)
    g_string_append_printf (body, ngettext ("%u zone, reachable", "All %u zones reachable", n_zones), n_zones);
  for (guint i = 0; i < summary->down->len && i < MAX_NAMED_IN_TOOLTIP; i++)
    {
      AirZone *zone = g_ptr_array_index (summary->down, i);

      if (body->len > 0)
        g_string_append_c (body, '\n');
      g_string_append_printf (body, _("Zone “%s” is down"), air_zone_get_name (zone));
    }
  if (summary->down->len > MAX_NAMED_IN_TOOLTIP)
    g_string_append_printf (body, "\n%s", _("and more zones are down"));

  for (guint i = 0; i < self->unseen_failures->len && i < MAX_NAMED_IN_TOOLTIP; i++)
    {
      AirJob *job = g_ptr_array_index (self->unseen_failures, i);

      g_string_append_c (body, '\n');
      g_string_append_printf (body, _("“%s” failed"), air_job_get_title (job));
    }
  if (self->unseen_failures->len > MAX_NAMED_IN_TOOLTIP)
    g_string_append_printf (body, "\n%s", _("and more jobs failed"));

  g_string_append_c (body, '\n');
  g_string_append_printf (body, ngettext ("%u qube running", "%u qubes running", summary->running_qubes),
                          summary->running_qubes);
  g_string_append (body, " · ");
  g_string_append_printf (body, ngettext ("%u job running", "%u jobs running", summary->running_jobs),
                          summary->running_jobs);
  return g_string_free (body, FALSE);
}

/* @icon drawn at the sizes panels use, as a(iiay) ARGB32 (network byte
 * order): a host that cannot find the app's icon by name (not installed
 * where it looks) still shows it. Kept per icon name. */
static GVariant *
icon_pixmaps (AirTray    *self,
              const char *icon)
{
  static const int sizes[] = { 22, 32, 48 };
  GdkDisplay *display = gdk_display_get_default ();
  GVariantBuilder builder;
  GVariant *pixmaps;

  if (self->pixmaps == NULL)
    self->pixmaps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  if ((pixmaps = g_hash_table_lookup (self->pixmaps, icon)) != NULL)
    return pixmaps;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(iiay)"));
  for (guint i = 0; display != NULL && i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GtkIconPaintable) paintable =
        gtk_icon_theme_lookup_icon (gtk_icon_theme_get_for_display (display), icon, NULL, sizes[i], 1,
                                    GTK_TEXT_DIR_NONE, 0);
      g_autoptr(GFile) file = gtk_icon_paintable_get_file (paintable);
      g_autoptr(GInputStream) stream = file ? G_INPUT_STREAM (g_file_read (file, NULL, NULL)) : NULL;
      g_autoptr(GdkPixbuf) loaded = stream ? gdk_pixbuf_new_from_stream_at_scale (stream, sizes[i], sizes[i],
                                                                                  TRUE, NULL, NULL) : NULL;
      g_autoptr(GdkPixbuf) pixbuf = loaded ? gdk_pixbuf_add_alpha (loaded, FALSE, 0, 0, 0) : NULL;
      int width, height, stride;
      const guint8 *pixels;
      guint8 *argb;

      if (pixbuf == NULL)
        continue;
      width = gdk_pixbuf_get_width (pixbuf);
      height = gdk_pixbuf_get_height (pixbuf);
      stride = gdk_pixbuf_get_rowstride (pixbuf);
      pixels = gdk_pixbuf_read_pixels (pixbuf);
      argb = g_malloc ((gsize) width * height * 4);
      for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
          {
            const guint8 *rgba = pixels + y * stride + x * 4;
            guint8 *out = argb + ((gsize) y * width + x) * 4;

            out[0] = rgba[3];
            out[1] = rgba[0];
            out[2] = rgba[1];
            out[3] = rgba[2];
          }
      g_variant_builder_add (&builder, "(ii@ay)", width, height,
                             g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, argb, (gsize) width * height * 4,
                                                      TRUE, g_free, argb));
    }
  pixmaps = g_variant_ref_sink (g_variant_builder_end (&builder));
  g_hash_table_insert (self->pixmaps, g_strdup (icon), pixmaps);
  return pixmaps;
}

static gboolean
update_cb (gpointer user_data)
{
  AirTray *self = user_data;
  g_autofree char *body = NULL;
  Summary summary = { 0 };
  gboolean attention;
  const char *icon;

  self->update_id = 0;
  self->menu_stale = TRUE;
  /* No watcher, no panel: nothing to show (done when one comes). */
  if (!air_status_notifier_get_watched (self->notifier))
    return G_SOURCE_REMOVE;
  air_dbus_menu_invalidate (self->dbus_menu);

  summary.down = g_ptr_array_new ();
  summarise (self, &summary);
  body = tooltip_body (self, &summary);

  attention = summary.down->len > 0 || self->unseen_failures->len > 0;
  if (summary.down->len > 0)
    icon = "network-error";
  else if (attention)
    icon = "dialog-warning";
  else
    icon = AIR_APP_ID;

  air_status_notifier_set_icon_name (self->notifier, icon);
  if (g_strcmp0 (icon, self->shown_icon) != 0)
    {
      g_free (self->shown_icon);
      self->shown_icon = g_strdup (icon);
      air_status_notifier_set_icon_pixmaps (self->notifier, icon_pixmaps (self, icon));
    }
  air_status_notifier_set_attention_icon_name (self->notifier, attention ? icon : NULL);
  air_status_notifier_set_tooltip (self->notifier, _("Qubes Air"), body);
  air_status_notifier_set_status (self->notifier, attention ? AIR_STATUS_NOTIFIER_NEEDS_ATTENTION
                                                            : AIR_STATUS_NOTIFIER_ACTIVE);

  g_ptr_array_unref (summary.down);
  return G_SOURCE_REMOVE;
}

static void
queue_update (AirTray *self)
{
  if (self->update_id == 0)
    self->update_id = g_idle_add (update_cb, self);
}

static void
job_state_cb (AirJob     *job,
              GParamSpec *pspec,
              AirTray    *self)
{
  if (air_job_get_state (job) == AIR_JOB_FAILED &&
      !g_ptr_array_find (self->unseen_failures, job, NULL))
    {
      if (self->unseen_failures->len == MAX_UNSEEN_FAILURES)
        g_ptr_array_remove_index (self->unseen_failures, 0);
      g_ptr_array_add (self->unseen_failures, g_object_ref (job));
    }
  queue_update (self);
}

static void
jobs_changed_cb (GListModel *jobs,
                 guint       position,
                 guint       removed,
                 guint       added,
                 AirTray    *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(AirJob) job = g_list_model_get_item (jobs, i);

      /* A job is connected once, whatever moves it in the list. */
      if (g_signal_handler_find (job, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                                 job_state_cb, self) != 0)
        continue;
      g_signal_connect_object (job, "notify::state", G_CALLBACK (job_state_cb), self, 0);
      if (air_job_get_state (job) == AIR_JOB_FAILED)
        job_state_cb (job, NULL, self);
    }
  queue_update (self);
}

static void
model_changed_cb (AirTray *self)
{
  queue_update (self);
}

/* Follows the items @model added: each of the signals @notify
 * (NULL-terminated) of each of them brings an update. */
static void
follow_items (GListModel         *model,
              guint               position,
              guint               added,
              const char * const *notify,
              AirTray            *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      for (guint s = 0; notify[s] != NULL; s++)
        g_signal_connect_object (item, notify[s], G_CALLBACK (model_changed_cb), self, G_CONNECT_SWAPPED);
    }
  queue_update (self);
}

static void
zones_changed_cb (GListModel *zones,
                  guint       position,
                  guint       removed,
                  guint       added,
                  AirTray    *self)
{
  static const char * const notify[] = { "notify::health", NULL };

  follow_items (zones, position, added, notify, self);
}

static void
links_changed_cb (GListModel *links,
                  guint       position,
                  guint       removed,
                  guint       added,
                  AirTray    *self)
{
  /* The counts and state for the icon and tooltip; any qube's state
   * for the menu. */
  static const char * const notify[] = { "notify::state", "notify::n-running", "qubes-changed", NULL };

  follow_items (links, position, added, notify, self);
}

static void
watched_cb (AirTray *self)
{
  if (air_status_notifier_get_watched (self->notifier))
    air_tray_update (self);
}

static void
registered_cb (AirTray *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IN_USE]);
}

static void
activate_cb (AirTray *self)
{
  g_action_group_activate_action (G_ACTION_GROUP (self->actions), "open", NULL);
}

static void
air_tray_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  AirTray *self = AIR_TRAY (object);

  switch (prop_id)
    {
    case PROP_IN_USE:
      g_value_set_boolean (value, air_tray_get_in_use (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
air_tray_dispose (GObject *object)
{
  AirTray *self = (AirTray *)object;

  g_clear_handle_id (&self->update_id, g_source_remove);
  if (self->notifier != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->notifier, self);
      air_status_notifier_unexport (self->notifier);
    }
  g_clear_object (&self->notifier);
  g_clear_object (&self->dbus_menu);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (air_tray_parent_class)->dispose (object);
}

static void
air_tray_finalize (GObject *object)
{
  AirTray *self = (AirTray *)object;

  g_clear_object (&self->menu);
  g_clear_object (&self->actions);
  g_clear_pointer (&self->unseen_failures, g_ptr_array_unref);
  g_clear_pointer (&self->pixmaps, g_hash_table_unref);
  g_clear_pointer (&self->shown_icon, g_free);

  G_OBJECT_CLASS (air_tray_parent_class)->finalize (object);
}

static void
air_tray_class_init (AirTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = air_tray_dispose;
  object_class->finalize = air_tray_finalize;
  object_class->get_property = air_tray_get_property;

  /* A panel shows the indicator (a StatusNotifierWatcher has it). */
  properties[PROP_IN_USE] =
    g_param_spec_boolean ("in-use", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The user asked for the window; @zone (nullable) is the zone to show. */
  signals[OPEN_WINDOW] =
    g_signal_new ("open-window", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[QUIT] =
    g_signal_new ("quit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
air_tray_init (AirTray *self)
{
  self->menu = g_menu_new ();
  self->actions = g_simple_action_group_new ();
  self->unseen_failures = g_ptr_array_new_with_free_func (g_object_unref);
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), tray_actions,
                                   G_N_ELEMENTS (tray_actions), self);
}

AirTray *
air_tray_new (AirSession *session)
{
  AirTray *self;
  GListModel *zones, *jobs, *links;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);

  self = g_object_new (AIR_TYPE_TRAY, NULL);
  self->session = g_object_ref (session);

  self->dbus_menu = air_dbus_menu_new (G_MENU_MODEL (self->menu), G_ACTION_GROUP (self->actions));
  air_dbus_menu_set_populate_func (self->dbus_menu, populate_cb, self);
  self->menu_stale = TRUE;
  self->notifier = air_status_notifier_new (AIR_APP_ID, _("Qubes Air"), self->dbus_menu);
  g_signal_connect_swapped (self->notifier, "notify::watched", G_CALLBACK (watched_cb), self);
  g_signal_connect_swapped (self->notifier, "notify::registered", G_CALLBACK (registered_cb), self);
  g_signal_connect_swapped (self->notifier, "activate", G_CALLBACK (activate_cb), self);

  zones = air_session_get_zones (session);
  jobs = air_session_get_jobs (session);
  g_signal_connect_object (zones, "items-changed", G_CALLBACK (zones_changed_cb), self, 0);
  g_signal_connect_object (jobs, "items-changed", G_CALLBACK (jobs_changed_cb), self, 0);
  g_signal_connect_object (air_session_get_inventory (session), "items-changed",
                           G_CALLBACK (model_changed_cb), self, G_CONNECT_SWAPPED);
  links = air_session_get_links (session);
  g_signal_connect_object (links, "items-changed", G_CALLBACK (links_changed_cb), self, 0);
  zones_changed_cb (zones, 0, 0, g_list_model_get_n_items (zones), self);
  links_changed_cb (links, 0, 0, g_list_model_get_n_items (links), self);
  jobs_changed_cb (jobs, 0, 0, g_list_model_get_n_items (jobs), self);

  /* Right from the start, not one idle later: a panel may ask at once
   * (nothing while no watcher is there). */
  update_cb (self);
  return self;
}

/* Shows the indicator on @connection's bus, whenever a panel is there. */
gboolean
air_tray_export (AirTray          *self,
                 GDBusConnection  *connection,
                 GError          **error)
{
  g_return_val_if_fail (AIR_IS_TRAY (self), FALSE);

  return air_status_notifier_export (self->notifier, connection, error);
}

AirStatusNotifier *
air_tray_get_status_notifier (AirTray *self)
{
  g_return_val_if_fail (AIR_IS_TRAY (self), NULL);
  return self->notifier;
}

/* The menu, current: built now if it was out of date. */
GMenuModel *
air_tray_get_menu (AirTray *self)
{
  g_return_val_if_fail (AIR_IS_TRAY (self), NULL);
  if (self->menu_stale)
    _air_tray_fill_menu (self);
  return G_MENU_MODEL (self->menu);
}

GActionGroup *
air_tray_get_actions (AirTray *self)
{
  g_return_val_if_fail (AIR_IS_TRAY (self), NULL);
  return G_ACTION_GROUP (self->actions);
}

gboolean
air_tray_get_in_use (AirTray *self)
{
  g_return_val_if_fail (AIR_IS_TRAY (self), FALSE);
  return air_status_notifier_get_registered (self->notifier);
}

guint
air_tray_get_n_unseen_failures (AirTray *self)
{
  g_return_val_if_fail (AIR_IS_TRAY (self), 0);
  return self->unseen_failures->len;
}

/* The user has seen the job list (the window was open): failed jobs no
 * longer need attention. */
void
air_tray_mark_seen (AirTray *self)
{
  g_return_if_fail (AIR_IS_TRAY (self));

  if (self->unseen_failures->len == 0)
    return;
  g_ptr_array_set_size (self->unseen_failures, 0);
  queue_update (self);
}

/* Brings icon and tooltip up to date now rather than one idle later; the
 * menu is built when next asked for. */
void
air_tray_update (AirTray *self)
{
  g_return_if_fail (AIR_IS_TRAY (self));

  g_clear_handle_id (&self->update_id, g_source_remove);
  update_cb (self);
}
