/* air-vmexec.h — qubes.VMExec's command line, from its service argument
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AIR_VMEXEC_MAX_ARGS 256

/* The argv Qubes encoded in @arg (words joined by "+"; in a word "--" is
 * "-" and "-XX" the byte XX), or NULL with @error. */
char **air_vmexec_decode (const char  *arg,
                          GError     **error);

G_END_DECLS
