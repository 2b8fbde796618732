/* fake-zone.c — a stand-in zone for the application's tests and benchmarks
 *
 * Set as AIR_AGENT_PROGRAM with the loopback transport, it answers the
 * zone services for AIR_FAKE_QUBES made-up qubes (default 1000) of the zone
 * its gateway serves (sys-remote-NAME): ZoneInfo, List, Events, Create,
 * Start, Shutdown, Kill, Remove, Run. It keeps no state. Events stays open
 * and begins with the list when asked to (AIR_PROTOCOL_EVENTS_LISTED) —
 * but in a zone whose name starts with "old", which answers as an older
 * agent does: the zone's health first. AIR_FAKE_CALL_LOG names a file
 * where each call is noted. With AIR_FAKE_TRIGGER_DIR set, each line
 * "QUBE STATE" written to the FIFO
 * DIR/ZONE.fifo becomes a qube-changed event. A zone whose name starts with
 * "down" fails every call, as an unreachable zone does; one whose name
 * starts with "bare" says its qubes are not isolated. With
 * AIR_FAKE_LIST_GATE set, a List call answers only once that file exists
 * (a List in flight, for as long as a test needs). It is not a zone
 * driver: the real one is qubes-air-agent's local driver.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fake-zone"

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>

#include "air-protocol.h"

static const char *
zone_name (void)
{
  const char *self = g_getenv ("AIR_LOOPBACK_SELF");

  if (self != NULL && g_str_has_prefix (self, "sys-remote-"))
    return self + strlen ("sys-remote-");
  return "local";
}

static AirQube *
make_qube (const char *zone,
           guint       i)
{
  g_autofree char *name = g_strdup_printf ("%s-q%05u", zone, i);
  AirQube *qube = air_qube_new (zone, name);

  air_qube_set_state (qube, i % 3 == 0 ? AIR_QUBE_STATE_RUNNING : AIR_QUBE_STATE_HALTED);
  air_qube_set_label (qube, (AirLabel) (i % 8));
  air_qube_set_kind (qube, i % 50 == 0 ? AIR_QUBE_KIND_TEMPLATE_VM : AIR_QUBE_KIND_APP_VM);
  air_qube_set_template (qube, "debian-12");
  air_qube_set_memory (qube, 400 + (i % 8) * 100);
  air_qube_set_vcpus (qube, 1 + i % 4);
  if (i % 3 == 0)
    {
      g_autofree char *ip = g_strdup_printf ("10.%u.%u.%u", 137, (i / 250) % 250, 1 + i % 250);
      air_qube_set_ip (qube, ip);
      air_qube_set_started (qube, 1790000000 + i);
    }
  return qube;
}

static void
write_all (const char *text)
{
  fputs (text, stdout);
  fflush (stdout);
}

/* With AIR_FAKE_CALL_LOG set, each call appends "SERVICE ZONE" there. */
static void
log_call (const char *service)
{
  const char *log = g_getenv ("AIR_FAKE_CALL_LOG");
  FILE *file = log ? fopen (log, "a") : NULL;

  if (file == NULL)
    return;
  fprintf (file, "%s %s\n", service, zone_name ());
  fclose (file);
}

static void
write_list (const char *zone,
            guint       n)
{
  g_autoptr(GPtrArray) qubes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *json = NULL;

  /* A zone far away: its list takes its time. */
  if (g_str_has_prefix (zone, "slow"))
    g_usleep (8 * G_USEC_PER_SEC);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (qubes, make_qube (zone, i));
  json = air_protocol_list_to_json (zone, qubes);
  write_all (json);
}

