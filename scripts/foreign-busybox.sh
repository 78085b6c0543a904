#!/usr/bin/env bash
# A static busybox for another architecture (Debian's busybox-static of that architecture), for
# test images of foreign platforms: prints the binary's path. Fetched once with `apt-get
# download` under a private apt configuration (nothing is installed, no architecture is added
# to dpkg), then kept under DOCKCONV_FOREIGN_CACHE (default /var/lib/dockconv-packages).
#
#   bash scripts/foreign-busybox.sh arm64
set -euo pipefail
arch=${1:?usage: foreign-busybox.sh ARCH (a Debian architecture: arm64, armhf, s390x, ...)}
dir=${DOCKCONV_FOREIGN_CACHE:-/var/lib/dockconv-packages}/busybox-$arch
bin=$dir/root/bin/busybox
if [ ! -x "$bin" ]; then
  apt=$dir/apt
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  . "$(dirname "$0")/private-apt.sh"
  private_apt "$apt" "$arch" /dev/null "deb [signed-by=$DEBIAN_KEYRING arch=$arch] http://deb.debian.org/debian $suite main"
  mkdir -p "$dir/debs"
  (cd "$dir/debs" && rm -f ./*.deb && APT_CONFIG=$apt/apt.conf apt-get download -qq busybox-static)
  rm -rf "$dir/root"
  dpkg-deb -x "$dir"/debs/busybox-static_*.deb "$dir/root"
fi
echo "$bin"
