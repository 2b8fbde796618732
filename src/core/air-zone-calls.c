/* air-zone-calls.c
 *
 * A zone's calls: info, list, create, preferences, qube actions and
 * templates, each one bounded transport call to its gateway whose answer
 * is decoded here (off the main thread for the large ones).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-zone"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "air-error.h"
#include "air-json.h"
#include "air-names.h"
#include "air-zone.h"

#define MAX_SMALL_ANSWER (256 * 1024)

static const char * const action_verbs[] = {
  "qubesair.Start", "qubesair.Shutdown", "qubesair.Kill", "qubesair.Remove",
};

/* Every small call goes the same way: one bounded transport call, then the
 * answer decoded by @decode in the callback, or in a worker thread for a
 * decoder that touches nothing but the answer (a zone's list is most of
 * the app's work while zones arrive; its main loop is kept for drawing). */

/* Every decoder reads the answer's bytes: they are taken out of the
 * GBytes once, here, rather than in each decoder. */
typedef gpointer (*Decode) (AirZone *self, const char *data, gsize len, GDestroyNotify *free_func,
                            GError **error);

typedef struct {
  Decode    decode;
  gboolean  in_thread;
  GBytes   *answer;
} ZoneCall;

static void
zone_call_free (ZoneCall *call)
{
  g_clear_pointer (&call->answer, g_bytes_unref);
  g_free (call);
}

static void
decode_answer (GTask *task)
{
  AirZone *self = g_task_get_source_object (task);
  ZoneCall *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GDestroyNotify free_func = NULL;
  gsize len;
  const char *data = g_bytes_get_data (call->answer, &len);
  gpointer value;

  value = call->decode (self, data, len, &free_func, &error);
  if (error != NULL)
    {
      g_prefix_error (&error, _("Zone “%s” sent a bad answer: "), air_zone_get_name (self));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, value, free_func);
}

static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  decode_answer (task);
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AirZone *self = g_task_get_source_object (task);
  ZoneCall *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  call->answer = air_transport_call_finish (AIR_TRANSPORT (object), result, &error);
  if (call->answer == NULL)
    {
      g_prefix_error (&error, _("Zone “%s”: "), air_zone_get_name (self));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (call->in_thread)
    g_task_run_in_thread (task, decode_thread);
  else
    decode_answer (task);
}

static GTask *
zone_call_task_new (AirZone             *self,
                    gpointer             source_tag,
                    Decode               decode,
                    gboolean             in_thread,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ZoneCall *call = g_new0 (ZoneCall, 1);

  call->decode = decode;
  call->in_thread = in_thread;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, call, (GDestroyNotify) zone_call_free);
  return task;
}

/* @line_func, when given, is offered the answer's first lines (a
 * create's progress); @line_data lives as long as the call. */
static void
zone_call_lines (AirZone              *self,
                 gpointer              source_tag,
                 const char           *verb,
                 const char           *arg,
                 GBytes               *input,
                 gsize                 max_output,
                 Decode                decode,
                 gboolean              in_thread,
                 AirTransportLineFunc  line_func,
                 gpointer              line_data,
                 GDestroyNotify        line_data_free,
                 GCancellable         *cancellable,
                 GAsyncReadyCallback   callback,
                 gpointer              user_data)
{
  GTask *task = zone_call_task_new (self, source_tag, decode, in_thread, cancellable, callback, user_data);

  if (line_data != NULL)
    g_object_set_data_full (G_OBJECT (task), "air-line-data", line_data, line_data_free);
  air_transport_call_lines_async (air_zone_get_transport (self), air_zone_get_gateway (self), verb, arg,
                                  input, max_output, line_func, line_data, cancellable, call_cb, task);
}

static void
zone_call (AirZone             *self,
           gpointer             source_tag,
           const char          *verb,
           const char          *arg,
           GBytes              *input,
           gsize                max_output,
           Decode               decode,
           gboolean             in_thread,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  zone_call_lines (self, source_tag, verb, arg, input, max_output, decode, in_thread, NULL, NULL, NULL,
                   cancellable, callback, user_data);
}

/* A call on one named qube or template, without input (an action): the
 * name is checked here, once, before anything goes to the gateway. */
static void
zone_call_on_name (AirZone             *self,
                   gpointer             source_tag,
                   const char          *verb,
                   const char          *what,
                   const char          *name,
                   Decode               decode,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GError *error = NULL;

  if (!air_name_validate (name, what, &error))
    {
      g_task_report_error (self, callback, user_data, source_tag, error);
      return;
    }
  zone_call (self, source_tag, verb, name, NULL, MAX_SMALL_ANSWER, decode, FALSE,
             cancellable, callback, user_data);
}

