/* test-transport.c — loopback and qrexec transports, against a stand-in
 * service (air-test-service.c) that this test builds itself
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test-transport"

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "air-error.h"
#include "air-fd-io.h"
#include "test-util.h"
#include "air-transport.h"

static char *tmp_dir;
static char *marker;

static void
reset_marker (void)
{
  g_remove (marker);
}

static gboolean
service_ran (void)
{
  return g_file_test (marker, G_FILE_TEST_EXISTS);
}

static char *
call (AirTransport  *transport,
      const char    *target,
      const char    *service,
      const char    *arg,
      const char    *input,
      gsize          max_output,
      GError       **error)
{
  g_autoptr(GBytes) in = input ? g_bytes_new (input, strlen (input)) : NULL;
  g_autoptr(GBytes) out = air_transport_call_sync (transport, target, service, arg, in,
                                                   max_output, NULL, error);

  if (out == NULL)
    return NULL;
  if (g_bytes_get_size (out) == 0)
    return g_strdup ("");
  return g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}

static void
test_loopback_environment (void)
{
  g_autoptr(AirTransport) transport = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expect_dir = NULL;
  g_auto(GStrv) lines = NULL;

  /* Inherited variables that look like qrexec's must not reach the
   * service: it would trust them. */
  g_setenv ("QREXEC_REMOTE_DOMAIN", "dom0", TRUE);
  g_setenv ("QREXEC_SERVICE_ARGUMENT", "evil", TRUE);
  g_setenv ("QREXEC_AGENT_PID", "1", TRUE);
  g_setenv ("QREXEC_REQUESTED_TARGET", "dom0", TRUE);

  transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_assert_cmpint (air_transport_get_kind (transport), ==, AIR_TRANSPORT_KIND_LOOPBACK);
  g_assert_cmpstr (air_transport_get_self_name (transport), ==, "mgmt");

  out = call (transport, "sys-remote-a", "test.Env", "work.x-1_2+3", NULL, 65536, &error);
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);

  expect_dir = g_strdup_printf ("AIR_AGENT_DIR=%s/sys-remote-a", g_getenv ("AIR_LOOPBACK_DIR"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "ARGC=2"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "ARG1=work.x-1_2+3"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "QREXEC_SERVICE_FULL_NAME=test.Env+work.x-1_2+3"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "QREXEC_SERVICE_ARGUMENT=work.x-1_2+3"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "QREXEC_REMOTE_DOMAIN=mgmt"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "AIR_LOOPBACK_SELF=sys-remote-a"));
  g_assert_true (g_strv_contains ((const char * const *) lines, expect_dir));

  /* Exactly these three QREXEC_ variables. */
  for (guint i = 0, n = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "QREXEC_"))
      g_assert_cmpuint (++n, <=, 3);
  g_assert_false (g_strv_contains ((const char * const *) lines, "QREXEC_AGENT_PID=1"));

  g_unsetenv ("QREXEC_REMOTE_DOMAIN");
  g_unsetenv ("QREXEC_SERVICE_ARGUMENT");
  g_unsetenv ("QREXEC_AGENT_PID");
  g_unsetenv ("QREXEC_REQUESTED_TARGET");
}

/* The service gets stdin, stdout and stderr, nothing else: also when the
 * caller holds a descriptor that would survive an exec. */
