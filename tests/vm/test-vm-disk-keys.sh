#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Encrypted private volumes of VM qubes (issue 20), for real: qair →
# loopback → the agent's libvirt backend, which has the real vault
# (qubes-air-vault on gnome-keyring, in a D-Bus session of this test's
# own) make each qube's key, fetches it at every start and hands it to
# QEMU through an ephemeral libvirt secret; qair rm has the vault delete
# it first. The guest is scripts/make-vm-guest.sh's, under QEMU (TCG).
#
# Run by tests/vm/run-vm.sh (as nobody when root). Output: TAP.

set -u

T=${AIR_VM_DIR:?run me with tests/vm/run-vm.sh}
Q=${QAIR_PROGRAM:?}
V=${AIR_VAULT_PROGRAM:?}

# A session bus and an unlocked keyring of the test's own: the vault's store.
if [ -z "${AIR_DISK_KEYS_BUS:-}" ]; then
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 0700 "$XDG_RUNTIME_DIR"
  exec dbus-run-session -- env AIR_DISK_KEYS_BUS=1 sh "$0" "$@"
fi
eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
export GNOME_KEYRING_CONTROL

export AIR_BACKEND=libvirt AIR_LIBVIRT_URI=qemu:///session AIR_VM_START_TIMEOUT=120
export AIR_DISK_KEYS=vault AIR_VAULT_LOG="$T/vault.log"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
vm=$AIR_LOOPBACK_DIR/sys-remote-local/vm
mkdir -p "$vm/kernel" "$vm/templates"
cp "$T/guest/vmlinuz" "$T/guest/initrd.img" "$vm/kernel/"
cp "$T/guest/template.qcow2" "$vm/templates/mini.qcow2"
# shellcheck source=tests/remote/remote-lib.sh
. "$(dirname "$0")/remote-lib.sh"

