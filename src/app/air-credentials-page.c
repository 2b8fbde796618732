/* air-credentials-page.c
 *
 * What the vault keeps for each zone: kind, label, when it was stored and
 * which gateway may read it — never the secret, which the management qube
 * cannot read back (the vault's List answers metadata only). Credentials
 * are added, replaced and deleted here; every vault call is an AirJob in
 * the session's job list, and a failure (no Secret Service, a locked
 * keyring, a refused call) is shown across the top of the page in the
 * vault's own words, which say what to start or unlock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-credentials-page"

#include "config.h"

#include <glib/gi18n.h>

#include "air-credential-dialog.h"
#include "air-credentials-page.h"
#include "air-names.h"
#include "air-zone-list-parts.h"


struct _AirCredentialsPage
{
  AirZoneListPage parent_instance;

  /* Template widgets */
  GtkStack       *stack;
  GtkListBox     *list;
  GtkRevealer    *error_revealer;
  GtkLabel       *error_label;
  GtkRevealer    *key_revealer;
  GtkLabel       *key_label;
  GtkLabel       *failed_body;

  /* Owned references */
  AirVaultClient *client;
  GPtrArray      *shown;     /* AirCredentialInfo, the list's rows in order */
  char           *list_error;
};

G_DEFINE_FINAL_TYPE (AirCredentialsPage, air_credentials_page, AIR_TYPE_ZONE_LIST_PAGE)

static char *
format_stored (gint64 stored)
{
  g_autoptr(GDateTime) time = NULL;

  if (stored <= 0 || (time = g_date_time_new_from_unix_local (stored)) == NULL)
    return g_strdup (_("stored at an unknown time"));
  {
    g_autofree char *when = g_date_time_format (time, "%Y-%m-%d %H:%M");

    /* Translators: %s is a date and time */
    return g_strdup_printf (_("stored %s"), when);
  }
}

static GtkWidget *
create_row (AirCredentialInfo *info)
{
  const char *zone = air_credential_info_get_zone (info);
  const char *kind = air_credential_info_get_kind (info);
  const char *public_key = air_credential_info_get_public_key (info);
  g_autofree char *label = air_text_sanitize (air_credential_info_get_label (info), -1, AIR_VAULT_MAX_LABEL);
  g_autofree char *stored = format_stored (air_credential_info_get_stored (info));
  g_autofree char *details = NULL;
  g_autofree char *delete_name = NULL;
  GtkWidget *row, *box, *text, *title, *subtitle, *button;

  /* Translators: kind of credential · when it was stored · who may read it */
  details = g_strdup_printf (_("%s · %s · readable by %s"),
                             air_credential_kind_get_display_name (kind), stored,
                             air_credential_info_get_gateway (info));

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (box, "credential-row");

  text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);

  title = gtk_label_new (label[0] ? label : air_credential_kind_get_display_name (kind));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (text), title);

  subtitle = gtk_label_new (details);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (subtitle), PANGO_WRAP_WORD_CHAR);
  /* A wrapping label asks for little width: let it use the row's. */
  gtk_label_set_max_width_chars (GTK_LABEL (subtitle), 100);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (text), subtitle);

  /* A public key is not a secret: shown so it can go to the server. */
  if (public_key != NULL)
    {
      GtkWidget *key = gtk_label_new (public_key);

      gtk_label_set_xalign (GTK_LABEL (key), 0);
      gtk_label_set_selectable (GTK_LABEL (key), TRUE);
      gtk_label_set_ellipsize (GTK_LABEL (key), PANGO_ELLIPSIZE_MIDDLE);
      gtk_widget_add_css_class (key, "monospace");
      gtk_widget_add_css_class (key, "caption");
      gtk_box_append (GTK_BOX (text), key);
    }

  button = gtk_button_new_with_mnemonic (_("_Replace…"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "page.replace");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)", zone, kind);
  gtk_box_append (GTK_BOX (box), button);

  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Delete from the vault"));
  delete_name = g_strdup_printf (_("Delete %s"), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, delete_name, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "page.delete");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)", zone, kind);
  gtk_widget_add_css_class (button, "flat");
  gtk_box_append (GTK_BOX (box), button);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