/* Every call's result is its decoder's pointer (the zone itself where
 * there is nothing to decode), so one finish serves all the _finish()es. */
static gpointer
zone_call_finish (AirZone       *self,
                  GAsyncResult  *result,
                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
decode_info (AirZone         *self,
             const char      *data,
             gsize            len,
             GDestroyNotify  *free_func,
             GError         **error)
{
  g_autoptr(AirZoneInfo) info = NULL;

  info = air_zone_info_parse (data, len, error);
  if (info == NULL)
    return NULL;

  air_zone_apply_info (self, info);
  return self;
}

void
air_zone_refresh_info_async (AirZone             *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (AIR_IS_ZONE (self));

  zone_call (self, air_zone_refresh_info_async, "qubesair.ZoneInfo", NULL, NULL,
             MAX_SMALL_ANSWER, decode_info, FALSE, cancellable, callback, user_data);
}

gboolean
air_zone_refresh_info_finish (AirZone       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return zone_call_finish (self, result, error) != NULL;
}

static gpointer
decode_list (AirZone         *self,
             const char      *data,
             gsize            len,
             GDestroyNotify  *free_func,
             GError         **error)
{
  *free_func = (GDestroyNotify) g_ptr_array_unref;
  return air_protocol_parse_list (data, len, air_zone_get_name (self), error);
}

void
air_zone_list_qubes_async (AirZone             *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (AIR_IS_ZONE (self));

  zone_call (self, air_zone_list_qubes_async, "qubesair.List", NULL, NULL,
             AIR_JSON_MAX_MESSAGE, decode_list, TRUE, cancellable, callback, user_data);
}

/* A List answer met elsewhere (the first line of the zone's event
 * stream), decoded in a worker thread as the call's own answer is. */
void
air_zone_decode_list_async (AirZone             *self,
                            GBytes              *answer,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ZoneCall *call;

  g_return_if_fail (AIR_IS_ZONE (self));
  g_return_if_fail (answer != NULL);

  task = zone_call_task_new (self, air_zone_decode_list_async, decode_list, TRUE, cancellable, callback, user_data);
  call = g_task_get_task_data (task);
  call->answer = g_bytes_ref (answer);
  g_task_run_in_thread (task, decode_thread);
}

/**
 * air_zone_list_qubes_finish:
 *
 * Finishes air_zone_list_qubes_async() and air_zone_decode_list_async().
 *
 * Returns: (transfer full) (element-type AirQube): the zone's qubes
 */
GPtrArray *
air_zone_list_qubes_finish (AirZone       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return zone_call_finish (self, result, error);
}

static gpointer
decode_qube (AirZone         *self,
             const char      *data,
             gsize            len,
             GDestroyNotify  *free_func,
             GError         **error)
{
  *free_func = g_object_unref;
  return air_protocol_parse_qube (data, len, air_zone_get_name (self), error);
}

/* A call on one qube with a JSON object as its input (taken) and the
 * qube as the zone then has it as its answer. */
static void
qube_call_with_input (AirZone             *self,
                      gpointer             source_tag,
                      const char          *verb,
                      const char          *name,
                      const char          *template_name,
                      char                *json,
                      AirTransportLineFunc line_func,
                      gpointer             line_data,   /* taken, g_free()d */
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GBytes) input = g_bytes_new_take (json, strlen (json));
  GError *error = NULL;

  if (!air_name_validate (name, "qube", &error) ||
      (template_name != NULL && !air_name_validate (template_name, "template", &error)))
    {
      g_free (line_data);
      g_task_report_error (self, callback, user_data, source_tag, error);
      return;
    }
  zone_call_lines (self, source_tag, verb, name, input, MAX_SMALL_ANSWER, decode_qube, FALSE,
                   line_func, line_data, g_free, cancellable, callback, user_data);
}

/* A create's progress lines, before its answer. */
typedef struct {
  AirZone             *zone;
  AirZoneProgressFunc  progress;
  gpointer             progress_data;
} CreateProgress;

