/* air-filecopy-writer.c — the sending side of qubes.Filecopy
 *
 * Walks each tree with one open directory per level and one fixed output
 * buffer, so memory does not grow with the size or number of files. A
 * folder's header is sent before and again after its contents, as Qubes'
 * qfile-agent does, so the receiver can set its final mode and time.
 * Symlinks the receiver would refuse (absolute, at the top, or climbing
 * with ".." anywhere: air_filecopy_check_link() is the one rule), and
 * devices, sockets and pipes, are skipped.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-filecopy"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-filecopy.h"
#include "air-filecopy-writer.h"

#define BUFFER_SIZE (256 * 1024)

struct _AirFilecopyWriter
{
  int                  out_fd;
  guint8              *buffer;
  gsize                used;
  guint32              crc;
  guint64              bytes;
  guint64              data_bytes;     /* files' data flushed */
  guint64              data_pending;   /* files' data in the buffer */
  guint                skipped;
  AirFilecopyProgress  progress;
  gpointer             progress_data;
  const gint          *cancelled;
};

AirFilecopyWriter *
air_filecopy_writer_new (int out_fd)
{
  AirFilecopyWriter *self = g_new0 (AirFilecopyWriter, 1);

  self->out_fd = out_fd;
  self->buffer = g_malloc (BUFFER_SIZE);
  return self;
}

void
air_filecopy_writer_free (AirFilecopyWriter *self)
{
  if (self == NULL)
    return;
  g_free (self->buffer);
  g_free (self);
}

void
air_filecopy_writer_set_progress (AirFilecopyWriter   *self,
                                  AirFilecopyProgress  func,
                                  gpointer             user_data)
{
  self->progress = func;
  self->progress_data = user_data;
}

void
air_filecopy_writer_set_cancel (AirFilecopyWriter *self,
                                const gint        *cancelled)
{
  self->cancelled = cancelled;
}

guint32
air_filecopy_writer_get_crc (AirFilecopyWriter *self)
{
  return self->crc;
}

guint64
air_filecopy_writer_get_bytes (AirFilecopyWriter *self)
{
  return self->bytes;
}

guint64
air_filecopy_writer_get_data_bytes (AirFilecopyWriter *self)
{
  return self->data_bytes;
}

guint
air_filecopy_writer_get_skipped (AirFilecopyWriter *self)
{
  return self->skipped;
}

static gboolean
set_errno_error (GError     **error,
                 int          errsv,
                 const char  *what,
                 const char  *name)
{
  g_set_error (error, AIR_ERROR, errsv == ENOENT ? AIR_ERROR_NOT_FOUND : AIR_ERROR_FAILED,
               "%s “%s”: %s", what, name, g_strerror (errsv));
  return FALSE;
}

static gboolean
flush (AirFilecopyWriter  *self,
       GError            **error)
{
  gsize done = 0;

  if (self->cancelled != NULL && g_atomic_int_get (self->cancelled))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The transfer was cancelled"));
      return FALSE;
    }

  self->crc = air_filecopy_crc32 (self->crc, self->buffer, self->used);
  while (done < self->used)
    {
      ssize_t n = write (self->out_fd, self->buffer + done, self->used - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE,
                       _("The receiving side stopped reading: %s"), g_strerror (n < 0 ? errno : EPIPE));
          return FALSE;
        }
      done += n;
    }
  self->bytes += self->used;
  self->used = 0;
  self->data_bytes += self->data_pending;
  self->data_pending = 0;
  if (self->progress != NULL)
    self->progress (self->data_bytes, self->progress_data);
  return TRUE;
}

