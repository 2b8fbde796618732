/* test-proxmox-api.c — the gateway's Proxmox VE client against the test
 * server (pve-test-server.py, HTTPS with a certificate made here): the
 * pin is read and enforced, the token is sent only to the pinned server,
 * tasks are followed to their end, the guest agent runs commands, and
 * the ways a server fails (401, 500, a failed task, a changed
 * certificate, hostile names, an oversized answer) are errors a user can
 * act on, never a crash.
 *
 * Verified only against this stand-in, not a real Proxmox VE.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <glib/gstdio.h>
#include <glib-unix.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <string.h>

#include "air-error.h"
#include "air-proxmox-api.h"
#include "air-proxmox-driver.h"

#define TOKEN "qubes@pve!air=0b9a6d2e-1f7c-4f53-9a6e-5c1d2f3a4b5c"

static char *dir;

typedef struct {
  GSubprocess *server;
  char        *url;
  char        *pin;
} Server;

static void
make_cert (const char *name)
{
  g_autofree char *cert = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
    "-nodes", "-days", "2", "-subj", "/CN=pve1", "-keyout", key, "-out", cert, NULL,
  };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
server_start (Server *server, const char *cert, const char *fail, int vms)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "proxmox", "pve-test-server.py", NULL);
  g_autofree char *cert_path = g_strdup_printf ("%s/%s.pem", dir, cert);
  g_autofree char *key_path = g_strdup_printf ("%s/%s.key", dir, cert);
  g_autofree char *port_file = g_strdup_printf ("%s/port", dir);
  g_autofree char *state = g_strdup_printf ("%s/state", dir);
  g_autofree char *vms_text = g_strdup_printf ("%d", vms);
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_remove (port_file);
  server->server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                                     "python3", script, "--cert", cert_path, "--key", key_path,
                                     "--token", TOKEN, "--port-file", port_file, "--state", state,
                                     "--vms", vms_text, "--fail", fail, NULL);
  g_assert_no_error (error);
  while (!g_file_get_contents (port_file, &port, NULL, NULL))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_usleep (20 * 1000);
    }
  server->url = g_strdup_printf ("https://127.0.0.1:%s", port);
}

static void
server_stop (Server *server)
{
  g_subprocess_force_exit (server->server);
  g_subprocess_wait (server->server, NULL, NULL);
  g_clear_object (&server->server);
  g_clear_pointer (&server->url, g_free);
  g_clear_pointer (&server->pin, g_free);
}

static AirProxmoxApi *
connect_api (Server *server)
{
  g_autoptr(GError) error = NULL;
  AirProxmoxApi *api;

  if (server->pin == NULL)
    server->pin = air_proxmox_fetch_pin (server->url, 5, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (server->pin, "sha256//"));
  api = air_proxmox_api_new (server->url, server->pin, 5);
  g_assert_true (air_proxmox_api_set_token (api, TOKEN "\n", strlen (TOKEN) + 1, &error));
  g_assert_no_error (error);
  return api;
}

static AirProxmoxVm *
find_vm (GPtrArray *vms, guint vmid)
{
  for (guint i = 0; i < vms->len; i++)
    if (((AirProxmoxVm *) vms->pdata[i])->vmid == vmid)
      return vms->pdata[i];
  return NULL;
}

static char *
upid_of (JsonNode *data)
{
  g_assert_true (JSON_NODE_HOLDS_VALUE (data));
  g_assert_true (g_str_has_prefix (json_node_get_string (data), "UPID:pve1:"));
  return g_strdup (json_node_get_string (data));
}

static void
test_pin (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *again = NULL;
  g_autofree char *openssl_pin = NULL;
  Server server = { 0 };

  server_start (&server, "a", "", 0);
  server.pin = air_proxmox_fetch_pin (server.url, 5, &error);
  g_assert_no_error (error);
  again = air_proxmox_fetch_pin (server.url, 5, &error);
  g_assert_cmpstr (server.pin, ==, again);

  /* the same as openssl's own SPKI hash */
  {
    g_autofree char *cmd = g_strdup_printf ("sh -c 'openssl x509 -in %s/a.pem -pubkey -noout | "
                                            "openssl pkey -pubin -outform der | "
                                            "openssl dgst -sha256 -binary | base64'", dir);
    g_autofree char *out = NULL;

    g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL));
    openssl_pin = g_strconcat ("sha256//", g_strstrip (out), NULL);
    g_assert_cmpstr (server.pin, ==, openssl_pin);
  }

  g_assert_false (air_proxmox_url_validate ("http://127.0.0.1:8006", NULL));
  g_assert_false (air_proxmox_url_validate ("https://h/api?x", NULL));
  g_assert_false (air_proxmox_url_validate ("https://h\n", NULL));
  g_assert_true (air_proxmox_url_validate ("https://pve.example.org:8006/", NULL));
  server_stop (&server);
}