int
main (int   argc,
      char *argv[])
{
  const char *service = g_getenv ("QREXEC_SERVICE_FULL_NAME");
  const char *arg = g_getenv ("QREXEC_SERVICE_ARGUMENT");
  const char *zone = zone_name ();
  guint n = (guint) g_ascii_strtoull (g_getenv ("AIR_FAKE_QUBES") ? g_getenv ("AIR_FAKE_QUBES") : "1000", NULL, 10);

  if (service == NULL)
    {
      g_printerr ("fake-zone: not called as a service\n");
      return 2;
    }
  log_call (service);

  if (g_str_has_prefix (zone, "down"))
    {
      g_printerr ("The zone host %s does not answer\n", zone);
      return 1;
    }

  if (g_str_has_prefix (service, "qubesair.ZoneInfo+"))
    {
      AirZoneInfo info = { 0 };
      const char *templates[] = { "debian-12", "fedora-40", NULL };
      g_autofree char *json = NULL;

      info.name = (char *) zone;
      info.driver = (char *) "local";
      info.isolation = g_str_has_prefix (zone, "bare") ? AIR_ISOLATION_NONE : AIR_ISOLATION_NAMESPACES;
      /* "luks…" encrypts its qubes' disks, "plain…" says it does not, others do not say */
      info.disk_encryption = (char *) (g_str_has_prefix (zone, "luks") ? "luks"
                                       : g_str_has_prefix (zone, "plain") ? "none" : NULL);
      info.templates = (char **) templates;
      info.health = AIR_HEALTH_UP;
      info.health_reason = (char *) "";
      info.n_qubes = n;
      json = air_zone_info_to_json (&info);
      write_all (json);
      return 0;
    }

  if (g_str_has_prefix (service, "qubesair.List+"))
    {
      const char *gate = g_getenv ("AIR_FAKE_LIST_GATE");

      for (guint i = 0; gate != NULL && i < 3000 && !g_file_test (gate, G_FILE_TEST_EXISTS); i++)
        g_usleep (10000);
      write_list (zone, n);
      return 0;
    }

  if (g_str_has_prefix (service, "qubesair.Events+"))
    {
      const char *trigger_dir = g_getenv ("AIR_FAKE_TRIGGER_DIR");
      g_autofree char *trigger = NULL;
      char line[256];
      FILE *fifo;

      if (g_str_has_prefix (zone, "old"))
        {
          AirEvent health = { .kind = AIR_EVENT_ZONE_HEALTH, .health = AIR_HEALTH_UP, .reason = (char *) "" };
          g_autofree char *out = air_event_to_line (&health);

          write_all (out);
        }
      else if (g_strcmp0 (arg, AIR_PROTOCOL_EVENTS_LISTED) == 0)
        write_list (zone, n);

      if (trigger_dir == NULL)
        {
          /* Open until the caller goes away. */
          while (getppid () != 1)
            g_usleep (G_USEC_PER_SEC);
          return 0;
        }

      trigger = g_strdup_printf ("%s/%s.fifo", trigger_dir, zone);
      fifo = fopen (trigger, "r+");
      if (fifo == NULL)
        return 1;
      for (;;)
        {
          struct pollfd pfd = { .fd = fileno (fifo), .events = POLLIN };

          /* Ends with the caller, also when it died without a word. */
          if (getppid () == 1)
            return 0;
          if (poll (&pfd, 1, 1000) <= 0)
            continue;
          if (fgets (line, sizeof line, fifo) == NULL)
            return 0;
          {
            g_auto(GStrv) parts = g_strsplit (g_strchomp (line), " ", 2);
            g_autoptr(AirQube) qube = NULL;
            AirEvent event = { .kind = AIR_EVENT_QUBE_CHANGED };
            g_autofree char *out = NULL;
            AirQubeState state;
            guint index;

            if (parts[0] == NULL || parts[1] == NULL ||
                !air_qube_state_from_string (parts[1], &state) ||
                sscanf (parts[0], "%*[^q]q%u", &index) != 1)
              continue;
            qube = make_qube (zone, index);
            air_qube_set_state (qube, state);
            event.qube = qube;
            out = air_event_to_line (&event);
            write_all (out);
          }
        }
      return 0;
    }

  if (g_str_has_prefix (service, "qubesair.Create+"))
    {
      g_autoptr(AirQube) qube = air_qube_new (zone, arg);
      g_autofree char *json = air_protocol_qube_to_json (qube);
      g_autofree char *input = NULL;
      g_autoptr(AirQubeSpec) spec = NULL;
      gsize len = 0;

      /* A caller that asks is told how far a clone got, as a Proxmox
       * zone's gateway does — with a bad line and a hostile one. */
      if (g_file_get_contents ("/dev/stdin", &input, &len, NULL) && len > 0 &&
          (spec = air_qube_spec_parse (input, len, NULL)) != NULL && spec->progress)
        {
          const struct { int percent; const char *text; } steps[] = {
            { -1, "Cloning template" },
            { 40, "transferred \033[31m1.6 GiB\033[0m of 4.0 GiB (40.00%)" },
            { 100, "transferred 4.0 GiB of 4.0 GiB (100.00%)" },
          };

          for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
            {
              g_autofree char *line = air_progress_to_line (steps[i].percent, steps[i].text);

              write_all (line);
              if (i == 0)
                write_all ("{\"progress\":\"much\"}\n");
            }
        }
      write_all (json);
      return 0;
    }

  if (g_str_has_prefix (service, "qubesair.Run+") || g_str_has_prefix (service, "qubesair.Disposable+"))
    {
      char line[4096];

      if (fgets (line, sizeof line, stdin) == NULL)
        return 1;
      write_all ("fake-zone ran the command\n");
      return 0;
    }

  if (g_str_has_prefix (service, "qubesair.Start+") || g_str_has_prefix (service, "qubesair.Shutdown+") ||
      g_str_has_prefix (service, "qubesair.Kill+") || g_str_has_prefix (service, "qubesair.Remove+"))
    {
      write_all ("{}\n");
      return 0;
    }

  g_printerr ("fake-zone: unknown service %s\n", service);
  return 127;
}
