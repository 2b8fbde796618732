/* test-vault.c — qubes-air-vault end to end, under its own unlocked keyring
 *
 * Run by run-with-keyring.sh (a D-Bus session with gnome-keyring-daemon,
 * temporary HOME and XDG directories under AIR_TEST_ROOT). The real vault
 * program is reached through the loopback transport (AirVaultClient, the
 * bridge, the CLI) or spawned directly with the environment qrexec gives a
 * service, where a test needs a particular caller or raw bytes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-ssh-agent-bridge.h"
#include "air-transport.h"
#include "air-vault-client.h"

#define EXIT_REFUSED 3

/* Helpers */

static const char *
test_root (void)
{
  const char *root = g_getenv ("AIR_TEST_ROOT");

  g_assert_nonnull (root);
  return root;
}

static gboolean
contains_bytes (const char *haystack,
                gsize       len,
                const char *needle)
{
  gsize n = strlen (needle);

  if (n == 0 || n > len)
    return FALSE;
  for (gsize i = 0; i + n <= len; i++)
    if (haystack[i] == needle[0] && memcmp (haystack + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* Fails when @needle is in any regular file under @dir. */
static void
assert_in_no_file (const char *dir,
                   const char *needle)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;

  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        assert_in_no_file (path, needle);
      else if (S_ISREG (st.st_mode))
        {
          g_autofree char *contents = NULL;
          gsize len = 0;

          if (g_file_get_contents (path, &contents, &len, NULL) &&
              contains_bytes (contents, len, needle))
            g_error ("The secret is in the file %s", path);
        }
    }
}

typedef struct {
  int    status;   /* exit status, or minus the signal */
  char  *out;
  gsize  out_len;
  char  *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs @argv to its end with @input on stdin; @env holds "KEY=VALUE"
 * strings (a value of NULL after "=" is not supported: use unset_qrexec). */
static void
run_program (Run                *run,
             const char * const *argv,
             const char * const *env,
             gboolean            unset_qrexec,
             const void         *input,
             gsize               input_len)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) stdin_bytes = g_bytes_new (input ? input : "", input ? input_len : 0);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (unset_qrexec)
    {
      g_subprocess_launcher_unsetenv (launcher, "QREXEC_SERVICE_FULL_NAME");
      g_subprocess_launcher_unsetenv (launcher, "QREXEC_SERVICE_ARGUMENT");
      g_subprocess_launcher_unsetenv (launcher, "QREXEC_REMOTE_DOMAIN");
    }
  for (guint i = 0; env && env[i]; i++)
    {
      g_autofree char *key = g_strndup (env[i], strcspn (env[i], "="));

      g_subprocess_launcher_setenv (launcher, key, env[i] + strlen (key) + 1, TRUE);
    }

  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, stdin_bytes, NULL, &out, &err, &error);
  g_assert_no_error (error);

  run->out_len = g_bytes_get_size (out);
  /* Kept whole, NUL bytes and all, with a NUL after it for strstr(). */
  run->out = g_malloc0 (run->out_len + 1);
  if (run->out_len > 0)
    memcpy (run->out, g_bytes_get_data (out, NULL), run->out_len);
  run->err = g_bytes_get_size (err) ? g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err))
                                    : g_strdup ("");
  run->status = g_subprocess_get_if_exited (process)
                ? g_subprocess_get_exit_status (process)
                : -g_subprocess_get_term_sig (process);
}

static const char *
vault_program (void)
{
  const char *program = g_getenv ("AIR_VAULT_PROGRAM");

  g_assert_nonnull (program);
  return program;
}

/* Spawns the vault as qrexec would for @service+@arg called by @caller. */
static void
run_vault_env (Run                *run,
               const char         *service,
               const char         *arg,
               const char         *caller,
               const char         *input,
               gssize              input_len,
               const char * const *extra_env)
{
  g_autofree char *full = g_strdup_printf ("QREXEC_SERVICE_FULL_NAME=%s+%s", service, arg);
  g_autofree char *argument = g_strdup_printf ("QREXEC_SERVICE_ARGUMENT=%s", arg);
  g_autofree char *remote = g_strdup_printf ("QREXEC_REMOTE_DOMAIN=%s", caller);
  g_autoptr(GPtrArray) env = g_ptr_array_new ();
  const char *argv[] = { vault_program (), arg[0] ? arg : NULL, NULL };

  g_ptr_array_add (env, full);
  g_ptr_array_add (env, argument);
  g_ptr_array_add (env, remote);
  for (guint i = 0; extra_env && extra_env[i]; i++)
    g_ptr_array_add (env, (char *) extra_env[i]);
  g_ptr_array_add (env, NULL);

  run_program (run, argv, (const char * const *) env->pdata, TRUE,
               input, input ? (input_len < 0 ? strlen (input) : (gsize) input_len) : 0);
}

static void
run_vault (Run        *run,
           const char *service,
           const char *arg,
           const char *caller,
           const char *input)
{
  run_vault_env (run, service, arg, caller, input, -1, NULL);
}

static AirTransport *
transport_as (const char *self_name)
{
  AirTransport *transport;

  g_setenv ("AIR_LOOPBACK_SELF", self_name, TRUE);
  transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_unsetenv ("AIR_LOOPBACK_SELF");
  return transport;
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static AirCredentialInfo *
client_put (AirVaultClient *client,
            const char     *zone,
            const char     *kind,
            const char     *label,
            const char     *secret,
            GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (secret, strlen (secret));

  air_vault_client_put_async (client, zone, kind, label, NULL, bytes, NULL, result_cb, &result);
  return air_vault_client_put_finish (client, wait_for (&result), error);
}

static GPtrArray *
client_list (AirVaultClient *client)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *infos;

  air_vault_client_list_async (client, NULL, result_cb, &result);
  infos = air_vault_client_list_finish (client, wait_for (&result), &error);
  g_assert_no_error (error);
  return infos;
}

static GBytes *
client_get (AirVaultClient *client,
            const char     *zone,
            const char     *kind,
            GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  air_vault_client_get_async (client, zone, kind, NULL, result_cb, &result);
  return air_vault_client_get_finish (client, wait_for (&result), error);
}