static gboolean
create_line (const char *line,
             gsize       len,
             gpointer    user_data)
{
  CreateProgress *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  int percent;

  if (!air_progress_line_matches (line, len))
    return FALSE;
  /* A bad one is dropped: it tells nothing, and the answer comes after. */
  if (air_progress_parse (line, len, &percent, &text, &error))
    data->progress (percent, text, data->progress_data);
  else
    g_debug ("Zone “%s” sent a bad progress line: %s", air_zone_get_name (data->zone), error->message);
  return TRUE;
}

void
air_zone_create_qube_async (AirZone             *self,
                            const char          *name,
                            const AirQubeSpec   *spec,
                            AirZoneProgressFunc  progress,
                            gpointer             progress_data,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  AirQubeSpec asked;
  CreateProgress *data = NULL;

  g_return_if_fail (AIR_IS_ZONE (self));
  g_return_if_fail (spec != NULL);

  asked = *spec;
  if (progress != NULL)
    {
      data = g_new0 (CreateProgress, 1);
      data->zone = self;
      data->progress = progress;
      data->progress_data = progress_data;
      asked.progress = TRUE;
    }
  qube_call_with_input (self, air_zone_create_qube_async, "qubesair.Create", name, spec->template_name,
                        air_qube_spec_to_json (&asked), data != NULL ? create_line : NULL, data,
                        cancellable, callback, user_data);
}

AirQube *
air_zone_create_qube_finish (AirZone       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return zone_call_finish (self, result, error);
}

void
air_zone_set_prefs_async (AirZone             *self,
                          const char          *name,
                          const AirQubePrefs  *prefs,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (AIR_IS_ZONE (self));
  g_return_if_fail (prefs != NULL);

  qube_call_with_input (self, air_zone_set_prefs_async, "qubesair.SetPrefs", name, NULL,
                        air_qube_prefs_to_json (prefs), NULL, NULL, cancellable, callback, user_data);
}

AirQube *
air_zone_set_prefs_finish (AirZone       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return air_zone_create_qube_finish (self, result, error);
}

static gpointer
decode_nothing (AirZone         *self,
                const char      *data,
                gsize            len,
                GDestroyNotify  *free_func,
                GError         **error)
{
  return self;
}

void
air_zone_qube_action_async (AirZone             *self,
                            AirZoneAction        action,
                            const char          *name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (AIR_IS_ZONE (self));
  g_return_if_fail (action < G_N_ELEMENTS (action_verbs));

  zone_call_on_name (self, air_zone_qube_action_async, action_verbs[action], "qube", name,
                     decode_nothing, cancellable, callback, user_data);
}

gboolean
air_zone_qube_action_finish (AirZone       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return zone_call_finish (self, result, error) != NULL;
}

static gpointer
decode_templates (AirZone         *self,
                  const char      *data,
                  gsize            len,
                  GDestroyNotify  *free_func,
                  GError         **error)
{
  *free_func = (GDestroyNotify) g_ptr_array_unref;
  return air_template_list_parse (data, len, error);
}

void
air_zone_list_templates_async (AirZone             *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (AIR_IS_ZONE (self));

  /* Up to AIR_TEMPLATE_MAX_LIST templates, each with its packages. */
  zone_call (self, air_zone_list_templates_async, "qubesair.TemplateList", NULL, NULL,
             AIR_JSON_MAX_MESSAGE, decode_templates, TRUE, cancellable, callback, user_data);
}

GPtrArray *
air_zone_list_templates_finish (AirZone       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return zone_call_finish (self, result, error);
}

static gpointer
decode_template (AirZone         *self,
                 const char      *data,
                 gsize            len,
                 GDestroyNotify  *free_func,
                 GError         **error)
{
  *free_func = (GDestroyNotify) air_template_free;
  return air_template_parse (data, len, error);
}

void
air_zone_template_action_async (AirZone             *self,
                                const char          *service,
                                const char          *name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (AIR_IS_ZONE (self));

  zone_call_on_name (self, air_zone_template_action_async, service, "template", name,
                     strcmp (service, "qubesair.TemplateRollback") == 0 ? decode_template : decode_nothing,
                     cancellable, callback, user_data);
}

gboolean
air_zone_template_action_finish (AirZone       *self,
                                 GAsyncResult  *result,
                                 AirTemplate  **template,
                                 GError       **error)
{
  gpointer answer = zone_call_finish (self, result, error);

  if (answer == NULL)
    return FALSE;
  /* decode_nothing's answer is the zone itself. */
  if (answer == (gpointer) self)
    answer = NULL;
  if (template != NULL)
    *template = answer;
  else
    air_template_free (answer);
  return TRUE;
}
