/* air-transport.c
 *
 * Two ways to reach a service, indistinguishable to the service itself:
 * qrexec-client-vm in a real Qubes qube, and "loopback" everywhere else,
 * which spawns the service program with the environment qrexec gives it.
 * Loopback keeps each target's state apart (AIR_AGENT_DIR per target), so
 * several gateways can be simulated on one machine.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-transport"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <signal.h>
#include <string.h>

#include "air-error.h"
#include "air-fd-io.h"
#include "air-names.h"
#include "air-transport.h"

#define MAX_ARGUMENT 200

struct _AirTransport
{
  GObject           parent_instance;

  AirTransportKind  kind;
  char             *self_name;
  char             *loopback_dir;
};

G_DEFINE_FINAL_TYPE (AirTransport, air_transport, G_TYPE_OBJECT)

static void
air_transport_finalize (GObject *object)
{
  AirTransport *self = (AirTransport *)object;

  g_clear_pointer (&self->self_name, g_free);
  g_clear_pointer (&self->loopback_dir, g_free);

  G_OBJECT_CLASS (air_transport_parent_class)->finalize (object);
}

static void
air_transport_class_init (AirTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = air_transport_finalize;

  /* A service may exit before it read all we send it (a zone that fails,
   * or a hostile one that closes early): writing to it must fail with
   * EPIPE, never kill the app or qair with SIGPIPE. */
  signal (SIGPIPE, SIG_IGN);
}

static void
air_transport_init (AirTransport *self)
{
  const char *env;

  /* Our own name, as a service we call will see it in QREXEC_REMOTE_DOMAIN.
   * A loopback service calling further passes its own name on. */
  env = g_getenv ("AIR_LOOPBACK_SELF");
  self->self_name = g_strdup (env && air_name_is_valid (env) ? env : "mgmt");

  env = g_getenv ("AIR_LOOPBACK_DIR");
  if (env != NULL && env[0] != '\0')
    self->loopback_dir = g_strdup (env);
  else
    self->loopback_dir = g_build_filename (g_get_user_data_dir (), "qubes-air", "loopback", NULL);
}

AirTransport *
air_transport_new (AirTransportKind kind)
{
  AirTransport *self = g_object_new (AIR_TYPE_TRANSPORT, NULL);

  self->kind = kind;
  return self;
}

static AirTransportKind
detect_kind (void)
{
  const char *env = g_getenv ("AIR_TRANSPORT");
  g_autofree char *client = NULL;

  if (g_strcmp0 (env, "qrexec") == 0)
    return AIR_TRANSPORT_KIND_QREXEC;
  if (g_strcmp0 (env, "loopback") == 0)
    return AIR_TRANSPORT_KIND_LOOPBACK;
  if (env != NULL && env[0] != '\0')
    g_warning ("AIR_TRANSPORT must be “qrexec” or “loopback”; detecting instead");

  /* A Qubes qube has the client and the qrexec agent's runtime directory. */
  client = g_find_program_in_path ("qrexec-client-vm");
  if (client != NULL && g_file_test ("/run/qubes", G_FILE_TEST_IS_DIR))
    return AIR_TRANSPORT_KIND_QREXEC;

  return AIR_TRANSPORT_KIND_LOOPBACK;
}

/**
 * air_transport_get_default:
 *
 * Returns: (transfer none): the transport chosen for this process.
 */
AirTransport *
air_transport_get_default (void)
{
  static gsize instance;

  if (g_once_init_enter (&instance))
    g_once_init_leave (&instance, (gsize) air_transport_new (detect_kind ()));

  return (AirTransport *) instance;
}

AirTransportKind
air_transport_get_kind (AirTransport *self)
{
  g_return_val_if_fail (AIR_IS_TRANSPORT (self), AIR_TRANSPORT_KIND_LOOPBACK);
  return self->kind;
}

const char *
air_transport_get_self_name (AirTransport *self)
{
  g_return_val_if_fail (AIR_IS_TRANSPORT (self), NULL);
  return self->self_name;
}

/* qrexec would silently replace other characters with "_": refuse instead. */
gboolean
air_transport_check_argument (const char  *arg,
                              GError     **error)
{
  gsize len;

  if (arg == NULL)
    return TRUE;

  len = strnlen (arg, MAX_ARGUMENT + 1);
  if (len > MAX_ARGUMENT)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("Service argument longer than %d characters"), MAX_ARGUMENT);
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (arg[i]) && strchr ("._-+", arg[i]) == NULL)
      {
        g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                             _("Service argument may contain only letters, digits, “.”, “_”, “-” and “+”"));
        return FALSE;
      }

  return TRUE;
}

