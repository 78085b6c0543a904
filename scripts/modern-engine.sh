#!/usr/bin/env bash
# A modern Docker engine (Debian's docker.io, with its containerd and docker-buildx) beside the
# machine's Engine 20.10, for the tests and benchmarks of the modern legs.
#
#   eval "$(bash scripts/modern-engine.sh containerd)"       # trixie: Engine 26, containerd image store
#   eval "$(bash scripts/modern-engine.sh classic)"          # trixie: Engine 26, classic image store
#   eval "$(bash scripts/modern-engine.sh containerd sid)"   # sid: Engine 28.5, containerd image store
#
# The suite (second argument, or DOCKCONV_MODERN_SUITE; default trixie) picks the packages.
# sid moves, so its packages come from ../shared/engines/sid/ beside the repository when that
# folder holds them (checked against its SHA256SUMS), and from sid's current suite otherwise.
#
# DOCKCONV_MODERN_DIR (default /var/lib/dockconv-modern, /var/lib/dockconv-sid for sid) holds
# the instances' state; DOCKCONV_MODERN_CACHE the unpacked packages (default
# /var/lib/dockconv-packages/<suite>); DOCKCONV_MODERN_BRIDGE and DOCKCONV_MODERN_BRIDGE_ADDRESS
# give another instance a bridge of its own.
#
# Prints the exports that point the docker CLI at it: DOCKER_HOST, and DOCKER_CONFIG naming a
# folder whose cli-plugins/ holds buildx (so `docker build` goes through BuildKit; ~/.docker is
# left alone). Reuses an engine that already answers on its socket.
#
# Nothing is installed: the .debs are fetched with `apt-get download` under a private apt
# configuration (the suite's current versions: superseded .debs disappear from the mirrors) and
# unpacked with `dpkg-deb -x` into a cache folder. trixie's runc needs a newer glibc than
# Debian 12 has, so the host's runc runs the containers.
#
# The other engine must not notice: each instance has its own containerd, socket, data root,
# exec root, pidfile and bridge, and no iptables, forwarding or masquerading. Never
# `--bridge=none` and never a default address pool: dockerd removes the host's docker0 in both
# cases, and the other engine's RUN steps then fail.
set -euo pipefail

usage() { echo "modern-engine: usage: modern-engine.sh [containerd|classic] [trixie|sid]" >&2; exit 2; }
store=${1:-containerd}
suite=${2:-${DOCKCONV_MODERN_SUITE:-trixie}}
case $suite in
  trixie) net=26 default_base=/var/lib/dockconv-modern ;;
  sid) net=28 default_base=/var/lib/dockconv-sid ;;
  *) usage ;;
esac
case $store in
  containerd) snapshotter=true bridge=dockconv-br$net address=172.31.$net.1/24 ;;
  classic) snapshotter=false bridge=dockconv-br${net}c address=172.31.$((net + 1)).1/24 ;;
  *) usage ;;
esac
# Another instance (a transfer destination, say) needs its own folder and bridge.
bridge=${DOCKCONV_MODERN_BRIDGE:-$bridge}
address=${DOCKCONV_MODERN_BRIDGE_ADDRESS:-$address}

base=${DOCKCONV_MODERN_DIR:-$default_base}
pkgs=${DOCKCONV_MODERN_CACHE:-/var/lib/dockconv-packages/$suite}
pinned=$(cd "$(dirname "$0")/.." && pwd)/../shared/engines/$suite
state=$base/$store
sock=$state/docker.sock
plugins=$base/docker-config

exports() {
  echo "export DOCKER_HOST=unix://$sock DOCKER_CONFIG=$plugins"
}

