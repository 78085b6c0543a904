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
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$dir/debs"
  echo "deb [signed-by=$keyring arch=$arch] http://deb.debian.org/debian $suite main" >"$apt/sources.list"
  cat >"$apt/apt.conf" <<CONF
Dir::Etc::SourceList "$apt/sources.list";
Dir::Etc::SourceParts "$apt/sources.list.d";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "$apt/sources.list.d";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
Dir::State::Status "/dev/null";
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
APT::Sandbox::User "root";
CONF
  APT_CONFIG=$apt/apt.conf apt-get update -qq
  (cd "$dir/debs" && rm -f ./*.deb && APT_CONFIG=$apt/apt.conf apt-get download -qq busybox-static)
  rm -rf "$dir/root"
  dpkg-deb -x "$dir"/debs/busybox-static_*.deb "$dir/root"
fi
echo "$bin"