static const char *
loopback_program (const char *service)
{
  const char *env;

  if (g_str_has_prefix (service, "qubesair.Credential") ||
      g_str_has_prefix (service, "qubesair.SshAgent") ||
      g_str_has_prefix (service, "qubesair.KeyGenerate"))
    {
      env = g_getenv ("AIR_VAULT_PROGRAM");
      return env && env[0] ? env : AIR_VAULT_PATH;
    }

  env = g_getenv ("AIR_AGENT_PROGRAM");
  return env && env[0] ? env : AIR_AGENT_PATH;
}

static gboolean large_caller;

/* For a large process with a main loop to keep moving (the app): GLib's
 * fork copies its page tables for every call, a third of the app's start
 * with ten zones; with no descriptor to close, GLib uses posix_spawn
 * instead. posix_spawn waits for the child's exec, so the asynchronous
 * calls spawn from a worker thread: with ten zones starting, the window is
 * built meanwhile. A small process (qair) keeps fork on its own thread,
 * which costs it less than waiting for the exec (bench/agent). What the
 * launcher left open is marked close-on-exec first, or GLib falls back to
 * fork to close it in the child. */
void
air_transport_set_large_caller (gboolean large)
{
  large_caller = large;
  if (large)
    air_fd_set_cloexec_above_stderr ();
}

GSubprocess *
air_transport_spawn (AirTransport      *self,
                     const char        *target,
                     const char        *service,
                     const char        *arg,
                     GSubprocessFlags   flags,
                     GError           **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *full_name = NULL;
  g_autofree char *state_dir = NULL;
  g_auto(GStrv) environ = NULL;
  const char *program;

  g_return_val_if_fail (AIR_IS_TRANSPORT (self), NULL);
  g_return_val_if_fail (service != NULL, NULL);

  if (!air_name_validate (target, "qube", error) ||
      !air_transport_check_argument (arg, error))
    return NULL;

  full_name = g_strdup_printf ("%s+%s", service, arg ? arg : "");
  if (large_caller && air_fd_none_inherited ())
    flags |= G_SUBPROCESS_FLAGS_INHERIT_FDS;
  launcher = g_subprocess_launcher_new (flags);

  if (self->kind == AIR_TRANSPORT_KIND_QREXEC)
    return g_subprocess_launcher_spawn (launcher, error,
                                        "qrexec-client-vm", "--", target, full_name, NULL);

  program = loopback_program (service);
  if (!g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                   _("The service program %s is not installed. Install Qubes Air, "
                     "or run from the build tree with “meson devenv”."), program);
      return NULL;
    }

  /* What qrexec gives a service, and nothing inherited that looks like it. */
  environ = g_get_environ ();
  for (guint i = 0; environ[i]; i++)
    if (g_str_has_prefix (environ[i], "QREXEC_"))
      {
        g_autofree char *key = g_strndup (environ[i], strcspn (environ[i], "="));
        environ = g_environ_unsetenv (environ, key);
        i = (guint) -1;
      }
  g_subprocess_launcher_set_environ (launcher, environ);

  state_dir = g_build_filename (self->loopback_dir, target, NULL);
  g_subprocess_launcher_setenv (launcher, "QREXEC_SERVICE_FULL_NAME", full_name, TRUE);
  g_subprocess_launcher_setenv (launcher, "QREXEC_SERVICE_ARGUMENT", arg ? arg : "", TRUE);
  g_subprocess_launcher_setenv (launcher, "QREXEC_REMOTE_DOMAIN", self->self_name, TRUE);
  g_subprocess_launcher_setenv (launcher, "AIR_LOOPBACK_SELF", target, TRUE);
  g_subprocess_launcher_setenv (launcher, "AIR_AGENT_DIR", state_dir, TRUE);

  if (arg != NULL && arg[0] != '\0')
    return g_subprocess_launcher_spawn (launcher, error, program, arg, NULL);
  return g_subprocess_launcher_spawn (launcher, error, program, NULL);
}

typedef struct {
  char             *target;
  char             *service;
  char             *arg;
  GSubprocessFlags  flags;
} SpawnArgs;

static void
spawn_args_free (SpawnArgs *args)
{
  g_free (args->target);
  g_free (args->service);
  g_free (args->arg);
  g_free (args);
}

static void
spawn_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SpawnArgs *args = task_data;
  GError *error = NULL;
  GSubprocess *process;

  process = air_transport_spawn (source_object, args->target, args->service, args->arg,
                                 args->flags, &error);
  if (process == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, process, g_object_unref);
}

/* air_transport_spawn() without holding up the caller's main loop, when
 * the caller is large (see air_transport_set_large_caller()); otherwise
 * at once. The names are checked before anything runs. */