static void
test_no_descriptor_inherited (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *leaky_out = NULL;
  int leaky;

  air_transport_set_large_caller (TRUE);
  g_assert_true (air_fd_none_inherited ());
  out = call (transport, "sys-remote-a", "test.Fds", NULL, NULL, 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "");

  leaky = open ("/dev/null", O_RDONLY);   /* no O_CLOEXEC, on purpose */
  g_assert_cmpint (leaky, >, 2);
  g_assert_false (air_fd_none_inherited ());
  leaky_out = call (transport, "sys-remote-a", "test.Fds", NULL, NULL, 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (leaky_out, ==, "");

  close (leaky);
  g_assert_true (air_fd_none_inherited ());

  /* What the app's launcher left open is not passed on. */
  leaky = open ("/dev/null", O_RDONLY);
  g_assert_false (air_fd_none_inherited ());
  air_transport_set_large_caller (TRUE);
  g_assert_true (air_fd_none_inherited ());
  g_assert_cmpint (fcntl (leaky, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
  close (leaky);
  air_transport_set_large_caller (FALSE);
}

static void
test_loopback_no_argument (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  g_setenv ("AIR_LOOPBACK_SELF", "sys-remote-b", TRUE);
  g_clear_object (&transport);
  transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_unsetenv ("AIR_LOOPBACK_SELF");

  out = call (transport, "zone-host", "test.Env", NULL, NULL, 65536, &error);
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  /* qrexec's form: a "+" with nothing after it; no argument on argv. */
  g_assert_true (g_strv_contains ((const char * const *) lines, "ARGC=1"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "QREXEC_SERVICE_FULL_NAME=test.Env+"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "QREXEC_SERVICE_ARGUMENT="));
  /* A loopback service calling further passes its own name on. */
  g_assert_true (g_strv_contains ((const char * const *) lines, "QREXEC_REMOTE_DOMAIN=sys-remote-b"));
}

static void
test_self_name_validated (void)
{
  g_autoptr(AirTransport) transport = NULL;

  g_setenv ("AIR_LOOPBACK_SELF", "../dom0", TRUE);
  transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_unsetenv ("AIR_LOOPBACK_SELF");
  g_assert_cmpstr (air_transport_get_self_name (transport), ==, "mgmt");
}

static void
test_echo (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *empty = NULL;

  /* More than a pipe buffer each way: writing and reading overlap. */
  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (big, "%u\n", i);

  out = call (transport, "echo", "test.Echo", NULL, big->str, big->len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, big->str);

  empty = call (transport, "echo", "test.Echo", NULL, NULL, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (empty, ==, "");
}

static void
test_invalid_target (void)
{
  static const char * const targets[] = { "../x", "", "dom0", "a b", "x/y", "-rf",
                                          "abcdefghijklmnopqrstuvwxyz012345", "\xe2\x80\xae" };
  AirTransportKind kinds[] = { AIR_TRANSPORT_KIND_LOOPBACK, AIR_TRANSPORT_KIND_QREXEC };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(AirTransport) transport = air_transport_new (kinds[k]);

      for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *out = NULL;
          g_autoptr(GSubprocess) process = NULL;

          reset_marker ();
          out = call (transport, targets[i], "test.Env", NULL, NULL, 100, &error);
          g_assert_null (out);
          g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
          g_clear_error (&error);

          process = air_transport_spawn (transport, targets[i], "test.Env", NULL,
                                         G_SUBPROCESS_FLAGS_NONE, &error);
          g_assert_null (process);
          g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
          g_assert_false (service_ran ());
        }

      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GSubprocess) process = air_transport_spawn (transport, NULL, "test.Env", NULL,
                                                              G_SUBPROCESS_FLAGS_NONE, &error);
        g_assert_null (process);
        g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME);
      }
    }
  g_assert_false (service_ran ());
}

static void
test_invalid_argument (void)
{
  static const char * const args[] = { "a b", "a/b", "../x", "a;b", "a\nb", "$(id)", "a=b",
                                       "caf\xc3\xa9", "a\x1b" };
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  char long_arg[202];

  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;

      reset_marker ();
      g_assert_false (air_transport_check_argument (args[i], NULL));
      out = call (transport, "target", "test.Env", args[i], NULL, 100, &error);
      g_assert_null (out);
      g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "may contain only"));
      g_assert_false (service_ran ());
    }

  /* 200 characters is the limit. */
  memset (long_arg, 'a', 200);
  long_arg[200] = '\0';
  g_assert_true (air_transport_check_argument (long_arg, NULL));
  g_assert_true (air_transport_check_argument (NULL, NULL));
  g_assert_true (air_transport_check_argument ("", NULL));
  g_assert_true (air_transport_check_argument ("Aa0._-+", NULL));
  long_arg[200] = 'a';
  long_arg[201] = '\0';
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;

    g_assert_false (air_transport_check_argument (long_arg, &error));
    g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "longer than 200"));
    g_clear_error (&error);

    out = call (transport, "target", "test.Env", long_arg, NULL, 100, &error);
    g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
    g_assert_false (service_ran ());
  }
}

static void
test_remote_failure (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  out = call (transport, "target", "test.Fail", "7", NULL, 100, &error);
  g_assert_null (out);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REMOTE);
  /* The service's stderr, made safe: no escape, no bidi override, no
   * invalid UTF-8, no newline. */
  g_assert_true (g_str_has_prefix (error->message, "it broke "));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_null (strchr (error->message, '\x1b'));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_null (strchr (error->message, '\x01'));
  g_assert_null (strstr (error->message, "\xe2\x80\xae"));
  g_assert_nonnull (strstr (error->message, "red"));
  g_assert_true (g_str_has_suffix (error->message, "end"));
}

