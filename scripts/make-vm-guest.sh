#!/bin/sh
# make-vm-guest.sh OUTDIR AGENT — what a zone host's libvirt backend needs
# to run qubes as virtual machines, from Debian packages alone:
#
#   OUTDIR/vmlinuz          the kernel of linux-image-cloud-amd64
#   OUTDIR/initrd.img       busybox and the virtio modules: mounts the
#                           qube's root (vda) and private volume (vdb, at
#                           /home/user), then starts the agent as PID 1
#   OUTDIR/template.qcow2   a small first template: busybox, AGENT and the
#                           libraries it needs (ldd), nothing else
#
# Put the first two in STATE/vm/kernel/ and the template in
# STATE/vm/templates/NAME.qcow2 of the zone host's agent (README, "Qubes
# as virtual machines"). A real template is any root file system with
# qubes-air-agent at /usr/lib/qubes-air/qubes-air-agent.
#
# Needs: apt-get (for the kernel, once; AIR_VM_CACHE keeps it),
# busybox-static, cpio, e2fsprogs, qemu-utils.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

out=${1:?usage: make-vm-guest.sh OUTDIR AGENT}
agent=${2:?usage: make-vm-guest.sh OUTDIR AGENT}
cache=${AIR_VM_CACHE:-$out/cache}
mkdir -p "$out" "$cache"
out=$(cd "$out" && pwd)
cache=$(cd "$cache" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/air-vm-guest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- The kernel: the image package linux-image-cloud-amd64 depends on.
deb=$(ls "$cache"/linux-image-*-cloud-amd64_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
  # A fresh machine may have no package lists yet.
  if ! apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -q >/dev/null 2>&1 || true
  fi
  pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -1)
  [ -n "$pkg" ] || { echo "make-vm-guest: no linux-image-cloud-amd64 in apt's lists (apt-get update?)" >&2; exit 1; }
  (cd "$cache" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
    { echo "make-vm-guest: apt-get download $pkg failed" >&2; exit 1; }
  deb=$(ls "$cache"/linux-image-*-cloud-amd64_*.deb | head -1)
fi
dpkg-deb -x "$deb" "$tmp/kernel"
cp "$(ls "$tmp"/kernel/boot/vmlinuz-* | head -1)" "$out/vmlinuz.partial"
mv "$out/vmlinuz.partial" "$out/vmlinuz"

# --- The initramfs.
# busybox-static's: the initramfs has no libraries.
busybox=/bin/busybox
ldd "$busybox" >/dev/null 2>&1 && { echo "make-vm-guest: $busybox is not static (install busybox-static)" >&2; exit 1; }
mkdir -p "$tmp/initrd/bin" "$tmp/initrd/modules" "$tmp/initrd/proc" "$tmp/initrd/sys" \
         "$tmp/initrd/dev" "$tmp/initrd/newroot"
cp "$busybox" "$tmp/initrd/bin/busybox"
for applet in sh mount umount insmod sleep cat mkdir switch_root poweroff mkswap swapon hostname ip; do
  ln -s busybox "$tmp/initrd/bin/$applet"
done
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk virtio_console \
         failover net_failover virtio_net; do
  find "$tmp/kernel/lib/modules" -name "$m.ko" -exec cp {} "$tmp/initrd/modules/" \;
  [ -e "$tmp/initrd/modules/$m.ko" ] || { echo "make-vm-guest: module $m missing from the kernel package" >&2; exit 1; }
done
cat >"$tmp/initrd/init" <<'INIT'
#!/bin/sh
# Qubes Air VM qube: the volumes, then the agent as PID 1 of the root.
export PATH=/bin
fail () { echo "qubes-air initramfs: $*" >&2; poweroff -f; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk virtio_console \
         failover net_failover virtio_net; do
  insmod /modules/$m.ko || fail "cannot load $m"
done
ip link set lo up
port=
for word in $(cat /proc/cmdline); do
  case $word in
    air.port=*) port=${word#air.port=} ;;
    air.name=*) hostname "${word#air.name=}" ;;
  esac
done
dev=
i=0
while [ $i -lt 200 ]; do
  for p in /sys/class/virtio-ports/*; do
    [ "$(cat "$p/name" 2>/dev/null)" = "$port" ] && dev=/dev/${p##*/}
  done
  [ -b /dev/vdb ] && [ -n "$dev" ] && [ -e "$dev" ] && break
  sleep 0.05
  i=$((i + 1))
done
[ -n "$dev" ] || fail "no channel $port"
mount -t ext4 /dev/vda /newroot || fail "cannot mount the root volume"
mount -t ext4 -o nosuid,nodev /dev/vdb /newroot/home/user || fail "cannot mount the private volume"
[ -b /dev/vdc ] && mkswap /dev/vdc >/dev/null 2>&1 && swapon /dev/vdc
# A qube given a network has one NIC, on QEMU's user-mode NAT (its fixed
# addresses: 10.0.2.15, gateway 10.0.2.2, DNS 10.0.2.3).
if [ -e /sys/class/net/eth0 ]; then
  ip link set eth0 up
  ip addr add 10.0.2.15/24 dev eth0
  ip route add default via 10.0.2.2
  echo "nameserver 10.0.2.3" >/newroot/etc/resolv.conf
fi
mount -t tmpfs -o nosuid,nodev tmpfs /newroot/tmp
mount --move /dev /newroot/dev
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
exec switch_root /newroot /usr/lib/qubes-air/qubes-air-agent --vm-init "$dev"
INIT
chmod 0755 "$tmp/initrd/init"
(cd "$tmp/initrd" && find . | cpio -o -H newc --quiet | gzip -9) >"$out/initrd.img.partial"
mv "$out/initrd.img.partial" "$out/initrd.img"

# --- The template: busybox, the agent and its libraries.
root=$tmp/root
mkdir -p "$root/bin" "$root/usr/lib/qubes-air" "$root/etc" "$root/home/user" "$root/root" \
         "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/run"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
cp "$agent" "$root/usr/lib/qubes-air/qubes-air-agent"
for lib in $(ldd "$agent" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$root/etc/group"
chmod 1777 "$root/tmp"
size=$(( $(du -sm "$root" | cut -f1) + 64 ))
mkfs.ext4 -q -F -L root -d "$root" "$tmp/root.raw" "${size}M" >/dev/null
qemu-img convert -q -f raw -O qcow2 "$tmp/root.raw" "$out/template.qcow2.partial"
mv "$out/template.qcow2.partial" "$out/template.qcow2"
echo "$out: vmlinuz initrd.img template.qcow2"
