/* air-proxmox-files.c — qair copy to and from a Proxmox qube, through the
 * QEMU guest agent
 *
 * The file services (air-file-services.c) run on a staging folder of the
 * gateway's own, so a transfer's names and sizes are checked as for every
 * zone; this file moves the staged files to and from the guest:
 *
 *   into a qube  each file in parts of 45 KiB (agent/file-write has at
 *                most 61,440 characters of base64 and no append) into a
 *                private folder that root makes with mktemp -d in the
 *                guest; one agent/exec joins them, checks the size and
 *                hands the bytes to the qube's user ("user" when the guest
 *                agent runs as root), who writes them under a temporary
 *                name beside the destination and links it into place under
 *                a free name. A copy that fails leaves no part of a file
 *                at its destination.
 *   out of it    the user's file is read (as that user) into the private
 *                folder, base64-encoded there, and fetched with
 *                agent/file-read (16 MiB a call, so 12 MiB a file).
 *
 * Everything the guest says back (the folder's name, exit statuses,
 * stderr, the content) is checked before use.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-proxmox"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "air-error.h"
#include "air-fd-io.h"
#include "air-file-services.h"
#include "air-names.h"
#include "air-proxmox-driver.h"
#include "air-rootfs.h"

#define WRITE_CHUNK  (AIR_PROXMOX_MAX_WRITE / 4 * 3)
#define MAX_GUEST_DIR 200

/* Runs what follows as the qube's user: "user" (as in Qubes) when the
 * guest agent is root, as it usually is, and the guest has that user; else
 * as the agent's own user. */
#define AS_USER \
  "PATH=$PATH:/usr/sbin:/sbin; " \
  "if [ \"$(id -u)\" = 0 ] && id -u user >/dev/null 2>&1; then as_user () { runuser -u user -- \"$@\"; }; " \
  "else as_user () { \"$@\"; }; fi; "

/* The parts joined, their size checked, given to the user's side. */
static const char join_script[] =
  "set -u; d=$1; rel=$2; size=$3; " AS_USER
  ": > \"$d/all\" || exit 1; "
  "for p in \"$d\"/p.*; do [ -e \"$p\" ] || break; cat -- \"$p\" >> \"$d/all\" || exit 1; rm -f -- \"$p\"; done; "
  "[ \"$(wc -c < \"$d/all\")\" -eq \"$size\" ] || exit 4; "
  "as_user sh -c '"
    "set -u; cd || exit 5; rel=$1; size=$2; dir=${rel%/*}; base=${rel##*/}; "
    "mkdir -p -- \"$dir\" || exit 5; "
    "t=$(mktemp -- \"$dir/.qubes-air-copy.XXXXXX\") || exit 5; "
    "if ! cat > \"$t\" || [ \"$(wc -c < \"$t\")\" -ne \"$size\" ]; then rm -f -- \"$t\"; exit 6; fi; "
    "stem=${base%.*}; ext=${base#\"$stem\"}; [ -n \"$stem\" ] || { stem=$base; ext=; }; "
    "name=$base; n=2; "
    "until ln -- \"$t\" \"$dir/$name\" 2>/dev/null; do "
      "[ \"$n\" -lt 1000 ] || { rm -f -- \"$t\"; exit 7; }; name=\"$stem ($n)$ext\"; n=$((n + 1)); "
    "done; rm -f -- \"$t\"' sh \"$rel\" \"$size\" < \"$d/all\"; "
  "rc=$?; rm -f -- \"$d/all\"; exit $rc";

/* An empty folder of the copy, made by the user. */
static const char mkdir_script[] =
  "set -u; " AS_USER "as_user sh -c 'cd && mkdir -p -- \"$1\"' sh \"$1\" || exit 5";

/* The user's file, read as the user, base64 in the private folder. */
static const char fetch_script[] =
  "set -u; d=$1; rel=$2; n=$3; max=$4; " AS_USER
  "as_user sh -c '"
    "cd || exit 5; [ -d \"$1\" ] && exit 3; [ -f \"$1\" ] || exit 2; exec head -c \"$2\" -- \"$1\"' "
    "sh \"$rel\" \"$((max + 1))\" > \"$d/raw.$n\" || exit $?; "
  "[ \"$(wc -c < \"$d/raw.$n\")\" -le \"$max\" ] || { rm -f -- \"$d/raw.$n\"; exit 8; }; "
  "base64 -w 0 < \"$d/raw.$n\" > \"$d/f.$n\" || exit 9; rm -f -- \"$d/raw.$n\"";

