/* air-uplink.c
 *
 * Calls from a zone's qubes to local qubes — Qubes 4.3's RemoteVM the
 * other way round: a remote qube runs "qvm-copy-to-vm work file" and the
 * file lands in local qube work's ~/QubesIncoming/<its dom0 name>/, after
 * dom0's policy said yes to a call *from* that RemoteVM.
 *
 *   qube process ──(its init's "calls" socket)──► the qube's init
 *     ──(the descriptor, over the supervisor's control connection)──►
 *   the qube's supervisor on the zone host, which alone says who calls
 *     ──(the "uplink" socket, forwarded by the gateway's SSH master)──►
 *   the gateway's --uplink-listen ──► qubesair agent --uplink-call
 *     ──► qrexec-client-vm --source-qube=<RemoteVM> -- TARGET SERVICE
 *
 * The qube names only the target and the service; its name is added by
 * its supervisor, outside it, so a qube can speak only for itself. dom0
 * then checks that the RemoteVM's relayvm is the gateway that asks, and
 * its policy decides (the shipped one denies; see air-remotevm.c). On the
 * loopback transport, with no dom0, the local qubes are zone "local"'s,
 * reached through its gateway's relay under the caller's RemoteVM name.
 *
 * Calls go out only while the gateway is connected to the zone host: the
 * gateway serves them as long as the host's listener runs (it publishes
 * where the uplink is, in its state directory).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-uplink"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "air-call-frames.h"
#include "air-control-channel.h"
#include "air-error.h"
#include "air-fd-io.h"
#include "air-names.h"
#include "air-relay.h"
#include "air-transport.h"
#include "air-uplink.h"
#include "air-zone.h"

#define MAX_PATH 200

static char *
published_path (const char *state_dir)
{
  return g_build_filename (state_dir, "uplink", NULL);
}

void
air_uplink_publish (const char *state_dir,
                    const char *socket_path)
{
  g_autofree char *file = published_path (state_dir);

  g_mkdir_with_parents (state_dir, 0700);
  g_file_set_contents_full (file, socket_path, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL);
}

/* Only our own: a newer listener may have published its socket since. */
void
air_uplink_unpublish (const char *state_dir,
                      const char *socket_path)
{
  g_autofree char *file = published_path (state_dir);
  g_autofree char *contents = NULL;

  if (g_file_get_contents (file, &contents, NULL, NULL) && strcmp (contents, socket_path) == 0)
    g_unlink (file);
}

static int
connect_uplink (const char *state_dir)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autofree char *file = published_path (state_dir);
  g_autofree char *path = NULL;
  gsize len = 0;
  int fd;

  if (!g_file_get_contents (file, &path, &len, NULL) || len == 0 || len >= MAX_PATH ||
      len >= sizeof address.sun_path || path[0] != '/' || strlen (path) != len)
    return -1;
  memcpy (address.sun_path, path, len);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      close (fd);
      fd = -1;
    }
  return fd;
}

typedef struct {
  int from;
  int to;
} Pump;

/* Copies until @from ends, then tells @to there is no more. */
static gpointer
pump (gpointer data)
{
  Pump *p = data;

  air_fd_copy (p->from, p->to);
  shutdown (p->to, SHUT_WR);
  return NULL;
}

typedef struct {
  char *state_dir;
  char *qube;
  int   fd;
} QubeCall;

static void
qube_call_free (QubeCall *call)
{
  if (call->fd >= 0)
    close (call->fd);
  g_free (call->state_dir);
  g_free (call->qube);
  g_free (call);
}

/* One call of the qube: its header again, with its name as the caller,
 * to the gateway; then the bytes both ways, as they are. */
static gpointer
proxy_call (gpointer data)
{
  QubeCall *call = data;
  g_autofree char *header = NULL, *leftover = NULL, *line = NULL;
  g_autofree char *service = NULL, *arg = NULL, *caller = NULL, *target = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0, leftover_len = 0;
  Pump up, down;
  GThread *thread;
  int uplink;

  header = air_call_read_header (call->fd, &len, &leftover, &leftover_len);
  if (header == NULL ||
      !air_call_header_parse (header, len, &service, &arg, &caller, &target, &error))
    {
      air_call_refuse (call->fd, AIR_UPLINK_EXIT_REFUSED, error ? error->message : _("The call’s header is not valid"));
      qube_call_free (call);
      return NULL;
    }

  uplink = connect_uplink (call->state_dir);
  if (uplink < 0)
    {
      air_call_refuse (call->fd, AIR_UPLINK_EXIT_REFUSED, _("The zone’s gateway is not connected, and calls to local qubes go through it. "
                          "Try again while Qubes Air is running in the management qube."));
      qube_call_free (call);
      return NULL;
    }

  line = air_call_header_new (service, arg, call->qube, target);
  if (!air_fd_write_all (uplink, line, strlen (line)) ||
      (leftover_len > 0 && !air_fd_write_all (uplink, leftover, leftover_len)))
    {
      air_call_refuse (call->fd, AIR_UPLINK_EXIT_REFUSED, _("The zone’s gateway did not take the call."));
      close (uplink);
      qube_call_free (call);
      return NULL;
    }

  up = (Pump) { call->fd, uplink };
  down = (Pump) { uplink, call->fd };
  thread = g_thread_new ("uplink-stdin", pump, &up);
  pump (&down);
  /* The call is over: a caller still writing reads an end now. */
  shutdown (call->fd, SHUT_RD);
  shutdown (uplink, SHUT_RDWR);
  g_thread_join (thread);
  close (uplink);
  qube_call_free (call);
  return NULL;
}

