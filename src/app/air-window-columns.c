/* air-window-columns.c
 *
 * The window's inventory, a GtkColumnView: its columns, their cells and
 * sorters, and the column view's one context-menu gesture and one drop
 * target for all rows.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-window"

#include "config.h"

#include <glib/gi18n.h>

#include "air-label-colors.h"
#include "air-names.h"
#include "air-transfer.h"
#include "air-window-private.h"

/* Text of the cells. */

static char *
memory_text (guint mib)
{
  if (mib == 0)
    return g_strdup ("—");
  /* Translators: memory of a qube, in mebibytes */
  return g_strdup_printf (_("%u MiB"), mib);
}

static char *
vcpus_text (guint vcpus)
{
  if (vcpus == 0)
    return g_strdup ("—");
  return g_strdup_printf ("%u", vcpus);
}

static char *
dash_if_empty (const char *text)
{
  return g_strdup (text && text[0] ? text : "—");
}

static char *
uptime_text (gint64       started,
             AirQubeState state)
{
  gint64 seconds;

  if (state != AIR_QUBE_STATE_RUNNING || started <= 0)
    return g_strdup ("—");

  seconds = MAX (g_get_real_time () / G_USEC_PER_SEC - started, 0);
  if (seconds < 60)
    /* Translators: uptime under a minute; keep it short (a narrow column) */
    return g_strdup (_("< 1 min"));
  if (seconds < 3600)
    /* Translators: uptime in minutes */
    return g_strdup_printf (_("%d min"), (int) (seconds / 60));
  if (seconds < 86400)
    /* Translators: uptime in hours and minutes */
    return g_strdup_printf (_("%d h %d min"), (int) (seconds / 3600), (int) (seconds % 3600 / 60));
  /* Translators: uptime in days and hours */
  return g_strdup_printf (_("%d d %d h"), (int) (seconds / 86400), (int) (seconds % 86400 / 3600));
}

/* The dot's tooltip is asked for when shown, not set on every bind: in
 * GTK 4.8 setting a tooltip text asks the X server where the pointer is,
 * a round trip per row that made the first frame of 10,000 qubes slow. */
static gboolean
label_query_tooltip_cb (GtkWidget   *cell,
                        int          x,
                        int          y,
                        gboolean     keyboard,
                        GtkTooltip  *tooltip,
                        GtkListItem *list_item)
{
  AirQube *qube = gtk_list_item_get_item (list_item);

  if (qube == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, air_label_get_display_name (air_qube_get_label (qube)));
  return TRUE;
}

static int
state_rank (gpointer     unused,
            AirQubeState state)
{
  /* Running first when sorting down, halted last. */
  return (int) state == AIR_QUBE_STATE_RUNNING ? 0 : (int) state + 1;
}

static int
enum_value (gpointer unused,
            int      value)
{
  return value;
}

static GtkExpression *
qube_property (const char *property)
{
  return gtk_property_expression_new (AIR_TYPE_QUBE, NULL, property);
}

static GtkExpression *
closure_of (GType       type,
            GCallback   func,
            GtkExpression *param1,
            GtkExpression *param2)
{
  GtkExpression *params[2] = { param1, param2 };

  return gtk_cclosure_expression_new (type, NULL, param2 ? 2 : 1, params, func, NULL, NULL);
}

typedef enum {
  CELL_NAME,
  CELL_ZONE,
  CELL_STATE,
  CELL_CLASS,
  CELL_TEMPLATE,
  CELL_MEMORY,
  CELL_VCPUS,
  CELL_IP,
  CELL_UPTIME,
  CELL_LABEL,
} CellKind;

/* The room each column's cells ask for, in characters: at least, and
 * ideally (a qube name has up to 31; most are far shorter). */
