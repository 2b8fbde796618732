/* air-file-services.c — moving files in and out of a qube's home
 *
 * qubesair.FilePut+NAME[+SOURCE]: stdin is a qubes.Filecopy stream; the
 *   files land in NAME's ~/QubesIncoming/SOURCE/, SOURCE being the qube the
 *   files come from: the caller (QREXEC_REMOTE_DOMAIN) unless the caller,
 *   the management qube relaying a copy between two qubes, names it. stdout
 *   is qfile-unpacker's answer: a result header (errno value, CRC of the
 *   stream) and the name of the last entry.
 * qubesair.FileGet+NAME: stdin {"paths":[...]} relative to NAME's home;
 *   stdout the qubes.Filecopy stream of those files and folders.
 * qubesair.FileList+NAME: stdin {"path":"..."}; stdout one JSON line
 *   listing that folder, at most AIR_FILE_LIST_MAX entries.
 *
 * Paths inside a home are walked from its directory fd without following
 * any symlink: the qube owns that folder and may have planted links.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-agent"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "air-agent.h"
#include "air-error.h"
#include "air-fd-io.h"
#include "air-file-services.h"
#include "air-vm-guest.h"
#include "air-filecopy.h"
#include "air-filecopy-reader.h"
#include "air-filecopy-writer.h"
#include "air-json.h"
#include "air-names.h"
#include "air-protocol.h"
#include "air-sandbox.h"

#define MAX_REQUEST      (256 * 1024)
#define MAX_GET_PATHS    1000
/* Kept free on the zone's disk whatever the quota says. */
#define RESERVE_BYTES    (64 * 1024 * 1024)

/* Also the limit the client enforces on an answer. */
#define AIR_FILE_LIST_MAX 5000

static JsonObject *
read_request_object (GError **error)
{
  g_autoptr(GBytes) input = air_fd_read_to_end (STDIN_FILENO, MAX_REQUEST, error);
  gsize len;
  const char *data;

  if (input == NULL)
    return NULL;
  data = g_bytes_get_data (input, &len);
  return air_json_parse_object (data, len, MAX_REQUEST, error);
}

/* What the zone lets one transfer use: AIR_FILE_QUOTA_MIB if set, and
 * never more than the disk has free. Every entry counts against it too
 * (AIR_FILECOPY_ENTRY_COST), besides AIR_FILECOPY_MAX_ENTRIES at most. */
static guint64
transfer_quota (int home_fd)
{
  const char *env = g_getenv ("AIR_FILE_QUOTA_MIB");
  guint64 quota = G_MAXUINT64;
  struct statvfs vfs;

  if (env != NULL && env[0] != '\0')
    quota = g_ascii_strtoull (env, NULL, 10) * 1024 * 1024;
  if (fstatvfs (home_fd, &vfs) == 0)
    {
      guint64 avail = (guint64) vfs.f_bavail * vfs.f_frsize;

      avail = avail > RESERVE_BYTES ? avail - RESERVE_BYTES : 0;
      quota = MIN (quota, avail);
    }
  return quota;
}

/* A signal while receiving (Ctrl+C reaching the whole process group of
 * a loopback qair, qrexec ending the call) must not kill this process
 * with the staging folder still there: stdin becomes /dev/null, so the
 * read under way (interrupted, no SA_RESTART) or the next one sees the end
 * of a broken stream, and the reader removes everything of it. Only
 * async-signal-safe calls here. */
static void
stop_receiving (int signum)
{
  int saved = errno;
  int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  if (fd >= 0)
    {
      dup2 (fd, STDIN_FILENO);
      close (fd);
    }
  errno = saved;
}

static void
catch_stop_signals (void)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
  struct sigaction action = { 0 };

  action.sa_handler = stop_receiving;
  sigemptyset (&action.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaction (signals[i], &action, NULL);
  /* A caller gone before the answer: a failed write, not a death. */
  signal (SIGPIPE, SIG_IGN);
}