typedef struct {
  AirProxmoxDriver *driver;
  AirProxmoxApi    *api;
  const char       *node;
  const char       *qube;
  const char       *source;
  guint             vmid;
  char             *staging;    /* the gateway's folder */
  char             *guest_dir;  /* the private folder in the guest */
  guint64           fetched;
} Files;

/* sh -c SCRIPT sh ARGS… in the guest as its agent's user. */
static int
guest_sh (Files *files, const char *script, const char * const *args, GBytes **out, GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GBytes) stdout_bytes = NULL;
  int status;

  g_ptr_array_add (argv, "sh");
  g_ptr_array_add (argv, "-c");
  g_ptr_array_add (argv, (gpointer) script);
  g_ptr_array_add (argv, "sh");
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  status = air_proxmox_api_exec (files->api, files->node, files->vmid, (const char * const *) argv->pdata,
                                 NULL, &stdout_bytes, &err, error);
  if (status > 0 && status < 2 && err != NULL && g_bytes_get_size (err) > 0)
    {
      g_autofree char *shown = air_text_sanitize (g_bytes_get_data (err, NULL), g_bytes_get_size (err), 200);

      g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE, _("In qube “%s”: %s"), files->qube, shown);
      return status;
    }
  if (out != NULL)
    *out = g_steal_pointer (&stdout_bytes);
  return status;
}

/* The guest's private folder: made by mktemp -d (0700, the agent's own),
 * its name checked before it is ever used. */
static gboolean
make_guest_dir (Files *files, GError **error)
{
  g_autoptr(GBytes) out = NULL;
  g_autofree char *name = NULL;
  const char *data;
  gsize len;
  int status;

  if (files->guest_dir != NULL)
    return TRUE;
  status = guest_sh (files, "umask 077; exec mktemp -d \"${TMPDIR:-/tmp}/qubes-air.XXXXXXXX\"", NULL, &out, error);
  if (status < 0)
    return FALSE;
  data = out ? g_bytes_get_data (out, &len) : (len = 0, NULL);
  while (len > 0 && data[len - 1] == '\n')
    len--;
  name = g_strndup (data ? data : "", len);
  if (status != 0 || len == 0 || len > MAX_GUEST_DIR || name[0] != '/' || strstr (name, "..") != NULL ||
      strspn (name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-") != len)
    {
      g_clear_error (error);
      g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE,
                   _("Qube “%s” could not make a private folder for the copy (mktemp -d in the guest failed)"),
                   files->qube);
      return FALSE;
    }
  files->guest_dir = g_steal_pointer (&name);
  return TRUE;
}

static void
remove_guest_dir (Files *files)
{
  g_autoptr(GError) error = NULL;
  const char *args[] = { files->guest_dir, NULL };

  if (files->guest_dir == NULL)
    return;
  if (guest_sh (files, "rm -rf -- \"$1\"", args, NULL, &error) != 0)
    g_printerr (_("The copy's temporary folder %s in qube “%s” could not be removed: %s\n"),
                files->guest_dir, files->qube, error ? error->message : _("it failed"));
}

static gboolean
script_failed (Files *files, int status, const char *rel, GError **error)
{
  if (status == 0)
    return FALSE;
  if (status < 0 || (error != NULL && *error != NULL))
    return TRUE;
  switch (status)
    {
    case 2:
      g_set_error (error, AIR_ERROR, AIR_ERROR_NOT_FOUND, _("There is no file “%s” in qube “%s”."), rel, files->qube);
      break;
    case 3:
      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("“%s” in qube “%s” is a folder: folders cannot be copied out of a Proxmox qube. "
                     "Copy its files, or make an archive of it first with “qair run”."), rel, files->qube);
      break;
    case 4:
      g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE,
                   _("The parts of “%s” did not join to its size in qube “%s”: is its disk full?"), rel, files->qube);
      break;
    case 5:
      g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE,
                   _("Qube “%s” could not make the folder for “%s” in its user's home."), files->qube, rel);
      break;
    case 6:
      g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE,
                   _("Qube “%s” could not write “%s” whole: is its disk full?"), files->qube, rel);
      break;
    case 7:
      g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE,
                   _("Qube “%s” has no free name for “%s”."), files->qube, rel);
      break;
    case 8:
      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("“%s” in qube “%s” is larger than %d MiB, the most a file copied out of a Proxmox qube "
                     "may be (the guest agent's file-read)."), rel, files->qube, AIR_PROXMOX_MAX_FILE_OUT / (1024 * 1024));
      break;
    default:
      g_set_error (error, AIR_ERROR, AIR_ERROR_REMOTE,
                   _("Copying “%s” failed in qube “%s” (exit status %d): does it have runuser, base64 and mktemp?"),
                   rel, files->qube, status);
    }
  return TRUE;
}