static guint
client_delete (AirVaultClient *client,
               const char     *zone,
               const char     *kind,
               GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  guint n_deleted = 0;

  air_vault_client_delete_async (client, zone, kind, NULL, result_cb, &result);
  air_vault_client_delete_finish (client, wait_for (&result), &n_deleted, error);
  return n_deleted;
}

static char *
client_generate_key (AirVaultClient *client,
                     const char     *zone,
                     GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  air_vault_client_generate_key_async (client, zone, NULL, NULL, FALSE, NULL, result_cb, &result);
  return air_vault_client_generate_key_finish (client, wait_for (&result), error);
}

static char *
random_secret (const char *prefix)
{
  return g_strdup_printf ("%s-%08x%08x%08x", prefix, g_test_rand_int (), g_test_rand_int (),
                          g_test_rand_int ());
}

/* An OpenSSH key made by ssh-keygen, read and its files removed. */
static char *
openssh_private_key (char **out_public)
{
  g_autofree char *dir = g_build_filename (test_root (), "tmp", "sshkey", NULL);
  g_autofree char *path = g_build_filename (dir, "key", NULL);
  g_autofree char *pub_path = g_strconcat (path, ".pub", NULL);
  g_auto(Run) run = { 0 };
  const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "x", "-f", path, NULL };
  char *text = NULL;
  g_autofree char *public = NULL;
  g_auto(GStrv) fields = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_unlink (path);
  g_unlink (pub_path);
  run_program (&run, argv, NULL, FALSE, NULL, 0);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_file_get_contents (pub_path, &public, NULL, NULL));
  g_unlink (path);
  g_unlink (pub_path);

  fields = g_strsplit (public, " ", 3);
  *out_public = g_strdup_printf ("%s %s", fields[0], fields[1]);
  return text;
}

/* The longest base64 line of a PEM text: what a leak of it would contain. */
static char *
pem_body_line (const char *pem)
{
  g_auto(GStrv) lines = g_strsplit (pem, "\n", -1);

  return g_strdup (lines[1]);
}

/* Tests */

static void
test_round_trip (void)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autoptr(AirTransport) gateway_transport = transport_as ("sys-remote-work");
  g_autoptr(AirVaultClient) gateway = air_vault_client_new (gateway_transport);
  g_autoptr(GPtrArray) infos = NULL;
  g_autofree char *ssh_public = NULL;
  g_autofree char *ssh_keygen = NULL;
  g_auto(Run) list_run = { 0 };
  char *secrets[4], *needles[4];
  const char *kinds[] = { "api-token", "service-account", "access-key", "ssh-key" };
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (air_vault_client_get_vault_qube (client), ==, "vault");

  secrets[0] = random_secret ("PVEAPIToken=root@pam!air=");
  secrets[1] = g_strdup_printf ("{\n  \"type\": \"service_account\",\n  \"private_key\": "
                                "\"-----BEGIN PRIVATE KEY-----\\n%s\\n\"\n}", needles[1] = random_secret ("gcp"));
  secrets[2] = g_strdup_printf ("AKIA%08X:%s", g_test_rand_int (), needles[2] = random_secret ("aws/\"\\"));
  if ((ssh_keygen = g_find_program_in_path ("ssh-keygen")) != NULL)
    secrets[3] = openssh_private_key (&ssh_public);
  else
    secrets[3] = NULL;
  needles[0] = g_strdup (secrets[0]);
  needles[3] = secrets[3] ? pem_body_line (secrets[3]) : NULL;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(AirCredentialInfo) info = NULL;
      g_autofree char *label = g_strdup_printf ("Label of %s", kinds[i]);

      if (secrets[i] == NULL)
        continue;

      info = client_put (client, "work", kinds[i], label, secrets[i], &error);
      g_assert_no_error (error);
      g_assert_cmpstr (air_credential_info_get_zone (info), ==, "work");
      g_assert_cmpstr (air_credential_info_get_kind (info), ==, kinds[i]);
      g_assert_cmpstr (air_credential_info_get_label (info), ==, label);
      g_assert_cmpstr (air_credential_info_get_gateway (info), ==, "sys-remote-work");
      g_assert_cmpint (air_credential_info_get_stored (info), >, 0);
      if (g_str_equal (kinds[i], "ssh-key"))
        {
          g_autofree char *expected = g_strdup_printf ("%s qubes-air-work", ssh_public);
          g_assert_cmpstr (air_credential_info_get_public_key (info), ==, expected);
        }
      else
        g_assert_null (air_credential_info_get_public_key (info));
    }

  /* Listing: metadata of every kind, no secret anywhere in the answer. */
  infos = client_list (client);
  g_assert_cmpuint (infos->len, ==, secrets[3] ? 4 : 3);
  run_vault (&list_run, "qubesair.CredentialList", "", "mgmt", NULL);
  g_assert_cmpint (list_run.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (needles[i] != NULL)
      {
        g_assert_false (contains_bytes (list_run.out, list_run.out_len, needles[i]));
        g_assert_null (strstr (list_run.err, needles[i]));
        /* Written to no file under HOME, XDG_*, TMPDIR. */
        assert_in_no_file (test_root (), needles[i]);
      }

  /* The gateway reads each text secret back exactly; nobody reads the key. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) got = client_get (gateway, "work", kinds[i], &error);

      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got),
                       secrets[i], strlen (secrets[i]));
    }
  if (secrets[3] != NULL)
    {
      g_autoptr(GBytes) got = client_get (gateway, "work", "ssh-key", &error);

      g_assert_null (got);
      g_assert_error (error, AIR_ERROR, AIR_ERROR_REMOTE);
      g_assert_nonnull (strstr (error->message, "never leave"));
      g_clear_error (&error);
    }
  {
    /* Several credentials and no kind named: the vault asks which. */
    g_autoptr(GBytes) got = client_get (gateway, "work", NULL, &error);

    g_assert_null (got);
    g_assert_nonnull (strstr (error->message, "several"));
    g_clear_error (&error);
  }

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (secrets[i] != NULL)
      {
        g_assert_cmpuint (client_delete (client, "work", kinds[i], &error), ==, 1);
        g_assert_no_error (error);
      }

  g_clear_pointer (&infos, g_ptr_array_unref);
  infos = client_list (client);
  g_assert_cmpuint (infos->len, ==, 0);

  /* Deleting what is not there says so. */
  g_assert_cmpuint (client_delete (client, "work", NULL, &error), ==, 0);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REMOTE);
  g_assert_nonnull (strstr (error->message, "work"));
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_free (secrets[i]);
      g_free (needles[i]);
    }
}

