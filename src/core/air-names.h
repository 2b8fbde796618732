/* air-names.h — the rules a qube, template or zone name must follow
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Qubes' own limit (qubes.vm.validate_name). */
#define AIR_NAME_MAX 31

gboolean air_name_is_valid (const char *name);
gboolean air_name_validate (const char  *name,
                            const char  *what,
                            GError     **error);
char    *air_text_sanitize (const char *text,
                            gssize      len,
                            gsize       max_chars);
gboolean air_unichar_is_invisible (gunichar c);
int      air_name_collate  (const char *a,
                            const char *b);

G_END_DECLS
