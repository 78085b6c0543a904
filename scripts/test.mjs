// The one test command (README and .ci/run): `node scripts/test.mjs [unit|e2e|all]`.
// Unit specs sit beside the code (src/**/*.spec.ts); e2e specs (e2e/**/*.e2e.ts) need the
// packed package and a Docker engine, so `all` builds and packs first.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const mode = process.argv[2] ?? 'all';
const only = process.argv.slice(3);

function find(dir, suffix, out = []) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'files') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) find(path, suffix, out);
    else if (entry.endsWith(suffix)) out.push(path);
  }
  return out;
}

function runTests(files, concurrency) {
  const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
  if (selected.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...selected],
    { stdio: 'inherit', cwd: root },
  );
  return result.status ?? 1;
}

let status = 0;
if (mode === 'unit' || mode === 'all') {
  status ||= runTests(find(join(root, 'src'), '.spec.ts'), 2);
}
if ((mode === 'e2e' || mode === 'all') && status === 0) {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  status ||= runTests(find(join(root, 'e2e'), '.e2e.ts'), 1);
}
process.exit(status);
