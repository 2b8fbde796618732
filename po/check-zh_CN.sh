#!/bin/sh
# check-zh_CN.sh PO_DIR — fails when zh_CN is not complete for the tree as
# it is now: a file with translatable strings missing from POTFILES.in, a
# message untranslated or fuzzy, or `msgfmt --check` failing. Prints TAP.
# po/update-zh_CN.sh brings POTFILES.in and zh_CN.po up to date.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -u

po=$(cd "$1" && pwd)
top=$(dirname "$po")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..4"
failed=0

cd "$top"
missing=$( { grep -rlE --include='*.c' '\b(N?_|C_)\(' src; grep -rl --include='*.ui' 'translatable="yes"' resources; } \
           | LC_ALL=C sort | while read -r f; do grep -qxF "$f" po/POTFILES.in || echo "$f"; done)
if [ -z "$missing" ]; then
  echo "ok 1 - every file with translatable strings is in POTFILES.in"
else
  failed=1
  echo "not ok 1 - files missing from POTFILES.in (run po/update-zh_CN.sh): $(echo $missing)"
fi

if "$po/extract.sh" "$top" > "$tmp/qubes-air.pot" 2> "$tmp/extract.log"; then
  echo "ok 2 - the messages can be extracted"
else
  failed=1
  echo "not ok 2 - xgettext failed: $(tr '\n' ' ' < "$tmp/extract.log")"
fi

cp "$po/zh_CN.po" "$tmp/zh_CN.po"
msgmerge --quiet --update --backup=none --no-fuzzy-matching "$tmp/zh_CN.po" "$tmp/qubes-air.pot" 2>/dev/null
untranslated=$(msgattrib --no-wrap --untranslated --no-obsolete "$tmp/zh_CN.po" | grep '^msgid ' | grep -vc '^msgid ""$')
fuzzy=$(msgattrib --no-wrap --only-fuzzy --no-obsolete "$tmp/zh_CN.po" | grep '^msgid ' | grep -vc '^msgid ""$')
if [ "$untranslated" -eq 0 ] && [ "$fuzzy" -eq 0 ]; then
  echo "ok 3 - zh_CN translates every message"
else
  failed=1
  echo "not ok 3 - zh_CN: $untranslated untranslated, $fuzzy fuzzy (run po/update-zh_CN.sh and translate)"
  msgattrib --no-wrap --untranslated --only-fuzzy --no-obsolete "$tmp/zh_CN.po" | grep '^msgid ' | head -20 | sed 's/^/# /'
  msgattrib --no-wrap --untranslated --no-obsolete "$tmp/zh_CN.po" | grep '^msgid ' | grep -v '^msgid ""$' | head -20 | sed 's/^/# /'
fi

if msgfmt --check --output-file=/dev/null "$po/zh_CN.po" 2> "$tmp/msgfmt.log"; then
  echo "ok 4 - msgfmt --check zh_CN.po"
else
  failed=1
  echo "not ok 4 - msgfmt --check zh_CN.po: $(head -5 "$tmp/msgfmt.log" | tr '\n' ' ')"
fi

exit "$failed"
