/* air-local-templates.h — templates of the bubblewrap backend
 *
 * A version is a root directory; qubes see it read-only. A build copies
 * the base (or the current version), then runs each step — upgrade,
 * package files, packages, the user's command — with the template's own
 * shell and package manager (apt-get, dnf, dpkg or rpm, whichever it has)
 * in a sandbox where the copy is writable and its user is root of a user
 * namespace, never of this host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "air-driver.h"
#include "air-template-store.h"

G_BEGIN_DECLS

AirTemplate *air_local_templates_import (AirTemplateStore           *store,
                                         const char                 *name,
                                         int                         tar_fd,
                                         const AirTemplateReporter  *reporter,
                                         GError                    **error);
AirTemplate *air_local_templates_build  (AirTemplateStore           *store,
                                         const char                 *name,
                                         const AirTemplateRequest   *request,
                                         int                         files_fd,
                                         const AirTemplateReporter  *reporter,
                                         GError                    **error);

G_END_DECLS
