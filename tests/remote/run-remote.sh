#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs a remote-zone test in a network namespace of its own when we are
# root (sshd's privilege separation needs the real root, so not in a user
# namespace), else on the machine's loopback; either way inside
# run-with-keyring.sh's private session.
#
# Usage: run-remote.sh RUN-WITH-KEYRING TEST [ARGS...]
set -eu
keyring=$1
shift
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh sh "$keyring" "$@"
fi
exec sh "$keyring" "$@"
