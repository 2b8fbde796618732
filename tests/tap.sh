# tap.sh — TAP helpers for the shell tests: ok, not_ok, and check DESC EXPR
# (EXPR is evaluated). $failed counts failures for the script's status.
# SPDX-License-Identifier: GPL-2.0-or-later
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check () { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
