#!/usr/bin/env bash
# Debian packages the tests use: the Docker engine, a static busybox for FROM-scratch test
# images, real versioneer for the parity suite, sshd for ssh:// transfers, git, a registry to
# publish to (docker-registry), htpasswd for its basic auth (apache2-utils), and qemu-user-static
# with binfmt-support for foreign-platform builds and containers.
set -euo pipefail
packages=(docker.io busybox-static python3-versioneer openssh-server git util-linux docker-registry apache2-utils qemu-user-static binfmt-support)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]} (install them as root)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