static const struct { guint min, nat; } cell_chars[] = {
  [CELL_NAME] = { 13, 18 }, [CELL_ZONE] = { 8, 10 }, [CELL_STATE] = { 8, 9 },
  [CELL_CLASS] = { 7, 9 }, [CELL_TEMPLATE] = { 9, 12 }, [CELL_MEMORY] = { 8, 8 },
  [CELL_VCPUS] = { 3, 3 }, [CELL_IP] = { 9, 13 }, [CELL_UPTIME] = { 9, 10 },
  [CELL_LABEL] = { 1, 1 },
};

/* A cell's text (or, for the label, its CSS class) is set on bind and
 * when the qube's properties it shows change, by plain functions rather
 * than GtkExpression watches, which were a fifth of the time to make the
 * first screen of rows (bench/app). */
static const char * const cell_notify[] = {
  [CELL_NAME] = "notify::name", [CELL_ZONE] = "notify::zone", [CELL_STATE] = "notify::state",
  [CELL_CLASS] = "notify::kind", [CELL_TEMPLATE] = "notify::template", [CELL_MEMORY] = "notify::memory",
  [CELL_VCPUS] = "notify::vcpus", [CELL_IP] = "notify::ip", [CELL_UPTIME] = "notify::started",
  [CELL_LABEL] = "notify::label",
};

static void
update_cell (GtkWidget *cell,
             CellKind   kind,
             AirQube   *qube)
{
  g_autofree char *text = NULL;

  switch (kind)
    {
    case CELL_NAME: text = g_strdup (air_qube_get_name (qube)); break;
    case CELL_ZONE: text = g_strdup (air_qube_get_zone (qube)); break;
    case CELL_STATE: text = g_strdup (air_qube_state_get_display_name (air_qube_get_state (qube))); break;
    case CELL_CLASS: text = g_strdup (air_qube_kind_get_display_name (air_qube_get_kind (qube))); break;
    case CELL_TEMPLATE: text = dash_if_empty (air_qube_get_template (qube)); break;
    case CELL_MEMORY: text = memory_text (air_qube_get_memory (qube)); break;
    case CELL_VCPUS: text = vcpus_text (air_qube_get_vcpus (qube)); break;
    case CELL_IP: text = dash_if_empty (air_qube_get_ip (qube)); break;
    case CELL_UPTIME: text = uptime_text (air_qube_get_started (qube), air_qube_get_state (qube)); break;
    case CELL_LABEL:
    default:
      {
        const char *classes[] = { "label-dot", air_label_get_css_class (air_qube_get_label (qube)), NULL };

        gtk_widget_set_css_classes (cell, classes);
        /* A screen reader says the colour the dot shows. */
        gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        air_label_get_display_name (air_qube_get_label (qube)), -1);
        return;
      }
    }
  gtk_inscription_set_text (GTK_INSCRIPTION (cell), text);
}

/* The cells keep their row's GtkListItem here, and their CellKind: the
 * column view has one gesture and one drop target for all rows, so a cell
 * is a text alone and cheap to make (rows are remade as zones arrive at
 * start). */
static GQuark cell_item_quark;
static GQuark cell_kind_quark;

/* The cell under (@x, @y) of the column view: the picked widget may be a
 * cell's content or, in its padding, the cell holding it. */
static GtkWidget *
cell_at (AirWindow *self,
         double     x,
         double     y)
{
  GtkWidget *view = GTK_WIDGET (self->column_view);
  GtkWidget *widget = gtk_widget_pick (view, x, y, GTK_PICK_DEFAULT);

  for (; widget != NULL && widget != view; widget = gtk_widget_get_parent (widget))
    {
      GtkWidget *child = gtk_widget_get_first_child (widget);

      if (g_object_get_qdata (G_OBJECT (widget), cell_item_quark) != NULL)
        return widget;
      if (child != NULL && g_object_get_qdata (G_OBJECT (child), cell_item_quark) != NULL)
        return child;
    }
  return NULL;
}

/* The row a cell shows, if it shows one now. */
static GtkListItem *
item_of_cell (GtkWidget *cell)
{
  GtkListItem *item = cell ? g_object_get_qdata (G_OBJECT (cell), cell_item_quark) : NULL;

  if (item == NULL || gtk_list_item_get_position (item) == GTK_INVALID_LIST_POSITION)
    return NULL;
  return item;
}

