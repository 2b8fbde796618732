#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VM qubes (the libvirt backend; TCG on these machines): the start of a VM
# qube until its agent answers, and the part until libvirt reports the
# domain running; "qair run q -- true" on a VM qube beside a bubblewrap
# qube; a 256 MiB "qair copy" into a VM qube beside a cat pipe (256 MiB:
# the test guest's private volume is 1 GiB). Prints figures; asserts
# nothing. Goals (issue 16): run within 2× of bubblewrap, copy at least
# 50% of the cat pipe. Run by tests/vm/run-vm.sh.

set -eu
T=${AIR_VM_DIR:?run me with tests/vm/run-vm.sh}
Q=${QAIR_PROGRAM:?}
runs=${AIR_BENCH_RUNS:-20}
export AIR_LIBVIRT_URI=qemu:///session AIR_VM_START_TIMEOUT=120
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
chmod 0700 "$XDG_RUNTIME_DIR"

# Two zones on this machine: "local" (bubblewrap) and "vms" (libvirt).
vms=$AIR_LOOPBACK_DIR/sys-remote-vms
mkdir -p "$vms/vm/kernel" "$vms/vm/templates"
echo backend=libvirt >"$vms/agent.conf"
cp "$T/guest/vmlinuz" "$T/guest/initrd.img" "$vms/vm/kernel/"
cp "$T/guest/template.qcow2" "$vms/vm/templates/mini.qcow2"
cat >"$AIR_ZONES_FILE" <<JSON
{"version":1,"zones":[{"name":"local","gateway":"sys-remote-local","driver":"local"},
 {"name":"vms","gateway":"sys-remote-vms","driver":"local"}]}
JSON

now_ms () { echo $(( $(date +%s%N) / 1000000 )); }
cleanup () {
  $Q kill vq >/dev/null 2>&1 || true
  $Q kill bq >/dev/null 2>&1 || true
}
trap cleanup EXIT

$Q create vq --zone vms --template mini --memory 512 --vcpus 1 >/dev/null
$Q create bq --zone local >/dev/null
$Q start bq >/dev/null

# --- Start, three times: until libvirt runs the domain, until the agent answers.
for i in 1 2 3; do
  t0=$(now_ms)
  $Q start vq >/dev/null &
  start_pid=$!
  until virsh -c qemu:///session list --name 2>/dev/null | grep -q 'qubesair-.*-vq$'; do sleep 0.02; done
  t1=$(now_ms)
  wait $start_pid
  t2=$(now_ms)
  echo "vm start $i: $((t2 - t0)) ms until the agent answers, of which $((t1 - t0)) ms until libvirt runs the domain"
  [ $i -lt 3 ] && $Q kill vq >/dev/null
done

# --- qair run q -- true, on each backend.
for q in bq vq; do
  $Q run $q -- true
  t0=$(now_ms)
  i=0
  while [ $i -lt "$runs" ]; do $Q run $q -- true; i=$((i + 1)); done
  t1=$(now_ms)
  echo "qair run $q -- true ($([ $q = vq ] && echo VM || echo bubblewrap)): $(( (t1 - t0) / runs )) ms each, $runs runs"
done

# --- 256 MiB into the VM qube, beside a cat pipe of the same file.
head -c $((256 * 1024 * 1024)) /dev/urandom >"$T/big"
t0=$(now_ms)
cat "$T/big" | cat >"$T/big.copy"
t1=$(now_ms)
rm -f "$T/big.copy"
cat_ms=$((t1 - t0 > 0 ? t1 - t0 : 1))
t0=$(now_ms)
$Q copy "$T/big" vq >/dev/null
t1=$(now_ms)
copy_ms=$((t1 - t0 > 0 ? t1 - t0 : 1))
echo "256 MiB: cat pipe $cat_ms ms ($((256 * 1000 / cat_ms)) MiB/s), qair copy into the VM qube $copy_ms ms ($((256 * 1000 / copy_ms)) MiB/s): $((100 * cat_ms / copy_ms))% of the cat pipe"
# Where the copy's time goes: the same bytes through the channel alone
# (qair run … cat >/dev/null), and written to the qube's disk there.
$Q run vq -- rm -rf QubesIncoming >/dev/null 2>&1
t0=$(now_ms)
$Q run vq -- sh -c 'cat >/dev/null' <"$T/big"
t1=$(now_ms)
chan_ms=$((t1 - t0 > 0 ? t1 - t0 : 1))
t0=$(now_ms)
$Q run vq -- sh -c 'cat >big; sync' <"$T/big"
t1=$(now_ms)
disk_ms=$((t1 - t0 > 0 ? t1 - t0 : 1))
echo "256 MiB through the channel alone (run … cat >/dev/null): $chan_ms ms ($((256 * 1000 / chan_ms)) MiB/s); into a file in the qube: $disk_ms ms ($((256 * 1000 / disk_ms)) MiB/s)"

# --- A template build on the libvirt backend (zone "vms"): a busybox root imported,
# --- then built on with one small .deb; each step's time.
if command -v dpkg-deb >/dev/null; then
  troot=$T/bench-root
  mkdir -p "$troot/bin" "$troot/etc" "$troot/var/lib/dpkg/info"
  cp /bin/busybox "$troot/bin/"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$troot/bin/$applet"; done
  : >"$troot/var/lib/dpkg/status"
  tar -C "$troot" -czf "$T/bench-root.tar.gz" .
  mkdir -p "$T/bench-pkg/DEBIAN" "$T/bench-pkg/usr/share/bench"
  printf 'Package: air-bench\nVersion: 1.0\nArchitecture: all\nMaintainer: B <b@example.org>\nDescription: b\n' \
    >"$T/bench-pkg/DEBIAN/control"
  head -c 65536 /dev/urandom >"$T/bench-pkg/usr/share/bench/data"
  dpkg-deb --build "$T/bench-pkg" "$T/air-bench_1.0_all.deb" >/dev/null
  t0=$(now_ms)
  $Q template import vbase --zone vms "$T/bench-root.tar.gz" >/dev/null
  echo "template import (busybox root, agent added, ext4 image): $(( $(now_ms) - t0 )) ms"
  start=$(now_ms)
  $Q template create vdev --zone vms --from vbase --package "$T/air-bench_1.0_all.deb" |
    while IFS= read -r line; do
      t=$(now_ms)
      case $line in
        "["*) [ -n "${step:-}" ] && echo "  $step: $(( t - begun )) ms"; step=$line; begun=$t ;;
        Template*) [ -n "${step:-}" ] && echo "  $step: $(( t - begun )) ms" ;;
      esac
    done
  echo "template create in a VM with one small .deb: $(( $(now_ms) - start )) ms in all"
  $Q template rm vdev >/dev/null 2>&1; $Q template rm vbase >/dev/null 2>&1
fi
