/* fuzz-template.c — libFuzzer target: the qubesair.Template* messages
 * (air_template_list_parse, air_template_progress_parse,
 * air_template_request_parse), the first byte choosing which
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-fuzz-template"

#include "config.h"

#include <string.h>

#include "air-names.h"
#include "air-template.h"
#include "fuzz-common.h"

static void
check_template (const AirTemplate *template)
{
  FUZZ_CHECK (air_name_is_valid (template->name));
  FUZZ_CHECK (template->base[0] == '\0' || air_name_is_valid (template->base));
  for (guint i = 0; template->packages[i] != NULL; i++)
    FUZZ_CHECK (air_template_package_is_valid (template->packages[i]) ||
                air_template_file_name_is_valid (template->packages[i]));
}

static void
fuzz_list (const char *data,
           gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) templates = air_template_list_parse (data, len, &error);
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *json = NULL;

  FUZZ_CHECK ((templates == NULL) != (error == NULL));
  if (templates == NULL)
    return;
  for (guint i = 0; i < templates->len; i++)
    check_template (g_ptr_array_index (templates, i));
  json = air_template_list_to_json ("zone", templates);
  again = air_template_list_parse (json, strlen (json), &error);
  if (again == NULL)
    FUZZ_FAIL ("re-parsing our own template list failed: %s", error->message);
  FUZZ_CHECK (again->len == templates->len);
}

static void
fuzz_progress (const char *data,
               gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirTemplateProgress) progress = air_template_progress_parse (data, len, &error);

  FUZZ_CHECK ((progress == NULL) != (error == NULL));
  if (progress == NULL)
    return;
  if (progress->kind == AIR_TEMPLATE_PROGRESS_DONE)
    check_template (progress->template);
  else
    {
      FUZZ_CHECK (progress->text != NULL && g_utf8_validate (progress->text, -1, NULL));
      FUZZ_CHECK (strchr (progress->text, '\n') == NULL);
    }
  if (progress->kind == AIR_TEMPLATE_PROGRESS_STEP)
    FUZZ_CHECK (progress->index >= 1 && progress->index <= progress->count);
}

static void
fuzz_request (const char *data,
              gsize       len,
              gboolean    create)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AirTemplateRequest) request = air_template_request_parse (data, len, create, &error);
  g_autoptr(AirTemplateRequest) again = NULL;
  g_autofree char *line = NULL;

  FUZZ_CHECK ((request == NULL) != (error == NULL));
  if (request == NULL)
    return;
  FUZZ_CHECK (!create || air_name_is_valid (request->base));
  for (guint i = 0; request->packages[i] != NULL; i++)
    FUZZ_CHECK (air_template_package_is_valid (request->packages[i]));
  for (guint i = 0; i < request->files->len; i++)
    FUZZ_CHECK (air_template_file_name_is_valid (((AirTemplateFile *) g_ptr_array_index (request->files, i))->name));
  line = air_template_request_to_line (request);
  again = air_template_request_parse (line, strlen (line) - 1, create, &error);
  if (again == NULL)
    FUZZ_FAIL ("re-parsing our own request failed: %s", error->message);
  FUZZ_CHECK (g_strv_equal ((const char * const *) again->packages, (const char * const *) request->packages));
  FUZZ_CHECK (again->files->len == request->files->len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_init ();

  if (size == 0)
    return 0;
  switch (data[0] % 4)
    {
    case 0: fuzz_list ((const char *) data + 1, size - 1); break;
    case 1: fuzz_progress ((const char *) data + 1, size - 1); break;
    case 2: fuzz_request ((const char *) data + 1, size - 1, TRUE); break;
    default: fuzz_request ((const char *) data + 1, size - 1, FALSE); break;
    }
  return 0;
}
