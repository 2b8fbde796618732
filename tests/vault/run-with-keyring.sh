#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs one vault test program in its own world: temporary HOME and XDG
# directories, its own D-Bus session, and gnome-keyring-daemon unlocked with
# a throw-away password (TESTING.md: without --unlock it wants a graphical
# prompt). Everything is removed afterwards; the keyring daemon exits with
# its bus.
#
# Usage: run-with-keyring.sh PROGRAM [ARGS...]
# The program finds the root of its directories in AIR_TEST_ROOT.

set -eu

root=$(mktemp -d "${TMPDIR:-/tmp}/air-vault-test.XXXXXX")
trap 'rm -rf "$root"' EXIT
trap 'exit 130' INT TERM

for dir in home data config cache state tmp runtime loopback; do
  mkdir -p "$root/$dir"
done
chmod 700 "$root/runtime"

export AIR_TEST_ROOT="$root"
export HOME="$root/home"
export XDG_DATA_HOME="$root/data"
export XDG_CONFIG_HOME="$root/config"
export XDG_CACHE_HOME="$root/cache"
export XDG_STATE_HOME="$root/state"
export XDG_RUNTIME_DIR="$root/runtime"
export TMPDIR="$root/tmp"
export AIR_LOOPBACK_DIR="$root/loopback"
export AIR_ZONES_FILE="$root/config/zones.json"
export AIR_VAULT_LOG="$root/state/vault.log"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK AIR_VAULT_QUBE AIR_LOOPBACK_SELF

status=0
dbus-run-session -- sh -c '
  eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  exec "$@"' sh "$@" || status=$?
exit "$status"
