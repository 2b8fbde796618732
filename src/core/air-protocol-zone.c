/* air-protocol-zone.c
 *
 * The protocol's messages about a zone and its calls: events (one line
 * each), the zone's info, and the header of a Run call.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-protocol"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-protocol-private.h"

#define MAX_USER_CHARS 32
#define MAX_ARG_CHARS 4096

/* Events */

void
air_event_free (AirEvent *event)
{
  if (event == NULL)
    return;
  g_clear_object (&event->qube);
  g_free (event->name);
  g_free (event->reason);
  g_free (event);
}

static const char * const event_names[] = {
  "qube-added", "qube-changed", "qube-removed", "zone-health",
};

AirEvent *
air_event_parse (const char  *line,
                 gsize        len,
                 const char  *zone,
                 GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (line, len, AIR_JSON_MAX_LINE, error);
  g_autoptr(AirEvent) event = g_new0 (AirEvent, 1);
  const char *kind, *text;
  JsonNode *qube_node;
  guint i;

  if (object == NULL)
    return NULL;

  if (!air_json_get_string (object, "event", 32, &kind, error))
    return NULL;

  for (i = 0; i < G_N_ELEMENTS (event_names); i++)
    if (strcmp (kind, event_names[i]) == 0)
      break;

  if (i == G_N_ELEMENTS (event_names))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND, _("Unknown event"));
      return NULL;
    }
  event->kind = i;

  switch (event->kind)
    {
    case AIR_EVENT_QUBE_ADDED:
    case AIR_EVENT_QUBE_CHANGED:
      qube_node = json_object_get_member (object, "qube");
      if (qube_node == NULL || !JSON_NODE_HOLDS_OBJECT (qube_node))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("Field “qube” must be an object"));
          return NULL;
        }
      event->qube = air_protocol_qube_from_object (json_node_get_object (qube_node), zone, error);
      if (event->qube == NULL)
        return NULL;
      break;

    case AIR_EVENT_QUBE_REMOVED:
      if (!air_protocol_get_name (object, "name", "qube", &text, error))
        return NULL;
      event->name = g_strdup (text);
      break;

    case AIR_EVENT_ZONE_HEALTH:
      if (!GET_ENUM (object, "health", air_health_from_string, AIR_HEALTH_UNKNOWN, &event->health, error) ||
          !air_json_get_opt_string (object, "reason", AIR_PROTOCOL_MAX_REASON, "", &text, error))
        return NULL;
      event->reason = air_text_sanitize (text, -1, AIR_PROTOCOL_MAX_REASON);
      break;

    default:
      g_assert_not_reached ();
    }

  return g_steal_pointer (&event);
}

/* A health reason as the reader takes it: what a gateway adds to a host's
 * words (the link's state) could make it longer than the reader's limit,
 * and the whole event or ZoneInfo would then be refused. */
static char *
reason_to_send (const char *reason)
{
  return air_text_sanitize (reason, -1, AIR_PROTOCOL_MAX_REASON - 1);   /* room for “…” */
}

