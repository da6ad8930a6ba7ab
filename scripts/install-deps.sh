#!/bin/sh
# Install what guestd needs to build, test and run, from Debian 12's
# archive. Run as root; safe to run again.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
apt update -qq
apt install -y -qq --no-install-recommends \
  meson ninja-build pkg-config gcc clang gettext \
  libglib2.0-dev libglib2.0-bin libxml2-dev libjson-glib-dev \
  libcap-ng-dev libselinux1-dev libpolkit-gobject-1-dev \
  qemu-system-x86 qemu-utils ovmf \
  dbus libdbus-1-dev polkitd socat busybox-static cpio ca-certificates \
  systemd iproute2 openssh-server openssh-client \
  > /dev/null
