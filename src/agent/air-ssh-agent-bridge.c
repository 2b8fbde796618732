/* air-ssh-agent-bridge.c
 *
 * On the gateway, ssh needs an SSH_AUTH_SOCK; the key is in the vault. The
 * bridge listens on a UNIX socket (mode 0600) and connects each client to
 * its own qubesair.SshAgent+ZONE call to the vault, copying bytes both ways
 * as they come (GIO splices): it never parses, buffers or stores a message.
 * When the client closes, the vault's stdin is closed and the call ends;
 * when the vault ends, the client's connection is closed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-ssh-agent-bridge"

#include "config.h"

#include <errno.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "air-error.h"
#include "air-names.h"
#include "air-ssh-agent-bridge.h"
#include "air-vault-client.h"

struct _AirSshAgentBridge
{
  GObject          parent_instance;

  /* Owned references */
  AirTransport    *transport;
  GSocketService  *service;
  GHashTable      *connections;   /* Connection* set */
  char            *vault_qube;
  char            *zone;
  char            *socket_path;
};

G_DEFINE_FINAL_TYPE (AirSshAgentBridge, air_ssh_agent_bridge, G_TYPE_OBJECT)

typedef struct {
  AirSshAgentBridge *bridge;       /* borrowed; NULL once the bridge is gone */
  GSocketConnection *connection;
  GSubprocess       *process;
  GCancellable      *cancellable;
  guint              pending;
} Connection;

static void
connection_free (Connection *conn)
{
  g_cancellable_cancel (conn->cancellable);
  if (conn->process != NULL)
    g_subprocess_force_exit (conn->process);
  g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
  g_clear_object (&conn->process);
  g_clear_object (&conn->connection);
  g_clear_object (&conn->cancellable);
  g_free (conn);
}

static void
connection_unref_pending (Connection *conn)
{
  if (--conn->pending > 0)
    return;

  if (conn->bridge != NULL)
    g_hash_table_remove (conn->bridge->connections, conn);  /* frees it */
  else
    connection_free (conn);
}

/* Client → vault finished: the client closed (or failed). Closing the
 * vault's stdin (the splice's CLOSE_TARGET) lets the vault end. */
static void
to_vault_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Connection *conn = user_data;
  g_autoptr(GError) error = NULL;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, &error);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("client → vault: %s", error->message);
  connection_unref_pending (conn);
}

/* Vault → client finished: the vault ended its answer stream. The client
 * gets end of stream, and the other direction is stopped. */
static void
to_client_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Connection *conn = user_data;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, &error);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("vault → client: %s", error->message);

  socket = g_socket_connection_get_socket (conn->connection);
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  g_cancellable_cancel (conn->cancellable);
  connection_unref_pending (conn);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Connection *conn = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  connection_unref_pending (conn);
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  AirSshAgentBridge *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  Connection *conn;

  if (g_hash_table_size (self->connections) >= AIR_SSH_AGENT_BRIDGE_MAX_CONNECTIONS)
    {
      g_message ("Too many ssh-agent connections for zone %s; closing a new one", self->zone);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  /* The vault's messages (a refusal, a missing key) go to our stderr. */
  process = air_transport_spawn (self->transport, self->vault_qube,
                                 AIR_VAULT_SERVICE_SSH_AGENT, self->zone,
                                 G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                 &error);
  if (process == NULL)
    {
      g_message ("ssh-agent for zone %s: %s", self->zone, error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  conn = g_new0 (Connection, 1);
  conn->bridge = self;
  conn->connection = g_object_ref (connection);
  conn->process = g_steal_pointer (&process);
  conn->cancellable = g_cancellable_new ();
  conn->pending = 3;
  g_hash_table_add (self->connections, conn);

  g_output_stream_splice_async (g_subprocess_get_stdin_pipe (conn->process),
                                g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, conn->cancellable, to_vault_cb, conn);
  g_output_stream_splice_async (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                g_subprocess_get_stdout_pipe (conn->process),
                                G_OUTPUT_STREAM_SPLICE_NONE,
                                G_PRIORITY_DEFAULT, NULL, to_client_cb, conn);
  g_subprocess_wait_async (conn->process, NULL, wait_cb, conn);
  return TRUE;
}

static void
remove_socket (AirSshAgentBridge *self)
{
  if (self->socket_path != NULL)
    g_unlink (self->socket_path);
  g_clear_pointer (&self->socket_path, g_free);
}

/* Stops listening; connections in progress are cut. */
void
air_ssh_agent_bridge_stop (AirSshAgentBridge *self)
{
  GHashTableIter iter;
  Connection *conn;

  g_return_if_fail (AIR_IS_SSH_AGENT_BRIDGE (self));

  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_clear_object (&self->service);
    }
  remove_socket (self);

  /* Pending callbacks still hold the connections; they free them. */
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, (gpointer *) &conn, NULL))
    {
      conn->bridge = NULL;
      g_cancellable_cancel (conn->cancellable);
      g_subprocess_force_exit (conn->process);
      g_hash_table_iter_steal (&iter);
    }
}