/* ---- into the qube ---- */

static gboolean
push_file (Files *files, int dir_fd, const char *name, const char *rel, GError **error)
{
  g_autofree char *size_text = NULL;
  guint8 *chunk;
  guint64 size = 0;
  int fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  gboolean ok = TRUE;
  int status;

  if (fd < 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot open “%s”: %s"), rel, g_strerror (errno));
      return FALSE;
    }
  chunk = g_malloc (WRITE_CHUNK);
  for (guint part = 0; ok; part++)
    {
      gsize got = air_fd_read_full (fd, chunk, WRITE_CHUNK);
      g_autofree char *encoded = NULL;
      g_autofree char *path = NULL;

      if (got == 0)
        break;
      size += got;
      encoded = g_base64_encode (chunk, got);
      path = g_strdup_printf ("%s/p.%06u", files->guest_dir, part);
      ok = air_proxmox_api_file_write (files->api, files->node, files->vmid, path, encoded, error);
      if (got < WRITE_CHUNK)
        break;
    }
  g_free (chunk);
  close (fd);
  if (!ok)
    return FALSE;

  size_text = g_strdup_printf ("%" G_GUINT64_FORMAT, size);
  {
    const char *args[] = { files->guest_dir, rel, size_text, NULL };

    status = guest_sh (files, join_script, args, NULL, error);
  }
  return !script_failed (files, status, rel, error);
}

/* Everything under the staged folder @fd, named @prefix in the guest's
 * home; returns the number of entries delivered, or -1. */
