#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A Proxmox VE zone end to end through qair, against pve-test-server.py (no
# Proxmox VE can run here): the token into the vault, the zone added and
# its certificate pinned, then ls, create, start, run, shutdown, rm through
# the gateway's proxmox driver; an unpinned and then a changed certificate
# refused with a plain message; the token in no file of the gateway or of
# this test, and in no process's arguments. Runs under run-with-keyring.sh
# (fresh HOME, loopback transport, the vault's keyring).
#
# Output: TAP.

set -u

root=${AIR_TEST_ROOT:?run me with run-with-keyring.sh}
Q=${QAIR_PROGRAM:?}
: "${AIR_VAULT_PROGRAM:?}" "${AIR_AGENT_PROGRAM:?}"
here=$(cd "$(dirname "$0")" && pwd)
pve=$root/pve
secret_dir=$root/secret-only-here
gateway_dir=${AIR_LOOPBACK_DIR:?}/sys-remote-lab
server_pid=

# ok STATUS DESC, check DESC COMMAND..., contains TEXT PART: the remote
# tests' TAP helpers.
# shellcheck source=tests/remote/remote-lib.sh
. "$here/../remote/remote-lib.sh"

stop_server () {
  if [ -n "$server_pid" ]; then
    exec 3>&-
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=
  fi
}
trap stop_server EXIT

make_cert () {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=pve1 -keyout "$pve/$1.key" -out "$pve/$1.pem" >/dev/null 2>&1
}

# The fingerprint the user compares, computed here from the certificate.
cert_fingerprint () {
  printf 'SHA256:%s' "$(openssl x509 -in "$pve/$1.pem" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64 | tr -d '=')"
}

