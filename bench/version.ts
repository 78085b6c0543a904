/**
 * gen-version speed, side by side on one repository: our library in-process, our `genversion`
 * command as a node process (compiled with tsc into a temp folder, as dist/ would hold it; it
 * writes `_version.py.bld`), and real versioneer
 * (`/usr/bin/python3 -c 'import versioneer; versioneer.get_versions()'`).
 *
 *   node --import tsx bench/version.ts [iterations=30] [commits=500]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getVersions, readVersioneerConfig } from '../src/lib/version';

const N = Number(process.argv[2] ?? 30);
const COMMITS = Number(process.argv[3] ?? 500);
const PYTHON = '/usr/bin/python3';
const repoRoot = resolve(__dirname, '..');

function makeRepo(dir: string): void {
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'setup.py'), 'import versioneer\n');
  mkdirSync(join(dir, 'docker', 'base'), { recursive: true });
  writeFileSync(join(dir, 'docker', 'base', 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(dir, 'setup.cfg'), '[versioneer]\nVCS = git\nstyle = pep440\nversionfile_source = pkg/_version.py\ntag_prefix = v\n');
  git('init', '-q', '-b', 'master');
  git('add', '.');
  git('commit', '-q', '-m', 'setup');
  git('tag', 'v1.0');
  // Fast history: empty commits.
  for (let i = 0; i < COMMITS; i++) git('commit', '-q', '--allow-empty', '-m', `c${i}`);
  writeFileSync(join(dir, 'setup.py'), 'import versioneer  # dirty\n');
}

async function time(label: string, fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  const ms = (performance.now() - t0) / N;
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms/call`);
  return ms;
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'dockconv-bench-'));
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'B', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'B', GIT_COMMITTER_EMAIL: 'b@b' };
  Object.assign(process.env, env);
  try {
    const repo = join(base, 'repo');
    makeRepo(repo);
    // Inside node_modules so that the compiled code resolves execa as dist/ would.
    const out = join(repoRoot, 'node_modules', '.dockconv-bench');
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), join(repoRoot, 'src/cli/genversion.ts'),
      '--outDir', out, '--rootDir', join(repoRoot, 'src'), '--module', 'node16', '--moduleResolution', 'node16', '--target', 'ES2022', '--types', 'node', '--skipLibCheck']);
    const cli = join(out, 'cli/genversion.js');
    const config = await readVersioneerConfig(repo);
    if (!config) throw new Error('bench repo lacks versioneer config');

    const ours = await getVersions(repo, config);
    const theirs = execFileSync(PYTHON, ['-c', 'import json, versioneer; print(json.dumps(versioneer.get_versions()))'], { cwd: repo, encoding: 'utf8' });
    console.log(`repo: ${COMMITS + 1} commits, tag v1.0, dirty; ${N} iterations each; version ${ours.version}`);
    const same = JSON.stringify(ours) === JSON.stringify(JSON.parse(theirs));
    console.log(`same dict as versioneer: ${same}`);
    if (!same) throw new Error(`differs: ours ${JSON.stringify(ours)}, versioneer ${theirs}`);

    const lib = await time('library in-process (getVersions)', () => getVersions(repo, config));
    const proc = await time('CLI process (genversion)', () =>
      execFileSync(process.execPath, [cli], { cwd: repo, stdio: 'ignore' }));
    const py = await time("python3 -c 'versioneer.get_versions()'", () =>
      execFileSync(PYTHON, ['-c', 'import versioneer; versioneer.get_versions()'], { cwd: repo, stdio: 'ignore' }));
    console.log(`ratio versioneer / library: ${(py / lib).toFixed(2)}x; versioneer / CLI process: ${(py / proc).toFixed(2)}x`);
  } finally {
    rmSync(base, { recursive: true, force: true });
    rmSync(join(repoRoot, 'node_modules', '.dockconv-bench'), { recursive: true, force: true });
  }
}

void main();