static gboolean
put (AirFilecopyWriter  *self,
     const void         *data,
     gsize               len,
     GError            **error)
{
  const guint8 *p = data;

  while (len > 0)
    {
      gsize take = MIN (len, BUFFER_SIZE - self->used);

      memcpy (self->buffer + self->used, p, take);
      self->used += take;
      p += take;
      len -= take;
      if (self->used == BUFFER_SIZE && !flush (self, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
put_header (AirFilecopyWriter  *self,
            const struct stat  *st,
            guint64             filelen,
            const char         *name,
            GError            **error)
{
  AirFilecopyHeader header = { 0 };
  guint8 raw[AIR_FILECOPY_HEADER_SIZE];
  gsize namelen = strlen (name) + 1;

  if (!air_filecopy_check_name (name, namelen, error))
    return FALSE;

  header.namelen = namelen;
  header.mode = st->st_mode;
  header.filelen = filelen;
  header.atime = (guint32) st->st_atim.tv_sec;
  header.atime_nsec = (guint32) st->st_atim.tv_nsec;
  header.mtime = (guint32) st->st_mtim.tv_sec;
  header.mtime_nsec = (guint32) st->st_mtim.tv_nsec;
  air_filecopy_header_encode (&header, raw);

  return put (self, raw, sizeof raw, error) && put (self, name, namelen, error);
}

static gboolean
send_file (AirFilecopyWriter  *self,
           int                 parent_fd,
           const char         *entry,
           const char         *name,
           GError            **error)
{
  struct stat st;
  guint64 left;
  int fd;

  fd = openat (parent_fd, entry, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return set_errno_error (error, errno, _("Cannot open"), name);
  /* What was opened, not what was looked at: it may have been swapped. */
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      self->skipped++;
      return TRUE;
    }
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);

  if (!put_header (self, &st, st.st_size, name, error))
    {
      close (fd);
      return FALSE;
    }

  for (left = st.st_size; left > 0; )
    {
      gsize room = BUFFER_SIZE - self->used;
      ssize_t n = read (fd, self->buffer + self->used, (gsize) MIN ((guint64) room, left));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          close (fd);
          if (n == 0)
            g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                         _("The file “%s” became shorter while it was sent"), name);
          else
            set_errno_error (error, errno, _("Cannot read"), name);
          return FALSE;
        }
      self->used += n;
      self->data_pending += n;
      left -= n;
      if (self->used == BUFFER_SIZE && !flush (self, error))
        {
          close (fd);
          return FALSE;
        }
    }

  close (fd);
  return TRUE;
}

static gboolean send_entry (AirFilecopyWriter *self, int parent_fd, const char *entry,
                            GString *name, guint depth, GError **error);

static gboolean
send_dir (AirFilecopyWriter  *self,
          int                 parent_fd,
          const char         *entry,
          const struct stat  *st,
          GString            *name,
          guint               depth,
          GError            **error)
{
  struct dirent *ent;
  gsize base_len = name->len;
  DIR *dir;
  int fd;

  if (depth >= AIR_FILECOPY_MAX_DEPTH)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("The folder “%s” is nested too deeply"), name->str);
      return FALSE;
    }

  fd = openat (parent_fd, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return set_errno_error (error, errno, _("Cannot open"), name->str);
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return set_errno_error (error, errno, _("Cannot open"), name->str);
    }

  if (!put_header (self, st, 0, name->str, error))
    {
      closedir (dir);
      return FALSE;
    }

  while ((errno = 0, ent = readdir (dir)) != NULL)
    {
      if (strcmp (ent->d_name, ".") == 0 || strcmp (ent->d_name, "..") == 0)
        continue;
      g_string_append_c (name, '/');
      g_string_append (name, ent->d_name);
      if (!send_entry (self, dirfd (dir), ent->d_name, name, depth + 1, error))
        {
          closedir (dir);
          return FALSE;
        }
      g_string_truncate (name, base_len);
    }
  closedir (dir);

  /* Again after the contents, as qfile-agent does: the final mode and time. */
  return put_header (self, st, 0, name->str, error);
}

