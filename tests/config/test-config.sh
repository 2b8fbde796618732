#!/bin/sh
# test-config.sh QAIR — qair config export|import end to end (TAP): the
# file is age (Debian's age opens it, and makes files we import), nothing
# changes when the file is tampered with, for someone else, opened with a
# wrong passphrase, or holds a hostile zone list.
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
QAIR=$1
. "$(dirname "$0")/../tap.sh"

if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then
  echo "1..0 # SKIP Debian's age is not installed (scripts/setup-debian.sh installs it)"
  exit 0
fi

top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
home () {  # a fresh management qube
  export HOME="$top/$1" XDG_CONFIG_HOME="$top/$1/config" XDG_DATA_HOME="$top/$1/data"
  mkdir -p "$HOME"
}
zones () { "$QAIR" zones --json 2>/dev/null | tr ',' '\n' | sed -n 's/.*"name":"\([^"]*\)".*/\1/p' | sort | tr '\n' ' '; }

age-keygen -o "$top/id" 2>/dev/null
age-keygen -o "$top/other-id" 2>/dev/null
recipient=$(age-keygen -y "$top/id")

home old
"$QAIR" zone add lab --driver ssh --host 127.0.0.9 --port 2222 --user qubes --fingerprint SHA256:none >/dev/null 2>&1
"$QAIR" zone add far --driver ssh --host 127.0.0.10 --fingerprint SHA256:none >/dev/null 2>&1
check "zones to export" '[ "$(zones)" = "far lab local " ]'

"$QAIR" config export --recipient "$recipient" -o "$top/all.age"
check "export to a recipient" '[ $? -eq 0 ] && [ -s "$top/all.age" ]'
age -d -i "$top/id" "$top/all.age" > "$top/all.json" 2>/dev/null
check "Debian's age opens our export" '[ $? -eq 0 ] && grep -q "\"qubes-air-config\"" "$top/all.json"'
check "the export holds the zones' hosts" 'grep -q "127.0.0.9" "$top/all.json" && grep -q "2222" "$top/all.json"'
check "no path of this machine's own travels" '! grep -q known_hosts "$top/all.json"'
check "the file is not readable without the identity" '! age -d -i "$top/other-id" "$top/all.age" >/dev/null 2>&1'

"$QAIR" config export --zone lab --recipient-file /dev/stdin -o "$top/lab.age" <<END
# a recipients file
$recipient
END
age -d -i "$top/id" "$top/lab.age" > "$top/lab.json" 2>/dev/null
check "--zone exports one zone" 'grep -q "\"lab\"" "$top/lab.json" && ! grep -q "\"far\"" "$top/lab.json"'

"$QAIR" config export -o "$top/x.age" >/dev/null 2>"$top/err"
check "export without recipient or passphrase: usage error" '[ $? -eq 2 ] && grep -q "recipients" "$top/err"'
"$QAIR" config export -r age1notarecipient -o "$top/x.age" 2>"$top/err"
check "a bad recipient is named" '[ $? -ne 0 ] && grep -q "not an age X25519 recipient" "$top/err" && [ ! -e "$top/x.age" ]'

home new
"$QAIR" config import "$top/all.age" -i "$top/id" </dev/null >/dev/null 2>"$top/err"
check "import without a terminal asks for --yes" '[ $? -eq 2 ] && grep -q -- "--yes" "$top/err" && [ "$(zones)" = "local " ]'
"$QAIR" config import "$top/all.age" -i "$top/other-id" --yes >/dev/null 2>"$top/err"
check "the wrong identity is refused, nothing imported" '[ $? -ne 0 ] && grep -q "None of the given identities" "$top/err" && [ "$(zones)" = "local " ]'

