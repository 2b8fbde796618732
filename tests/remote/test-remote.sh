#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The remote zone end to end, for real: qair → loopback → the gateway's
# qubes-air-agent (ssh driver) → OpenSSH → a real sshd on 127.0.0.1 → the
# zone host's qubes-air-agent (local driver). The SSH key is made by the
# vault and used only through its agent (qubesair.SshAgent); no private
# key is on the gateway side. Runs under run-with-keyring.sh (its own
# D-Bus session and unlocked gnome-keyring, temporary HOME/XDG) and, when
# the kernel allows, in a network namespace of its own (run-remote.sh).
#
# Output: TAP.

set -u

root=${AIR_TEST_ROOT:?run me with run-with-keyring.sh}
Q=${QAIR_PROGRAM:?}
AGENT=${AIR_AGENT_PROGRAM:?}
host_dir=$root/zonehost            # the zone host's agent state
sshd_dir=$root/sshd
gw_far=$AIR_LOOPBACK_DIR/sys-remote-far
sshd_pid=
silent_pid=
# shellcheck source=tests/remote/remote-lib.sh
. "$(dirname "$0")/remote-lib.sh"

control_path () {
  echo "$XDG_RUNTIME_DIR/qubes-air-ssh/$1.ctl"
}

calls_path () {
  echo "$XDG_RUNTIME_DIR/qubes-air-ssh/$1.calls"
}

master_pid () {
  ssh -S "$(control_path "$1")" -O check placeholder 2>&1 | sed -n 's/.*pid=\([0-9]*\).*/\1/p'
}