static void
test_silent_failure (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  out = call (transport, "target", "test.Silent", "5", NULL, 100, &error);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REMOTE);
  g_assert_nonnull (strstr (error->message, "exit status 5"));
  g_clear_error (&error);

  /* qrexec-client-vm's own statuses, with nothing on stderr. */
  out = call (transport, "target", "test.Silent", "126", NULL, 100, &error);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REFUSED);
  g_clear_error (&error);

  /* As qrexec-client-vm says it: both causes, and how to tell which. */
  out = call (transport, "target", "test.Refused", NULL, NULL, 100, &error);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "no qrexec policy allows it"));
  g_assert_nonnull (strstr (error->message, "there is no qube “target”"));
  g_assert_nonnull (strstr (error->message, "qvm-ls target"));
  g_clear_error (&error);
  out = call (transport, "target", "test.Silent", "127", NULL, 100, &error);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE);
  g_clear_error (&error);

  out = call (transport, "target", "test.Signal", NULL, NULL, 100, &error);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REMOTE);
  g_assert_nonnull (strstr (error->message, "signal 9"));
}

/* A service that exits without reading what it is sent: the write fails,
 * the call reports the service's status, and the caller lives on (no
 * SIGPIPE: a zone closing early must not kill the app or qair). */
static void
test_unread_input (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_autoptr(GError) error = NULL;
  g_autofree char *input = g_malloc (8 * 1024 * 1024 + 1);
  g_autofree char *out = NULL;

  memset (input, 'x', 8 * 1024 * 1024);
  input[8 * 1024 * 1024] = '\0';
  for (guint i = 0; i < 3; i++)
    {
      out = call (transport, "target", "test.Silent", "4", input, 100, &error);
      g_assert_null (out);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
}

static void
test_noisy_stderr (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  /* 100 KiB of stderr: the call finishes, the message stays short. */
  out = call (transport, "target", "test.Noisy", NULL, NULL, 100, &error);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REMOTE);
  g_assert_cmpuint (g_utf8_strlen (error->message, -1), <=, 301);
  g_assert_true (g_str_has_suffix (error->message, "…"));
}

static void
test_max_output (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  /* Endless output: cut off at the limit, the service killed, no hang. */
  out = call (transport, "target", "test.Endless", NULL, NULL, 100000, &error);
  g_assert_null (out);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "larger than the limit of 100000 bytes"));
  g_clear_error (&error);

  /* Exactly the limit is fine; one byte over is not. */
  out = call (transport, "target", "test.Echo", NULL, "12345", 5, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "12345");
  g_clear_pointer (&out, g_free);
  out = call (transport, "target", "test.Echo", NULL, "123456", 5, &error);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
}

typedef struct {
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  Wait wait = { NULL };

  g_main_context_push_thread_default (context);
  air_transport_call_async (transport, "target", "test.Hang", NULL, NULL, 100,
                            cancellable, wait_cb, &wait);
  source = g_timeout_source_new (50);
  g_source_set_callback (source, cancel_cb, cancellable, NULL);
  g_source_attach (source, context);
  while (wait.result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  out = air_transport_call_finish (transport, wait.result, &error);
  g_assert_null (out);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&wait.result);
}

static void
test_cancel_before (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;

  g_cancellable_cancel (cancellable);
  out = air_transport_call_sync (transport, "target", "test.Hang", NULL, NULL, 100, cancellable, &error);
  g_assert_null (out);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_missing_program (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such-program", NULL);
  g_autofree char *out = NULL;

  g_setenv ("AIR_AGENT_PROGRAM", missing, TRUE);
  out = call (transport, "target", "test.Env", NULL, NULL, 100, &error);
  g_setenv ("AIR_AGENT_PROGRAM", AIR_TEST_SERVICE, TRUE);

  g_assert_null (out);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, missing));
}

static void
test_vault_program (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_LOOPBACK);
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (tmp_dir, "no-vault", NULL);
  g_autofree char *out = NULL;

  /* Credential services go to the vault program, not the agent. */
  g_setenv ("AIR_VAULT_PROGRAM", missing, TRUE);
  out = call (transport, "vault", "qubesair.CredentialGet", NULL, NULL, 100, &error);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_setenv ("AIR_VAULT_PROGRAM", AIR_TEST_SERVICE, TRUE);
  g_clear_pointer (&out, g_free);
  out = call (transport, "vault", "qubesair.CredentialGet", NULL, NULL, 100, &error);
  /* Our stand-in does not know the service: it ran, and said so. */
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REMOTE);
  g_assert_nonnull (strstr (error->message, "unknown service qubesair.CredentialGet"));
  g_unsetenv ("AIR_VAULT_PROGRAM");
}

