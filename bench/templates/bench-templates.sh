#!/bin/sh
# bench-templates.sh — templates on the bubblewrap backend, timed through
# qair and the loopback transport: a create with one small local .deb on a
# busybox base (each step's time), and `qair template ls` with 100
# templates (goal: under 50 ms). Prints figures; asserts nothing.
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
QAIR=${QAIR_PROGRAM:?}
busybox=/bin/busybox
if ! command -v bwrap >/dev/null || ! command -v dpkg-deb >/dev/null || [ ! -x "$busybox" ]; then
  echo "# skipped: needs bwrap, dpkg-deb and busybox"
  exit 0
fi
top=$(mktemp -d "${TMPDIR:-/tmp}/bench-templates-XXXXXX")
trap 'rm -rf "$top"' EXIT
export AIR_TRANSPORT=loopback AIR_LOOPBACK_DIR="$top/lb" HOME="$top/home"
export XDG_CONFIG_HOME="$top/home/config" XDG_DATA_HOME="$top/home/data"
mkdir -p "$HOME"
templates=$AIR_LOOPBACK_DIR/sys-remote-local/templates
ms () { echo $(( $(date +%s%N) / 1000000 )); }

root=$top/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/var/lib/dpkg/info"
cp "$busybox" "$root/bin/busybox"
for applet in sh cat dpkg; do ln -s busybox "$root/bin/$applet"; done
: >"$root/var/lib/dpkg/status"
tar -C "$root" -czf "$top/base.tar.gz" .
mkdir -p "$top/pkg/DEBIAN" "$top/pkg/usr/share/bench"
printf 'Package: air-bench\nVersion: 1.0\nArchitecture: all\nMaintainer: B <b@example.org>\nDescription: bench\n' \
  >"$top/pkg/DEBIAN/control"
head -c 65536 /dev/urandom >"$top/pkg/usr/share/bench/data"
dpkg-deb --build "$top/pkg" "$top/air-bench_1.0_all.deb" >/dev/null

t=$(ms); "$QAIR" template import base --zone local "$top/base.tar.gz" >/dev/null
echo "# import of a $(du -k "$top/base.tar.gz" | cut -f1) KiB busybox root: $(( $(ms) - t )) ms"

# Each step's time: from the line that begins it to the next.
start=$(ms)
"$QAIR" template create dev --zone local --from base --package "$top/air-bench_1.0_all.deb" \
  --run 'test -e /usr/share/bench/data' | while IFS= read -r line; do
    now=$(ms)
    case $line in
      "["*) [ -n "${step:-}" ] && echo "#   $step: $(( now - begun )) ms"; step=$line; begun=$now ;;
      Template*) [ -n "${step:-}" ] && echo "#   $step: $(( now - begun )) ms" ;;
    esac
  done
echo "# template create with one small .deb: $(( $(ms) - start )) ms in all"

# 100 templates: copies of the one built, as the store keeps them.
for i in $(seq 1 99); do cp -a "$templates/dev" "$templates/t$i"; done
times=
for _ in 1 2 3 4 5 6 7; do
  t=$(ms); "$QAIR" template ls --zone local >/dev/null; times="$times $(( $(ms) - t ))"
done
median=$(echo $times | tr ' ' '\n' | sort -n | sed -n 4p)
echo "# qair template ls, 100 templates (+host): median $median ms of 7 (goal < 50 ms): $times"