static void
test_wrong_domain (void)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autoptr(AirTransport) other_transport = transport_as ("sys-remote-lab");
  g_autoptr(AirVaultClient) other = air_vault_client_new (other_transport);
  g_autoptr(AirCredentialInfo) info = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autofree char *secret = random_secret ("zone1-token");
  g_autofree char *log = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *put_request = NULL;
  const char *callers[] = { "sys-remote-lab", "mgmt", "sys-remote-zone1x", "dom0" };

  info = client_put (client, "zone1", "api-token", "Zone 1 token", secret, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (callers); i++)
    {
      g_auto(Run) run = { 0 };

      run_vault (&run, "qubesair.CredentialGet", "zone1", callers[i], NULL);
      g_assert_cmpint (run.status, ==, EXIT_REFUSED);
      g_assert_cmpuint (run.out_len, ==, 0);
      g_assert_nonnull (strstr (run.err, "refuses"));
      g_assert_nonnull (strstr (run.err, callers[i]));
      g_assert_nonnull (strstr (run.err, "zone1"));
      g_assert_null (strstr (run.err, secret));
    }

  /* Through the transport, the caller sees the refusal as the error. */
  got = client_get (other, "zone1", "api-token", &error);
  g_assert_null (got);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REMOTE);
  g_assert_nonnull (strstr (error->message, "refuses"));
  g_assert_null (strstr (error->message, secret));
  g_clear_error (&error);

  /* The vault's log names caller and zone, never the secret. */
  g_assert_true (g_file_get_contents (g_getenv ("AIR_VAULT_LOG"), &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "refused qubesair.CredentialGet zone=zone1 caller=sys-remote-lab"));
  g_assert_nonnull (strstr (log, "caller=mgmt"));
  g_assert_null (strstr (log, secret));

  /* A gateway cannot manage credentials either, whatever a policy says. */
  put_request = g_strdup_printf ("{\"kind\":\"api-token\",\"label\":\"x\",\"secret\":\"%s-new\"}", secret);
  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialPut", "zone1", "sys-remote-zone1", put_request);
    g_assert_cmpint (run.status, ==, EXIT_REFUSED);
    g_assert_null (strstr (run.err, secret));
  }
  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialList", "", "sys-remote-zone1", NULL);
    g_assert_cmpint (run.status, ==, EXIT_REFUSED);
    g_assert_cmpuint (run.out_len, ==, 0);
  }

  /* Nor use another zone's SSH key. */
  key = client_generate_key (client, "zone1", &error);
  g_assert_no_error (error);
  {
    g_auto(Run) run = { 0 };
    static const char identities[] = { 0, 0, 0, 1, 11 };

    run_vault_env (&run, "qubesair.SshAgent", "zone1", "sys-remote-lab", identities, 5, NULL);
    g_assert_cmpint (run.status, ==, EXIT_REFUSED);
    g_assert_cmpuint (run.out_len, ==, 0);
  }

  /* The right gateway gets it. */
  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialGet", "zone1", "sys-remote-zone1", "{\"kind\":\"api-token\"}");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, secret));
  }

  g_assert_cmpuint (client_delete (client, "zone1", NULL, &error), ==, 2);
  g_assert_no_error (error);
}

/* Management is answered only for the qubes vault.conf names; a new vault
 * pins the first qube that manages it; a qube that is not named — a
 * gateway or any other — can neither list, put, replace, delete nor make
 * a key, whatever dom0's policy let through. */
static void
test_management_only (void)
{
  g_autofree char *config = g_build_filename (test_root (), "vault-management.conf", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("AIR_VAULT_CONFIG"));
  g_autofree char *text = NULL;
  g_autofree char *log = NULL;
  const char *put = "{\"kind\":\"api-token\",\"label\":\"t\",\"secret\":\"s3cret-management\"}";

  g_setenv ("AIR_VAULT_CONFIG", config, TRUE);
  g_unlink (config);

  /* A new vault: the first to manage it is pinned, and only it. */
  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialList", "", "first-mgmt", NULL);
    g_assert_cmpint (run.status, ==, 0);
  }
  g_assert_true (g_file_get_contents (config, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "management=first-mgmt"));
  g_assert_true (g_file_get_contents (g_getenv ("AIR_VAULT_LOG"), &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "management qube pinned: caller=first-mgmt"));

  {
    const char *services[][2] = {
      { "qubesair.CredentialList", "" },
      { "qubesair.CredentialPut", "mz" },
      { "qubesair.CredentialDelete", "mz" },
      { "qubesair.KeyGenerate", "mz" },
    };
    const char *intruders[] = { "sys-net", "mgmt", "sys-remote-mz" };

    for (guint i = 0; i < G_N_ELEMENTS (services); i++)
      for (guint j = 0; j < G_N_ELEMENTS (intruders); j++)
        {
          g_auto(Run) run = { 0 };

          run_vault (&run, services[i][0], services[i][1], intruders[j],
                     g_str_equal (services[i][0], "qubesair.CredentialPut") ? put : "{}");
          g_assert_cmpint (run.status, ==, EXIT_REFUSED);
          g_assert_cmpuint (run.out_len, ==, 0);
          g_assert_nonnull (strstr (run.err, intruders[j]));
          g_assert_nonnull (strstr (run.err, "not a management qube"));
          g_assert_nonnull (strstr (run.err, "management="));
        }
  }

  /* Nothing was stored by them, and the named qubes manage. */
  g_assert_true (g_file_set_contents (config, "[vault]\nmanagement=first-mgmt; other-mgmt\n", -1, NULL));
  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialPut", "mz", "other-mgmt", put);
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialList", "", "first-mgmt", NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "\"mz\""));
  }

  /* The zone's gateway reads its own credential, and never replaces it. */
  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialGet", "mz", "sys-remote-mz", "{\"kind\":\"api-token\"}");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "s3cret-management"));
  }
  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialPut", "mz", "sys-remote-mz",
               "{\"kind\":\"api-token\",\"label\":\"t\",\"secret\":\"replaced\"}");
    g_assert_cmpint (run.status, ==, EXIT_REFUSED);
  }

  /* A configuration that cannot be read lets nobody manage. */
  g_assert_true (g_file_set_contents (config, "[vault]\nnothing=here\n", -1, NULL));
  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialDelete", "mz", "first-mgmt", "{}");
    g_assert_cmpint (run.status, ==, EXIT_REFUSED);
    g_assert_nonnull (strstr (run.err, "does not name its management qubes"));
  }

  g_assert_true (g_file_set_contents (config, "[vault]\nmanagement=first-mgmt\n", -1, NULL));
  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialDelete", "mz", "first-mgmt", "{}");
    g_assert_cmpint (run.status, ==, 0);
  }

  if (saved != NULL)
    g_setenv ("AIR_VAULT_CONFIG", saved, TRUE);
  else
    g_unsetenv ("AIR_VAULT_CONFIG");
  g_unlink (config);
}

