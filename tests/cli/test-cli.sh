#!/bin/sh
# test-cli.sh QAIR SOURCE_ROOT — qair follows the conventions of the tools
# it sits beside (TAP): --version, help COMMAND and COMMAND --help, errors
# that start with "qair:", names sorted as people read them, a man page
# that names every command and option, and bash completion.
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
QAIR=$1
SRC=$2
. "$(dirname "$0")/../tap.sh"

top=$(mktemp -d)
trap '"$QAIR" kill local:q1 >/dev/null 2>&1; rm -rf "$top"' EXIT
export HOME="$top/home" XDG_CONFIG_HOME="$top/home/config" XDG_DATA_HOME="$top/home/data"
export AIR_TRANSPORT=loopback AIR_LOOPBACK_DIR="$top/lb"
mkdir -p "$HOME"
page=$SRC/doc/man/qair.1
completion=$SRC/data/bash-completion/qair

echo "1..22"

version=$(sed -n "s/^ *version: '\([^']*\)'.*/\1/p" "$SRC/meson.build" | head -1)
check "qair --version prints the version ($version)" '[ "$("$QAIR" --version)" = "qair $version" ]'
check "qair help ls shows its usage line" '"$QAIR" help ls 2>&1 | grep -qF "qair ls [--zone ZONE] [--json]"'
check "qair ls --help shows the same, not a bare 'ls'" \
  '"$QAIR" ls --help 2>&1 | grep -qF "qair ls [--zone ZONE] [--json]"'
out=$("$QAIR" start --help 2>&1); status=$?
check "qair start --help is help, not a qube named --help" \
  '[ $status -eq 0 ] && echo "$out" | grep -qF "qair start" && ! echo "$out" | grep -qi "not a valid"'

"$QAIR" nosuch >/dev/null 2>"$top/e1"; s1=$?
"$QAIR" start >/dev/null 2>"$top/e2"; s2=$?
"$QAIR" start nosuch >/dev/null 2>"$top/e3"; s3=$?
# Every line, not just the hint that follows the message.
all_qair () { [ -s "$1" ] && [ -z "$(grep -v "^qair: " "$1")" ]; }
check "an unknown command is a usage error, said with qair:" '[ $s1 -eq 2 ] && all_qair "$top/e1" && grep -q nosuch "$top/e1"'
check "a missing name is a usage error, said with qair:" '[ $s2 -eq 2 ] && all_qair "$top/e2"'
check "a qube that does not exist is an error, said with qair:" \
  '[ $s3 -eq 1 ] && all_qair "$top/e3" && grep -q nosuch "$top/e3"'

# Bash completion, driven as bash drives it.
complete_words () {  # LINE: what bash would offer at its end
  PATH="${QAIR_DIR:-$(dirname "$QAIR")}:$PATH" bash -c '
    . "$1"
    COMP_LINE=$2
    read -ra COMP_WORDS <<<"$2"
    case "$2" in *" ") COMP_WORDS+=("") ;; esac
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _qair
    printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' sh "$completion" "$1"
}
# Before any qube exists: the templates come from the zone's own list.
check "completion: templates after --template, from qair zones --json" \
  '[ "$(complete_words "qair create x --template ")" = "host " ]'

for q in q10 q2 q1; do "$QAIR" create "$q" --zone local >/dev/null 2>&1; done
order=$("$QAIR" ls --zone local 2>/dev/null | awk 'NR > 1 { print $1 }' | tr '\n' ' ')
check "qair ls sorts names as people read them: $order" '[ "$order" = "q1 q2 q10 " ]'

# Every command qair help names has a section in the man page, and every
# long option of qair's source is in it.
commands=$("$QAIR" help 2>&1 | sed -n 's/^ *qair \([a-z]*\).*/\1/p' | sort -u)
missing=
for c in $commands; do grep -q "^\.SS .*\b$c\b" "$page" || missing="$missing $c"; done
check "the man page has a section for each command${missing:+ (missing:$missing)}" '[ -z "$missing" ] && [ -n "$commands" ]'
options=$(cat "$SRC"/src/cli/air-cli*.c | tr -s ' \n' ' ' |
  grep -oE "\{ \"[a-z][a-z-]*\", ('.'|0), [^,]*, G_OPTION_ARG" | sed 's/{ "\([^"]*\)".*/\1/' | sort -u)
