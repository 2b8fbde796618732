#!/bin/sh
# test-config-secrets.sh — qair config export --with-secrets and its
# import, and age identities kept in the vault, with the real vault (gnome-keyring, run by run-with-keyring.sh)
# and Debian's age on the other side (TAP). The vault encrypts the zones'
# credentials and keys itself; age -d opens both layers; importing puts
# them back in the vault (the WireGuard key too, so the zone host needs no
# change), only for the zones imported; a hostile or foreign inner file is
# refused with nothing changed.
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
QAIR=${QAIR_PROGRAM:?}
: "${AIR_VAULT_PROGRAM:?}"
. "$(dirname "$0")/../tap.sh"
export LC_ALL=C.UTF-8

if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then
  echo "1..0 # SKIP Debian's age is not installed (scripts/setup-debian.sh installs it)"
  exit 0
fi

top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
home () {  # a fresh management qube (the vault and the gateways stay)
  export HOME="$top/$1" AIR_ZONES_FILE="$top/$1/zones.json"
  mkdir -p "$HOME"
}
zones () { "$QAIR" zones --json 2>/dev/null | tr ',' '\n' | sed -n 's/.*"name":"\([^"]*\)".*/\1/p' | sort | tr '\n' ' '; }
# creds ZONE: the kinds the vault keeps for ZONE, sorted
creds () { "$QAIR" cred ls 2>/dev/null | awk -v z="$1" '$1 == z { print $2 }' | sort | tr '\n' ' '; }
# inner FILE: the vault's layer of an export, opened with Debian's age
inner () {
  age -d -i "$top/id" "$1" 2>/dev/null |
    python3 -c 'import base64, json, sys; sys.stdout.buffer.write(base64.b64decode(json.load(sys.stdin)["secrets"]))' \
    >"$top/inner.age" 2>/dev/null &&
  age -d -i "$top/id" "$top/inner.age" 2>/dev/null
}
gw_pub () { sed -n "s/^# This gateway's public key: //p" "$AIR_LOOPBACK_DIR/sys-remote-$1/wireguard/air-$1.conf"; }

age-keygen -o "$top/id" 2>/dev/null
age-keygen -o "$top/other-id" 2>/dev/null
recipient=$(age-keygen -y "$top/id")
printf '{"kind":"qubes-air-config","version":1,"zones":[]}' | age -r "$(age-keygen -y "$top/other-id")" >"$top/all-other.age"
token="PVEAPIToken=root@pam!air=0b3e5a7c-secret-$$"

home old
ssh_pub=$("$QAIR" key generate --zone lab 2>/dev/null)
"$QAIR" zone add lab --driver ssh --timeout 1 --wireguard 192.0.2.7:51820 >/dev/null 2>&1
printf '%s' "$token" | "$QAIR" cred put lab --kind api-token --label "lab token" >/dev/null 2>&1
printf 'far-secret-%s' "$$" | "$QAIR" cred put far --kind api-token --label "far token" >/dev/null 2>&1
"$QAIR" zone add far --driver ssh --host 127.0.0.10 --timeout 1 --fingerprint SHA256:none >/dev/null 2>&1
lab_wg=$(gw_pub lab)
check "a zone with an SSH key, a WireGuard key and a token in the vault" \
  '[ "$(creds lab)" = "api-token ssh-key wireguard-key " ] && [ -n "$lab_wg" ]'

"$QAIR" config export --zone lab -r "$recipient" --with-secrets -o "$top/x.age" </dev/null 2>"$top/err"
check "--with-secrets without a terminal asks for --yes" '[ $? -eq 2 ] && grep -q -- "--yes" "$top/err" && [ ! -e "$top/x.age" ]'

# On a terminal (script(1) gives one) the user is asked, and "no" writes nothing.
if command -v script >/dev/null; then
  printf 'no\n' | script -qec "'$QAIR' config export --zone lab -r '$recipient' --with-secrets -o '$top/x.age'" /dev/null >"$top/tty" 2>&1
  check "on a terminal --with-secrets asks first; no writes nothing" \
    'grep -q "Export them? Type" "$top/tty" && grep -q "Nothing was exported" "$top/tty" && [ ! -e "$top/x.age" ]'
  printf 'yes\n' | script -qec "'$QAIR' config export --zone lab -r '$recipient' --with-secrets -o '$top/x.age'" /dev/null >"$top/tty" 2>&1
  check "… and yes exports" '[ -s "$top/x.age" ] && grep -q "holds 3 credentials and keys" "$top/tty"'
fi