static void
test_token (void)
{
  static const char * const bad[] = {
    "", "qubes@pve", "qubes@pve!air", "qubes@pve!air=", "@pve!air=x", "qubes!air@pve=x",
    "qubes@pve!air=a b", "qubes@pve!air=\x1b[31m",
  };
  g_autoptr(AirProxmoxApi) api = air_proxmox_api_new ("https://127.0.0.1:1", "sha256//x", 1);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (air_proxmox_api_set_token (api, bad[i], strlen (bad[i]), &error));
      g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
      /* the message never holds the token */
      if (*bad[i] != '\0')
        g_assert_null (strstr (error->message, bad[i]));
    }
}

static void
test_lifecycle (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirProxmoxApi) api = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(JsonNode) task = NULL;
  g_autofree char *upid = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GBytes) input = g_bytes_new_static ("from stdin\n", 11);
  const char *clone_form[] = { "newid", "150", "name", "work", "full", "0", NULL };
  const char *argv[] = { "sh", "-c", "cat; echo out; echo err >&2; exit 3", NULL };
  Server server = { 0 };
  AirProxmoxVm *vm;
  int status;

  server_start (&server, "a", "", 3);
  api = connect_api (&server);

  vms = air_proxmox_api_list_vms (api, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vms->len, ==, 4);
  vm = find_vm (vms, 9000);
  g_assert_true (vm->is_template);
  g_assert_cmpstr (vm->name, ==, "debian-12");
  g_assert_cmpstr (find_vm (vms, 201)->status, ==, "running");

  /* clone the template, follow its task */
  task = air_proxmox_api_request (api, "POST", "/nodes/pve1/qemu/9000/clone", clone_form, &error);
  g_assert_no_error (error);
  upid = upid_of (task);
  g_assert_true (air_proxmox_api_wait_task (api, "pve1", upid, 10, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&vms, g_ptr_array_unref);
  vms = air_proxmox_api_list_vms (api, &error);
  g_assert_cmpstr (find_vm (vms, 150)->name, ==, "work");
  g_assert_cmpstr (find_vm (vms, 150)->status, ==, "stopped");

  /* start it, run a command through the guest agent */
  g_clear_pointer (&task, json_node_unref);
  g_clear_pointer (&upid, g_free);
  task = air_proxmox_api_request (api, "POST", "/nodes/pve1/qemu/150/status/start", NULL, &error);
  g_assert_no_error (error);
  upid = upid_of (task);
  g_assert_true (air_proxmox_api_wait_task (api, "pve1", upid, 10, NULL, NULL, NULL, &error));
  status = air_proxmox_api_exec (api, "pve1", 150, argv, input, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 3);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "from stdin\nout\n", 15);
  g_assert_cmpmem (g_bytes_get_data (err, NULL), g_bytes_get_size (err), "err\n", 4);

  /* a running VM cannot be destroyed; stopped, it can */
  g_clear_pointer (&task, json_node_unref);
  task = air_proxmox_api_request (api, "DELETE", "/nodes/pve1/qemu/150", NULL, &error);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REMOTE);
  g_assert_nonnull (strstr (error->message, "running"));
  g_clear_error (&error);
  g_clear_pointer (&upid, g_free);
  task = air_proxmox_api_request (api, "POST", "/nodes/pve1/qemu/150/status/stop", NULL, &error);
  upid = upid_of (task);
  g_assert_true (air_proxmox_api_wait_task (api, "pve1", upid, 10, NULL, NULL, NULL, &error));
  g_clear_pointer (&task, json_node_unref);
  g_clear_pointer (&upid, g_free);
  task = air_proxmox_api_request (api, "DELETE", "/nodes/pve1/qemu/150", NULL, &error);
  g_assert_no_error (error);
  upid = upid_of (task);
  g_assert_true (air_proxmox_api_wait_task (api, "pve1", upid, 10, NULL, NULL, NULL, &error));
  g_clear_pointer (&vms, g_ptr_array_unref);
  vms = air_proxmox_api_list_vms (api, &error);
  g_assert_null (find_vm (vms, 150));

  server_stop (&server);
}