static GtkListItem *
list_item_at (AirWindow *self,
              double     x,
              double     y)
{
  return item_of_cell (cell_at (self, x, y));
}

static void
context_pressed_cb (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    AirWindow       *self)
{
  GtkListItem *list_item = list_item_at (self, x, y);
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };

  if (list_item == NULL)
    return;

  gtk_single_selection_set_selected (self->selection, gtk_list_item_get_position (list_item));
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), &rect);
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

/* The row under a drag of files is marked (the cell's parent is the
 * column view's cell, its parent the row). */
static void
mark_drop_row (AirWindow *self,
               GtkWidget *cell)
{
  g_autoptr(GtkWidget) old = g_weak_ref_get (&self->drop_row);
  GtkWidget *row = cell ? gtk_widget_get_parent (gtk_widget_get_parent (cell)) : NULL;

  if (old == row)
    return;
  if (old != NULL)
    gtk_widget_remove_css_class (old, "drop-row");
  if (row != NULL)
    gtk_widget_add_css_class (row, "drop-row");
  g_weak_ref_set (&self->drop_row, row);
}

static GdkDragAction
row_drop_motion_cb (GtkDropTarget *target,
                    double         x,
                    double         y,
                    AirWindow     *self)
{
  GtkWidget *cell = cell_at (self, x, y);

  if (item_of_cell (cell) == NULL)
    cell = NULL;
  mark_drop_row (self, cell);
  return cell != NULL ? GDK_ACTION_COPY : 0;
}

static void
row_drop_leave_cb (GtkDropTarget *target,
                   AirWindow     *self)
{
  mark_drop_row (self, NULL);
}

/* Files dropped onto any cell of a row go to that row's qube. */
static gboolean
row_drop_cb (GtkDropTarget *target,
             const GValue  *value,
             double         x,
             double         y,
             AirWindow     *self)
{
  GtkListItem *list_item = list_item_at (self, x, y);

  mark_drop_row (self, NULL);
  return list_item != NULL &&
         air_transfer_handle_drop (self->session, gtk_list_item_get_item (list_item), value);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  CellKind kind = GPOINTER_TO_INT (user_data);
  GtkWidget *cell;

  if (kind == CELL_LABEL)
    {
      cell = gtk_image_new_from_icon_name ("air-dot-symbolic");
      gtk_widget_set_has_tooltip (cell, TRUE);
      g_signal_connect (cell, "query-tooltip", G_CALLBACK (label_query_tooltip_cb), list_item);
    }
  else
    {
      /* An inscription is sized by its character counts, not its text:
       * measuring a screenful of rows stays cheap, and columns keep their
       * width as the text changes. */
      cell = gtk_inscription_new (NULL);
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), cell_chars[kind].min);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), cell_chars[kind].nat);
      if (kind == CELL_MEMORY || kind == CELL_VCPUS)
        {
          gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), 1.0);
          gtk_widget_add_css_class (cell, "numeric");
        }
      if (kind == CELL_NAME)
        gtk_widget_add_css_class (cell, "qube-name");
    }

  g_object_set_qdata (G_OBJECT (cell), cell_item_quark, list_item);
  g_object_set_qdata (G_OBJECT (cell), cell_kind_quark, user_data);
  gtk_list_item_set_child (list_item, cell);
}

static void
qube_notify_cb (AirQube    *qube,
                GParamSpec *pspec,
                GtkWidget  *cell)
{
  update_cell (cell, GPOINTER_TO_INT (g_object_get_qdata (G_OBJECT (cell), cell_kind_quark)), qube);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  GtkWidget *cell = gtk_list_item_get_child (list_item);
  AirQube *qube = gtk_list_item_get_item (list_item);
  CellKind kind = GPOINTER_TO_INT (user_data);

  update_cell (cell, kind, qube);
  g_signal_connect (qube, cell_notify[kind], G_CALLBACK (qube_notify_cb), cell);
  if (kind == CELL_UPTIME)
    g_signal_connect (qube, "notify::state", G_CALLBACK (qube_notify_cb), cell);
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (list_item), qube_notify_cb,
                                        gtk_list_item_get_child (list_item));
}

