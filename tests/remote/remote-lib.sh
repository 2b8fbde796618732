# SPDX-License-Identifier: GPL-2.0-or-later
#
# What the remote-zone tests share; they source it. TAP results, bounded
# polling, and a zone host's sshd of its own: its own host key and config,
# letting only us in with the keys in its authorized_keys.

n=0
failed=0

ok () {
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    failed=$((failed + 1))
  fi
}

# check DESCRIPTION COMMAND... : ok if the command succeeds.
check () {
  d=$1
  shift
  if "$@"; then ok 0 "$d"; else ok 1 "$d"; fi
}

# same DESCRIPTION EXPECTED ACTUAL: one TAP line; on a mismatch, what came.
same () {
  if [ "$2" = "$3" ]; then ok 0 "$1"; return 0; fi
  ok 1 "$1"
  printf '%s\n' "$3" | head -c 2000 | sed 's/^/# got: /'
  return 1
}

contains () {
  case "$1" in *"$2"*) return 0 ;; esac
  echo "# expected “$2” in: $1" | head -c 2000
  echo
  return 1
}

# wait_until SECONDS COMMAND... : runs COMMAND every tenth of a second
# until it succeeds, for SECONDS at the most (however long COMMAND takes).
wait_until () {
  wait_end=$(( $(date +%s) + $1 ))
  shift
  until "$@"; do
    [ "$(date +%s)" -ge "$wait_end" ] && return 1
    sleep 0.1
  done
}

# sshd_setup DIR ADDRESS PORT AGENT_DIR: the zone host's sshd in DIR,
# listening on ADDRESS:PORT only; the agent it starts keeps its state in
# AGENT_DIR.
sshd_setup () {
  ssh-keygen -q -t ed25519 -N '' -C zone-host -f "$1/host_key"
  cat >"$1/sshd_config" <<EOF
ListenAddress $2
Port $3
HostKey $1/host_key
AuthorizedKeysFile $1/authorized_keys
PidFile none
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers $(id -un)
SetEnv AIR_AGENT_DIR=$4
LogLevel ERROR
EOF
}

# sshd_answers ADDRESS PORT [WRAPPER...]: an sshd answers there (seen
# through WRAPPER, e.g. "ip netns exec NS", when given).
sshd_answers () {
  answer_address=$1
  answer_port=$2
  shift 2
  "$@" ssh-keyscan -T 1 -p "$answer_port" "$answer_address" >/dev/null 2>&1
}

# sshd_start CONFIG ADDRESS PORT [WRAPPER...]: starts sshd with CONFIG
# (through WRAPPER when given) and waits until it answers on ADDRESS:PORT;
# its process id is in started_pid.
sshd_start () {
  sshd_config=$1
  sshd_address=$2
  sshd_port=$3
  shift 3
  "$@" /usr/sbin/sshd -D -e -f "$sshd_config" 2>>"${sshd_config%/*}/log" &
  started_pid=$!
  wait_until 5 sshd_answers "$sshd_address" "$sshd_port" "$@"
}

# --- The WireGuard tests (test-wireguard.sh, and test-wireguard-tunnel.sh
# --- and test-proxmox-wireguard.sh with two network namespaces of the
# --- test's own joined by a veth pair, userspace wireguard-go in them).
# --- Their functions use the test's $root, $Q, $zone and G (a command run
# --- in the gateway's namespace).

skip () {
  echo "1..0 # SKIP $1"
  exit 0
}

# wireguard_require TOOL...: skips the test unless it runs as root, with
# the TOOLs and /dev/net/tun for wireguard-go.
wireguard_require () {
  [ "$(id -u)" = 0 ] || skip "network namespaces and wireguard-go need root"
  for tool in "$@"; do
    command -v "$tool" >/dev/null || skip "$tool is not installed"
  done
  [ -c /dev/net/tun ] || skip "there is no /dev/net/tun for wireguard-go"
}

