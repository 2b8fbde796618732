/* air-driver.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-driver"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <gmodule.h>
#include <string.h>
#include <unistd.h>

#include "air-driver.h"
#include "air-error.h"
#include "air-names.h"
#include "air-local-driver.h"

#define MAX_CONFIG_FILE (64 * 1024)

G_DEFINE_INTERFACE (AirDriver, air_driver, G_TYPE_OBJECT)

static void
air_driver_default_init (AirDriverInterface *iface)
{
}

char *
air_driver_config_get (const char *state_dir,
                       const char *key)
{
  g_autofree char *path = g_build_filename (state_dir, "agent.conf", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL) || len > MAX_CONFIG_FILE)
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *eq = strchr (line, '=');

      if (line[0] == '#' || eq == NULL)
        continue;
      *eq = '\0';
      if (strcmp (g_strstrip (line), key) == 0)
        return g_strdup (g_strstrip (eq + 1));
    }
  return NULL;
}

/**
 * air_driver_module_symbol:
 * @module_name: the module's name, e.g. "libvirt" for libair-driver-libvirt.so
 *
 * A symbol of a part of the agent built as a module (src/agent/meson.build):
 * the module beside the agent's own program (a build tree, a test's copy),
 * else the installed one — never one a caller names, since the agent serves
 * other qubes. Kept loaded: it registers types.
 *
 * Returns: the symbol's address, or NULL with @error set
 */
gpointer
air_driver_module_symbol (const char  *module_name,
                          const char  *symbol,
                          GError     **error)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *self_dir = self != NULL ? g_path_get_dirname (self) : NULL;
  g_autofree char *file = g_strdup_printf ("libair-driver-%s.so", module_name);
  g_autofree char *beside = self_dir != NULL ? g_build_filename (self_dir, file, NULL) : NULL;
  g_autofree char *path = beside != NULL && g_file_test (beside, G_FILE_TEST_IS_REGULAR)
                          ? g_steal_pointer (&beside) : g_build_filename (AIR_DRIVER_DIR, file, NULL);
  GModule *module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  gpointer address = NULL;

  if (module == NULL || !g_module_symbol (module, symbol, &address) || address == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("The %s backend cannot be loaded (%s): reinstall qubes-air-agent"),
                   module_name, module == NULL ? g_module_error () : symbol);
      if (module != NULL)
        g_module_close (module);
      return NULL;
    }
  g_module_make_resident (module);
  return address;
}

#ifdef HAVE_LIBVIRT
typedef AirDriver *(*DriverNew) (const char *state_dir, const char *zone_name, GError **error);

static AirDriver *
load_module_driver (const char  *backend,
                    const char  *state_dir,
                    const char  *zone_name,
                    GError     **error)
{
  g_autofree char *symbol = g_strdup_printf ("air_%s_driver_new", backend);
  DriverNew driver_new = (DriverNew) air_driver_module_symbol (backend, symbol, error);

  return driver_new != NULL ? driver_new (state_dir, zone_name, error) : NULL;
}
#endif

AirDriver *
air_driver_new_for_host (const char  *state_dir,
                         const char  *zone_name,
                         GError     **error)
{
  g_autofree char *backend = g_strdup (g_getenv ("AIR_BACKEND"));

  if (backend == NULL || backend[0] == '\0')
    {
      g_free (backend);
      backend = air_driver_config_get (state_dir, "backend");
    }

  if (backend == NULL || backend[0] == '\0' || strcmp (backend, "bwrap") == 0)
    return (AirDriver *) air_local_driver_new (state_dir, zone_name, error);

  if (strcmp (backend, "libvirt") == 0)
    {
#ifdef HAVE_LIBVIRT
      return load_module_driver ("libvirt", state_dir, zone_name, error);
#else
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_FAILED,
                           _("This qubes-air-agent was built without libvirt: install libvirt-dev, "
                             "rebuild it, or choose backend=bwrap in the agent’s agent.conf"));
      return NULL;
#endif
    }

  g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
               _("Unknown qube backend “%s”: use libvirt or bwrap (AIR_BACKEND or backend= in %s/agent.conf)"),
               g_strcanon (backend, "abcdefghijklmnopqrstuvwxyz0123456789-_", '?'), state_dir);
  return NULL;
}

