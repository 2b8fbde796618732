#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A Proxmox VE zone reached through its WireGuard tunnel (qair zone add
# --driver proxmox … --wireguard). Two network namespaces of this test's
# own, the gateway and the "Proxmox host", joined by a veth pair;
# userspace wireguard-go on each side. The stand-in server
# (pve-test-server.py, run with its usual options) listens on the host's
# 127.0.0.1, and a forwarder of this test makes it answer on the host's
# tunnel address only, port 8006, as pveproxy would: the gateway reaches
# the API through WireGuard or not at all. qair, the vault's calls and the
# gateway's agents run in the gateway's namespace.
#
# Checked as a user sees it: the zone added and the host's half printed
# (with how to install it on the Proxmox host); trust refused while the
# tunnel is down, saying so; the gateway's end brought up by the gateway
# (qair zone up), the certificate pinned through the tunnel; ls, create,
# start, run through it; no WireGuard private key in any file of the
# gateway's state; the zone down when the host's end goes away, and down
# with WireGuard's reason when the gateway's tunnel is gone; bad input
# (an endpoint that is not HOST:PORT, a gateway without wg) refused with a
# message naming it. Runs under run-with-keyring.sh. Output: TAP.

set -u

root=${AIR_TEST_ROOT:?run me with run-with-keyring.sh}
Q=${QAIR_PROGRAM:?}
: "${AIR_VAULT_PROGRAM:?}" "${AIR_AGENT_PROGRAM:?}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/remote/remote-lib.sh
. "$here/../remote/remote-lib.sh"
export LC_ALL=C.UTF-8

wireguard_require wireguard-go wg wg-quick ip python3 openssl

# Names of this run's own: wireguard-go's sockets are shared by every
# namespace, and other tests make namespaces too.
zone=pxw$$
gw_if=air-$zone
host_if=pxh$$
gw=pvewg-gw-$$
ph=pvewg-pve-$$
gw_veth=192.168.78.1
host_veth=192.168.78.2
endpoint=$host_veth:51820
pve=$root/pve
secret_dir=$root/secret-only-here
gw_state=${AIR_LOOPBACK_DIR:?}/sys-remote-$zone
host_conf=$root/$host_if.conf

G () { ip netns exec "$gw" "$@"; }
H () { ip netns exec "$ph" "$@"; }

cleanup () {
  exec 3>&- 2>/dev/null
  netns_pair_del "$gw" "$ph" "vpg$$" "$gw_if" "$host_if"
}
trap cleanup EXIT
trap 'exit 143' INT TERM HUP

# answers NS ADDRESS PORT: a TCP connection from NS to ADDRESS:PORT opens.
answers () {
  ip netns exec "$1" python3 -c '
import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()' "$2" "$3" 2>/dev/null
}

echo "1..26"

netns_pair_add "$gw" "$ph" "vpg$$" "vph$$" "$gw_veth" "$host_veth"
status=$?
ok $status "the gateway and the Proxmox host: two network namespaces joined by a veth pair"
[ $status -eq 0 ] || { echo "Bail out! no network namespaces"; exit 1; }

# --- The stand-in server, on the Proxmox host's loopback.
mkdir -p "$pve/vms" "$secret_dir"
chmod 700 "$secret_dir"
printf 'root@pam!qubes=%s\n' "$(python3 -c 'import uuid; print(uuid.uuid4())')" >"$secret_dir/token"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=pve1 -keyout "$pve/cert.key" -out "$pve/cert.pem" >/dev/null 2>&1
mkfifo "$pve/in"
H python3 "$here/pve-test-server.py" --cert "$pve/cert.pem" --key "$pve/cert.key" \
  --token-file "$secret_dir/token" --port-file "$pve/port" --state "$pve/vms" <"$pve/in" &
exec 3>"$pve/in"
wait_until 10 test -s "$pve/port"
port=$(cat "$pve/port")
fingerprint=$(printf 'SHA256:%s' "$(openssl x509 -in "$pve/cert.pem" -pubkey -noout |
  openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64 | tr -d '=')")
G "$Q" cred put "$zone" --kind proxmox-token <"$secret_dir/token" >/dev/null 2>"$root/err"
check "the stand-in server listens on the host's loopback, its token is in the vault" \
  test -n "$port" -a $? -eq 0

# --- Bad input: said plainly, nothing added.
out=$(G "$Q" zone add bad$$ --driver proxmox --url "https://pve.example:8006" --node pve1 \
        --wireguard 'pve.example;reboot' </dev/null 2>&1)
status=$?
check "zone add --driver proxmox with an endpoint that is not HOST:PORT is refused" test $status -ne 0
contains "$out" "is not a WireGuard endpoint: write HOST:PORT"; ok $? "… naming the endpoint as what is wrong"
out=$(G "$Q" zone add bad$$ --driver proxmox --url "https://pve.example:8006" --node pve1 \
        --wireguard "$endpoint" --wireguard-peer-key notakey </dev/null 2>&1)
status=$?
check "… and with a Proxmox host key that is not a WireGuard key" test $status -ne 0
contains "$out" "WireGuard key must be 44 characters"; ok $? "… saying what a key looks like"

# --- The zone, with its tunnel. The URL names the server as the user
# --- knows it; the gateway speaks to it at its tunnel address.
out=$(G "$Q" zone add "$zone" --driver proxmox --url "https://pve.example:8006" --node pve1 \
        --wireguard "$endpoint" </dev/null 2>&1)
