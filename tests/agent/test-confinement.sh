#!/bin/sh
# test-confinement.sh QAIR — what a process in a qube of the bubblewrap
# backend can reach (TAP): no capabilities, no remount or unmount, a uid of
# its own, none of the host's state or other qubes' files and sockets, no
# host loopback service or X socket unless given a network, a clean
# environment, and its own control socket refuses it. Run as root (as CI
# does, and as zone hosts run the agent), and then once more as an
# unprivileged user where one can be had.
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
QAIR=$1
. "$(dirname "$0")/../tap.sh"

if ! command -v bwrap >/dev/null || ! command -v python3 >/dev/null; then
  echo "1..0 # SKIP bwrap or python3 is not installed"
  exit 0
fi

# The zone's state is made where the host keeps things, not under /tmp,
# which a qube has its own of anyway: here, under the build directory.
top=$(mktemp -d "$PWD/confinement-XXXXXX")
chmod 0755 "$top"
listener_pids=
cleanup () {
  for pid in $listener_pids; do kill "$pid" 2>/dev/null; done
  AIR_LOOPBACK_DIR=$top/lb HOME=$top/home "$QAIR" kill q1 >/dev/null 2>&1
  AIR_LOOPBACK_DIR=$top/lb HOME=$top/home "$QAIR" kill q2 >/dev/null 2>&1
  AIR_LOOPBACK_DIR=$top/lb HOME=$top/home "$QAIR" kill qn >/dev/null 2>&1
  rm -rf "$top"
}
trap cleanup EXIT

export AIR_TRANSPORT=loopback AIR_LOOPBACK_DIR="$top/lb" HOME="$top/home"
export XDG_CONFIG_HOME="$top/home/config" XDG_DATA_HOME="$top/home/data"
mkdir -p "$HOME"
state=$AIR_LOOPBACK_DIR/sys-remote-local

in_qube () { q=$1; shift; "$QAIR" run "local:$q" -- sh -c "$*" 2>&1; }
py_in_qube () { q=$1; shift; "$QAIR" run "local:$q" -- python3 -c "$*" 2>&1; }

if ! "$QAIR" zones --json 2>/dev/null | grep -q '"isolation":"namespaces"'; then
  echo "1..0 # SKIP bwrap cannot confine qubes here (the zone says isolation none)"
  exit 0
fi

# As root, the whole test runs once more as an unprivileged user.
as_user=
if [ "$(id -u)" -eq 0 ] && [ -z "${AIR_CONFINEMENT_NESTED:-}" ] && command -v setpriv >/dev/null &&
   setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$QAIR" 2>/dev/null; then
  as_user=1
fi
echo "1..$((19 + ${as_user:-0}))"

"$QAIR" create q1 --zone local >/dev/null 2>&1 && "$QAIR" start q1 >/dev/null 2>&1
"$QAIR" create q2 --zone local >/dev/null 2>&1 && "$QAIR" start q2 >/dev/null 2>&1
"$QAIR" create qn --zone local --network >/dev/null 2>&1 && "$QAIR" start qn >/dev/null 2>&1
check "three qubes run" '[ "$(in_qube q1 echo up)" = up ] && [ "$(in_qube q2 echo up)" = up ] && [ "$(in_qube qn echo up)" = up ]'

# --- No privilege inside.
caps=$(in_qube q1 'grep -E "^Cap(Eff|Prm|Bnd|Amb)" /proc/self/status | tr -d "\t" | cut -d: -f2 | sort -u')
check "no capabilities inside a qube (effective, permitted, bounding, ambient)" '[ "$caps" = 0000000000000000 ]'
# The system calls themselves, not mount(8), which refuses a non-root
# user before trying.
check "the qube cannot remount its root read-write" \
  '[ "$(py_in_qube q1 "import ctypes; print(ctypes.CDLL(None).mount(b\"none\", b\"/\", None, 32 | 4096, None))")" = -1 ]'
check "… nor unmount the masks over /tmp and /home" \
  '[ "$(py_in_qube q1 "import ctypes; c = ctypes.CDLL(None); print(c.umount2(b\"/tmp\", 2), c.umount2(b\"/home/user\", 2))")" = "-1 -1" ]'
check "… nor make a user namespace of its own to get them back" '! py_in_qube q1 "import os; os.unshare(os.CLONE_NEWUSER)" >/dev/null'
check "the qube's user is uid 1000 inside, as in Qubes" '[ "$(in_qube q1 "id -u; id -g" | tr "\n" " ")" = "1000 1000 " ]'

in_qube q1 'echo mine > ~/made-by-q1' >/dev/null
in_qube q2 'echo mine > ~/made-by-q2' >/dev/null
owner1=$(stat -c %u "$state/private/q1/made-by-q1" 2>/dev/null)
owner2=$(stat -c %u "$state/private/q2/made-by-q2" 2>/dev/null)
if [ "$(id -u)" -eq 0 ]; then
  check "as root, each qube runs under an unprivileged host uid of its own ($owner1, $owner2)" \
    '[ -n "$owner1" ] && [ "$owner1" -ne 0 ] && [ -n "$owner2" ] && [ "$owner2" -ne 0 ] && [ "$owner1" -ne "$owner2" ]'
