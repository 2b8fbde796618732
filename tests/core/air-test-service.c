/* air-test-service.c — a stand-in qrexec service for the transport tests
 *
 * It does what its service name (QREXEC_SERVICE_FULL_NAME up to the "+")
 * says:
 *   test.Env      print "ARGC=…", "ARG1=…" and every QREXEC_* and AIR_*
 *                 variable, one a line, sorted
 *   test.Echo     copy stdin to stdout
 *   test.Fail     write a hostile message to stderr, exit with the argument
 *                 as status (default 3)
 *   test.Silent   exit with the argument as status, printing nothing
 *   test.Refused  what qrexec-client-vm does when dom0 refuses: its own
 *                 "Request refused" on stderr, status 126
 *   test.Noisy    write 100 KiB to stderr, exit 1
 *   test.Endless  write to stdout until killed
 *   test.Hang     sleep until killed
 *   test.Signal   kill itself with SIGKILL
 *   test.Fds      print every descriptor above stderr it was given, one a line
 * With $AIR_TEST_MARKER set, it first appends a line to that file, so a test
 * can tell whether it ran at all. Invoked as "qrexec-client-vm" (a symlink),
 * it prints its arguments instead, one a line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <dirent.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static int
status_from (const char *arg,
             int         fallback)
{
  return arg != NULL && arg[0] != '\0' ? atoi (arg) : fallback;
}

static void
write_all (int         fd,
           const char *data,
           gsize       len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n <= 0)
        exit (0);
      data += n;
      len -= n;
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *base = g_path_get_basename (argv[0]);
  const char *full_name = g_getenv ("QREXEC_SERVICE_FULL_NAME");
  const char *marker = g_getenv ("AIR_TEST_MARKER");
  const char *arg = g_getenv ("QREXEC_SERVICE_ARGUMENT");
  g_autofree char *service = NULL;

  if (strcmp (base, "qrexec-client-vm") == 0)
    {
      for (int i = 1; i < argc; i++)
        printf ("%s\n", argv[i]);
      return 0;
    }

  if (marker != NULL)
    {
      FILE *file = fopen (marker, "a");

      if (file != NULL)
        {
          fprintf (file, "%s\n", full_name ? full_name : "");
          fclose (file);
        }
    }

  if (full_name == NULL)
    {
      fprintf (stderr, "no QREXEC_SERVICE_FULL_NAME\n");
      return 2;
    }
  service = g_strndup (full_name, strcspn (full_name, "+"));

  if (strcmp (service, "test.Env") == 0)
    {
      g_autoptr(GPtrArray) lines = g_ptr_array_new ();

      printf ("ARGC=%d\n", argc);
      if (argc > 1)
        printf ("ARG1=%s\n", argv[1]);
      for (char **e = environ; *e; e++)
        if (g_str_has_prefix (*e, "QREXEC_") || g_str_has_prefix (*e, "AIR_"))
          g_ptr_array_add (lines, *e);
      g_ptr_array_sort (lines, compare_strings);
      for (guint i = 0; i < lines->len; i++)
        printf ("%s\n", (char *) g_ptr_array_index (lines, i));
      return 0;
    }

  if (strcmp (service, "test.Fds") == 0)
    {
      DIR *dir = opendir ("/proc/self/fd");
      struct dirent *entry;

      if (dir == NULL)
        return 2;
      while ((entry = readdir (dir)) != NULL)
        if (atoi (entry->d_name) > 2 && atoi (entry->d_name) != dirfd (dir))
          printf ("%s\n", entry->d_name);
      closedir (dir);
      return 0;
    }

  if (strcmp (service, "test.Echo") == 0)
    {
      char buffer[4096];
      ssize_t n;

      while ((n = read (STDIN_FILENO, buffer, sizeof buffer)) > 0)
        write_all (STDOUT_FILENO, buffer, n);
      return 0;
    }

  if (strcmp (service, "test.Fail") == 0)
    {
      static const char message[] = "it broke\n\x1b[31mred\xe2\x80\xae \xff\x01 end\n";

      write_all (STDOUT_FILENO, "partial", 7);
      write_all (STDERR_FILENO, message, sizeof message - 1);
      return status_from (arg, 3);
    }

  if (strcmp (service, "test.Silent") == 0)
    return status_from (arg, 1);

  if (strcmp (service, "test.Refused") == 0)
    {
      fprintf (stderr, "Request refused\n");
      return 126;
    }

  if (strcmp (service, "test.Noisy") == 0)
    {
      char buffer[1024];

      memset (buffer, 'n', sizeof buffer);
      for (guint i = 0; i < 100; i++)
        write_all (STDERR_FILENO, buffer, sizeof buffer);
      return 1;
    }

  if (strcmp (service, "test.Endless") == 0)
    {
      char buffer[65536];

      memset (buffer, 'y', sizeof buffer);
      for (;;)
        write_all (STDOUT_FILENO, buffer, sizeof buffer);
    }

  if (strcmp (service, "test.Hang") == 0)
    {
      for (;;)
        pause ();
    }

  if (strcmp (service, "test.Signal") == 0)
    {
      kill (getpid (), SIGKILL);
      return 0;
    }

  fprintf (stderr, "unknown service %s\n", service);
  return 2;
}
