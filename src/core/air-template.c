/* air-template.c — see air-template.h
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-template"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-template.h"

/* A package as apt-get and dnf name one: letters, digits and + . _ - ,
 * beginning with a letter or digit (never an option). */
gboolean
air_template_package_is_valid (const char *package)
{
  gsize len;

  if (package == NULL || !g_ascii_isalnum (package[0]))
    return FALSE;
  len = strlen (package);
  if (len > AIR_TEMPLATE_MAX_PACKAGE)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (package[i]) && strchr ("+._-", package[i]) == NULL)
      return FALSE;
  return TRUE;
}

gboolean
air_template_file_name_is_valid (const char *name)
{
  gsize len;

  if (name == NULL || !g_ascii_isalnum (name[0]))
    return FALSE;
  len = strlen (name);
  if (len > AIR_TEMPLATE_MAX_FILE_NAME || strstr (name, "..") != NULL)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && strchr ("+._-", name[i]) == NULL)
      return FALSE;
  return g_str_has_suffix (name, ".deb") || g_str_has_suffix (name, ".rpm");
}

AirTemplate *
air_template_new (const char *name)
{
  AirTemplate *self = g_new0 (AirTemplate, 1);

  self->name = g_strdup (name);
  self->base = g_strdup ("");
  self->packages = g_new0 (char *, 1);
  return self;
}

AirTemplate *
air_template_copy (const AirTemplate *self)
{
  AirTemplate *copy = g_memdup2 (self, sizeof *self);

  copy->name = g_strdup (self->name);
  copy->base = g_strdup (self->base);
  copy->packages = g_strdupv (self->packages);
  return copy;
}

void
air_template_free (AirTemplate *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->base);
  g_strfreev (self->packages);
  g_free (self);
}

/* A template lists package files by name beside packages; a request
 * sends its files apart. */
static gboolean
packages_validate (char    **packages,
                   gboolean  files_too,
                   GError  **error)
{
  for (guint i = 0; packages != NULL && packages[i] != NULL; i++)
    if (!air_template_package_is_valid (packages[i]) &&
        !(files_too && air_template_file_name_is_valid (packages[i])))
      {
        g_autofree char *shown = air_text_sanitize (packages[i], -1, 40);

        g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME,
                     _("“%s” is not a package name: use letters, digits and + . _ - only"), shown);
        return FALSE;
      }
  return TRUE;
}