/* A vault that answers nothing at all, with success: every client call
 * fails with a plain message, never a crash (empty answers have no data). */
static void
test_empty_answers (void)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autofree char *saved = g_strdup (g_getenv ("AIR_VAULT_PROGRAM"));
  g_autoptr(GBytes) got = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("AIR_VAULT_PROGRAM", "/bin/true", TRUE);

  key = client_generate_key (client, "silent", &error);
  g_assert_null (key);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "did not answer with one public key"));
  g_clear_error (&error);

  got = client_get (client, "silent", "api-token", &error);
  g_assert_null (got);
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_cmpuint (client_delete (client, "silent", NULL, &error), ==, 0);
  g_assert_nonnull (error);

  g_setenv ("AIR_VAULT_PROGRAM", saved, TRUE);
}

#define MARK "HOSTILE-SECRET-MARK"

static void
test_hostile_json (void)
{
  g_autoptr(GString) deep = g_string_new ("");
  g_autoptr(GString) big_secret = g_string_new ("{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":\"" MARK);
  g_autoptr(GString) big_request = g_string_new ("{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":\"" MARK "\"");
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autoptr(GPtrArray) infos = NULL;
  const char *put_cases[] = {
    "", "{", "[]", "null", "\"" MARK "\"", "{\"kind\":\"api-token\"}",
    "{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":\"" MARK "\",\"extra\":1}",
    "{\"kind\":\"nope\",\"label\":\"L\",\"secret\":\"" MARK "\"}",
    "{\"kind\":\"api-token\",\"label\":\"L\\nX\",\"secret\":\"" MARK "\"}",
    "{\"kind\":\"api-token\",\"label\":\"\",\"secret\":\"" MARK "\"}",
    "{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":\"\"}",
    "{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":5}",
    "{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":[\"" MARK "\"]}",
    "{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":\"" MARK "\",\"gateway\":\"../../etc\"}",
    "{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":\"" MARK "\",\"gateway\":\"dom0\"}",
    "{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":\"" MARK "\\u0000\"}",
    "{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":\"" MARK,
    "{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":\"" MARK "\"} {}",
    "{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":\"" MARK "\x01\"}",
    "{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":'" MARK "'}",
    "{\"kind\":\"api-token\",\"label\":\"L\",/*c*/\"secret\":\"" MARK "\"}",
    "{\"kind\":\"api-token\",\"label\":\"L\",\"secret\":\"" MARK "\xff\xfe\"}",
    "{\"kind\":\"ssh-key\",\"label\":\"L\",\"secret\":\"" MARK "\"}",
    "{\"kind\":\"ssh-key\",\"label\":\"L\",\"secret\":\"-----BEGIN OPENSSH PRIVATE KEY-----\\n" MARK
      "\\n-----END OPENSSH PRIVATE KEY-----\\n\"}",
  };

  for (guint i = 0; i < 200; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 70000; i++)
    g_string_append_c (big_secret, 'A');
  g_string_append (big_secret, "\"}");
  while (big_request->len < AIR_VAULT_MAX_REQUEST + 10)
    g_string_append (big_request, "                ");
  g_string_append (big_request, "}");

  for (guint i = 0; i < G_N_ELEMENTS (put_cases) + 3; i++)
    {
      g_auto(Run) run = { 0 };
      const char *input = i < G_N_ELEMENTS (put_cases) ? put_cases[i]
                          : i == G_N_ELEMENTS (put_cases) ? deep->str
                          : i == G_N_ELEMENTS (put_cases) + 1 ? big_secret->str : big_request->str;

      run_vault (&run, "qubesair.CredentialPut", "hostile", "mgmt", input);
      if (run.status != 1 && run.status != 2)
        g_error ("case %u: status %d, stderr %s", i, run.status, run.err);
      g_assert_cmpuint (run.out_len, ==, 0);
      g_assert_cmpstr (run.err, !=, "");
      g_assert_null (strstr (run.err, MARK));
    }

  infos = client_list (client);
  g_assert_cmpuint (infos->len, ==, 0);
  assert_in_no_file (test_root (), MARK);

  /* The small requests of the other services. */
  {
    const char *services[] = { "qubesair.CredentialGet", "qubesair.CredentialDelete",
                               "qubesair.KeyGenerate" };
    const char *cases[] = { "{", "[1]", "{\"kind\":\"x\"}", "{\"kind\":1}", "{\"other\":1}",
                            "{\"kind\":\"api-token\"} x", "{\"replace\":\"yes\"}",
                            "{\"gateway\":\"a b\"}", "{\"label\":\"\\u0007\"}" };

    for (guint s = 0; s < G_N_ELEMENTS (services); s++)
      for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
        {
          g_auto(Run) run = { 0 };
          gboolean key_generate = g_str_equal (services[s], "qubesair.KeyGenerate");

          /* "kind" is not a KeyGenerate field; the others reject the rest. */
          if (!key_generate && c >= 6)
            continue;

          run_vault (&run, services[s], "hostile", "sys-remote-hostile", cases[c]);
          if (run.status != 2)
            g_error ("%s with %s: status %d, stderr %s", services[s], cases[c], run.status, run.err);
        }
  }

  /* Names from the caller: the argument, the caller, the service. */
  {
    const struct { const char *service, *arg, *caller; } cases[] = {
      { "qubesair.CredentialPut", "../x", "mgmt" },
      { "qubesair.CredentialPut", "", "mgmt" },
      { "qubesair.CredentialPut", "abcdefghijabcdefghijabcdefghijabc", "mgmt" },
      { "qubesair.CredentialPut", "dom0", "mgmt" },
      { "qubesair.CredentialGet", "-x", "sys-remote-x" },
      { "qubesair.SshAgent", "", "sys-remote-x" },
      { "qubesair.CredentialList", "a/b", "mgmt" },
      { "qubesair.CredentialSteal", "work", "mgmt" },
      { "qubesair.CredentialList", "", "bad caller" },
      { "qubesair.CredentialList", "", "" },
      { "", "", "mgmt" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_auto(Run) run = { 0 };

        run_vault (&run, cases[i].service, cases[i].arg, cases[i].caller, "{}");
        if (run.status != 2)
          g_error ("case %u: status %d, stderr %s", i, run.status, run.err);
        g_assert_cmpstr (run.err, !=, "");
      }
  }

  /* Started by hand, without qrexec's environment. */
  {
    g_auto(Run) run = { 0 };
    const char *argv[] = { vault_program (), NULL };

    run_program (&run, argv, NULL, TRUE, "", 0);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "qrexec"));
  }
}

