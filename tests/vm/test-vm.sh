#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Qubes as virtual machines (issue 16), for real: qair → loopback → the
# agent's libvirt backend → libvirt (qemu:///session) → QEMU (TCG here)
# booting the guest that scripts/make-vm-guest.sh builds from Debian
# packages, whose PID 1 is our agent on a virtio-serial channel.
#
# Run by tests/vm/run-vm.sh (as nobody when root: a session libvirt of its
# own, in the test's directory, touching nothing of the machine's).
#
# Output: TAP.

set -u

T=${AIR_VM_DIR:?run me with tests/vm/run-vm.sh}
Q=${QAIR_PROGRAM:?}
export AIR_BACKEND=libvirt AIR_LIBVIRT_URI=qemu:///session AIR_VM_START_TIMEOUT=120
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
chmod 0700 "$XDG_RUNTIME_DIR"
vm=$AIR_LOOPBACK_DIR/sys-remote-local/vm
mkdir -p "$vm/kernel" "$vm/templates"
# shellcheck source=tests/remote/remote-lib.sh
. "$(dirname "$0")/remote-lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
domains () { virsh -c qemu:///session list --all --name 2>/dev/null | grep -c qubesair; }
state () {
  $Q ls --json 2>/dev/null | "$PY" -c "import json, sys
print([e['qube']['state'] for e in json.load(sys.stdin)['qubes'] if e['qube']['name'] == sys.argv[1]][0])" "$1" 2>/dev/null
}

echo "1..47"

# --- A zone host with no kernel says so, and what to do.
cp "$T/guest/template.qcow2" "$vm/templates/mini.qcow2"
$Q create early --zone local --template mini >/dev/null 2>&1
out=$($Q start early 2>&1)
contains "$out" "No kernel for VM qubes" ; ok $? "without a kernel, start says where to put one"
$Q rm early >/dev/null 2>&1

cp "$T/guest/vmlinuz" "$T/guest/initrd.img" "$vm/kernel/"

# --- The zone says its qubes are VMs, and whether KVM accelerates them.
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then accel=kvm; else accel=tcg; fi
check "qair zones says: vm ($accel)" sh -c "$Q zones 2>/dev/null | grep -q '^local .* vm ($accel) '"
check "… and so does its JSON" sh -c "$Q zones --json 2>/dev/null | grep -q '\"isolation\":\"vm\",\"acceleration\":\"$accel\"'"

out=$($Q create q1 --zone local --template nothere 2>&1)
check "a qube of a template the zone does not have is refused" test $? -ne 0
contains "$out" "nothere" ; ok $? "… naming it"

# --- Create and start: a machine of its own.
$Q create q1 --zone local --template mini --memory 320 --vcpus 1 >/dev/null 2>"$T/err"
ok $? "create a VM qube"
check "… with a private volume of its own" test -s "$vm/private/q1.qcow2"
start=$(date +%s%N)
$Q start q1 >/dev/null 2>"$T/err"
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$T/err"
echo "# start took $(( ($(date +%s%N) - start) / 1000000 )) ms (TCG)"
ok $status "start it: libvirt boots it and its agent answers"
check "… it is Running, and a libvirt domain" test "$(state q1)" = Running -a "$(domains)" -ge 1

# --- Run: stdin, stdout, stderr, exit status.
out=$(printf 'hello\nvm\n' | $Q run q1 -- sh -c 'tr a-z A-Z; echo oops >&2; exit 7' 2>"$T/err")
status=$?
check "run streams stdin to stdout and returns the exit status" test "$out" = "HELLO
VM" -a $status -eq 7
contains "$(cat "$T/err")" "oops" ; ok $? "… and stderr"

# --- Calls side by side: two long commands do not hold up a third. The
# first outlasts libvirtd's keepalive window (5 s × 5): the agent must
# answer keepalives while it relays, or libvirtd drops its connection and
# closing that at exit ended the agent with SIGPIPE (141).
$Q run q1 -- sleep 40 >/dev/null 2>"$T/long1.err" &
long1=$!
$Q run q1 -- sleep 25 >/dev/null 2>"$T/long2.err" &
long2=$!
sleep 3
t0=$(date +%s)
out=$(timeout 20 $Q run q1 -- echo beside 2>&1)
check "a call is answered while two others run in the same qube ($(( $(date +%s) - t0 )) s)" \
  test "$out" = beside -a $(( $(date +%s) - t0 )) -lt 15
wait $long1; s1=$?
wait $long2; s2=$?
check "the two long runs end with their commands' status (0 and 0: $s1 and $s2; $(cat "$T/long1.err" "$T/long2.err"))" \
  test "$s1" = 0 -a "$s2" = 0

# --- The machine's own memory, CPUs and name; the user, not root.
mem=$($Q run q1 -- sh -c "sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo")
check "the qube sees its own memory ($mem kB of 320 MiB)" test "${mem:-0}" -gt 200000 -a "${mem:-0}" -le 327680
check "… and its one vCPU" test "$($Q run q1 -- nproc)" = 1
check "… its name, and runs commands as its user" test "$($Q run q1 -- sh -c 'echo $(hostname) $(id -u)')" = "q1 1000"

# --- Isolation: nothing of the host, nothing of another qube.
echo "host secret" >"$T/host-secret"
check "the host's files are not in the qube" test -z "$($Q run q1 -- sh -c "cat $T/host-secret 2>/dev/null; ls /tmp/air-vm.* 2>/dev/null")"
# Qubes here have one vCPU unless a check is about vCPUs: with two, QEMU
# 7.2's multi-threaded TCG once crashed in a second vCPU's thread while a
# qube booted (a segfault of qemu-system-x86_64 in dmesg), a QEMU bug.
$Q create q2 --zone local --template mini --memory 256 --vcpus 1 >/dev/null 2>&1 && $Q start q2 >/dev/null 2>&1 &&
  $Q run q2 -- sh -c 'echo q2-private >~/mine' >/dev/null 2>&1
check "qube q1 cannot see qube q2's home (its own disks only: $($Q run q1 -- sh -c 'ls /sys/block | tr "\n" " "'))" \
  test -z "$($Q run q1 -- sh -c 'grep -rs q2-private /home /tmp 2>/dev/null')" -a \
       "$($Q run q1 -- sh -c 'ls /sys/block | grep -c ^vd')" = 3

# --- Files in and out of a VM qube, through its own agent.
seq 1 20000 | sed 's/^/payload /' >"$T/payload.txt"
$Q copy "$T/payload.txt" q1 >/dev/null 2>"$T/err"
ok $? "qair copy puts a file into a VM qube"
check "… into its ~/QubesIncoming/mgmt/, whole" \
  test "$($Q run q1 -- cat QubesIncoming/mgmt/payload.txt | cksum)" = "$(cksum <"$T/payload.txt")"
$Q copy q1:QubesIncoming/mgmt/payload.txt q2 >/dev/null 2>"$T/err"
ok $? "… and from one VM qube to another"
check "… into q2's ~/QubesIncoming/q1/" \
  test "$($Q run q2 -- cat QubesIncoming/q1/payload.txt | cksum)" = "$(cksum <"$T/payload.txt")"

# --- A full private volume: the copy fails saying so, and leaves no part.
$Q run q2 -- sh -c 'dd if=/dev/zero of=fill bs=1M 2>/dev/null; sync' >/dev/null 2>&1
head -c 8388608 /dev/urandom >"$T/blob"
out=$($Q copy "$T/blob" q2 2>&1); status=$?
[ $status -ne 0 ] && contains "$out" "space"
ok $? "a copy into a qube whose disk is full fails, saying so ($(echo "$out" | tail -1))"
# What the refused copy was still sending (random bytes) is never taken
# for a call: the next one is answered at once.
check "… and the qube answers its next call at once" test "$(timeout 30 $Q run q2 -- echo alive 2>&1)" = alive
check "… and leaves no part of the file in the qube" \
  test -z "$($Q run q2 -- sh -c 'ls -A QubesIncoming/mgmt 2>/dev/null | grep -v "^payload"')"
$Q run q2 -- rm -f fill >/dev/null 2>&1

# --- qubesair.Relay, as dom0 sends it for a RemoteVM, into a VM qube.
out=$(printf 'echo relayed-$((6*7))\nexit 5\n' |
  env QREXEC_SERVICE_FULL_NAME="qubesair.Relay+q1+qubes.VMShell" QREXEC_SERVICE_ARGUMENT="q1+qubes.VMShell" \
      QREXEC_REMOTE_DOMAIN=work AIR_LOOPBACK_SELF=sys-remote-local AIR_AGENT_DIR="$AIR_LOOPBACK_DIR/sys-remote-local" \
      "$AIR_AGENT_PROGRAM" "q1+qubes.VMShell" 2>&1)
status=$?
[ "$out" != "relayed-42" ] && echo "# $out"
check "the Relay runs qubes.VMShell in a VM qube, with its exit status" test "$out" = "relayed-42" -a $status -eq 5

# --- A network only when asked for: QEMU's user-mode NAT, which also
# --- reaches this machine's loopback as 10.0.2.2 (and nothing else here).
mkdir -p "$T/www"
echo hello >"$T/www/hello.txt"
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PY" -m http.server --bind 127.0.0.1 --directory "$T/www" "$port" >/dev/null 2>&1 &
http_pid=$!
$Q create qn --zone local --template mini --memory 256 --vcpus 1 --network >/dev/null 2>&1 && $Q start qn >/dev/null 2>&1
# (busybox's nc: its static wget crashes in the guest's C library.)
# The guest's network may come up after its agent answers (a loaded
# machine's TCG): a few tries.
for try in 1 2 3 4 5; do
  out=$($Q run qn -- sh -c "printf 'GET /hello.txt HTTP/1.0\r\n\r\n' | nc 10.0.2.2 $port | tail -1" 2>&1)
  [ "$out" = hello ] && break
  sleep 2
done
same "a qube made with --network reaches out through the NAT" hello "$out"
check "… and one made without has no network device, only lo" test "$($Q run q1 -- ls /sys/class/net)" = lo
kill $http_pid 2>/dev/null
$Q kill qn >/dev/null 2>&1
$Q rm qn >/dev/null 2>&1

# --- Home persists; the root volume does not. Changes come as events.
$Q events --zone local >"$T/events" 2>&1 &
events_pid=$!
sleep 1
$Q run q1 -- sh -c 'echo kept >~/note' >/dev/null 2>&1
out=$($Q prefs q1 --memory 400 2>&1)
check "a running VM qube's memory cannot change" test $? -eq 1
contains "$out" "qair shutdown q1" ; ok $? "… saying to shut it down first"
$Q shutdown q1 >/dev/null 2>"$T/err"
ok $? "shut it down"
check "… Halted, its root and volatile volumes gone" \
  test "$(state q1)" = Halted -a ! -e "$vm/run/q1-root.qcow2" -a ! -e "$vm/run/q1-volatile.qcow2"
out=$($Q prefs q1 --memory 64 2>&1); status=$?
[ $status -eq 1 ] && contains "$out" "128 MiB"
ok $? "less memory than a VM qube boots with is refused ($out)"
$Q prefs q1 --memory 400 --vcpus 2 >/dev/null 2>&1
$Q start q1 >/dev/null 2>&1
check "what it kept in its home is there after a restart" test "$($Q run q1 -- cat note 2>/dev/null)" = kept
mem=$($Q run q1 -- sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo 2>/dev/null)
check "memory and vCPUs changed while halted are the machine's at its next start ($mem kB, $($Q run q1 -- nproc) vCPUs)" \
  test "${mem:-0}" -gt 327680 -a "${mem:-0}" -le 409600 -a "$($Q run q1 -- nproc 2>/dev/null)" = 2
wait_until 10 grep -q "q1.*Running" "$T/events"
kill $events_pid 2>/dev/null
wait $events_pid 2>/dev/null
check "libvirt's lifecycle events reach qair events (halted, then running)" \
  sh -c "grep -q 'q1.*Halted' '$T/events' && grep -q 'q1.*Running' '$T/events'"
[ $? -ne 0 ] && sed 's/^/# /' "$T/events" | head -10

# --- Kill, disposables, remove.
$Q kill q2 >/dev/null 2>&1
check "kill stops a qube at once" test "$(state q2)" = Halted
out=$(echo in | $Q dispvm --zone local --template mini -- sh -c 'cat; echo disposable' 2>&1)
[ "$out" != "in
disposable" ] && echo "$out" | sed 's/^/# dispvm: /' | head -5
check "a disposable VM runs the command" test "$out" = "in
disposable"
check "… and is gone afterwards, domain and volumes" \
  test "$(ls "$vm/qubes" | tr '\n' ' ')" = "q1.json q2.json " -a "$(domains)" -eq 1
disp_gone () {
  [ "$(ls "$vm/qubes" | grep -c disp)" = 0 ] &&
    [ "$(virsh -c qemu:///session list --all --name 2>/dev/null | grep -c disp)" = 0 ]
}
disp_running () { [ "$(virsh -c qemu:///session list --name 2>/dev/null | grep -c disp)" -ge 1 ]; }

# A disposable whose caller goes away while its command runs is destroyed:
# the reader of its output ends (on loopback, qair hands the service its
# own output, as qrexec would the connection).
$Q dispvm --zone local --template mini -- sleep 300 2>/dev/null | sleep 600 &
reader=$!
wait_until 60 disp_running
sleep 2
kill $reader 2>/dev/null
wait_until 60 disp_gone
wait 2>/dev/null
check "a disposable whose caller went away is destroyed, volumes and all" disp_gone

# A disposable whose agent is killed (-9) while its command runs: the
# agent's next start removes it.
agent_of_disposable () {
  for p in $(pgrep -f "$AIR_AGENT_PROGRAM"); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -q '^QREXEC_SERVICE_FULL_NAME=qubesair.Disposable' && echo "$p"
  done | head -1
}
$Q dispvm --zone local --template mini -- sleep 300 >/dev/null 2>&1 &
dispvm_pid=$!
wait_until 60 disp_running
sleep 2
victim=$(agent_of_disposable)
[ -n "$victim" ] && kill -9 "$victim"
kill $dispvm_pid 2>/dev/null
wait $dispvm_pid 2>/dev/null
$Q ls >/dev/null 2>&1
check "a disposable left by an agent killed with -9 is gone at the agent's next start" \
  test -n "$victim" -a "$(ls "$vm/qubes" | grep -c disp)" = 0 -a "$(domains)" -eq 1

# --- A template without our agent: its qube never answers, and is marked
# --- Crashed with the reason, which the zone shows.
mkfs=$(command -v mkfs.ext4 || echo /sbin/mkfs.ext4)
mkdir -p "$T/broken/bin" "$T/broken/home/user" "$T/broken/tmp" "$T/broken/dev" "$T/broken/proc" "$T/broken/sys"
cp /bin/busybox "$T/broken/bin/"
"$mkfs" -q -F -d "$T/broken" "$T/broken.raw" 16M >/dev/null 2>&1 &&
  qemu-img convert -q -f raw -O qcow2 "$T/broken.raw" "$vm/templates/broken.qcow2"
$Q create bad --zone local --template broken --memory 256 >/dev/null 2>"$T/err"
out=$(AIR_VM_START_TIMEOUT=30 $Q start bad 2>&1)
check "a qube whose agent never answers does not start" test $? -ne 0
contains "$out" "“bad”" ; ok $? "… saying so"
check "… it is Crashed" test "$(state bad)" = Crashed
check "… and the zone says which qube failed" sh -c "$Q zones 2>/dev/null | grep -q 'Qube “bad” failed'"
$Q rm bad >/dev/null 2>&1

$Q shutdown q1 >/dev/null 2>&1
$Q rm q1 >/dev/null 2>"$T/err" && $Q rm q2 >/dev/null 2>>"$T/err"
ok $? "remove both qubes"
[ -s "$T/err" ] && sed 's/^/# /' "$T/err"
check "remove deletes the qubes and their volumes" \
  test -z "$(ls -A "$vm/qubes")" -a -z "$(ls -A "$vm/private")" -a "$(domains)" -eq 0

exit $((failed > 0))
