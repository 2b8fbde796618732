/* air-ssh-driver-relay.c — AirSshDriver: a call relayed both ways (the
 * pump between the zone host and our caller); bounded answers checked
 * and written again, streams passed through
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-ssh-driver"

#include "config.h"

#include <errno.h>
#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-fd-io.h"
#include "air-json.h"
#include "air-local-driver.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-ssh-driver-private.h"
#include "air-template.h"
#include "air-transport.h"

#define HEALTH_INTERVAL_MS 30000

void
_air_ssh_print_error (const char *text,
                      gsize       len)
{
  g_autofree char *shown = air_text_sanitize (text, len, MAX_ERROR_TEXT);

  if (shown[0] != '\0')
    g_printerr ("%s\n", shown);
}

/* ssh, and the call client, exit 255 for their own failures. Whether the
 * connection is what failed is told by the master: gone means lost. */
gboolean
_air_ssh_driver_connection_lost (AirSshDriver *self,
                                 GSubprocess  *process)
{
  return g_subprocess_get_if_exited (process) &&
         g_subprocess_get_exit_status (process) == 255 &&
         (!_air_ssh_driver_master_alive (self) || !_air_ssh_driver_master_control (self, "check"));
}

int
_air_ssh_exit_status_of (GSubprocess *process)
{
  if (g_subprocess_get_if_exited (process))
    return g_subprocess_get_exit_status (process);
  return 128 + g_subprocess_get_term_sig (process);
}

static void
print_lost (AirSshDriver *self)
{
  g_printerr (_("The connection to zone “%s” was lost during the call.\n"), self->zone);
}

/* Run, Disposable, Relay, file streams: our stdin, stdout and stderr are
 * the remote agent's, byte for byte, as qrexec would pass them. */
static int
relay_stream (AirSshDriver *self,
              const char   *service,
              const char   *arg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  process = _air_ssh_driver_spawn_call (self, service, arg, G_SUBPROCESS_FLAGS_STDIN_INHERIT, &error);
  if (process == NULL || !g_subprocess_wait (process, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return AIR_RUN_EXIT_FAILED;
    }
  if (_air_ssh_driver_connection_lost (self, process))
    {
      print_lost (self);
      return AIR_RUN_EXIT_FAILED;
    }
  return _air_ssh_exit_status_of (process);
}

/* Reads the call's stdout and stderr together (so neither pipe can fill
 * up and stall the other), stdout at most @max bytes; @line_cb, when
 * given, takes stdout line by line as it comes instead. */

gboolean
_air_ssh_driver_pump (AirSshDriver  *self,
                      GSubprocess   *process,
                      gsize          max,
                      AirSshLineFunc       line_cb,
                      GByteArray    *out,
                      GByteArray    *err,
                      GError       **error)
{
  struct pollfd pfd[4] = {
    { .fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (process))), .events = POLLIN },
    { .fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stderr_pipe (process))), .events = POLLIN },
    { .fd = STDOUT_FILENO, .events = 0 },   /* POLLERR: our caller closed its end */
    { .fd = -1, .events = POLLIN },          /* end of stdin: our caller went */
  };
  char buffer[65536];
  struct stat st;

  /* Under qrexec the caller's end of stdout can outlive the caller: a
   * stream also ends with its stdin, when that is a pipe or socket. */
  if (line_cb != NULL && fstat (STDIN_FILENO, &st) == 0 && (S_ISFIFO (st.st_mode) || S_ISSOCK (st.st_mode)))
    pfd[3].fd = STDIN_FILENO;

  while (pfd[0].fd >= 0 || pfd[1].fd >= 0)
    {
      /* A stream (events) ends when its reader goes away, even while the
       * zone is quiet. */
      int ready = poll (pfd, line_cb ? 4 : 2, line_cb ? HEALTH_INTERVAL_MS : -1);

      if (ready < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      /* Quiet for a while: @line_cb gets NULL, a tick. */
      if (ready == 0)
        {
          if (!line_cb (self, NULL, 0))
            {
              g_subprocess_force_exit (process);
              return g_subprocess_wait (process, NULL, error);
            }
          continue;
        }
      if (line_cb != NULL && pfd[3].revents != 0 &&
          (read (STDIN_FILENO, buffer, sizeof buffer) <= 0 || (pfd[3].revents & (POLLERR | POLLNVAL)) != 0))
        pfd[2].revents |= POLLHUP;
      if (line_cb != NULL && (pfd[2].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
        {
          g_subprocess_force_exit (process);
          return g_subprocess_wait (process, NULL, error);
        }

      for (guint i = 0; i < 2; i++)
        {
          ssize_t n;

          if (pfd[i].fd < 0 || pfd[i].revents == 0)
            continue;
          n = read (pfd[i].fd, buffer, sizeof buffer);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              pfd[i].fd = -1;
              continue;
            }
          if (i == 1)
            {
              if (err->len < AIR_TRANSPORT_MAX_ERROR)
                g_byte_array_append (err, (guint8 *) buffer, MIN ((gsize) n, AIR_TRANSPORT_MAX_ERROR - err->len));
              continue;
            }
          if (out->len + (gsize) n > max)
            {
              g_subprocess_force_exit (process);
              g_subprocess_wait (process, NULL, NULL);
              g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                           _("Zone “%s” sent an answer larger than %lu bytes; it was refused."),
                           self->zone, (gulong) max);
              return FALSE;
            }
          g_byte_array_append (out, (guint8 *) buffer, n);
          if (line_cb != NULL)
            {
              guint8 *newline;

              while ((newline = memchr (out->data, '\n', out->len)) != NULL)
                {
                  gsize len = newline - out->data;

                  if (!line_cb (self, (const char *) out->data, len))
                    {
                      g_subprocess_force_exit (process);
                      return g_subprocess_wait (process, NULL, error);
                    }
                  g_byte_array_remove_range (out, 0, len + 1);
                }
            }
        }
    }

  return g_subprocess_wait (process, NULL, error);
}