/* DIR/NAMESUFFIX: a backend's file of a qube. */
char *
air_driver_path_in (const char *dir,
                    const char *name,
                    const char *suffix)
{
  g_autofree char *base = g_strconcat (name, suffix, NULL);

  return g_build_filename (dir, base, NULL);
}

/* A backend's state file, replaced whole or not at all, even at a crash. */
gboolean
air_driver_write_atomically (const char  *path,
                             const char  *contents,
                             GError     **error)
{
  return g_file_set_contents_full (path, contents, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

gboolean
air_driver_run_tool (const char * const  *argv,
                     const char          *package,
                     GError             **error)
{
  g_autofree char *program = g_find_program_in_path (argv[0]);
  g_autofree char *err = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char **resolved = NULL;
  int status = 0;

  /* An agent started by sshd as a user has no sbin in its PATH on Debian,
   * where mkfs.ext4 lives. */
  for (const char * const *dir = (const char * const[]) { "/usr/sbin", "/sbin", NULL };
       program == NULL && *dir != NULL; dir++)
    {
      g_autofree char *candidate = g_build_filename (*dir, argv[0], NULL);

      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
        program = g_steal_pointer (&candidate);
    }
  if (program == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("%s is missing on the zone host: install the package %s"), argv[0], package);
      return FALSE;
    }

  resolved = g_memdup2 (argv, (g_strv_length ((char **) argv) + 1) * sizeof (char *));
  resolved[0] = program;
  if (!g_spawn_sync (NULL, resolved, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &local_error) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *what = air_text_sanitize (err != NULL ? err : (local_error ? local_error->message : ""),
                                                 -1, 300);

      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("%s failed: %s"), argv[0], g_strstrip (what));
      return FALSE;
    }
  return TRUE;
}

void
air_template_reporter_step (const AirTemplateReporter *reporter,
                            const char                *text,
                            guint                      index,
                            guint                      count)
{
  if (reporter != NULL && reporter->step != NULL)
    reporter->step (reporter->data, text, index, count);
}

gboolean
air_driver_make_dirs (const char  *base,
                      char       **qubes_dir,
                      char       **private_dir,
                      char       **run_dir,
                      char       **templates_dir,
                      GError     **error)
{
  const char *dirs[4];

  dirs[0] = *qubes_dir = g_build_filename (base, "qubes", NULL);
  dirs[1] = *private_dir = g_build_filename (base, "private", NULL);
  dirs[2] = *run_dir = g_build_filename (base, "run", NULL);
  dirs[3] = *templates_dir = g_build_filename (base, "templates", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (g_mkdir_with_parents (dirs[i], 0700) != 0)
      {
        int saved_errno = errno;

        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     _("Cannot create the zone directory %s: %s"), dirs[i], g_strerror (saved_errno));
        return FALSE;
      }
  return TRUE;
}

/* A disposable's or a build's qube goes under a random name PREFIXNNNN;
 * a name in use (AIR_ERROR_EXISTS, or NULL without an error from @create)
 * means trying another, up to 20. */
char *
air_driver_create_unnamed (const char           *prefix,
                           const AirQubeSpec    *spec,
                           AirDriverCreateFunc   create,
                           gpointer              user_data,
                           const char           *busy_message,
                           GError              **error)
{
  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_autofree char *name = g_strdup_printf ("%s%d", prefix, g_random_int_range (1000, 10000));
      g_autoptr(GError) local_error = NULL;
      g_autoptr(AirQube) qube = create (name, spec, user_data, &local_error);

      if (qube != NULL)
        return g_steal_pointer (&name);
      if (local_error != NULL && !g_error_matches (local_error, AIR_ERROR, AIR_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  g_set_error_literal (error, AIR_ERROR, AIR_ERROR_BUSY, busy_message);
  return NULL;
}

void
air_driver_child_new_session (gpointer user_data)
{
  setsid ();
}

#define IFACE(self) AIR_DRIVER_GET_IFACE (self)

const char *
air_driver_get_zone_name (AirDriver *self)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  return IFACE (self)->get_zone_name (self);
}

const char *
air_driver_get_qubes_dir (AirDriver *self)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  return IFACE (self)->get_qubes_dir (self);
}