cleanup () {
  for z in far other; do
    pid=$(master_pid $z)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
  done
  [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
  [ -n "$silent_pid" ] && kill "$silent_pid" 2>/dev/null
  # Qubes a failed test left running on the zone host: ours by their
  # environment, which names this test's directory.
  for env in $(grep -ls "AIR_AGENT_DIR=$host_dir" /proc/[0-9]*/environ 2>/dev/null); do
    pid=${env#/proc/}
    kill "${pid%/environ}" 2>/dev/null
  done
  wait 2>/dev/null
}
trap cleanup EXIT

start_sshd () {
  sshd_start "$sshd_dir/sshd_config" 127.0.0.1 "$port"
  status=$?
  sshd_pid=$started_pid
  return $status
}

qube_files () {
  ls "$host_dir/qubes" 2>/dev/null | grep '\.json$' | sed 's/\.json$//' | tr '\n' ' '
}

echo "1..74"

# --- The zone host: sshd with its own host key and config; the user is
# --- us; authorized_keys holds only the vault's public key of zone far.
mkdir -p "$sshd_dir" "$host_dir"
$Q key generate --zone far >"$sshd_dir/authorized_keys" 2>"$root/err"
ok $? "the vault makes the zone's key"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sshd_setup "$sshd_dir" 127.0.0.1 "$port" "$host_dir"
start_sshd
ok $? "sshd listens on 127.0.0.1:$port"
fingerprint=$(ssh-keygen -lf "$sshd_dir/host_key.pub" | cut -d' ' -f2)

# --- Adding the zone: a fingerprint the host does not offer pins nothing.
out=$($Q zone add far --driver ssh --host 127.0.0.1 --port "$port" --user "$(id -un)" \
        --agent "$AGENT" --timeout 3 --fingerprint SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 2>&1)
status=$?
check "a wrong fingerprint is refused and nothing is pinned" \
  test $status -ne 0 -a ! -e "$gw_far/known_hosts"
contains "$out" "offers no key with the fingerprint" ; ok $? "… with a plain message"

out=$($Q zone trust far --fingerprint "$fingerprint" 2>&1)
ok $? "the host key is pinned once its fingerprint is confirmed"
check "… in the zone's own known_hosts, mode 0600" \
  test "$(stat -c %a "$gw_far/known_hosts")" = 600 -a "$(wc -l <"$gw_far/known_hosts")" -eq 1

# --- The same through the app's add-zone dialog, when it is built.
if [ -n "${AIR_TEST_ZONE_DIALOG:-}" ] && command -v xvfb-run >/dev/null; then
  # The accessibility bus it would start writes to stdout, which is TAP here.
  GTK_A11Y=none xvfb-run -a -s "-screen 0 1024x768x24" "$AIR_TEST_ZONE_DIALOG" viadialog 127.0.0.1 "$port" \
    "$(id -un)" "$fingerprint" "$AIR_LOOPBACK_DIR/sys-remote-viadialog/known_hosts" 2>"$root/dialog.err"
  status=$?
  [ $status -ne 0 ] && sed 's/^/# /' "$root/dialog.err"
  check "the add-zone dialog shows the fingerprint and pins it once trusted" \
    test $status -eq 0 -a -s "$AIR_LOOPBACK_DIR/sys-remote-viadialog/known_hosts"
  $Q zone rm viadialog >/dev/null 2>&1
else
  ok 0 "# SKIP the app is not built"
fi

out=$($Q zones 2>&1)
contains "$out" "SSH: connected to" ; ok $? "the zone is up and reports its SSH link"

# --- The chain: create, start, run with stdin/stdout/exit status.
$Q create q1 --zone far --label blue >/dev/null 2>"$root/err"
ok $? "create a qube in the remote zone"
check "… it exists on the zone host, not on the gateway" \
  test -e "$host_dir/qubes/q1.json" -a ! -e "$gw_far/qubes/q1.json"
$Q start q1 >/dev/null 2>"$root/err"
ok $? "start it"
out=$(printf 'hello\nremote\n' | $Q run q1 -- sh -c 'tr a-z A-Z; echo err >&2; exit 3' 2>"$root/err")
status=$?
check "run streams stdin to stdout and returns the exit status" \
  test "$out" = "HELLO
REMOTE" -a $status -eq 3
contains "$(cat "$root/err")" "err" ; ok $? "… and stderr"
check "calls go as channels of the zone's one connection, not SSH sessions" \
  test -S "$(calls_path far)" -a ! -e "$(calls_path far).refused"

# --- Events from the remote zone.
$Q events --zone far >"$root/events" 2>&1 &
events_pid=$!
sleep 1
$Q create q2 --zone far >/dev/null 2>&1
i=0
while ! grep -q "qube-added q2" "$root/events" && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
kill $events_pid 2>/dev/null
wait $events_pid 2>/dev/null
contains "$(cat "$root/events")" "far qube-added q2" ; ok $? "events arrive from the remote zone"
contains "$(cat "$root/events")" "far zone-health up" ; ok $? "… with the link's health"

# The stream as the app asks for it: the zone's list first, then its health.
env QREXEC_SERVICE_FULL_NAME="qubesair.Events+listed" QREXEC_SERVICE_ARGUMENT=listed \
    QREXEC_REMOTE_DOMAIN=work AIR_LOOPBACK_SELF=sys-remote-far AIR_AGENT_DIR="$gw_far" \
    timeout 5 "$AGENT" listed </dev/null >"$root/listed" 2>/dev/null
first=$(sed -n 1p "$root/listed")
contains "$first" '"zone":"far","qubes":[{"name":"q1"' && contains "$first" '{"name":"q2"'
ok $? "the gateway's event stream begins with the remote zone's list, when asked"
contains "$(sed -n 2p "$root/listed")" '"event":"zone-health","health":"up","reason":"SSH: connected to' ; ok $? "… then the zone's health, with the link's"

# ZoneInfo through the gateway: the link as the map shows it, the gateway's
# own word (the kind, the endpoint, the fingerprint of the pinned key).
info=$(env QREXEC_SERVICE_FULL_NAME="qubesair.ZoneInfo" QREXEC_SERVICE_ARGUMENT= \
    QREXEC_REMOTE_DOMAIN=work AIR_LOOPBACK_SELF=sys-remote-far AIR_AGENT_DIR="$gw_far" \
    timeout 20 "$AGENT" </dev/null 2>/dev/null)
fingerprint=$(ssh-keygen -lf "$sshd_dir/host_key.pub" | awk '{ print $2 }')
contains "$info" '"link":"ssh"' && contains "$info" "@127.0.0.1:$port\"" &&
  contains "$info" "\"host-key\":\"$fingerprint\""
ok $? "the gateway's ZoneInfo says the link is SSH, to which endpoint, with which pinned key"

# --- Under a real qrexec a caller's stdout can outlive it: the gateway's
# Events (and the zone host's behind it) end when the caller's stdin does.
events_running () {  # this test's Events services, on the gateway and the zone host
  for p in $(pgrep -f "$AGENT"); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -q '^QREXEC_SERVICE_FULL_NAME=qubesair.Events' &&
      tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qF "$root" && echo "$p"
  done | wc -l
}
before=$(events_running)
rm -f "$root/ev.in"; mkfifo "$root/ev.in"
sleep 60 >"$root/ev.in" &
holder=$!
env QREXEC_SERVICE_FULL_NAME="qubesair.Events+" QREXEC_SERVICE_ARGUMENT="" QREXEC_REMOTE_DOMAIN=mgmt \
    AIR_LOOPBACK_SELF=sys-remote-far AIR_AGENT_DIR="$gw_far" "$AGENT" <"$root/ev.in" >"$root/ev.out" 2>/dev/null &
ev_pid=$!
i=0
while [ "$(events_running)" -lt $((before + 2)) ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "the gateway follows the zone host's events (two Events services)" test "$(events_running)" -ge $((before + 2))
kill $holder; wait $holder 2>/dev/null
i=0
while kill -0 $ev_pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "the gateway's Events ends when its caller's stdin ends" test ! -d "/proc/$ev_pid"
i=0
while [ "$(events_running)" -gt "$before" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "… and so does the zone host's" test "$(events_running)" -eq "$before"

# --- A disposable: made, used and destroyed on the zone host.
out=$(echo in | $Q dispvm --zone far -- sh -c 'cat; echo disposable' 2>&1)
check "a disposable runs on the zone host" test "$out" = "in
disposable"
check "… and is gone afterwards" test "$(qube_files)" = "q1 q2 "

# --- qubesair.Relay, as dom0 sends it for a RemoteVM.
relay () {
  env QREXEC_SERVICE_FULL_NAME="qubesair.Relay+$1" QREXEC_SERVICE_ARGUMENT="$1" \
      QREXEC_REMOTE_DOMAIN=work AIR_LOOPBACK_SELF=sys-remote-far AIR_AGENT_DIR="$gw_far" \
      "$AGENT" "$1"
}
out=$(printf 'echo shell-$((6*7))\nexit 4\n' | relay q1+qubes.VMShell 2>&1)
status=$?
check "Relay carries qubes.VMShell into the remote qube" test "$out" = "shell-42" -a $status -eq 4
out=$(relay q1+qubes.VMExec+printf+-25s-7C+hello-20world--x </dev/null 2>&1)
check "Relay carries qubes.VMExec with Qubes' argument encoding" test "$out" = "hello world-x|"
relay q1+qubes.NoSuchService </dev/null >/dev/null 2>&1
ok $(( $? == 127 ? 0 : 1 )) "an unknown relayed service exits 127"

# dom0 sends the RemoteVM's own name; its remote_name is in QubesDB.
mkdir -p "$root/qubesdb"
cat >"$root/qubesdb/qubesdb-read" <<'END'
#!/bin/sh
case "$1" in
  /remote/lab-work) echo q1 ;;
  /remote/lab-zoned) echo far:q2 ;;
  /remote/lab-other) echo otherzone:q1 ;;
  /remote/lab-evil) printf '../../etc\n' ;;
  *) exit 1 ;;