/* Files into the home @home_fd (taken), as its owner. */
static int
put_in_home (int                 home_fd,
             const char         *source,
             const AirFileStage *stage)
{
  g_autoptr(AirFilecopyReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *last = NULL;
  guint8 result[AIR_FILECOPY_RESULT_SIZE];
  guint32 last_len;
  gboolean ok;
  int incoming_fd, staged_fd = -1;

  catch_stop_signals ();
  incoming_fd = air_filecopy_open_incoming (home_fd, source, &error);
  if (incoming_fd < 0)
    {
      close (home_fd);
      return air_agent_fail (error);
    }

  reader = air_filecopy_reader_new (incoming_fd, &error);
  if (reader != NULL)
    air_filecopy_reader_set_limits (reader,
                                    MIN (transfer_quota (home_fd),
                                         stage && stage->max_bytes ? stage->max_bytes : G_MAXUINT64),
                                    stage && stage->max_entries ? stage->max_entries
                                                                : AIR_FILECOPY_MAX_ENTRIES);
  if (stage != NULL && stage->deliver != NULL)
    staged_fd = openat (incoming_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close (incoming_fd);
  close (home_fd);
  if (reader == NULL)
    {
      if (staged_fd >= 0)
        close (staged_fd);
      return air_agent_fail (error);
    }

  ok = air_filecopy_reader_run (reader, STDIN_FILENO, &error);
  if (!ok && stage != NULL && stage->too_large != NULL &&
      air_filecopy_reader_get_errno (reader) == EDQUOT)
    g_prefix_error (&error, "%s", stage->too_large);
  /* A staged copy is only done once it is where the caller asked. */
  if (ok && staged_fd >= 0)
    ok = stage->deliver (stage->data, staged_fd, &error);
  if (staged_fd >= 0)
    close (staged_fd);

  /* qfile-unpacker's answer, then the last name (result_header_ext). */
  air_filecopy_result_encode (ok ? 0 : MAX (air_filecopy_reader_get_errno (reader), EIO),
                              air_filecopy_reader_get_crc (reader), result);
  last = g_strdup (air_filecopy_reader_get_last_name (reader));
  last_len = GUINT32_TO_LE ((guint32) strlen (last));

  /* A failed transfer's staging folder goes before the caller hears of
   * the end, and before anything that could stop this process. */
  if (!ok)
    g_clear_pointer (&reader, air_filecopy_reader_free);

  air_fd_write_all (STDOUT_FILENO, result, sizeof result);
  air_fd_write_all (STDOUT_FILENO, &last_len, sizeof last_len);
  air_fd_write_all (STDOUT_FILENO, last, strlen (last));

  if (!ok)
    return air_agent_fail (error);
  return 0;
}

static int
get_from_home (int                 home_fd,
               const AirFileStage *stage)
{
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(AirFilecopyWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;

  request = read_request_object (&error);
  if (request != NULL)
    paths = air_json_get_strv (request, "paths", MAX_GET_PATHS, AIR_FILECOPY_MAX_NAME, &error);
  for (guint i = 0; paths != NULL && paths[i] != NULL && error == NULL; i++)
    air_filecopy_check_name (paths[i], strlen (paths[i]) + 1, &error);
  if (error == NULL && stage != NULL && stage->fetch != NULL)
    stage->fetch (stage->data, home_fd, (const char * const *) paths, &error);
  if (error != NULL)
    {
      close (home_fd);
      return air_agent_fail (error);
    }

  writer = air_filecopy_writer_new (STDOUT_FILENO);
  for (guint i = 0; paths[i] != NULL; i++)
    if (!air_filecopy_writer_add_path (writer, home_fd, paths[i], TRUE, &error))
      {
        close (home_fd);
        return air_agent_fail (error);
      }
  close (home_fd);
  if (!air_filecopy_writer_finish (writer, &error))
    return air_agent_fail (error);
  return 0;
}

static const char *
type_name (mode_t mode)
{
  if (S_ISREG (mode))
    return "file";
  if (S_ISDIR (mode))
    return "folder";
  if (S_ISLNK (mode))
    return "link";
  return "other";
}

static int
list_in_home (int fd)
{
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_auto(GStrv) parts = NULL;
  const char *path;
  struct dirent *ent;
  gboolean truncated = FALSE;
  guint count = 0;
  DIR *dir;

  request = read_request_object (&error);
  if (request == NULL ||
      !air_json_get_opt_string (request, "path", AIR_FILECOPY_MAX_NAME, "", &path, &error) ||
      (path[0] != '\0' && !air_filecopy_check_name (path, strlen (path) + 1, &error)))
    {
      close (fd);
      return air_agent_fail (error);
    }

  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; path[0] != '\0' && parts[i] != NULL && fd >= 0; i++)
    {
      int next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      close (fd);
      fd = next;
    }
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      g_printerr (_("Cannot open the folder “%s”: %s\n"), path, g_strerror (errsv));
      return 1;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  json_builder_set_member_name (builder, "entries");
  json_builder_begin_array (builder);
  while ((ent = readdir (dir)) != NULL)
    {
      struct stat st;
      gsize len = strlen (ent->d_name);

      if (strcmp (ent->d_name, ".") == 0 || strcmp (ent->d_name, "..") == 0)
        continue;
      /* Only names a transfer could carry. */
      if (!air_filecopy_check_name (ent->d_name, len + 1, NULL) ||
          fstatat (dirfd (dir), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;
      if (count++ >= AIR_FILE_LIST_MAX)
        {
          truncated = TRUE;
          break;
        }
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, ent->d_name);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, type_name (st.st_mode));
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, S_ISREG (st.st_mode) ? st.st_size : 0);
      json_builder_set_member_name (builder, "mtime");
      json_builder_add_int_value (builder, st.st_mtim.tv_sec);
      json_builder_end_object (builder);
    }
  closedir (dir);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "truncated");
  json_builder_add_boolean_value (builder, truncated);
  json_builder_end_object (builder);

  line = air_json_builder_to_line (builder);
  return air_fd_write_all (STDOUT_FILENO, line, strlen (line)) ? 0 : 1;
}