static void
setup_column (GtkColumnViewColumn *column,
              CellKind             kind,
              GtkSorter           *sorter)   /* (transfer full) */
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GINT_TO_POINTER (kind));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GINT_TO_POINTER (kind));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell_cb), GINT_TO_POINTER (kind));
  gtk_column_view_column_set_factory (column, factory);
  if (sorter != NULL)
    {
      gtk_column_view_column_set_sorter (column, sorter);
      g_object_unref (sorter);
    }
}

static GtkSorter *
string_sorter (const char *property)
{
  return GTK_SORTER (gtk_string_sorter_new (qube_property (property)));
}

typedef const char *(*QubeText) (AirQube *qube);

static int
name_order (gconstpointer a,
            gconstpointer b,
            gpointer      getter)
{
  QubeText text = (QubeText) getter;

  return air_name_collate (text ((AirQube *) a), text ((AirQube *) b));
}

/* Names as people read them: q2 before q10. */
static GtkSorter *
name_sorter (QubeText getter)
{
  return GTK_SORTER (gtk_custom_sorter_new (name_order, (gpointer) getter, NULL));
}

static GtkSorter *
numeric_sorter (GtkExpression *expression)
{
  return GTK_SORTER (gtk_numeric_sorter_new (expression));
}

static void
setup_columns (AirWindow *self)
{
  setup_column (self->column_label, CELL_LABEL,
                numeric_sorter (closure_of (G_TYPE_INT, G_CALLBACK (enum_value), qube_property ("label"), NULL)));
  setup_column (self->column_name, CELL_NAME, name_sorter (air_qube_get_name));
  setup_column (self->column_zone, CELL_ZONE, name_sorter (air_qube_get_zone));
  setup_column (self->column_state, CELL_STATE,
                numeric_sorter (closure_of (G_TYPE_INT, G_CALLBACK (state_rank), qube_property ("state"), NULL)));
  setup_column (self->column_class, CELL_CLASS,
                numeric_sorter (closure_of (G_TYPE_INT, G_CALLBACK (enum_value), qube_property ("kind"), NULL)));
  setup_column (self->column_template, CELL_TEMPLATE, name_sorter (air_qube_get_template));
  setup_column (self->column_memory, CELL_MEMORY, numeric_sorter (qube_property ("memory")));
  setup_column (self->column_vcpus, CELL_VCPUS, numeric_sorter (qube_property ("vcpus")));
  setup_column (self->column_ip, CELL_IP, string_sorter ("ip"));
  setup_column (self->column_uptime, CELL_UPTIME, numeric_sorter (qube_property ("started")));
}

void
_air_window_class_columns_init (AirWindowClass *klass)
{
  cell_item_quark = g_quark_from_static_string ("air-window-cell-item");
  cell_kind_quark = g_quark_from_static_string ("air-window-cell-kind");
}

void
_air_window_columns_init (AirWindow *self)
{
  GtkGesture *context;
  GtkDropTarget *drop;

  setup_columns (self);
  gtk_widget_set_parent (GTK_WIDGET (self->context_menu), GTK_WIDGET (self->column_view));
  context = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (context), GDK_BUTTON_SECONDARY);
  g_signal_connect (context, "pressed", G_CALLBACK (context_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (context));
  drop = air_transfer_drop_target_new ();
  g_signal_connect (drop, "motion", G_CALLBACK (row_drop_motion_cb), self);
  g_signal_connect (drop, "leave", G_CALLBACK (row_drop_leave_cb), self);
  g_signal_connect (drop, "drop", G_CALLBACK (row_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (drop));
}
