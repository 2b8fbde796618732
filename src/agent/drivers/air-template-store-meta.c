/* air-template-store-meta.c
 *
 * A managed template's template.json: its base and the versions kept,
 * each with when it was built, its size and the packages asked for; read
 * (checked, as a zone host's file could be damaged), written atomically,
 * and turned into the AirTemplate the store answers with.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-template-store"

#include "config.h"

#include <glib/gi18n.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-template-store-private.h"

static void
version_clear (AirTemplateVersion *v)
{
  g_strfreev (v->packages);
}

void
_air_template_meta_free (AirTemplateMeta *meta)
{
  if (meta == NULL)
    return;
  g_free (meta->base);
  g_array_unref (meta->versions);
  g_free (meta);
}

AirTemplateMeta *
_air_template_meta_new (const char *base)
{
  AirTemplateMeta *meta = g_new0 (AirTemplateMeta, 1);

  meta->base = g_strdup (base);
  meta->versions = g_array_new (FALSE, TRUE, sizeof (AirTemplateVersion));
  g_array_set_clear_func (meta->versions, (GDestroyNotify) version_clear);
  return meta;
}

AirTemplateMeta *
_air_template_store_meta_read (AirTemplateStore  *self,
                               const char        *name,
                               GError           **error)
{
  g_autofree char *path = _air_template_store_meta_path (self, name);
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(AirTemplateMeta) meta = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *base;
  JsonArray *versions;
  gsize len;

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  object = air_json_parse_object (text, len, AIR_JSON_MAX_LINE, error);
  if (object == NULL ||
      !air_json_get_opt_string (object, "base", AIR_NAME_MAX, "", &base, error))
    return NULL;
  meta = _air_template_meta_new (base);
  versions = air_json_get_opt_array (object, "versions", MAX_VERSIONS_KEPT + 1, &local_error);
  if (versions == NULL || json_array_get_length (versions) == 0)
    {
      g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("“%s” lists no version"), path);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (versions); i++)
    {
      JsonNode *node = json_array_get_element (versions, i);
      AirTemplateVersion v = { 0, };
      gint64 number, built, size;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !air_json_get_opt_int (json_node_get_object (node), "version", 1, G_MAXINT32, 1, &number, error) ||
          !air_json_get_opt_int (json_node_get_object (node), "built", 0, G_MAXINT64 / G_USEC_PER_SEC, 0, &built, error) ||
          !air_json_get_opt_int (json_node_get_object (node), "size", 0, G_MAXINT64, 0, &size, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, AIR_ERROR, AIR_ERROR_FAILED, _("“%s” is damaged"), path);
          return NULL;
        }
      v.version = number;
      v.built = built;
      v.size = size;
      v.packages = air_json_get_strv (json_node_get_object (node), "packages", 1024,
                                      AIR_TEMPLATE_MAX_FILE_NAME, NULL);
      if (v.packages == NULL)
        v.packages = g_new0 (char *, 1);
      g_array_append_val (meta->versions, v);
    }
  return g_steal_pointer (&meta);
}

static char *
meta_to_json (const AirTemplateMeta *meta)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "base");
  json_builder_add_string_value (builder, meta->base);
  json_builder_set_member_name (builder, "versions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < meta->versions->len; i++)
    {
      const AirTemplateVersion *v = &g_array_index (meta->versions, AirTemplateVersion, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, v->version);
      json_builder_set_member_name (builder, "built");
      json_builder_add_int_value (builder, v->built);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) v->size);
      json_builder_set_member_name (builder, "packages");
      json_builder_begin_array (builder);
      for (guint j = 0; v->packages[j] != NULL; j++)
        json_builder_add_string_value (builder, v->packages[j]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return air_json_builder_to_line (builder);
}

gboolean
_air_template_meta_write (const char             *path,
                          const AirTemplateMeta  *meta,
                          GError                **error)
{
  g_autofree char *json = meta_to_json (meta);

  return g_file_set_contents_full (path, json, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0644, error);
}

AirTemplate *
_air_template_from_meta (const char            *name,
                         const AirTemplateMeta *meta)
{
  AirTemplate *template = air_template_new (name);
  const AirTemplateVersion *current = &g_array_index (meta->versions, AirTemplateVersion, meta->versions->len - 1);

  g_free (template->base);
  template->base = g_strdup (meta->base);
  g_strfreev (template->packages);
  template->packages = g_strdupv (current->packages);
  template->version = current->version;
  template->built = current->built;
  template->size = current->size;
  template->can_roll_back = meta->versions->len > 1;
  return template;
}