void
air_transport_spawn_async (AirTransport        *self,
                           const char          *target,
                           const char          *service,
                           const char          *arg,
                           GSubprocessFlags     flags,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  SpawnArgs *args;

  g_return_if_fail (AIR_IS_TRANSPORT (self));
  g_return_if_fail (service != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, air_transport_spawn_async);
  g_task_set_check_cancellable (task, FALSE);   /* a started child is handed back, to be stopped */
  if (!air_name_validate (target, "qube", &error) ||
      !air_transport_check_argument (arg, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  args = g_new0 (SpawnArgs, 1);
  args->target = g_strdup (target);
  args->service = g_strdup (service);
  args->arg = g_strdup (arg);
  args->flags = flags;
  g_task_set_task_data (task, args, (GDestroyNotify) spawn_args_free);
  if (large_caller)
    g_task_run_in_thread (task, spawn_thread);
  else
    spawn_thread (task, self, args, cancellable);
}

GSubprocess *
air_transport_spawn_finish (AirTransport  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A bounded call: input written, output kept up to a limit, stderr kept up
 * to AIR_TRANSPORT_MAX_ERROR for the message of a failure. */

typedef struct {
  char        *target;
  GSubprocess *process;
  GBytes      *input;     /* kept until written */
  GByteArray  *output;
  GByteArray  *errors;
  gsize        max_output;
  AirTransportLineFunc line_func;
  gpointer     line_data;
  gboolean     lines_done;   /* the line function left a line: the rest is the answer */
  guint        pending;
  GError      *error;
} Call;

static void
call_free (Call *call)
{
  g_free (call->target);
  g_clear_object (&call->process);
  g_clear_pointer (&call->input, g_bytes_unref);
  g_clear_pointer (&call->output, g_byte_array_unref);
  g_clear_pointer (&call->errors, g_byte_array_unref);
  g_clear_error (&call->error);
  g_free (call);
}

static void
call_fail (GTask  *task,
           GError *error)
{
  Call *call = g_task_get_task_data (task);

  if (call->error == NULL)
    {
      call->error = error;
      g_subprocess_force_exit (call->process);
    }
  else
    g_error_free (error);
}

static void
call_complete (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  g_autofree char *message = NULL;
  int status;

  if (--call->pending > 0)
    return;

  if (call->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&call->error));
      return;
    }

  if (g_subprocess_get_if_exited (call->process) &&
      (status = g_subprocess_get_exit_status (call->process)) == 0)
    {
      g_task_return_pointer (task,
                             g_byte_array_free_to_bytes (g_steal_pointer (&call->output)),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }

  message = air_text_sanitize ((const char *) call->errors->data, call->errors->len, 300);
  if (g_subprocess_get_if_exited (call->process))
    {
      status = g_subprocess_get_exit_status (call->process);
      /* dom0 answers a call to a qube that does not exist as it answers
       * one its policy denies: qrexec-client-vm prints "Request refused"
       * and exits 126 for both. Say so, and how to tell which. */
      if (status == AIR_QREXEC_EXIT_REFUSED &&
          (message[0] == '\0' || strcmp (message, "Request refused") == 0))
        g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_REFUSED,
                                 _("dom0 refused the call to qube “%s”: either no qrexec policy allows it, "
                                   "or there is no qube “%s” (dom0 answers both the same way). In dom0, "
                                   "“qvm-ls %s” tells whether it exists; the policy is in /etc/qubes/policy.d/."),
                                 call->target, call->target, call->target);
      else if (status == AIR_QREXEC_EXIT_NO_SERVICE && message[0] == '\0')
        g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_UNREACHABLE,
                                 _("The service is not installed in the target qube"));
      else if (message[0] != '\0')
        g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_REMOTE, "%s", message);
      else
        g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_REMOTE,
                                 _("The service failed with exit status %d"), status);
    }
  else
    g_task_return_new_error (task, AIR_ERROR, AIR_ERROR_REMOTE,
                             _("The service was killed by signal %d"),
                             g_subprocess_get_term_sig (call->process));
}

static void read_stream (GTask *task, GInputStream *stream, GByteArray *into);

