#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Adding an ssh zone whose host does not answer as SSH: nothing listening,
# a port that accepts and says nothing, a host that speaks something else.
# The gateway's ZoneSetup scan must not crash (it did: a NULL from an empty
# ssh-keyscan answer); the user is told the host did not answer on
# HOST:PORT and how to go on; the zone can then be trusted once a real
# sshd answers there, or removed. Runs like test-remote.sh (run-remote.sh,
# run-with-keyring.sh: fresh HOME, loopback transport).
#
# Output: TAP.

set -u

root=${AIR_TEST_ROOT:?run me with run-with-keyring.sh}
Q=${QAIR_PROGRAM:?}
AGENT=${AIR_AGENT_PROGRAM:?}
sshd_dir=$root/zs-sshd
host_dir=$root/zs-host
sshd_pid=
silent_pid=
garbage_pid=
# shellcheck source=tests/remote/remote-lib.sh
. "$(dirname "$0")/remote-lib.sh"

cleanup () {
  for pid in $sshd_pid $silent_pid $garbage_pid; do
    kill "$pid" 2>/dev/null
  done
  wait 2>/dev/null
}
trap cleanup EXIT

free_port () {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# listener PORT MODE READY: silent accepts and says nothing; garbage
# answers every connection with a line that is not SSH, then closes.
listener () {
  python3 -c "
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $1)); s.listen(16)
open('$3', 'w').close()
held = []
end = time.time() + 120
while time.time() < end:
    c, _ = s.accept()
    if '$2' == 'garbage':
        try:
            c.sendall(b'HTTP/1.0 400 Bad Request\r\n\r\n\x00\xff garbage \x1b[31m\n' * 4)
        except OSError:
            pass
        c.close()
    else:
        held.append(c)
" &
  listener_pid=$!
  wait_until 5 test -e "$3"
}

no_crash () {
  case "$1" in *signal*|*Signal*|*"core dumped"*) echo "# crashed: $1"; return 1 ;; esac
  return 0
}

# add_case NAME PORT WHAT: zone add fails plainly, within its time limit.
add_case () {
  start=$(date +%s)
  out=$($Q zone add "$1" --driver ssh --host 127.0.0.1 --port "$2" --agent "$AGENT" --timeout 2 2>&1 </dev/null)
  status=$?
  took=$(( $(date +%s) - start ))
  check "zone add, $3: fails (status 1) without a crash, within its timeout" \
    test $status -eq 1 -a $took -le 10
  no_crash "$out"; ok $? "… the gateway's scan is not killed by a signal"
  contains "$out" "did not answer with an SSH host key on 127.0.0.1:$2" ; ok $? "… saying the host did not answer on 127.0.0.1:$2"
  contains "$out" "qair zone trust $1" && contains "$out" "qair zone rm $1"
  ok $? "… and how to trust the host later or remove the zone"
  check "… the zone is kept, to be fixed or removed" sh -c "$Q zones 2>/dev/null | grep -q '$1'"
}

echo "1..36"

refused_port=$(free_port)
silent_port=$(free_port)
garbage_port=$(free_port)

# --- Nothing listening.
add_case refused "$refused_port" "nothing listening"

# --- Port 1, as the issue's user typed it: refused too.
out=$($Q zone add portone --driver ssh --host 127.0.0.1 --port 1 --agent "$AGENT" --timeout 2 2>&1 </dev/null)
status=$?
check "zone add on port 1 fails without a crash" test $status -eq 1
contains "$out" "on 127.0.0.1:1 " ; ok $? "… naming 127.0.0.1:1"

# --- Accepts and says nothing: bounded by --timeout.
listener "$silent_port" silent "$root/silent.ready"
silent_pid=$listener_pid
add_case silent "$silent_port" "a port that accepts and says nothing"

# --- Speaks something that is not SSH.
listener "$garbage_port" garbage "$root/garbage.ready"
garbage_pid=$listener_pid
add_case garbage "$garbage_port" "a host that does not speak SSH"