char *
air_event_to_line (const AirEvent *event)
{
  GString *out = g_string_new ("{\"event\":");

  air_json_append_string (out, event_names[event->kind]);
  switch (event->kind)
    {
    case AIR_EVENT_QUBE_ADDED:
    case AIR_EVENT_QUBE_CHANGED:
      g_string_append (out, ",\"qube\":");
      air_protocol_append_qube (out, event->qube);
      break;
    case AIR_EVENT_QUBE_REMOVED:
      g_string_append (out, ",\"name\":");
      air_json_append_string (out, event->name);
      break;
    case AIR_EVENT_ZONE_HEALTH:
      {
        g_autofree char *reason = reason_to_send (event->reason);

        g_string_append (out, ",\"health\":");
        air_json_append_string (out, air_health_to_string (event->health));
        g_string_append (out, ",\"reason\":");
        air_json_append_string (out, reason);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  g_string_append (out, "}\n");
  return g_string_free (out, FALSE);
}

/* Zone info */

gboolean
air_zone_link_is_known (const char *link)
{
  return g_strcmp0 (link, "qrexec") == 0 || g_strcmp0 (link, "ssh") == 0 ||
         g_strcmp0 (link, "wireguard-ssh") == 0 || g_strcmp0 (link, "https") == 0;
}

static gboolean
zone_link_is_valid (const char *link)
{
  return link[0] == '\0' || air_zone_link_is_known (link);
}

/* "SHA256:" and unpadded base64, as ssh-keygen -l prints it. */
static gboolean
host_key_is_valid (const char *key)
{
  if (key[0] == '\0')
    return TRUE;
  if (!g_str_has_prefix (key, "SHA256:") || key[7] == '\0')
    return FALSE;
  for (const char *p = key + 7; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return FALSE;
  return TRUE;
}

void
air_zone_info_free (AirZoneInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->driver);
  g_free (info->acceleration);
  g_strfreev (info->templates);
  g_free (info->health_reason);
  g_free (info->link);
  g_free (info->endpoint);
  g_free (info->host_key);
  g_free (info->disk_encryption);
  g_free (info);
}

AirZoneInfo *
air_zone_info_parse (const char  *data,
                     gsize        len,
                     GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (data, len, AIR_JSON_MAX_LINE, error);
  g_autoptr(AirZoneInfo) info = g_new0 (AirZoneInfo, 1);
  g_autoptr(GError) local_error = NULL;
  const char *name, *driver, *reason, *link, *endpoint, *host_key, *acceleration, *disk_encryption;
  gint64 n_qubes, n_running, memory_total, vcpus_total, handshake;

  if (object == NULL)
    return NULL;

  if (!air_protocol_get_name (object, "name", "zone", &name, error) ||
      !air_json_get_opt_string (object, "driver", 16, "", &driver, error) ||
      !GET_ENUM (object, "isolation", air_isolation_from_string, AIR_ISOLATION_UNKNOWN, &info->isolation, error) ||
      !air_json_get_opt_string (object, "acceleration", 8, "", &acceleration, error) ||
      !GET_ENUM (object, "health", air_health_from_string, AIR_HEALTH_UNKNOWN, &info->health, error) ||
      !air_json_get_opt_string (object, "health-reason", AIR_PROTOCOL_MAX_REASON, "", &reason, error) ||
      !air_json_get_opt_int (object, "qubes", 0, AIR_PROTOCOL_MAX_QUBES, 0, &n_qubes, error) ||
      !air_json_get_opt_int (object, "running", 0, AIR_PROTOCOL_MAX_QUBES, 0, &n_running, error) ||
      !air_json_get_opt_int (object, "memory-total", 0, G_MAXINT32, 0, &memory_total, error) ||
      !air_json_get_opt_int (object, "vcpus-total", 0, AIR_PROTOCOL_MAX_VCPUS * 64, 0, &vcpus_total, error) ||
      !air_json_get_opt_string (object, "link", 16, "", &link, error) ||
      !air_json_get_opt_string (object, "endpoint", AIR_PROTOCOL_MAX_ENDPOINT, "", &endpoint, error) ||
      !air_json_get_opt_string (object, "host-key", AIR_PROTOCOL_MAX_HOST_KEY, "", &host_key, error) ||
      !air_json_get_opt_int (object, "handshake", 0, G_MAXINT64 / G_USEC_PER_SEC, 0, &handshake, error) ||
      !air_json_get_opt_string (object, "disk-encryption", 16, "", &disk_encryption, error))
    return NULL;

  if (!zone_link_is_valid (link))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Field “%s” has an unknown value"), "link");
      return NULL;
    }
  if (!host_key_is_valid (host_key))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                   _("Field “%s” is not a key fingerprint"), "host-key");
      return NULL;
    }

  for (const char *p = driver; *p; p++)
    if (!g_ascii_isalnum (*p))
      {
        g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                             _("Field “driver” may contain only letters and digits"));
        return NULL;
      }

  info->templates = air_json_get_strv (object, "templates", 1024, AIR_NAME_MAX, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (info->templates == NULL)
    info->templates = g_new0 (char *, 1);

  for (guint i = 0; info->templates[i]; i++)
    if (!air_name_validate (info->templates[i], "template", error))
      return NULL;

  info->name = g_strdup (name);
  info->driver = g_strdup (driver);
  info->health_reason = air_text_sanitize (reason, -1, AIR_PROTOCOL_MAX_REASON);
  info->n_qubes = n_qubes;
  info->n_running = n_running;
  info->memory_total = memory_total;
  info->vcpus_total = vcpus_total;
  info->link = g_strdup (link);
  /* Shown to the user: printable text only. */
  info->endpoint = air_text_sanitize (endpoint, -1, AIR_PROTOCOL_MAX_ENDPOINT);
  info->host_key = g_strdup (host_key);
  info->handshake = handshake;
  /* Only what a VM zone can say; anything else is nothing. */
  info->acceleration = g_strdup (info->isolation == AIR_ISOLATION_VM &&
                                 (strcmp (acceleration, "kvm") == 0 || strcmp (acceleration, "tcg") == 0)
                                 ? acceleration : "");
  /* Likewise: what the zone cannot be taken to say is unknown. */
  info->disk_encryption = g_strdup (strcmp (disk_encryption, "luks") == 0 || strcmp (disk_encryption, "none") == 0
                                    ? disk_encryption : "");

  return g_steal_pointer (&info);
}