const char *
air_driver_get_run_dir (AirDriver *self)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  return IFACE (self)->get_run_dir (self);
}

AirZoneInfo *
air_driver_get_info (AirDriver *self)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  return IFACE (self)->get_info (self);
}

GPtrArray *
air_driver_list (AirDriver  *self,
                 GError    **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  return IFACE (self)->list (self, error);
}

AirQube *
air_driver_lookup (AirDriver   *self,
                   const char  *name,
                   GError     **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  return IFACE (self)->lookup (self, name, error);
}

int
air_driver_open_home (AirDriver   *self,
                      const char  *name,
                      GError     **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), -1);
  return IFACE (self)->open_home (self, name, error);
}

int
air_driver_serve_files (AirDriver   *self,
                        const char  *service,
                        const char  *name,
                        const char  *source,
                        GError     **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), -1);
  if (IFACE (self)->serve_files == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "no file services of its own");
      return -1;
    }
  return IFACE (self)->serve_files (self, service, name, source, error);
}

AirQube *
air_driver_create (AirDriver                 *self,
                   const char                *name,
                   const AirQubeSpec         *spec,
                   const AirProgressReporter *reporter,
                   GError                   **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  return IFACE (self)->create (self, name, spec, reporter, error);
}

gboolean
air_driver_remove (AirDriver   *self,
                   const char  *name,
                   GError     **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), FALSE);
  return IFACE (self)->remove (self, name, error);
}

AirQube *
air_driver_start (AirDriver   *self,
                  const char  *name,
                  GError     **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  return IFACE (self)->start (self, name, error);
}

AirQube *
air_driver_shutdown (AirDriver   *self,
                     const char  *name,
                     GError     **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  return IFACE (self)->shutdown (self, name, error);
}

AirQube *
air_driver_kill (AirDriver   *self,
                 const char  *name,
                 GError     **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  return IFACE (self)->kill (self, name, error);
}

int
air_driver_run (AirDriver           *self,
                const char          *name,
                const AirRunHeader  *header,
                GError             **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), -1);
  return IFACE (self)->run (self, name, header, error);
}

int
air_driver_disposable (AirDriver           *self,
                       const char          *template_name,
                       const AirRunHeader  *header,
                       GError             **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), -1);
  return IFACE (self)->disposable (self, template_name, header, error);
}

AirQube *
air_driver_set_prefs (AirDriver           *self,
                      const char          *name,
                      const AirQubePrefs  *prefs,
                      GError             **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  if (IFACE (self)->set_prefs == NULL)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED,
                   _("Zone “%s” cannot change a qube’s settings"), air_driver_get_zone_name (self));
      return NULL;
    }
  return IFACE (self)->set_prefs (self, name, prefs, error);
}

int
air_driver_supervise (AirDriver  *self,
                      const char *name)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), 1);
  if (IFACE (self)->supervise == NULL)
    {
      g_printerr (_("This backend has no qube supervisor\n"));
      return 1;
    }
  return IFACE (self)->supervise (self, name);
}

gboolean
air_driver_watch (AirDriver             *self,
                  AirDriverChangedFunc   func,
                  gpointer               user_data,
                  GError               **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), FALSE);
  if (IFACE (self)->watch == NULL)
    return TRUE;
  return IFACE (self)->watch (self, func, user_data, error);
}

/* What a backend without a template method says; @format names the
 * backend, then the zone. */
#define CANNOT(self, error, format) \
  G_STMT_START { \
    g_autoptr(AirZoneInfo) info_ = air_driver_get_info (self); \
    g_set_error ((error), AIR_ERROR, AIR_ERROR_REFUSED, (format), \
                 info_->driver, air_driver_get_zone_name (self)); \
  } G_STMT_END

