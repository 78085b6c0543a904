/**
 * What cache truth costs at scale, side by side in one run: a generated workspace of P projects
 * × I tiny images (a base FROM the busybox stand-in, I-1 images derived from it), built once.
 *
 *   no-op:      `nx run-many -t docker-build` with nothing changed, against Nx's own floor: the
 *               same workspace and task graph with every docker-build target replaced by a
 *               cacheable `nx:noop` target with the same dependsOn (what Nx costs for that many
 *               cached tasks with no plugin work); and the same floor with an empty inference
 *               plugin registered (our glob, infers nothing): the price Nx puts on any plugin;
 *               and that plugin with a preTasksExecution hook that does nothing: the price of
 *               having the hook
 *   first run: the same run-many right after the full build (every task must be replayed)
 *   one change: one derived image's Dockerfile edited, `nx affected -t docker-build` (exactly one
 *               `docker build`), against the floor's affected run plus that one plain
 *               `docker build` timed alone
 *
 *   node --import tsx bench/noop.ts [projects=100] [images=5] [rounds=3]
 *
 * Both daemon off (as in CI) and on. Needs dist/ (it runs scripts/build.mjs) and an engine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { docker, ensureEngine, REPO_ROOT, removeImages } from '../e2e/helpers/engine';
import { createWorkspace, output, projectJson, type TestWorkspace } from '../e2e/helpers/workspace';

const PROJECTS = Number(process.argv[2] ?? 100);
const IMAGES = Number(process.argv[3] ?? 5);
const ROUNDS = Number(process.argv[4] ?? 3);
const TAG = `noop${Date.now().toString(36)}`;

function workspaceFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let p = 0; p < PROJECTS; p++) {
    files[`libs/p${p}/project.json`] = projectJson(`p${p}`);
    files[`libs/p${p}/docker/base/Dockerfile`] = `FROM dockconv-busybox:latest\nLABEL bench=p${p}\n`;
    for (let i = 1; i < IMAGES; i++) files[`libs/p${p}/docker/d${i}/Dockerfile`] = derived(i, 'one');
  }
  return files;
}

const derived = (i: number, text: string) => `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nLABEL bench.image=d${i} bench.text=${text}\n`;

/**
 * The floor: the same projects and task graph as our plugin infers (one task per image, derived
 * after base, an aggregate per project), but every target a cacheable nx:noop, and no plugin.
 */
function floorFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let p = 0; p < PROJECTS; p++) {
    const targets: Record<string, unknown> = { 'docker-build-base': { executor: 'nx:noop', cache: true, inputs: ['{projectRoot}/docker/base/**/*'] } };
    for (let i = 1; i < IMAGES; i++) {
      targets[`docker-build-d${i}`] = { executor: 'nx:noop', cache: true, dependsOn: ['docker-build-base'], inputs: [`{projectRoot}/docker/d${i}/**/*`] };
    }
    targets['docker-build'] = { executor: 'nx:noop', cache: true, dependsOn: Object.keys(targets), inputs: ['{projectRoot}/docker/**/*'] };
    files[`libs/p${p}/project.json`] = JSON.stringify({ name: `p${p}`, targets }, null, 2);
    files[`libs/p${p}/docker/base/Dockerfile`] = `FROM dockconv-busybox:latest\nLABEL bench=p${p}\n`;
    for (let i = 1; i < IMAGES; i++) files[`libs/p${p}/docker/d${i}/Dockerfile`] = derived(i, 'one');
  }
  return files;
}