static void
test_hostile_frames (void)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) large = g_byte_array_new ();
  static const char identities[] = { 0, 0, 0, 1, 11 };
  static const char oversized[] = { 0x7f, 0, 0, 0, 11 };
  static const char truncated[] = { 0, 0, 0, 50, 13, 0, 0 };
  static const char zero[] = { 0, 0, 0, 0 };

  key = client_generate_key (client, "frames", &error);
  g_assert_no_error (error);
  g_assert_true (air_vault_public_key_is_valid (key));

  {
    g_auto(Run) run = { 0 };

    run_vault_env (&run, "qubesair.SshAgent", "frames", "sys-remote-frames", identities, 5, NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpuint (run.out_len, >, 5);
    g_assert_cmpint (run.out[4], ==, 12);
  }
  {
    g_auto(Run) run = { 0 };

    run_vault_env (&run, "qubesair.SshAgent", "frames", "sys-remote-frames", oversized, 5, NULL);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "limit"));
  }
  {
    g_auto(Run) run = { 0 };

    run_vault_env (&run, "qubesair.SshAgent", "frames", "sys-remote-frames", truncated, 7, NULL);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "cut off"));
  }
  {
    g_auto(Run) run = { 0 };

    run_vault_env (&run, "qubesair.SshAgent", "frames", "sys-remote-frames", zero, 4, NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpuint (run.out_len, ==, 5);
    g_assert_cmpint (run.out[4], ==, 5);
  }

  /* A frame of exactly the limit, full of junk: one failure answer. */
  {
    g_auto(Run) run = { 0 };
    guint8 header[4] = { 0, 4, 0, 0 };

    g_byte_array_append (large, header, 4);
    for (guint i = 0; i < 256 * 1024; i++)
      {
        guint8 b = i & 0xff;
        g_byte_array_append (large, &b, 1);
      }
    run_vault_env (&run, "qubesair.SshAgent", "frames", "sys-remote-frames",
                   (const char *) large->data, large->len, NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpuint (run.out_len, ==, 5);
  }

  /* Random streams: an exit, never a signal. */
  for (guint round = 0; round < 25; round++)
    {
      g_auto(Run) run = { 0 };
      gsize len = g_test_rand_int_range (0, 3000);
      g_autofree char *junk = g_malloc (len + 1);

      for (gsize i = 0; i < len; i++)
        junk[i] = (char) g_test_rand_int_range (0, 256);
      if (len > 4 && round % 2 == 0)
        {
          junk[0] = 0;
          junk[1] = 0;
          junk[2] = 0;
          junk[3] = (char) MIN (len - 4, 200);
        }
      run_vault_env (&run, "qubesair.SshAgent", "frames", "sys-remote-frames", junk, len, NULL);
      g_assert_cmpint (run.status, >=, 0);
      g_assert_cmpint (run.status, <=, 2);
    }

  g_assert_cmpuint (client_delete (client, "frames", NULL, &error), ==, 1);
}

/* OpenSSH through the bridge */

typedef struct {
  GSubprocess *process;
  char        *socket;
} Bridge;

static void
bridge_start (Bridge     *bridge,
              const char *zone,
              const char *gateway_name)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *name = g_strdup_printf ("agent-%s-%s.sock", zone, gateway_name);

  bridge->socket = g_build_filename (g_getenv ("XDG_RUNTIME_DIR"), name, NULL);
  g_subprocess_launcher_setenv (launcher, "AIR_LOOPBACK_SELF", gateway_name, TRUE);
  bridge->process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AIR_TEST_SSH_BRIDGE"),
                                                 bridge->socket, zone, NULL);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bridge->process));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");
}

static void
bridge_stop (Bridge *bridge)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (bridge->process, SIGTERM);
  g_subprocess_wait (bridge->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (bridge->process));
  g_assert_cmpint (g_subprocess_get_exit_status (bridge->process), ==, 0);
  g_assert_false (g_file_test (bridge->socket, G_FILE_TEST_EXISTS));
  g_clear_object (&bridge->process);
  g_clear_pointer (&bridge->socket, g_free);
}

static void
run_with_agent (Run                *run,
                const char * const *argv,
                const char         *socket)
{
  g_autofree char *auth = g_strdup_printf ("SSH_AUTH_SOCK=%s", socket);
  const char *env[] = { auth, NULL };

  run_program (run, argv, env, FALSE, NULL, 0);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return port;
}

