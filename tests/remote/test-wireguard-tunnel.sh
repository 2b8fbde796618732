#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A remote zone through a real WireGuard tunnel. Two network namespaces of
# this test's own, the gateway and the zone host, joined by a veth pair;
# userspace wireguard-go on each side (kernel WireGuard is not needed),
# configured from what `qair zone add --wireguard` wrote and printed. The
# host's sshd listens on its tunnel address only, so SSH goes through
# WireGuard or not at all. qair, the gateway's agent and its SSH connection
# run in the gateway's namespace, whose /sys/class/net (ip netns exec
# mounts it) shows the zone's tunnel interface.
#
# The gateway's end is brought up by the gateway itself (qair zone up):
# its private key comes from the vault through a pipe, and no file of the
# gateway's state holds it, before or after.
#
# Checked as a user sees it: the zone's health from `wg show` (latest
# handshake, transfer counters) in `qair zones` and `qair events`; qubes
# working through the tunnel; the zone going down when the host's end of
# the tunnel goes away and up again when it returns; and, where the zone's
# WireGuard interface is not there, the health from the SSH connection
# alone. Runs under run-with-keyring.sh (through run-remote.sh).
# Output: TAP.

set -u

root=${AIR_TEST_ROOT:?run me with run-with-keyring.sh}
Q=${QAIR_PROGRAM:?}
AGENT=${AIR_AGENT_PROGRAM:?}
: "${AIR_VAULT_PROGRAM:?}"
# shellcheck source=tests/remote/remote-lib.sh
. "$(dirname "$0")/remote-lib.sh"
# The checks read qair's English texts.
export LC_ALL=C.UTF-8

wireguard_require wireguard-go wg wg-quick ip ssh-keyscan python3
[ -x /usr/sbin/sshd ] || skip "sshd is not installed"

# wireguard-go's control sockets are /var/run/wireguard/IFACE.sock, one
# directory for every namespace: names of this run's own.
zone=wgz$$
gw_if=air-$zone                 # what air_wireguard_interface_name() gives
gw_other_if=gwt$$               # the gateway's tunnel under another name
host_if=zwg$$
gw=air-gateway-$$
zh=air-zonehost-$$
gw_veth=192.168.77.1
host_veth=192.168.77.2
endpoint=$host_veth:51820
host_dir=$root/zonehost
sshd_dir=$root/sshd
gw_conf=$AIR_LOOPBACK_DIR/sys-remote-$zone/wireguard/$gw_if.conf
host_conf=$root/$host_if.conf

G () { ip netns exec "$gw" "$@"; }
H () { ip netns exec "$zh" "$@"; }

gateway_interface_gone () {
  ! G test -e "/sys/class/net/$gw_if"
}

# Everything this test started runs in its namespaces: wireguard-go,
# sshd and the host's agents and qubes, the SSH connection, the gateway's
# agents, qair events.
cleanup () {
  netns_pair_del "$gw" "$zh" "vgw$$" "$gw_if" "$gw_other_if" "$host_if"
}
trap cleanup EXIT
trap 'exit 143' INT TERM HUP

# The whole MB of a WireGuard reason's received counter (0 when it says
# kB or bytes).
received_mb () {
  mb=$(printf '%s\n' "$1" | sed -n 's/.*, \([0-9]*\)\.[0-9][^0-9,]*MB received,.*/\1/p')
  echo "${mb:-0}"
}

handshake_text="WireGuard: last handshake [0-9]* s ago, * received, * sent"

echo "1..30"
started=$(date +%s)

netns_pair_add "$gw" "$zh" "vgw$$" "vzh$$" "$gw_veth" "$host_veth"
status=$?
ok $status "the gateway and the zone host: two network namespaces joined by a veth pair"
[ $status -eq 0 ] || { echo "Bail out! no network namespaces"; exit 1; }

# --- The zone, added with --wireguard and no --host: SSH goes to the
# --- host's address inside the tunnel.
mkdir -p "$sshd_dir" "$host_dir"
G "$Q" key generate --zone "$zone" >"$sshd_dir/authorized_keys" 2>"$root/err"
out=$(G "$Q" zone add "$zone" --user "$(id -un)" --agent "$AGENT" \
        --timeout 5 --wireguard "$endpoint" 2>&1 </dev/null)
status=$?
[ $status -ne 0 ] && printf '%s\n' "$out" | sed 's/^/# /'
# The zone host's half, as the user would copy it: the [Interface]
# section and its [Peer].
host_half "$out" "$host_conf"
host_addr=$(conf_value Address <"$host_conf" | sed 's|/30$||')
check "qair zone add --wireguard, without --host" \
  test $status -eq 0 -a -n "$host_addr" -a -s "$gw_conf"
