/* air-filecopy-reader.c — the receiving side of qubes.Filecopy
 *
 * The incoming folder lies in the receiving qube's home, which that qube
 * controls: it may have replaced any folder with a symlink to /etc. So
 * every path is walked one component at a time from a directory fd with
 * O_NOFOLLOW, and modes and times are set through the fd of what was
 * opened, never through a name.
 *
 * A transfer first lands in a hidden, locked staging folder; each file is
 * written under a temporary name there and renamed when complete. Only
 * when the whole stream has arrived are its top-level entries moved into
 * the incoming folder, each under a new name if its own is taken. A broken
 * or refused transfer removes its staging folder: nothing is left behind.
 * A staging folder whose agent was killed is removed by the next transfer
 * (its lock is free).
 *
 * What is accepted (air-filecopy.c checks it, the sender skips the rest):
 * regular files, folders and symlinks, no set-uid/set-gid/sticky bit; names
 * relative, without "." or "..", valid UTF-8 without control or invisible
 * characters (air_unichar_is_invisible(), the rule air_text_sanitize()
 * shows them by). A symlink lives inside a top-level folder and its target
 * is relative with no ".." anywhere: each link points only down from its
 * own folder, so any chain of them, received in any order, resolves inside
 * that folder. (Resolving each link with those received before it would
 * miss a climbing link sent first and a link that later becomes part of
 * its path, and would need memory for every link.) Every entry counts
 * AIR_FILECOPY_ENTRY_COST against the byte quota, and at most the entry
 * limit is accepted, so a flood of empty files is refused like a flood of
 * bytes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-filecopy"
#define _GNU_SOURCE

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-filecopy.h"
#include "air-filecopy-reader.h"

#define READ_SIZE (256 * 1024)
#define STAGING_PREFIX ".air-partial-"
#define PART_PREFIX ".air-part-"

struct _AirFilecopyReader
{
  AirFilecopyParser *parser;
  int                incoming_fd;
  int                staging_fd;
  char               staging_name[64];

  /* The folder the last entry went to, kept open for the next one. */
  char               parent_path[AIR_FILECOPY_MAX_NAME + 1];
  int                parent_fd;

  /* The file being received. */
  int                file_fd;
  char               part_name[64];
  guint64            bytes;
};

static gboolean errno_error (AirFilecopyReader *self, GError **error, int errsv,
                             const char *format, ...) G_GNUC_PRINTF (4, 5);

/* Fails the stream with @errsv, the value its result header will carry. */
static gboolean
errno_error (AirFilecopyReader  *self,
             GError            **error,
             int                 errsv,
             const char         *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  air_filecopy_parser_set_errno (self->parser, errsv);
  g_set_error (error, AIR_ERROR, errsv == EEXIST ? AIR_ERROR_EXISTS : AIR_ERROR_FAILED,
               "%s: %s", message, g_strerror (errsv));
  return FALSE;
}

static int
open_dir_at (int         parent_fd,
             const char *name)
{
  return openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static int
ensure_dir_at (int         parent_fd,
               const char *name)
{
  if (mkdirat (parent_fd, name, 0700) != 0 && errno != EEXIST)
    return -1;
  return open_dir_at (parent_fd, name);
}

int
air_filecopy_open_incoming (int          home_fd,
                            const char  *source,
                            GError     **error)
{
  int incoming, fd;

  incoming = ensure_dir_at (home_fd, "QubesIncoming");
  if (incoming < 0)
    {
      int errsv = errno;
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("Cannot open the folder QubesIncoming: %s"),
                   g_strerror (errsv == ELOOP || errsv == ENOTDIR ? ENOTDIR : errsv));
      return -1;
    }
  fd = ensure_dir_at (incoming, source);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("Cannot open the folder QubesIncoming/%s: %s"), source, g_strerror (errsv));
    }
  close (incoming);
  return fd;
}

/* Removes @name in @parent_fd and everything under it, following nothing. */
static void
remove_tree_at (int         parent_fd,
                const char *name,
                guint       depth)
{
  struct dirent *ent;
  DIR *dir;
  int fd;

  if (unlinkat (parent_fd, name, 0) == 0 || errno == ENOENT)
    return;
  if (depth > AIR_FILECOPY_MAX_DEPTH + 2)
    return;

  fd = open_dir_at (parent_fd, name);
  if (fd < 0)
    return;
  fchmod (fd, 0700);
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return;
    }
  while ((ent = readdir (dir)) != NULL)
    if (strcmp (ent->d_name, ".") != 0 && strcmp (ent->d_name, "..") != 0)
      remove_tree_at (dirfd (dir), ent->d_name, depth + 1);
  closedir (dir);
  unlinkat (parent_fd, name, AT_REMOVEDIR);
}

