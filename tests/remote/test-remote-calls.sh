#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Calls from a remote zone's qube to local qubes (issue 15), for real: a
# process in qube "work" of ssh zone "lab" runs qvm-copy-to-vm and
# qrexec-client-vm; its init hands the call to its supervisor on the zone
# host, which sends it up the SSH master's reverse forward to the
# gateway, which makes it as the RemoteVM lab-work. On loopback the local
# qubes are zone "local"'s. Runs under run-with-keyring.sh.
#
# Output: TAP.

set -u

root=${AIR_TEST_ROOT:?run me with run-with-keyring.sh}
Q=${QAIR_PROGRAM:?}
AGENT=${AIR_AGENT_PROGRAM:?}
host_dir=$root/zonehost
sshd_dir=$root/sshd
local_home=$AIR_LOOPBACK_DIR/sys-remote-local/private/inbox
sshd_pid=
# shellcheck source=tests/remote/remote-lib.sh
. "$(dirname "$0")/remote-lib.sh"

cleanup () {
  pid=$(ssh -S "$XDG_RUNTIME_DIR/qubes-air-ssh/lab.ctl" -O check placeholder 2>&1 | sed -n 's/.*pid=\([0-9]*\).*/\1/p')
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
  # Qubes left running and the gateway's listeners: ours by their
  # environment, which names this test's directory.
  for env in $(grep -ls "AIR_AGENT_DIR=$root" /proc/[0-9]*/environ 2>/dev/null); do
    pid=${env#/proc/}
    pid=${pid%/environ}
    [ "$pid" != $$ ] && kill "$pid" 2>/dev/null
  done
  wait 2>/dev/null
}
trap cleanup EXIT

echo "1..12"

mkdir -p "$sshd_dir" "$host_dir"
$Q key generate --zone lab >"$sshd_dir/authorized_keys" 2>"$root/err"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sshd_setup "$sshd_dir" 127.0.0.1 "$port" "$host_dir"
sshd_start "$sshd_dir/sshd_config" 127.0.0.1 "$port"
ok $? "the zone host's sshd listens"
sshd_pid=$started_pid
fingerprint=$(ssh-keygen -lf "$sshd_dir/host_key.pub" | cut -d' ' -f2)
$Q zone add lab --driver ssh --host 127.0.0.1 --port "$port" --user "$(id -un)" \
   --agent "$AGENT" --timeout 5 --fingerprint "$fingerprint" >/dev/null 2>"$root/err" &&
  $Q create work --zone lab >/dev/null 2>>"$root/err" && $Q start work >/dev/null 2>>"$root/err" &&
  $Q create inbox --zone local >/dev/null 2>>"$root/err" && $Q start inbox >/dev/null 2>>"$root/err"
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$root/err"
ok $status "zone lab with qube work, and local qube inbox"

# --- qvm-copy-to-vm in the remote qube: the file lands in the local
# --- qube's QubesIncoming, under the RemoteVM's dom0 name.
out=$($Q run work -- sh -c 'printf "from the lab\n" >note.txt && qvm-copy-to-vm inbox note.txt' 2>&1)
status=$?
[ $status -ne 0 ] && echo "# $out"
ok $status "qvm-copy-to-vm in a remote qube sends a file to a local qube"
check "… into the local qube's ~/QubesIncoming/lab-work/" \
  test "$(cat "$local_home/QubesIncoming/lab-work/note.txt" 2>/dev/null)" = "from the lab"

# --- qrexec-client-vm: the call's stdin, stdout and exit status.
out=$($Q run work -- sh -c 'printf "hostname\nexit 4\n" | qrexec-client-vm inbox qubes.VMShell' 2>&1)
status=$?
check "qrexec-client-vm carries stdin, stdout and the exit status" test "$out" = "inbox" -a $status -eq 4

# --- A qube speaks only for itself: a caller named in its own header is
# --- replaced by its supervisor with the qube's name.
cat >"$root/forge.py" <<'PY'
import json, os, socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(os.environ["QUBES_AIR_CALL_SOCKET"])
head = {"service": "qubes.Filecopy", "arg": "", "caller": "forged", "target": "inbox"}
s.sendall(json.dumps(head).encode() + b"\n")
data, name = b"forged?\n", b"claim.txt\0"
s.sendall(struct.pack("<IIQIIII", len(name), 0o100644, len(data), 0, 0, 0, 0) + name + data + bytes(32))
s.shutdown(socket.SHUT_WR)
buf = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
status = None
while len(buf) >= 5:
    kind, size = buf[0:1], struct.unpack(">I", buf[1:5])[0]
    if kind == b"X":
        status = struct.unpack(">I", buf[5:9])[0]
    buf = buf[5 + size:]
sys.exit(99 if status is None else status)
PY
cp "$root/forge.py" "$host_dir/private/work/forge.py" 2>/dev/null
$Q run work -- python3 forge.py >/dev/null 2>&1
status=$?
check "a qube that names another caller in its header …" test $status -eq 0
check "… is still itself: the file is under lab-work, nothing under forged" \
  test -f "$local_home/QubesIncoming/lab-work/claim.txt" -a ! -e "$local_home/QubesIncoming/forged"

# --- qvm-open-in-vm: opened in the local qube (an xdg-open of the test's
# --- own there), taken back changed; --view-only leaves it as it was.
mkdir -p "$local_home/.local/bin"
printf '#!/bin/sh\necho edited >>"$1"\n' >"$local_home/.local/bin/xdg-open"
chmod 0755 "$local_home/.local" "$local_home/.local/bin" "$local_home/.local/bin/xdg-open"
out=$($Q run work -- sh -c 'printf "original\n" >doc.txt && qvm-open-in-vm inbox doc.txt && cat doc.txt' 2>&1)
check "qvm-open-in-vm opens a file in a local qube and takes it back changed" test "$out" = "original
edited"
out=$($Q run work -- sh -c 'printf "original\n" >ro.txt; qvm-open-in-vm --view-only inbox ro.txt; cat ro.txt; ls -a | grep -c qvm-open' 2>&1)
check "… with --view-only the file stays as it was, and nothing is left beside it" test "$out" = "original
0"

# --- Refused plainly.
out=$($Q run work -- qvm-copy-to-vm ../etc note.txt 2>&1)
status=$?
check "a target that is not a qube name is refused" test $status -ne 0
contains "$out" "is not a qube name" ; ok $? "… saying so"
out=$($Q run work -- qrexec-client-vm @dispvm qubes.OpenInVM </dev/null 2>&1)
check "on loopback, where there is no dom0, @dispvm is refused with status 126" \
  test $? -eq 126 -a -n "$out"

exit $((failed > 0))