check "… makes the host's tunnel address the zone's SSH host" \
  grep -q "\"host\" *: *\"$host_addr\"" "$AIR_LOOPBACK_DIR/sys-remote-$zone/zones.json"
gw_addr=$(conf_value Address <"$gw_conf" | sed 's|/30$||')
gw_state=$AIR_LOOPBACK_DIR/sys-remote-$zone
gw_private=$(vault_key)
check "the vault keeps the gateway's private key; no file of the gateway's state has it" \
  sh -c "[ -n '$gw_private' ] && ! grep -rqF -- '$gw_private' '$gw_state'"

# --- The tunnel: the host's end as the user would bring it up; the
# --- gateway's by the gateway, with the key from the vault.
tunnel_up "$zh" "$host_if" "$host_conf" "$host_addr"
status=$?
out=$(G "$Q" zone up "$zone" 2>&1)
s=$?
[ $s -ne 0 ] && printf '%s\n' "$out" | sed 's/^/# /'
[ $status -ne 0 ] && sed 's/^/# /' "$root/wireguard-go.log"
ok $((status + s)) "wireguard-go carries the tunnel: $gw_if ($gw_addr) in the gateway (qair zone up), $host_if ($host_addr) on the host"
gw_wg_pid=$(pgrep -x -f "wireguard-go -f $gw_if")
check "the gateway's interface has the vault's key" \
  test "$(G timeout 5 wg show "$gw_if" private-key)" = "$gw_private"
check "… and after the tunnel is up, still no file of the gateway's state has it" \
  sh -c "! grep -rqF -- '$gw_private' '$gw_state'"
check "… nor the command line of the gateway's wireguard-go" \
  sh -c "[ -n '$gw_wg_pid' ] && ! grep -qF -- '$gw_private' /proc/$gw_wg_pid/cmdline /proc/$gw_wg_pid/environ"

# --- sshd on the host's tunnel address only.
sshd_setup "$sshd_dir" "$host_addr" 22 "$host_dir"
sshd_start "$sshd_dir/sshd_config" "$host_addr" 22 H
ok $? "the zone host's sshd listens on its tunnel address"
sshd_answers "$host_addr" 22 G && ! sshd_answers "$host_veth" 22 G
ok $? "… which the gateway reaches through the tunnel, and not on the veth"

fingerprint=$(ssh-keygen -lf "$sshd_dir/host_key.pub" | cut -d' ' -f2)
out=$(G "$Q" zone trust "$zone" --fingerprint "$fingerprint" 2>&1)
status=$?
[ $status -ne 0 ] && printf '%s\n' "$out" | sed 's/^/# /'
ok $status "the host key is pinned through the tunnel"

# --- Health from WireGuard.
out=$(G "$Q" zones 2>&1)
line=$(printf '%s\n' "$out" | grep "^$zone ")
# shellcheck disable=SC2254 # a pattern indeed
case "$line" in *" up "*"  "$handshake_text) s=0 ;; *) s=1 ;; esac
[ $s -ne 0 ] && printf '%s\n' "$out" | sed 's/^/# /'
ok $s "qair zones: the zone is up, with WireGuard's last handshake and transfer counters"
case "$line" in *SSH*) s=1 ;; *) s=0 ;; esac
ok $s "… as its reason (“${line##*  }”), not the SSH connection's"
before=${line##*  }

# --- Qubes through the tunnel.
G "$Q" create q1 --zone "$zone" --label blue >/dev/null 2>"$root/err" &&
  G "$Q" start q1 >/dev/null 2>>"$root/err"
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$root/err"
check "a qube is made and started on the zone host" test $status -eq 0 -a -e "$host_dir/qubes/q1.json"
out=$(printf 'through\nthe tunnel\n' | G "$Q" run q1 -- sh -c 'tr a-z A-Z; exit 3' 2>"$root/err")
status=$?
check "qair run streams stdin to stdout and returns the exit status" \
  test "$out" = "THROUGH
THE TUNNEL" -a $status -eq 3
bytes=$(G "$Q" run q1 -- head -c 3000000 /dev/zero 2>"$root/err" | wc -c)
health_is "up $handshake_text"
check "the counters are the tunnel's own: 3 MB out of the qube, “$before” → “${health#up }”" \
  test "$bytes" -eq 3000000 -a "$(received_mb "$before")" -lt 3 -a "$(received_mb "$health")" -ge 3

# --- Events.
G "$Q" events --zone "$zone" >"$root/events" 2>&1 &
events_pid=$!
wait_until 10 grep -q "zone-health" "$root/events"
line=$(grep -m1 "zone-health" "$root/events")
case "$line" in "$zone zone-health up WireGuard: last handshake "*" received, "*" sent") s=0 ;; *) s=1 ;; esac
[ $s -ne 0 ] && sed 's/^/# /' "$root/events"
ok $s "qair events: the zone-health event carries WireGuard's view"
# The host's agent sends its own zone-health event (up, no reason) at the
# start of its stream: the gateway passes it on with the link's view.
G "$Q" create q2 --zone "$zone" >/dev/null 2>&1
wait_until 10 grep -q "qube-added q2" "$root/events"
s=0
grep "zone-health up" "$root/events" | grep -qv "zone-health up WireGuard: " && s=1
[ $s -ne 0 ] && sed 's/^/# /' "$root/events"
ok $s "… and so do the stream's later ones, the last of which the map shows"