# One bit of the payload flipped: writing a fixed byte left the file as it
# was whenever the byte already was that one (one run in 256).
cp "$top/all.age" "$top/tampered.age"
at=$(($(wc -c < "$top/all.age") - 20))
byte=$(od -An -tu1 -j "$at" -N1 "$top/all.age" | tr -d ' ')
printf "\\$(printf %o $((byte ^ 1)))" | dd of="$top/tampered.age" bs=1 seek="$at" conv=notrunc 2>/dev/null
check "the tampered copy differs from the file" '! cmp -s "$top/all.age" "$top/tampered.age"'
"$QAIR" config import "$top/tampered.age" -i "$top/id" --yes >/dev/null 2>"$top/err"
check "a tampered file is refused, nothing imported" '[ $? -ne 0 ] && grep -q "changed or cut short" "$top/err" && [ "$(zones)" = "local " ]'
head -c 200 "$top/all.age" > "$top/cut.age"
"$QAIR" config import "$top/cut.age" -i "$top/id" --yes >/dev/null 2>"$top/err"
check "a cut file is refused" '[ $? -ne 0 ] && [ "$(zones)" = "local " ]'

"$QAIR" config import "$top/all.age" -i "$top/id" --yes > "$top/out" 2>&1
check "import adds the zones" '[ $? -eq 0 ] && [ "$(zones)" = "far lab local " ]'
check "import says what it did and what is left to do" 'grep -q "lab.*added" "$top/out" && grep -q "qair zone trust lab" "$top/out" && grep -q "local.*skipped" "$top/out"'
"$QAIR" config export --zone lab -r "$recipient" | age -d -i "$top/id" > "$top/again.json" 2>/dev/null
check "the imported zone keeps host, port and user" 'grep -q "\"host\":\"127.0.0.9\",\"port\":2222,\"user\":\"qubes\"" "$top/again.json"'

home pass
printf 'a long passphrase\n' | "$QAIR" config export --passphrase > "$top/pass.age" 2>/dev/null
check "export to a passphrase" '[ $? -eq 0 ] && head -c 60 "$top/pass.age" | grep -q scrypt'
# On a terminal the prompts show and what is typed does not (echo off).
python3 "$(dirname "$0")/../core/age-tty.py" 'a long passphrase' "$QAIR" config export --passphrase -o "$top/tty.age" 2>"$top/tty"
check "on a terminal the passphrase is asked twice and never shown" '[ $? -eq 0 ] && grep -q "Passphrase:" "$top/tty" && grep -q "The same passphrase again:" "$top/tty" && ! grep -q "a long passphrase" "$top/tty" && head -c 60 "$top/tty.age" | grep -q scrypt'
printf 'wrong one\n' | "$QAIR" config import "$top/pass.age" --passphrase --yes >/dev/null 2>"$top/err"
check "a wrong passphrase is refused" '[ $? -ne 0 ] && grep -q "passphrase is wrong" "$top/err"'
printf 'a long passphrase\n' | "$QAIR" config import "$top/pass.age" --passphrase --yes --replace >/dev/null 2>&1
check "the right passphrase imports" '[ $? -eq 0 ] && [ "$(zones)" = "local " ]'

# made by Debian's age: a zone list to import, then hostile ones
home from-age
printf '{"kind":"qubes-air-config","version":1,"zones":[{"name":"made-by-age","driver":"ssh","ssh":{"host":"127.0.0.11"}}]}' |
  age -r "$recipient" > "$top/by-age.age"
"$QAIR" config import "$top/by-age.age" -i "$top/id" --yes >/dev/null 2>&1
check "a file made by age -r imports" '[ $? -eq 0 ] && [ "$(zones)" = "local made-by-age " ]'
printf '{"kind":"qubes-air-config","version":1,"zones":[{"name":"../../etc","driver":"ssh","ssh":{"host":"x"}}]}' |
  age -r "$recipient" > "$top/hostile.age"
"$QAIR" config import "$top/hostile.age" -i "$top/id" --yes >/dev/null 2>"$top/err"
check "a hostile zone name is refused, nothing imported" '[ $? -ne 0 ] && [ "$(zones)" = "local made-by-age " ]'
printf '{"version":1,"zones":[]}' | age -r "$recipient" > "$top/other.age"
"$QAIR" config import "$top/other.age" -i "$top/id" --yes >/dev/null 2>"$top/err"
check "a file that is no configuration is said to be so" '[ $? -ne 0 ] && grep -q "not a Qubes Air configuration" "$top/err"'

echo "1..$n"
[ "$failed" -eq 0 ]