typedef struct {
  char *state_dir;
  char *qube;
  int   fd;
} QubeCalls;

static gpointer
receive_calls (gpointer data)
{
  QubeCalls *calls = data;
  char message[256];
  int fds[AIR_CONTROL_MAX_FDS];
  guint n_fds = 0;

  while (air_control_receive (calls->fd, message, sizeof message, fds, &n_fds, NULL) > 0)
    {
      for (guint i = 1; i < n_fds; i++)
        close (fds[i]);
      if (n_fds > 0)
        {
          QubeCall *call = g_new0 (QubeCall, 1);

          call->state_dir = g_strdup (calls->state_dir);
          call->qube = g_strdup (calls->qube);
          call->fd = fds[0];
          g_thread_unref (g_thread_new ("uplink-call", proxy_call, call));
        }
      n_fds = 0;
    }

  close (calls->fd);
  g_free (calls->state_dir);
  g_free (calls->qube);
  g_free (calls);
  return NULL;
}

void
air_uplink_serve_qube (const char *state_dir,
                       const char *qube,
                       int         calls_fd)
{
  QubeCalls *calls = g_new0 (QubeCalls, 1);

  calls->state_dir = g_strdup (state_dir);
  calls->qube = g_strdup (qube);
  calls->fd = calls_fd;
  g_thread_unref (g_thread_new ("uplink", receive_calls, calls));
}

static int
refused (const char *text)
{
  g_printerr ("%s\n", text);
  return AIR_UPLINK_EXIT_REFUSED;
}

/* The gateway's end of one call: who calls, as dom0 knows it, and the
 * call made as that qube. */
int
air_uplink_call_main (void)
{
  const char *zone = g_getenv ("AIR_ZONE_NAME");
  const char *qube = g_getenv ("QREXEC_REMOTE_DOMAIN");
  const char *target = g_getenv ("AIR_UPLINK_TARGET");
  const char *full_name = g_getenv ("QREXEC_SERVICE_FULL_NAME");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *gateway = NULL;
  g_autofree char *arg = NULL;
  AirTransport *transport;

  if (zone == NULL || !air_name_is_valid (zone) || qube == NULL || !air_name_is_valid (qube) ||
      !air_call_target_is_valid (target) || full_name == NULL || full_name[0] == '+' ||
      !air_transport_check_argument (full_name, NULL))
    return refused (_("The call out of the zone is not valid."));

  source = air_relay_dom0_name (zone, qube, &error);
  if (source == NULL)
    return refused (error->message);

  /* The transport calls as AIR_LOOPBACK_SELF: the RemoteVM, on loopback. */
  g_setenv ("AIR_LOOPBACK_SELF", source, TRUE);
  transport = air_transport_get_default ();
  if (air_transport_get_kind (transport) == AIR_TRANSPORT_KIND_QREXEC)
    {
      g_autofree char *option = g_strconcat ("--source-qube=", source, NULL);

      execlp ("qrexec-client-vm", "qrexec-client-vm", option, "--", target, full_name, (char *) NULL);
      return refused (g_strerror (errno));
    }

  if (target[0] == '@')
    return refused (_("On the loopback transport a call out of a zone goes to a qube of zone “local”, named; "
                      "dom0 alone can choose a qube or start a disposable."));
  gateway = air_zone_dup_gateway_for ("local");
  arg = g_strconcat (target, "+", full_name, NULL);
  process = air_transport_spawn (transport, gateway, "qubesair.Relay", arg,
                                 G_SUBPROCESS_FLAGS_STDIN_INHERIT, &error);
  if (process == NULL || !g_subprocess_wait (process, NULL, &error))
    return refused (error->message);
  if (g_subprocess_get_if_exited (process))
    return g_subprocess_get_exit_status (process);
  return 128 + g_subprocess_get_term_sig (process);
}