# --- The host's end of the tunnel goes down: the SSH connection through
# --- it dies (ServerAlive: about 20 s) and the zone with it.
ip -n "$zh" link set "$host_if" down
broken=$(date +%s)
wait_until 40 grep -q "^$zone zone-health down" "$root/events"
ok $? "when the host's end of the tunnel goes down, an event says the zone is down ($(( $(date +%s) - broken )) s later)"
wait_until 5 sh -c "! kill -0 $events_pid 2>/dev/null"
health_is "down *"
ok $? "… and qair zones reports it down (“${health#down }”)"

# --- It comes back.
ip -n "$zh" link set "$host_if" up
wait_until 30 health_is "up $handshake_text"
ok $? "when it comes back, the zone is up again with WireGuard's view (“${health#up }”)"
out=$(echo back | G "$Q" run q1 -- cat 2>&1)
check "… and its qube answers again" test "$out" = back

# --- A new key pair with the tunnel up: the gateway's interface takes it
# --- at once; the host takes the printed [Peer], and the tunnel goes on.
out=$(G "$Q" zone rekey "$zone" 2>&1)
status=$?
[ $status -ne 0 ] && printf '%s\n' "$out" | sed 's/^/# /'
new_private=$(vault_key)
new_public=$(printf '%s\n' "$new_private" | wg pubkey 2>/dev/null)
check "qair zone rekey: the running interface has the vault's new key, no file has it" \
  sh -c "[ $status -eq 0 ] && [ -n '$new_private' ] && [ '$new_private' != '$gw_private' ] &&
         [ \"\$(ip netns exec '$gw' timeout 5 wg show '$gw_if' private-key)\" = '$new_private' ] &&
         ! grep -rqF -- '$new_private' '$gw_state' && ! grep -rqF -- '$gw_private' '$gw_state'"
case "$out" in *"PublicKey = $new_public"*) s=0 ;; *) s=1 ;; esac
ok $s "… and prints the host's new [Peer]"
H timeout 5 wg set "$host_if" peer "$(printf '%s\n' "$gw_private" | wg pubkey)" remove \
  peer "$new_public" allowed-ips "$gw_addr/32"
out=$(echo rekeyed | G "$Q" run q1 -- cat 2>&1)
if [ "$out" != rekeyed ]; then
  wait_until 40 health_is "up $handshake_text"
  out=$(echo rekeyed | G "$Q" run q1 -- cat 2>&1)
fi
check "… with which the tunnel carries the zone again" test "$out" = rekeyed

# --- Without the zone's WireGuard interface (here the same tunnel brought
# --- up under a name that is not the zone's), the health is the SSH
# --- connection's.
G timeout 5 wg showconf "$gw_if" >"$root/$gw_other_if.conf"
chmod 600 "$root/$gw_other_if.conf"
kill "$gw_wg_pid"
wait_until 5 gateway_interface_gone
ok $? "the zone's interface $gw_if is gone"
tunnel_up "$gw" "$gw_other_if" "$root/$gw_other_if.conf" "$gw_addr"
ok $? "the tunnel is up again as $gw_other_if"
wait_until 30 health_is "up SSH: connected to *@$host_addr:22"
ok $? "the health is the SSH connection's (“${health#up }”)"
case "$health" in *WireGuard*) s=1 ;; *) s=0 ;; esac
ok $s "… with nothing of WireGuard's"

# --- Removing the zone takes the gateway's end of its tunnel down.
kill "$(pgrep -x -f "wireguard-go -f $gw_other_if")" 2>/dev/null
out=$(G "$Q" zone up "$zone" 2>&1) && wait_until 5 G test -e "/sys/class/net/$gw_if"
s=$?
[ $s -ne 0 ] && printf '%s\n' "$out" | sed 's/^/# /'
G "$Q" zone rm "$zone" >/dev/null 2>&1
wait_until 5 gateway_interface_gone
ok $((s + $?)) "qair zone rm takes the zone's tunnel down in the gateway"

echo "# $(( $(date +%s) - started )) s"

[ $failed -eq 0 ]
