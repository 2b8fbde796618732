/* test-call-frames.c — the wire of a forwarded call, as the gateway reads
 * what a (hostile) zone host sends
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "air-call-frames.h"
#include "air-error.h"

/* Feeds @bytes to air_call_read_frame() through a pipe. */
static gboolean
read_from (const void    *bytes,
           gsize          len,
           AirCallFrame  *type,
           guint8        *buffer,
           gsize         *got,
           GError       **error)
{
  int fds[2];
  gboolean ok;

  g_assert_no_errno (pipe (fds));
  g_assert_cmpint (write (fds[1], bytes, len), ==, (gssize) len);
  close (fds[1]);
  ok = air_call_read_frame (fds[0], type, buffer, got, error);
  close (fds[0]);
  return ok;
}

static void
test_round_trip (void)
{
  g_autofree guint8 *buffer = g_malloc (AIR_CALL_MAX_FRAME);
  g_autofree guint8 *big = g_malloc (AIR_CALL_MAX_FRAME);
  guint32 status = GUINT32_TO_BE (42);
  int fds[2];
  AirCallFrame type;
  gsize len;

  memset (big, 'x', AIR_CALL_MAX_FRAME);
  g_assert_no_errno (pipe (fds));
  g_assert_true (air_call_write_frame (fds[1], AIR_CALL_FRAME_READY, NULL, 0));
  g_assert_true (air_call_write_frame (fds[1], AIR_CALL_FRAME_STDERR, "oops\n", 5));
  g_assert_true (air_call_write_frame (fds[1], AIR_CALL_FRAME_EXIT, &status, 4));
  close (fds[1]);

  g_assert_true (air_call_read_frame (fds[0], &type, buffer, &len, NULL));
  g_assert_cmpint (type, ==, AIR_CALL_FRAME_READY);
  g_assert_cmpuint (len, ==, 0);
  g_assert_true (air_call_read_frame (fds[0], &type, buffer, &len, NULL));
  g_assert_cmpint (type, ==, AIR_CALL_FRAME_STDERR);
  g_assert_cmpmem (buffer, len, "oops\n", 5);
  g_assert_true (air_call_read_frame (fds[0], &type, buffer, &len, NULL));
  g_assert_cmpint (type, ==, AIR_CALL_FRAME_EXIT);
  g_assert_cmpmem (buffer, len, &status, 4);
  /* A clean end: FALSE, no error. */
  g_assert_false (air_call_read_frame (fds[0], &type, buffer, &len, NULL));
  close (fds[0]);
}

static void
test_hostile_frames (void)
{
  static const struct {
    const char *bytes;
    gsize       len;
  } bad[] = {
    { "Z\0\0\0\0", 5 },                   /* unknown type */
    { "O\0\x01\0\x01", 5 },                /* one byte over the limit */
    { "O\xff\xff\xff\xff", 5 },            /* 4 GiB */
    { "X\0\0\0\x03" "abc", 8 },               /* a status is four bytes */
    { "R\0\0\0\x01r", 6 },                 /* READY carries nothing */
    { "O\0\0\0\x05" "abc", 8 },               /* ends inside the data */
    { "O\0\0", 3 },                        /* ends inside the head */
  };
  g_autofree guint8 *buffer = g_malloc (AIR_CALL_MAX_FRAME);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      AirCallFrame type;
      gsize len;

      g_test_message ("bad frame %u", i);
      g_assert_false (read_from (bad[i].bytes, bad[i].len, &type, buffer, &len, &error));
      g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
    }
}

static void
test_header (void)
{
  static const char * const bad[] = {
    "{\"service\":\"qubesair.Run+x\",\"arg\":\"\"}",     /* "+" in the service */
    "{\"service\":\"\",\"arg\":\"\"}",
    "{\"service\":\"a b\"}",
    "{\"service\":\"qubesair.Run\",\"arg\":\"../x\"}",
    "{\"service\":\"qubesair.Run\",\"arg\":\"q;rm\"}",
    "{\"arg\":\"q\"}",
    "[\"qubesair.Run\"]",
  };
  g_autofree char *line = air_call_header_new ("qubesair.Run", "work", "sys-remote-x", NULL);
  g_autofree char *service = NULL, *arg = NULL, *caller = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_suffix (line, "}\n"));
  g_assert_true (air_call_header_parse (line, strlen (line) - 1, &service, &arg, &caller, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (service, ==, "qubesair.Run");
  g_assert_cmpstr (arg, ==, "work");
  g_assert_cmpstr (caller, ==, "sys-remote-x");
  g_clear_pointer (&service, g_free);
  g_clear_pointer (&arg, g_free);
  g_clear_pointer (&caller, g_free);

  /* A caller that is no qube name is dom0, as qrexec would say. */
  {
    const char *odd = "{\"service\":\"s\",\"caller\":\"../x\"}";

    g_assert_true (air_call_header_parse (odd, strlen (odd), &service, &arg, &caller, NULL, &error));
  }
  g_assert_cmpstr (caller, ==, "dom0");
  g_assert_cmpstr (arg, ==, "");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *s = NULL, *a = NULL, *c = NULL;
      g_autoptr(GError) bad_error = NULL;

      g_test_message ("bad header %u: %s", i, bad[i]);
      g_assert_false (air_call_header_parse (bad[i], strlen (bad[i]), &s, &a, &c, NULL, &bad_error));
      g_assert_nonnull (bad_error);
      g_assert_null (s);
    }
}

/* A call out of a zone names its target; one into a zone must not, and
 * a target is what qrexec-client-vm takes, nothing else. */
static void
test_header_target (void)
{
  static const char * const good[] = { "work", "@default", "@dispvm", "@dispvm:default-dvm" };
  static const char * const bad[] = { "", "../x", "@anyvm", "@dispvm:", "@dispvm:../x", "dom0\n", "a b" };
  g_autofree char *service = NULL, *arg = NULL, *caller = NULL, *target = NULL;
  g_autofree char *line = air_call_header_new ("qubes.Filecopy", "", "work", "inbox");
  g_autofree char *into = air_call_header_new ("qubes.Filecopy", "", "work", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (air_call_header_parse (line, strlen (line) - 1, &service, &arg, &caller, &target, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (target, ==, "inbox");
  g_assert_cmpstr (caller, ==, "work");
  g_clear_pointer (&service, g_free);
  g_clear_pointer (&arg, g_free);
  g_clear_pointer (&caller, g_free);

  g_assert_false (air_call_header_parse (line, strlen (line) - 1, &service, &arg, &caller, NULL, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (air_call_header_parse (into, strlen (into) - 1, &service, &arg, &caller, &target, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (air_call_target_is_valid (good[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *hostile = air_call_header_new ("qubes.Filecopy", "", "work", bad[i]);
      g_autofree char *s = NULL, *a = NULL, *c = NULL, *t = NULL;
      g_autoptr(GError) bad_error = NULL;

      g_test_message ("bad target %u", i);
      g_assert_false (air_call_target_is_valid (bad[i]));
      g_assert_false (air_call_header_parse (hostile, strlen (hostile) - 1, &s, &a, &c, &t, &bad_error));
      g_assert_nonnull (bad_error);
      g_assert_null (t);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/air/call-frames/round-trip", test_round_trip);
  g_test_add_func ("/air/call-frames/hostile-frames", test_hostile_frames);
  g_test_add_func ("/air/call-frames/header", test_header);
  g_test_add_func ("/air/call-frames/header-target", test_header_target);
  return g_test_run ();
}