/* Checks a bounded answer and writes our own rendering of it. */
static char *
rewrite_answer (AirSshDriver  *self,
                const char    *service,
                const char    *data,
                gsize          len,
                GError       **error)
{
  if (strcmp (service, "qubesair.List") == 0)
    {
      g_autoptr(GPtrArray) qubes = air_protocol_parse_list (data, len, self->zone, error);

      return qubes ? air_protocol_list_to_json (self->zone, qubes) : NULL;
    }
  if (strcmp (service, "qubesair.Create") == 0 || strcmp (service, "qubesair.Start") == 0 ||
      strcmp (service, "qubesair.Shutdown") == 0 || strcmp (service, "qubesair.Kill") == 0 ||
      strcmp (service, "qubesair.SetPrefs") == 0)
    {
      g_autoptr(AirQube) qube = air_protocol_parse_qube (data, len, self->zone, error);

      return qube ? air_protocol_qube_to_json (qube) : NULL;
    }
  if (strcmp (service, "qubesair.TemplateList") == 0)
    {
      g_autoptr(GPtrArray) templates = air_template_list_parse (data, len, error);

      return templates ? air_template_list_to_json (self->zone, templates) : NULL;
    }
  if (strcmp (service, "qubesair.TemplateRollback") == 0)
    {
      g_autoptr(AirTemplate) template = air_template_parse (data, len, error);

      return template ? air_template_to_json (template) : NULL;
    }
  if (strcmp (service, "qubesair.ZoneInfo") == 0)
    {
      g_autoptr(AirZoneInfo) info = air_zone_info_parse (data, len, error);
      g_autofree char *reason = NULL;
      AirHealth health;

      if (info == NULL)
        return NULL;
      /* Its keys come in our calls: its qubes' volumes are LUKS. */
      if (_air_ssh_driver_answer_takes_keys (data, len))
        {
          g_free (info->disk_encryption);
          info->disk_encryption = g_strdup ("luks");
        }
      g_free (info->name);
      info->name = g_strdup (self->zone);
      g_free (info->driver);
      info->driver = g_strdup ("ssh");
      health = _air_ssh_driver_with_link_health (self, info->health, info->health_reason, &reason);
      info->health = health;
      g_free (info->health_reason);
      info->health_reason = g_steal_pointer (&reason);
      /* What the map shows of the link: never the zone host's word. */
      g_free (info->link);
      info->link = g_strdup (self->config->wireguard != NULL ? "wireguard-ssh" : "ssh");
      g_free (info->endpoint);
      info->endpoint = _air_ssh_driver_endpoint (self);
      g_free (info->host_key);
      info->host_key = _air_ssh_driver_pinned_fingerprint (self);
      info->handshake = self->wg_handshake;
      return air_zone_info_to_json (info);
    }

  /* Other answers (Remove, file listings…) must at least be JSON. */
  {
    g_autoptr(JsonNode) node = air_json_parse (data, len, AIR_SSH_MAX_ANSWER, error);

    if (node == NULL)
      return NULL;
    return g_strndup (data, len);
  }
}

/* A bounded call of ours to the zone host (ZoneInfo, List), its input
 * empty: its answer, unchecked, or NULL with @error. */
