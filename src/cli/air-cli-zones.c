/* air-cli-zones.c
 *
 * Every zone qair asks is asked at once and given a time limit: a zone
 * that does not answer in time is cut off and reported down for this
 * command, and the others' answers are used. A qube name is looked up in
 * every zone (or the one named) and means one qube: a name two zones list
 * is refused until the user says which zone, and a call goes only to a
 * zone that listed the name itself.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "air-cli-wait.h"
#include "air-cli-zones.h"
#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-vault-client.h"
#include "air-wireguard-key.h"

guint
air_cli_zone_time_limit (AirZoneRegistry *registry,
                         AirZone         *zone)
{
  const char *env = g_getenv ("QAIR_TIMEOUT");
  const AirSshConfig *ssh;
  guint64 seconds;

  if (env != NULL && env[0] != '\0')
    {
      if (g_ascii_string_to_unsigned (env, 10, 1, AIR_CLI_MAX_TIMEOUT, &seconds, NULL))
        return (guint) seconds;
      g_printerr (_("qair: QAIR_TIMEOUT must be a number of seconds from 1 to %d; using the zone’s own.\n"),
                  AIR_CLI_MAX_TIMEOUT);
      g_unsetenv ("QAIR_TIMEOUT");   /* said once */
    }

  ssh = air_zone_registry_get_ssh_config (registry, air_zone_get_name (zone));
  if (ssh != NULL)
    return ssh->connect_timeout + AIR_CLI_ANSWER_MARGIN;
  return AIR_CLI_DEFAULT_TIMEOUT;
}

static void
answer_free (AirCliAnswer *answer)
{
  if (answer->timer != NULL)
    {
      g_source_destroy (answer->timer);
      g_source_unref (answer->timer);
    }
  g_clear_object (&answer->result);
  g_clear_object (&answer->cancellable);
  g_clear_object (&answer->zone);
  g_free (answer);
}

static void
answered_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  AirCliAnswer *answer = user_data;

  answer->result = g_object_ref (result);
  /* In time: never cancelled now (a GTask checks its cancellable when
   * its result is read). */
  g_source_destroy (answer->timer);
}

static gboolean
time_up_cb (gpointer user_data)
{
  AirCliAnswer *answer = user_data;

  answer->timed_out = TRUE;
  /* The transport stops the service's process; its result follows. */
  g_cancellable_cancel (answer->cancellable);
  return G_SOURCE_REMOVE;
}

GPtrArray *
air_cli_all_zones (AirZoneRegistry *registry)
{
  GListModel *model = air_zone_registry_get_zones (registry);
  GPtrArray *zones = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (zones, g_list_model_get_item (model, i));
  return zones;
}

/**
 * air_cli_ask_zones:
 * @action: the call changes something (a longer limit: a start may boot)
 *
 * Calls @call on every zone of @zones at once, on the thread-default main
 * context, and returns when each has answered or been cut off.
 *
 * Returns: (transfer full) (element-type AirCliAnswer): one answer per zone, in order
 */
GPtrArray *
air_cli_ask_zones (AirZoneRegistry *registry,
                   GPtrArray       *zones,
                   gboolean         action,
                   AirCliZoneCall   call)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  GPtrArray *answers = g_ptr_array_new_with_free_func ((GDestroyNotify) answer_free);
  gboolean waiting = TRUE;

  for (guint i = 0; i < zones->len; i++)
    {
      AirCliAnswer *answer = g_new0 (AirCliAnswer, 1);

      answer->zone = g_object_ref (g_ptr_array_index (zones, i));
      answer->cancellable = g_cancellable_new ();
      answer->limit = air_cli_zone_time_limit (registry, answer->zone);
      if (action)
        answer->limit += AIR_CLI_ACTION_EXTRA;
      answer->timer = g_timeout_source_new (answer->limit * 1000);
      g_source_set_callback (answer->timer, time_up_cb, answer, NULL);
      g_source_attach (answer->timer, context);
      g_ptr_array_add (answers, answer);
      call (answer->zone, answer->cancellable, answered_cb, answer);
    }

  while (waiting)
    {
      waiting = FALSE;
      for (guint i = 0; i < answers->len && !waiting; i++)
        waiting = ((AirCliAnswer *) g_ptr_array_index (answers, i))->result == NULL;
      if (waiting)
        g_main_context_iteration (context, TRUE);
    }

  return answers;
}

/* A zone cut off says so, rather than "Operation was cancelled". */
void
air_cli_answer_fix_error (AirCliAnswer  *answer,
                          GError       **error)
{
  if (!answer->timed_out || error == NULL || *error == NULL)
    return;
  g_clear_error (error);
  g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
               ngettext ("Zone “%s”: no answer within %u second",
                         "Zone “%s”: no answer within %u seconds", answer->limit),
               air_zone_get_name (answer->zone), answer->limit);
}

GPtrArray *
air_cli_list_answers (AirCliAnswer  *answer,
                      GError       **error)
{
  GPtrArray *qubes = air_zone_list_qubes_finish (answer->zone, answer->result, error);

  if (qubes == NULL)
    air_cli_answer_fix_error (answer, error);
  return qubes;
}