status=$?
[ $status -ne 0 ] && printf '%s\n' "$out" | sed 's/^/# /'
host_half "$out" "$host_conf"
host_addr=$(conf_value Address <"$host_conf" | sed 's|/30$||')
check "qair zone add --driver proxmox --wireguard" test $status -eq 0 -a -n "$host_addr"
contains "$out" "systemctl enable --now wg-quick@$gw_if"
ok $? "… prints the Proxmox host's half, with how to install it there"
check "… and the gateway keeps the tunnel with the zone's settings" \
  sh -c "grep -q '\"wireguard\":\"$endpoint\"' '$gw_state/proxmox.json' && test -s '$gw_state/wireguard/$gw_if.conf'"
gw_private=$(vault_key)
check "the vault keeps the gateway's private key; no file of the gateway's state has it" \
  sh -c "[ -n '$gw_private' ] && ! grep -rqF -- '$gw_private' '$gw_state'"

out=$(G "$Q" zone trust "$zone" --fingerprint "$fingerprint" 2>&1)
status=$?
check "trust before the tunnel is up fails" test $status -ne 0
contains "$out" "qair zone up $zone"; ok $? "… saying to bring the tunnel up"

# --- A gateway without wg: the message names it.
mkdir -p "$root/nowg"
for tool in ip timeout wireguard-go sh; do ln -sf "$(command -v "$tool")" "$root/nowg/$tool"; done
out=$(G env PATH="$root/nowg" "$Q" zone up "$zone" 2>&1)
status=$?
check "qair zone up in a gateway without wg fails" test $status -ne 0
contains "$out" "“wg” is not installed in this gateway: install wireguard-tools"; ok $? "… saying what to install"

# --- The tunnel: the host's end as the user would bring it up, the API
# --- answering on the host's tunnel address only; the gateway's end by
# --- the gateway.
tunnel_up "$ph" "$host_if" "$host_conf" "$host_addr"
status=$?
H python3 -c '
import socket, sys, threading
def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
listener = socket.create_server((sys.argv[1], 8006))
while True:
    client, _ = listener.accept()
    server = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    for a, b in ((client, server), (server, client)):
        threading.Thread(target=pipe, args=(a, b), daemon=True).start()' "$host_addr" "$port" &
out=$(G "$Q" zone up "$zone" 2>&1)
s=$?
[ $((status + s)) -ne 0 ] && printf '%s\n' "$out" | sed 's/^/# /'
ok $((status + s)) "the tunnel is up: the host's end by hand, the gateway's with qair zone up"
wait_until 10 answers "$gw" "$host_addr" 8006 && ! answers "$gw" "$host_veth" 8006 && ! answers "$gw" "$host_veth" "$port"
ok $? "the gateway reaches the API at the host's tunnel address ($host_addr:8006) only"

out=$(G "$Q" zone trust "$zone" --fingerprint "$fingerprint" 2>&1)
check "the certificate is pinned through the tunnel" contains "$out" "Pinned the certificate key $fingerprint"

# --- Qubes through the tunnel.
wait_until 20 health_is "up *"
ok $? "qair zones: the zone is up (“$health”)"
G "$Q" create p1 --zone "$zone" --template debian-12 --label blue >/dev/null 2>"$root/err" &&
  G "$Q" start "$zone:p1" >/dev/null 2>>"$root/err"
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$root/err"
G "$Q" ls --zone "$zone" 2>&1 | grep -q p1
s=$?
ok $((status + s)) "create and start a qube through the tunnel; ls lists it"
out=$(printf 'through\nwireguard\n' | G "$Q" run "$zone:p1" -- sh -c 'tr a-z A-Z; exit 3' 2>"$root/err")
status=$?
check "run through the tunnel: output and exit status (3)" test "$out" = "THROUGH
WIREGUARD" -a $status -eq 3
check "after all this, no file of the gateway's state has a WireGuard private key" \
  sh -c "! grep -rqF -- '$gw_private' '$gw_state' && ! grep -rqE '^ *PrivateKey *=' '$gw_state'"

# --- The host's end goes away: the server does not answer, the zone is down.
ip -n "$ph" link set "$host_if" down
wait_until 40 health_is "down *"
ok $? "when the host's end of the tunnel goes down, qair zones shows the zone down (“$health”)"
ip -n "$ph" link set "$host_if" up
wait_until 40 health_is "up *"
ok $? "… and up again when it comes back"

# --- The gateway's tunnel gone: down, with WireGuard's reason.
kill "$(pgrep -x -f "wireguard-go -f $gw_if")" 2>/dev/null
wait_until 5 sh -c "! ip netns exec '$gw' test -e /sys/class/net/$gw_if"
wait_until 20 health_is "down *"
ok $? "with the gateway's tunnel gone, the zone is down"
contains "$health" "WireGuard: the tunnel to the Proxmox server is not up in this gateway"
ok $? "… saying why, and how to bring it up"

# --- Removing the zone takes its tunnel and its key.
G "$Q" zone up "$zone" >/dev/null 2>&1
G "$Q" zone rm "$zone" >/dev/null 2>&1
wait_until 5 sh -c "! ip netns exec '$gw' test -e /sys/class/net/$gw_if"
s=$?
key_after=$(vault_key)
check "qair zone rm takes the tunnel down and the vault's key with it" test $s -eq 0 -a -z "$key_after"

[ $failed -eq 0 ]
