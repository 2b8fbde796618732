#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# qair zone add --wireguard: the gateway's key pair is made in the vault
# (libsodium) and is what wg(8) would make and derive; the vault gives the
# private key to that zone's gateway only, and no file of the gateway holds
# it; the gateway's wg-quick file is private and accepted by wg-quick, and
# the zone host's half pairs with it. A zone made before the vault kept
# the keys (its wg-quick file has the private key) is reported as such by
# qair zones, cannot be brought up, and moves over with qair zone rekey,
# which wipes the old file. Runs under run-with-keyring.sh.
# Output: TAP.

set -u
Q=${QAIR_PROGRAM:?}
: "${AIR_VAULT_PROGRAM:?}"
root=$(mktemp -d "${TMPDIR:-/tmp}/air-wg-test.XXXXXX")
trap 'rm -rf "$root"' EXIT
export AIR_LOOPBACK_DIR="$root/loopback" AIR_ZONES_FILE="$root/zones.json"
export LC_ALL=C.UTF-8
# shellcheck source=tests/remote/remote-lib.sh
. "$(dirname "$0")/remote-lib.sh"

field () {   # field FILE KEY [NTH]: the value of "KEY = value", its NTH occurrence
  grep "^$2 = " "$1" | sed -n "${3:-1}p" | sed "s/^$2 = //"
}
# key_place ZONE: where qair zones --json says the zone's key is.
key_place () {
  "$Q" zones --json 2>/dev/null | python3 -c '
import json, sys
for z in json.load(sys.stdin)["zones"]:
    if z["name"] == sys.argv[1]:
        print(z.get("wireguard_key", "-"))' "$1"
}
# no_file_has DIR TEXT: no file under DIR contains TEXT.
no_file_has () {
  ! grep -rqF -- "$2" "$1"
}

command -v wg >/dev/null || skip "wireguard-tools is not installed"
echo "1..25"

out=$($Q zone add wgz --driver ssh --host 10.77.0.2 --timeout 1 --wireguard zone.example.org:51820 2>&1)
ok $? "qair zone add --wireguard"
state=$AIR_LOOPBACK_DIR/sys-remote-wgz
conf=$state/wireguard/air-wgz.conf
check "the gateway's wg-quick file is written with mode 0600" test "$(stat -c %a "$conf" 2>/dev/null)" = 600
check "wg-quick strip accepts it" sh -c "wg-quick strip '$conf' >/dev/null 2>&1"
check "… and it has no private key" sh -c "! grep -q PrivateKey '$conf'"
private=$(vault_key wgz sys-remote-wgz)
check "the vault gives the zone's private key to its gateway" test -n "$private"
gateway_public=$(printf '%s\n' "$private" | wg pubkey)
case "$out" in *"public key $gateway_public"*) s=0 ;; *) s=1 ;; esac
ok $s "the printed public key is what wg pubkey derives from the vault's private key"
check "no file of the gateway's state holds the private key" no_file_has "$state" "$private"
other=$(vault_key wgz sys-remote-other)
check "the vault refuses the key to another zone's gateway" \
  test -z "$other" -a -n "$(grep "not the gateway of zone" "$root/vault-err")"
other=$(vault_key wgz mgmt)
check "… and to the management qube" test -z "$other"
printf '%s\n' "$out" | sed -n '/^\[Interface\]/,$p' >"$root/host.conf"
check "the zone host's half names the gateway's key" test "$(field "$root/host.conf" PublicKey)" = "$gateway_public"
check "the gateway's peer is the zone host's key" \
  test "$(field "$root/host.conf" PrivateKey | wg pubkey)" = "$(field "$conf" PublicKey)"
check "the zone host's file is accepted too" sh -c "cp '$root/host.conf' '$root/wghost.conf' && wg-quick strip '$root/wghost.conf' >/dev/null 2>&1"
check "qair zones --json: the zone's key is in the vault" test "$(key_place wgz)" = vault
out=$($Q zone rekey wgz 2>&1)
status=$?
[ $status -ne 0 ] && printf '%s\n' "$out" | sed 's/^/# /'
rekeyed=$(vault_key wgz sys-remote-wgz)
check "qair zone rekey replaces a key the vault has: a new one, kept once" \
  test $status -eq 0 -a -n "$rekeyed" -a "$rekeyed" != "$private" \
       -a "$($Q cred ls 2>/dev/null | grep -c "^wgz  *wireguard-key")" = 1

peer=$(wg genkey | wg pubkey)
out=$($Q zone add wgp --driver ssh --host 10.77.0.6 --timeout 1 --wireguard 192.0.2.1:51820 --wireguard-peer-key "$peer" 2>&1)
conf_p=$AIR_LOOPBACK_DIR/sys-remote-wgp/wireguard/air-wgp.conf
check "with the host's own key, the gateway peers with it" test "$(field "$conf_p" PublicKey)" = "$peer"
case "$out" in *PrivateKey*) s=1 ;; *) s=0 ;; esac
ok $s "… and no private key is printed"

# --- A zone made before the vault kept the keys: its gateway's file has
# --- the private key, the vault has none.
old_private=$(wg genkey)
{
  echo "[Interface]"
  echo "PrivateKey = $old_private"
  echo "Address = 10.77.0.1/30"
  echo
  echo "[Peer]"
  echo "PublicKey = $peer"
  echo "Endpoint = 192.0.2.1:51820"
  echo "AllowedIPs = 10.77.0.2/32"
} >"$conf_p"
$Q cred rm wgp --kind wireguard-key >/dev/null 2>&1
check "qair zones --json says when a zone's key is not in the vault" test "$(key_place wgp)" = not-in-vault
out=$($Q zones 2>/dev/null)
case "$out" in *"WireGuard key of zone “wgp” is not in the vault yet"*"qair zone rekey wgp"*) s=0 ;; *) s=1 ;; esac
ok $s "… and so does qair zones, with how to move it"
out=$($Q zone up wgp 2>&1)
status=$?
case "$out" in *"not in the vault yet"*"qair zone rekey wgp"*) s=$status ;; *) s=0 ;; esac
[ $s -eq 0 ] && printf '%s\n' "$out" | sed 's/^/# /'
check "qair zone up refuses it, saying how to move the key" test $s -ne 0

out=$($Q zone rekey wgp 2>&1)
status=$?
[ $status -ne 0 ] && printf '%s\n' "$out" | sed 's/^/# /'
new_private=$(vault_key wgp sys-remote-wgp)
new_public=$(printf '%s\n' "$new_private" | wg pubkey 2>/dev/null)
case "$out" in *"[Peer]"*"PublicKey = $new_public"*) s=$status ;; *) s=1 ;; esac
ok $s "qair zone rekey: a new pair in the vault, the host's new [Peer] printed"
check "… the old private key is in no file of the gateway" no_file_has "$AIR_LOOPBACK_DIR/sys-remote-wgp" "$old_private"
check "… nor the new one" no_file_has "$AIR_LOOPBACK_DIR/sys-remote-wgp" "$new_private"
check "… the gateway still peers with the host's key" test "$(field "$conf_p" PublicKey)" = "$peer"
check "… and qair zones --json says the key is in the vault" test "$(key_place wgp)" = vault

$Q zone rm wgp >/dev/null 2>&1
check "qair zone rm removes the zone's WireGuard key from the vault" \
  sh -c "! '$Q' cred ls 2>/dev/null | grep -q '^wgp '"

[ $failed -eq 0 ]
