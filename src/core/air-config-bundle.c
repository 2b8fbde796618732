/* air-config-bundle.c
 *
 * What “Export Configuration” writes, before it is encrypted: the zone
 * registry's own JSON (air_zone_registry_dup_json(), without this
 * machine's paths) with "kind": "qubes-air-config". Reading it back goes
 * through the registry's own loader, so an imported zone passes exactly
 * the checks a zone in the registry file does (names, drivers, hosts,
 * ports, lengths) — the file is as untrusted as anything a zone sends,
 * even after it authenticated: whoever made it may not be you.
 *
 * With --with-secrets it also carries "secrets": an age file the vault
 * made of the zones' credentials and keys, which only the vault opens
 * again (air-vault-export.c, CredentialExport / CredentialImport).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-config"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-age.h"
#include "air-config-bundle.h"
#include "air-error.h"
#include "air-json.h"
#include "air-names.h"

GBytes *
air_config_bundle_export (AirZoneRegistry *registry,
                          const char      *only_zone)
{
  g_autofree char *json = air_zone_registry_dup_json (registry, only_zone, TRUE);
  char *text;

  /* json is an object: the mark goes in as its first member */
  text = g_strdup_printf ("{\"kind\":\"" AIR_CONFIG_BUNDLE_KIND "\",%s", json + 1);
  return g_bytes_new_take (text, strlen (text));
}

/* The same, with the vault's age file of the zones' credentials and keys
 * (air_vault_client_export_async()) as "secrets", in base64: the secrets
 * are encrypted twice, the inner file by the vault. */
GBytes *
air_config_bundle_export_with_secrets (AirZoneRegistry *registry,
                                       const char      *only_zone,
                                       GBytes          *secrets)
{
  g_autoptr(GBytes) plain = air_config_bundle_export (registry, only_zone);
  g_autofree char *encoded = g_base64_encode (g_bytes_get_data (secrets, NULL), g_bytes_get_size (secrets));
  gsize len = 0;
  const char *data = g_bytes_get_data (plain, &len);
  char *text;

  /* plain ends with its object's closing brace (and a line break) */
  while (len > 0 && g_ascii_isspace (data[len - 1]))
    len--;
  g_assert (len > 0 && data[len - 1] == '}');
  text = g_strdup_printf ("%.*s,\"secrets\":\"%s\"}", (int) len - 1, data, encoded);
  return g_bytes_new_take (text, strlen (text));
}

/* The vault's age file in a configuration, or NULL (no error) when it
 * has none. */
GBytes *
air_config_bundle_dup_secrets (GBytes  *plain,
                               GError **error)
{
  g_autoptr(JsonObject) root = NULL;
  g_autofree guchar *file = NULL;
  const char *text = NULL;
  gsize len = 0;

  root = air_json_parse_object (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain),
                                AIR_AGE_MAX_FILE, error);
  if (root == NULL ||
      !air_json_get_opt_string (root, "secrets", AIR_AGE_MAX_FILE, NULL, &text, error) || text == NULL)
    return NULL;
  file = g_base64_decode (text, &len);
  if (len < 22 || memcmp (file, "age-encryption.org/v1\n", 22) != 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The configuration's “secrets” are not an age file."));
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&file), len);
}

AirZoneRegistry *
air_config_bundle_read (GBytes  *plain,
                        GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(AirZoneRegistry) incoming = air_zone_registry_new (NULL);
  g_autoptr(JsonObject) root = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (plain, &len);
  const char *kind = NULL;

  root = air_json_parse_object (data, len, AIR_AGE_MAX_FILE, error);
  if (root == NULL || !air_json_get_opt_string (root, "kind", 64, NULL, &kind, error))
    return NULL;
  if (g_strcmp0 (kind, AIR_CONFIG_BUNDLE_KIND) != 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The file opened, but it is not a Qubes Air configuration."));
      return NULL;
    }
  if (!air_zone_registry_load_data (incoming, data, len, &local_error))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The configuration's zone list is not valid: %s"), local_error->message);
      return NULL;
    }
  return g_steal_pointer (&incoming);
}

AirConfigImport
air_config_bundle_plan (AirZoneRegistry *registry,
                        AirZone         *zone,
                        gboolean         replace)
{
  if (air_zone_registry_lookup (registry, air_zone_get_name (zone)) == NULL)
    return AIR_CONFIG_IMPORT_ADD;
  return replace ? AIR_CONFIG_IMPORT_REPLACE : AIR_CONFIG_IMPORT_SKIP;
}

/* One line for the summary shown before anything changes; the text
 * comes from the file, so it is cleaned for a terminal or a label. */
char *
air_config_bundle_describe_zone (AirZoneRegistry *incoming,
                                 AirZone         *zone)
{
  const AirSshConfig *ssh = air_zone_registry_get_ssh_config (incoming, air_zone_get_name (zone));
  g_autofree char *text = NULL;

  if (ssh == NULL)
    text = g_strdup_printf (_("driver %s, gateway %s"), air_zone_get_driver (zone),
                            air_zone_get_gateway (zone));
  else if (ssh->wireguard != NULL)
    text = g_strdup_printf (_("ssh to %s%s%s port %u through WireGuard to %s, gateway %s"),
                            ssh->user ? ssh->user : "", ssh->user ? "@" : "", ssh->host, ssh->port,
                            ssh->wireguard, air_zone_get_gateway (zone));
  else
    text = g_strdup_printf (_("ssh to %s%s%s port %u, gateway %s"),
                            ssh->user ? ssh->user : "", ssh->user ? "@" : "", ssh->host, ssh->port,
                            air_zone_get_gateway (zone));
  return air_text_sanitize (text, -1, 400);
}

/* Puts zone NAME of INCOMING into REGISTRY, in place of one of the same
 * name; the registry is not saved, and the gateway not told. */
gboolean
air_config_bundle_take_zone (AirZoneRegistry  *registry,
                             AirZoneRegistry  *incoming,
                             const char       *name,
                             GError          **error)
{
  AirZone *zone = air_zone_registry_lookup (incoming, name);
  const AirSshConfig *ssh = air_zone_registry_get_ssh_config (incoming, name);
  g_autoptr(AirZone) copy = NULL;

  g_return_val_if_fail (zone != NULL, FALSE);

  copy = air_zone_new (name, air_zone_get_gateway (zone), air_zone_get_driver (zone));
  if (air_zone_registry_lookup (registry, name) != NULL &&
      !air_zone_registry_remove (registry, name, error))
    return FALSE;
  return air_zone_registry_add (registry, copy, error) &&
         (ssh == NULL || air_zone_registry_set_ssh_config (registry, name, ssh, error));
}