static void
test_failures (void)
{
  Server server = { 0 };

  /* 401: the token is refused, and said so */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AirProxmoxApi) api = NULL;
    g_autoptr(GPtrArray) vms = NULL;

    server_start (&server, "a", "auth", 0);
    api = connect_api (&server);
    vms = air_proxmox_api_list_vms (api, &error);
    g_assert_null (vms);
    g_assert_error (error, AIR_ERROR, AIR_ERROR_REFUSED);
    g_assert_nonnull (strstr (error->message, "401"));
    g_assert_null (strstr (error->message, "0b9a6d2e"));
    server_stop (&server);
  }
  /* 500: the server's reason, cleaned */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AirProxmoxApi) api = NULL;
    g_autoptr(GPtrArray) vms = NULL;

    server_start (&server, "a", "error500", 0);
    api = connect_api (&server);
    vms = air_proxmox_api_list_vms (api, &error);
    g_assert_error (error, AIR_ERROR, AIR_ERROR_REMOTE);
    g_assert_nonnull (strstr (error->message, "lock timeout"));
    server_stop (&server);
  }
  /* a task that fails says why */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AirProxmoxApi) api = NULL;
    g_autoptr(JsonNode) task = NULL;
    g_autofree char *upid = NULL;
    const char *form[] = { "newid", "151", "name", "w2", NULL };

    server_start (&server, "a", "task-fail", 0);
    api = connect_api (&server);
    task = air_proxmox_api_request (api, "POST", "/nodes/pve1/qemu/9000/clone", form, &error);
    upid = upid_of (task);
    g_assert_false (air_proxmox_api_wait_task (api, "pve1", upid, 10, NULL, NULL, NULL, &error));
    g_assert_error (error, AIR_ERROR, AIR_ERROR_REMOTE);
    g_assert_nonnull (strstr (error->message, "out of space"));
    server_stop (&server);
  }
  /* a slow task: the time limit holds */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AirProxmoxApi) api = NULL;
    g_autoptr(JsonNode) task = NULL;
    g_autofree char *upid = NULL;
    const char *form[] = { "newid", "152", "name", "w3", NULL };

    server_start (&server, "a", "slow-clone", 0);
    api = connect_api (&server);
    task = air_proxmox_api_request (api, "POST", "/nodes/pve1/qemu/9000/clone", form, &error);
    upid = upid_of (task);
    g_assert_false (air_proxmox_api_wait_task (api, "pve1", upid, 1, NULL, NULL, NULL, &error));
    g_assert_error (error, AIR_ERROR, AIR_ERROR_BUSY);
    server_stop (&server);
  }
  /* a cancelled wait stops the task (DELETE /nodes/{node}/tasks/{upid}),
   * and so does a caller whose end of the given fd closed */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AirProxmoxApi) api = NULL;
    g_autoptr(JsonNode) task = NULL;
    g_autoptr(JsonNode) status = NULL;
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autofree char *upid = NULL;
    g_autofree char *path = NULL;
    const char *form[] = { "newid", "153", "name", "w4", NULL };
    int fds[2];

    server_start (&server, "a", "slow-clone", 0);
    api = connect_api (&server);
    task = air_proxmox_api_request (api, "POST", "/nodes/pve1/qemu/9000/clone", form, &error);
    upid = upid_of (task);
    g_cancellable_cancel (cancellable);
    g_assert_false (air_proxmox_api_wait_task (api, "pve1", upid, 10, NULL, NULL, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    path = g_strdup_printf ("/nodes/pve1/tasks/%s/status", upid);
    status = air_proxmox_api_request (api, "GET", path, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status), "status"), ==, "stopped");
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status), "exitstatus"), ==,
                     "interrupted by signal");

    /* the caller's pipe: its reading end closed */
    g_clear_pointer (&task, json_node_unref);
    g_clear_pointer (&upid, g_free);
    form[1] = "154";
    task = air_proxmox_api_request (api, "POST", "/nodes/pve1/qemu/9000/clone", form, &error);
    upid = upid_of (task);
    g_assert_cmpint (pipe (fds), ==, 0);
    close (fds[0]);
    air_proxmox_api_set_caller_fd (api, fds[1]);
    g_assert_false (air_proxmox_api_wait_task (api, "pve1", upid, 10, NULL, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    air_proxmox_api_set_caller_fd (api, -1);
    close (fds[1]);
    server_stop (&server);
  }
  /* hostile names are not taken as qube names */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AirProxmoxApi) api = NULL;
    g_autoptr(GPtrArray) vms = NULL;

    server_start (&server, "a", "hostile", 0);
    api = connect_api (&server);
    vms = air_proxmox_api_list_vms (api, &error);
    g_assert_no_error (error);
    g_assert_nonnull (find_vm (vms, 666));
    g_assert_null (find_vm (vms, 666)->name);
    server_stop (&server);
  }
  /* an answer over the limit is refused, not read */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AirProxmoxApi) api = NULL;
    g_autoptr(GPtrArray) vms = NULL;

    server_start (&server, "a", "oversized", 0);
    api = connect_api (&server);
    vms = air_proxmox_api_list_vms (api, &error);
    g_assert_null (vms);
    g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
    server_stop (&server);
  }
}

