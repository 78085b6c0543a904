#!/usr/bin/env bash
# The README's test command: installs what the tests need (Debian and npm packages), makes
# sure a Docker engine answers, then runs lint, type checks, the unit tests once and the e2e
# tests on each engine leg (scripts/test.mjs: Engine 20.10 with the legacy builder, and Engine
# 26 with BuildKit in both image stores, which scripts/modern-engine.sh fetches and starts).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

bash scripts/install-deps.sh
# npm ci: exactly the lock file, which it never rewrites (a clean tree stays clean).
npm ci --no-audit --no-fund
bash scripts/ensure-docker.sh
bash scripts/ensure-emulation.sh
bash scripts/busybox-image.sh

npm run -s typecheck
npm run -s lint
node scripts/test.mjs all