/* How many qubes of the zone each template has. */
static GHashTable *
count_users (AirDriver  *self,
             GError    **error)
{
  g_autoptr(GPtrArray) qubes = air_driver_list (self, error);
  GHashTable *users;

  if (qubes == NULL)
    return NULL;
  users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < qubes->len; i++)
    {
      const char *template = air_qube_get_template (g_ptr_array_index (qubes, i));

      if (template != NULL)
        g_hash_table_insert (users, g_strdup (template),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (users, template)) + 1));
    }
  return users;
}

GPtrArray *
air_driver_list_templates (AirDriver  *self,
                           GError    **error)
{
  g_autoptr(GPtrArray) templates = NULL;
  g_autoptr(GHashTable) users = NULL;

  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  if (IFACE (self)->list_templates != NULL)
    templates = IFACE (self)->list_templates (self, error);
  else
    {
      g_autoptr(AirZoneInfo) info = air_driver_get_info (self);

      templates = g_ptr_array_new_with_free_func ((GDestroyNotify) air_template_free);
      for (guint i = 0; info->templates != NULL && info->templates[i] != NULL; i++)
        {
          AirTemplate *template = air_template_new (info->templates[i]);

          template->version = 1;
          template->read_only = TRUE;   /* this backend builds none */
          g_ptr_array_add (templates, template);
        }
    }
  if (templates == NULL || (users = count_users (self, error)) == NULL)
    return NULL;
  for (guint i = 0; i < templates->len; i++)
    {
      AirTemplate *template = g_ptr_array_index (templates, i);

      template->users = GPOINTER_TO_UINT (g_hash_table_lookup (users, template->name));
    }
  return g_steal_pointer (&templates);
}

AirTemplate *
air_driver_import_template (AirDriver                  *self,
                            const char                 *name,
                            int                         tar_fd,
                            const AirTemplateReporter  *reporter,
                            GError                    **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  if (IFACE (self)->import_template == NULL)
    {
      CANNOT (self, error, _("The %s backend of zone “%s” cannot import templates."));
      return NULL;
    }
  return IFACE (self)->import_template (self, name, tar_fd, reporter, error);
}

AirTemplate *
air_driver_build_template (AirDriver                  *self,
                           const char                 *name,
                           const AirTemplateRequest   *request,
                           int                         files_fd,
                           const AirTemplateReporter  *reporter,
                           GError                    **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  if (IFACE (self)->build_template == NULL)
    {
      CANNOT (self, error, _("The %s backend of zone “%s” cannot build templates."));
      return NULL;
    }
  return IFACE (self)->build_template (self, name, request, files_fd, reporter, error);
}

AirTemplate *
air_driver_rollback_template (AirDriver   *self,
                              const char  *name,
                              GError     **error)
{
  g_return_val_if_fail (AIR_IS_DRIVER (self), NULL);
  if (IFACE (self)->rollback_template == NULL)
    {
      CANNOT (self, error, _("The %s backend of zone “%s” cannot roll templates back."));
      return NULL;
    }
  return IFACE (self)->rollback_template (self, name, error);
}

gboolean
air_driver_remove_template (AirDriver   *self,
                            const char  *name,
                            GError     **error)
{
  g_autoptr(GHashTable) users = NULL;
  guint n;

  g_return_val_if_fail (AIR_IS_DRIVER (self), FALSE);
  if (IFACE (self)->remove_template == NULL)
    {
      CANNOT (self, error, _("The %s backend of zone “%s” cannot remove templates."));
      return FALSE;
    }
  users = count_users (self, error);
  if (users == NULL)
    return FALSE;
  n = GPOINTER_TO_UINT (g_hash_table_lookup (users, name));
  if (n > 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_BUSY,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Template “%s” is used by %u qube: remove the qube or move it to another template first.",
                                "Template “%s” is used by %u qubes: remove them or move them to another template first.",
                                n),
                   name, n);
      return FALSE;
    }
  return IFACE (self)->remove_template (self, name, error);
}
