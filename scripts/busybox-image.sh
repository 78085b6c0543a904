#!/usr/bin/env bash
# Makes `dockconv-busybox:latest`: a FROM-scratch image holding Debian's static busybox as
# /bin/sh and friends. It stands in for a public base image (python:…, debian:…) on machines
# that reach no registry; the demo workspace and the e2e tests build on it.
set -euo pipefail
image=${1:-dockconv-busybox:latest}
if docker image inspect "$image" >/dev/null 2>&1; then exit 0; fi

busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
  if [ -x /bin/busybox ] && ldd /bin/busybox 2>&1 | grep -q 'not a dynamic'; then
    busybox=/bin/busybox
  elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
    busybox=/bin/busybox
  else
    echo "busybox-image: a static busybox is needed (Debian: apt-get install busybox-static)" >&2
    exit 1
  fi
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$busybox" "$ctx/busybox"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sh"]
DOCKERFILE
docker build -q -t "$image" "$ctx" >/dev/null
echo "busybox-image: built $image" >&2
