#!/usr/bin/env bash
# The README's test command: installs what the tests need (Debian and npm packages), makes
# sure a Docker engine answers, then runs lint, type checks, the unit tests once and the e2e
# tests on each engine leg (scripts/test.mjs: Engine 20.10 with the legacy builder, and Engine
# 26 with BuildKit in both image stores, which scripts/modern-engine.sh fetches and starts).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

bash scripts/install-deps.sh
# npm ci refuses this lock file: the registry here has no builds of nx for other platforms, so
# their optional entries cannot be in it. npm install follows the lock file all the same.
npm install --no-audit --no-fund
bash scripts/ensure-docker.sh
bash scripts/busybox-image.sh

npm run -s typecheck
npm run -s lint
node scripts/test.mjs all