else
  check "unprivileged, the qube's files are the agent's user's" '[ "$owner1" = "$(id -u)" ]'
fi

# --- Nothing of the host's state, nor of another qube.
check "the zone's state is not in the qube" '[ "$(in_qube q1 "test -e \"$state\" && echo seen")" = "" ]'
check "… nor another qube's home or control socket (only its own control and calls sockets)" \
  '[ "$(in_qube q1 "ls /home; ls /run/qubes-air; find /home /run /tmp /var -name made-by-q2 2>/dev/null")" = "$(printf "user\nbin\ncalls\ncontrol")" ]'
check "/root, /var/lib, /srv, /opt and the host's /home, /run are not there" \
  '[ "$(in_qube q1 "for d in /root /var/lib /srv /opt /run/user /run/dbus /mnt /media; do test -e \$d && echo \$d; done")" = "" ]'
check "the host system is read-only" '! in_qube q1 "touch /usr/bin/evil || touch /etc/evil" >/dev/null'

# A template its owner linked to this host's / is confined like "host".
mkdir -p "$state/templates" && ln -s / "$state/templates/linked"
"$QAIR" create qt --zone local --template linked >/dev/null 2>&1 && "$QAIR" start qt >/dev/null 2>&1
check "a template linked to the host's / starts, with only its system" \
  '[ "$(in_qube qt "echo up; for d in /root /var/lib /srv; do test -e \$d && echo \$d; done")" = up ]'
"$QAIR" kill local:qt >/dev/null 2>&1

# --- Its own control socket does not take the qube's own requests.
got=$(py_in_qube q1 "
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(3)
s.connect('/run/qubes-air/control')
try:
    s.sendall(b'{\"op\":\"shutdown\"}')
    print('closed' if s.recv(64) == b'' else 'answered')
except (ConnectionResetError, BrokenPipeError):
    print('closed')
except socket.timeout:
    print('listened')
")
check "the control socket hangs up on a process of the qube itself" '[ "$got" = closed ]'
check "… and the qube still runs" '[ "$(in_qube q1 echo up)" = up ]'

# --- No network but its own loopback, unless made with one.
display=$((7000 + $$ % 1000))
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(8)
x = socket.socket(socket.AF_UNIX); x.bind('\0/tmp/.X11-unix/X$display'); x.listen(8)
while True:
    c, _ = s.accept(); c.sendall(b'host-service\n'); c.close()
" &
listener_pids="$listener_pids $!"
# Up before anything is asked of it (a loaded machine starts python slowly).
python3 -c "
import socket, time
for _ in range(200):
    try:
        socket.create_connection(('127.0.0.1', $port), timeout=1).close(); break
    except OSError:
        time.sleep(0.05)"
reach="import socket
try:
    s = socket.create_connection(('127.0.0.1', $port), timeout=3); print(s.recv(64).decode().strip())
except OSError as e:
    print('refused')"
check "a service on the host's loopback is out of a qube's reach" '[ "$(py_in_qube q1 "$reach")" = refused ]'
xconn="import socket
x = socket.socket(socket.AF_UNIX)
try:
    x.connect('\0/tmp/.X11-unix/X$display'); print('connected')
except OSError:
    print('refused')"
check "… and so is an X server's abstract socket" '[ "$(py_in_qube q1 "$xconn")" = refused ]'
check "a qube made with --network reaches the host's network" '[ "$(py_in_qube qn "$reach")" = host-service ]'

# --- A clean environment: what a qube needs, nothing of the agent's.
env_names=$(in_qube q1 'env | cut -d= -f1 | sort | tr "\n" " "')
check "the environment is only HOME LANG LOGNAME PATH USER QUBES_AIR_CALL_SOCKET (and the shell's own): $env_names" \
  '[ "$(echo "$env_names" | tr " " "\n" | grep -vxE "HOME|LANG|LOGNAME|PATH|USER|QUBES_AIR_CALL_SOCKET|PWD|SHLVL|_|" )" = "" ]'

# --- A file put in as root belongs to the qube.
printf 'data\n' > "$top/put.txt"
"$QAIR" copy "$top/put.txt" local:q1 >/dev/null 2>&1
check "a file copied in belongs to the qube's user and it can change it" \
  '[ "$(in_qube q1 "for f in ~/QubesIncoming/*/put.txt; do echo more >> \$f && stat -c %u \$f; done")" = 1000 ]'

if [ -n "$as_user" ]; then
  for pid in $listener_pids; do kill "$pid" 2>/dev/null; done
  listener_pids=
  user_top=$(mktemp -d "$PWD/confinement-user-XXXXXX")
  chown 65534:65534 "$user_top"
  (cd "$user_top" && setpriv --reuid=65534 --regid=65534 --clear-groups \
     env AIR_CONFINEMENT_NESTED=1 HOME="$user_top" sh "$0" "$QAIR") >"$top/as-user.tap" 2>&1
  status=$?
  sed 's/^/# as user: /' "$top/as-user.tap"
  check "every check holds as well for an agent run by an unprivileged user" \
    '[ $status -eq 0 ] && grep -q "^1\.\.19" "$top/as-user.tap" && ! grep -q "^not ok" "$top/as-user.tap"'
  rm -rf "$user_top"
fi

[ $failed -eq 0 ]