/* "qair: zone “far” is down: …", the zone's name said once. */
void
air_cli_report_down (AirZone      *zone,
                     const GError *error)
{
  g_autofree char *prefix = g_strdup_printf (_("Zone “%s”: "), air_zone_get_name (zone));
  const char *reason = error->message;

  if (g_str_has_prefix (reason, prefix))
    reason += strlen (prefix);
  g_printerr (_("qair: zone “%s” is down: %s\n"), air_zone_get_name (zone), reason);
}

AirZone *
air_cli_find_zone (AirZoneRegistry  *registry,
                   const char       *name,
                   GError          **error)
{
  AirZone *zone;

  if (!air_name_validate (name, "zone", error))
    return NULL;
  zone = air_zone_registry_lookup (registry, name);
  if (zone == NULL)
    g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                 _("There is no zone called “%s”. “qair zones” lists them."), name);
  return zone;
}

static char *
quoted_names (GPtrArray *zones)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < zones->len; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, _("“%s”"), air_zone_get_name (g_ptr_array_index (zones, i)));
    }
  return g_string_free (text, FALSE);
}

/* Whether @qubes (AirQube) has one called @name. */
gboolean
air_cli_qubes_have (GPtrArray  *qubes,
                    const char *name)
{
  for (guint i = 0; i < qubes->len; i++)
    if (strcmp (air_qube_get_name (g_ptr_array_index (qubes, i)), name) == 0)
      return TRUE;
  return FALSE;
}

/* An AirCliZoneCall that lists a zone's qubes. */
void
air_cli_list_call (AirZone             *zone,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  air_zone_list_qubes_async (zone, cancellable, callback, user_data);
}

/**
 * air_cli_find_qube:
 * @arg: NAME, or ZONE:NAME
 * @zone_name: (nullable): the zone from --zone
 * @name: (out): the qube's name alone
 *
 * Finds the one zone that lists qube @arg. Every zone asked (or only the
 * one named) must answer: a name listed by two zones, or listed by one
 * while another did not answer, is refused with the zones to choose from.
 *
 * Returns: (transfer none): the zone, which the registry keeps
 */
AirZone *
air_cli_find_qube (AirZoneRegistry  *registry,
                   const char       *arg,
                   const char       *zone_name,
                   char            **name,
                   GError          **error)
{
  g_autofree char *zone_part = NULL;
  g_autoptr(GPtrArray) zones = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GPtrArray) holders = g_ptr_array_new ();
  g_autoptr(GPtrArray) down = g_ptr_array_new ();
  g_autoptr(GError) down_error = NULL;
  g_autofree char *listed = NULL;
  const char *colon = strchr (arg, ':');
  const char *qube = arg;

  if (colon != NULL)
    {
      zone_part = g_strndup (arg, colon - arg);
      qube = colon + 1;
      if (!air_name_validate (zone_part, "zone", error))
        return NULL;
      if (zone_name != NULL && strcmp (zone_name, zone_part) != 0)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                       _("“%s” names zone “%s”, but --zone names “%s”"), arg, zone_part, zone_name);
          return NULL;
        }
      zone_name = zone_part;
    }
  if (!air_name_validate (qube, "qube", error))
    return NULL;

  if (zone_name != NULL)
    {
      AirZone *zone = air_cli_find_zone (registry, zone_name, error);

      if (zone == NULL)
        return NULL;
      zones = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (zones, g_object_ref (zone));
    }
  else
    zones = air_cli_all_zones (registry);

  if (zones->len == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                           _("There are no zones. Add one with “qair zone add”."));
      return NULL;
    }

  answers = air_cli_ask_zones (registry, zones, FALSE, air_cli_list_call);
  for (guint i = 0; i < answers->len; i++)
    {
      AirCliAnswer *answer = g_ptr_array_index (answers, i);
      g_autoptr(GError) list_error = NULL;
      g_autoptr(GPtrArray) qubes = air_cli_list_answers (answer, &list_error);

      if (qubes == NULL)
        {
          if (zone_name == NULL)
            air_cli_report_down (answer->zone, list_error);
          if (down_error == NULL)
            down_error = g_steal_pointer (&list_error);
          g_ptr_array_add (down, answer->zone);
        }
      else if (air_cli_qubes_have (qubes, qube))
        g_ptr_array_add (holders, answer->zone);
    }

  if (zone_name != NULL)
    {
      if (down->len > 0)
        {
          g_propagate_error (error, g_steal_pointer (&down_error));
          return NULL;
        }
      if (holders->len == 0)
        {
          /* Never sent there: a zone answers only for what it listed. */
          g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                       _("Zone “%s” has no qube called “%s”. “qair ls --zone %s” lists them."),
                       zone_name, qube, zone_name);
          return NULL;
        }
    }
  else if (holders->len > 1)
    {
      listed = quoted_names (holders);
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("More than one zone has a qube called “%s”: %s. Say which, "
                     "as ZONE:NAME (for instance %s:%s) or with --zone ZONE."),
                   qube, listed, air_zone_get_name (g_ptr_array_index (holders, 0)), qube);
      return NULL;
    }
  else if (holders->len == 1 && down->len > 0)
    {
      g_autofree char *silent = quoted_names (down);
      const char *holder = air_zone_get_name (g_ptr_array_index (holders, 0));

      g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                   ngettext ("Zone “%s” has a qube called “%s”, but zone %s did not answer and may have one too. "
                             "Say which, as %s:%s or with --zone %s.",
                             "Zone “%s” has a qube called “%s”, but zones %s did not answer and may have one too. "
                             "Say which, as %s:%s or with --zone %s.", down->len),
                   holder, qube, silent, holder, qube, holder);
      return NULL;
    }
  else if (holders->len == 0 && down->len > 0)
    {
      g_autofree char *silent = quoted_names (down);

      g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                   ngettext ("No zone that answered has a qube called “%s”, and zone %s is down: "
                             "it may be there. “qair zones” shows why.",
                             "No zone that answered has a qube called “%s”, and zones %s are down: "
                             "it may be in one of them. “qair zones” shows why.", down->len),
                   qube, silent);
      return NULL;
    }
  else if (holders->len == 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND,
                   _("There is no qube called “%s” in any zone. “qair ls” lists them."), qube);
      return NULL;
    }

  if (name != NULL)
    *name = g_strdup (qube);
  return g_ptr_array_index (holders, 0);   /* the registry keeps its reference */
}