GByteArray *
_air_ssh_driver_call_host (AirSshDriver  *self,
                           const char    *service,
                           const char    *arg,
                           GError       **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) err = g_byte_array_new ();

  process = _air_ssh_driver_spawn_call (self, service, arg,
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
  if (process == NULL || !_air_ssh_driver_pump (self, process, AIR_SSH_MAX_ANSWER, NULL, out, err, error))
    return NULL;
  if (_air_ssh_exit_status_of (process) != 0)
    {
      g_autofree char *shown = air_text_sanitize ((const char *) err->data, err->len, MAX_ERROR_TEXT);

      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Zone “%s” did not answer %s: %s"),
                   self->zone, service, shown);
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* @input, when given, is the whole input of the call (a disk key line
 * first: air-disk-keys.h), written through a pipe and wiped by the
 * caller; else the call reads our stdin. @failure, when given, is printed
 * before the host's own message if the call fails: what the user must do
 * about it (the vault's refusal). */
int
_air_ssh_driver_relay_answer (AirSshDriver          *self,
                              const char            *service,
                              const char            *arg,
                              const AirSecretBuffer *input,
                              const char            *failure)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) err = g_byte_array_new ();
  g_autofree char *answer = NULL;
  int status;

  process = _air_ssh_driver_spawn_call (self, service, arg,
                                        (input != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : G_SUBPROCESS_FLAGS_STDIN_INHERIT) |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  /* The input is far smaller than what the call reads before it answers. */
  if (process != NULL && input != NULL)
    {
      GOutputStream *stdin_pipe = g_subprocess_get_stdin_pipe (process);

      if (!g_output_stream_write_all (stdin_pipe, input->data, input->size, NULL, NULL, NULL))
        g_debug ("the call did not take all of its input");
      g_output_stream_close (stdin_pipe, NULL, NULL);
    }
  if (process == NULL || !_air_ssh_driver_pump (self, process, AIR_SSH_MAX_ANSWER, NULL, out, err, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (_air_ssh_driver_connection_lost (self, process))
    {
      print_lost (self);
      return 1;
    }

  status = _air_ssh_exit_status_of (process);
  if (status != 0)
    {
      if (failure != NULL)
        g_printerr ("%s\n", failure);
      _air_ssh_print_error ((const char *) err->data, err->len);
      return status;
    }

  answer = rewrite_answer (self, service, (const char *) out->data, out->len, &error);
  if (answer == NULL)
    {
      g_autofree char *shown = air_text_sanitize (error->message, -1, MAX_ERROR_TEXT);
      g_printerr (_("Zone “%s” sent an answer that is not valid: %s\n"), self->zone, shown);
      return 1;
    }
  if (!g_str_has_suffix (answer, "\n"))
    {
      char *with_newline = g_strconcat (answer, "\n", NULL);
      g_free (answer);
      answer = with_newline;
    }
  return air_fd_write_all (STDOUT_FILENO, answer, strlen (answer)) ? 0 : 1;
}

int
air_ssh_driver_serve (AirSshDriver *self,
                      const char   *service,
                      const char   *arg)
{
  g_autoptr(GError) error = NULL;
  gboolean streaming = strcmp (service, "qubesair.Run") == 0 ||
                       strcmp (service, "qubesair.Disposable") == 0 ||
                       strcmp (service, "qubesair.Relay") == 0;

  if (!air_transport_check_argument (arg, &error) ||
      !air_ssh_driver_connect (self, &error))
    {
      if (strcmp (service, "qubesair.Events") == 0)
        _air_ssh_driver_print_event (self, AIR_HEALTH_DOWN, error->message);
      g_printerr ("%s\n", error->message);
      return streaming ? AIR_RUN_EXIT_FAILED : 1;
    }

  if (strcmp (service, "qubesair.Events") == 0)
    return _air_ssh_driver_relay_events (self, g_strcmp0 (arg, AIR_PROTOCOL_EVENTS_LISTED) == 0);
  if (strcmp (service, "qubesair.ZoneInfo") == 0 || strcmp (service, "qubesair.List") == 0 ||
      strcmp (service, "qubesair.Create") == 0 || strcmp (service, "qubesair.Start") == 0 ||
      strcmp (service, "qubesair.Shutdown") == 0 || strcmp (service, "qubesair.Kill") == 0 ||
      strcmp (service, "qubesair.Remove") == 0 || strcmp (service, "qubesair.FileList") == 0 ||
      strcmp (service, "qubesair.SetPrefs") == 0 || strcmp (service, "qubesair.TemplateList") == 0 ||
      strcmp (service, "qubesair.TemplateRollback") == 0 || strcmp (service, "qubesair.TemplateRemove") == 0)
    {
      /* A VM zone host that takes its qubes' disk keys in our calls. */
      if ((strcmp (service, "qubesair.Create") == 0 || strcmp (service, "qubesair.Start") == 0 ||
           strcmp (service, "qubesair.Remove") == 0) && _air_ssh_driver_host_takes_keys (self))
        return _air_ssh_driver_relay_keyed (self, service, arg);
      return _air_ssh_driver_relay_answer (self, service, arg, NULL, NULL);
    }

  /* Everything else, known here or not, is the zone host's to answer:
   * an unknown service gets its 127 from there. */
  return relay_stream (self, service, arg);
}
