#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Round trip of “qair run q -- true” on a remote zone (gateway ssh driver →
# real sshd on 127.0.0.1 → zone host agent), with the zone's master
# connection reused, beside the same on the local zone. Prints figures;
# asserts nothing. Goal: remote under 2× local and under 20 ms.
# Runs under run-with-keyring.sh (the vault signs for the SSH key).

set -eu
root=${AIR_TEST_ROOT:?run me with run-with-keyring.sh}
Q=${QAIR_PROGRAM:?}
AGENT=${AIR_AGENT_PROGRAM:?}
runs=${AIR_BENCH_RUNS:-30}
sshd_dir=$root/sshd
mkdir -p "$sshd_dir" "$root/zonehost"
sshd_pid=

cleanup () {
  $Q kill qr >/dev/null 2>&1 || true
  $Q kill ql >/dev/null 2>&1 || true
  pid=$(ssh -S "$XDG_RUNTIME_DIR/qubes-air-ssh/far.ctl" -O check x 2>&1 | sed -n 's/.*pid=\([0-9]*\).*/\1/p')
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
  wait 2>/dev/null || true
}
trap cleanup EXIT

$Q key generate --zone far >"$sshd_dir/authorized_keys"
ssh-keygen -q -t ed25519 -N '' -f "$sshd_dir/host_key"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$sshd_dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $sshd_dir/host_key
AuthorizedKeysFile $sshd_dir/authorized_keys
PidFile none
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
SetEnv AIR_AGENT_DIR=$root/zonehost
LogLevel ERROR
EOF
# The zone host's user logs in with a clean home: the login shell of this
# machine's user may run slow start-up files (here ~/.bashrc runs
# "pyenv init", 0.5 s per session), which is not what is being measured.
if unshare -m true 2>/dev/null; then
  unshare -m sh -c 'mount -t tmpfs -o mode=0700 tmpfs "$1" && exec /usr/sbin/sshd -D -e -f "$2"' \
    sh "$(getent passwd "$(id -un)" | cut -d: -f6)" "$sshd_dir/sshd_config" 2>/dev/null &
else
  /usr/sbin/sshd -D -e -f "$sshd_dir/sshd_config" 2>/dev/null &
fi
sshd_pid=$!
while ! ssh-keyscan -T 1 -p "$port" 127.0.0.1 >/dev/null 2>&1; do sleep 0.1; done

$Q zone add far --driver ssh --host 127.0.0.1 --port "$port" --agent "$AGENT" \
   --fingerprint "$(ssh-keygen -lf "$sshd_dir/host_key.pub" | cut -d' ' -f2)" >/dev/null
$Q create ql --zone local >/dev/null
$Q create qr --zone far >/dev/null
$Q start ql >/dev/null
$Q start qr >/dev/null

# Milliseconds of each run of COMMAND..., sorted; prints "median mean min max".
measure () {
  i=0
  while [ $i -lt "$runs" ]; do
    start=$(date +%s%N)
    "$@" </dev/null
    end=$(date +%s%N)
    echo $(( (end - start) / 1000 ))
    i=$((i + 1))
  done | sort -n | awk '{ v[NR] = $1; s += $1 }
    END { printf "%.1f %.1f %.1f %.1f", v[int((NR + 1) / 2)] / 1000, s / NR / 1000, v[1] / 1000, v[NR] / 1000 }'
}

$Q run qr -- true </dev/null   # the master connection is made here, once
local_ms=$(measure $Q run ql -- true)
remote_ms=$(measure $Q run qr -- true)
# What OpenSSH alone costs here: a command over the same master connection.
ssh_ms=$(measure ssh -F /dev/null -S "$XDG_RUNTIME_DIR/qubes-air-ssh/far.ctl" -o ControlMaster=no \
           -p "$port" 127.0.0.1 true)

set -- $local_ms
local_median=$1
echo "qair run q -- true, $runs runs each (milliseconds: median mean min max)"
echo "  local zone:             $local_ms"
set -- $remote_ms
echo "  remote zone (ssh, reused connection): $remote_ms"
echo "  for scale, OpenSSH alone (ssh host true, same master): $ssh_ms"
awk -v r="$1" -v l="$local_median" 'BEGIN {
  printf "  remote / local (median): %.2fx  (goal < 2x)\n", r / l
  printf "  remote median %.1f ms  (goal < 20 ms over loopback)\n", r }'