/* In the home of @name, as its owner: the zone host's view of it, or —
 * for a qube whose files the host cannot open (a virtual machine) — the
 * same service run by the qube's own agent inside it. */
static int
serve_in_qube (AirDriver  *driver,
               const char *service,
               const char *name,
               const char *source)
{
  g_autoptr(GError) error = NULL;
  int home_fd, status;

  /* a backend that moves the files itself (through a staging folder) */
  status = air_driver_serve_files (driver, service, name, source, &error);
  if (status >= 0)
    return status;
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    return air_agent_fail (error);
  g_clear_error (&error);

  home_fd = air_driver_open_home (driver, name, &error);
  if (home_fd < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      g_autoptr(AirRunHeader) header = g_new0 (AirRunHeader, 1);
      const char *argv[] = { AIR_VM_AGENT_PATH, "--home-files", service, source, NULL };
      g_clear_error (&error);
      header->argv = g_strdupv ((char **) argv);
      header->user = g_strdup ("user");
      status = air_driver_run (driver, name, header, &error);
      return status >= 0 ? status : air_agent_fail (error);
    }
  if (home_fd < 0 || !air_sandbox_become_home_owner (home_fd, &error))
    {
      if (home_fd >= 0)
        close (home_fd);
      return air_agent_fail (error);
    }
  return air_file_services_serve_home (home_fd, service, source);
}

int
air_file_services_serve_home (int         home_fd,
                              const char *service,
                              const char *source)
{
  return air_file_services_serve_staged (home_fd, service, source, NULL);
}

int
air_file_services_serve_staged (int                 home_fd,
                                const char         *service,
                                const char         *source,
                                const AirFileStage *stage)
{
  if (strcmp (service, "qubesair.FilePut") == 0)
    return put_in_home (home_fd, source, stage);
  if (strcmp (service, "qubesair.FileGet") == 0)
    return get_from_home (home_fd, stage);
  return list_in_home (home_fd);
}

/* "qubes-air-agent --home-files SERVICE SOURCE" in a qube: the service
 * on the home of the user it runs as. */
int
air_file_services_guest_main (const char *service,
                              const char *source)
{
  g_autoptr(GError) error = NULL;
  int home_fd;

  if (!air_file_services_handles (service))
    {
      g_printerr (_("Unknown file service “%s”\n"), service);
      return 1;
    }
  if (!air_name_validate (source, "source qube", &error))
    return air_agent_fail (error);
  home_fd = open (g_get_home_dir (), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (home_fd < 0)
    {
      g_printerr (_("Cannot open the folder “%s”: %s\n"), g_get_home_dir (), g_strerror (errno));
      return 1;
    }
  return air_file_services_serve_home (home_fd, service, source);
}

int
air_file_services_put (AirDriver      *driver,
                       const char     *qube,
                       const char     *source)
{
  g_autoptr(GError) error = NULL;

  if (!air_name_validate (qube, "qube", &error) ||
      !air_name_validate (source, "source qube", &error))
    return air_agent_fail (error);
  return serve_in_qube (driver, "qubesair.FilePut", qube, source);
}

gboolean
air_file_services_handles (const char *service)
{
  return g_strcmp0 (service, "qubesair.FilePut") == 0 ||
         g_strcmp0 (service, "qubesair.FileGet") == 0 ||
         g_strcmp0 (service, "qubesair.FileList") == 0;
}

int
air_file_services_serve (AirDriver      *driver,
                         const char     *service,
                         const char     *arg)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strndup (arg, strcspn (arg, "+"));
  const char *source = strchr (arg, '+');

  if (!air_name_validate (name, "qube", &error))
    return air_agent_fail (error);

  if (strcmp (service, "qubesair.FilePut") == 0)
    {
      source = source != NULL ? source + 1 : g_getenv ("QREXEC_REMOTE_DOMAIN");
      if (!air_name_validate (source, "source qube", &error))
        return air_agent_fail (error);
      return serve_in_qube (driver, service, name, source);
    }

  if (source != NULL)
    {
      g_printerr (_("The service argument must be a qube name\n"));
      return 1;
    }
  /* The source is not used by FileGet and FileList. */
  return serve_in_qube (driver, service, name, name);
}
