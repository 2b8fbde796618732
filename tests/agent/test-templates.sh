#!/bin/sh
# test-templates.sh QAIR — templates on the bubblewrap backend (TAP), as a
# user drives them with qair: import a root file system the test makes
# (busybox, with busybox's dpkg), build on it with local .deb files the
# test makes with dpkg-deb (no network), see the packages inside a qube,
# update, roll back, remove; and every failure leaves no template behind.
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
QAIR=$1
. "$(dirname "$0")/../tap.sh"

busybox=/bin/busybox
if ! command -v bwrap >/dev/null || ! command -v dpkg-deb >/dev/null || [ ! -x "$busybox" ] ||
   ! "$busybox" --list | grep -qx dpkg; then
  echo "1..0 # SKIP needs bwrap, dpkg-deb and a busybox with dpkg"
  exit 0
fi

top=$(mktemp -d "$PWD/templates-XXXXXX")
chmod 0755 "$top"
cleanup () {
  AIR_LOOPBACK_DIR=$top/lb HOME=$top/home "$QAIR" kill t1 >/dev/null 2>&1
  rm -rf "$top"
}
trap cleanup EXIT

export AIR_TRANSPORT=loopback AIR_LOOPBACK_DIR="$top/lb" HOME="$top/home"
export XDG_CONFIG_HOME="$top/home/config" XDG_DATA_HOME="$top/home/data"
mkdir -p "$HOME"
templates=$AIR_LOOPBACK_DIR/sys-remote-local/templates

if ! "$QAIR" zones --json 2>/dev/null | grep -q '"isolation":"namespaces"'; then
  echo "1..0 # SKIP bwrap cannot confine qubes here"
  exit 0
fi
echo "1..18"

# --- What the test brings: a root file system and two packages.
root=$top/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/var/lib/dpkg/info" "$root/usr/share"
cp "$busybox" "$root/bin/busybox"
for applet in sh cat ls dpkg mkdir rm echo sleep test; do ln -s busybox "$root/bin/$applet"; done
: >"$root/var/lib/dpkg/status"
tar -C "$root" -czf "$top/base.tar.gz" .
tar -C "$top" -cf "$top/not-a-root.tar" home

make_deb () {  # NAME FILE-CONTENT
  d=$top/pkg-$1
  mkdir -p "$d/DEBIAN" "$d/usr/share/$1"
  printf 'Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: Test <test@example.org>\nDescription: test package\n' \
    "$1" >"$d/DEBIAN/control"
  echo "$2" >"$d/usr/share/$1/content"
  dpkg-deb --build "$d" "$top/${1}_1.0_all.deb" >/dev/null
}
make_deb air-hello "hello from the package"
make_deb air-second "the second package"

in_qube () { "$QAIR" run t1 -- "$@" 2>&1; }
no_leftovers () { ! ls -a "$templates" | grep -q -e '^\.build-' -e '^\.removed-'; }

# --- Import.
out=$("$QAIR" template import base --zone local "$top/base.tar.gz" 2>&1)
check "import makes version 1 of a template from a root file system tarball, step by step" \
  'echo "$out" | grep -q "Unpacking the root file system" && "$QAIR" template ls --zone local | grep -q "^local  *base  *1 "'
out=$("$QAIR" template import junk --zone local "$top/not-a-root.tar" 2>&1)
check "a tarball that is not a root file system is refused, and no template is left" \
  'echo "$out" | grep -q "not a root file system" && ! "$QAIR" template ls | grep -q " junk " && no_leftovers'
out=$("$QAIR" template import base --zone local "$top/base.tar.gz" 2>&1)
check "a name that is taken is refused" 'echo "$out" | grep -q "already a template “base”"'

# --- Create with a local .deb and a command.
out=$("$QAIR" template create dev --zone local --from base --package "$top/air-hello_1.0_all.deb" \
      --run 'echo one > /etc/built-by' 2>&1)
check "create installs a local .deb with the template's own dpkg and shows its output" \
  'echo "$out" | grep -q "Installing package files" && echo "$out" | grep -q "Setting up air-hello"'
"$QAIR" create t1 --zone local --template dev >/dev/null 2>&1 && "$QAIR" start t1 >/dev/null 2>&1
check "a new qube of the template has the package and the command's work" \
  '[ "$(in_qube cat /usr/share/air-hello/content)" = "hello from the package" ] && [ "$(in_qube cat /etc/built-by)" = one ]'
check "the qube cannot change its template's files" '! in_qube sh -c "echo x > /etc/built-by" >/dev/null'
check "ls shows version, base, users and packages" \
  '"$QAIR" template ls | grep "^local  *dev " | grep -q " 1 .* base  *1 .*air-hello_1.0_all.deb"'

