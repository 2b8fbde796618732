#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# proxmox-smoke.sh — check a Proxmox VE zone against YOUR real Proxmox VE
# server, step by step, and print a verdict.
#
# NOT run in CI and not by `meson test`: no Proxmox VE server can run
# there. The automatic tests (tests/proxmox/) use pve-test-server.py, a
# stand-in that follows Proxmox's documented API; this script is how you
# check the real thing.
#
# Usage: tests/manual/proxmox-smoke.sh URL NODE [options]
#   URL             the server, e.g. https://pve.example.org:8006
#   NODE            the node the zone's VMs run on, e.g. pve1
#   --zone NAME     the zone to add or use (default: pvesmoke)
#   --pool POOL     the Proxmox pool of the zone's VMs
#   --storage S     make full clones on this storage
#   --template T    the template VM to clone (default: the zone's first)
#   --keep-zone     leave the zone in place afterwards (default: removed
#                   again if this script added it)
#
# What you need first, on the Proxmox server:
#   - a template VM in the pool (or tagged "qubes-air") with the QEMU guest
#     agent installed and enabled (Options → QEMU Guest Agent), and a user
#     "user" (copied files land in its home, as in Qubes; without one, in
#     root's);
#   - an API token (Datacenter → Permissions → API Tokens) allowed to
#     clone, start, stop, destroy and use the guest agent on those VMs.
# The script asks for the token (stored in the vault, never on disk here)
# unless the vault already has one for the zone, and shows the server's
# certificate key for you to compare with what the server itself prints:
#   openssl x509 -in /etc/pve/local/pve-ssl.pem -pubkey -noout |
#     openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64
#
# It adds the zone (add, trust), lists it, creates a qube (a linked clone),
# starts it, runs commands in it through the guest agent (output and exit
# status), copies a file into it and back out (file-write in parts,
# file-read), runs a disposable, shuts it down and removes it. Every step says
# what it did; the last line is the verdict (PASSED or FAILED, with the
# steps that failed). Exit status 0 when everything passed.
#
# QAIR=/path/to/qair selects another qair than the one in PATH.

set -u

Q=${QAIR:-qair}
zone=pvesmoke
pool=
storage=
template=
keep_zone=0
added_zone=0
failed=
steps=0
qube="smoke$$"

usage () {
  sed -n '/^# Usage:/,/^#   --keep-zone/p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

[ $# -ge 2 ] || usage
url=$1
node=$2
shift 2
while [ $# -gt 0 ]; do
  case "$1" in
    --zone) zone=${2:?--zone needs a name}; shift 2 ;;
    --pool) pool=${2:?--pool needs a name}; shift 2 ;;
    --storage) storage=${2:?--storage needs a name}; shift 2 ;;
    --template) template=${2:?--template needs a name}; shift 2 ;;
    --keep-zone) keep_zone=1; shift ;;
    -h|--help) usage ;;
    *) echo "proxmox-smoke: unknown option $1" >&2; usage ;;
  esac
done

case "$url" in
  https://*) ;;
  *) echo "proxmox-smoke: the URL must start with https://, e.g. https://pve.example.org:8006" >&2; exit 2 ;;
esac
if ! command -v "$Q" >/dev/null 2>&1; then
  echo "proxmox-smoke: $Q not found; install Qubes Air or set QAIR=/path/to/qair" >&2
  exit 2
fi

# step DESCRIPTION COMMAND...: runs it, shows its output indented, and
# counts it as passed or failed.
step () {
  desc=$1
  shift
  steps=$((steps + 1))
  printf '\n[%d] %s\n    $ %s\n' "$steps" "$desc" "$*"
  out=$("$@" 2>&1)
  status=$?
  [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    | /'
  if [ $status -eq 0 ]; then
    echo "    -> ok"
  else
    echo "    -> FAILED (exit status $status)"
    failed="$failed
  [$steps] $desc"
  fi
  return $status
}

# expect DESCRIPTION WANTED_STATUS WANTED_TEXT COMMAND...: as step, but
# the command must end with WANTED_STATUS and print WANTED_TEXT.
expect () {
  desc=$1 want_status=$2 want_text=$3
  shift 3
  steps=$((steps + 1))
  printf '\n[%d] %s\n    $ %s\n' "$steps" "$desc" "$*"
  out=$("$@" 2>&1 </dev/null)
  status=$?
  [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    | /'
  case "$out" in
    *"$want_text"*) text_ok=1 ;;
    *) text_ok=0 ;;
  esac
  if [ $status -eq "$want_status" ] && [ $text_ok -eq 1 ]; then
    echo "    -> ok"
  else
    echo "    -> FAILED (exit status $status, wanted $want_status and \"$want_text\")"
    failed="$failed
  [$steps] $desc"
  fi
}

# The copied file out of the qube into the qube itself (FileGet, then
# FilePut), and its checksum there.
# In the guest: to the home copies land in (the user "user"'s when the
# guest agent is root and there is one, else the agent's own).
to_home='if [ "$(id -u)" = 0 ] && id -u user >/dev/null 2>&1; then cd ~user; else cd; fi'
copy_back () {
  rel=$("$Q" run "$zone:$qube" -- sh -c "$to_home && ls -d QubesIncoming/*/smoke-payload.bin | head -1") &&
    "$Q" copy --from-zone "$zone" "$qube:$rel" "$zone:$qube" &&
    "$Q" run "$zone:$qube" -- sh -c "$to_home && cksum < QubesIncoming/$qube/smoke-payload.bin"
}