GHashTable *
air_cli_wireguard_key_places (AirZoneRegistry *registry,
                              GPtrArray       *zones)
{
  g_autoptr(GHashTable) places = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(AirVaultClient) client = NULL;
  g_autoptr(GPtrArray) credentials = NULL;
  g_auto(AirCliWait) wait = { 0 };

  for (guint i = 0; i < zones->len; i++)
    {
      const char *name = air_zone_get_name (g_ptr_array_index (zones, i));
      const AirSshConfig *config = air_zone_registry_get_ssh_config (registry, name);

      if (config != NULL && config->wireguard != NULL)
        g_hash_table_insert (places, g_strdup (name), (gpointer) "not-in-vault");
    }
  if (g_hash_table_size (places) == 0)
    return g_steal_pointer (&places);

  /* Metadata only: the vault never lists a secret. */
  client = air_vault_client_new (NULL);
  air_cli_wait_init (&wait);
  air_vault_client_list_async (client, NULL, air_cli_wait_cb, &wait);
  credentials = air_vault_client_list_finish (client, air_cli_wait_finish (&wait), NULL);
  if (credentials == NULL)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, places);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_iter_replace (&iter, (gpointer) "unknown");
      return g_steal_pointer (&places);
    }

  for (guint i = 0; i < credentials->len; i++)
    {
      AirCredentialInfo *info = g_ptr_array_index (credentials, i);

      if (g_str_equal (air_credential_info_get_kind (info), "wireguard-key") &&
          g_hash_table_contains (places, air_credential_info_get_zone (info)))
        g_hash_table_insert (places, g_strdup (air_credential_info_get_zone (info)), (gpointer) "vault");
    }
  return g_steal_pointer (&places);
}

void
air_cli_print_key_notes (GHashTable *places)
{
  g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (places), (GCompareFunc) strcmp);

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *place = g_hash_table_lookup (places, l->data);

      if (g_str_equal (place, "not-in-vault"))
        g_print (_("Note: the WireGuard key of zone “%s” is not in the vault yet (a file of its gateway "
                   "holds it); move it with “qair zone rekey %s”.\n"), (char *) l->data, (char *) l->data);
      else if (g_str_equal (place, "unknown"))
        g_print (_("Note: the vault did not answer, so whether it keeps the WireGuard key of zone “%s” "
                   "is not known.\n"), (char *) l->data);
    }
}

/* The zone's WireGuard key pair, made in the vault (a new zone, or a
 * rekey: any earlier key of the zone is replaced); the public half. */
char *
air_cli_vault_wireguard_key (const char  *zone,
                             const char  *gateway,
                             GError     **error)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_auto(AirCliWait) wait = { 0 };
  g_autoptr(GError) local_error = NULL;
  char *key;

  air_cli_wait_init (&wait);
  air_vault_client_generate_async (client, zone, "wireguard-key", gateway, NULL, TRUE,
                                   NULL, air_cli_wait_cb, &wait);
  key = air_vault_client_generate_key_finish (client, air_cli_wait_finish (&wait), &local_error);
  if (key == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("The vault qube “%s” made no WireGuard key for zone “%s”: %s"),
                   air_vault_client_get_vault_qube (client), zone, local_error->message);
      return NULL;
    }
  if (!air_wireguard_key_is_valid (key))
    {
      g_free (key);
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("The vault answered with something that is not a WireGuard public key"));
      return NULL;
    }
  return key;
}

