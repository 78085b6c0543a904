/**
 * bench/inference: what graph inference costs. Generates a workspace of 200 projects × 5
 * images and times `nx show projects` side by side in one run:
 *   none      — no plugin at all (Nx's own project detection only)
 *   empty     — a plugin with our glob that infers nothing: the fixed price of any plugin
 *               (Nx starts a worker process per plugin), so what remains is our own work
 *   dockconv  — with @dockconv/nx
 *   nx-docker — with Nx's own @nx/docker inference on the same Dockerfiles
 * @nx/docker makes each Dockerfile's folder a project and needs it named, so the comparison
 * with it runs on a second copy where every docker/<image>/ also holds a project.json (same
 * Dockerfiles, same files for both plugins).
 * "cold" clears Nx's workspace data (inference caches) before every run; "warm" keeps it.
 * The daemon is off so every run computes the graph. Run: node --import tsx bench/inference.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = join(__dirname, '..');
const PROJECTS = Number(process.env['BENCH_PROJECTS'] ?? 200);
const IMAGES = ['base', 'dev', 'test', 'notebook', 'prod'];
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const NX_VERSION = (JSON.parse(readFileSync(join(REPO, 'node_modules/nx/package.json'), 'utf8')) as { version: string }).version;
const NX_DOCKER_VERSION = process.env['BENCH_NX_DOCKER'] ?? '23.2.1';

function packPlugin(): string {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { stdio: 'inherit' });
  const out = join(REPO, 'tmp');
  mkdirSync(out, { recursive: true });
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: REPO, encoding: 'utf8' }).trim().split('\n').at(-1);
  return join(out, name ?? '');
}

function install(tarball: string): string {
  const key = createHash('sha1').update(readFileSync(tarball)).update(NX_VERSION + NX_DOCKER_VERSION).digest('hex').slice(0, 10);
  const dir = join(tmpdir(), `dockconv-bench-inference-${key}`);
  if (!existsSync(join(dir, 'node_modules/@nx/docker'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"bench","private":true}');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', `nx@${NX_VERSION}`, `@nx/docker@${NX_DOCKER_VERSION}`, tarball], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return dir;
}

function generate(dir: string, nameImageFolders: boolean): void {
  writeFileSync(join(dir, 'empty-plugin.js'), "exports.createNodes = ['**/docker/{*/Dockerfile,run.cfg,dockerutils.cfg}', () => []];\n");
  rmSync(join(dir, 'apps'), { recursive: true, force: true });
  rmSync(join(dir, '.nx'), { recursive: true, force: true });
  for (let p = 0; p < PROJECTS; p++) {
    const root = join(dir, 'apps', `app${p}`);
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'project.json'), JSON.stringify({ name: `app${p}` }));
    writeFileSync(join(root, 'requirements.txt'), 'requests\n');
    for (const image of IMAGES) {
      mkdirSync(join(root, 'docker', image), { recursive: true });
      const from = image === 'base' ? 'FROM python:3.12-slim\nCOPY requirements.txt /tmp/\nRUN pip install -r /tmp/requirements.txt' : 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY src/ /app/src/';
      writeFileSync(join(root, 'docker', image, 'Dockerfile'), `${from}\nWORKDIR /app\nCMD ["python"]\n`);
      if (nameImageFolders) writeFileSync(join(root, 'docker', image, 'project.json'), JSON.stringify({ name: `app${p}-${image}` }));
    }
    writeFileSync(join(root, 'docker', 'run.cfg'), '[dev]\nvolumes = -v {project_root}:{workdir}\ninteractive = -it\n\n[notebook]\nports = -p 8888:8888\n');
  }
}

type Variant = 'none' | 'empty' | 'dockconv' | 'nx-docker';
const PLUGINS: Record<Variant, unknown[]> = { none: [], empty: ['./empty-plugin.js'], dockconv: ['@dockconv/nx'], 'nx-docker': ['@nx/docker'] };

function timeOnce(dir: string, variant: Variant, cold: boolean): number {
  writeFileSync(join(dir, 'nx.json'), JSON.stringify({ plugins: PLUGINS[variant] }));
  if (cold) rmSync(join(dir, '.nx'), { recursive: true, force: true });
  const start = process.hrtime.bigint();
  const result = spawnSync(join(dir, 'node_modules/.bin/nx'), ['show', 'projects'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${variant}: nx show projects failed\n${result.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function compare(dir: string, variants: Variant[], cold: boolean): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v, []]));
  for (const v of variants) timeOnce(dir, v, cold); // warm the OS file cache first
  for (let i = 0; i < RUNS; i++) for (const v of variants) times[v]?.push(timeOnce(dir, v, cold));
  return Object.fromEntries(variants.map((v) => [v, median(times[v] ?? [])]));
}

function report(title: string, m: Record<string, number>, ratios: [string, string, string][]): void {
  console.log(`\n${title}`);
  for (const [v, ms] of Object.entries(m)) console.log(`  ${v.padEnd(10)} ${ms.toFixed(0).padStart(6)} ms`);
  for (const [a, b, goal] of ratios) console.log(`  ${a} / ${b} = ${((m[a] ?? NaN) / (m[b] ?? NaN)).toFixed(2)}  (${goal})`);
}

function main(): void {
  const dir = install(packPlugin());
  const shape = `${PROJECTS} projects × ${IMAGES.length} images, median of ${RUNS}`;
  generate(dir, false);
  for (const cold of [true, false]) {
    report(`${cold ? 'cold' : 'warm'}: nx show projects, ${shape}`, compare(dir, ['none', 'empty', 'dockconv'], cold), [
      ['dockconv', 'none', 'goal < 1.15'],
      ['empty', 'none', 'any plugin at all'],
      ['dockconv', 'empty', 'our own work'],
    ]);
  }
  generate(dir, true);
  for (const cold of [true, false]) {
    report(`${cold ? 'cold' : 'warm'}: same Dockerfiles, image folders named for @nx/docker, ${shape}`, compare(dir, ['dockconv', 'nx-docker'], cold), [['dockconv', 'nx-docker', 'goal ≤ 1.00']]);
  }
}

main();
