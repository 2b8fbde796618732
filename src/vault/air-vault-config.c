/* air-vault-config.c
 *
 * The vault answers management calls (put, list, delete, key generation)
 * only for the management qubes its own configuration names, whatever
 * dom0's policy allows — a policy written too wide must not let a gateway
 * or any other qube read the list or replace a credential:
 *
 *   $XDG_CONFIG_HOME/qubes-air/vault.conf (AIR_VAULT_CONFIG overrides)
 *   [vault]
 *   management=mgmt;other-mgmt
 *
 * A new vault has no file: the first qube that manages it (dom0's policy
 * lets only the management qube call, and no gateway has anything to
 * gain before a credential exists) is written there as its management
 * qube — trust on first use, like a pinned host key. A file that cannot be
 * read refuses everyone.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-vault"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "air-error.h"
#include "air-names.h"
#include "air-vault-config.h"

#define GROUP "vault"
#define KEY   "management"
#define MAX_CONFIG (64 * 1024)

char *
air_vault_config_path (void)
{
  const char *env = g_getenv ("AIR_VAULT_CONFIG");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_config_dir (), "qubes-air", "vault.conf", NULL);
}

static gboolean
pin (const char  *path,
     const char  *caller,
     GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = g_strdup_printf ("# Qubes that may manage this vault's credentials "
                                           "(qubes-air-vault).\n[" GROUP "]\n" KEY "=%s\n", caller);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot create “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

AirVaultManager
air_vault_config_check_manager (const char  *caller,
                                GError     **error)
{
  g_autofree char *path = air_vault_config_path ();
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) managers = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return pin (path, caller, error) ? AIR_VAULT_MANAGER_PINNED : AIR_VAULT_MANAGER_REFUSED;
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("The vault cannot read its configuration %s (%s), so it lets no qube manage it."),
                   path, local_error->message);
      return AIR_VAULT_MANAGER_REFUSED;
    }

  if (len > MAX_CONFIG || !g_key_file_load_from_data (file, text, len, G_KEY_FILE_NONE, &local_error) ||
      (managers = g_key_file_get_string_list (file, GROUP, KEY, NULL, &local_error)) == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("The vault's configuration %s does not name its management qubes "
                     "([vault] management=QUBE;…), so it lets no qube manage it."), path);
      return AIR_VAULT_MANAGER_REFUSED;
    }

  for (guint i = 0; managers[i] != NULL; i++)
    if (air_name_is_valid (g_strstrip (managers[i])) && g_str_equal (managers[i], caller))
      return AIR_VAULT_MANAGER_LISTED;

  g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
               _("Qube “%s” is not a management qube of this vault. To let it manage "
                 "credentials, add it to “management=” in %s in the vault qube."),
               caller, path);
  return AIR_VAULT_MANAGER_REFUSED;
}
