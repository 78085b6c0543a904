#!/usr/bin/env bash
# The README's first command: the plugin on the repo's own example workspace (examples/demo).
# Installs what is missing, starts a Docker engine when none answers (Debian machines),
# installs nx and the freshly packed plugin into the example, shows the inferred targets and
# graph, then builds every image through the task graph and runs two of them.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
demo="$repo/examples/demo"
cd "$repo"

# npm ci installs exactly the lock file and never rewrites it: a demo that touched it would leave
# the clone modified, and every image it builds would carry a -dirty version.
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run -s build
bash scripts/ensure-docker.sh
bash scripts/busybox-image.sh

mkdir -p "$repo/tmp"
tarball=$(npm pack --silent --pack-destination "$repo/tmp" | tail -1)
cd "$demo"
npm install --no-save --no-audit --no-fund --no-package-lock "nx@$(node -p "require('$repo/node_modules/nx/package.json').version")" "$repo/tmp/$tarball" >/dev/null
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "projects with docker/ trees"
npx nx show projects
step "inferred targets of demo"
npx nx show project demo --json | node -e '
  const p = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const [name, t] of Object.entries(p.targets)) {
    const configs = Object.keys(t.configurations ?? {});
    console.log(`${name.padEnd(22)} ${configs.length ? "configurations: " + configs.join(", ") : ""}`);
  }'
step "project graph edge (nx graph --file=graph.json)"
npx nx graph --file=graph.json >/dev/null
node -e '
  const g = require("./graph.json").graph;
  for (const [p, deps] of Object.entries(g.dependencies)) for (const d of deps) console.log(`${p} -> ${d.target} (${d.type})`);'
step "task graph of nx run-many -t docker-build"
npx nx run-many -t docker-build --graph=stdout 2>/dev/null | node -e '
  const g = JSON.parse(require("fs").readFileSync(0, "utf8")).tasks;
  for (const [id, deps] of Object.entries(g.dependencies)) console.log(`${id.padEnd(32)} after: ${deps.map((d) => d.id ?? d).join(", ") || "-"}`);'
step "nx run-many -t docker-build (every docker command is printed before it runs)"
npx nx run-many -t docker-build --output-style=stream
step "again: nothing changed, so no docker build runs (Nx replays the cached logs)"
ids() { docker images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' | grep -E '^(demo|tools)-' | sort; }
before=$(ids)
npx nx run-many -t docker-build --output-style=stream
if [ "$before" = "$(ids)" ]; then echo "image IDs unchanged:"; else echo "image IDs changed:"; fi
ids | sed 's/^/  /'
step "nx run demo:docker-run:app"
npx nx run demo:docker-run:app
