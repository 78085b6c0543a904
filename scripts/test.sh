#!/usr/bin/env bash
# The README's test command: installs what the tests need (Debian and npm packages), makes
# sure a Docker engine answers, then runs lint, type checks, unit and e2e tests.
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