# The vault as the zone's gateway (or CALLER) calls it: prints its answer.
vault () {  # CALLER JSON [ZONE]
  printf '%s' "$2" | env QREXEC_SERVICE_FULL_NAME=qubesair.CredentialDiskKey+"${3:-local}" \
    QREXEC_SERVICE_ARGUMENT="${3:-local}" QREXEC_REMOTE_DOMAIN="$1" "$V" 2>"$T/vault.err"
}
keys_of () { secret-tool search --all xdg:schema io.github.qubesair.DiskKey qube "$1" 2>&1 | grep -c "attribute.qube = $1"; }
secrets () { virsh -c qemu:///session secret-list 2>/dev/null | grep -c volume; }
domains () { virsh -c qemu:///session list --all --name 2>/dev/null | grep -c qubesair; }

# What is checked alike in a zone served here (local) and in one behind
# the ssh relay (far): the zone is $zone, its VM state is in $vmdir, and
# $via says which in the descriptions.

# zone_encryption_is ZONE VALUE: qair zones --json gives ZONE's disk_encryption as VALUE.
zone_encryption_is () {
  $Q zones --json 2>/dev/null | tr '{' '\n' | grep "\"name\":\"$1\"" | grep -q "\"disk_encryption\":\"$2\""
}
# key_in_no_process FILE WHAT: the key in FILE is in no /proc/PID/WHAT.
key_in_no_process () {
  ! cat /proc/[0-9]*/"$2" 2>/dev/null | tr '\0' '\n' | grep -qF -f "$1"
}
# key_in_no_file FILE DIR...: the key in FILE is in no file under the DIRs.
key_in_no_file () {
  key_file=$1
  shift
  ! grep -rqaF -f "$key_file" "$@"
}
# create_keyed QUBE: qair create; a LUKS volume, and its key in the vault
# for the zone's gateway, which is kept in $T/QUBE.key (grep -f: the key
# in no argument of ours).
# Qubes here have one vCPU unless a check is about vCPUs: with two, QEMU
# 7.2's multi-threaded TCG once crashed in a second vCPU's thread while a
# qube booted (a segfault of qemu-system-x86_64 in dmesg), a QEMU bug.
create_keyed () {
  $Q create "$1" --zone "$zone" --template mini --memory 256 --vcpus 1 >/dev/null 2>"$T/err"
  status=$?
  [ $status -ne 0 ] && sed 's/^/# /' "$T/err"
  ok $status "create a VM qube$via"
  check "… its private volume is qcow2 encrypted with LUKS" \
    sh -c "qemu-img info '$vmdir/private/$1.qcow2' 2>&1 | grep -q 'format: luks'"
  check "… its key is one item in the vault, for zone $zone's gateway" test "$(keys_of "$1")" = 1
  key=$(vault "sys-remote-$zone" "{\"op\":\"get\",\"qube\":\"$1\"}" "$zone" |
    sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
  check "… 32 random bytes (base64)" test "$(printf '%s' "$key" | base64 -d 2>/dev/null | wc -c)" = 32
  printf '%s\n' "$key" >"$T/$1.key"
}
# start_keyed QUBE DESCRIPTION: qair start; no libvirt secret left, and
# the key in no command line.
start_keyed () {
  $Q start "$1" >/dev/null 2>"$T/err"
  status=$?
  [ $status -ne 0 ] && sed 's/^/# /' "$T/err"
  ok $status "$2"
  check "… its volatile volume (swap, scratch) is encrypted too, with a key of this start only" \
    sh -c "qemu-img info -U '$vmdir/run/$1-volatile.qcow2' 2>&1 | grep -q 'format: luks'"
  check "… no libvirt secret is left once it runs" test "$(secrets)" = 0
  check "… and its key is in no process's command line (agents and QEMU included)" \
    key_in_no_process "$T/$1.key" cmdline
}
# marker_kept QUBE STATE_DIR DIR...: a marker the qube writes into its
# home is in no file of STATE_DIR once it is shut down, nor its key in any
# file of STATE_DIR and the DIRs; after a restart the qube reads it again.
marker_kept () {
  qube=$1
  shift
  # The marker is put together inside the guest: it travels in no argument.
  seed=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')
  marker=AIRMARKER-$(echo "$seed" | tr 0-9 a-j)
  $Q run "$qube" -- sh -c "m=\$(echo $seed | tr 0-9 a-j); for i in \$(seq 1 2000); do echo AIRMARKER-\$m; done >~/marker; sync" \
    >/dev/null 2>&1
  check "the qube writes a marker into its home and reads it back$via" \
    test "$($Q run "$qube" -- sh -c 'head -1 ~/marker' 2>/dev/null)" = "$marker"
  $Q shutdown "$qube" >/dev/null 2>&1
  check "… after shutdown no file of the zone host holds it (grep -r of its state)" \
    sh -c "! grep -rqaF '$marker' '$1'"
  check "… nor the key, in any file of the zone host, the gateway or the test's home" \
    key_in_no_file "$T/$qube.key" "$@"
  $Q start "$qube" >/dev/null 2>&1
  check "after a restart$via the qube reads its marker (the key fetched again)" \
    test "$($Q run "$qube" -- sh -c 'head -1 ~/marker' 2>/dev/null)" = "$marker"
  $Q shutdown "$qube" >/dev/null 2>&1
}
# rm_keyed QUBE: qair rm; the key goes from the vault, and the volume with it.
rm_keyed () {
  $Q rm "$1" >/dev/null 2>"$T/err"
  ok $? "qair rm $1$via"
  check "… its key is gone from the vault, and its volume from the host" \
    test "$(keys_of "$1")" = 0 -a ! -e "$vmdir/private/$1.qcow2"
  grep -q "deleted disk key of qube=$1 zone=$zone for caller=sys-remote-$zone (1)" "$T/vault.log"
  ok $? "… the vault logged the deletion, for the zone's gateway"
}
# nothing_started QUBE PATH...: no domain, overlay of QUBE, libvirt secret nor PATH.
nothing_started () {
  [ "$(domains)" = 0 ] && [ "$(secrets)" = 0 ] && [ ! -e "$vmdir/run/$1-root.qcow2" ] || return 1
  shift
  for path in "$@"; do
    [ ! -e "$path" ] || return 1
  done
}
# start_refused_locked QUBE PATH...: with the vault locked, qair start is
# refused, saying so, and leaves no domain, overlay, secret nor any PATH.
start_refused_locked () {
  out=$($Q start "$1" 2>&1)
  status=$?
  echo "# $out" | head -3
  [ $status -ne 0 ] && contains "$out" "vault" && contains "$out" "locked" && contains "$out" "nlock"
  ok $? "with the vault's keyring locked, start$via is refused naming the vault and how to unlock it"
  check "… leaving no domain, overlay or secret on the zone host" nothing_started "$@"
}
# rm_refused_locked TARGET QUBE: with the vault locked, qair rm is refused
# before anything is removed.
rm_refused_locked () {
  out=$($Q rm "$1" 2>&1)
  status=$?
  [ $status -ne 0 ] && contains "$out" "not removed" && contains "$out" "nlock" &&
    test -e "$vmdir/private/$2.qcow2" -a -e "$vmdir/qubes/$2.json"
  ok $? "rm$via is refused before anything is removed: the key goes first"
}

echo "1..53"

# --- The zone says it encrypts; bubblewrap says it does not.
zone=local vmdir=$vm via=
check "qair zones --json: the libvirt zone's disk_encryption is luks" zone_encryption_is local luks
check "… shown in qair zones' DISKS column" sh -c "$Q zones 2>/dev/null | grep -q '^local .* luks '"
check "… and a bubblewrap zone's is none" \
  sh -c "AIR_BACKEND=bwrap $Q zones --json 2>/dev/null | grep -q '\"disk_encryption\":\"none\"'"
# A zone host behind the ssh relay (AIR_ZONE_NAME set, as the relay does)
# cannot reach the vault: it asks for its keys in the gateway's calls.
check "a libvirt zone host served through the ssh relay asks for its keys in the gateway's calls" \
  sh -c "env -u AIR_DISK_KEYS AIR_ZONE_NAME=local QREXEC_SERVICE_FULL_NAME=qubesair.ZoneInfo+ \
    AIR_AGENT_DIR='$AIR_LOOPBACK_DIR/sys-remote-local' '$AIR_AGENT_PROGRAM' </dev/null 2>/dev/null |
    grep -q '\"disk-encryption\":\"luks-by-call\"'"

# --- Create: a LUKS qcow2 private volume, its key in the vault.
create_keyed d1
vault sys-remote-lab '{"op":"get","qube":"d1"}' >"$T/out"
check "another zone's gateway is refused the key" test $? -eq 3 -a ! -s "$T/out"
vault mgmt '{"op":"delete","qube":"d1"}' >"$T/out"
check "… and the management qube cannot delete it" test $? -eq 3 -a "$(keys_of d1)" = 1

# --- Start: the key from the vault, through a secret that does not stay.
start_keyed d1 "start it: the key comes from the vault and the guest's agent answers"
marker_kept d1 "$vm" "$T/home" "$AIR_LOOPBACK_DIR"

# --- qair rm: the key goes from the vault, and the volume with it.
rm_keyed d1

# --- A libvirt zone host behind the ssh relay: a real sshd on 127.0.0.1
# --- serving zone far, whose gateway (sys-remote-far, the ssh driver)
# --- fetches each key from the vault and hands it over in the call.
host=$T/zonehost
sshd_dir=$T/sshd
far=$host/vm
mkdir -p "$far/kernel" "$far/templates" "$sshd_dir"
cp "$T/guest/vmlinuz" "$T/guest/initrd.img" "$far/kernel/"
cp "$T/guest/template.qcow2" "$far/templates/mini.qcow2"
printf 'backend=libvirt\nuri=qemu:///session\nstart_timeout=120\n' >"$host/agent.conf"
$Q key generate --zone far >"$sshd_dir/authorized_keys" 2>"$T/err"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sshd_setup "$sshd_dir" 127.0.0.1 "$port" "$host"
# sshd gives a session no environment of ours: the host's agent finds the
# test's libvirt session by these.
printf 'SetEnv HOME=%s XDG_RUNTIME_DIR=%s XDG_CONFIG_HOME=%s XDG_CACHE_HOME=%s XDG_DATA_HOME=%s PATH=%s\n' \
  "$HOME" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME" "$PATH:/usr/sbin:/sbin" \
  >>"$sshd_dir/sshd_config"
# As nobody (run-vm.sh under root) sshd would run commands with nologin:
# there it runs in user namespaces of its own that see /bin/sh as our shell.
wrap=
case $(getent passwd "$(id -un)" | cut -d: -f7) in
  */sh|*/bash|*/dash) ;;
  *)
    # Our entry with a shell and a home, and a shadow entry that is not
    # locked (sshd refuses a locked account even for a key).
    sed "s#^\($(id -un):[^:]*:[^:]*:[^:]*:[^:]*\):.*\$#\1:$HOME:/bin/sh#" /etc/passwd >"$sshd_dir/passwd"
    printf '%s:NP:19000:0:99999:7:::\n' "$(id -un)" >"$sshd_dir/shadow"
    printf '#!/bin/sh\nexec unshare -r -m sh -c %s sh "$@"\n' \
      "'mount --bind \"$sshd_dir/passwd\" /etc/passwd && mount --bind \"$sshd_dir/shadow\" /etc/shadow && exec unshare --user --map-user=$(id -u) --map-group=$(id -g) \"\$@\"'" \
      >"$sshd_dir/wrap"
    chmod +x "$sshd_dir/wrap"
    wrap=$sshd_dir/wrap ;;
esac
$wrap /usr/sbin/sshd -D -e -f "$sshd_dir/sshd_config" 2>>"$sshd_dir/log" &
sshd_pid=$!
trap 'kill $sshd_pid 2>/dev/null' EXIT
wait_until 10 sshd_answers 127.0.0.1 "$port"
fingerprint=$(ssh-keygen -lf "$sshd_dir/host_key.pub" | cut -d' ' -f2)
$Q zone add far --driver ssh --host 127.0.0.1 --port "$port" --user "$(id -un)" \
   --agent "$AIR_AGENT_PROGRAM" --timeout 10 --fingerprint "$fingerprint" >/dev/null 2>>"$T/err"
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$T/err" "$sshd_dir/log"
ok $status "zone far: a libvirt zone host behind the ssh relay"
zone=far vmdir=$far via=" through the relay"
check "… qair zones --json: its disk_encryption is luks" zone_encryption_is far luks
check "… shown in qair zones' DISKS column" sh -c "$Q zones 2>/dev/null | grep -q '^far .* luks '"

create_keyed r1
start_keyed r1 "start it through the relay: the gateway hands the key over and the guest answers"
check "… nor in any process's environment of ours" key_in_no_process "$T/r1.key" environ
marker_kept r1 "$host" "$sshd_dir" "$T/home" "$AIR_LOOPBACK_DIR"
rm_keyed r1

# A call that needs a key and carries none (an older gateway) is refused.
out=$(printf '{}' | env -u AIR_DISK_KEYS AIR_AGENT_DIR="$host" AIR_ZONE_NAME=far \
  QREXEC_SERVICE_FULL_NAME=qubesair.Create+r9 QREXEC_SERVICE_ARGUMENT=r9 "$AIR_AGENT_PROGRAM" r9 2>&1)
status=$?
echo "# $out" | head -2
[ $status -ne 0 ] && contains "$out" "carried none" && test -z "$(ls "$far/qubes" "$far/private" | grep r9)"
ok $? "the zone host refuses a create that carries no key, and makes nothing"
# A host that does not ask (disk_keys=none, as older agents) gets no key.
echo disk_keys=none >>"$host/agent.conf"
check "a zone host with disk_keys=none says none through the relay" zone_encryption_is far none
$Q create r2 --zone far --template mini --memory 256 --vcpus 1 >/dev/null 2>&1
check "… its new volumes are plain" sh -c "test -e '$far/private/r2.qcow2' && ! qemu-img info '$far/private/r2.qcow2' 2>&1 | grep -q 'format: luks'"
check "… and the vault made no key for them" test "$(keys_of r2)" = 0
$Q rm r2 >/dev/null 2>&1
sed -i '/^disk_keys=none$/d' "$host/agent.conf"
$Q create r3 --zone far --template mini --memory 256 --vcpus 1 >/dev/null 2>&1

# --- The vault locked: start, create and rm refused, nothing half-made.
$Q create d3 --zone local --template mini --memory 256 --vcpus 1 >/dev/null 2>&1
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
  org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/aliases/default >/dev/null 2>&1
zone=local vmdir=$vm via=
start_refused_locked d3 "$vm/run/d3.failed"
out=$($Q create d4 --zone local --template mini 2>&1)
status=$?
[ $status -ne 0 ] && contains "$out" "locked"
ok $? "create is refused too"
check "… leaving nothing of d4" test -z "$(ls "$vm/qubes" "$vm/private" | grep d4)"
zone=far vmdir=$far via=" through the relay"
start_refused_locked r3
out=$($Q create r4 --zone far --template mini 2>&1)
status=$?
[ $status -ne 0 ] && contains "$out" "locked" && test -z "$(ls "$far/qubes" "$far/private" | grep r4)"
ok $? "… create is refused too, leaving nothing of r4"
rm_refused_locked r3 r3
zone=local vmdir=$vm via=
rm_refused_locked local:d3 d3

exit $((failed > 0))
