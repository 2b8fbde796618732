#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-vm.sh SCRIPT: runs a VM test or benchmark (tests/vm, bench/vm) with
# what it needs: the guest that scripts/make-vm-guest.sh builds from
# Debian packages, a directory of its own ($AIR_VM_DIR), and libvirt's
# session daemon. As root it runs SCRIPT as nobody: a session libvirt of
# its own in that directory, touching nothing of the machine's.
#
# SCRIPT finds the guest in $AIR_VM_DIR/guest and remote-lib.sh beside
# itself; QAIR_PROGRAM and AIR_AGENT_PROGRAM (and AIR_VAULT_PROGRAM, when
# set) are copies it may run. Private volumes are not encrypted
# (AIR_DISK_KEYS=none: there is no vault) unless SCRIPT says otherwise.

set -u

script=${1:?usage: run-vm.sh SCRIPT}
top=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/air-vm.XXXXXX)
chmod 0755 "$T"
mkdir -p "$T/bin"
cp "${QAIR_PROGRAM:?}" "${AIR_AGENT_PROGRAM:?}" "$script" "$top/tests/remote/remote-lib.sh" "$T/bin/"
# the agent's libvirt backend, which it loads from beside itself
cp "$(dirname "$AIR_AGENT_PROGRAM")"/libair-driver-*.so "$T/bin/" 2>/dev/null
[ -n "${AIR_VAULT_PROGRAM:-}" ] && cp "$AIR_VAULT_PROGRAM" "$T/bin/"
chmod 0755 "$T/bin" "$T/bin/"*
cache=${AIR_VM_CACHE:-$T/cache}
mkdir -p "$cache"
# The kernel package is fetched once (apt), then shared read-only.
AIR_VM_CACHE=$cache sh "$top/scripts/make-vm-guest.sh" "$T/guest" "$T/bin/qubes-air-agent" >"$T/guest.log" 2>&1
status=$?
chmod -R a+rX "$cache" 2>/dev/null
if [ $status -ne 0 ]; then
  echo "1..1"
  echo "not ok 1 - the guest image is built (scripts/make-vm-guest.sh)"
  sed 's/^/# /' "$T/guest.log"
  rm -rf "$T"
  exit 1
fi

as_user=
if [ "$(id -u)" = 0 ]; then
  chown -R nobody:nogroup "$T"
  as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
$as_user env AIR_VM_DIR="$T" QAIR_PROGRAM="$T/bin/qair" AIR_AGENT_PROGRAM="$T/bin/qubes-air-agent" \
  AIR_VAULT_PROGRAM="$T/bin/qubes-air-vault" AIR_DISK_KEYS="${AIR_DISK_KEYS:-none}" \
  HOME="$T/home" XDG_RUNTIME_DIR="$T/home/run" XDG_CONFIG_HOME="$T/home/config" \
  XDG_DATA_HOME="$T/home/data" XDG_CACHE_HOME="$T/home/cache" \
  AIR_TRANSPORT=loopback AIR_LOOPBACK_DIR="$T/loopback" AIR_ZONES_FILE="$T/home/zones.json" \
  sh "$T/bin/$(basename "$script")"
status=$?
# The session libvirt and anything else of ours that outlived the script.
for env in $(grep -ls "HOME=$T/home" /proc/[0-9]*/environ 2>/dev/null); do
  pid=${env#/proc/}
  kill "${pid%/environ}" 2>/dev/null
done
rm -rf "$T"
exit $status