missing=
for o in $options; do grep -q -- "\\\\-\\\\-$(echo "$o" | sed 's/-/\\\\-/g')" "$page" || missing="$missing --$o"; done
check "the man page describes every option${missing:+ (missing:$missing)}" '[ -z "$missing" ]'
# Every variable qair reads (its own code and the core it links) is in
# ENVIRONMENT; AIR_LOOPBACK_SELF is only set by a loopback service for
# the calls it makes on.
vars=$(cat "$SRC"/src/cli/*.c "$SRC"/src/core/*.c | grep -oE 'g_getenv \("[A-Z_]+"' |
  sed 's/.*"\([A-Z_]*\)"/\1/' | grep -vx AIR_LOOPBACK_SELF | sort -u)
missing=
for v in $vars; do
  sed -n '/^\.SH ENVIRONMENT/,/^\.SH [^E]/p' "$page" | grep -qx "\.B $v" || missing="$missing $v"
done
check "the man page's ENVIRONMENT names each variable qair reads${missing:+ (missing:$missing)}" \
  '[ -z "$missing" ] && [ -n "$vars" ]'
check "the man pages render without warnings" \
  '[ -z "$(for p in "$SRC"/doc/man/*.[18]; do groff -man -Tutf8 -ww -z "$p" 2>&1; done)" ]'

check "completion: qair st → start" '[ "$(complete_words "qair st")" = "start " ]'
check "completion: qube names after qair start" \
  '[ "$(complete_words "qair start q")" = "q1 q10 q2 " ] && complete_words "qair start local:" | grep -q "local:q10"'
check "completion: zones after --zone" '[ "$(complete_words "qair ls --zone ")" = "local " ]'
check "completion: a command's options" '[ "$(complete_words "qair create --n")" = "--network " ]'

# A zone is untrusted: what it names is offered only if it is a name, and
# never run. A stand-in qair answers with hostile names.
mkdir -p "$top/hostile"
cat >"$top/hostile/qair" <<EOF
#!/bin/sh
case "\$*" in
  "zones --json") printf '%s' '{"zones":[{"name":"good","templates":["t1","\$(touch $top/pwned)","\`touch $top/pwned\`"]},{"name":"a b"},{"name":"\$(touch $top/pwned)"}]}' ;;
  "ls --json") printf '%s' '{"qubes":[{"zone":"good","qube":{"name":"ok1"}},{"zone":"good","qube":{"name":"x;touch $top/pwned"}},{"zone":"good","qube":{"name":"*"}}]}' ;;
esac
EOF
chmod +x "$top/hostile/qair"
z=$(QAIR_DIR="$top/hostile" complete_words "qair ls --zone ")
t=$(QAIR_DIR="$top/hostile" complete_words "qair create x --template ")
q=$(QAIR_DIR="$top/hostile" complete_words "qair start ")
check "completion offers only real names from a hostile zone ($z| $t| $q)" \
  '[ "$z" = "good " ] && [ "$t" = "t1 " ] && [ "$q" = "good:ok1 ok1 " ] && [ ! -e "$top/pwned" ]'

# qair prefs: shown as qvm-prefs shows them; memory and vCPUs only while halted.
pref () { "$QAIR" prefs "$1" 2>/dev/null | awk -v k="$2" '$1 == k { print $2 }'; }
"$QAIR" prefs q1 --memory 600 --vcpus 3 --label blue >/dev/null 2>"$top/p1"; s1=$?
check "qair prefs changes a halted qube's memory, vCPUs and label ($(pref q1 memory) $(pref q1 vcpus) $(pref q1 label))" \
  '[ $s1 -eq 0 ] && [ "$(pref q1 memory)" = 600 ] && [ "$(pref q1 vcpus)" = 3 ] && [ "$(pref q1 label)" = blue ] &&
   "$QAIR" ls --zone local | grep -E "^q1 .* blue +600 +3$" >/dev/null'
"$QAIR" start q1 >/dev/null 2>&1
"$QAIR" prefs q1 --memory 700 >/dev/null 2>"$top/p2"; s2=$?
check "a running qube's memory is refused, saying to shut it down ($(head -1 "$top/p2"))" \
  '[ $s2 -eq 1 ] && grep -q "qair shutdown q1" "$top/p2" && all_qair "$top/p2" && [ "$(pref q1 memory)" = 600 ]'
"$QAIR" prefs q1 --label green >/dev/null 2>&1; s3=$?
check "a running qube's label changes at once" '[ $s3 -eq 0 ] && [ "$(pref q1 label)" = green ] && [ "$(pref q1 state)" = Running ]'
"$QAIR" prefs q1 --label pink >/dev/null 2>"$top/p4"; s4=$?
"$QAIR" prefs q1 --json --memory 800 >/dev/null 2>>"$top/p4"; s5=$?
check "qair prefs: an unknown label or --json with a change is a usage error" \
  '[ $s4 -eq 2 ] && [ $s5 -eq 2 ] && grep -q "red, orange" "$top/p4" && all_qair "$top/p4"'
"$QAIR" kill q1 >/dev/null 2>&1

for q in q1 q2 q10; do "$QAIR" rm "local:$q" >/dev/null 2>&1; done
[ $failed -eq 0 ]