# netns_pair_add NS1 NS2 VETH1 VETH2 ADDRESS1 ADDRESS2: the namespaces,
# joined by the veth pair VETH1 (in NS1, ADDRESS1/30) and VETH2 (in NS2,
# ADDRESS2/30), with their loopbacks up.
netns_pair_add () {
  ip netns add "$1" && ip netns add "$2" &&
    ip link add "$3" type veth peer name "$4" &&
    ip link set "$3" netns "$1" && ip link set "$4" netns "$2" &&
    ip -n "$1" address add "$5/30" dev "$3" && ip -n "$2" address add "$6/30" dev "$4" &&
    ip -n "$1" link set "$3" up && ip -n "$2" link set "$4" up &&
    ip -n "$1" link set lo up && ip -n "$2" link set lo up
}

# netns_empty NS...: no process runs in the namespaces.
netns_empty () {
  for ns in "$@"; do
    [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] || return 1
  done
}

# netns_pair_del NS1 NS2 VETH1 IFACE...: ends every process in the
# namespaces (all that the test started runs there), deletes them and the
# veth pair, and removes the wireguard-go sockets of the IFACEs, which are
# shared by every namespace.
netns_pair_del () {
  for ns in "$1" "$2"; do
    # shellcheck disable=SC2046
    kill $(ip netns pids "$ns" 2>/dev/null) 2>/dev/null
  done
  if ! wait_until 3 netns_empty "$1" "$2"; then
    for ns in "$1" "$2"; do
      # shellcheck disable=SC2046
      kill -9 $(ip netns pids "$ns" 2>/dev/null) 2>/dev/null
    done
  fi
  wait 2>/dev/null
  ip netns del "$1" 2>/dev/null
  ip netns del "$2" 2>/dev/null
  ip link del "$3" 2>/dev/null
  shift 3
  for iface in "$@"; do
    rm -f "/var/run/wireguard/$iface.sock"
  done
}

# conf_value KEY: the value of "KEY = value" in stdin (wg-quick's format).
conf_value () {
  sed -n "s/^$1 = //p" | head -1
}

# host_half TEXT FILE: the zone host's half of a tunnel that `qair zone
# add --wireguard` printed in TEXT, as the user would copy it (the
# [Interface] section and its [Peer]), into the private FILE.
host_half () {
  printf '%s\n' "$1" | sed -n '/^\[Interface\]/,$p' | grep -E '^(\[|#|[A-Za-z]+ = |$)' >"$2"
  chmod 600 "$2"
}

# tunnel_up NS IFACE FILE ADDRESS: the interface in NS by wireguard-go,
# configured from FILE (wg-quick's format) and given ADDRESS/30; its
# wireguard-go's process id is in started_pid.
tunnel_up () {
  ip netns exec "$1" wireguard-go -f "$2" >>"$root/wireguard-go.log" 2>&1 &
  started_pid=$!
  wait_until 10 test -S "/var/run/wireguard/$2.sock" &&
    wg-quick strip "$3" >"$root/$2.setconf" &&
    timeout 5 wg setconf "$2" "$root/$2.setconf" &&
    ip -n "$1" address add "$4/30" dev "$2" &&
    ip -n "$1" link set "$2" up
}

# The zone's health and its reason as `qair zones --json` reports them.
zone_health () {
  G "$Q" zones --json 2>/dev/null | python3 -c '
import json, sys
for z in json.load(sys.stdin)["zones"]:
    if z["name"] == sys.argv[1]:
        print(z["health"], z["reason"])' "$zone"
}

# health_is PATTERN: the zone's health matches the shell PATTERN; the
# health is kept in $health.
health_is () {
  health=$(zone_health)
  # shellcheck disable=SC2254 # a pattern indeed
  case "$health" in $1) return 0 ;; esac
  return 1
}

# vault_key [ZONE [CALLER]]: ZONE's (else $zone's) WireGuard private key
# as the vault gives it to CALLER, by default the zone's gateway (qrexec's
# environment, as the loopback transport sets it); the vault's stderr is
# in $root/vault-err.
vault_key () {
  key_zone=${1:-$zone}
  echo '{"kind":"wireguard-key"}' |
    QREXEC_SERVICE_FULL_NAME="qubesair.CredentialGet+$key_zone" QREXEC_SERVICE_ARGUMENT="$key_zone" \
    QREXEC_REMOTE_DOMAIN="${2:-sys-remote-$key_zone}" "$AIR_VAULT_PROGRAM" 2>"$root/vault-err" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])' 2>/dev/null
}