# The .debs seen working, when they are beside the repository and intact; else the suite's own.
fetch() {
  local root=$pkgs/root
  [ -x "$root/usr/sbin/dockerd" ] && [ -x "$root/usr/libexec/docker/cli-plugins/docker-buildx" ] && return 0
  command -v dpkg-deb >/dev/null || { echo "modern-engine: needs apt-get and dpkg-deb (Debian)" >&2; exit 1; }
  mkdir -p "$pkgs/debs"
  rm -f "$pkgs/debs"/*.deb
  if [ -f "$pinned/SHA256SUMS" ] && (cd "$pinned" && sha256sum --quiet -c SHA256SUMS) >/dev/null 2>&1; then
    echo "modern-engine: using the $suite packages in $pinned" >&2
    cp "$pinned"/*.deb "$pkgs/debs/"
  else
    download
  fi
  rm -rf "$root.new"
  mkdir -p "$root.new"
  for deb in "$pkgs/debs"/*.deb; do dpkg-deb -x "$deb" "$root.new"; done
  rm -rf "$root"
  mv "$root.new" "$root"
}

# The suite's current packages, under a private apt configuration: superseded .debs disappear
# from the mirrors, so no version is pinned here.
download() {
  local apt=$pkgs/apt
  command -v apt-get >/dev/null || { echo "modern-engine: needs apt-get and dpkg-deb (Debian)" >&2; exit 1; }
  echo "modern-engine: fetching $suite's docker.io, containerd, docker-buildx and tini into $pkgs" >&2
  . "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"
  local mirror="deb [signed-by=$DEBIAN_KEYRING] http://deb.debian.org/debian"
  if [ "$suite" = sid ]; then
    private_apt "$apt" amd64 /var/lib/dpkg/status "$mirror sid main"
  else
    private_apt "$apt" amd64 /var/lib/dpkg/status "$mirror $suite main" "$mirror $suite-updates main" "deb [signed-by=$DEBIAN_KEYRING] http://deb.debian.org/debian-security $suite-security main"
  fi
  # sid ships the static tini as a package of its own; trixie's tini still holds it.
  local tini=tini
  [ "$suite" = sid ] && tini=tini-static
  (cd "$pkgs/debs" && APT_CONFIG=$apt/apt.conf apt-get download -qq docker.io containerd docker-buildx "$tini")
}

# dockerd finds containerd's shim, docker-proxy, docker-init and runc on its PATH.
link_binaries() {
  local root=$pkgs/root bin=$base/bin
  mkdir -p "$bin" "$plugins/cli-plugins"
  ln -sf "$root/usr/sbin/dockerd" "$bin/dockerd"
  ln -sf "$root/usr/bin/containerd" "$bin/containerd"
  ln -sf "$root/usr/bin/containerd-shim-runc-v2" "$bin/containerd-shim-runc-v2"
  ln -sf "$(ls "$root"/usr/sbin/docker-proxy "$root"/usr/bin/docker-proxy 2>/dev/null | head -1)" "$bin/docker-proxy"
  ln -sf "$root/usr/bin/tini-static" "$bin/docker-init"
  local runc
  runc=$(command -v runc || true)
  [ -n "$runc" ] || { echo "modern-engine: the host's runc is needed (Debian: apt-get install runc)" >&2; exit 1; }
  ln -sf "$runc" "$bin/runc"
  ln -sf "$root/usr/libexec/docker/cli-plugins/docker-buildx" "$plugins/cli-plugins/docker-buildx"
  [ -f "$plugins/config.json" ] || echo '{}' >"$plugins/config.json"
}

answers() {
  docker -H "unix://$sock" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

ensure_bridge() {
  ip link show "$bridge" >/dev/null 2>&1 && return 0
  ip link add "$bridge" type bridge
  ip addr add "$address" dev "$bridge"
  ip link set "$bridge" up
}

start_containerd() {
  local dir=$state/containerd
  local csock=$dir/containerd.sock
  mkdir -p "$dir"
  if [ -S "$csock" ] && [ -f "$dir/containerd.pid" ] && kill -0 "$(cat "$dir/containerd.pid")" 2>/dev/null; then
    return 0
  fi
  # containerd 2.x reads only `version = 3` files; 1.x wants 2.
  local version=2
  "$base/bin/containerd" --version | grep -q ' v\?2\.' && version=3
  cat >"$dir/config.toml" <<EOF
version = $version
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$csock"
EOF
  rm -f "$csock"
  PATH=$base/bin:$PATH nohup "$base/bin/containerd" --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
  echo $! >"$dir/containerd.pid"
  for _ in $(seq 1 100); do [ -S "$csock" ] && return 0; sleep 0.1; done
  echo "modern-engine: containerd did not start; see $dir/containerd.log" >&2
  exit 1
}

start_dockerd() {
  echo "{\"features\": {\"containerd-snapshotter\": $snapshotter}}" >"$state/daemon.json"
  rm -f "$sock"
  PATH=$base/bin:$PATH nohup "$base/bin/dockerd" \
    --config-file "$state/daemon.json" \
    --containerd "$state/containerd/containerd.sock" \
    --data-root "$state/data" --exec-root "$state/exec" --pidfile "$state/dockerd.pid" \
    -H "unix://$sock" --bridge="$bridge" \
    --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    >"$state/dockerd.log" 2>&1 &
  for _ in $(seq 1 120); do answers && return 0; sleep 0.5; done
  echo "modern-engine: dockerd did not answer on $sock within 60s; last log lines:" >&2
  tail -20 "$state/dockerd.log" >&2
  exit 1
}

if answers; then
  exports
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "modern-engine: starting dockerd needs root" >&2; exit 1; }
fetch
link_binaries
mkdir -p "$state"
ensure_bridge
start_containerd
start_dockerd
echo "modern-engine: Engine $(docker -H "unix://$sock" version --format '{{.Server.Version}}') ($suite, $store image store) on $sock" >&2
exports