static gboolean
send_entry (AirFilecopyWriter  *self,
            int                 parent_fd,
            const char         *entry,
            GString            *name,
            guint               depth,
            GError            **error)
{
  struct stat st;

  if (fstatat (parent_fd, entry, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return set_errno_error (error, errno, _("Cannot read"), name->str);

  if (name->len + 1 > AIR_FILECOPY_MAX_NAME)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("The name “%s” is too long"), name->str);
      return FALSE;
    }

  if (S_ISREG (st.st_mode))
    return send_file (self, parent_fd, entry, name->str, error);
  if (S_ISDIR (st.st_mode))
    return send_dir (self, parent_fd, entry, &st, name, depth, error);
  if (S_ISLNK (st.st_mode) && st.st_size > 0 && st.st_size <= AIR_FILECOPY_MAX_LINK)
    {
      char target[AIR_FILECOPY_MAX_LINK + 1];
      ssize_t n = readlinkat (parent_fd, entry, target, sizeof target);

      if (n > 0 && n <= AIR_FILECOPY_MAX_LINK &&
          air_filecopy_check_link (name->str, target, n, NULL))
        return put_header (self, &st, n, name->str, error) && put (self, target, n, error);
    }

  /* A link out of the tree, a device, a socket, a pipe. */
  self->skipped++;
  return TRUE;
}

gboolean
air_filecopy_writer_add_path (AirFilecopyWriter  *self,
                              int                 dir_fd,
                              const char         *path,
                              gboolean            confined,
                              GError            **error)
{
  g_autoptr(GString) name = NULL;
  g_autofree char *trimmed = g_strdup (path);
  g_autofree char *base = NULL;
  g_autofree char *parent_path = NULL;
  gboolean ok;
  int parent_fd;

  /* "folder/" means "folder". */
  while (strlen (trimmed) > 1 && g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';

  base = g_path_get_basename (trimmed);
  parent_path = g_path_get_dirname (trimmed);
  if (strcmp (base, "/") == 0 || strcmp (base, ".") == 0 || strcmp (base, "..") == 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("“%s” does not name a file or folder that can be sent"), path);
      return FALSE;
    }

  if (confined)
    {
      /* Component by component, never following a link. */
      g_auto(GStrv) parts = NULL;

      if (!air_filecopy_check_name (trimmed, strlen (trimmed) + 1, error))
        return FALSE;
      parent_fd = dup (dir_fd);
      parts = g_strsplit (parent_path, "/", -1);
      for (guint i = 0; parent_fd >= 0 && strcmp (parent_path, ".") != 0 && parts[i] != NULL; i++)
        {
          int next = openat (parent_fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

          close (parent_fd);
          parent_fd = next;
        }
    }
  else
    parent_fd = openat (dir_fd, parent_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (parent_fd < 0)
    return set_errno_error (error, errno, _("Cannot open"), path);

  name = g_string_new (base);
  ok = send_entry (self, parent_fd, base, name, 0, error);
  close (parent_fd);
  return ok;
}

gboolean
air_filecopy_writer_finish (AirFilecopyWriter  *self,
                            GError            **error)
{
  guint8 end[AIR_FILECOPY_HEADER_SIZE] = { 0 };

  return put (self, end, sizeof end, error) && flush (self, error);
}

static guint64
measure_at (int         parent_fd,
            const char *entry,
            guint       depth,
            const gint *cancelled)
{
  struct stat st;
  struct dirent *ent;
  guint64 total = 0;
  DIR *dir;
  int fd;

  if ((cancelled != NULL && g_atomic_int_get (cancelled)) ||
      fstatat (parent_fd, entry, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return 0;
  if (S_ISREG (st.st_mode))
    return st.st_size;
  if (!S_ISDIR (st.st_mode) || depth >= AIR_FILECOPY_MAX_DEPTH)
    return 0;

  fd = openat (parent_fd, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return 0;
    }
  while ((cancelled == NULL || !g_atomic_int_get (cancelled)) && (ent = readdir (dir)) != NULL)
    if (strcmp (ent->d_name, ".") != 0 && strcmp (ent->d_name, "..") != 0)
      total += measure_at (dirfd (dir), ent->d_name, depth + 1, cancelled);
  closedir (dir);
  return total;
}

guint64
air_filecopy_measure (int         dir_fd,
                      const char *path)
{
  return measure_at (dir_fd, path, 0, NULL);
}

guint64
air_filecopy_measure_cancellable (int         dir_fd,
                                  const char *path,
                                  const gint *cancelled)
{
  return measure_at (dir_fd, path, 0, cancelled);
}
