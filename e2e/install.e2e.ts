/**
 * Installing and upgrading as an Nx user does, against a real npm registry on loopback
 * (verdaccio): the packed package published there as two releases, then `nx add`, `npm install`
 * + `nx g …:init`, the installed command-line tools, and `nx migrate` from the previous release
 * to this one. No Docker engine is needed: nothing here builds an image.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './helpers/engine';
import { packageAtVersion, startNpmRegistry, type NpmRegistry } from './helpers/npm-registry';
import { e2eEnv, openWorkspace, output, packPlugin, type TestWorkspace } from './helpers/workspace';

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
const NX_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/nx/package.json'), 'utf8')) as { version: string }).version;
const CURRENT = manifest.version;
/** The release before this one: the brace rule it read run.cfg with is what the migration converts. */
const PREVIOUS = '0.1.0';

const RUN_CFG_BEFORE = [
  '# written for the previous release',
  '[dev]',
  "cmd = sh -c 'echo {nosuch} at {project}'",
  'volumes = -v {home}/data:/data',
  'environment = -e WHO={user}',
  '  -e FORMAT={{.Names}}',
  '',
].join('\n');
const RUN_CFG_AFTER = [
  '# written for the previous release',
  '[dev]',
  "cmd = sh -c 'echo {{nosuch}} at {project}'",
  'volumes = -v {home}/data:/data',
  'environment = -e WHO={user}',
  '  -e FORMAT={{{{.Names}}}}',
  '',
].join('\n');

function npm(cwd: string, args: string[]): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, encoding: 'utf8', env: e2eEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
}

function nxOk(ws: TestWorkspace, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const result = ws.nx(args, { env });
  assert.equal(result.status, 0, output(result));
  return output(result);
}

