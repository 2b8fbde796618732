/* air-sandbox.h — how a qube of the local driver is confined
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "air-types.h"

G_BEGIN_DECLS

/* Where things are inside a qube. */
#define AIR_SANDBOX_HOME    "/home/user"
#define AIR_SANDBOX_RUN     "/run/qubes-air"
#define AIR_SANDBOX_INIT    "/run/qubes-air-init"

/* The uid and gid the qube's user has inside the qube, as in Qubes. */
#define AIR_SANDBOX_USER_ID 1000

/* An agent running as root runs each qube under a host uid of its own, out
 * of this range (after systemd's container range, which ends at
 * 0x6FFFFFFF); a qube's uid is the owner of its home. */
#define AIR_SANDBOX_UID_BASE  0x70000000u
#define AIR_SANDBOX_UID_COUNT 65536u
/* And builds templates under this one: root only of the build's own user
 * namespace, never of the zone host (the probe has the last of the range). */
#define AIR_SANDBOX_BUILD_UID (AIR_SANDBOX_UID_BASE + AIR_SANDBOX_UID_COUNT - 2)

/* The descriptors the sandbox is given its directories by: an agent as
 * root hands them over already open, since the qube's uid may not be able
 * to reach them by path. */
#define AIR_SANDBOX_FD_READY 3
#define AIR_SANDBOX_FD_HOME  4
#define AIR_SANDBOX_FD_RUN   5
#define AIR_SANDBOX_FD_INIT  6
#define AIR_SANDBOX_FD_ROOT  7
/* … and a template build's: the copy being built, its package files. */
#define AIR_SANDBOX_FD_BUILD_ROOT  3
#define AIR_SANDBOX_FD_BUILD_FILES 4

typedef struct {
  const char *qube_name;
  const char *root;            /* a template's root; "/" is this host's system */
  const char *private_dir;     /* used by path only without isolation */
  const char *run_dir;
  const char *init_program;
  const char *socket_name;
  gboolean    network;         /* FALSE: a network namespace with only loopback */
  gboolean    disposable;
} AirSandboxSpec;

AirIsolation air_sandbox_probe             (const char            *cache_path);
GStrv        air_sandbox_build_argv        (AirIsolation           isolation,
                                            const AirSandboxSpec  *spec);

/* What the child that becomes a qube does before it runs bwrap. */
typedef struct {
  uid_t    uid;            /* the qube's host uid (an agent as root only) */
  gboolean stage;          /* re-open the AIR_SANDBOX_FD_* where that uid reaches them */
  gboolean stage_root;     /* … AIR_SANDBOX_FD_ROOT too: a template's own root */
} AirSandboxLaunch;

uid_t        air_sandbox_qube_uid          (const char            *private_dir,
                                            const char            *home,
                                            GError               **error);
void         air_sandbox_child_drop        (gpointer               uid);
/* In the child that runs a template build's bwrap (air-local-templates.c). */
void         air_sandbox_build_child_setup (gpointer               unused);
/* Makes @path and everything under it @uid's; links are changed, never
 * followed. */
gboolean     air_sandbox_chown_tree        (const char            *path,
                                            uid_t                  uid);
void         air_sandbox_child_setup       (gpointer               launch);
gboolean     air_sandbox_become_home_owner (int                    home_fd,
                                            GError               **error);

G_END_DECLS
