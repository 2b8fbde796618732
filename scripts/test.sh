#!/bin/sh
# Set up, build, and run the whole test suite headless (the same command CI runs).
# SPDX-License-Identifier: GPL-2.0-or-later
set -e
cd "$(dirname "$0")/.."
sh scripts/setup-debian.sh
rm -rf build-test
meson setup build-test -Dwerror=true
ninja -C build-test
meson test -C build-test --print-errorlogs --num-processes 2