static AirTemplate *
template_from_object (JsonObject  *object,
                      GError     **error)
{
  g_autoptr(AirTemplate) self = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name, *base;
  gint64 version, size, built, users;
  gboolean can_roll_back, read_only;
  char **packages;

  if (!air_json_get_string (object, "name", AIR_NAME_MAX, &name, error) ||
      !air_json_get_opt_int (object, "version", 0, G_MAXINT32, 1, &version, error) ||
      !air_json_get_opt_int (object, "size", 0, G_MAXINT64, 0, &size, error) ||
      !air_json_get_opt_string (object, "base", AIR_NAME_MAX, "", &base, error) ||
      !air_json_get_opt_int (object, "built", 0, G_MAXINT64 / G_USEC_PER_SEC, 0, &built, error) ||
      !air_json_get_opt_int (object, "users", 0, G_MAXINT32, 0, &users, error) ||
      !air_json_get_opt_bool (object, "can-roll-back", FALSE, &can_roll_back, error) ||
      !air_json_get_opt_bool (object, "read-only", FALSE, &read_only, error))
    return NULL;
  if (!air_name_validate (name, "template", error) ||
      (base[0] != '\0' && !air_name_validate (base, "template", error)))
    return NULL;
  packages = air_json_get_strv (object, "packages", AIR_TEMPLATE_MAX_PACKAGES * 8,
                                AIR_TEMPLATE_MAX_FILE_NAME, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  self = air_template_new (name);
  g_free (self->base);
  self->base = g_strdup (base);
  if (packages != NULL)
    {
      g_strfreev (self->packages);
      self->packages = packages;
    }
  if (!packages_validate (self->packages, TRUE, error))
    return NULL;
  self->version = version;
  self->size = size;
  self->built = built;
  self->users = users;
  self->can_roll_back = can_roll_back;
  self->read_only = read_only;
  return g_steal_pointer (&self);
}

AirTemplate *
air_template_parse (const char  *data,
                    gsize        len,
                    GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (data, len, AIR_JSON_MAX_LINE, error);

  return object != NULL ? template_from_object (object, error) : NULL;
}

static void
add_template (JsonBuilder       *builder,
              const AirTemplate *self)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->name);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, self->version);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, (gint64) MIN (self->size, (guint64) G_MAXINT64));
  json_builder_set_member_name (builder, "base");
  json_builder_add_string_value (builder, self->base != NULL ? self->base : "");
  json_builder_set_member_name (builder, "packages");
  json_builder_begin_array (builder);
  for (guint i = 0; self->packages != NULL && self->packages[i] != NULL; i++)
    json_builder_add_string_value (builder, self->packages[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "built");
  json_builder_add_int_value (builder, self->built);
  json_builder_set_member_name (builder, "users");
  json_builder_add_int_value (builder, self->users);
  json_builder_set_member_name (builder, "can-roll-back");
  json_builder_add_boolean_value (builder, self->can_roll_back);
  json_builder_set_member_name (builder, "read-only");
  json_builder_add_boolean_value (builder, self->read_only);
  json_builder_end_object (builder);
}

char *
air_template_to_json (const AirTemplate *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  add_template (builder, self);
  return air_json_builder_to_line (builder);
}

GPtrArray *
air_template_list_parse (const char  *data,
                         gsize        len,
                         GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (data, len, AIR_JSON_MAX_MESSAGE, error);
  g_autoptr(GPtrArray) templates = g_ptr_array_new_with_free_func ((GDestroyNotify) air_template_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) local_error = NULL;
  JsonArray *array;

  if (object == NULL)
    return NULL;
  array = air_json_get_opt_array (object, "templates", AIR_TEMPLATE_MAX_LIST, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      AirTemplate *template;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A template must be an object"));
          return NULL;
        }
      template = template_from_object (json_node_get_object (node), error);
      if (template == NULL)
        return NULL;
      g_ptr_array_add (templates, template);
      if (!g_hash_table_add (seen, template->name))
        {
          g_set_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("Template “%s” is listed twice"), template->name);
          return NULL;
        }
    }
  return g_steal_pointer (&templates);
}

char *
air_template_list_to_json (const char *zone,
                           GPtrArray  *templates)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "zone");
  json_builder_add_string_value (builder, zone);
  json_builder_set_member_name (builder, "templates");
  json_builder_begin_array (builder);
  for (guint i = 0; i < templates->len; i++)
    add_template (builder, g_ptr_array_index (templates, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

static void
template_file_free (AirTemplateFile *file)
{
  g_free (file->name);
  g_free (file);
}

AirTemplateRequest *
air_template_request_new (void)
{
  AirTemplateRequest *self = g_new0 (AirTemplateRequest, 1);

  self->base = g_strdup ("");
  self->packages = g_new0 (char *, 1);
  self->files = g_ptr_array_new_with_free_func ((GDestroyNotify) template_file_free);
  self->run = g_strdup ("");
  return self;
}

void
air_template_request_free (AirTemplateRequest *self)
{
  if (self == NULL)
    return;
  g_free (self->base);
  g_strfreev (self->packages);
  g_ptr_array_unref (self->files);
  g_free (self->run);
  g_free (self);
}

gboolean
air_template_request_add_file (AirTemplateRequest *self,
                               const char         *name,
                               guint64             size,
                               GError            **error)
{
  AirTemplateFile *file;

  if (!air_template_file_name_is_valid (name))
    {
      g_autofree char *shown = air_text_sanitize (name, -1, 40);

      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_NAME,
                   _("“%s” is not a package file: its name must end in .deb or .rpm "
                     "and use letters, digits and + . _ - only"), shown);
      return FALSE;
    }
  if (size > AIR_TEMPLATE_MAX_FILE_SIZE)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("The package file “%s” is larger than 2 GiB"), name);
      return FALSE;
    }
  if (self->files->len >= AIR_TEMPLATE_MAX_FILES)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                   _("At most %d package files can be sent at once"), AIR_TEMPLATE_MAX_FILES);
      return FALSE;
    }
  for (guint i = 0; i < self->files->len; i++)
    if (strcmp (((AirTemplateFile *) g_ptr_array_index (self->files, i))->name, name) == 0)
      {
        g_set_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                     _("The package file “%s” is given twice"), name);
        return FALSE;
      }
  file = g_new0 (AirTemplateFile, 1);
  file->name = g_strdup (name);
  file->size = size;
  g_ptr_array_add (self->files, file);
  return TRUE;
}

