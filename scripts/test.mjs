// The one test command (README and .ci/run): `node scripts/test.mjs [unit|e2e|all|leg <name>]`.
// Unit specs sit beside the code (src/**/*.spec.ts); e2e specs (e2e/**/*.e2e.ts) need the
// packed package and a Docker engine, so the e2e modes build and pack first.
//
//   unit [substr…]          unit specs, once
//   e2e [substr…]           e2e specs against the engine DOCKER_HOST names (a developer's own)
//   leg <name> [substr…]    e2e specs of one engine leg (below)
//   all                     unit, then every leg; each leg prints its own counts
//
// The legs: the same plugin against the engines users run.
//   legacy      the machine's Engine 20.10 and a CLI without buildx: the legacy builder
//   containerd  Engine 26 (Debian trixie) with buildx (BuildKit) and the containerd image store
//               (scripts/modern-engine.sh), plus transfers between it and Engine 20.10
//               (the previous Nx major and installing from a registry run on the legacy leg only)
//   sid         the newest Debian engine (sid: Engine 28.5), containerd image store, the same
//               files as the containerd leg
//   classic     Engine 26 with buildx and the classic image store: transfers only (its builds
//               are the containerd leg's BuildKit builds; only the image store differs)
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const mode = process.argv[2] ?? 'all';
const legName = mode === 'leg' ? process.argv[3] : undefined;
const only = process.argv.slice(mode === 'leg' ? 4 : 3);

function find(dir, suffix, out = []) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'files') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) find(path, suffix, out);
    else if (entry.endsWith(suffix)) out.push(path);
  }
  return out;
}

/** Runs the files (filtered by the command line), prints one summary line, returns the exit status. */
function runTests(label, files, concurrency, env = process.env) {
  const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
  if (selected.length === 0) return 0;
  const tap = join(tmpdir(), `dockconv-test-${process.pid}-${label}.tap`);
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [
      '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`,
      ...selected,
    ],
    { stdio: 'inherit', cwd: root, env },
  );
  const counts = readFileSync(tap, 'utf8');
  rmSync(tap, { force: true });
  const count = (key) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(counts)?.[1] ?? 0);
  const seconds = Math.round((Date.now() - started) / 1000);
  // A test cut short (a promise the event loop could no longer settle) is cancelled, not passed: it counts as failed.
  const failed = count('fail') + count('cancelled');
  console.log(`\n== ${label}: ${count('pass')} passed, ${failed} failed, ${count('skipped')} skipped, ${selected.length} file(s), ${seconds}s ==\n`);
  return result.status ?? 1;
}

/** The environment scripts/modern-engine.sh prints for an engine (started when none answers). */
function modernEngine(store, suite = 'trixie') {
  const exports = execFileSync('bash', [join(root, 'scripts/modern-engine.sh'), store, suite], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return { ...Object.fromEntries([...exports.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]])), DOCKCONV_MODERN_SUITE: suite };
}

/** "Engine 28.5.2+dfsg4": the label says which engine a leg's counts are for. */
function engineVersion(env) {
  return `Engine ${execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', env }).trim()}`;
}

const e2eFiles = () => find(join(root, 'e2e'), '.e2e.ts');
const legacyHost = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';

const legs = {
  legacy: () => ({
    label: 'e2e, Engine 20.10, legacy builder',
    files: e2eFiles().filter((f) => !f.includes('engines.e2e')),
    env: { ...process.env, DOCKCONV_ENGINE2_KIND: 'legacy' },
  }),
  containerd: () => containerdLeg('trixie'),
  sid: () => containerdLeg('sid'),
  classic: () => {
    const env = { ...process.env, ...modernEngine('classic'), DOCKCONV_ENGINE2_KIND: 'classic' };
    return { label: `e2e, ${engineVersion(env)}, BuildKit, classic image store`, files: e2eFiles().filter((f) => f.includes('/transfer.e2e')), env };
  },
};

function containerdLeg(suite) {
  const env = { ...process.env, ...modernEngine('containerd', suite), DOCKCONV_ENGINE2_KIND: 'containerd', DOCKCONV_LEGACY_HOST: legacyHost };
  return {
    label: `e2e, ${engineVersion(env)} (${suite}), BuildKit, containerd image store`,
    files: e2eFiles().filter((f) => !f.includes('nx-previous-major') && !f.includes('install.e2e')),
    env,
  };
}

function buildPackage() {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
}

let status = 0;
if (mode === 'unit' || mode === 'all') {
  status ||= runTests('unit', find(join(root, 'src'), '.spec.ts'), 2);
}
if (mode === 'e2e' && status === 0) {
  buildPackage();
  status ||= runTests('e2e', e2eFiles(), 1);
}
if (mode === 'leg' || (mode === 'all' && status === 0)) {
  if (mode === 'leg' && !legs[legName]) {
    console.error(`test.mjs: unknown leg '${legName}' (legs: ${Object.keys(legs).join(', ')})`);
    process.exit(2);
  }
  buildPackage();
  // Every leg runs even when one fails, so the log shows each leg's counts.
  for (const name of mode === 'leg' ? [legName] : Object.keys(legs)) {
    const leg = legs[name]();
    status = runTests(leg.label, leg.files, 1, leg.env) || status;
  }
}
process.exit(status);