static void
login_with_sshd (const char *public_line,
                 const char *socket)
{
  g_autofree char *dir = g_build_filename (test_root (), "sshd", NULL);
  g_autofree char *host_key = g_build_filename (dir, "host_key", NULL);
  g_autofree char *authorized = g_build_filename (dir, "authorized_keys", NULL);
  g_autofree char *config_path = g_build_filename (dir, "sshd_config", NULL);
  g_autofree char *config = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *authorized_text = g_strdup_printf ("%s\n", public_line);
  g_autoptr(GSubprocess) sshd = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) keygen = { 0 };
  g_auto(Run) login = { 0 };
  guint16 port = free_port ();
  gboolean listening = FALSE;
  const char *keygen_argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key, NULL };

  if (!g_file_test ("/usr/sbin/sshd", G_FILE_TEST_IS_EXECUTABLE) || getuid () != 0)
    {
      g_test_message ("sshd login skipped: needs /usr/sbin/sshd and root");
      return;
    }

  /* sshd wants its privilege separation directory, as systemd makes it. */
  if (!g_file_test ("/run/sshd", G_FILE_TEST_IS_DIR))
    g_assert_cmpint (g_mkdir_with_parents ("/run/sshd", 0755), ==, 0);

  g_mkdir_with_parents (dir, 0700);
  run_program (&keygen, keygen_argv, NULL, FALSE, NULL, 0);
  g_assert_cmpint (keygen.status, ==, 0);
  g_assert_true (g_file_set_contents (authorized, authorized_text, -1, NULL));

  config = g_strdup_printf ("Port %u\n"
                            "ListenAddress 127.0.0.1\n"
                            "HostKey %s\n"
                            "AuthorizedKeysFile %s\n"
                            "PidFile none\n"
                            "UsePAM no\n"
                            "StrictModes no\n"
                            "PubkeyAuthentication yes\n"
                            "PasswordAuthentication no\n"
                            "KbdInteractiveAuthentication no\n"
                            "PermitRootLogin prohibit-password\n"
                            "LogLevel VERBOSE\n",
                            port, host_key, authorized);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));

  sshd = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           "/usr/sbin/sshd", "-D", "-e", "-f", config_path, NULL);
  g_assert_no_error (error);

  /* Wait (without a time limit of our own: meson has one) for it to listen. */
  for (guint attempt = 0; attempt < 600 && !listening; attempt++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) connection = NULL;

      connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
      listening = connection != NULL;
      if (!listening)
        g_usleep (50 * 1000);
      g_assert_null (g_subprocess_get_identifier (sshd) == NULL ? "sshd exited" : NULL);
    }
  g_assert_true (listening);

  port_text = g_strdup_printf ("%u", port);
  {
    const char *argv[] = { "ssh", "-F", "/dev/null", "-o", "BatchMode=yes",
                           "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                           "-o", "PreferredAuthentications=publickey", "-o", "LogLevel=ERROR",
                           "-p", port_text, "-l", g_get_user_name (), "127.0.0.1",
                           "echo", "air-login-ok", NULL };

    run_with_agent (&login, argv, socket);
  }

  g_subprocess_send_signal (sshd, SIGTERM);
  g_subprocess_wait (sshd, NULL, NULL);

  if (login.status != 0)
    g_error ("ssh login failed (%d): %s", login.status, login.err);
  g_assert_cmpstr (g_strstrip (login.out), ==, "air-login-ok");
}

static void
test_openssh (void)
{
  g_autoptr(AirVaultClient) client = air_vault_client_new (NULL);
  g_autofree char *key = NULL;
  g_autofree char *ssh_add = g_find_program_in_path ("ssh-add");
  g_autofree char *dir = g_build_filename (test_root (), "tmp", "sign", NULL);
  g_autofree char *data = g_build_filename (dir, "message.txt", NULL);
  g_autofree char *sig = g_strconcat (data, ".sig", NULL);
  g_autofree char *pub = g_build_filename (dir, "zone.pub", NULL);
  g_autofree char *signers = g_build_filename (dir, "allowed_signers", NULL);
  g_autofree char *signers_text = NULL;
  g_autofree char *pub_text = NULL;
  g_autofree char *log = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;
  Bridge bridge = { 0 }, wrong = { 0 };

  if (ssh_add == NULL)
    {
      g_test_skip ("OpenSSH client tools are not installed");
      return;
    }

  key = client_generate_key (client, "ssh", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (key, " qubes-air-ssh"));

  bridge_start (&bridge, "ssh", "sys-remote-ssh");

  /* ssh-add -L lists exactly the vault's key. */
  {
    g_auto(Run) run = { 0 };
    const char *argv[] = { "ssh-add", "-L", NULL };

    run_with_agent (&run, argv, bridge.socket);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (g_strstrip (run.out), ==, key);
  }

  /* ssh-keygen -Y sign through the agent; -Y verify accepts it. */
  g_mkdir_with_parents (dir, 0700);
  message = g_strdup_printf ("signed through the vault %08x\n", g_test_rand_int ());
  pub_text = g_strdup_printf ("%s\n", key);
  signers_text = g_strdup_printf ("zone@qubes-air %s\n", key);
  g_assert_true (g_file_set_contents (data, message, -1, NULL));
  g_assert_true (g_file_set_contents (pub, pub_text, -1, NULL));
  g_assert_true (g_file_set_contents (signers, signers_text, -1, NULL));
  {
    g_auto(Run) run = { 0 };
    const char *argv[] = { "ssh-keygen", "-Y", "sign", "-f", pub, "-n", "file", data, NULL };

    run_with_agent (&run, argv, bridge.socket);
    if (run.status != 0)
      g_error ("ssh-keygen -Y sign failed: %s", run.err);
    g_assert_true (g_file_test (sig, G_FILE_TEST_IS_REGULAR));
  }
  {
    g_auto(Run) run = { 0 };
    const char *argv[] = { "ssh-keygen", "-Y", "verify", "-f", signers, "-I", "zone@qubes-air",
                           "-n", "file", "-s", sig, NULL };

    run_program (&run, argv, NULL, FALSE, message, strlen (message));
    if (run.status != 0)
      g_error ("ssh-keygen -Y verify failed: %s %s", run.out, run.err);
  }
  {
    /* and it is a real check: other data does not verify */
    g_auto(Run) run = { 0 };
    const char *argv[] = { "ssh-keygen", "-Y", "verify", "-f", signers, "-I", "zone@qubes-air",
                           "-n", "file", "-s", sig, NULL };

    run_program (&run, argv, NULL, FALSE, "other data\n", 11);
    g_assert_cmpint (run.status, !=, 0);
  }

  /* A real sshd accepts a login with the key, signed through the bridge. */
  login_with_sshd (key, bridge.socket);

  bridge_stop (&bridge);

  /* Another zone's gateway gets no key through its own bridge. */
  bridge_start (&wrong, "ssh", "sys-remote-other");
  {
    g_auto(Run) run = { 0 };
    const char *argv[] = { "ssh-add", "-L", NULL };

    run_with_agent (&run, argv, wrong.socket);
    g_assert_cmpint (run.status, !=, 0);
    g_assert_null (strstr (run.out, "ssh-ed25519"));
  }
  bridge_stop (&wrong);

  g_assert_true (g_file_get_contents (g_getenv ("AIR_VAULT_LOG"), &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "refused qubesair.SshAgent zone=ssh caller=sys-remote-other"));

  g_assert_cmpuint (client_delete (client, "ssh", NULL, &error), ==, 1);
}

