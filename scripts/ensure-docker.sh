#!/usr/bin/env bash
# Makes sure a Docker engine answers. Reuses one that does; otherwise, on a Debian machine
# without systemd (the CI and dev machines), installs Debian's docker.io and starts dockerd in
# the background on the default socket. Elsewhere it says what is missing and fails.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "ensure-docker: installing Debian's docker.io" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  else
    echo "ensure-docker: no Docker engine answers and dockerd is not installed." >&2
    echo "Start a Docker engine (or point DOCKER_HOST at one) and run this again." >&2
    exit 1
  fi
fi

if [ "$(id -u)" != 0 ]; then
  echo "ensure-docker: no Docker engine answers; starting dockerd needs root. Start one and retry." >&2
  exit 1
fi

state=${DOCKCONV_ENGINE_DIR:-/var/lib/dockconv-engine}
mkdir -p "$state"
echo "ensure-docker: starting dockerd (log: $state/dockerd.log)" >&2
nohup dockerd --data-root "$state/data" --exec-root "$state/exec" --pidfile "$state/dockerd.pid" \
  -H unix:///var/run/docker.sock >"$state/dockerd.log" 2>&1 &

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "ensure-docker: dockerd did not answer within 60s; last log lines:" >&2
tail -20 "$state/dockerd.log" >&2
exit 1