/* The server comes back with another key: refused before the token goes. */
static void
test_changed_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirProxmoxApi) api = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autofree char *pin = NULL;
  Server server = { 0 };

  server_start (&server, "a", "", 1);
  pin = air_proxmox_fetch_pin (server.url, 5, &error);
  server_stop (&server);

  server_start (&server, "b", "", 1);
  server.pin = g_strdup (pin);
  api = connect_api (&server);
  vms = air_proxmox_api_list_vms (api, &error);
  g_assert_null (vms);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "different certificate key"));
  server_stop (&server);

  /* and without a pin nothing is asked at all */
  {
    g_autoptr(AirProxmoxApi) unpinned = air_proxmox_api_new ("https://127.0.0.1:1", NULL, 1);
    g_autoptr(GError) local_error = NULL;
    g_autoptr(JsonNode) data = NULL;

    g_assert_true (air_proxmox_api_set_token (unpinned, TOKEN, strlen (TOKEN), NULL));
    data = air_proxmox_api_request (unpinned, "GET", "/version", NULL, &local_error);
    g_assert_null (data);
    g_assert_nonnull (strstr (local_error->message, "zone trust"));
  }
}

/* What a followed task's log said, in order. */
typedef struct {
  GArray    *percents;
  GPtrArray *texts;
} Seen;

static void
seen_progress (int percent, const char *text, gpointer user_data)
{
  Seen *seen = user_data;

  g_array_append_val (seen->percents, percent);
  g_ptr_array_add (seen->texts, g_strdup (text));
}

