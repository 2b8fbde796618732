/* air-rootfs.c — a template's root file system, from a tarball
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-rootfs"

#define _GNU_SOURCE 1

#include "config.h"

#include <errno.h>
#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <ftw.h>
#include <glib/gstdio.h>
#include <link.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-names.h"
#include "air-rootfs.h"


/* Each step is the template's own /bin/sh running one of these, with the
 * packages or the command as its arguments — never spliced into it. */
const char air_rootfs_upgrade_script[] =
  "if command -v apt-get >/dev/null 2>&1; then\n"
  "  apt-get update && apt-get -y dist-upgrade\n"
  "elif command -v dnf >/dev/null 2>&1; then\n"
  "  dnf -y upgrade\n"
  "else\n"
  "  echo 'This template has no apt-get or dnf to upgrade with.' >&2; exit 3\n"
  "fi\n";

const char air_rootfs_files_script[] =
  "cd " AIR_ROOTFS_PACKAGES_DIR " || exit 3\n"
  "set -- *.deb; if [ -e \"$1\" ]; then\n"
  "  if command -v apt-get >/dev/null 2>&1; then apt-get install -y \"$@\" || exit\n"
  "  elif command -v dpkg >/dev/null 2>&1; then dpkg -i \"$@\" || exit\n"
  "  else echo 'This template has no dpkg to install .deb files with.' >&2; exit 3; fi\n"
  "fi\n"
  "set -- *.rpm; if [ -e \"$1\" ]; then\n"
  "  if command -v dnf >/dev/null 2>&1; then dnf install -y \"$@\" || exit\n"
  "  elif command -v rpm >/dev/null 2>&1; then rpm -i \"$@\" || exit\n"
  "  else echo 'This template has no rpm to install .rpm files with.' >&2; exit 3; fi\n"
  "fi\n";

const char air_rootfs_packages_script[] =
  "if command -v apt-get >/dev/null 2>&1; then\n"
  "  apt-get install -y -- \"$@\"\n"
  "elif command -v dnf >/dev/null 2>&1; then\n"
  "  dnf install -y -- \"$@\"\n"
  "else\n"
  "  echo 'This template has no apt-get or dnf to install packages by name.' >&2; exit 3\n"
  "fi\n";

static gboolean
check_root (const char  *root,
            GError     **error)
{
  static const char * const shells[] = { "bin/sh", "usr/bin/sh" };
  g_autofree char *etc = g_build_filename (root, "etc", NULL);
  struct stat st;
  gboolean shell = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (shells); i++)
    {
      g_autofree char *path = g_build_filename (root, shells[i], NULL);

      shell |= lstat (path, &st) == 0;
    }
  if (!shell || lstat (etc, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("The tarball is not a root file system: it has no /bin/sh or no /etc."));
      return FALSE;
    }
  return TRUE;
}