/* The zone of the credential a row shows. */
static const char *
row_zone (AirCredentialsPage *self,
          GtkListBoxRow      *row)
{
  int index = gtk_list_box_row_get_index (row);

  g_return_val_if_fail (index >= 0 && (guint) index < self->shown->len, NULL);
  return air_credential_info_get_zone (g_ptr_array_index (self->shown, index));
}

/* A heading over the first credential of each zone. */
static void
header_func (GtkListBoxRow *row,
             GtkListBoxRow *before,
             gpointer       user_data)
{
  AirCredentialsPage *self = user_data;

  air_zone_list_set_heading (row, row_zone (self, row), before != NULL ? row_zone (self, before) : NULL,
                             "credential-zone");
}

static int
compare_infos (gconstpointer a,
               gconstpointer b)
{
  AirCredentialInfo *x = *(AirCredentialInfo **) a;
  AirCredentialInfo *y = *(AirCredentialInfo **) b;
  int order = g_strcmp0 (air_credential_info_get_zone (x), air_credential_info_get_zone (y));

  return order ? order : g_strcmp0 (air_credential_info_get_kind (x), air_credential_info_get_kind (y));
}

static void
show_list (AirCredentialsPage *self,
           GPtrArray          *infos)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  g_ptr_array_sort (infos, compare_infos);
  g_clear_pointer (&self->shown, g_ptr_array_unref);
  self->shown = g_ptr_array_ref (infos);
  for (guint i = 0; i < infos->len; i++)
    gtk_list_box_append (self->list, create_row (g_ptr_array_index (infos, i)));

  gtk_stack_set_visible_child_name (self->stack, infos->len > 0 ? "list" : "empty");
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(AirCredentialsPage) self = user_data;
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GError) error = NULL;

  infos = air_vault_client_list_finish (AIR_VAULT_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      air_zone_list_page_is_gone (AIR_ZONE_LIST_PAGE (self)))
    return;

  if (infos == NULL)
    {
      g_autofree char *safe = air_text_sanitize (error->message, -1, AIR_ZONE_LIST_MAX_ERROR);

      /* The page itself says it; the banner stays for a failed change,
       * whose explanation matters more. */
      g_free (self->list_error);
      self->list_error = g_strdup_printf (_("%s: %s"), _("The vault could not list the credentials"), safe);
      gtk_label_set_text (self->failed_body, safe);
      gtk_stack_set_visible_child_name (self->stack, "failed");
    }
  else
    {
      g_clear_pointer (&self->list_error, g_free);
      show_list (self, infos);
    }

  air_zone_list_page_set_loading (AIR_ZONE_LIST_PAGE (self), FALSE);
}

void
air_credentials_page_refresh (AirCredentialsPage *self)
{
  g_return_if_fail (AIR_IS_CREDENTIALS_PAGE (self));

  if (air_zone_list_page_is_gone (AIR_ZONE_LIST_PAGE (self)))
    return;

  if (gtk_list_box_get_row_at_index (self->list, 0) == NULL)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  air_zone_list_page_set_loading (AIR_ZONE_LIST_PAGE (self), TRUE);
  air_vault_client_list_async (self->client, air_zone_list_page_get_cancellable (AIR_ZONE_LIST_PAGE (self)),
                               list_cb, g_object_ref (self));
}

/* A vault call is an AirZoneListOp counted in the page's "loading". */
static AirZoneListOp *
vault_op_start (AirCredentialsPage *self,
                const char         *zone,
                char               *title,    /* (transfer full) */
                const char         *failure)
{
  g_autofree char *owned_title = title;

  return air_zone_list_op_new (AIR_ZONE_LIST_PAGE (self), zone, owned_title, failure, TRUE);
}

static void
put_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(AirZoneListOp) op = user_data;
  g_autoptr(AirCredentialInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = air_vault_client_put_finish (AIR_VAULT_CLIENT (object), result, &error);
  air_zone_list_op_finish (op, error);
}