function timed(ws: TestWorkspace, args: string[], daemon: boolean): number {
  const t0 = performance.now();
  const result = ws.nx([...args, '--output-style=static'], { env: { NX_DAEMON: String(daemon), DOCKCONV_TAG: TAG } });
  const elapsed = (performance.now() - t0) / 1000;
  if (result.status !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${output(result)}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** One edit to p0's first derived image, committed afterwards so the next round starts clean. */
function editOne(ws: TestWorkspace, round: number): void {
  ws.write('libs/p0/docker/d1/Dockerfile', derived(1, `round${round}`));
}

function commit(ws: TestWorkspace, message: string): void {
  ws.git(['add', '-A']);
  ws.git(['commit', '-qm', message]);
}

/**
 * One plain `docker build` of the edited image: what the one-change run cannot do without. Its
 * Dockerfile lives outside the workspace: a file under docker/d1/ would be an input of that
 * image's task and turn the next round's no-op into a run with a change.
 */
function plainBuild(ws: TestWorkspace, round: number): number {
  const dockerfile = join(mkdtempSync(join(tmpdir(), 'dockconv-bench-plain-')), 'Dockerfile');
  writeFileSync(dockerfile, derived(1, `plain${round}`));
  const t0 = performance.now();
  docker(['build', '-q', '--build-arg', `BASE_IMAGE=p0-base:${TAG}`, '-t', `p0-d1-plain:${TAG}`, '-f', dockerfile, join(ws.root, 'libs/p0')]);
  const elapsed = (performance.now() - t0) / 1000;
  rmSync(dirname(dockerfile), { recursive: true, force: true });
  return elapsed;
}

function main(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
  ensureEngine();
  const ours = createWorkspace(workspaceFiles(), { git: true });
  const floor = createWorkspace(floorFiles(), { git: true, plugins: [] });
  const withPlugin = createWorkspace(floorFiles(), { git: true, plugins: ['./empty-plugin.js'] });
  withPlugin.write('empty-plugin.js', "exports.createNodes = ['**/docker/{*/Dockerfile,run.cfg,dockerutils.cfg}', () => []];\n");
  commit(withPlugin, 'empty plugin');
  // The same empty plugin with a preTasksExecution hook that does nothing: what Nx charges a
  // plugin for having the hook (with the daemon on, a plugin worker started for it per command).
  const withHook = createWorkspace(floorFiles(), { git: true, plugins: ['./empty-plugin.js'] });
  withHook.write('empty-plugin.js', "exports.createNodes = ['**/docker/{*/Dockerfile,run.cfg,dockerutils.cfg}', () => []];\nexports.preTasksExecution = async () => ({});\n");
  commit(withHook, 'empty plugin with a hook');
  const rows: Record<string, number[]> = {};
  const add = (name: string, value: number) => (rows[name] ??= []).push(value);
  try {
    console.log(`${PROJECTS} projects × ${IMAGES} images; first build…`);
    const first = timed(ours, ['run-many', '-t', 'docker-build'], false);
    console.log(`first build: ${first.toFixed(1)} s`);
    timed(floor, ['run-many', '-t', 'docker-build'], false);
    timed(withPlugin, ['run-many', '-t', 'docker-build'], false);
    timed(withHook, ['run-many', '-t', 'docker-build'], false);
    for (const daemon of [false, true]) {
      const mode = daemon ? 'daemon on' : 'daemon off';
      // The first run after the full build (daemon off), or after daemon off's rounds: warms the daemon.
      const warm = timed(ours, ['run-many', '-t', 'docker-build'], daemon);
      if (!daemon) add('first run after the build, ours (daemon off)', warm);
      timed(floor, ['run-many', '-t', 'docker-build'], daemon);
      timed(withPlugin, ['run-many', '-t', 'docker-build'], daemon);
      timed(withHook, ['run-many', '-t', 'docker-build'], daemon);
      for (let r = 0; r < ROUNDS; r++) {
        add(`no-op, ours (${mode})`, timed(ours, ['run-many', '-t', 'docker-build'], daemon));
        add(`no-op, floor (${mode})`, timed(floor, ['run-many', '-t', 'docker-build'], daemon));
        add(`no-op, floor + empty plugin (${mode})`, timed(withPlugin, ['run-many', '-t', 'docker-build'], daemon));
        add(`no-op, floor + empty plugin with hook (${mode})`, timed(withHook, ['run-many', '-t', 'docker-build'], daemon));
        const round = (daemon ? 100 : 0) + r;
        editOne(ours, round);
        add(`one change, ours (${mode})`, timed(ours, ['affected', '-t', 'docker-build', '--base=HEAD'], daemon));
        commit(ours, `round ${round}`);
        editOne(floor, round);
        add(`one change, floor (${mode})`, timed(floor, ['affected', '-t', 'docker-build', '--base=HEAD'], daemon));
        commit(floor, `round ${round}`);
        add(`one plain docker build`, plainBuild(ours, round));
      }
    }
    report(rows);
  } finally {
    for (const ws of [ours, floor, withPlugin, withHook]) {
      try {
        execFileSync(join(ws.root, 'node_modules/.bin/nx'), ['daemon', '--stop'], { cwd: ws.root, stdio: 'ignore' });
      } catch {
        // no daemon
      }
    }
    const images = Object.keys(workspaceFiles())
      .filter((f) => f.endsWith('Dockerfile'))
      .map((f) => f.split('/'))
      .map(([, project, , image]) => `${project}-${image}:${TAG}`);
    removeImages([...images, `p0-d1-plain:${TAG}`]);
    ours.remove();
    floor.remove();
    withPlugin.remove();
    withHook.remove();
  }
}

function report(rows: Record<string, number[]>): void {
  const m = (name: string) => median(rows[name] ?? []);
  console.log(`\nmedians of ${ROUNDS} rounds (seconds):`);
  for (const name of Object.keys(rows)) console.log(`  ${name.padEnd(34)} ${m(name).toFixed(2)}`);
  for (const mode of ['daemon off', 'daemon on']) {
    const noop = m(`no-op, ours (${mode})`) / m(`no-op, floor (${mode})`);
    const overPlugin = m(`no-op, ours (${mode})`) / m(`no-op, floor + empty plugin (${mode})`);
    const overHook = m(`no-op, ours (${mode})`) / m(`no-op, floor + empty plugin with hook (${mode})`);
    const budget = m(`one change, floor (${mode})`) + m('one plain docker build') + 1;
    console.log(`  ${mode}: no-op ${noop.toFixed(2)}× the floor (goal ≤ 1.3×), ${overPlugin.toFixed(2)}× the floor with an empty plugin, ${overHook.toFixed(2)}× with an empty plugin and hook; one change ${m(`one change, ours (${mode})`).toFixed(2)} s against floor + build + 1 s = ${budget.toFixed(2)} s`);
  }
}

main();
