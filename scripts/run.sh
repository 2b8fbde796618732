#!/bin/sh
# Set up, build, and start Qubes Air on the local zone.
# SPDX-License-Identifier: GPL-2.0-or-later
set -e
cd "$(dirname "$0")/.."
sh scripts/setup-debian.sh
[ -d build ] || meson setup build
ninja -C build
if [ -n "$DISPLAY" ] || [ -n "$WAYLAND_DISPLAY" ]; then
  exec meson devenv -C build qubes-air
fi
# No display: show the local zone with the command-line twin instead.
meson devenv -C build qair zones
exec meson devenv -C build qair ls
