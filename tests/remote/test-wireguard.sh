#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# qair zone add --wireguard: the keys the gateway makes (libsodium) are the
# ones wg(8) would make and derive, the gateway's wg-quick file is private
# and accepted by wg-quick, and the zone host's half pairs with it.
# Output: TAP.

set -u
Q=${QAIR_PROGRAM:?}
root=$(mktemp -d "${TMPDIR:-/tmp}/air-wg-test.XXXXXX")
trap 'rm -rf "$root"' EXIT
export AIR_LOOPBACK_DIR="$root/loopback" AIR_ZONES_FILE="$root/zones.json"
n=0
failed=0

ok () {
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
check () {
  d=$1
  shift
  if "$@"; then ok 0 "$d"; else ok 1 "$d"; fi
}
field () {   # field FILE KEY [NTH]: the value of "KEY = value", its NTH occurrence
  grep "^$2 = " "$1" | sed -n "${3:-1}p" | sed "s/^$2 = //"
}

if ! command -v wg >/dev/null; then
  echo "1..0 # SKIP wireguard-tools is not installed"
  exit 0
fi
echo "1..9"

out=$($Q zone add wgz --driver ssh --host 10.77.0.2 --wireguard zone.example.org:51820 2>&1)
ok $? "qair zone add --wireguard"
conf=$AIR_LOOPBACK_DIR/sys-remote-wgz/wireguard/air-wgz.conf
check "the gateway's wg-quick file is written with mode 0600" test "$(stat -c %a "$conf" 2>/dev/null)" = 600
check "wg-quick strip accepts it" sh -c "wg-quick strip '$conf' >/dev/null 2>&1"
gateway_public=$(field "$conf" PrivateKey | wg pubkey)
case "$out" in *"public key $gateway_public"*) s=0 ;; *) s=1 ;; esac
ok $s "the printed public key is what wg pubkey derives from the private one"
printf '%s\n' "$out" | sed -n '/^\[Interface\]/,$p' >"$root/host.conf"
check "the zone host's half names the gateway's key" test "$(field "$root/host.conf" PublicKey)" = "$gateway_public"
check "the gateway's peer is the zone host's key" \
  test "$(field "$root/host.conf" PrivateKey | wg pubkey)" = "$(field "$conf" PublicKey)"
check "the zone host's file is accepted too" sh -c "cp '$root/host.conf' '$root/wghost.conf' && wg-quick strip '$root/wghost.conf' >/dev/null 2>&1"

peer=$(wg genkey | wg pubkey)
out=$($Q zone add wgp --driver ssh --host 10.77.0.6 --wireguard 192.0.2.1:51820 --wireguard-peer-key "$peer" 2>&1)
conf=$AIR_LOOPBACK_DIR/sys-remote-wgp/wireguard/air-wgp.conf
check "with the host's own key, the gateway peers with it" test "$(field "$conf" PublicKey)" = "$peer"
case "$out" in *PrivateKey*) s=1 ;; *) s=0 ;; esac
ok $s "… and no private key is printed"

[ $failed -eq 0 ]
