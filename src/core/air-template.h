/* air-template.h — the messages of the qubesair.Template* services
 *
 * A template is read-only: a qube's root comes from its current version,
 * and an update makes a new version that qubes see at their next start.
 * The previous version is kept for a roll-back.
 *
 *   TemplateList              → {"zone":Z,"templates":[TEMPLATE…]}
 *   TemplateImport+NAME       stdin: a root file system tarball (gzip, xz,
 *                             zstd, bzip2 or none)
 *   TemplateCreate+NAME       stdin: a request line, then each file's bytes
 *   TemplateUpdate+NAME       the same, without "base"
 *   TemplateRollback+NAME     → TEMPLATE
 *   TemplateRemove+NAME       → {"removed":true}
 *
 * Import, Create and Update answer with progress lines — {"step":TEXT,
 * "index":I,"count":N}, {"output":TEXT} — and end with {"template":…};
 * on failure the service exits non-zero with the reason on stderr.
 * Every decoder treats its input as hostile.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AIR_TEMPLATE_MAX_PACKAGES   64
#define AIR_TEMPLATE_MAX_FILES      16
#define AIR_TEMPLATE_MAX_PACKAGE    128
#define AIR_TEMPLATE_MAX_FILE_NAME  200
#define AIR_TEMPLATE_MAX_FILE_SIZE  ((guint64) 2 << 30)
#define AIR_TEMPLATE_MAX_COMMAND    4096
#define AIR_TEMPLATE_MAX_OUTPUT     2000
#define AIR_TEMPLATE_MAX_LIST       1000

typedef struct {
  char     *name;
  guint     version;
  guint64   size;        /* bytes of the current version */
  char     *base;        /* "" for an imported template */
  char    **packages;    /* asked for, over all versions, files included */
  gint64    built;       /* Unix seconds of the current version */
  guint     users;       /* qubes of the zone based on it */
  gboolean  can_roll_back;
  gboolean  read_only;   /* made outside Qubes Air: no versions to build */
} AirTemplate;

typedef struct {
  char     *name;        /* a file's base name: NAME.deb or NAME.rpm */
  guint64   size;
} AirTemplateFile;

/* What TemplateCreate (with @base) and TemplateUpdate build. */
typedef struct {
  char       *base;
  char      **packages;
  GPtrArray  *files;     /* AirTemplateFile, sent after the line in order */
  char       *run;       /* "" when none */
  gboolean    upgrade;
} AirTemplateRequest;

typedef enum {
  AIR_TEMPLATE_PROGRESS_STEP,
  AIR_TEMPLATE_PROGRESS_OUTPUT,
  AIR_TEMPLATE_PROGRESS_DONE,
} AirTemplateProgressKind;

typedef struct {
  AirTemplateProgressKind  kind;
  char                    *text;       /* step, output */
  guint                    index;      /* step: 1…count */
  guint                    count;
  AirTemplate             *template;   /* done */
} AirTemplateProgress;

gboolean            air_template_package_is_valid   (const char *package);
gboolean            air_template_file_name_is_valid (const char *name);

AirTemplate        *air_template_new                (const char *name);
AirTemplate        *air_template_copy               (const AirTemplate *self);
void                air_template_free               (AirTemplate *self);
AirTemplate        *air_template_parse              (const char  *data,
                                                     gsize        len,
                                                     GError     **error);
char               *air_template_to_json            (const AirTemplate *self);
GPtrArray          *air_template_list_parse         (const char  *data,
                                                     gsize        len,
                                                     GError     **error);
char               *air_template_list_to_json       (const char  *zone,
                                                     GPtrArray   *templates);

AirTemplateRequest *air_template_request_new        (void);
void                air_template_request_free       (AirTemplateRequest *self);
/* Adds @path's base name and size, or fails naming what is wrong. */
gboolean            air_template_request_add_file   (AirTemplateRequest *self,
                                                     const char  *name,
                                                     guint64      size,
                                                     GError     **error);
AirTemplateRequest *air_template_request_parse      (const char  *line,
                                                     gsize        len,
                                                     gboolean     create,
                                                     GError     **error);
char               *air_template_request_to_line    (const AirTemplateRequest *self);

/* What a version built from @previous with @request was asked to have:
 * @previous's packages, then the request's names and files, once each. */
char              **air_template_packages_after     (const AirTemplate         *previous,
                                                     const AirTemplateRequest  *request);

void                air_template_progress_free      (AirTemplateProgress *self);
AirTemplateProgress *air_template_progress_parse    (const char  *line,
                                                     gsize        len,
                                                     GError     **error);
char               *air_template_progress_step_line (const char  *text,
                                                     guint        index,
                                                     guint        count);
char               *air_template_progress_output_line (const char *text,
                                                     gssize       len);
char               *air_template_progress_done_line (const AirTemplate *template);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirTemplate, air_template_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirTemplateRequest, air_template_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AirTemplateProgress, air_template_progress_free)

G_END_DECLS
