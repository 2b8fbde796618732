# SPDX-License-Identifier: GPL-2.0-or-later
#
# What the remote-zone tests share; they source it. TAP results, bounded
# polling, and a zone host's sshd of its own: its own host key and config,
# letting only us in with the keys in its authorized_keys.

n=0
failed=0

ok () {
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    failed=$((failed + 1))
  fi
}

# check DESCRIPTION COMMAND... : ok if the command succeeds.
check () {
  d=$1
  shift
  if "$@"; then ok 0 "$d"; else ok 1 "$d"; fi
}

contains () {
  case "$1" in *"$2"*) return 0 ;; esac
  echo "# expected “$2” in: $1" | head -c 2000
  echo
  return 1
}

# wait_until SECONDS COMMAND... : runs COMMAND every tenth of a second
# until it succeeds, for SECONDS at the most (however long COMMAND takes).
wait_until () {
  wait_end=$(( $(date +%s) + $1 ))
  shift
  until "$@"; do
    [ "$(date +%s)" -ge "$wait_end" ] && return 1
    sleep 0.1
  done
}

# sshd_setup DIR ADDRESS PORT AGENT_DIR: the zone host's sshd in DIR,
# listening on ADDRESS:PORT only; the agent it starts keeps its state in
# AGENT_DIR.
sshd_setup () {
  ssh-keygen -q -t ed25519 -N '' -C zone-host -f "$1/host_key"
  cat >"$1/sshd_config" <<EOF
ListenAddress $2
Port $3
HostKey $1/host_key
AuthorizedKeysFile $1/authorized_keys
PidFile none
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers $(id -un)
SetEnv AIR_AGENT_DIR=$4
LogLevel ERROR
EOF
}

# sshd_answers ADDRESS PORT [WRAPPER...]: an sshd answers there (seen
# through WRAPPER, e.g. "ip netns exec NS", when given).
sshd_answers () {
  answer_address=$1
  answer_port=$2
  shift 2
  "$@" ssh-keyscan -T 1 -p "$answer_port" "$answer_address" >/dev/null 2>&1
}

# sshd_start CONFIG ADDRESS PORT [WRAPPER...]: starts sshd with CONFIG
# (through WRAPPER when given) and waits until it answers on ADDRESS:PORT;
# its process id is in started_pid.
sshd_start () {
  sshd_config=$1
  sshd_address=$2
  sshd_port=$3
  shift 3
  "$@" /usr/sbin/sshd -D -e -f "$sshd_config" 2>>"${sshd_config%/*}/log" &
  started_pid=$!
  wait_until 5 sshd_answers "$sshd_address" "$sshd_port" "$@"
}