AirTemplateRequest *
air_template_request_parse (const char  *line,
                            gsize        len,
                            gboolean     create,
                            GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (line, len, AIR_JSON_MAX_LINE, error);
  g_autoptr(AirTemplateRequest) self = air_template_request_new ();
  g_autoptr(GError) local_error = NULL;
  const char *base, *run;
  gboolean upgrade;
  JsonArray *files;
  char **packages;

  if (object == NULL)
    return NULL;
  if (!air_json_get_opt_string (object, "base", AIR_NAME_MAX, "", &base, error) ||
      !air_json_get_opt_string (object, "run", AIR_TEMPLATE_MAX_COMMAND, "", &run, error) ||
      !air_json_get_opt_bool (object, "upgrade", FALSE, &upgrade, error))
    return NULL;
  if (create && !air_name_validate (base, "template", error))
    return NULL;
  if (!create && base[0] != '\0')
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("An update has no base"));
      return NULL;
    }
  packages = air_json_get_strv (object, "packages", AIR_TEMPLATE_MAX_PACKAGES, AIR_TEMPLATE_MAX_PACKAGE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (packages != NULL)
    {
      g_strfreev (self->packages);
      self->packages = packages;
    }
  if (!packages_validate (self->packages, FALSE, error))
    return NULL;

  files = air_json_get_opt_array (object, "files", AIR_TEMPLATE_MAX_FILES, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  for (guint i = 0; files != NULL && i < json_array_get_length (files); i++)
    {
      JsonNode *node = json_array_get_element (files, i);
      const char *name;
      gint64 size;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A package file must be an object"));
          return NULL;
        }
      if (!air_json_get_string (json_node_get_object (node), "name", AIR_TEMPLATE_MAX_FILE_NAME, &name, error) ||
          !air_json_get_opt_int (json_node_get_object (node), "size", 0, AIR_TEMPLATE_MAX_FILE_SIZE, -1, &size, error))
        return NULL;
      if (size < 0)
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A package file has no size"));
          return NULL;
        }
      if (!air_template_request_add_file (self, name, size, error))
        return NULL;
    }
  g_free (self->base);
  self->base = g_strdup (base);
  g_free (self->run);
  self->run = g_strdup (run);
  self->upgrade = upgrade;
  if (!create && self->packages[0] == NULL && self->files->len == 0 && self->run[0] == '\0' && !self->upgrade)
    {
      g_set_error_literal (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT,
                           _("Nothing to update: give packages, a command or --upgrade"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

char *
air_template_request_to_line (const AirTemplateRequest *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  if (self->base != NULL && self->base[0] != '\0')
    {
      json_builder_set_member_name (builder, "base");
      json_builder_add_string_value (builder, self->base);
    }
  json_builder_set_member_name (builder, "packages");
  json_builder_begin_array (builder);
  for (guint i = 0; self->packages != NULL && self->packages[i] != NULL; i++)
    json_builder_add_string_value (builder, self->packages[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->files->len; i++)
    {
      const AirTemplateFile *file = g_ptr_array_index (self->files, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, file->name);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) file->size);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "run");
  json_builder_add_string_value (builder, self->run != NULL ? self->run : "");
  json_builder_set_member_name (builder, "upgrade");
  json_builder_add_boolean_value (builder, self->upgrade);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

void
air_template_progress_free (AirTemplateProgress *self)
{
  if (self == NULL)
    return;
  g_free (self->text);
  air_template_free (self->template);
  g_free (self);
}

AirTemplateProgress *
air_template_progress_parse (const char  *line,
                             gsize        len,
                             GError     **error)
{
  g_autoptr(JsonObject) object = air_json_parse_object (line, len, AIR_JSON_MAX_LINE, error);
  g_autoptr(AirTemplateProgress) self = g_new0 (AirTemplateProgress, 1);
  const char *text;
  gint64 index, count;

  if (object == NULL)
    return NULL;
  if (json_object_has_member (object, "template"))
    {
      JsonNode *node = json_object_get_member (object, "template");

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, AIR_ERROR, AIR_ERROR_PROTOCOL, _("A template must be an object"));
          return NULL;
        }
      self->kind = AIR_TEMPLATE_PROGRESS_DONE;
      self->template = template_from_object (json_node_get_object (node), error);
      return self->template != NULL ? g_steal_pointer (&self) : NULL;
    }
  if (json_object_has_member (object, "step"))
    {
      if (!air_json_get_string (object, "step", 200, &text, error) ||
          !air_json_get_opt_int (object, "index", 1, 100, 1, &index, error) ||
          !air_json_get_opt_int (object, "count", 1, 100, 1, &count, error))
        return NULL;
      self->kind = AIR_TEMPLATE_PROGRESS_STEP;
      self->index = index;
      self->count = MAX (count, index);
      self->text = air_text_sanitize (text, -1, 200);
      return g_steal_pointer (&self);
    }
  if (!air_json_get_string (object, "output", AIR_TEMPLATE_MAX_OUTPUT, &text, error))
    return NULL;
  self->kind = AIR_TEMPLATE_PROGRESS_OUTPUT;
  self->text = air_text_sanitize (text, -1, AIR_TEMPLATE_MAX_OUTPUT);
  return g_steal_pointer (&self);
}

char *
air_template_progress_step_line (const char *text,
                                 guint       index,
                                 guint       count)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "step");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, index);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, count);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