esac
END
chmod +x "$root/qubesdb/qubesdb-read"
qdb_relay () { PATH="$root/qubesdb:$PATH" relay "$@"; }
out=$(echo 'echo via-qubesdb' | qdb_relay lab-work+qubes.VMShell 2>&1)
check "a RemoteVM's dom0 name is mapped to its remote_name through QubesDB" test "$out" = via-qubesdb
out=$(echo 'hostname' | qdb_relay lab-zoned+qubes.VMShell 2>&1)
check "… written ZONE:NAME for this zone" test "$out" = q2
out=$(echo 'echo itself' | qdb_relay q1+qubes.VMShell 2>&1)
check "… and without a QubesDB key the name is the qube's own" test "$out" = itself
out=$(echo 'echo wrong' | qdb_relay lab-other+qubes.VMShell 2>&1)
status=$?
check "a remote_name in another zone is refused" test $status -ne 0 -a "${out#*wrong}" = "$out"
contains "$out" "names a qube of zone “otherzone”" ; ok $? "… saying which zone"
out=$(echo 'echo evil' | qdb_relay lab-evil+qubes.VMShell 2>&1)
status=$?
check "a hostile remote_name is refused" test $status -ne 0 -a -z "$(echo "$out" | grep -x evil)"

# qvm-open-in-vm: a 256-byte name, then the file; sent back when changed.
mkdir -p "$host_dir/private/q1/.local/bin"
printf '#!/bin/sh\necho edited >>"$1"\n' >"$host_dir/private/q1/.local/bin/xdg-open"
chmod 0755 "$host_dir/private/q1/.local/bin" "$host_dir/private/q1/.local/bin/xdg-open" "$host_dir/private/q1/.local"
out=$( { printf 'note$1.txt'; head -c $((256 - 10)) /dev/zero; printf 'original\n'; } | relay q1+qubes.OpenInVM 2>&1)
check "Relay carries qubes.OpenInVM: the file is opened in the qube and sent back changed" \
  test "$out" = "original