static void
follow_clone (Server *server, const char *fail, const char *newid, Seen *seen)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirProxmoxApi) api = NULL;
  g_autoptr(JsonNode) task = NULL;
  g_autofree char *upid = NULL;
  const char *form[] = { "newid", newid, "name", "w5", NULL };

  seen->percents = g_array_new (FALSE, FALSE, sizeof (int));
  seen->texts = g_ptr_array_new_with_free_func (g_free);
  server_start (server, "a", fail, 0);
  api = connect_api (server);
  task = air_proxmox_api_request (api, "POST", "/nodes/pve1/qemu/9000/clone", form, &error);
  upid = upid_of (task);
  g_assert_true (air_proxmox_api_wait_task (api, "pve1", upid, 20, seen_progress, seen, NULL, &error));
  g_assert_no_error (error);
  server_stop (server);
}

/* A clone's progress, as the job shows it: from the task's log. */
static void
test_task_progress (void)
{
  Server server = { 0 };
  Seen seen = { 0 };
  int last = -1;
  guint rising = 0;

  g_assert_cmpint (air_proxmox_log_percent ("transferred 1.0 GiB of 32.0 GiB (3.12%)"), ==, 3);
  g_assert_cmpint (air_proxmox_log_percent ("drive-scsi0: transferred 32 GiB (100.00%) in 5s"), ==, 100);
  g_assert_cmpint (air_proxmox_log_percent ("(50%) then (60.5%)"), ==, 60);
  g_assert_cmpint (air_proxmox_log_percent ("(999%)"), ==, -1);
  g_assert_cmpint (air_proxmox_log_percent ("(1234.5%)"), ==, -1);
  g_assert_cmpint (air_proxmox_log_percent ("(%) (12 %) (x%)"), ==, -1);
  g_assert_cmpint (air_proxmox_log_percent ("create linked clone of drive scsi0"), ==, -1);

  /* a 3 s clone: its percentages rise to 100, each reported once */
  follow_clone (&server, "slow-clone", "160", &seen);
  for (guint i = 0; i < seen.percents->len; i++)
    {
      int percent = g_array_index (seen.percents, int, i);

      g_assert_cmpint (percent, >=, last);
      g_assert_cmpint (percent, <=, 100);
      rising += percent > last;
      last = percent;
    }
  g_assert_cmpuint (rising, >=, 3);
  g_assert_cmpint (last, ==, 100);
  g_assert_nonnull (strstr (g_ptr_array_index (seen.texts, seen.texts->len - 1), "GiB"));
  g_array_unref (seen.percents);
  g_ptr_array_unref (seen.texts);

  /* a hostile log: escapes and markup are cleaned, long lines cut, an
   * impossible percentage ignored */
  follow_clone (&server, "hostile", "161", &seen);
  g_assert_cmpuint (seen.texts->len, >, 0);
  for (guint i = 0; i < seen.texts->len; i++)
    {
      const char *text = g_ptr_array_index (seen.texts, i);

      g_assert_null (strchr (text, '\x1b'));
      g_assert_null (strchr (text, '\x07'));
      g_assert_cmpuint (g_utf8_strlen (text, -1), <=, 200);
      g_assert_cmpint (g_array_index (seen.percents, int, i), <=, 100);
    }
  g_array_unref (seen.percents);
  g_ptr_array_unref (seen.texts);
}

static AirProxmoxDriver *
driver_for (Server *server, AirProxmoxApi *api)
{
  AirProxmoxConfig config = { .url = server->url, .node = (char *) "pve1", .pin = server->pin, .timeout = 5 };

  return air_proxmox_driver_new ("lab", &config, api);
}

static AirQube *
find_qube (GPtrArray *qubes, const char *name)
{
  for (guint i = 0; i < qubes->len; i++)
    if (g_strcmp0 (air_qube_get_name (qubes->pdata[i]), name) == 0)
      return qubes->pdata[i];
  return NULL;
}