/* Staging folders of agents that were killed: their lock is free. */
static void
remove_abandoned (int incoming_fd)
{
  struct dirent *ent;
  DIR *dir;
  int fd = dup (incoming_fd);

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  while ((ent = readdir (dir)) != NULL)
    {
      int staging;

      if (!g_str_has_prefix (ent->d_name, STAGING_PREFIX))
        continue;
      staging = open_dir_at (incoming_fd, ent->d_name);
      if (staging < 0)
        continue;
      if (flock (staging, LOCK_EX | LOCK_NB) == 0)
        remove_tree_at (incoming_fd, ent->d_name, 0);
      close (staging);
    }
  closedir (dir);
}

static void
close_file (AirFilecopyReader *self,
            gboolean           discard)
{
  if (self->file_fd >= 0)
    close (self->file_fd);
  self->file_fd = -1;
  self->part_name[0] = '\0';
}

/* The folder of @name inside the staging folder, walked without links. */
static int
open_parent (AirFilecopyReader  *self,
             const char         *name,
             const char        **base,
             GError            **error)
{
  const char *slash = strrchr (name, '/');
  gsize len = slash ? (gsize) (slash - name) : 0;
  g_auto(GStrv) parts = NULL;
  g_autofree char *path = NULL;
  int fd;

  *base = slash ? slash + 1 : name;
  if (len == 0)
    return self->staging_fd;

  if (self->parent_fd >= 0 && strlen (self->parent_path) == len &&
      memcmp (self->parent_path, name, len) == 0)
    return self->parent_fd;

  if (self->parent_fd >= 0)
    close (self->parent_fd);
  self->parent_fd = -1;
  self->parent_path[0] = '\0';

  path = g_strndup (name, len);
  parts = g_strsplit (path, "/", -1);
  fd = dup (self->staging_fd);
  for (guint i = 0; fd >= 0 && parts[i] != NULL; i++)
    {
      int next = open_dir_at (fd, parts[i]);

      close (fd);
      fd = next;
    }
  if (fd < 0)
    {
      errno_error (self, error, EINVAL,
                   _("The stream is corrupt: the folder of “%s” was not sent first"), name);
      return -1;
    }

  self->parent_fd = fd;
  memcpy (self->parent_path, name, len);
  self->parent_path[len] = '\0';
  return fd;
}

static void
header_times (const AirFilecopyHeader *header,
              struct timespec          times[2])
{
  times[0].tv_sec = header->atime;
  times[0].tv_nsec = header->atime_nsec;
  times[1].tv_sec = header->mtime;
  times[1].tv_nsec = header->mtime_nsec;
}

/* Renames without ever replacing: RENAME_NOREPLACE, or link+unlink where
 * the file system lacks it. */