"$QAIR" config export --zone lab -r "$recipient" -o "$top/plain.age" 2>/dev/null
age -d -i "$top/id" "$top/plain.age" >"$top/plain.json" 2>/dev/null
check "without --with-secrets no secret travels" '! grep -q secrets "$top/plain.json"'

"$QAIR" config export --zone lab -r "$recipient" --with-secrets --yes -o "$top/lab.age" 2>"$top/err"
check "export --with-secrets --yes" '[ $? -eq 0 ] && grep -q "holds 3 credentials and keys" "$top/err"'
age -d -i "$top/id" "$top/lab.age" >"$top/outer.json" 2>/dev/null
check "the outer layer holds no secret in the clear" \
  '! grep -qF "$token" "$top/outer.json" && ! grep -q PRIVATE "$top/outer.json"'
inner "$top/lab.age" >"$top/inner.json"
check "Debian's age opens the vault's layer: the zone's three credentials and keys" \
  'python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"kind\"] == \"qubes-air-secrets\"
assert sorted((c[\"zone\"], c[\"kind\"]) for c in d[\"credentials\"]) == [(\"lab\", \"api-token\"), (\"lab\", \"ssh-key\"), (\"lab\", \"wireguard-key\")]
" "$top/inner.json"'
check "… with the token itself, and nothing of the zone not exported" \
  'python3 -c "
import base64, json, sys
d = json.load(open(sys.argv[1]))
t = [base64.b64decode(c[\"secret_base64\"]).decode() for c in d[\"credentials\"] if c[\"kind\"] == \"api-token\"]
assert t == [sys.argv[2]], t
" "$top/inner.json" "$token" && ! grep -q "\"far\"" "$top/inner.json"'
check "the vault's log records the export" 'grep -q "exported 3 credentials and keys" "$AIR_VAULT_LOG"'

# --- A new management qube; the vault lost the zone's secrets.
"$QAIR" cred rm lab >/dev/null 2>&1
home new
"$QAIR" config import "$top/lab.age" -i "$top/other-id" --yes >/dev/null 2>"$top/err"
check "the wrong identity: nothing imported, nothing in the vault" \
  '[ $? -ne 0 ] && [ "$(zones)" = "local " ] && [ -z "$(creds lab)" ]'

# an inner file of someone else's making, with a hostile entry
printf '{"kind":"qubes-air-secrets","version":1,"credentials":[{"zone":"lab","kind":"age-identity","label":"x","gateway":"sys-remote-lab","secret_base64":"QUdF"}]}' |
  age -r "$recipient" >"$top/evil-inner.age"
python3 - "$top/outer.json" "$top/evil-inner.age" >"$top/evil.json" <<'END'
import base64, json, sys
d = json.load(open(sys.argv[1]))
d["secrets"] = base64.b64encode(open(sys.argv[2], "rb").read()).decode()
print(json.dumps(d))
END
age -r "$recipient" <"$top/evil.json" >"$top/evil.age"
"$QAIR" config import "$top/evil.age" -i "$top/id" --yes >/dev/null 2>"$top/err"
check "a hostile inner file (an age identity smuggled in) is refused, nothing imported" \
  '[ $? -ne 0 ] && grep -q "never holds an age identity" "$top/err" && [ "$(zones)" = "local " ] && [ -z "$(creds lab)" ]'

"$QAIR" config import "$top/lab.age" -i "$top/id" --yes >"$top/out" 2>&1
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$top/out"
check "import puts the zone back, and its secrets into the vault" \
  '[ $status -eq 0 ] && [ "$(zones)" = "lab local " ] && [ "$(creds lab)" = "api-token ssh-key wireguard-key " ]'
check "… the summary said so before" 'grep -q "also holds the vault.s credentials" "$top/out" && grep -q "vault stored 3" "$top/out"'
"$QAIR" config export --zone lab -r "$recipient" --with-secrets --yes -o "$top/again.age" 2>/dev/null
inner "$top/again.age" >"$top/again.json"
check "… the very same secrets: exported again, they are those of the first export" \
  'python3 -c "
import json, sys
a, b = (sorted((c[\"kind\"], c[\"secret_base64\"]) for c in json.load(open(f))[\"credentials\"]) for f in sys.argv[1:3])
assert a == b and len(a) == 3
" "$top/inner.json" "$top/again.json"'
check "… the SSH key's public half is the one key generate printed" \
  'python3 -c "
import base64, json, sys
k = [base64.b64decode(c[\"secret_base64\"]) for c in json.load(open(sys.argv[1]))[\"credentials\"] if c[\"kind\"] == \"ssh-key\"][0]
assert base64.b64decode(sys.argv[2].split()[1])[-32:] == k[32:]
" "$top/again.json" "$ssh_pub"'
check "… the same WireGuard key: the gateway's public key is the old one" \
  '[ "$(gw_pub lab)" = "$lab_wg" ] && grep -q "came back into the vault" "$top/out"'
check "… and no file of the gateway holds the private key" \
  '! grep -rq "PrivateKey" "$AIR_LOOPBACK_DIR/sys-remote-lab/wireguard"'

# --- To a passphrase, read back by us (Debian's age asks for one on a terminal only).
printf 'a long passphrase\n' | "$QAIR" config export --zone lab --passphrase --with-secrets --yes >"$top/pass.age" 2>/dev/null
"$QAIR" cred rm lab >/dev/null 2>&1
printf 'a long passphrase\n' | "$QAIR" config import "$top/pass.age" --passphrase --yes --replace >/dev/null 2>&1
check "with a passphrase, both layers" '[ $? -eq 0 ] && [ "$(creds lab)" = "api-token ssh-key wireguard-key " ]'

# --- An age identity kept in the vault: files to its recipient are opened
# --- by the vault (it finds the file key), the identity never leaves it.
vault_rcpt=$("$QAIR" key generate --kind age backup 2>"$top/err")
check "qair key generate --kind age prints the identity's recipient" \
  'case "$vault_rcpt" in age1*) echo hi | age -r "$vault_rcpt" >/dev/null 2>&1 ;; *) false ;; esac'
"$QAIR" key generate --kind age backup >/dev/null 2>"$top/err"
check "… a second one of the same name is refused" '[ $? -ne 0 ] && grep -q "already has an age identity" "$top/err"'
printf '{"kind":"age-identity"}' | QREXEC_SERVICE_FULL_NAME=qubesair.CredentialGet+backup \
  QREXEC_SERVICE_ARGUMENT=backup QREXEC_REMOTE_DOMAIN=sys-remote-backup "$AIR_VAULT_PROGRAM" >"$top/got" 2>"$top/err"
check "the vault never gives the identity out" '[ $? -ne 0 ] && ! grep -q AGE-SECRET "$top/got"'
echo '{"stanzas":[]}' | QREXEC_SERVICE_FULL_NAME=qubesair.CredentialAgeUnwrap+backup \
  QREXEC_SERVICE_ARGUMENT=backup QREXEC_REMOTE_DOMAIN=sys-remote-lab "$AIR_VAULT_PROGRAM" >/dev/null 2>"$top/err"
check "… nor opens files for a gateway" '[ $? -eq 3 ] && grep -q "cannot manage credentials" "$top/err"'

"$QAIR" config export --zone lab -r "$vault_rcpt" --with-secrets --yes -o "$top/vault.age" 2>/dev/null
"$QAIR" cred rm lab >/dev/null 2>&1
home fresh
"$QAIR" config import "$top/vault.age" --identity-in-vault backup --yes >"$top/out" 2>&1
status=$?
[ $status -ne 0 ] && sed 's/^/# /' "$top/out"
check "import --identity-in-vault: both layers opened by the vault's identity" \
  '[ $status -eq 0 ] && [ "$(zones)" = "lab local " ] && [ "$(creds lab)" = "api-token ssh-key wireguard-key " ]'
check "… as the vault's log says" 'grep -q "opened a file key with age identity backup" "$AIR_VAULT_LOG"'
printf '{"kind":"qubes-air-config","version":1,"zones":[{"name":"by-age","driver":"ssh","ssh":{"host":"127.0.0.12"}}]}' |
  age -r "$vault_rcpt" >"$top/by-age.age"
"$QAIR" config import "$top/by-age.age" --identity-in-vault backup --yes >/dev/null 2>&1
check "a file made by Debian's age -r to the vault's recipient imports" '[ $? -eq 0 ] && [ "$(zones)" = "by-age lab local " ]'
"$QAIR" config import "$top/all-other.age" --identity-in-vault backup --yes >/dev/null 2>"$top/err"
check "a file to other recipients is refused, nothing imported" \
  '[ $? -ne 0 ] && grep -q "cannot open this file" "$top/err" && [ "$(zones)" = "by-age lab local " ]'
"$QAIR" config import "$top/by-age.age" --identity-in-vault nosuch --yes >/dev/null 2>"$top/err"
check "an identity the vault does not keep is named" '[ $? -ne 0 ] && grep -q "no age identity called “nosuch”" "$top/err"'

echo "1..$n"
[ "$failed" -eq 0 ]