/* Runs ARGV through RUN with INPUT on its stdin; its stdout in *OUT. */
static int
run_with (AirProxmoxDriver *driver, const char *name, gboolean disposable,
          const char * const *argv, const char *input, char **out, GError **error)
{
  AirRunHeader header = { .argv = (char **) argv, .user = NULL };
  int in[2], out_pipe[2], err_pipe[2];
  char buffer[4096];
  gssize n;
  int status;

  g_assert_true (g_unix_open_pipe (in, 0, NULL));
  g_assert_true (g_unix_open_pipe (out_pipe, 0, NULL));
  g_assert_true (g_unix_open_pipe (err_pipe, 0, NULL));
  g_assert_cmpint (write (in[1], input, strlen (input)), ==, (gssize) strlen (input));
  close (in[1]);
  status = disposable
           ? air_proxmox_driver_disposable (driver, name, &header, in[0], out_pipe[1], err_pipe[1], error)
           : air_proxmox_driver_run (driver, name, &header, in[0], out_pipe[1], err_pipe[1], error);
  close (in[0]);
  close (out_pipe[1]);
  close (err_pipe[1]);
  n = read (out_pipe[0], buffer, sizeof buffer - 1);
  *out = g_strndup (buffer, n > 0 ? n : 0);
  close (out_pipe[0]);
  close (err_pipe[0]);
  return status;
}

