/**
 * docker-build speed, side by side in one run on the example shape: one base and four images
 * derived from it, each with a `RUN sleep 2` step.
 *
 *   full build: `nx run-many -t docker-build` (our task graph: base, then the four in parallel),
 *               and the same with `--batch` (all tasks in one process)
 *               against the same five `docker build`s one after another (the original tool's way)
 *   no-op:      the same `nx run-many` again (nothing changed) against running each plain
 *               `docker build` again (what an uncached target such as @nx/docker's does)
 *
 *   node --import tsx bench/build.ts [rounds=3] [parallel=4] [docker-client]
 *   BENCH_CONTEXT_MB=64 node --import tsx bench/build.ts …   derived images also COPY a src/ of that size
 *
 * With a docker client path (e.g. /usr/bin/docker, Debian's 20.10 CLI), both contenders use
 * it, with BuildKit (DOCKER_BUILDKIT=1 for the plain builds; ours detects it).
 * Nx runs both without its daemon (as in CI) and with it (the default on a workstation).
 * Needs dist/ (it runs scripts/build.mjs) and a Docker engine (started when none answers).
 * Each full build starts from a fresh nonce.txt that the base copies, so both contenders
 * build all five images for real, never from a layer cache the other one filled.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureEngine, REPO_ROOT, removeImages } from '../e2e/helpers/engine';
import { createWorkspace, output, projectJson, type TestWorkspace } from '../e2e/helpers/workspace';

const ROUNDS = Number(process.argv[2] ?? 3);
const PARALLEL = Number(process.argv[3] ?? 4);
const DERIVED = ['api', 'worker', 'dev', 'notebook'];
const CLIENT = process.argv[4];
const TAG = `bench${Date.now().toString(36)}`;

/** A project whose derived images copy its sources (random bytes, so nothing compresses them away). */
const CONTEXT_MB = Number(process.env['BENCH_CONTEXT_MB'] ?? 0);
const copySources = CONTEXT_MB > 0 ? 'COPY src/ /app/src/\n' : '';
const derivedDockerfile = (name: string) => `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\n${copySources}RUN sleep 2 && echo ${name} > /${name}.txt\n`;

function writeSources(ws: TestWorkspace): void {
  const dir = join(ws.root, 'apps/shop/src');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 8; i++) writeFileSync(join(dir, `module-${i}.bin`), randomBytes((CONTEXT_MB * 1024 * 1024) / 8));
}

function workspaceFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'apps/shop/project.json': projectJson('shop'),
    'apps/shop/requirements.txt': 'requests==2.32.0\n',
    'apps/shop/nonce.txt': 'warm-up\n',
    'apps/shop/docker/base/Dockerfile':
      'FROM dockconv-busybox:latest\nCOPY requirements.txt nonce.txt /opt/\nRUN sleep 2 && cat /opt/nonce.txt > /base.txt\n',
  };
  for (const name of DERIVED) files[`apps/shop/docker/${name}/Dockerfile`] = derivedDockerfile(name);
  return files;
}

function seconds(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

let daemon = false;

function nxBuild(ws: TestWorkspace, batch = false): void {
  const env = { DOCKCONV_TAG: TAG, NX_DAEMON: String(daemon), ...(CLIENT ? { DOCKCONV_DOCKER: CLIENT } : {}) };
  const result = ws.nx(['run-many', '-t', 'docker-build', `--parallel=${PARALLEL}`, ...(batch ? ['--batch'] : [])], { env });
  if (result.status !== 0) throw new Error(output(result));
}

/** The five builds one after another with the plain CLI, as the original tool ran them. */
function plainBuilds(ws: TestWorkspace): void {
  const root = join(ws.root, 'apps/shop');
  const build = (image: string, extra: string[]) =>
    execFileSync(CLIENT ?? 'docker', ['build', '-q', '-f', `docker/${image}/Dockerfile`, '-t', `plain-${image}:${TAG}`, ...extra, '.'], {
      cwd: root,
      env: CLIENT ? { ...process.env, DOCKER_BUILDKIT: '1' } : process.env,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
  build('base', []);
  for (const name of DERIVED) build(name, ['--build-arg', `BASE_IMAGE=plain-base:${TAG}`]);
}

interface Figures {
  oursFull: number[];
  batchFull: number[];
  plainFull: number[];
  oursNoop: number[];
  batchNoop: number[];
  plainNoop: number[];
}

function round(ws: TestWorkspace, i: number, figures: Figures): void {
  ws.write('apps/shop/nonce.txt', `${TAG} ${i} ours\n`);
  figures.oursFull.push(seconds(() => nxBuild(ws)));
  figures.oursNoop.push(seconds(() => nxBuild(ws)));
  ws.write('apps/shop/nonce.txt', `${TAG} ${i} batch\n`);
  figures.batchFull.push(seconds(() => nxBuild(ws, true)));
  figures.batchNoop.push(seconds(() => nxBuild(ws, true)));
  ws.write('apps/shop/nonce.txt', `${TAG} ${i} plain\n`);
  figures.plainFull.push(seconds(() => plainBuilds(ws)));
  figures.plainNoop.push(seconds(() => plainBuilds(ws)));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function report(f: Figures): void {
  const row = (label: string, xs: number[]) => console.log(`${label.padEnd(58)} ${median(xs).toFixed(2).padStart(7)} s   (${xs.map((x) => x.toFixed(2)).join(', ')})`);
  const context = CONTEXT_MB > 0 ? `, derived images COPY a ${CONTEXT_MB} MB src/` : '';
  console.log(`\nNX_DAEMON=${daemon}, client ${CLIENT ?? 'docker on PATH'}: median of ${ROUNDS} rounds, 1 base + ${DERIVED.length} derived, each RUN sleep 2${context}, nx --parallel=${PARALLEL}`);
  row('full: nx run-many -t docker-build (ours)', f.oursFull);
  row('full: nx run-many -t docker-build --batch (ours)', f.batchFull);
  row('full: 5 x docker build, one after another', f.plainFull);
  row('no-op: nx run-many -t docker-build again (ours)', f.oursNoop);
  row('no-op: nx run-many -t docker-build --batch again (ours)', f.batchNoop);
  row('no-op: 5 x docker build again (layer cache)', f.plainNoop);
  const ratio = (plain: number[], ours: number[]) => (median(plain) / median(ours)).toFixed(2);
  console.log(`\nfull build: ours is ${ratio(f.plainFull, f.oursFull)}x faster, ${ratio(f.plainFull, f.batchFull)}x with --batch (goal >= 2x)`);
  console.log(`no-op:      ours is ${ratio(f.plainNoop, f.oursNoop)}x faster, ${ratio(f.plainNoop, f.batchNoop)}x with --batch (goal >= 10x)`);
}

function main(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
  ensureEngine();
  const ws = createWorkspace(workspaceFiles());
  if (CONTEXT_MB > 0) writeSources(ws);
  try {
    for (const mode of [false, true]) {
      daemon = mode;
      const figures: Figures = { oursFull: [], batchFull: [], plainFull: [], oursNoop: [], batchNoop: [], plainNoop: [] };
      nxBuild(ws); // Nx's first graph computation (and daemon start), for neither contender
      for (let i = 0; i < ROUNDS; i++) round(ws, i + (mode ? ROUNDS : 0), figures);
      report(figures);
    }
  } finally {
    ws.nx(['daemon', '--stop'], { env: { NX_DAEMON: 'true' } });
    removeImages(['base', ...DERIVED].flatMap((n) => [`shop-${n}:${TAG}`, `plain-${n}:${TAG}`]));
    ws.remove();
  }
}

main();