/* What a qube's sandbox mounts over: a root made by hand may lack some. */
gboolean
air_rootfs_ensure_mount_points (const char  *root,
                                GError     **error)
{
  static const char * const points[] = { "dev", "proc", "sys", "tmp", "run", "home", "home/user" };

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      g_autofree char *path = g_build_filename (root, points[i], NULL);

      if (g_mkdir (path, 0755) != 0 && errno != EEXIST)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, "%s: %s", path, g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

/* The compression tar is told of, from the stream's first bytes. */
static const char *
compression_option (const guint8 *magic,
                    gsize         len)
{
  if (len >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
    return "--gzip";
  if (len >= 6 && memcmp (magic, "\xfd" "7zXZ\0", 6) == 0)
    return "--xz";
  if (len >= 4 && memcmp (magic, "\x28\xb5\x2f\xfd", 4) == 0)
    return "--zstd";
  if (len >= 3 && memcmp (magic, "BZh", 3) == 0)
    return "--bzip2";
  return NULL;
}

gboolean
air_rootfs_unpack (const char  *root,
                   const char  *work_dir,
                   int          tar_fd,
                   GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) tar = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GInputStream) input = g_unix_input_stream_new (tar_fd, FALSE);
  g_autoptr(GError) local_error = NULL;
  guint8 magic[6];
  gsize got = 0;
  const char *option;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  if (!g_input_stream_read_all (input, magic, sizeof magic, &got, NULL, error))
    return FALSE;
  if (got == 0)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT, _("The tarball is empty."));
      return FALSE;
    }
  if (g_mkdir (root, 0755) != 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, "%s: %s", root, g_strerror (errno));
      return FALSE;
    }
  /* Devices cannot be made without privileges, and a qube gets its own
   * /dev anyway; owners are this host's user, root inside a build. */
  g_strv_builder_add_many (builder, "tar", "--extract", "--file=-", "--directory", root,
                           "--no-same-owner", "--preserve-permissions", "--delay-directory-restore",
                           "--exclude=./dev/*", "--exclude=dev/*", NULL);
  option = compression_option (magic, got);
  if (option != NULL)
    g_strv_builder_add (builder, option);
  argv = g_strv_builder_end (builder);
  /* Its complaints to a file: a pipe could fill while we feed it. */
  log = g_build_filename (work_dir, "tar.log", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  tar = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (tar == NULL)
    return FALSE;

  {
    GOutputStream *to_tar = g_subprocess_get_stdin_pipe (tar);

    if (!g_output_stream_write_all (to_tar, magic, got, NULL, NULL, &local_error) ||
        g_output_stream_splice (to_tar, input, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &local_error) < 0)
      g_output_stream_close (to_tar, NULL, NULL);
  }
  if (!g_subprocess_wait (tar, NULL, error))
    return FALSE;
  if (!g_subprocess_get_successful (tar))
    {
      g_autofree char *complaint = NULL;
      g_autofree char *text = NULL;
      gsize len = 0;

      g_file_get_contents (log, &complaint, &len, NULL);
      text = air_text_sanitize (complaint != NULL ? complaint : "", len, 600);
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The tarball could not be unpacked: %s"), text);
      return FALSE;
    }
  return check_root (root, error) && air_rootfs_ensure_mount_points (root, error);
}


typedef struct {
  GPtrArray *objects;
  char      *interpreter;
} Loaded;

static int
note_object (struct dl_phdr_info *info,
             size_t               size,
             void                *data)
{
  Loaded *loaded = data;

  if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0')
    {
      /* The program itself: its interpreter. */
      for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_INTERP && loaded->interpreter == NULL)
          loaded->interpreter = g_strdup ((const char *) (info->dlpi_addr + info->dlpi_phdr[i].p_vaddr));
    }
  else if (info->dlpi_name[0] == '/')
    g_ptr_array_add (loaded->objects, g_strdup (info->dlpi_name));
  return 0;
}

char *
air_rootfs_agent_objects (GPtrArray **objects)
{
  Loaded loaded = { g_ptr_array_new_with_free_func (g_free), NULL };

  dl_iterate_phdr (note_object, &loaded);
  *objects = loaded.objects;
  return loaded.interpreter;
}

static gboolean
copy_file (const char  *from,
           const char  *to,
           int          mode,
           GError     **error)
{
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFile) target = g_file_new_for_path (to);

  if (!g_file_copy (source, target, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL, NULL, NULL, error))
    return FALSE;
  return g_chmod (to, mode) == 0 || (g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, "%s: %s", to,
                                                  g_strerror (errno)), FALSE);
}

#define AGENT_DIR "usr/lib/qubes-air"

gboolean
air_rootfs_add_agent (const char  *root,
                      GError     **error)
{
  Loaded loaded = { NULL, NULL };
  g_autofree char *dir = g_build_filename (root, AGENT_DIR, NULL);
  g_autofree char *lib = g_build_filename (dir, "lib", NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", error);
  g_autofree char *binary = g_build_filename (dir, "qubes-air-agent.bin", NULL);
  g_autofree char *wrapper = g_build_filename (dir, "qubes-air-agent", NULL);
  gboolean ok = self != NULL;

  loaded.interpreter = air_rootfs_agent_objects (&loaded.objects);
  if (ok && (g_mkdir_with_parents (lib, 0755) != 0))
    ok = (g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, "%s: %s", lib, g_strerror (errno)), FALSE);
  if (ok)
    ok = copy_file (self, binary, 0755, error);
  for (guint i = 0; ok && i < loaded.objects->len; i++)
    {
      const char *object = g_ptr_array_index (loaded.objects, i);
      g_autofree char *real = realpath (object, NULL);
      g_autofree char *base = g_path_get_basename (object);
      g_autofree char *target = g_build_filename (lib, base, NULL);

      ok = real != NULL && copy_file (real, target, 0755, error);
    }
  if (ok && loaded.interpreter != NULL)
    {
      g_autofree char *real = realpath (loaded.interpreter, NULL);
      g_autofree char *target = g_build_filename (lib, "ld.so", NULL);
      /* The template's own libraries stay its programs' own: only this
       * agent is started with these. */
      g_autofree char *script = g_strdup_printf ("#!/bin/sh\n"
                                                 "exec /" AGENT_DIR "/lib/ld.so --library-path /" AGENT_DIR "/lib "
                                                 "/" AGENT_DIR "/qubes-air-agent.bin \"$@\"\n");

      ok = real != NULL && copy_file (real, target, 0755, error) &&
           g_file_set_contents_full (wrapper, script, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0755, error);
    }
  else if (ok)
    {
      /* A static agent needs nothing else. */
      g_unlink (wrapper);
      ok = g_rename (binary, wrapper) == 0;
    }
  if (!ok && error != NULL && *error == NULL)
    g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot put the agent into the template: %s"),
                 g_strerror (errno));
  g_free (loaded.interpreter);
  g_ptr_array_unref (loaded.objects);
  return ok;
}

