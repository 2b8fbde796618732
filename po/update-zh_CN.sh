#!/bin/sh
# update-zh_CN.sh — refreshes po/POTFILES.in and po/zh_CN.po from the tree.
#
#   po/update-zh_CN.sh            lists every file with translatable strings
#                                 in POTFILES.in, extracts them and merges
#                                 them into zh_CN.po (new ones untranslated,
#                                 changed ones fuzzy)
#
# Then translate what `msgattrib --untranslated --only-fuzzy`… shows, remove
# the fuzzy marks, and run po/check-zh_CN.sh (the "po-zh_CN" test).
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

po=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$po")
cd "$top"

{
  echo "# Files with translatable strings; po/update-zh_CN.sh writes this list."
  # C sources with _( or N_( anywhere under src/ (every program).
  grep -rlE --include='*.c' '\b(N?_|C_)\(' src | LC_ALL=C sort
  # Templates with translatable properties.
  grep -rl --include='*.ui' 'translatable="yes"' resources | LC_ALL=C sort
  echo "data/io.github.qubesair.QubesAir.desktop.in"
  echo "data/io.github.qubesair.QubesAir.metainfo.xml.in"
  echo "data/io.github.qubesair.QubesAir.gschema.xml"
} > "$po/POTFILES.in"

"$po/extract.sh" "$top" > "$po/qubes-air.pot.tmp"
msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po/zh_CN.po" "$po/qubes-air.pot.tmp"
rm -f "$po/qubes-air.pot.tmp"

msgattrib --untranslated "$po/zh_CN.po" | grep -c '^msgid ' | sed 's/^/untranslated (with header): /' || true
msgattrib --only-fuzzy "$po/zh_CN.po" | grep -c '^msgid ' | sed 's/^/fuzzy (with header): /' || true