edited"
out=$(echo 'file:///etc/passwd' | relay q1+qubes.OpenURL 2>&1)
check "qubes.OpenURL takes only http, https and ftp links" test $? -ne 0 -a "$out" = "Invalid URL"
relay q1+qubes.WaitForSession </dev/null >/dev/null 2>&1
ok $? "qubes.WaitForSession answers once the qube runs"

# --- Files: into a remote qube, and from it to qubes of both zones.
printf 'payload %s\n' "$(seq 1 2000)" >"$root/payload.txt"
$Q copy "$root/payload.txt" q1 >/dev/null 2>"$root/err"
got=$(find "$host_dir/private/q1/QubesIncoming" -name payload.txt 2>/dev/null | head -1)
check "qair copy puts a file into the remote qube's QubesIncoming" \
  cmp -s "$root/payload.txt" "$got"
rel=${got#"$host_dir/private/q1/"}
$Q create lq --zone local >/dev/null 2>&1
$Q copy "q1:$rel" q2 >/dev/null 2>"$root/err" &&
  $Q copy "q1:$rel" lq >/dev/null 2>>"$root/err"
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$root/err"
check "… and from it to another remote qube, under QubesIncoming/q1/" \
  cmp -s "$root/payload.txt" "$host_dir/private/q2/QubesIncoming/q1/payload.txt"
check "… and across zones to a local qube" \
  cmp -s "$root/payload.txt" "$AIR_LOOPBACK_DIR/sys-remote-local/private/lq/QubesIncoming/q1/payload.txt"
$Q rm lq >/dev/null 2>&1

# --- Templates through the SSH relay: answers checked by the gateway,
# --- builds streamed both ways.
if [ -x /bin/busybox ] && command -v bwrap >/dev/null && command -v dpkg-deb >/dev/null; then
  troot=$root/tpl-root
  mkdir -p "$troot/bin" "$troot/etc" "$troot/var/lib/dpkg/info"
  cp /bin/busybox "$troot/bin/"
  for applet in sh cat dpkg; do ln -s busybox "$troot/bin/$applet"; done
  : >"$troot/var/lib/dpkg/status"
  tar -C "$troot" -czf "$root/tpl.tar.gz" .
  mkdir -p "$root/tpl-pkg/DEBIAN" "$root/tpl-pkg/usr/share/air-far"
  printf 'Package: air-far\nVersion: 1.0\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: t\n' \
    >"$root/tpl-pkg/DEBIAN/control"
  echo far >"$root/tpl-pkg/usr/share/air-far/content"
  dpkg-deb --build "$root/tpl-pkg" "$root/air-far_1.0_all.deb" >/dev/null
  $Q template import fbase --zone far "$root/tpl.tar.gz" >/dev/null 2>"$root/err"
  check "a template is imported into the remote zone, on its host" test -e "$host_dir/templates/fbase/template.json"
  out=$($Q template create fdev --zone far --from fbase --package "$root/air-far_1.0_all.deb" 2>&1)
  contains "$out" "Setting up air-far" ; ok $? "a build on the zone host streams its steps and output back"
  check "ls lists the remote zone's templates through the gateway's check" \
    sh -c "$Q template ls --zone far 2>/dev/null | grep -q '^far  *fdev  *1 .*air-far_1.0_all.deb'"
  $Q template rm fdev >/dev/null 2>&1 && $Q template rm far:fbase >/dev/null 2>&1
  check "rm removes them from the zone host" test ! -e "$host_dir/templates/fdev" -a ! -e "$host_dir/templates/fbase"
else
  for i in 1 2 3 4; do echo "ok $((n + i)) # SKIP no busybox, bwrap or dpkg-deb"; done
  n=$((n + 4))
fi

# --- Authentication is the vault's alone.
check "no private key anywhere on the gateway side" \
  test -z "$(grep -rl 'PRIVATE KEY' "$HOME" "$AIR_LOOPBACK_DIR" "$XDG_CONFIG_HOME" 2>/dev/null)"
$Q zone add other --driver ssh --host 127.0.0.1 --port "$port" --user "$(id -un)" \
   --agent "$AGENT" --timeout 3 --fingerprint "$fingerprint" >/dev/null 2>&1
out=$($Q ls --zone other 2>&1)
status=$?
check "a zone without a key in the vault is not let in" test $status -ne 0
contains "$out" "refused the zone's key" ; ok $? "… and says why"
$Q zone rm other >/dev/null 2>&1

# --- A host that refuses forwarding still serves every call, as SSH sessions.
$Q key generate --zone plain >>"$sshd_dir/authorized_keys" 2>"$root/err"
sed -e "s/^Port .*/Port $((port + 1))/" "$sshd_dir/sshd_config" >"$sshd_dir/sshd_plain_config"
echo "AllowStreamLocalForwarding no" >>"$sshd_dir/sshd_plain_config"
sshd_start "$sshd_dir/sshd_plain_config" 127.0.0.1 $((port + 1))
plain_pid=$started_pid
$Q zone add plain --driver ssh --host 127.0.0.1 --port $((port + 1)) --user "$(id -un)" \
   --agent "$AGENT" --timeout 3 --fingerprint "$fingerprint" >/dev/null 2>&1
$Q create p1 --zone plain >/dev/null 2>&1
# Zones "far" and "plain" are one host, so both list p1: a bare name is
# refused, naming both zones; ZONE:NAME and --zone say which.
out=$($Q start p1 2>&1)
status=$?
check "a name two zones list is refused" test $status -ne 0
contains "$out" "qair: More than one zone has a qube called “p1”" &&
  contains "$out" "“far”" && contains "$out" "“plain”" && contains "$out" ":p1"
ok $? "… naming both zones and how to choose (ZONE:NAME)"
$Q start plain:p1 >/dev/null 2>&1
out=$(echo sessions | $Q run --zone plain p1 -- cat 2>&1)
check "a host that refuses forwarding runs calls as SSH sessions" test "$out" = "sessions"
check "… and the refusal is remembered for its connection" test -e "$(calls_path plain).refused"
$Q kill plain:p1 >/dev/null 2>&1
$Q rm --zone plain p1 >/dev/null 2>&1
$Q zone rm plain >/dev/null 2>&1
check "… until the connection ends" test ! -e "$(calls_path plain).refused" -a -z "$(master_pid plain)"
kill $plain_pid 2>/dev/null
wait $plain_pid 2>/dev/null

# --- An unreachable host fails within its timeout; the local zone answers.
silent_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $silent_port)); s.listen(16)
open('$root/silent.ready', 'w').close(); time.sleep(120)" &
silent_pid=$!
i=0
while [ ! -e "$root/silent.ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
$Q zone add dead --driver ssh --host 127.0.0.1 --port "$silent_port" --agent "$AGENT" \
   --timeout 2 >/dev/null 2>&1 </dev/null
# The host was pinned before it went silent.
echo "qubes-air-zone-dead $(cut -d' ' -f1,2 "$sshd_dir/host_key.pub")" >"$AIR_LOOPBACK_DIR/sys-remote-dead/known_hosts"
start=$(date +%s)
$Q ls --zone dead >"$root/dead.out" 2>&1 &
dead_pid=$!
$Q ls --zone local >/dev/null 2>&1
local_status=$?
local_time=$(( $(date +%s) - start ))
wait $dead_pid
dead_status=$?
dead_time=$(( $(date +%s) - start ))
check "the local zone answers while the remote one hangs" test $local_status -eq 0 -a $local_time -le 2
check "the silent host fails within its bounded time (${dead_time}s)" test $dead_status -ne 0 -a $dead_time -le 9
contains "$(cat "$root/dead.out")" "did not answer within 2 seconds" ; ok $? "… with a plain message"
# A name only one answering zone lists is not sent there while another zone,
# which may list it too, is silent.
start=$(date +%s)
out=$($Q kill q1 2>&1)
status=$?
check "a name is not sent to one zone while another is silent" test $status -ne 0 -a $(( $(date +%s) - start )) -le 9
contains "$out" "zone “dead” did not answer and may have one too" ; ok $? "… saying which zone and how to choose"
# Adding a zone whose host does not answer: said plainly, no crash, and
# the zone can be trusted later or removed.
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for how in "closed:$closed_port" "silent:$silent_port"; do
  out=$($Q zone add "nokey-${how%%:*}" --driver ssh --host 127.0.0.1 --port "${how#*:}" --agent "$AGENT" \
        --timeout 2 2>&1 </dev/null)
  status=$?
  check "zone add with a ${how%%:*} port fails without a crash" \
    test $status -eq 1 -a -z "$(echo "$out" | grep -i signal)"
  contains "$out" "did not answer with an SSH host key on 127.0.0.1:${how#*:}" &&
    contains "$out" "qair zone trust nokey-${how%%:*}" && contains "$out" "qair zone rm nokey-${how%%:*}"
  ok $? "… saying the host did not answer on that port, and how to trust or remove the zone"
done
out=$($Q zone trust nokey-closed 2>&1 </dev/null)
check "zone trust of a host still not answering says so" \
  test $? -eq 1 -a -n "$(echo "$out" | grep 'did not answer')"
$Q zone rm nokey-closed >/dev/null 2>&1 && $Q zone rm nokey-silent >/dev/null 2>&1
check "… and such zones can be removed" test -z "$($Q zones 2>/dev/null | grep nokey)"

# Every command that lists or sends to zones has a time limit.
start=$(date +%s)
out=$($Q zones 2>&1)
status=$?
check "qair zones answers within the silent zone's limit, with it down" \
  test $(( $(date +%s) - start )) -le 9 -a -n "$(echo "$out" | grep '^dead .*down')"
printf 'x\n' >"$root/to-dead.txt"
start=$(date +%s)
$Q copy "$root/to-dead.txt" dead:q1 >/dev/null 2>"$root/err"
status=$?
check "qair copy to the silent zone fails within its limit" test $status -ne 0 -a $(( $(date +%s) - start )) -le 9
$Q zone rm dead >/dev/null 2>&1
kill $silent_pid 2>/dev/null

# --- What a gateway writes on stderr reaches a terminal filtered.
printf '#!/bin/sh\nprintf "gateway says \\033]0;owned\\007\\033[2J done\\n" >&2\nexit 1\n' >"$root/hostile-agent"
chmod +x "$root/hostile-agent"
out=$(AIR_AGENT_PROGRAM="$root/hostile-agent" $Q events --zone local 2>&1 </dev/null)
check "qair events shows the gateway's stderr, marked as the zone's" \
  contains "$out" "qair: zone “local”: gateway says"
check "… with its escape sequences removed" test -z "$(printf '%s' "$out" | tr -d '\n' | tr -dc '\033\007')"

# --- The SSH connection dies in the middle of a run.
$Q dispvm --zone far -- sh -c 'echo started; sleep 60' >"$root/kill.out" 2>"$root/kill.err" &
run_pid=$!
i=0
while ! grep -q started "$root/kill.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "… (a disposable is running)" test "$(qube_files | wc -w)" -eq 3
kill -9 "$(master_pid far)"
wait $run_pid
status=$?
check "a killed connection ends the run with the agent's failure status" test $status -eq 125
contains "$(cat "$root/kill.err")" "connection to zone “far” was lost" ; ok $? "… and a clear error"
i=0
while [ "$(qube_files)" != "q1 q2 " ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "no disposable is left on the zone host" test "$(qube_files)" = "q1 q2 "

$Q kill q1 >/dev/null 2>&1
ok $? "the remote qube is stopped through a new connection"

# --- A changed host key is refused.
kill "$(master_pid far)" 2>/dev/null
kill "$sshd_pid"
wait "$sshd_pid" 2>/dev/null
rm -f "$sshd_dir/host_key" "$sshd_dir/host_key.pub"
ssh-keygen -q -t ed25519 -N '' -C impostor -f "$sshd_dir/host_key"
start_sshd
out=$($Q ls --zone far 2>&1)
status=$?
check "a host with another key is refused" test $status -ne 0
contains "$out" "not the one pinned" ; ok $? "… saying so plainly"

$Q zone rm far >/dev/null 2>&1
check "removing the zone forgets its pinned key and connection" \
  test ! -e "$gw_far/known_hosts" -a -z "$(master_pid far)"

[ $failed -eq 0 ]