static int
rename_noreplace (int         from_fd,
                  const char *from,
                  int         to_fd,
                  const char *to)
{
  if (renameat2 (from_fd, from, to_fd, to, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return -1;
  if (linkat (from_fd, from, to_fd, to, 0) != 0)
    return -1;
  unlinkat (from_fd, from, 0);
  return 0;
}

static gboolean
new_part (AirFilecopyReader *self,
          int                parent_fd,
          const char        *base,
          gboolean           open_file)
{
  for (guint i = 0; i < 1000; i++)
    {
      g_snprintf (self->part_name, sizeof self->part_name, PART_PREFIX "%u-%u", (guint) getpid (), i);
      if (strcmp (self->part_name, base) == 0)
        continue;
      if (!open_file)
        return TRUE;
      self->file_fd = openat (parent_fd, self->part_name,
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (self->file_fd >= 0)
        return TRUE;
      if (errno != EEXIST)
        break;
    }
  self->part_name[0] = '\0';
  return FALSE;
}

static gboolean
on_entry (const AirFilecopyHeader  *header,
          const char               *name,
          gpointer                  user_data,
          GError                  **error)
{
  AirFilecopyReader *self = user_data;
  struct timespec times[2];
  const char *base;
  int parent_fd, fd;

  parent_fd = open_parent (self, name, &base, error);
  if (parent_fd < 0)
    return FALSE;

  if ((header->mode & S_IFMT) == S_IFREG)
    {
      if (!new_part (self, parent_fd, base, TRUE))
        return errno_error (self, error, errno, _("Cannot create “%s”"), name);
      return TRUE;
    }

  /* A folder: created the first time, its mode and time set each time
   * (the second header comes after its contents). The owner keeps rwx so
   * the qube's user can always manage what it received. */
  if (mkdirat (parent_fd, base, 0700) != 0 && errno != EEXIST)
    return errno_error (self, error, errno, _("Cannot create the folder “%s”"), name);
  fd = open_dir_at (parent_fd, base);
  if (fd < 0)
    return errno_error (self, error, EEXIST, _("“%s” was sent twice"), name);
  header_times (header, times);
  fchmod (fd, (header->mode & 0777) | 0700);
  futimens (fd, times);
  close (fd);
  return TRUE;
}

static gboolean
is_zero (const guint8 *data,
         gsize         len)
{
  return len > 0 && data[0] == 0 && memcmp (data, data + 1, len - 1) == 0;
}

static gboolean
on_data (const guint8  *data,
         gsize          len,
         gpointer       user_data,
         GError       **error)
{
  AirFilecopyReader *self = user_data;

  self->bytes += len;

  /* Zeros become a hole: sparse files stay sparse. */
  if (len >= 4096 && is_zero (data, len))
    {
      if (lseek (self->file_fd, len, SEEK_CUR) < 0)
        return errno_error (self, error, errno, _("Cannot write “%s”"),
                            air_filecopy_parser_get_last_name (self->parser));
      return TRUE;
    }

  while (len > 0)
    {
      ssize_t n = write (self->file_fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return errno_error (self, error, n < 0 ? errno : EIO, _("Cannot write “%s”"),
                            air_filecopy_parser_get_last_name (self->parser));
      data += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
on_entry_done (const AirFilecopyHeader  *header,
               const char               *name,
               gpointer                  user_data,
               GError                  **error)
{
  AirFilecopyReader *self = user_data;
  struct timespec times[2];
  const char *base = strrchr (name, '/') ? strrchr (name, '/') + 1 : name;
  int parent_fd = strchr (name, '/') ? self->parent_fd : self->staging_fd;

  header_times (header, times);
  /* No set-uid, set-gid or sticky bit ever. */
  if (ftruncate (self->file_fd, header->filelen) != 0 ||
      fchmod (self->file_fd, header->mode & 0777) != 0 ||
      futimens (self->file_fd, times) != 0)
    return errno_error (self, error, errno, _("Cannot write “%s”"), name);
  close (self->file_fd);
  self->file_fd = -1;

  if (rename_noreplace (parent_fd, self->part_name, parent_fd, base) != 0)
    return errno_error (self, error, errno, _("Cannot create “%s”"), name);
  self->part_name[0] = '\0';
  return TRUE;
}

static gboolean
on_symlink (const AirFilecopyHeader  *header,
            const char               *name,
            const char               *target,
            gpointer                  user_data,
            GError                  **error)
{
  AirFilecopyReader *self = user_data;
  struct timespec times[2];
  const char *base;
  int parent_fd;

  parent_fd = open_parent (self, name, &base, error);
  if (parent_fd < 0)
    return FALSE;

  if (!new_part (self, parent_fd, base, FALSE) ||
      symlinkat (target, parent_fd, self->part_name) != 0)
    return errno_error (self, error, errno, _("Cannot create “%s”"), name);
  header_times (header, times);
  utimensat (parent_fd, self->part_name, times, AT_SYMLINK_NOFOLLOW);
  if (rename_noreplace (parent_fd, self->part_name, parent_fd, base) != 0)
    {
      int errsv = errno;
      unlinkat (parent_fd, self->part_name, 0);
      self->part_name[0] = '\0';
      return errno_error (self, error, errsv, _("Cannot create “%s”"), name);
    }
  self->part_name[0] = '\0';
  return TRUE;
}

static const AirFilecopyParserFuncs parser_funcs = {
  on_entry, on_data, on_entry_done, on_symlink,
};

AirFilecopyReader *
air_filecopy_reader_new (int      incoming_fd,
                         GError **error)
{
  g_autoptr(AirFilecopyReader) self = g_new0 (AirFilecopyReader, 1);

  self->incoming_fd = -1;
  self->staging_fd = -1;
  self->parent_fd = -1;
  self->file_fd = -1;
  self->parser = air_filecopy_parser_new (&parser_funcs, self);

  self->incoming_fd = dup (incoming_fd);
  if (self->incoming_fd < 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, "%s", g_strerror (errno));
      return NULL;
    }
  remove_abandoned (self->incoming_fd);

  for (guint i = 0; i < 100 && self->staging_fd < 0; i++)
    {
      g_snprintf (self->staging_name, sizeof self->staging_name, STAGING_PREFIX "%08x",
                  g_random_int ());
      if (mkdirat (self->incoming_fd, self->staging_name, 0700) != 0)
        {
          if (errno == EEXIST)
            continue;
          break;
        }
      self->staging_fd = open_dir_at (self->incoming_fd, self->staging_name);
    }
  if (self->staging_fd < 0 || flock (self->staging_fd, LOCK_EX | LOCK_NB) != 0)
    {
      int errsv = errno;
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("Cannot create a folder for the transfer: %s"), g_strerror (errsv));
      return NULL;
    }

  return g_steal_pointer (&self);
}

void
air_filecopy_reader_free (AirFilecopyReader *self)
{
  if (self == NULL)
    return;

  close_file (self, TRUE);
  if (self->parent_fd >= 0)
    close (self->parent_fd);
  if (self->staging_fd >= 0)
    {
      /* Still there means the transfer did not complete. */
      remove_tree_at (self->incoming_fd, self->staging_name, 0);
      close (self->staging_fd);
    }
  if (self->incoming_fd >= 0)
    close (self->incoming_fd);
  air_filecopy_parser_free (self->parser);
  g_free (self);
}

void
air_filecopy_reader_set_limits (AirFilecopyReader *self,
                                guint64            max_bytes,
                                guint64            max_entries)
{
  air_filecopy_parser_set_limits (self->parser, max_bytes, max_entries);
}

int
air_filecopy_reader_get_errno (AirFilecopyReader *self)
{
  return air_filecopy_parser_get_errno (self->parser);
}

guint32
air_filecopy_reader_get_crc (AirFilecopyReader *self)
{
  return air_filecopy_parser_get_crc (self->parser);
}

const char *
air_filecopy_reader_get_last_name (AirFilecopyReader *self)
{
  return air_filecopy_parser_get_last_name (self->parser);
}

guint64
air_filecopy_reader_get_bytes (AirFilecopyReader *self)
{
  return self->bytes;
}

/* "name (2).ext" for a file, "name (2)" for a folder. */
static char *
numbered_name (const char *name,
               gboolean    is_dir,
               guint       n)
{
  const char *dot = is_dir ? NULL : strrchr (name, '.');

  if (dot == NULL || dot == name)
    return g_strdup_printf ("%s (%u)", name, n);
  return g_strdup_printf ("%.*s (%u)%s", (int) (dot - name), name, n, dot);
}

static gboolean
move_into_place (AirFilecopyReader  *self,
                 const char         *name,
                 gboolean            is_dir,
                 GError            **error)
{
  if (rename_noreplace (self->staging_fd, name, self->incoming_fd, name) == 0)
    return TRUE;

  for (guint n = 2; errno == EEXIST && n < 10000; n++)
    {
      g_autofree char *other = numbered_name (name, is_dir, n);

      if (strlen (other) > 255)
        break;
      if (rename_noreplace (self->staging_fd, name, self->incoming_fd, other) == 0)
        return TRUE;
    }
  return errno_error (self, error, errno, _("Cannot create “%s”"), name);
}

static gboolean
commit (AirFilecopyReader  *self,
        GError            **error)
{
  gboolean moved = TRUE;
  DIR *dir;
  int fd;

  if (self->parent_fd >= 0)
    close (self->parent_fd);
  self->parent_fd = -1;

  fd = dup (self->staging_fd);
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return errno_error (self, error, errno, _("Cannot read “%s”"), self->staging_name);
    }

  /* Moving entries out while reading: read again until nothing moves. */
  while (moved)
    {
      struct dirent *ent;

      moved = FALSE;
      rewinddir (dir);
      while ((ent = readdir (dir)) != NULL)
        {
          if (strcmp (ent->d_name, ".") == 0 || strcmp (ent->d_name, "..") == 0)
            continue;
          if (!move_into_place (self, ent->d_name, ent->d_type == DT_DIR, error))
            {
              closedir (dir);
              return FALSE;
            }
          moved = TRUE;
        }
    }
  closedir (dir);

  unlinkat (self->incoming_fd, self->staging_name, AT_REMOVEDIR);
  close (self->staging_fd);
  self->staging_fd = -1;
  return TRUE;
}

gboolean
air_filecopy_reader_run (AirFilecopyReader  *self,
                         int                 in_fd,
                         GError            **error)
{
  g_autofree guint8 *buffer = g_malloc (READ_SIZE);

  while (!air_filecopy_parser_is_done (self->parser))
    {
      ssize_t n = read (in_fd, buffer, READ_SIZE);
      gsize used = 0;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno_error (self, error, errno, "%s", _("Cannot read the transfer"));
      if (n == 0)
        {
          air_filecopy_parser_set_errno (self->parser, EIO);
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                               _("The transfer ended before it was complete"));
          return FALSE;
        }
      while (used < (gsize) n && !air_filecopy_parser_is_done (self->parser))
        {
          gssize done = air_filecopy_parser_feed (self->parser, buffer + used, n - used, error);

          if (done < 0)
            return FALSE;
          used += done;
        }
    }

  return commit (self, error);
}