static void
air_ssh_agent_bridge_dispose (GObject *object)
{
  AirSshAgentBridge *self = (AirSshAgentBridge *)object;

  air_ssh_agent_bridge_stop (self);

  G_OBJECT_CLASS (air_ssh_agent_bridge_parent_class)->dispose (object);
}

static void
air_ssh_agent_bridge_finalize (GObject *object)
{
  AirSshAgentBridge *self = (AirSshAgentBridge *)object;

  g_clear_object (&self->transport);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->vault_qube, g_free);
  g_clear_pointer (&self->zone, g_free);

  G_OBJECT_CLASS (air_ssh_agent_bridge_parent_class)->finalize (object);
}

static void
air_ssh_agent_bridge_class_init (AirSshAgentBridgeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = air_ssh_agent_bridge_dispose;
  object_class->finalize = air_ssh_agent_bridge_finalize;
}

static void
air_ssh_agent_bridge_init (AirSshAgentBridge *self)
{
  self->connections = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) connection_free, NULL);
}

/**
 * air_ssh_agent_bridge_new:
 * @transport: (nullable): the transport, or %NULL for the default one
 * @vault_qube: (nullable): the vault, or %NULL for AIR_VAULT_QUBE or "vault"
 * @zone: the zone whose key signs
 */
AirSshAgentBridge *
air_ssh_agent_bridge_new (AirTransport *transport,
                          const char   *vault_qube,
                          const char   *zone)
{
  AirSshAgentBridge *self;
  const char *env = g_getenv ("AIR_VAULT_QUBE");

  g_return_val_if_fail (zone != NULL, NULL);

  self = g_object_new (AIR_TYPE_SSH_AGENT_BRIDGE, NULL);
  self->transport = g_object_ref (transport ? transport : air_transport_get_default ());
  if (vault_qube == NULL)
    vault_qube = env && env[0] ? env : AIR_VAULT_DEFAULT_QUBE;
  self->vault_qube = g_strdup (vault_qube);
  self->zone = g_strdup (zone);
  return self;
}

/* A stale socket of an earlier run is replaced; any other file is not. */
static gboolean
clear_stale_socket (const char  *path,
                    GError     **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return TRUE;

  if (!S_ISSOCK (st.st_mode))
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_EXISTS,
                   _("%s exists and is not a socket; choose another path for the ssh-agent socket"),
                   path);
      return FALSE;
    }

  g_unlink (path);
  return TRUE;
}

gboolean
air_ssh_agent_bridge_listen (AirSshAgentBridge  *self,
                             const char         *socket_path,
                             GError            **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketService) service = NULL;
  mode_t old_mask;
  gboolean ok;

  g_return_val_if_fail (AIR_IS_SSH_AGENT_BRIDGE (self), FALSE);
  g_return_val_if_fail (socket_path != NULL, FALSE);
  g_return_val_if_fail (self->service == NULL, FALSE);

  if (!air_name_validate (self->zone, "zone", error) ||
      !air_name_validate (self->vault_qube, "vault qube", error))
    return FALSE;

  if (!clear_stale_socket (socket_path, error))
    return FALSE;

  address = g_unix_socket_address_new (socket_path);
  service = g_socket_service_new ();

  /* Only our user may connect: the socket signs as the zone's key. */
  old_mask = umask (0077);
  ok = g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                      NULL, NULL, error);
  umask (old_mask);
  if (!ok)
    return FALSE;

  self->socket_path = g_strdup (socket_path);
  self->service = g_steal_pointer (&service);
  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
  g_socket_service_start (self->service);
  return TRUE;
}

const char *
air_ssh_agent_bridge_get_socket_path (AirSshAgentBridge *self)
{
  g_return_val_if_fail (AIR_IS_SSH_AGENT_BRIDGE (self), NULL);
  return self->socket_path;
}

const char *
air_ssh_agent_bridge_get_zone (AirSshAgentBridge *self)
{
  g_return_val_if_fail (AIR_IS_SSH_AGENT_BRIDGE (self), NULL);
  return self->zone;
}

guint
air_ssh_agent_bridge_get_n_connections (AirSshAgentBridge *self)
{
  g_return_val_if_fail (AIR_IS_SSH_AGENT_BRIDGE (self), 0);
  return g_hash_table_size (self->connections);
}