# --- Trust while the host is still not answering: said plainly again.
out=$($Q zone trust refused 2>&1 </dev/null)
status=$?
check "zone trust of a host still not answering fails (status 1)" test $status -eq 1
no_crash "$out" && contains "$out" "did not answer with an SSH host key on 127.0.0.1:$refused_port"
ok $? "… without a crash, saying where it did not answer"

# --- A gateway whose ZoneSetup ends without a word (exit 0, no output):
# --- for scan, a plain message; for pin, nothing is said to be pinned.
mkdir -p "$sshd_dir" "$host_dir"
: >"$sshd_dir/authorized_keys"
sshd_setup "$sshd_dir" 127.0.0.1 "$refused_port" "$host_dir"
sshd_start "$sshd_dir/sshd_config" 127.0.0.1 "$refused_port"
ok $? "sshd now listens on 127.0.0.1:$refused_port"
sshd_pid=$started_pid
fingerprint=$(ssh-keygen -lf "$sshd_dir/host_key.pub" | cut -d' ' -f2)
mute=$root/mute-agent
cat >"$mute" <<MUTE
#!/bin/sh
case "\$QREXEC_SERVICE_FULL_NAME" in *ZoneSetup*"\$MUTE_ACTION"*) cat >/dev/null; exit 0 ;; esac
exec "$AGENT" "\$@"
MUTE
chmod +x "$mute"
out=$(MUTE_ACTION=scan AIR_AGENT_PROGRAM=$mute $Q zone trust refused --fingerprint "$fingerprint" 2>&1 </dev/null)
status=$?
check "zone trust, a gateway that answers a scan with nothing: fails (status 1)" test $status -eq 1
contains "$out" "ended without an answer" ; ok $? "… saying the gateway's service gave no answer"
out=$(MUTE_ACTION=pin AIR_AGENT_PROGRAM=$mute $Q zone trust refused --fingerprint "$fingerprint" 2>&1 </dev/null)
status=$?
check "zone trust, a gateway that answers a pin with nothing: fails (status 1)" test $status -eq 1
contains "$out" "did not confirm that it pinned" && ! contains "$out" "Pinned the host key" 2>/dev/null
ok $? "… and does not say the key was pinned"

# --- The real gateway: trust fixes the zone.
out=$($Q zone trust refused --fingerprint "$fingerprint" 2>&1 </dev/null)
ok $? "zone trust pins the key once the host answers"
known=$AIR_LOOPBACK_DIR/sys-remote-refused/known_hosts
check "… in the zone's known_hosts, the host's key" \
  sh -c "test -s '$known' && grep -q '$(cut -d' ' -f2 "$sshd_dir/host_key.pub")' '$known'"

# --- The gateway's service, called with an empty request: said plainly.
for action in configure pin; do
  out=$(QREXEC_SERVICE_FULL_NAME=qubesair.ZoneSetup+$action QREXEC_SERVICE_ARGUMENT=$action \
        QREXEC_REMOTE_DOMAIN=dom0 AIR_LOOPBACK_SELF=sys-remote-refused \
        AIR_AGENT_DIR="$AIR_LOOPBACK_DIR/sys-remote-refused" "$AGENT" 2>&1 </dev/null)
  status=$?
  check "ZoneSetup $action with an empty request fails (status 1)" test $status -eq 1
  contains "$out" "request was empty" ; ok $? "… saying the request was empty"
done

# --- The others are removed, on both sides.
for z in silent garbage portone; do
  $Q zone rm "$z" >"$root/rm.out" 2>&1
  status=$?
  check "zone rm $z succeeds" test $status -eq 0
done
check "… and they are gone from qair zones" sh -c "! $Q zones 2>/dev/null | grep -Eq 'silent|garbage|portone'"
check "… and from their gateways' ZoneSetup state" \
  sh -c "! ls '$AIR_LOOPBACK_DIR'/sys-remote-silent/*.json '$AIR_LOOPBACK_DIR'/sys-remote-garbage/known_hosts 2>/dev/null | grep -q ."
$Q zone rm refused >/dev/null 2>&1
ok $? "the trusted zone can be removed too"

[ $failed -eq 0 ]