static void
generate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AirZoneListOp) op = user_data;
  g_autofree char *public_key = NULL;
  g_autoptr(GError) error = NULL;

  public_key = air_vault_client_generate_key_finish (AIR_VAULT_CLIENT (object), result, &error);
  if (public_key != NULL && !air_zone_list_page_is_gone (op->page))
    {
      AirCredentialsPage *self = AIR_CREDENTIALS_PAGE (op->page);

      gtk_label_set_text (self->key_label, public_key);
      gtk_revealer_set_reveal_child (self->key_revealer, TRUE);
    }
  air_zone_list_op_finish (op, error);
}

static void
store_cb (AirCredentialDialog *dialog,
          const char          *zone,
          const char          *kind,
          const char          *label,
          const char          *gateway,
          GBytes              *secret,
          gboolean             replace,
          AirCredentialsPage  *self)
{
  AirZoneListOp *op;

  if (secret == NULL)
    {
      op = vault_op_start (self, zone,
                           /* Translators: a job; %s is a zone */
                           g_strdup_printf (_("Make an SSH key for %s in the vault"), zone),
                           _("The vault could not make the key"));
      air_vault_client_generate_key_async (self->client, zone, gateway, label, replace,
                                           air_job_get_cancellable (op->job), generate_cb, op);
      return;
    }

  op = vault_op_start (self, zone,
                       /* Translators: a job; %s is a zone */
                       g_strdup_printf (_("Store a credential for %s in the vault"), zone),
                       _("The vault could not store the credential"));
  air_vault_client_put_async (self->client, zone, kind, label, gateway, secret,
                              air_job_get_cancellable (op->job), put_cb, op);
}

static void
open_dialog (AirCredentialsPage *self,
             const char         *zone,
             const char         *kind,
             gboolean            replace)
{
  AirCredentialDialog *dialog =
    air_credential_dialog_new (GTK_WINDOW (self), air_zone_list_page_get_session (AIR_ZONE_LIST_PAGE (self)),
                               zone, kind, replace);

  g_signal_connect_object (dialog, "store", G_CALLBACK (store_cb), self, 0);
  air_zone_list_page_present (AIR_ZONE_LIST_PAGE (self), GTK_WINDOW (dialog));
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  open_dialog (AIR_CREDENTIALS_PAGE (widget), NULL, NULL, FALSE);
}

static void
replace_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  const char *zone, *kind;

  g_variant_get (parameter, "(&s&s)", &zone, &kind);
  open_dialog (AIR_CREDENTIALS_PAGE (widget), zone, kind, TRUE);
}

static void
delete_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AirZoneListOp) op = user_data;
  g_autoptr(GError) error = NULL;
  guint n_deleted = 0;

  if (air_vault_client_delete_finish (AIR_VAULT_CLIENT (object), result, &n_deleted, &error) &&
      n_deleted == 0)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         _("The vault has no such credential any more."));
  air_zone_list_op_finish (op, error);
}

static void
delete_confirmed (AirZoneListPage *page,
                  const char      *zone,
                  const char      *kind)
{
  AirCredentialsPage *self = AIR_CREDENTIALS_PAGE (page);
  AirZoneListOp *op;

  op = vault_op_start (self, zone,
                       /* Translators: a job; %s is a zone */
                       g_strdup_printf (_("Delete a credential of %s from the vault"), zone),
                       _("The vault could not delete the credential"));
  air_vault_client_delete_async (self->client, zone, kind, air_job_get_cancellable (op->job),
                                 delete_cb, op);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AirCredentialsPage *self = AIR_CREDENTIALS_PAGE (widget);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  const char *zone, *kind;

  g_variant_get (parameter, "(&s&s)", &zone, &kind);
  if (!air_name_is_valid (zone) || !air_credential_kind_is_valid (kind))
    return;

  /* Translators: %s is the kind of credential, e.g. “API token” */
  heading = g_strdup_printf (_("Delete the %s of %s?"), air_credential_kind_get_display_name (kind), zone);
  body = g_strdup_printf (_("The vault forgets it for good, and the gateway of the zone %s can no longer "
                            "use it. Store it again to undo this."), zone);
  air_zone_list_page_confirm (AIR_ZONE_LIST_PAGE (self), heading, body, _("_Delete"), zone, kind,
                              delete_confirmed);
}