/* One line of a guest's output, made valid UTF-8 and cut to the limit. */
char *
air_template_progress_output_line (const char *text,
                                   gssize      len)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *valid = g_utf8_make_valid (text, len);
  g_autofree char *cut = g_utf8_substring (valid, 0, MIN (g_utf8_strlen (valid, -1), AIR_TEMPLATE_MAX_OUTPUT));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "output");
  json_builder_add_string_value (builder, cut);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

char *
air_template_progress_done_line (const AirTemplate *template)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "template");
  add_template (builder, template);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

char **
air_template_packages_after (const AirTemplate         *previous,
                             const AirTemplateRequest  *request)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; previous != NULL && previous->packages[i] != NULL; i++)
    if (g_hash_table_add (seen, previous->packages[i]))
      g_strv_builder_add (builder, previous->packages[i]);
  for (guint i = 0; request->packages[i] != NULL; i++)
    if (g_hash_table_add (seen, request->packages[i]))
      g_strv_builder_add (builder, request->packages[i]);
  for (guint i = 0; i < request->files->len; i++)
    {
      AirTemplateFile *file = g_ptr_array_index (request->files, i);

      if (g_hash_table_add (seen, file->name))
        g_strv_builder_add (builder, file->name);
    }
  return g_strv_builder_end (builder);
}