/* Guards of a clone (air-proxmox-driver.c) that run this program. */
static guint
count_own_guards (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *entry;
  guint n = 0;

  while (proc != NULL && (entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *exe_link = g_build_filename ("/proc", entry, "exe", NULL);
      g_autofree char *cmdline_path = g_build_filename ("/proc", entry, "cmdline", NULL);
      g_autofree char *exe = g_file_read_link (exe_link, NULL);
      g_autofree char *cmdline = NULL;
      gsize len = 0;

      if (exe == NULL || g_strcmp0 (exe, self) != 0 ||
          !g_file_get_contents (cmdline_path, &cmdline, &len, NULL))
        continue;
      /* argv[1] follows argv[0]'s NUL */
      if (strnlen (cmdline, len) + 1 < len &&
          strcmp (cmdline + strnlen (cmdline, len) + 1, "--proxmox-task-guard") == 0)
        n++;
    }
  return n;
}

static void
test_driver (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirProxmoxApi) api = NULL;
  g_autoptr(AirProxmoxDriver) driver = NULL;
  g_autoptr(GPtrArray) qubes = NULL;
  g_autoptr(AirZoneInfo) info = NULL;
  g_autoptr(AirQube) made = NULL;
  g_autoptr(AirQube) again = NULL;
  g_autoptr(AirQube) started = NULL;
  g_autoptr(AirQube) halted = NULL;
  g_autoptr(AirQubeSpec) spec = air_qube_spec_new ();
  g_autofree char *out = NULL;
  g_autofree char *disp_out = NULL;
  const char *argv[] = { "sh", "-c", "read line; echo \"got $line\"; exit 7", NULL };
  const char *hello[] = { "echo", "from a disposable", NULL };
  Server server = { 0 };
  int status;

  server_start (&server, "a", "", 3);
  api = connect_api (&server);
  driver = driver_for (&server, api);

  qubes = air_proxmox_driver_list (driver, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (qubes->len, ==, 3);
  g_assert_cmpint (air_qube_get_state (find_qube (qubes, "q1")), ==, AIR_QUBE_STATE_RUNNING);
  g_assert_null (find_qube (qubes, "debian-12"));
  info = air_proxmox_driver_get_info (driver);
  g_assert_cmpint (info->health, ==, AIR_HEALTH_UP);
  g_assert_cmpint (info->isolation, ==, AIR_ISOLATION_VM);
  g_assert_cmpuint (info->n_qubes, ==, 3);
  g_assert_true (g_strv_contains ((const char * const *) info->templates, "debian-12"));

  /* create: a linked clone with its memory, cores and label */
  g_free (spec->template_name);
  spec->template_name = g_strdup ("debian-12");
  spec->memory = 2048;
  spec->vcpus = 2;
  spec->label = AIR_LABEL_RED;
  made = air_proxmox_driver_create (driver, "work", spec, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (air_qube_get_state (made), ==, AIR_QUBE_STATE_HALTED);
  g_assert_cmpuint (air_qube_get_memory (made), ==, 2048);
  g_assert_cmpuint (air_qube_get_vcpus (made), ==, 2);
  g_assert_cmpint (air_qube_get_label (made), ==, AIR_LABEL_RED);
  /* The clone's guard ends with the clone (and is a guard, not another
   * run of this test starting guards of its own). */
  for (int i = 0; i < 100 && count_own_guards () > 0; i++)
    g_usleep (100 * 1000);
  g_assert_cmpuint (count_own_guards (), ==, 0);
  again = air_proxmox_driver_create (driver, "work", spec, NULL, &error);
  g_assert_null (again);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_EXISTS);
  g_clear_error (&error);

  /* run needs it running; then stdin in, stdout out, the exit status */
  status = run_with (driver, "work", FALSE, argv, "hello\n", &out, &error);
  g_assert_cmpint (status, <, 0);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_BUSY);
  g_clear_error (&error);
  g_clear_pointer (&out, g_free);
  started = air_proxmox_driver_start (driver, "work", &error);
  g_assert_no_error (error);
  g_assert_cmpint (air_qube_get_state (started), ==, AIR_QUBE_STATE_RUNNING);
  status = run_with (driver, "work", FALSE, argv, "hello\n", &out, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 7);
  g_assert_cmpstr (out, ==, "got hello\n");

  /* a running qube is not removed; halted, it is */
  g_assert_false (air_proxmox_driver_remove (driver, "work", &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_BUSY);
  g_clear_error (&error);
  halted = air_proxmox_driver_shutdown (driver, "work", &error);
  g_assert_no_error (error);
  g_assert_cmpint (air_qube_get_state (halted), ==, AIR_QUBE_STATE_HALTED);
  g_assert_true (air_proxmox_driver_remove (driver, "work", &error));
  g_clear_pointer (&qubes, g_ptr_array_unref);
  qubes = air_proxmox_driver_list (driver, &error);
  g_assert_null (find_qube (qubes, "work"));

  /* a disposable runs, and is gone afterwards */
  status = run_with (driver, "debian-12", TRUE, hello, "", &disp_out, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (disp_out, ==, "from a disposable\n");
  g_clear_pointer (&qubes, g_ptr_array_unref);
  qubes = air_proxmox_driver_list (driver, &error);
  g_assert_cmpuint (qubes->len, ==, 3);

  server_stop (&server);
}

/* A server whose VMs have hostile names, or one name for two VMs: they
 * are not qubes, and the shared name is refused, never guessed. */
static void
test_driver_hostile (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirProxmoxApi) api = NULL;
  g_autoptr(AirProxmoxDriver) driver = NULL;
  g_autoptr(GPtrArray) qubes = NULL;
  g_autoptr(AirQube) twin = NULL;
  Server server = { 0 };

  server_start (&server, "a", "hostile", 1);
  api = connect_api (&server);
  driver = driver_for (&server, api);
  qubes = air_proxmox_driver_list (driver, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (qubes->len, ==, 1);
  g_assert_cmpstr (air_qube_get_name (qubes->pdata[0]), ==, "q0");
  twin = air_proxmox_driver_lookup (driver, "twin", &error);
  g_assert_null (twin);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "Two VMs"));
  server_stop (&server);
}