cleanup () {
  if "$Q" ls --zone "$zone" 2>/dev/null | grep -qw "$qube"; then
    echo
    echo "Cleaning up: the qube $qube is still there; killing and removing it."
    "$Q" kill "$zone:$qube" >/dev/null 2>&1
    "$Q" rm "$zone:$qube" >/dev/null 2>&1
  fi
  if [ "$added_zone" -eq 1 ] && [ "$keep_zone" -eq 0 ]; then
    echo "Removing the zone $zone this script added (keep it with --keep-zone)."
    "$Q" zone rm "$zone" >/dev/null 2>&1
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "Qubes Air smoke test of the Proxmox VE server $url (node $node) as zone \"$zone\"."

# The token: into the vault, typed at the prompt (not echoed).
if "$Q" cred ls 2>/dev/null | grep -E "^${zone}[[:space:]]" | grep -q api-token; then
  echo "The vault already has an API token for zone $zone; using it."
else
  echo
  echo "Enter the API token as USER@REALM!TOKENID=SECRET (e.g. root@pam!qubes=…); it goes to the vault."
  step "store the API token in the vault" "$Q" cred put "$zone" --kind proxmox-token </dev/tty ||
    { echo "Without a token nothing can be checked."; exit 1; }
fi

# The zone: added, its certificate key shown for you to compare and trust.
if "$Q" zones 2>/dev/null | grep -qE "^${zone}[[:space:]]"; then
  echo "Zone $zone exists already; using it as it is."
else
  set -- "$Q" zone add "$zone" --driver proxmox --url "$url" --node "$node"
  [ -n "$pool" ] && set -- "$@" --pool "$pool"
  [ -n "$storage" ] && set -- "$@" --storage "$storage"
  printf '\n[add] %s\n' "$*"
  echo "    Compare the certificate key it shows with the one the server prints, and answer yes only if they match."
  "$@" </dev/tty
  status=$?
  steps=$((steps + 1))
  if "$Q" zones 2>/dev/null | grep -qE "^${zone}[[:space:]]"; then
    added_zone=1
  fi
  if [ $status -ne 0 ]; then
    echo "    -> FAILED (exit status $status): the zone was not added and trusted."
    failed="$failed
  [$steps] zone add and trust"
  fi
fi

step "list the zone's qubes (GET /cluster/resources)" "$Q" ls --zone "$zone" ||
  { echo; echo "VERDICT: FAILED — the zone cannot be listed:$failed"; exit 1; }

if [ -n "$template" ]; then
  step "create $qube, a linked clone of $template" "$Q" create "$qube" --zone "$zone" --template "$template" --label green
else
  step "create $qube, a linked clone of the zone's template" "$Q" create "$qube" --zone "$zone" --label green
fi &&
step "start $qube" "$Q" start "$zone:$qube" &&
{
  # The guest agent takes a while to answer after boot: try for 2 minutes.
  i=0
  while [ $i -lt 24 ] && ! "$Q" run "$zone:$qube" -- true >/dev/null 2>&1 </dev/null; do
    sleep 5
    i=$((i + 1))
  done
  expect "run a command through the guest agent" 0 "smoke-ok" \
    "$Q" run "$zone:$qube" -- sh -c 'uname -sm; echo smoke-ok'
  expect "… its exit status comes back" 7 "" "$Q" run "$zone:$qube" -- sh -c 'exit 7'
  expect "… and its stderr" 0 "to-stderr" "$Q" run "$zone:$qube" -- sh -c 'echo to-stderr >&2'
  # A file of 150,000 bytes: four parts through agent/file-write, joined
  # in the guest, into ~user/QubesIncoming/<this qube>/.
  payload_dir=$(mktemp -d)
  head -c 150000 /dev/urandom >"$payload_dir/smoke-payload.bin"
  sum=$(cksum <"$payload_dir/smoke-payload.bin")
  step "copy a 150,000-byte file into $qube (file-write in parts)" \
    "$Q" copy "$payload_dir/smoke-payload.bin" "$zone:$qube"
  expect "… it is there, byte for byte" 0 "$sum" \
    "$Q" run "$zone:$qube" -- sh -c "$to_home && cksum < \"\$(ls -d QubesIncoming/*/smoke-payload.bin | head -1)\""
  expect "… and it comes back out (file-read), into its QubesIncoming/$qube/" 0 "$sum" copy_back
  rm -rf "$payload_dir"
  step "shut $qube down (ACPI, then stop after 60 s)" "$Q" shutdown "$zone:$qube"
  step "remove $qube (destroy with its disks)" "$Q" rm "$zone:$qube"
}

before=$("$Q" ls --zone "$zone" 2>/dev/null | sort)
if [ -n "$template" ]; then
  expect "a disposable: clone, run, destroy" 0 "disposable-ok" \
    "$Q" dispvm --zone "$zone" --template "$template" -- sh -c 'echo disposable-ok'
else
  expect "a disposable: clone, run, destroy" 0 "disposable-ok" \
    "$Q" dispvm --zone "$zone" -- sh -c 'echo disposable-ok'
fi
after=$("$Q" ls --zone "$zone" 2>/dev/null | sort)
steps=$((steps + 1))
printf '\n[%d] no qube or disposable is left behind\n' "$steps"
if [ "$before" = "$after" ] && ! printf '%s\n' "$after" | grep -qw "$qube"; then
  echo "    -> ok"
else
  echo "    -> FAILED: the zone's list changed. Before:"
  printf '%s\n' "$before" | sed 's/^/    | /'
  echo "    After:"
  printf '%s\n' "$after" | sed 's/^/    | /'
  failed="$failed
  [$steps] no qube or disposable left behind"
fi

echo
if [ -z "$failed" ]; then
  echo "VERDICT: PASSED — all $steps steps against $url worked."
  exit 0
fi
echo "VERDICT: FAILED — these steps did not work:$failed"
echo "Each step's output is above; the README's "Proxmox VE zones" section says what to check on the server."
exit 1
