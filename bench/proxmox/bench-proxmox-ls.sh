#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `qair ls --zone lab` end to end with 1,000 VMs on the stand-in Proxmox VE
# server (tests/proxmox/pve-test-server.py): qair, the gateway's agent
# spawned over the loopback transport, the token fetched from the vault,
# the TLS handshake with the pinned key and GET /cluster/resources, each
# time. Prints the median of 15 runs; the goal is under 100 ms. Also the
# CPU time those processes take, which a loaded machine does not inflate. Verified
# against the stand-in server only (a real server's answer time adds to
# it). Runs under run-with-keyring.sh (fresh HOME, the vault's keyring).

set -u

root=${AIR_TEST_ROOT:?run me with run-with-keyring.sh}
Q=${QAIR_PROGRAM:?}
: "${AIR_VAULT_PROGRAM:?}" "${AIR_AGENT_PROGRAM:?}" "${PVE_TEST_SERVER:?}"
pve=$root/pve
runs=15
goal_ms=100
server_pid=

stop_server () {
  if [ -n "$server_pid" ]; then
    exec 3>&-
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
}
trap stop_server EXIT

mkdir -p "$pve/vms"
chmod 700 "$pve"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=pve1 \
  -keyout "$pve/c.key" -out "$pve/c.pem" >/dev/null 2>&1
printf 'bench@pve!air=%s\n' "$(python3 -c 'import uuid; print(uuid.uuid4())')" >"$pve/token"
mkfifo "$pve/in"
python3 "$PVE_TEST_SERVER" --cert "$pve/c.pem" --key "$pve/c.key" --token-file "$pve/token" \
  --port-file "$pve/port" --state "$pve/vms" --vms 1000 <"$pve/in" &
server_pid=$!
exec 3>"$pve/in"
i=0
while [ ! -s "$pve/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
fingerprint="SHA256:$(openssl x509 -in "$pve/c.pem" -pubkey -noout | openssl pkey -pubin -outform der |
  openssl dgst -sha256 -binary | base64 | tr -d '=')"

$Q cred put lab --kind proxmox-token <"$pve/token" >/dev/null || exit 1
printf 'Authorization: PVEAPIToken=%s\n' "$(cat "$pve/token")" >"$pve/header"
$Q zone add lab --driver proxmox --url "https://127.0.0.1:$(cat "$pve/port")" --node pve1 \
  --fingerprint "$fingerprint" </dev/null >/dev/null || exit 1

# One run unmeasured (caches warm), and the list checked: 1,000 qubes.
n=$($Q ls --zone lab --json | python3 -c '
import json, sys
def count(x):
    if isinstance(x, dict):
        return 1 if "state" in x else sum(count(v) for v in x.values())
    return sum(count(v) for v in x) if isinstance(x, list) else 0
print(count(json.load(sys.stdin)))' 2>/dev/null)
if [ "$n" != 1000 ]; then
  echo "qair ls --zone lab listed ${n:-nothing}, not the server's 1000 VMs" >&2
  exit 1
fi

# time_runs FILE COMMAND...: microseconds of each of $runs runs.
time_runs () {
  file=$1
  shift
  : >"$file"
  i=0
  while [ $i -lt $runs ]; do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || exit 1
    end=$(date +%s%N)
    echo $(((end - start) / 1000)) >>"$file"
    i=$((i + 1))
  done
}

# cpu_runs FILE COMMAND...: the CPU time (user + system, microseconds) of
# each of $runs runs, the command's own processes together (qair, the
# gateway's agent, the vault it asks): what a loaded machine's wall
# clock hides. The stand-in server's own time is not in it.
cpu_runs () {
  file=$1
  shift
  python3 - "$runs" "$@" >"$file" <<'PY' || exit 1
import resource, subprocess, sys
runs, argv = int(sys.argv[1]), sys.argv[2:]
before = 0.0
for _ in range(runs):
    if subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        sys.exit(1)
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = r.ru_utime + r.ru_stime
    print(int((total - before) * 1e6))
    before = total
PY
}

# report WHAT FILE [GOAL_MS]
report () {
  sort -n "$2" | awk -v what="$1" -v goal="${3:-0}" '
    { us[NR] = $1 }
    END {
      median = us[int((NR + 1) / 2)] / 1000
      printf "%-52s median %6.1f ms  (min %.1f, max %.1f, %d runs)", what, median, us[1] / 1000, us[NR] / 1000, NR
      if (goal > 0)
        printf "  goal < %d ms  %s", goal, median < goal ? "ok" : "OVER"
      printf "\n"
    }'
}

time_runs "$root/lab" "$Q" ls --zone lab
# What the 1,000 VMs cost beside what every zone's ls costs: the local
# zone's (qair and the gateway's agent spawned, no server, no token), and
# the stand-in server's own answer (curl, the same TLS and request).
time_runs "$root/local" "$Q" ls --zone local
time_runs "$root/curl" curl -sfk -H @"$pve/header" \
  "https://127.0.0.1:$(cat "$pve/port")/api2/json/cluster/resources?type=vm"

cpu_runs "$root/lab-cpu" "$Q" ls --zone lab
cpu_runs "$root/local-cpu" "$Q" ls --zone local

report "qair ls --zone lab, 1,000 Proxmox VMs (stand-in)" "$root/lab" "$goal_ms"
report "  beside: qair ls --zone local" "$root/local"
report "  beside: the stand-in server's answer (curl)" "$root/curl"
report "CPU time of qair ls --zone lab (qair, gateway, vault)" "$root/lab-cpu"
report "  beside: CPU time of qair ls --zone local" "$root/local-cpu"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
