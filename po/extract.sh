#!/bin/sh
# extract.sh TOP — prints the message template of every file listed in
# po/POTFILES.in, with the keywords of meson's "glib" gettext preset.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
top=$1
cd "$top"
grep -v '^#' po/POTFILES.in | grep -v '^$' > "${TMPDIR:-/tmp}/air-potfiles.$$"
xgettext --from-code=UTF-8 --add-comments=Translators --sort-by-file \
  --package-name=qubes-air \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_prefix_error:2:c-format --flag=g_task_return_new_error:4:c-format \
  --files-from="${TMPDIR:-/tmp}/air-potfiles.$$" --output=-
rm -f "${TMPDIR:-/tmp}/air-potfiles.$$"
