/* air-remotevm.c
 *
 * Qubes 4.3 lets dom0 know a remote qube as a RemoteVM: relayvm is the
 * zone's gateway, transport_rpc qubesair.Relay, remote_name the qube's
 * name in its zone. The management qube cannot run dom0 commands, so this
 * writes what the user runs there: one qvm-create per qube, under a dom0
 * name that says its zone (ZONE-QUBE, cut to Qubes' 31 characters with a
 * hash of the whole so two long names never meet), never touching a qube
 * dom0 has already, and the policy that lets the user's qubes use them —
 * asking each time — while calls from them to local qubes stay denied.
 *
 * Zone, gateway and qube names are validated names ([A-Za-z0-9_.-]), so
 * they need no quoting in a shell or in YAML; they are quoted anyway.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-remotevm"

#include "config.h"

#include <string.h>

#include "air-remotevm.h"

/* What qvm-run, qvm-copy and qvm-open-in-vm call; the relay serves these. */
static const char * const relayed[] = {
  "qubes.VMShell", "qubes.VMExec", "qubes.VMExecGUI", "qubes.Filecopy",
  "qubes.OpenInVM", "qubes.OpenURL", "qubes.WaitForSession",
};

#define HASH_CHARS 4

char *
air_remotevm_dom0_name (const char *zone,
                        const char *qube)
{
  g_autofree char *name = g_strdup_printf ("%s-%s", zone, qube);
  g_autofree char *whole = NULL;
  g_autofree char *hash = NULL;
  gsize keep;

  if (strlen (name) <= AIR_REMOTEVM_MAX_NAME)
    return g_steal_pointer (&name);

  whole = g_strdup_printf ("%s:%s", zone, qube);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, whole, -1);
  keep = AIR_REMOTEVM_MAX_NAME - 1 - HASH_CHARS;
  /* A name does not end in "-" or "." before the hash. */
  while (keep > 1 && strchr ("-._", name[keep - 1]) != NULL)
    keep--;
  return g_strdup_printf ("%.*s-%.*s", (int) keep, name, HASH_CHARS, hash);
}

static void
append_policy (GString            *out,
               const char         *indent,
               const char         *zone,
               AirQube * const    *qubes,
               guint               n_qubes)
{
  g_autofree char *example = NULL;

  g_string_append_printf (out, "%s# Qubes Air, zone \"%s\": which qubes may use its qubes.\n", indent, zone);
  g_string_append_printf (out, "%s# Each call asks; change \"ask\" to \"allow\" for a qube you trust with it.\n", indent);
  for (guint i = 0; i < n_qubes; i++)
    {
      g_autofree char *name = air_remotevm_dom0_name (zone, air_qube_get_name (qubes[i]));

      for (guint s = 0; s < G_N_ELEMENTS (relayed); s++)
        g_string_append_printf (out, "%s%-22s *  @anyvm  %-31s ask\n", indent, relayed[s], name);
    }
  example = n_qubes > 0 ? air_remotevm_dom0_name (zone, air_qube_get_name (qubes[0])) : g_strdup ("NAME");
  g_string_append_printf (out, "%s# Calls from these qubes to local ones are denied. To let one, say, copy\n"
                               "%s# files to a local qube, put before the lines below (with its name):\n"
                               "%s#   qubes.Filecopy  *  %s  @anyvm  ask\n",
                          indent, indent, indent, example);
  for (guint i = 0; i < n_qubes; i++)
    {
      g_autofree char *name = air_remotevm_dom0_name (zone, air_qube_get_name (qubes[i]));

      g_string_append_printf (out, "%s%-22s *  %-31s @anyvm  deny\n", indent, "*", name);
    }
}

static char *
shell_script (const char         *zone,
              const char         *gateway,
              AirQube * const    *qubes,
              guint               n_qubes)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out,
    "#!/bin/sh\n"
    "# Qubes Air: zone \"%s\"'s qubes as RemoteVMs in dom0 (Qubes 4.3 or later).\n"
    "# Run in dom0. A qube dom0 has already is left alone and named on stderr.\n"
    "set -eu\n"
    "relay='%s'\n"
    "add () {  # DOM0_NAME REMOTE_NAME LABEL\n"
    "  if qvm-check --quiet \"$1\" 2>/dev/null; then\n"
    "    echo \"dom0 has a qube called $1 already: not changed (if it is not zone %s's $2, remove or rename it first).\" >&2\n"
    "    return 0\n"
    "  fi\n"
    "  qvm-create --class RemoteVM --label \"$3\" \\\n"
    "    --property relayvm=\"$relay\" --property transport_rpc=qubesair.Relay \\\n"
    "    --property remote_name=\"$2\" \"$1\"\n"
    "}\n",
    zone, gateway, zone);
  for (guint i = 0; i < n_qubes; i++)
    {
      g_autofree char *name = air_remotevm_dom0_name (zone, air_qube_get_name (qubes[i]));

      g_string_append_printf (out, "add '%s' '%s' '%s'\n", name, air_qube_get_name (qubes[i]),
                              air_label_to_string (air_qube_get_label (qubes[i])));
    }
  g_string_append_printf (out, "cat >'/etc/qubes/policy.d/30-qubes-air-%s.policy' <<'POLICY'\n", zone);
  append_policy (out, "", zone, qubes, n_qubes);
  g_string_append (out, "POLICY\n");
  return g_string_free (out, FALSE);
}

static char *
salt_state (const char         *zone,
            const char         *gateway,
            AirQube * const    *qubes,
            guint               n_qubes)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out,
    "# Qubes Air: zone \"%s\"'s qubes as RemoteVMs in dom0 (Qubes 4.3 or later).\n"
    "# Save as /srv/user_salt/qubes-air-%s.sls in dom0, then:\n"
    "#   sudo qubesctl --show-output state.apply qubes-air-%s saltenv=user\n",
    zone, zone, zone);
  for (guint i = 0; i < n_qubes; i++)
    {
      g_autofree char *name = air_remotevm_dom0_name (zone, air_qube_get_name (qubes[i]));

      g_string_append_printf (out,
        "\n'qubes-air-%s':\n"
        "  cmd.run:\n"
        "    - name: \"qvm-create --class RemoteVM --label %s --property relayvm=%s"
        " --property transport_rpc=qubesair.Relay --property remote_name=%s %s\"\n"
        "    - unless: \"qvm-check --quiet %s\"\n",
        name, air_label_to_string (air_qube_get_label (qubes[i])), gateway,
        air_qube_get_name (qubes[i]), name, name);
    }
  g_string_append_printf (out,
    "\n'/etc/qubes/policy.d/30-qubes-air-%s.policy':\n"
    "  file.managed:\n"
    "    - mode: '0644'\n"
    "    - contents: |\n", zone);
  append_policy (out, "        ", zone, qubes, n_qubes);
  return g_string_free (out, FALSE);
}

/* What dom0 runs to know @qubes of @zone, served by @gateway. */
char *
air_remotevm_script (const char         *zone,
                     const char         *gateway,
                     AirQube * const    *qubes,
                     guint               n_qubes,
                     AirRemoteVmFormat   format)
{
  if (format == AIR_REMOTEVM_FORMAT_SALT)
    return salt_state (zone, gateway, qubes, n_qubes);
  return shell_script (zone, gateway, qubes, n_qubes);
}