static int
push_tree (Files *files, int fd, const char *prefix, guint depth, GError **error)
{
  struct dirent *ent;
  int count = 0;
  DIR *dir;
  /* its own open directory: a dup would share where reading is */
  int dup_fd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (dup_fd < 0 || (dir = fdopendir (dup_fd)) == NULL)
    {
      if (dup_fd >= 0)
        close (dup_fd);
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot read the staged copy: %s"), g_strerror (errno));
      return -1;
    }
  while (count >= 0 && (ent = readdir (dir)) != NULL)
    {
      g_autofree char *rel = NULL;
      struct stat st;

      if (strcmp (ent->d_name, ".") == 0 || strcmp (ent->d_name, "..") == 0)
        continue;
      rel = g_strconcat (prefix, "/", ent->d_name, NULL);
      if (fstatat (dirfd (dir), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;
      if (S_ISREG (st.st_mode))
        count = push_file (files, dirfd (dir), ent->d_name, rel, error) ? count + 1 : -1;
      else if (S_ISDIR (st.st_mode) && depth < 64)
        {
          int sub = openat (dirfd (dir), ent->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          int n = sub >= 0 ? push_tree (files, sub, rel, depth + 1, error) : -1;

          if (sub >= 0)
            close (sub);
          if (n == 0)
            {
              const char *args[] = { rel, NULL };

              n = script_failed (files, guest_sh (files, mkdir_script, args, NULL, error), rel, error) ? -1 : 1;
            }
          count = n < 0 ? -1 : count + n;
          if (sub < 0)
            g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot read the staged copy: %s"), g_strerror (errno));
        }
      else
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                       _("“%s” is a link: links cannot be copied into a Proxmox qube; copy what it points to."), rel);
          count = -1;
        }
    }
  closedir (dir);
  return count;
}

static gboolean
deliver (gpointer data, int incoming_fd, GError **error)
{
  Files *files = data;
  g_autofree char *prefix = g_strconcat ("QubesIncoming/", files->source, NULL);

  if (!make_guest_dir (files, error))
    return FALSE;
  return push_tree (files, incoming_fd, prefix, 0, error) >= 0;
}

/* ---- out of the qube ---- */

static gboolean
fetch (gpointer data, int home_fd, const char * const *paths, GError **error)
{
  Files *files = data;

  if (!make_guest_dir (files, error))
    return FALSE;
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *n = g_strdup_printf ("%u", i);
      g_autofree char *max = g_strdup_printf ("%d", AIR_PROXMOX_MAX_FILE_OUT);
      g_autofree char *file = g_strdup_printf ("%s/f.%u", files->guest_dir, i);
      g_autofree char *content = NULL;
      g_autofree char *target = NULL;
      g_autofree char *parent = NULL;
      g_autofree guint8 *bytes = NULL;
      const char *args[] = { files->guest_dir, paths[i], n, max, NULL };
      gboolean truncated = FALSE;
      gsize len = 0, content_len;

      if (script_failed (files, guest_sh (files, fetch_script, args, NULL, error), paths[i], error))
        return FALSE;
      content = air_proxmox_api_file_read (files->api, files->node, files->vmid, file, &truncated, error);
      if (content == NULL)
        return FALSE;
      content_len = strlen (content);
      if (truncated || content_len % 4 != 0 ||
          strspn (content, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != content_len)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL,
                       truncated ? _("“%s” in qube “%s” came back cut short by the guest agent.")
                                 : _("“%s” in qube “%s” came back garbled from the guest agent."),
                       paths[i], files->qube);
          return FALSE;
        }
      bytes = content_len > 0 ? g_base64_decode (content, &len) : NULL;
      files->fetched += len;
      if (len > AIR_PROXMOX_MAX_FILE_OUT || files->fetched > AIR_PROXMOX_MAX_COPY_OUT)
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                       _("The files asked for from qube “%s” are more than %d MiB, the most one copy out of a "
                         "Proxmox qube may be: copy them in parts."),
                       files->qube, AIR_PROXMOX_MAX_COPY_OUT / (1024 * 1024));
          return FALSE;
        }
      /* the names were checked (relative, no "..") and the staging
       * folder is ours alone */
      target = g_build_filename (files->staging, paths[i], NULL);
      parent = g_path_get_dirname (target);
      if (g_mkdir_with_parents (parent, 0700) != 0 ||
          !g_file_set_contents_full (target, bytes ? (const char *) bytes : "", len,
                                     G_FILE_SET_CONTENTS_NONE, 0600, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot stage “%s”: %s"), paths[i], g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

int
air_proxmox_driver_serve_files (AirProxmoxDriver  *self,
                                const char        *service,
                                const char        *name,
                                const char        *source,
                                GError           **error)
{
  Files files = { .driver = self, .qube = name, .source = source };
  g_autofree char *too_large = g_strdup_printf (_("A copy into a Proxmox qube is at most %d MiB and %d files "
                                                  "(its guest agent takes 45 KiB a call): "),
                                                AIR_PROXMOX_MAX_COPY_IN / (1024 * 1024), AIR_PROXMOX_MAX_COPY_FILES);
  AirFileStage stage = { fetch, deliver, &files, AIR_PROXMOX_MAX_COPY_IN, AIR_PROXMOX_MAX_COPY_FILES, too_large };
  int home_fd, status;

  if (strcmp (service, "qubesair.FileList") == 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_REFUSED,
                   _("Qube “%s” is a VM on a Proxmox server: its folders cannot be browsed. "
                     "Copy files with “qair copy” and list them with “qair run”."), name);
      return -1;
    }
  files.api = air_proxmox_driver_get_api (self);
  files.node = air_proxmox_driver_get_node (self);
  files.vmid = air_proxmox_driver_running_vmid (self, name, error);
  if (files.vmid == 0)
    return -1;
  files.staging = g_dir_make_tmp ("qubes-air-proxmox-XXXXXX", error);
  if (files.staging == NULL)
    return -1;
  home_fd = open (files.staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (home_fd < 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("Cannot open the folder “%s”: %s"),
                   files.staging, g_strerror (errno));
      status = -1;
    }
  else
    status = air_file_services_serve_staged (home_fd, service, source, &stage);
  remove_guest_dir (&files);
  air_rootfs_remove_tree (files.staging);
  g_free (files.staging);
  g_free (files.guest_dir);
  return status;
}