/* Reads one line from FD (at most 64 KiB), or NULL at its end. */
static char *
read_line (int fd)
{
  GString *line = g_string_new (NULL);
  char c;

  while (read (fd, &c, 1) == 1)
    {
      if (c == '\n')
        return g_string_free (line, FALSE);
      g_string_append_c (line, c);
      g_assert_cmpuint (line->len, <, 65536);
    }
  g_string_free (line, TRUE);
  return NULL;
}

/* Events: the list, the health, then only changes; it ends with stdin. */
static void
test_driver_events (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirProxmoxApi) api = NULL;
  g_autoptr(AirProxmoxDriver) driver = NULL;
  g_autoptr(JsonNode) task = NULL;
  g_autofree char *upid = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  Server server = { 0 };
  int to_child[2], from_child[2];
  gboolean seen_running = FALSE;
  int status = 0;
  pid_t pid;

  server_start (&server, "a", "", 2);
  api = connect_api (&server);
  driver = driver_for (&server, api);
  g_assert_true (g_unix_open_pipe (to_child, 0, NULL));
  g_assert_true (g_unix_open_pipe (from_child, 0, NULL));

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      dup2 (to_child[0], STDIN_FILENO);
      dup2 (from_child[1], STDOUT_FILENO);
      close (to_child[1]);
      close (from_child[0]);
      _exit (air_proxmox_driver_watch (driver, TRUE, 1));
    }
  close (to_child[0]);
  close (from_child[1]);

  first = read_line (from_child[0]);
  g_assert_nonnull (first);
  g_assert_nonnull (strstr (first, "\"q0\""));
  g_assert_nonnull (strstr (first, "\"q1\""));
  second = read_line (from_child[0]);
  g_assert_nonnull (strstr (second, "zone-health"));

  task = air_proxmox_api_request (api, "POST", "/nodes/pve1/qemu/200/status/start", NULL, &error);
  g_assert_no_error (error);
  upid = upid_of (task);
  g_assert_true (air_proxmox_api_wait_task (api, "pve1", upid, 10, NULL, NULL, NULL, &error));

  while (!seen_running)
    {
      g_autofree char *line = read_line (from_child[0]);

      g_assert_nonnull (line);
      g_test_message ("event: %s", line);
      /* only q0 changed: nothing about q1 */
      g_assert_null (strstr (line, "\"q1\""));
      seen_running = strstr (line, "\"q0\"") != NULL && strstr (line, "Running") != NULL;
    }

  /* the caller goes: stdin ends, and so does the stream */
  close (to_child[1]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  close (from_child[0]);
  server_stop (&server);
}

int
main (int argc, char *argv[])
{
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  int status;

  /* The driver guards a clone with "/proc/self/exe --proxmox-task-guard",
   * which is this program here, not the agent: without this each guard
   * would run the whole test again, and start guards of its own. */
  if (argc == 2 && strcmp (argv[1], "--proxmox-task-guard") == 0)
    return air_proxmox_task_guard_main ();

  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  if (python == NULL || openssl == NULL)
    {
      g_test_skip ("python3 and openssl are needed for the test server");
      return g_test_run ();
    }
  dir = g_dir_make_tmp ("air-proxmox-XXXXXX", NULL);
  make_cert ("a");
  make_cert ("b");

  g_test_add_func ("/air/proxmox-api/pin", test_pin);
  g_test_add_func ("/air/proxmox-api/token", test_token);
  g_test_add_func ("/air/proxmox-api/lifecycle", test_lifecycle);
  g_test_add_func ("/air/proxmox-api/failures", test_failures);
  g_test_add_func ("/air/proxmox-api/task-progress", test_task_progress);
  g_test_add_func ("/air/proxmox-api/changed-certificate", test_changed_certificate);
  g_test_add_func ("/air/proxmox-driver/lifecycle", test_driver);
  g_test_add_func ("/air/proxmox-driver/hostile", test_driver_hostile);
  g_test_add_func ("/air/proxmox-driver/events", test_driver_events);
  status = g_test_run ();

  {
    const char *rm[] = { "rm", "-rf", dir, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (dir);
  return status;
}
