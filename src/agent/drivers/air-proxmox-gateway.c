/* air-proxmox-gateway.c
 *
 * The proxmox driver is a module, libair-driver-proxmox.so: it needs
 * libcurl, whose 28 libraries took two thirds of every other call's start
 * (the local zone's, a relay's) when the agent linked them. A Proxmox
 * zone's call loads it on a thread while the vault reads the zone's API
 * token: the module's loading and the vault's answer (a qrexec call to
 * another qube) overlap instead of adding up.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-proxmox"

#include "config.h"

#include <glib/gi18n.h>

#include "air-error.h"
#include "air-proxmox-gateway.h"
#include "air-vault-client.h"

const AirProxmoxModule *
air_proxmox_module_get (GError **error)
{
  static const AirProxmoxModule *module;

  if (module == NULL)
    module = air_driver_module_symbol ("proxmox", "air_proxmox_module", error);
  return module;
}

static gpointer
load_module (gpointer unused)
{
  GError *error = NULL;

  air_proxmox_module_get (&error);
  return error;
}

/**
 * air_proxmox_gateway_driver_new:
 *
 * The gateway's driver of a Proxmox zone. Its API token is read from the
 * vault (qubesair.CredentialGet+ZONE, kind api-token) — only once the
 * server's certificate is pinned: unpinned, nothing is sent, and the
 * driver refuses every request and says how to pin.
 *
 * Returns: (transfer full): the driver, or NULL
 */
AirDriver *
air_proxmox_gateway_driver_new (const char             *state_dir,
                                const char             *zone_name,
                                const AirProxmoxConfig *config,
                                GError                **error)
{
  g_autoptr(GError) module_error = NULL;
  g_autoptr(GError) vault_error = NULL;
  g_autoptr(GBytes) secret = NULL;
  AirVaultFetch *fetch = NULL;
  const AirProxmoxModule *module;
  const char *token = NULL;
  gsize len = 0;

  /* The module loads on a thread of its own while this one sends the
   * vault its request and waits: loaded here, it held the request back
   * until it was done. */
  if (config->pin != NULL)
    {
      GThread *loader;

      fetch = air_vault_fetch_begin (zone_name, "api-token");
      loader = g_thread_new ("air-proxmox-load", load_module, NULL);
      secret = air_vault_fetch_end (fetch, &vault_error);
      module_error = g_thread_join (loader);
    }
  module = module_error == NULL ? air_proxmox_module_get (&module_error) : NULL;

  if (module == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&module_error));
      return NULL;
    }
  if (fetch != NULL && secret == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&vault_error),
                                  _("The Proxmox API token of zone “%s” could not be read from the vault "
                                    "(store it with “qair cred put %s --kind proxmox-token”): "),
                                  zone_name, zone_name);
      return NULL;
    }
  /* the vault's bytes are zeroed when freed; the API keeps its own copy
   * in guarded memory */
  if (secret != NULL)
    token = g_bytes_get_data (secret, &len);
  return module->driver_new (state_dir, zone_name, config, token, len, error);
}

/* A proxmox gateway's guard of a clone it follows (air-proxmox-guard.c). */
int
air_proxmox_gateway_task_guard (void)
{
  g_autoptr(GError) error = NULL;
  const AirProxmoxModule *module = air_proxmox_module_get (&error);

  if (module == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return module->task_guard_main ();
}

char *
air_proxmox_gateway_fetch_pin (const char  *url,
                               guint        timeout,
                               GError     **error)
{
  const AirProxmoxModule *module = air_proxmox_module_get (error);

  return module != NULL ? module->fetch_pin (url, timeout, error) : NULL;
}