# start_server CERT [PORT [FAIL]]: the server holds a fifo as its stdin,
# and ends when we close it.
start_server () {
  rm -f "$pve/port" "$pve/in"
  mkfifo "$pve/in"
  python3 "$here/pve-test-server.py" --cert "$pve/$1.pem" --key "$pve/$1.key" \
    --token-file "$secret_dir/token" --port-file "$pve/port" --port "${2:-0}" \
    --state "$pve/vms" --fail "${3:-}" <"$pve/in" &
  server_pid=$!
  exec 3>"$pve/in"
  i=0
  while [ ! -s "$pve/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  port=$(cat "$pve/port")
}

echo "1..78"

mkdir -p "$pve/vms" "$secret_dir"
chmod 700 "$secret_dir"
secret=$(python3 -c 'import uuid; print(uuid.uuid4())')
printf 'root@pam!qubes=%s\n' "$secret" >"$secret_dir/token"
make_cert first
start_server first
check "the stand-in Proxmox server listens" test -n "$port"
url=https://127.0.0.1:$port

# --- The token into the vault, under the issue's kind name.
out=$(printf 'not a token' | $Q cred put lab --kind proxmox-token 2>&1)
status=$?
check "cred put of something that is not USER@REALM!TOKENID=SECRET fails" test $status -ne 0
contains "$out" "USER@REALM!TOKENID=SECRET"; ok $? "… saying the form a token has"
out=$($Q cred put lab --kind proxmox-token <"$secret_dir/token" 2>&1)
check "cred put lab --kind proxmox-token stores it for sys-remote-lab" contains "$out" "sys-remote-lab"

# --- Settings the gateway or qair refuse, saying what is wrong.
out=$($Q zone add plainhttp --driver proxmox --url "http://127.0.0.1:$port" --node pve1 </dev/null 2>&1)
status=$?
check "zone add with an http:// URL is refused" test $status -ne 0
contains "$out" "https://"; ok $? "… saying it must be https://"
out=$($Q zone add nonode --driver proxmox --url "$url" </dev/null 2>&1)
status=$?
check "zone add of a proxmox zone without --node is refused" test $status -ne 0
out=$($Q zone add badnode --driver proxmox --url "$url" --node 'a b;c' </dev/null 2>&1)
status=$?
check "zone add with a node name that is not a name is refused by the gateway" test $status -ne 0
contains "$out" "Proxmox node"; ok $? "… naming the Proxmox node as what is wrong"

# --- The zone, first unpinned.
out=$($Q zone add lab --driver proxmox --url "$url" --node pve1 </dev/null 2>&1)
status=$?
expected=$(cert_fingerprint first)
check "zone add without a tty does not pin by itself (status 1)" test $status -eq 1
contains "$out" "$expected"; ok $? "… it shows the server's certificate key, as openssl computes it"
contains "$out" "qair zone trust lab --fingerprint"; ok $? "… and says how to pin it"
check "the gateway keeps the zone's settings" test -s "$gateway_dir/proxmox.json"
out=$($Q ls --zone lab 2>&1)
status=$?
check "ls in an unpinned zone fails" test $status -ne 0
contains "$out" "not pinned yet"; ok $? "… saying the certificate is not pinned yet"

out=$($Q zone trust lab --fingerprint SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 2>&1)
status=$?
check "trust with another fingerprint is refused" test $status -ne 0
contains "$out" "Nothing was pinned"; ok $? "… and pins nothing"
out=$($Q zone trust lab --fingerprint "$expected" 2>&1)
check "trust with the server's fingerprint pins it" contains "$out" "Pinned the certificate key $expected"

# --- The zone's qubes through the proxmox driver.
out=$($Q zones 2>&1)
check "zones lists lab" contains "$out" "lab"
out=$($Q create p1 --zone lab --template debian-12 --label blue --memory 512 2>&1)
check "create p1 (a clone of template debian-12)" test $? -eq 0
out=$($Q ls --zone lab 2>&1)
contains "$out" "p1"; ok $? "ls --zone lab shows p1"
# The driver is a module of the agent's: an agent without it says so.
mkdir -p "$root/bare-agent" && cp "$AIR_AGENT_PROGRAM" "$root/bare-agent/"
out=$(AIR_AGENT_PROGRAM=$root/bare-agent/$(basename "$AIR_AGENT_PROGRAM") $Q ls --zone lab 2>&1)
contains "$out" "The proxmox backend cannot be loaded"
ok $? "an agent without its proxmox module says it cannot load it, and to reinstall"
out=$($Q start lab:p1 2>&1)
check "start p1" test $? -eq 0
out=$($Q ls --zone lab --json 2>&1)
contains "$out" '"state":"Running"'; ok $? "… and p1 is running"
out=$(printf 'hello\nproxmox\n' | $Q run lab:p1 -- sh -c 'tr a-z A-Z; echo err >&2; exit 3' 2>"$root/err")
status=$?
check "run passes the exit status (3)" test $status -eq 3
contains "$out" "HELLO
PROXMOX"; ok $? "… the input went in and the output came back"
contains "$(cat "$root/err")" "err"; ok $? "… and its stderr"

# The token is in no process's arguments while a call is under way.
$Q run lab:p1 -- sleep 2 >/dev/null 2>&1 &
runner=$!
sleep 1
ps -eo args >"$root/ps.out"
wait $runner
! grep -qF "$secret" "$root/ps.out"; ok $? "the token is in no process's arguments"

out=$($Q rm lab:p1 2>&1)
status=$?
check "rm of a running qube is refused" test $status -ne 0

# --- Files through the guest agent: parts of 45 KiB written into a
# private folder in the guest, joined there, linked into place.
$Q create p2 --zone lab --template debian-12 >/dev/null 2>&1
$Q start lab:p2 >/dev/null 2>&1
seq 1 300 | sed 's/^/small /' >"$root/small.txt"
head -c 200000 /dev/urandom >"$root/blob.bin"
$Q copy "$root/small.txt" "$root/blob.bin" lab:p1 >/dev/null 2>"$root/err"
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$root/err"
check "qair copy puts files into a Proxmox qube" test $status -eq 0
got=$(find "$pve/vms" -path '*/QubesIncoming/*' -name blob.bin | head -1)
check "… a file of 200,000 bytes (five parts) lands in its ~/QubesIncoming/SOURCE/, byte for byte" \
  cmp -s "$root/blob.bin" "$got"
check "… and a small one too" cmp -s "$root/small.txt" "$(dirname "$got")/small.txt"
check "… leaving no temporary folder or part in the guest" \
  test -z "$(find "$pve/vms" -name 'qubes-air.*' -o -name '.qubes-air-copy.*' -o -name 'p.0*')"
$Q copy "$root/small.txt" lab:p1 >/dev/null 2>&1
check "a second copy of the same name is kept beside it as “small (2).txt”" \
  cmp -s "$root/small.txt" "$(dirname "$got")/small (2).txt"
check "… and the first is untouched" cmp -s "$root/small.txt" "$(dirname "$got")/small.txt"
rel=QubesIncoming/$(basename "$(dirname "$got")")/blob.bin
$Q copy "p1:$rel" p2 >/dev/null 2>"$root/err"
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$root/err"
got2=$(find "$pve/vms" -path '*/QubesIncoming/p1/*' -name blob.bin | head -1)
check "qair copy out of a Proxmox qube (file-read) into another, byte for byte" \
  cmp -s "$root/blob.bin" "${got2:-/nonexistent}"
out=$($Q copy "p1:QubesIncoming" p2 2>&1)
status=$?
check "copying a folder out of a Proxmox qube is refused" test $status -ne 0
contains "$out" "is a folder"; ok $? "… saying it is a folder and what to do"
out=$($Q copy "p1:no-such-file" p2 2>&1)
status=$?
check "copying a file that is not there fails" test $status -ne 0
contains "$out" "There is no file"; ok $? "… saying there is no such file"
$Q run lab:p1 -- sh -c 'head -c 13000000 /dev/zero >big.bin' >/dev/null 2>&1
out=$($Q copy "p1:big.bin" p2 2>&1)
status=$?
check "copying a file over 12 MiB out of a Proxmox qube is refused" test $status -ne 0
contains "$out" "larger than 12 MiB"; ok $? "… naming the limit (file-read's 16 MiB, of base64)"
test -z "$(find "$pve/vms" -path '*/QubesIncoming/p1/big.bin')"; ok $? "… and nothing of it reaches the other qube"
truncate -s 65M "$root/huge.bin"
out=$($Q copy "$root/huge.bin" lab:p1 2>&1)
status=$?
check "a copy larger than 64 MiB into a Proxmox qube is refused" test $status -ne 0
contains "$out" "64 MiB"; ok $? "… naming the limit"
test -z "$(find "$pve/vms" -name 'huge.bin*')"; ok $? "… and leaves nothing of it"
rm -f "$root/huge.bin"
$Q kill lab:p2 >/dev/null 2>&1
out=$($Q copy "$root/small.txt" lab:p2 2>&1)
status=$?
check "a copy into a stopped Proxmox qube is refused" test $status -ne 0
contains "$out" "not running"; ok $? "… saying it is not running"
$Q rm lab:p2 >/dev/null 2>&1

# A disposable: a linked clone, the command run in it, then destroyed.
out=$(echo in | $Q dispvm --zone lab --template debian-12 -- sh -c 'cat; exit 4' 2>&1)
status=$?
check "dispvm runs the command in a clone (exit status 4)" test $status -eq 4
contains "$out" "in"; ok $? "… with its input"
out=$($Q ls --zone lab 2>&1)
! contains "$out" "disp" >/dev/null; ok $? "… and the clone is gone afterwards"
out=$($Q kill lab:p1 2>&1)
check "kill p1" test $? -eq 0
$Q start lab:p1 >/dev/null 2>&1
out=$($Q shutdown lab:p1 2>&1)
check "shutdown p1" test $? -eq 0
out=$($Q rm lab:p1 2>&1)
check "rm p1" test $? -eq 0
out=$($Q ls --zone lab 2>&1)
! contains "$out" "p1" >/dev/null; ok $? "… and p1 is gone"

# --- Events: the driver reads /cluster/resources only while a client
# listens, and sends changes.
$Q events --zone lab >"$root/events" 2>&1 &
events_pid=$!
sleep 1
$Q create ev1 --zone lab --template debian-12 >/dev/null 2>&1
i=0
while ! grep -q "qube-added ev1" "$root/events" && [ $i -lt 60 ]; do sleep 0.2; i=$((i + 1)); done
$Q start lab:ev1 >/dev/null 2>&1
i=0
while ! grep -q "qube-changed ev1" "$root/events" && [ $i -lt 60 ]; do sleep 0.2; i=$((i + 1)); done
kill $events_pid 2>/dev/null
wait $events_pid 2>/dev/null
contains "$(cat "$root/events")" "lab qube-added ev1"; ok $? "qair events through the proxmox zone: a qube made there is added"
contains "$(cat "$root/events")" "lab qube-changed ev1"; ok $? "… and its start is a change"
contains "$(cat "$root/events")" "lab zone-health up"; ok $? "… with the zone's health"
sleep 1
reads=$(cat "$pve/vms/resource-reads")
sleep 6
check "… and once nobody listens, the server is not read any more" test "$(cat "$pve/vms/resource-reads")" = "$reads"
$Q kill lab:ev1 >/dev/null 2>&1
$Q rm lab:ev1 >/dev/null 2>&1

# --- A clone whose caller goes away (a cancelled job, ^C) is stopped
# (DELETE /nodes/{node}/tasks/{upid}) and its half-made VM destroyed.
stop_server
start_server first "$port" slow-clone
rm -f "$pve/vms/stopped-tasks.json"
$Q create slow --zone lab --template debian-12 >/dev/null 2>&1 &
creator=$!
sleep 1
kill "$creator"
wait "$creator" 2>/dev/null
i=0
while ! grep -q qmclone "$pve/vms/stopped-tasks.json" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "the clone task of a create whose caller went away is stopped" grep -q qmclone "$pve/vms/stopped-tasks.json"
i=0
while contains "$($Q ls --zone lab 2>&1)" "slow" >/dev/null && [ $i -lt 30 ]; do sleep 0.2; i=$((i + 1)); done
out=$($Q ls --zone lab 2>&1)
! contains "$out" "slow" >/dev/null; ok $? "… and the half-made clone is destroyed, not left in the zone"
sleep 3
out=$($Q ls --zone lab 2>&1)
! contains "$out" "slow" >/dev/null; ok $? "… also once the clone would have ended"

# --- A clone's progress, from its task's log, on qair's terminal (the
# app shows the same as the job's progress: tests/app/test-session.c).
out=$(script -qec "$Q create slowp --zone lab --template debian-12" /dev/null 2>&1)
status=$?
check "create on a terminal, of a 3 s clone" test $status -eq 0
contains "$out" "Cloning template “debian-12”"; ok $? "… says it clones the template"
steps=$(printf '%s' "$out" | grep -o 'Creating slowp: [0-9]*%' | sort -u | wc -l)
check "… and how far the clone got, rising ($steps different percentages)" test "$steps" -ge 3
out=$($Q create slowq --zone lab --template debian-12 2>&1)
check "… but prints nothing of it for a script (no terminal)" test -z "$out"
$Q rm lab:slowp >/dev/null 2>&1
$Q rm lab:slowq >/dev/null 2>&1

# --- The gateway itself killed mid-clone (SIGKILL, which no handler
# sees: the loopback transport's cancel, the OOM killer): the guard it
# started for the task stops it and destroys the half-made VM.
rm -f "$pve/vms/stopped-tasks.json"
$Q create slow2 --zone lab --template debian-12 >/dev/null 2>&1 &
creator=$!
sleep 1
gateway=$(pgrep -P "$creator" | head -1)
check "the gateway of a create under way is there (pid ${gateway:-none})" test -n "$gateway"
[ -n "$gateway" ] && kill -9 "$gateway"
wait "$creator" 2>/dev/null
i=0
while ! grep -q qmclone "$pve/vms/stopped-tasks.json" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "the clone task of a killed gateway is stopped by its guard" grep -q qmclone "$pve/vms/stopped-tasks.json"
i=0
while contains "$($Q ls --zone lab 2>&1)" "slow2" >/dev/null && [ $i -lt 30 ]; do sleep 0.2; i=$((i + 1)); done
out=$($Q ls --zone lab 2>&1)
! contains "$out" "slow2" >/dev/null; ok $? "… and the half-made clone is destroyed"

# --- A guest agent that stops answering in the middle of a copy: the
# copy fails, saying why, and no part of the file is at its destination.
stop_server
start_server first "$port" agent-dies
$Q create p3 --zone lab --template debian-12 >/dev/null 2>&1
$Q start lab:p3 >/dev/null 2>&1
out=$($Q copy "$root/blob.bin" lab:p3 2>&1)
status=$?
check "a copy whose guest agent dies after two of its five parts fails" test $status -ne 0
contains "$out" "guest agent is not running"; ok $? "… saying the guest agent is not running"
check "… and leaves nothing at the destination, not even a part" \
  test -z "$(find "$pve/vms" -path '*/QubesIncoming/*')"

# --- A changed certificate at the same address: refused.
stop_server
make_cert second
start_server second "$port"
out=$($Q ls --zone lab 2>&1)
status=$?
check "ls after the server's certificate changed fails" test $status -ne 0
contains "$out" "different certificate key"; ok $? "… saying the certificate is not the pinned one"
out=$($Q zone trust lab --fingerprint "$expected" 2>&1)
status=$?
check "trust with the old fingerprint is refused" test $status -ne 0

# --- The token is nowhere on disk but in this test's own file.
! grep -rqF "$secret" "$gateway_dir" "$root" --exclude-dir="$(basename "$secret_dir")" 2>/dev/null
ok $? "the token is in no file of the gateway's state, the vault's log or the temp dirs"

# --- The zone removed: its gateway forgets the server and its pin.
out=$($Q zone rm lab 2>&1)
check "zone rm lab" test $? -eq 0
check "… the gateway forgets the zone's settings and pin" test ! -e "$gateway_dir/proxmox.json"

stop_server
[ "$failed" -eq 0 ]