static void
air_credentials_page_zones_changed (AirZoneListPage *page,
                                    GListModel      *zones,
                                    guint            added)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (page), "page.add", g_list_model_get_n_items (zones) > 0);
}

static void
air_credentials_page_refresh_page (AirZoneListPage *page)
{
  air_credentials_page_refresh (AIR_CREDENTIALS_PAGE (page));
}

static void
air_credentials_page_dispose (GObject *object)
{
  AirCredentialsPage *self = (AirCredentialsPage *)object;

  /* The list call stops; stores and deletes go on as jobs. */
  g_cancellable_cancel (air_zone_list_page_get_cancellable (AIR_ZONE_LIST_PAGE (self)));

  gtk_widget_dispose_template (GTK_WIDGET (self), AIR_TYPE_CREDENTIALS_PAGE);

  G_OBJECT_CLASS (air_credentials_page_parent_class)->dispose (object);
}

static void
air_credentials_page_finalize (GObject *object)
{
  AirCredentialsPage *self = (AirCredentialsPage *)object;

  g_clear_pointer (&self->shown, g_ptr_array_unref);
  g_clear_object (&self->client);
  g_clear_pointer (&self->list_error, g_free);

  G_OBJECT_CLASS (air_credentials_page_parent_class)->finalize (object);
}

static void
air_credentials_page_class_init (AirCredentialsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  AirZoneListPageClass *page_class = AIR_ZONE_LIST_PAGE_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = air_credentials_page_dispose;
  object_class->finalize = air_credentials_page_finalize;

  page_class->zones_changed = air_credentials_page_zones_changed;
  page_class->refresh = air_credentials_page_refresh_page;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/qubesair/QubesAir/ui/air-credentials-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AirCredentialsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialsPage, list);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialsPage, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialsPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialsPage, key_revealer);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialsPage, key_label);
  gtk_widget_class_bind_template_child (widget_class, AirCredentialsPage, failed_body);

  gtk_widget_class_install_action (widget_class, "page.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "page.replace", "(ss)", replace_action);
  gtk_widget_class_install_action (widget_class, "page.delete", "(ss)", delete_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "page.add", NULL);
}

static void
air_credentials_page_init (AirCredentialsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->shown = g_ptr_array_new ();
  air_zone_list_page_set_banner (AIR_ZONE_LIST_PAGE (self), self->error_revealer, self->error_label);
  gtk_list_box_set_header_func (self->list, header_func, self, NULL);
}

/**
 * air_credentials_page_new:
 * @client: (nullable): the vault client, or %NULL for the default vault
 */
AirCredentialsPage *
air_credentials_page_new (GtkWindow      *parent,
                          AirSession     *session,
                          AirVaultClient *client)
{
  AirCredentialsPage *self;

  g_return_val_if_fail (AIR_IS_SESSION (session), NULL);

  self = g_object_new (AIR_TYPE_CREDENTIALS_PAGE, "transient-for", parent, "session", session, NULL);
  self->client = client ? g_object_ref (client) : air_vault_client_new (NULL);

  air_zone_list_page_start (AIR_ZONE_LIST_PAGE (self));
  return self;
}

/* The failure the page shows: a failed change across its top, else a
 * failed list in its place; %NULL when all is well. */
const char *
air_credentials_page_get_error (AirCredentialsPage *self)
{
  const char *error;

  g_return_val_if_fail (AIR_IS_CREDENTIALS_PAGE (self), NULL);
  error = air_zone_list_page_get_error (AIR_ZONE_LIST_PAGE (self));
  return error ? error : self->list_error;
}
