#!/bin/sh
# Installs what Qubes Air needs to build, run and test on Debian 12.
# SPDX-License-Identifier: GPL-2.0-or-later
set -e
need=""
for p in libgtk-4-dev libgtk-4-bin libsecret-1-dev libcurl4-openssl-dev libjson-glib-dev \
         libsodium-dev zlib1g-dev meson ninja-build pkg-config gcc xvfb xauth dbus-daemon dbus-x11 gnome-keyring \
         libsecret-tools at-spi2-core gettext desktop-file-utils appstream imagemagick x11-utils \
         bubblewrap iproute2 wireguard-tools wireguard-go openssh-server openssh-client python3 python3-dogtail age \
         groff-base bash-completion haskell-status-notifier-item-utils haskell-gtk-sni-tray-utils xdotool \
         libvirt-dev libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils \
         busybox-static cpio e2fsprogs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need
fi
