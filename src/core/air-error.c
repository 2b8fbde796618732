/* air-error.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "air-error.h"

G_DEFINE_QUARK (air-error-quark, air_error)