static void
test_qrexec_command (void)
{
  g_autoptr(AirTransport) transport = air_transport_new (AIR_TRANSPORT_KIND_QREXEC);
  g_autoptr(GError) error = NULL;
  g_autofree char *bin = g_build_filename (tmp_dir, "bin", NULL);
  g_autofree char *client = g_build_filename (bin, "qrexec-client-vm", NULL);
  g_autofree char *path = g_strdup_printf ("%s:%s", bin, g_getenv ("PATH"));
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *out = NULL;

  /* A fake qrexec-client-vm printing its arguments. */
  g_assert_cmpint (g_mkdir_with_parents (bin, 0700), ==, 0);
  g_assert_cmpint (symlink (AIR_TEST_SERVICE, client), ==, 0);
  g_setenv ("PATH", path, TRUE);

  out = call (transport, "sys-remote-x", "qubesair.Start", "work", NULL, 1000, &error);
  g_setenv ("PATH", old_path, TRUE);
  g_assert_no_error (error);
  /* "--" first, so a target can never be read as an option. */
  g_assert_cmpstr (out, ==, "--\nsys-remote-x\nqubesair.Start+work\n");
}

static void
test_default_kind (void)
{
  if (g_test_subprocess ())
    {
      const char *which = g_getenv ("AIR_TEST_WANT");

      g_setenv ("AIR_TRANSPORT", which, TRUE);
      if (g_str_equal (which, "bogus"))
        g_test_expect_message ("air-transport", G_LOG_LEVEL_WARNING, "AIR_TRANSPORT must be*");
      g_assert_cmpint (air_transport_get_kind (air_transport_get_default ()), ==,
                       g_str_equal (which, "qrexec") ? AIR_TRANSPORT_KIND_QREXEC : AIR_TRANSPORT_KIND_LOOPBACK);
      /* One instance per process. */
      g_assert_true (air_transport_get_default () == air_transport_get_default ());
      g_test_assert_expected_messages ();
      return;
    }

  for (guint i = 0; i < 3; i++)
    {
      const char *which = (const char *[]) { "qrexec", "loopback", "bogus" }[i];

      g_setenv ("AIR_TEST_WANT", which, TRUE);
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
    }
  g_unsetenv ("AIR_TEST_WANT");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *loopback = NULL;
  int status;

  tmp_dir = test_isolate_dirs ();
  g_test_init (&argc, &argv, NULL);

  marker = g_build_filename (tmp_dir, "ran", NULL);
  loopback = g_build_filename (tmp_dir, "loopback", NULL);
  g_setenv ("AIR_LOOPBACK_DIR", loopback, TRUE);
  g_setenv ("AIR_AGENT_PROGRAM", AIR_TEST_SERVICE, TRUE);
  g_setenv ("AIR_TEST_MARKER", marker, TRUE);
  g_unsetenv ("AIR_LOOPBACK_SELF");

  g_test_add_func ("/air/transport/loopback-environment", test_loopback_environment);
  g_test_add_func ("/air/transport/loopback-no-argument", test_loopback_no_argument);
  g_test_add_func ("/air/transport/no-descriptor-inherited", test_no_descriptor_inherited);
  g_test_add_func ("/air/transport/self-name-validated", test_self_name_validated);
  g_test_add_func ("/air/transport/echo", test_echo);
  g_test_add_func ("/air/transport/invalid-target", test_invalid_target);
  g_test_add_func ("/air/transport/invalid-argument", test_invalid_argument);
  g_test_add_func ("/air/transport/remote-failure", test_remote_failure);
  g_test_add_func ("/air/transport/silent-failure", test_silent_failure);
  g_test_add_func ("/air/transport/noisy-stderr", test_noisy_stderr);
  g_test_add_func ("/air/transport/unread-input", test_unread_input);
  g_test_add_func ("/air/transport/max-output", test_max_output);
  g_test_add_func ("/air/transport/cancel", test_cancel);
  g_test_add_func ("/air/transport/cancel-before", test_cancel_before);
  g_test_add_func ("/air/transport/missing-program", test_missing_program);
  g_test_add_func ("/air/transport/vault-program", test_vault_program);
  g_test_add_func ("/air/transport/qrexec-command", test_qrexec_command);
  g_test_add_func ("/air/transport/default-kind", test_default_kind);

  status = g_test_run ();

  test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (marker);
  return status;
}