# --- Update: seen at the next start only; roll back.
"$QAIR" template update dev --package "$top/air-second_1.0_all.deb" --run 'echo two > /etc/built-by' >/dev/null 2>&1
check "a running qube keeps the version it started on" '[ "$(in_qube cat /etc/built-by)" = one ]'
"$QAIR" shutdown t1 >/dev/null 2>&1; "$QAIR" start t1 >/dev/null 2>&1
check "after an update and a restart the qube has the second package" \
  '[ "$(in_qube cat /usr/share/air-second/content)" = "the second package" ] && [ "$(in_qube cat /etc/built-by)" = two ]'
out=$("$QAIR" template rollback dev 2>&1)
"$QAIR" shutdown t1 >/dev/null 2>&1; "$QAIR" start t1 >/dev/null 2>&1
check "roll back: version 1 again, the second package gone after a restart" \
  'echo "$out" | grep -q "back at version 1" && ! in_qube test -e /usr/share/air-second/content && [ "$(in_qube cat /etc/built-by)" = one ]'

# Root of the build's own namespace only: never the zone host's root.
out=$("$QAIR" template update dev --run 'cat /proc/self/uid_map' 2>&1)
outside=$(echo "$out" | awk '$1 == "0" && $3 == "1" { print $2; exit }')
check "a build's root is root of its own user namespace only (uid $outside outside)" \
  '[ -n "$outside" ] && [ "$outside" != 0 ]'
"$QAIR" template rollback dev >/dev/null 2>&1

# --- Failures leave nothing.
out=$("$QAIR" template create broken --zone local --from base --run 'echo about to fail; exit 7' 2>&1)
check "a failing --run names the step and its output, and leaves no template" \
  'echo "$out" | grep -q "Running the command.*exit status 7" && echo "$out" | grep -q "about to fail" &&
   ! "$QAIR" template ls | grep -q " broken " && no_leftovers'
out=$("$QAIR" template create broken --zone local --from nosuchbase 2>&1)
check "an unknown base is named" 'echo "$out" | grep -q "Unknown base.*nosuchbase"'
out=$("$QAIR" template create broken --zone local --from base --package no-such-package 2>&1)
check "a package by name the template cannot install gives the template's own words" \
  'echo "$out" | grep -q "Installing packages" && echo "$out" | grep -q "no apt-get or dnf" && no_leftovers'

# A full disk: the zone host's templates on a 3 MiB file system of their
# own (a private mount namespace, as root), a build that fills it.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
  out=$(unshare -m sh -c 'mount --make-rprivate / && mkdir -p "$1" && mount -t tmpfs -o size=3m tmpfs "$1" &&
          "$2" template import small --zone local "$3" >/dev/null 2>&1 &&
          "$2" template create full --zone local --from small --run "dd if=/dev/zero of=/fill bs=1M count=8" 2>&1
          echo "left: $(ls -A "$1" | grep -v -e "^\.small\.lock" -e "^\.full\.lock" -e "^small$" | tr "\n" " ")"' \
        sh "$templates" "$QAIR" "$top/base.tar.gz" 2>&1)
  check "a build that runs out of disk says so (No space left on device), and leaves nothing" \
    'echo "$out" | grep -q "No space left on device" && echo "$out" | grep -q "^left: *$"'
else
  ok "a build that runs out of disk says so (No space left on device), and leaves nothing # SKIP needs root and unshare"
fi

# kill -9 of the agent in the middle of a build: nothing half-made stays.
"$QAIR" template create slow --zone local --from base --run 'sleep 60' >/dev/null 2>&1 &
builder=$!
agent=
for _ in $(seq 1 100); do
  for pid in $(pgrep -f qubes-air-agent); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx 'QREXEC_SERVICE_FULL_NAME=qubesair.TemplateCreate+slow'; then
      agent=$pid
    fi
  done
  [ -n "$agent" ] && ls -a "$templates" | grep -q '^\.build-slow-' && break
  sleep 0.1
done
[ -n "$agent" ] && kill -9 "$agent"
wait "$builder" 2>/dev/null
"$QAIR" template ls >/dev/null 2>&1
check "kill -9 of the agent during a build leaves no half template once it runs again" \
  '[ -n "$agent" ] && ! "$QAIR" template ls | grep -q " slow " && no_leftovers'

# --- Remove.
out=$("$QAIR" template rm dev 2>&1)
check "rm is refused while a qube uses the template" 'echo "$out" | grep -q "used by 1 qube" && "$QAIR" template ls | grep -q " dev "'
"$QAIR" kill t1 >/dev/null 2>&1; "$QAIR" rm t1 >/dev/null 2>&1
check "rm is accepted once no qube uses it, and leaves nothing" \
  '"$QAIR" template rm dev >/dev/null 2>&1 && ! "$QAIR" template ls | grep -q " dev " && [ ! -e "$templates/dev" ] && no_leftovers'

exit $((failed > 0))
