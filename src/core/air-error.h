/* air-error.h — the error domain shared by every Qubes Air program
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AIR_ERROR (air_error_quark ())

typedef enum {
  AIR_ERROR_FAILED,
  AIR_ERROR_INVALID_NAME,
  AIR_ERROR_INVALID_ARGUMENT,
  AIR_ERROR_PROTOCOL,       /* a peer sent something we refuse */
  AIR_ERROR_NOT_FOUND,
  AIR_ERROR_EXISTS,
  AIR_ERROR_BUSY,
  AIR_ERROR_REFUSED,        /* qrexec policy or the peer said no */
  AIR_ERROR_UNREACHABLE,
  AIR_ERROR_REMOTE,         /* the zone reported a failure */
} AirError;

GQuark air_error_quark (void);

G_END_DECLS
