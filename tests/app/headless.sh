#!/bin/sh
# headless.sh COMMAND [ARG…] — runs COMMAND as a new user's desktop would:
# its own HOME and XDG directories, a private X server (Xvfb) and a private
# D-Bus session bus. The directories are set before dbus-run-session, since
# services the bus starts inherit its environment (TESTING.md).
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

tmp=$(mktemp -d "${TMPDIR:-/tmp}/air-headless.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

export HOME="$tmp/home"
export XDG_CONFIG_HOME="$tmp/config"
export XDG_DATA_HOME="$tmp/data"
export XDG_CACHE_HOME="$tmp/cache"
export XDG_STATE_HOME="$tmp/state"
export XDG_RUNTIME_DIR="$tmp/runtime"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
: "${AIR_LOOPBACK_DIR:=$tmp/loopback}"
: "${AIR_ZONES_FILE:=$XDG_CONFIG_HOME/qubes-air/zones.json}"
export AIR_LOOPBACK_DIR AIR_ZONES_FILE
export NO_AT_BRIDGE="${NO_AT_BRIDGE:-1}"
export GSK_RENDERER="${GSK_RENDERER:-cairo}"

# Services the bus starts (the accessibility registry among them) write to
# the bus's stdout; that is stderr here, so only COMMAND speaks TAP on fd 1.
status=0
exec 3>&1
xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- sh -c 'exec "$@" >&3 3>&-' sh "$@" >&2 || status=$?
exit $status
