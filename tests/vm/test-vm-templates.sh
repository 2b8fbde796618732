#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Templates on the libvirt backend (issue 18), for real: a root file
# system tarball the test makes is imported as a qcow2 image with this
# zone host's agent in it, and a VM qube boots from it under QEMU.
#
# Run by tests/vm/run-vm.sh (as nobody when root). Output: TAP.

set -u

T=${AIR_VM_DIR:?run me with tests/vm/run-vm.sh}
Q=${QAIR_PROGRAM:?}
export AIR_BACKEND=libvirt AIR_LIBVIRT_URI=qemu:///session AIR_VM_START_TIMEOUT=120
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
chmod 0700 "$XDG_RUNTIME_DIR"
vm=$AIR_LOOPBACK_DIR/sys-remote-local/vm
mkdir -p "$vm/kernel" "$vm/templates"
cp "$T/guest/vmlinuz" "$T/guest/initrd.img" "$vm/kernel/"
# shellcheck source=tests/remote/remote-lib.sh
. "$(dirname "$0")/remote-lib.sh"

echo "1..13"

# A root file system with nothing of ours in it: busybox and a marker.
root=$T/tpl-root
mkdir -p "$root/bin" "$root/etc" "$root/root"   # no /home/user: import makes the mount points
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
echo imported >"$root/etc/air-marker"
mkdir -p "$T/junk/data" && echo x >"$T/junk/data/x" && tar -C "$T/junk" -cf "$T/junk.tar" data
mkdir -p "$root/var/lib/dpkg/info" && : >"$root/var/lib/dpkg/status"
tar -C "$root" -cJf "$T/rootfs.tar.xz" .
make_deb () {  # NAME CONTENT
  d=$T/pkg-$1
  mkdir -p "$d/DEBIAN" "$d/usr/share/$1"
  printf 'Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: test\n' "$1" \
    >"$d/DEBIAN/control"
  echo "$2" >"$d/usr/share/$1/content"
  dpkg-deb --build "$d" "$T/${1}_1.0_all.deb" >/dev/null
}
make_deb air-hello "hello in a VM"
make_deb air-second "second in a VM"

out=$($Q template import vmbase --zone local "$T/rootfs.tar.xz" 2>&1)
contains "$out" "Adding the agent" && $Q template ls --zone local 2>/dev/null | grep -q "^local  *vmbase  *1 "
ok $? "import makes a qcow2 template from an xz root file system tarball, adding the agent"
check "… as version 1 of the template in the store" test -s "$vm/templates/vmbase/versions/1.qcow2"

# Qubes here have one vCPU unless a check is about vCPUs: with two, QEMU
# 7.2's multi-threaded TCG once crashed in a second vCPU's thread while a
# qube booted (a segfault of qemu-system-x86_64 in dmesg), a QEMU bug.
$Q create t1 --zone local --template vmbase --memory 256 --vcpus 1 >/dev/null 2>&1
out=$($Q start t1 2>&1)
ok $? "a VM qube boots from it and its agent answers ($out)"
same "… with the tarball's files as its root" imported "$($Q run t1 -- cat /etc/air-marker 2>&1)"

# --- Build in a VM: the package with the template's own (busybox) dpkg.
out=$($Q template create vmdev --zone local --from vmbase --package "$T/air-hello_1.0_all.deb" \
      --run 'echo one > /etc/built-by' 2>&1)
status=$?
[ $status -eq 0 ] || echo "$out" | sed 's/^/# /'
contains "$out" "Setting up air-hello" ; ok $? "create boots the base in a VM and installs a .deb there, showing its output"
$Q create t2 --zone local --template vmdev --memory 256 --vcpus 1 >/dev/null 2>&1
same "a qube of the new template has the package and the command's work" "hello in a VM
one" "$($Q run t2 -- cat /usr/share/air-hello/content /etc/built-by 2>&1)"
out=$($Q template update vmdev --package "$T/air-second_1.0_all.deb" --run 'echo two > /etc/built-by' 2>&1) ||
  echo "$out" | sed 's/^/# update: /'
same "a running qube keeps its version" one "$($Q run t2 -- cat /etc/built-by 2>&1)"
out=$($Q shutdown t2 2>&1) || echo "$out" | sed 's/^/# shutdown: /'
same "after update and restart it has the second package" "second in a VM
two" "$($Q run t2 -- cat /usr/share/air-second/content /etc/built-by 2>&1)"
$Q template rollback vmdev >/dev/null 2>&1; $Q shutdown t2 >/dev/null 2>&1
same "after roll back and restart the second package is gone" one \
  "$($Q run t2 -- sh -c 'test -e /usr/share/air-second/content && echo there; cat /etc/built-by' 2>&1)"
$Q kill t2 >/dev/null 2>&1; $Q rm t2 >/dev/null 2>&1; $Q template rm vmdev >/dev/null 2>&1

out=$($Q template rollback vmbase 2>&1)
contains "$out" "no previous version" ; ok $? "roll back with one version says so"
out=$($Q template rm vmbase 2>&1)
contains "$out" "used by 1 qube" ; ok $? "rm is refused while a qube uses it"

$Q kill t1 >/dev/null 2>&1; $Q rm t1 >/dev/null 2>&1
$Q template rm vmbase >/dev/null 2>&1
check "rm is accepted once no qube uses it, and leaves nothing" \
  test ! -e "$vm/templates/vmbase" -a -z "$(ls -A "$vm/templates" | grep -e '^\.build' -e '^\.removed')"

out=$($Q template import junk --zone local "$T/junk.tar" 2>&1)
contains "$out" "not a root file system" && [ ! -e "$vm/templates/junk" ]
ok $? "a tarball that is not a root file system is refused, nothing left"

exit $((failed > 0))