describe('installing and upgrading through a real npm registry', () => {
  let registry: NpmRegistry;
  /** A workspace with only nx installed (from the registry), copied for each case. */
  let seed: string;
  const made: string[] = [];

  const workspace = (): TestWorkspace => {
    const root = mkdtempSync(join(tmpdir(), 'dockconv-install-'));
    cpSync(seed, root, { recursive: true, verbatimSymlinks: true });
    made.push(root);
    return openWorkspace(root);
  };

  before(async () => {
    registry = await startNpmRegistry();
    const tarball = packPlugin();
    const previous = packageAtVersion(tarball, PREVIOUS);
    registry.publish(previous);
    rmSync(dirname(previous), { recursive: true, force: true });
    registry.publish(tarball);
    seed = mkdtempSync(join(tmpdir(), 'dockconv-install-seed-'));
    writeFileSync(join(seed, '.npmrc'), registry.npmrc);
    writeFileSync(join(seed, 'package.json'), JSON.stringify({ name: 'ws', private: true }, null, 2));
    writeFileSync(join(seed, 'nx.json'), JSON.stringify({ defaultBase: 'main' }, null, 2));
    npm(seed, ['install', '-D', `nx@${NX_VERSION}`]);
    const ws = openWorkspace(seed);
    ws.write('apps/api/project.json', JSON.stringify({ name: 'api', root: 'apps/api' }));
    ws.write('apps/api/docker/base/Dockerfile', 'FROM debian:12\n');
    ws.write('apps/api/docker/dev/Dockerfile', 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n');
    ws.write('apps/web/project.json', JSON.stringify({ name: 'web', root: 'apps/web' }));
  });
  after(async () => {
    for (const dir of [...made, seed]) if (dir) rmSync(dir, { recursive: true, force: true });
    await registry?.close();
  });

  it('the published package holds the plugin, its docs and migrations, and none of the tests or scripts', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' })) as [{ files: { path: string }[] }];
    const files = pack.files.map((f) => f.path);
    for (const needed of ['package.json', 'README.md', 'executors.json', 'generators.json', 'migrations.json', 'dist/index.js', 'docs/run-cfg.md']) {
      assert.ok(files.includes(needed), `${needed} missing from the package`);
    }
    for (const bin of Object.values(manifest.bin)) assert.ok(files.includes(bin), `${bin} missing`);
    const strays = files.filter((f) => /\.spec\.|^e2e\/|^bench\/|^scripts\/|^src\/|^examples\/|^\.ci\/|dist\/testing\//.test(f));
    assert.deepEqual(strays, []);
  });

  it('nx add installs the package from the registry, runs init, and the targets appear', () => {
    const ws = workspace();
    const out = nxOk(ws, ['add', `@dockconv/nx@${CURRENT}`, '--verbose']);
    const pkg = JSON.parse(ws.read('package.json')) as { devDependencies?: Record<string, string> };
    assert.ok(pkg.devDependencies?.['@dockconv/nx'], `not in devDependencies: ${out}`);
    const installed = JSON.parse(ws.read('node_modules/@dockconv/nx/package.json')) as { version: string };
    assert.equal(installed.version, CURRENT);
    assert.deepEqual((JSON.parse(ws.read('nx.json')) as { plugins?: unknown[] }).plugins, ['@dockconv/nx']);
    const project = JSON.parse(nxOk(ws, ['show', 'project', 'api', '--json'])) as { targets: Record<string, unknown> };
    for (const target of ['docker-build', 'docker-build-base', 'docker-build-dev', 'docker-run']) assert.ok(project.targets[target], `${target} missing`);
  });

  it('npm install -D, then nx g init --project: registered, the project scaffolded, its targets inferred', () => {
    const ws = workspace();
    npm(ws.root, ['install', '-D', `@dockconv/nx@${CURRENT}`]);
    nxOk(ws, ['g', '@dockconv/nx:init', '--project=web', '--baseImage=debian:12']);
    assert.deepEqual((JSON.parse(ws.read('nx.json')) as { plugins?: unknown[] }).plugins, ['@dockconv/nx']);
    assert.match(ws.read('apps/web/docker/base/Dockerfile'), /^FROM debian:12/m);
    assert.ok(ws.exists('apps/web/docker/run.cfg'));
    const project = JSON.parse(nxOk(ws, ['show', 'project', 'web', '--json'])) as { targets: Record<string, unknown> };
    assert.ok(project.targets['docker-build-base']);
    // The installed command-line tools run from node_modules/.bin.
    for (const bin of Object.keys(manifest.bin)) {
      const result = spawnSync(join(ws.root, 'node_modules/.bin', bin), ['--help'], { cwd: ws.root, encoding: 'utf8', env: e2eEnv() });
      assert.equal(result.status, 0, `${bin} --help: ${result.stdout}${result.stderr}`);
      assert.match(result.stdout + result.stderr, new RegExp(`\\b${bin}\\b`), `${bin} --help names itself`);
    }
  });

  it(`nx migrate from ${PREVIOUS}: the migration rewrites exactly the run.cfg lines whose braces the new rule reads differently`, () => {
    const ws = workspace();
    npm(ws.root, ['install', '-D', `@dockconv/nx@${PREVIOUS}`]);
    ws.write('nx.json', JSON.stringify({ defaultBase: 'main', plugins: ['@dockconv/nx'] }, null, 2));
    ws.write('apps/api/docker/run.cfg', RUN_CFG_BEFORE);
    // `nx migrate` first fetches nx@latest to run from, checking its npm provenance, which a
    // registry mirror such as verdaccio does not pass on: run the workspace's own nx instead.
    const migrate = nxOk(ws, ['migrate', `@dockconv/nx@${CURRENT}`], { NX_MIGRATE_USE_LOCAL: 'true' });
    const pkg = JSON.parse(ws.read('package.json')) as { devDependencies: Record<string, string> };
    assert.equal(pkg.devDependencies['@dockconv/nx'], CURRENT, migrate);
    const planned = JSON.parse(ws.read('migrations.json')) as { migrations: { package: string; name: string; version: string }[] };
    assert.deepEqual(planned.migrations.filter((m) => m.package === '@dockconv/nx').map((m) => m.version), [CURRENT]);
    npm(ws.root, ['install']);
    nxOk(ws, ['migrate', '--run-migrations'], { NX_MIGRATE_USE_LOCAL: 'true' });
    assert.equal(ws.read('apps/api/docker/run.cfg'), RUN_CFG_AFTER);
    // What the container would get: the literal the previous release passed on.
    const run = nxOk(ws, ['run', 'api:docker-run:dev', '--dryRun']);
    assert.match(run, /echo \{nosuch\} at api/);
    assert.match(run, /FORMAT=\{\{\.Names\}\}/);
  });
});