/* The output's whole lines to the line function, until it leaves one. */
static void
offer_lines (Call *call)
{
  const guint8 *end;

  while (call->line_func != NULL && !call->lines_done &&
         (end = memchr (call->output->data, '\n', call->output->len)) != NULL)
    {
      gsize len = end - call->output->data;

      if (!call->line_func ((const char *) call->output->data, len, call->line_data))
        call->lines_done = TRUE;
      else
        g_byte_array_remove_range (call->output, 0, len + 1);
    }
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GInputStream *stream = G_INPUT_STREAM (object);
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  gboolean is_output = stream == g_subprocess_get_stdout_pipe (call->process);
  GByteArray *into = is_output ? call->output : call->errors;

  bytes = g_input_stream_read_bytes_finish (stream, result, &error);
  if (bytes == NULL)
    {
      call_fail (task, error);
      call_complete (task);
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      call_complete (task);
      return;
    }

  if (is_output)
    {
      if (into->len + g_bytes_get_size (bytes) > call->max_output)
        {
          call_fail (task, g_error_new (AIR_ERROR, AIR_ERROR_PROTOCOL,
                                        _("The answer is larger than the limit of %lu bytes"),
                                        (unsigned long) call->max_output));
          call_complete (task);
          return;
        }
      g_byte_array_append (into, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      offer_lines (call);
    }
  else if (into->len < AIR_TRANSPORT_MAX_ERROR)
    {
      gsize room = AIR_TRANSPORT_MAX_ERROR - into->len;
      g_byte_array_append (into, g_bytes_get_data (bytes, NULL), MIN (room, g_bytes_get_size (bytes)));
    }

  read_stream (g_steal_pointer (&task), stream, into);
}

static void
read_stream (GTask        *task,
             GInputStream *stream,
             GByteArray   *into)
{
  g_input_stream_read_bytes_async (stream, 65536, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* A service that exits without reading all its input is not an error of
   * the call; its exit status says what happened. */
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error);
  g_output_stream_close (G_OUTPUT_STREAM (object), NULL, NULL);
  call_complete (task);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error))
    call_fail (task, error);
  call_complete (task);
}

static void
call_spawned_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GBytes *input = call->input;
  GError *error = NULL;
  GOutputStream *stdin_pipe;
  GInputStream *stdout_pipe, *stderr_pipe;

  call->process = air_transport_spawn_finish (AIR_TRANSPORT (object), result, &error);
  if (call->process == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_subprocess_force_exit (call->process);
      g_task_return_error (task, error);
      return;
    }

  stdin_pipe = g_subprocess_get_stdin_pipe (call->process);
  stdout_pipe = g_subprocess_get_stdout_pipe (call->process);
  stderr_pipe = g_subprocess_get_stderr_pipe (call->process);

  call->pending = 4;
  if (input != NULL && g_bytes_get_size (input) > 0)
    g_output_stream_write_all_async (stdin_pipe,
                                     g_bytes_get_data (input, NULL), g_bytes_get_size (input),
                                     G_PRIORITY_DEFAULT, cancellable, write_cb,
                                     g_object_ref (task));
  else
    {
      g_output_stream_close (stdin_pipe, NULL, NULL);
      call->pending--;
    }

  read_stream (g_object_ref (task), stdout_pipe, call->output);
  read_stream (g_object_ref (task), stderr_pipe, call->errors);
  g_subprocess_wait_async (call->process, NULL, wait_cb, g_object_ref (task));
}

void
air_transport_call_async (AirTransport        *self,
                          const char          *target,
                          const char          *service,
                          const char          *arg,
                          GBytes              *input,
                          gsize                max_output,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  air_transport_call_lines_async (self, target, service, arg, input, max_output, NULL, NULL,
                                  cancellable, callback, user_data);
}

/* A bounded call whose output may begin with lines for @line_func (the
 * limit is then on each line and on the answer after them). */
void
air_transport_call_lines_async (AirTransport         *self,
                                const char           *target,
                                const char           *service,
                                const char           *arg,
                                GBytes               *input,
                                gsize                 max_output,
                                AirTransportLineFunc  line_func,
                                gpointer              line_data,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  Call *call;

  g_return_if_fail (AIR_IS_TRANSPORT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, air_transport_call_async);

  call = g_new0 (Call, 1);
  call->target = g_strdup (target);
  call->output = g_byte_array_new ();
  call->errors = g_byte_array_new ();
  call->max_output = max_output;
  call->line_func = line_func;
  call->line_data = line_data;
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);

  call->input = input != NULL ? g_bytes_ref (input) : NULL;

  air_transport_spawn_async (self, target, service, arg,
                             G_SUBPROCESS_FLAGS_STDIN_PIPE |
                             G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             NULL, call_spawned_cb, g_steal_pointer (&task));
}

GBytes *
air_transport_call_finish (AirTransport  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (AIR_IS_TRANSPORT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sync_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* For the command line and tests: runs the async call on a private main
 * context, so no caller's main loop is re-entered. */
GBytes *
air_transport_call_sync (AirTransport  *self,
                         const char    *target,
                         const char    *service,
                         const char    *arg,
                         GBytes        *input,
                         gsize          max_output,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  air_transport_call_async (self, target, service, arg, input, max_output,
                            cancellable, sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return air_transport_call_finish (self, result, error);
}