char *
air_zone_info_to_json (const AirZoneInfo *info)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *reason = reason_to_send (info->health_reason);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, AIR_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, info->name);
  json_builder_set_member_name (builder, "driver");
  json_builder_add_string_value (builder, info->driver);
  json_builder_set_member_name (builder, "isolation");
  json_builder_add_string_value (builder, air_isolation_to_string (info->isolation));
  if (info->acceleration != NULL && info->acceleration[0] != '\0')
    {
      json_builder_set_member_name (builder, "acceleration");
      json_builder_add_string_value (builder, info->acceleration);
    }
  json_builder_set_member_name (builder, "templates");
  json_builder_begin_array (builder);
  for (guint i = 0; info->templates && info->templates[i]; i++)
    json_builder_add_string_value (builder, info->templates[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "health");
  json_builder_add_string_value (builder, air_health_to_string (info->health));
  json_builder_set_member_name (builder, "health-reason");
  json_builder_add_string_value (builder, reason);
  json_builder_set_member_name (builder, "qubes");
  json_builder_add_int_value (builder, info->n_qubes);
  json_builder_set_member_name (builder, "running");
  json_builder_add_int_value (builder, info->n_running);
  json_builder_set_member_name (builder, "memory-total");
  json_builder_add_int_value (builder, (gint64) info->memory_total);
  json_builder_set_member_name (builder, "vcpus-total");
  json_builder_add_int_value (builder, info->vcpus_total);
  if (info->link != NULL && info->link[0] != '\0')
    {
      json_builder_set_member_name (builder, "link");
      json_builder_add_string_value (builder, info->link);
    }
  if (info->endpoint != NULL && info->endpoint[0] != '\0')
    {
      json_builder_set_member_name (builder, "endpoint");
      json_builder_add_string_value (builder, info->endpoint);
    }
  if (info->host_key != NULL && info->host_key[0] != '\0')
    {
      json_builder_set_member_name (builder, "host-key");
      json_builder_add_string_value (builder, info->host_key);
    }
  if (info->handshake > 0)
    {
      json_builder_set_member_name (builder, "handshake");
      json_builder_add_int_value (builder, info->handshake);
    }
  if (info->disk_encryption != NULL && info->disk_encryption[0] != '\0')
    {
      json_builder_set_member_name (builder, "disk-encryption");
      json_builder_add_string_value (builder, info->disk_encryption);
    }
  json_builder_end_object (builder);

  return air_json_builder_to_line (builder);
}

/* Run header */

void
air_run_header_free (AirRunHeader *header)
{
  if (header == NULL)
    return;
  g_strfreev (header->argv);
  g_free (header->user);
  g_free (header);
}

/* The account a command runs as: a portable POSIX user name, so it cannot
 * be a path, an option or anything a shell would read. */
static gboolean
valid_user (const char *user)
{
  if (!g_ascii_isalpha (user[0]) && user[0] != '_')
    return FALSE;
  for (const char *p = user; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

AirRunHeader *
air_run_header_parse (const char  *line,
                      gsize        len,
                      GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (line, len, AIR_JSON_MAX_LINE, error);
  g_autoptr(AirRunHeader) header = g_new0 (AirRunHeader, 1);
  g_autoptr(GError) local_error = NULL;
  const char *user;

  if (object == NULL)
    return NULL;

  header->argv = air_json_get_strv (object, "argv", AIR_PROTOCOL_MAX_ARGV, MAX_ARG_CHARS, &local_error);
  if (header->argv == NULL)
    {
      if (local_error == NULL)
        local_error = g_error_new_literal (AIR_ERROR, AIR_ERROR_PROTOCOL, _("Field “argv” is missing"));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (header->argv[0] == NULL || header->argv[0][0] == '\0')
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("No command to run"));
      return NULL;
    }

  if (!air_json_get_opt_string (object, "user", MAX_USER_CHARS, "user", &user, error))
    return NULL;

  if (!valid_user (user))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Field “user” is not a valid user name"));
      return NULL;
    }

  header->user = g_strdup (user);
  return g_steal_pointer (&header);
}

char *
air_run_header_to_line (const char * const *argv,
                        const char         *user)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "argv");
  json_builder_begin_array (builder);
  for (guint i = 0; argv[i]; i++)
    json_builder_add_string_value (builder, argv[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, user ? user : "user");
  json_builder_end_object (builder);

  return air_json_builder_to_line (builder);
}
