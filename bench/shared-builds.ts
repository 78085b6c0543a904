/**
 * Builds shared between machines, side by side in one run: machine A (the engine at
 * DOCKER_HOST) has built a workspace of P projects × I images and shared them through a local
 * registry; machine B (a second engine, DOCKCONV_ENGINE2_KIND as in the e2e tests) then runs
 * `nx run-many -t docker-build` in its own clone
 *
 *   shared:  with the registry: B pulls every image A built
 *   scratch: sharing off (`--sharedRegistry=none`): B builds every image itself
 *   present: every image already on B (the tasks run and find them up to date): the floor of
 *            Nx and the plugin under both, so shared − present is what pulling costs
 *
 * B's engine is emptied (images and BuildKit's cache, but for the busybox stand-in base) before
 * each run. Each image does some real work (hashing BENCH_WORK_MB of random data, default 64)
 * and adds a 4 MB layer; the steps name the run, so no run profits from an earlier one's cache.
 *
 *   node --import tsx bench/shared-builds.ts [projects=2] [images=4] [rounds=3]
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { docker, ensureEngine, REPO_ROOT, removeImages } from '../e2e/helpers/engine';
import { startRegistry } from '../e2e/helpers/registry';
import { startSecondEngine } from '../e2e/helpers/second-engine';
import { cloneWorkspace, createWorkspace, output, projectJson, type TestWorkspace } from '../e2e/helpers/workspace';

const PROJECTS = Number(process.argv[2] ?? 2);
const IMAGES = Number(process.argv[3] ?? 4);
const ROUNDS = Number(process.argv[4] ?? 3);
const TAG = `share${Date.now().toString(36)}`;
const WORK_MB = Number(process.env['BENCH_WORK_MB'] ?? 64);
// The tag makes every run's steps new: no layer cache from an earlier run on either engine.
const WORK = `RUN echo ${TAG} && head -c ${WORK_MB * 1000000} /dev/urandom | md5sum > /work.txt && head -c 4000000 /dev/urandom > /blob`;

function workspaceFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let p = 0; p < PROJECTS; p++) {
    files[`libs/p${p}/project.json`] = projectJson(`p${p}`);
    files[`libs/p${p}/docker/base/Dockerfile`] = `FROM dockconv-busybox:latest\n${WORK}\n`;
    for (let i = 1; i < IMAGES; i++) files[`libs/p${p}/docker/d${i}/Dockerfile`] = `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\n${WORK}\n`;
  }
  return files;
}

function timed(ws: TestWorkspace, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const result = ws.nx([...args, '--output-style=static', '--skip-nx-cache'], { env });
  if (result.status !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${output(result)}`);
  return (performance.now() - t0) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function main(): Promise<void> {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
  ensureEngine();
  const registry = await startRegistry();
  const machineB = await startSecondEngine();
  const busybox = `/tmp/dockconv-bench-busybox-${process.pid}.tar`;
  docker(['save', '-o', busybox, 'dockconv-busybox:latest']);
  const a = createWorkspace(workspaceFiles(), { git: true, plugins: [{ plugin: '@dockconv/nx', options: { tag: TAG, sharedRegistry: registry.address } }] });
  const b = cloneWorkspace(a);
  const onB = { DOCKER_HOST: machineB.host };
  const emptyB = () => {
    machineB.clear();
    machineB.docker(['load', '-i', busybox]);
  };
  try {
    console.log(`${PROJECTS} projects × ${IMAGES} images; machine A builds and shares…`);
    console.log(`A: ${timed(a, ['run-many', '-t', 'docker-build'], {}).toFixed(1)} s`);
    const shared: number[] = [];
    const scratch: number[] = [];
    const present: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      emptyB();
      shared.push(timed(b, ['run-many', '-t', 'docker-build'], onB));
      present.push(timed(b, ['run-many', '-t', 'docker-build'], onB));
      emptyB();
      scratch.push(timed(b, ['run-many', '-t', 'docker-build', '--sharedRegistry=none'], onB));
    }
    const row = (label: string, values: number[]) => console.log(`  ${label.padEnd(28)} ${median(values).toFixed(2)} s   [${values.map((x) => x.toFixed(2)).join(', ')}]`);
    console.log(`\nmachine B, run-many after A (median of ${ROUNDS}; ${WORK_MB} MB hashed per image):`);
    row('shared through the registry', shared);
    row('building from scratch', scratch);
    row('images already present', present);
    console.log(`  shared / scratch: ${(median(shared) / median(scratch)).toFixed(2)}×; shared / present: ${(median(shared) / median(present)).toFixed(2)}×`);
  } finally {
    machineB.clear();
    await machineB.stop();
    registry.stop();
    removeImages(Object.keys(workspaceFiles()).filter((f) => f.endsWith('Dockerfile')).map((f) => f.split('/')).map(([, p, , i]) => `${p}-${i}:${TAG}`));
    a.remove();
    b.remove();
  }
}

void main();