/* The bridge object itself: socket mode, stale sockets, other files. */
static void
test_bridge_socket (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("XDG_RUNTIME_DIR"), "bridge-test.sock", NULL);
  g_autofree char *file = g_build_filename (g_getenv ("XDG_RUNTIME_DIR"), "not-a-socket", NULL);
  g_autoptr(AirSshAgentBridge) bridge = air_ssh_agent_bridge_new (NULL, NULL, "work");
  g_autoptr(AirSshAgentBridge) second = air_ssh_agent_bridge_new (NULL, NULL, "work");
  g_autoptr(AirSshAgentBridge) third = air_ssh_agent_bridge_new (NULL, NULL, "work");
  g_autoptr(AirSshAgentBridge) bad = air_ssh_agent_bridge_new (NULL, NULL, "../zone");
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_true (air_ssh_agent_bridge_listen (bridge, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 0077, ==, 0);
  air_ssh_agent_bridge_stop (bridge);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (g_file_set_contents (file, "keep me", -1, NULL));
  g_assert_false (air_ssh_agent_bridge_listen (second, file, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));

  g_assert_false (air_ssh_agent_bridge_listen (bad, path, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
  g_clear_error (&error);

  g_assert_true (air_ssh_agent_bridge_listen (third, path, &error));
  g_assert_no_error (error);
  g_clear_object (&third);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_cli (void)
{
  const char *cli = g_getenv ("AIR_TEST_CLI");
  g_autofree char *secret = random_secret ("cli-secret");
  g_autofree char *piped = g_strdup_printf ("%s\n", secret);

  g_assert_nonnull (cli);

  {
    g_auto(Run) run = { 0 };
    const char *argv[] = { cli, "cred", "put", "cli", "--kind", "api-token", "--label", "CLI token", NULL };

    run_program (&run, argv, NULL, FALSE, piped, strlen (piped));
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "sys-remote-cli"));
    g_assert_null (strstr (run.out, secret));
    g_assert_null (strstr (run.err, secret));
  }
  {
    /* The trailing newline of the pipe is not part of the secret. */
    g_auto(Run) run = { 0 };
    g_autofree char *expected = g_strdup_printf ("\"secret\":\"%s\"}", secret);

    run_vault (&run, "qubesair.CredentialGet", "cli", "sys-remote-cli", NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, expected));
  }
  {
    g_auto(Run) run = { 0 };
    const char *argv[] = { cli, "cred", "ls", "--json", NULL };
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonArray *array;

    run_program (&run, argv, NULL, FALSE, NULL, 0);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_null (strstr (run.out, secret));
    g_assert_true (json_parser_load_from_data (parser, run.out, -1, NULL));
    array = json_node_get_array (json_parser_get_root (parser));
    g_assert_cmpuint (json_array_get_length (array), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "zone"), ==, "cli");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "label"), ==, "CLI token");
  }
  {
    g_auto(Run) run = { 0 };
    const char *argv[] = { cli, "cred", "ls", NULL };

    run_program (&run, argv, NULL, FALSE, NULL, 0);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "CLI token"));
    g_assert_null (strstr (run.out, secret));
  }
  {
    g_auto(Run) run = { 0 };
    const char *argv[] = { cli, "key", "generate", "--zone", "cli", NULL };
    g_auto(GStrv) lines = NULL;

    run_program (&run, argv, NULL, FALSE, NULL, 0);
    g_assert_cmpint (run.status, ==, 0);
    lines = g_strsplit (run.out, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_true (air_vault_public_key_is_valid (lines[0]));
    g_assert_cmpstr (lines[1], ==, "");
  }
  {
    /* A second key needs --replace. */
    g_auto(Run) run = { 0 };
    const char *argv[] = { cli, "key", "generate", "--zone", "cli", NULL };

    run_program (&run, argv, NULL, FALSE, NULL, 0);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "--replace"));
  }
  {
    g_auto(Run) run = { 0 };
    const char *argv[] = { cli, "cred", "rm", "cli", NULL };

    run_program (&run, argv, NULL, FALSE, NULL, 0);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "2"));
  }
  {
    g_auto(Run) run = { 0 };
    const char *argv[] = { cli, "cred", "rm", "cli", NULL };

    run_program (&run, argv, NULL, FALSE, NULL, 0);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "cli"));
  }

  /* Usage errors: exit 2 and a message naming what is wrong. */
  {
    const char *cases[][8] = {
      { "cred", NULL },
      { "cred", "put", "cli", "--label", "x", NULL },
      { "cred", "put", "cli", "--kind", "password", "--label", "x", NULL },
      { "cred", "put", "--kind", "api-token", "--label", "x", NULL },
      { "cred", "put", "cli", "--kind", "api-token", "--label", "x", "--secret=s" },
      { "cred", "ls", "extra", NULL },
      { "key", "generate", NULL },
      { "key", "make", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_auto(Run) run = { 0 };
        const char *argv[10] = { cli };

        for (guint k = 0; k < 8 && cases[i][k]; k++)
          argv[k + 1] = cases[i][k];
        run_program (&run, argv, NULL, FALSE, "s\n", 2);
        if (run.status != 2)
          g_error ("usage case %u: status %d: %s", i, run.status, run.err);
        g_assert_cmpstr (run.err, !=, "");
      }
  }

  /* No secret on stdin: a failure that says how to give one. */
  {
    g_auto(Run) run = { 0 };
    const char *argv[] = { cli, "cred", "put", "cli", "--kind", "api-token", "--label", "x", NULL };

    run_program (&run, argv, NULL, FALSE, "", 0);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "stdin") ? run.err : strstr (run.err, "standard input"));
  }
}

