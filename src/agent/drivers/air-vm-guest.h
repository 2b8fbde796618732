/* air-vm-guest.h — the agent as PID 1 of a VM qube (libvirt backend)
 *
 * The host and the guest speak over one virtio-serial port, one call per
 * connection: the guest greets a connection with READY once it has seen
 * the previous one close (and dropped what that one left); only then
 * does the host send a call header (air-call-frames.h) — "ping",
 * "shutdown" or "run" followed by a run header line — then, for "run",
 * the command's stdin as STDIN frames (an empty one ends it); the guest
 * answers with READY, STDOUT/STDERR frames and EXIT, as a forwarded call
 * does. Nothing a connection leaves behind (a refused copy's unsent
 * stdin: any bytes a file holds) is ever read as a call.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The channels' names, as the domain and the guest's sysfs know them:
 * PREFIX0 … PREFIX(N-1). Each serves one call at a time, so a qube
 * serves AIR_VM_N_PORTS at once (a shell left open does not hold up a
 * copy). The initramfs is told the first's name. */
#define AIR_VM_PORT_PREFIX  "org.qubesair.agent."
#define AIR_VM_PORT_NAME    AIR_VM_PORT_PREFIX "0"
#define AIR_VM_N_PORTS      4
/* Where the agent is in a VM template's root. */
#define AIR_VM_AGENT_PATH   "/usr/lib/qubes-air/qubes-air-agent"
#define AIR_VM_HOME         "/home/user"
#define AIR_VM_USER_UID     1000
#define AIR_VM_EXIT_FAILED  125
/* The host's frames of a command's stdin, beside air-call-frames.h's. */
#define AIR_VM_FRAME_STDIN  'I'

int air_vm_guest_main (const char *port_path);

G_END_DECLS
