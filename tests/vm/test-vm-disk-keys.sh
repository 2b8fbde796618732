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

echo "1..51"

# --- The zone says it encrypts; bubblewrap says it does not.
check "qair zones --json: the libvirt zone's disk_encryption is luks" \
  sh -c "$Q zones --json 2>/dev/null | grep -q '\"disk_encryption\":\"luks\"'"
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
$Q create d1 --zone local --template mini --memory 256 >/dev/null 2>"$T/err"
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$T/err"
ok $status "create a VM qube"
check "… its private volume is qcow2 encrypted with LUKS" \
  sh -c "qemu-img info '$vm/private/d1.qcow2' 2>&1 | grep -q 'format: luks'"
check "… its key is one item in the vault, for the zone's gateway" test "$(keys_of d1)" = 1
key=$(vault sys-remote-local '{"op":"get","qube":"d1"}' | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
check "… 32 random bytes (base64)" test "$(printf '%s' "$key" | base64 -d 2>/dev/null | wc -c)" = 32
vault sys-remote-lab '{"op":"get","qube":"d1"}' >"$T/out"
check "another zone's gateway is refused the key" test $? -eq 3 -a ! -s "$T/out"
vault mgmt '{"op":"delete","qube":"d1"}' >"$T/out"
check "… and the management qube cannot delete it" test $? -eq 3 -a "$(keys_of d1)" = 1

# --- Start: the key from the vault, through a secret that does not stay.
$Q start d1 >/dev/null 2>"$T/err"
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$T/err"
ok $status "start it: the key comes from the vault and the guest's agent answers"
check "… no libvirt secret is left once it runs" test "$(secrets)" = 0
printf '%s\n' "$key" >"$T/key.txt"   # grep -f: the key in no argument of ours
check "… and the key is in no process's command line (QEMU's included)" \
  sh -c "! cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n' | grep -qF -f '$T/key.txt'"
# The marker is put together inside the guest: it travels in no argument.
seed=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')
marker=AIRMARKER-$(echo "$seed" | tr 0-9 a-j)
$Q run d1 -- sh -c "m=\$(echo $seed | tr 0-9 a-j); for i in \$(seq 1 2000); do echo AIRMARKER-\$m; done >~/marker; sync" \
  >/dev/null 2>&1
check "the qube writes a marker into its home and reads it back" \
  test "$($Q run d1 -- sh -c 'head -1 ~/marker' 2>/dev/null)" = "$marker"
$Q shutdown d1 >/dev/null 2>&1
check "… after shutdown no file of the zone host holds it (grep -r of the VM state)" \
  sh -c "! grep -rqaF '$marker' '$vm'"
check "… nor the key, in any file of the test's home or state" \
  sh -c "! grep -rqaF -f '$T/key.txt' '$T/home' '$AIR_LOOPBACK_DIR'"
$Q start d1 >/dev/null 2>&1
check "after a restart the qube reads its marker (the key fetched again)" \
  test "$($Q run d1 -- sh -c 'head -1 ~/marker' 2>/dev/null)" = "$marker"
$Q shutdown d1 >/dev/null 2>&1

# --- qair rm: the key goes from the vault, and the volume with it.
$Q rm d1 >/dev/null 2>"$T/err"
ok $? "qair rm d1"
check "… its key is gone from the vault, and its volume from the host" \
  test "$(keys_of d1)" = 0 -a ! -e "$vm/private/d1.qcow2"
grep -q "deleted disk key of qube=d1 zone=local for caller=sys-remote-local (1)" "$T/vault.log"
ok $? "… the vault logged the deletion"


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
check "… qair zones --json: its disk_encryption is luks" \
  sh -c "$Q zones --json 2>/dev/null | tr '{' '\n' | grep '\"name\":\"far\"' | grep -q '\"disk_encryption\":\"luks\"'"
check "… shown in qair zones' DISKS column" sh -c "$Q zones 2>/dev/null | grep -q '^far .* luks '"

$Q create r1 --zone far --template mini --memory 256 >/dev/null 2>"$T/err"
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$T/err"
ok $status "create a VM qube through the relay"
check "… its private volume on the zone host is qcow2 encrypted with LUKS" \
  sh -c "qemu-img info '$far/private/r1.qcow2' 2>&1 | grep -q 'format: luks'"
check "… its key is one item in the vault, for zone far's gateway" test "$(keys_of r1)" = 1
rkey=$(vault sys-remote-far '{"op":"get","qube":"r1"}' far | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
check "… 32 random bytes (base64)" test "$(printf '%s' "$rkey" | base64 -d 2>/dev/null | wc -c)" = 32
printf '%s\n' "$rkey" >"$T/rkey.txt"
$Q start r1 >/dev/null 2>"$T/err"
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$T/err"
ok $status "start it through the relay: the gateway hands the key over and the guest answers"
check "… no libvirt secret is left once it runs" test "$(secrets)" = 0
check "… and its key is in no process's command line (ssh, agents, QEMU)" \
  sh -c "! cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n' | grep -qF -f '$T/rkey.txt'"
check "… nor in any process's environment of ours" \
  sh -c "! cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -qF -f '$T/rkey.txt'"
seed=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')
rmarker=AIRMARKER-$(echo "$seed" | tr 0-9 a-j)
$Q run r1 -- sh -c "m=\$(echo $seed | tr 0-9 a-j); for i in \$(seq 1 2000); do echo AIRMARKER-\$m; done >~/marker; sync" \
  >/dev/null 2>&1
check "the relay-hosted qube writes a marker into its home and reads it back" \
  test "$($Q run r1 -- sh -c 'head -1 ~/marker' 2>/dev/null)" = "$rmarker"
$Q shutdown r1 >/dev/null 2>&1
check "… after shutdown no file of the zone host holds it (grep -r of its state)" \
  sh -c "! grep -rqaF '$rmarker' '$host'"
check "… nor the key, in any file of the zone host, the gateway or the test's home" \
  sh -c "! grep -rqaF -f '$T/rkey.txt' '$host' '$sshd_dir' '$T/home' '$AIR_LOOPBACK_DIR'"
$Q start r1 >/dev/null 2>&1
check "after a restart through the relay the qube reads its marker" \
  test "$($Q run r1 -- sh -c 'head -1 ~/marker' 2>/dev/null)" = "$rmarker"
$Q shutdown r1 >/dev/null 2>&1
$Q rm r1 >/dev/null 2>"$T/err"
ok $? "qair rm r1 through the relay"
check "… its key is gone from the vault, and its volume from the host" \
  test "$(keys_of r1)" = 0 -a ! -e "$far/private/r1.qcow2"
grep -q "deleted disk key of qube=r1 zone=far for caller=sys-remote-far (1)" "$T/vault.log"
ok $? "… the vault logged the deletion, for the gateway"

# A call that needs a key and carries none (an older gateway) is refused.
out=$(printf '{}' | env -u AIR_DISK_KEYS AIR_AGENT_DIR="$host" AIR_ZONE_NAME=far \
  QREXEC_SERVICE_FULL_NAME=qubesair.Create+r9 QREXEC_SERVICE_ARGUMENT=r9 "$AIR_AGENT_PROGRAM" r9 2>&1)
status=$?
echo "# $out" | head -2
[ $status -ne 0 ] && contains "$out" "carried none" && test -z "$(ls "$far/qubes" "$far/private" | grep r9)"
ok $? "the zone host refuses a create that carries no key, and makes nothing"
# A host that does not ask (disk_keys=none, as older agents) gets no key.
echo disk_keys=none >>"$host/agent.conf"
check "a zone host with disk_keys=none says none through the relay" \
  sh -c "$Q zones --json 2>/dev/null | tr '{' '\n' | grep '\"name\":\"far\"' | grep -q '\"disk_encryption\":\"none\"'"
$Q create r2 --zone far --template mini --memory 256 >/dev/null 2>&1
check "… its new volumes are plain" sh -c "test -e '$far/private/r2.qcow2' && ! qemu-img info '$far/private/r2.qcow2' 2>&1 | grep -q 'format: luks'"
check "… and the vault made no key for them" test "$(keys_of r2)" = 0
$Q rm r2 >/dev/null 2>&1
sed -i '/^disk_keys=none$/d' "$host/agent.conf"
$Q create r3 --zone far --template mini --memory 256 >/dev/null 2>&1

# --- The vault locked: start, create and rm refused, nothing half-made.
$Q create d3 --zone local --template mini --memory 256 >/dev/null 2>&1
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
  org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/aliases/default >/dev/null 2>&1
out=$($Q start d3 2>&1)
status=$?
echo "# $out" | head -3
[ $status -ne 0 ] && contains "$out" "vault" && contains "$out" "locked" && contains "$out" "nlock"
ok $? "with the vault's keyring locked, start is refused naming the vault and how to unlock it"
check "… leaving no domain, overlay or secret" \
  test "$(virsh -c qemu:///session list --all --name 2>/dev/null | grep -c qubesair)" = 0 -a \
       ! -e "$vm/run/d3-root.qcow2" -a ! -e "$vm/run/d3.failed" -a "$(secrets)" = 0
out=$($Q create d4 --zone local --template mini 2>&1)
status=$?
[ $status -ne 0 ] && contains "$out" "locked"
ok $? "create is refused too"
check "… leaving nothing of d4" test -z "$(ls "$vm/qubes" "$vm/private" | grep d4)"
out=$($Q start r3 2>&1)
status=$?
echo "# $out" | head -3
[ $status -ne 0 ] && contains "$out" "vault" && contains "$out" "locked" && contains "$out" "nlock"
ok $? "through the relay too: start is refused naming the vault and how to unlock it"
check "… leaving no domain, overlay or secret on the zone host" \
  test "$(virsh -c qemu:///session list --all --name 2>/dev/null | grep -c qubesair)" = 0 -a \
       ! -e "$far/run/r3-root.qcow2" -a "$(secrets)" = 0
out=$($Q create r4 --zone far --template mini 2>&1)
status=$?
[ $status -ne 0 ] && contains "$out" "locked" && test -z "$(ls "$far/qubes" "$far/private" | grep r4)"
ok $? "… create is refused too, leaving nothing of r4"
out=$($Q rm r3 2>&1)
status=$?
[ $status -ne 0 ] && contains "$out" "not removed" && contains "$out" "nlock" && test -e "$far/private/r3.qcow2" -a -e "$far/qubes/r3.json"
ok $? "… and rm is refused before anything is removed: the key goes first"
out=$($Q rm local:d3 2>&1)
status=$?
[ $status -ne 0 ] && contains "$out" "not removed" && contains "$out" "nlock" && test -e "$vm/private/d3.qcow2" -a -e "$vm/qubes/d3.json"
ok $? "rm is refused before anything is removed: the key goes first"

exit $((failed > 0))