/* Without a Secret Service: a message saying what to start; nothing stored
 * anywhere else. */
static void
check_unavailable (const char *bus_address)
{
  g_autofree char *env_bus = g_strdup_printf ("DBUS_SESSION_BUS_ADDRESS=%s", bus_address);
  const char *env[] = { env_bus, NULL };
  g_autofree char *secret = random_secret ("no-service");
  g_autofree char *request = g_strdup_printf ("{\"kind\":\"api-token\",\"label\":\"x\",\"secret\":\"%s\"}", secret);
  const char *services[] = { "qubesair.CredentialPut", "qubesair.CredentialList",
                             "qubesair.CredentialGet", "qubesair.SshAgent",
                             "qubesair.KeyGenerate", "qubesair.CredentialDelete" };

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      g_auto(Run) run = { 0 };
      gboolean put = i == 0;

      run_vault_env (&run, services[i], i == 1 ? "" : "nozone",
                     i == 2 || i == 3 ? "sys-remote-nozone" : "mgmt",
                     put ? request : "", -1, env);
      g_assert_cmpint (run.status, ==, 1);
      g_assert_cmpuint (run.out_len, ==, 0);
      g_assert_nonnull (strstr (run.err, "No Secret Service"));
      g_assert_nonnull (strstr (run.err, "gnome-keyring-daemon"));
      g_assert_null (strstr (run.err, secret));
    }

  assert_in_no_file (test_root (), secret);
}

/* A private bus with no service directories: nothing provides, or can be
 * activated as, org.freedesktop.secrets. */
static GSubprocess *
start_empty_bus (char **address)
{
  g_autofree char *dir = g_build_filename (test_root (), "tmp", "empty-bus", NULL);
  g_autofree char *config_path = g_build_filename (dir, "session.conf", NULL);
  g_autofree char *config = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *daemon;

  g_mkdir_with_parents (dir, 0700);
  config = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                            " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                            "<busconfig>\n"
                            "  <type>session</type>\n"
                            "  <listen>unix:dir=%s</listen>\n"
                            "  <policy context=\"default\">\n"
                            "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                            "    <allow eavesdrop=\"true\"/>\n"
                            "    <allow own=\"*\"/>\n"
                            "  </policy>\n"
                            "</busconfig>\n", dir);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));

  daemon = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             "dbus-daemon", "--nofork", "--print-address=1",
                             "--config-file", config_path, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon));
  *address = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*address);
  return daemon;
}

static void
test_no_service (void)
{
  g_autofree char *nowhere = g_strdup_printf ("unix:path=%s/no-bus-here", test_root ());
  g_autofree char *address = NULL;
  g_autoptr(GSubprocess) bus = NULL;

  /* No session bus at all. */
  check_unavailable (nowhere);

  /* A session bus without a Secret Service. */
  bus = start_empty_bus (&address);
  check_unavailable (address);
  g_subprocess_send_signal (bus, SIGTERM);
  g_subprocess_wait (bus, NULL, NULL);
}

/* Run on its own (meson test "vault-locked"): locks the keyring for good. */
static void
test_locked (void)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = random_secret ("locked");
  g_autofree char *request = g_strdup_printf ("{\"kind\":\"api-token\",\"label\":\"x\",\"secret\":\"%s\"}", secret);
  GList *collections;

  service = secret_service_get_sync (SECRET_SERVICE_LOAD_COLLECTIONS, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (collection);

  collections = g_list_append (NULL, collection);
  secret_service_lock_sync (service, collections, NULL, NULL, &error);
  g_list_free (collections);
  g_assert_no_error (error);

  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialPut", "locked", "mgmt", request);
    g_assert_cmpint (run.status, !=, 0);
    g_assert_nonnull (strstr (run.err, "locked"));
    g_assert_nonnull (strstr (run.err, "Unlock"));
    g_assert_null (strstr (run.err, secret));
  }
  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialList", "", "mgmt", NULL);
    g_assert_cmpint (run.status, !=, 0);
    g_assert_nonnull (strstr (run.err, "locked"));
  }
  {
    g_auto(Run) run = { 0 };

    run_vault (&run, "qubesair.CredentialGet", "locked", "sys-remote-locked", NULL);
    g_assert_cmpint (run.status, !=, 0);
    g_assert_nonnull (strstr (run.err, "locked"));
  }

  assert_in_no_file (test_root (), secret);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("AIR_TEST_ROOT") == NULL)
    {
      g_printerr ("Run this test through run-with-keyring.sh\n");
      return 1;
    }

  g_test_add_func ("/air/vault/round-trip", test_round_trip);
  g_test_add_func ("/air/vault/wrong-domain", test_wrong_domain);
  g_test_add_func ("/air/vault/management-only", test_management_only);
  g_test_add_func ("/air/vault/empty-answers", test_empty_answers);
  g_test_add_func ("/air/vault/hostile-json", test_hostile_json);
  g_test_add_func ("/air/vault/hostile-frames", test_hostile_frames);
  g_test_add_func ("/air/vault/openssh", test_openssh);
  g_test_add_func ("/air/vault/bridge-socket", test_bridge_socket);
  g_test_add_func ("/air/vault/cli", test_cli);
  g_test_add_func ("/air/vault/no-service", test_no_service);
  g_test_add_func ("/air/vault/locked", test_locked);

  return g_test_run ();
}