/* The guest's last lines, kept for the message when a step fails. */
#define TAIL_LINES 12

char *
air_rootfs_report_lines (int                        fd,
                         const AirTemplateReporter *reporter)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GString) tail_text = g_string_new (NULL);
  GQueue tail = G_QUEUE_INIT;
  char buffer[4096];
  ssize_t n;

  for (;;)
    {
      gboolean end;

      n = read (fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      end = n <= 0;
      for (ssize_t i = 0; i < MAX (n, 0) || (end && line->len > 0); i++)
        {
          if (!end && buffer[i] != '\n' && line->len < AIR_TEMPLATE_MAX_OUTPUT)
            {
              g_string_append_c (line, buffer[i]);
              continue;
            }
          if (!end && buffer[i] != '\n')
            g_string_append_c (line, buffer[i]);   /* cut here, go on */
          if (reporter != NULL && reporter->output != NULL)
            reporter->output (reporter->data, line->str, line->len);
          g_queue_push_tail (&tail, g_utf8_make_valid (line->str, line->len));
          if (tail.length > TAIL_LINES)
            g_free (g_queue_pop_head (&tail));
          g_string_truncate (line, 0);
          if (end)
            break;
        }
      if (end)
        break;
    }
  for (GList *l = tail.head; l != NULL; l = l->next)
    g_string_append_printf (tail_text, "\n%s", (char *) l->data);
  g_queue_clear_full (&tail, g_free);
  return g_string_free (g_steal_pointer (&tail_text), FALSE);
}

gboolean
air_rootfs_check_step (const char  *step,
                       int          status,
                       const char  *tail,
                       GError     **error)
{
  if (status == 0)
    return TRUE;
  g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE, _("Step “%s” failed (exit status %d):%s"), step, status, tail);
  return FALSE;
}

static int
remove_entry (const char        *path,
              const struct stat *st,
              int                type,
              struct FTW        *ftw)
{
  /* A tree built as a root file system may hold read-only directories. */
  if (type == FTW_DP)
    return rmdir (path) == 0 || errno == ENOENT ? 0 : -1;
  return unlink (path) == 0 || errno == ENOENT ? 0 : -1;
}

static int
open_up_entry (const char        *path,
               const struct stat *st,
               int                type,
               struct FTW        *ftw)
{
  if (type == FTW_D && (st->st_mode & 0700) != 0700)
    chmod (path, st->st_mode | 0700);
  return 0;
}

gboolean
air_rootfs_remove_tree (const char *path)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    return errno == ENOENT;
  if (!S_ISDIR (st.st_mode))
    return unlink (path) == 0;
  nftw (path, open_up_entry, 32, FTW_PHYS);
  return nftw (path, remove_entry, 32, FTW_PHYS | FTW_DEPTH) == 0;
}

static guint64 tree_size;

static int
add_size (const char        *path,
          const struct stat *st,
          int                type,
          struct FTW        *ftw)
{
  if (type == FTW_F)
    tree_size += (guint64) st->st_blocks * 512;
  return 0;
}

/* Disk used, as du counts it. Called from one thread of the agent. */
guint64
air_rootfs_tree_size (const char *path)
{
  tree_size = 0;
  nftw (path, add_size, 32, FTW_PHYS);
  return tree_size;
}
