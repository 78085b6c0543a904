/**
 * A real Nx workspace in a temp folder with nx and the packed plugin installed. The npm
 * install happens once per package build (a template keyed by the tarball's hash); each test
 * gets a copy whose node_modules is a symlink to the template's.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './engine';

const NX_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/nx/package.json'), 'utf8')) as { version: string }).version;

const templates = new Map<string, string>();

/** Packs the built package (dist/ must be current: `node scripts/test.mjs e2e` builds first). */
export function packPlugin(): string {
  const out = join(tmpdir(), 'dockconv-e2e-pack');
  mkdirSync(out, { recursive: true });
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: REPO_ROOT, encoding: 'utf8' })
    .trim()
    .split('\n')
    .at(-1);
  return join(out, name ?? '');
}

/** A workspace with nx (by default the version this repo develops against), the plugin and any `packages` installed. */
export function workspaceTemplate(nxVersion = NX_VERSION, packages: readonly string[] = []): string {
  const id = [nxVersion, ...packages].join(' ');
  const known = templates.get(id);
  if (known) return known;
  const tarball = packPlugin();
  const hash = createHash('sha1').update(readFileSync(tarball)).update(id).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `dockconv-e2e-template-${hash}`);
  if (!existsSync(dir)) {
    // Install beside and rename into place, so a concurrent run never sees a half-installed template.
    const staging = mkdtempSync(`${dir}.staging-`);
    writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'e2e-ws', private: true }, null, 2));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', `nx@${nxVersion}`, ...packages, tarball], {
      cwd: staging,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      renameSync(staging, dir);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another run got there first
    }
  }
  templates.set(id, dir);
  return dir;
}

export interface TestWorkspace {
  root: string;
  /** Runs `nx …` in the workspace; never throws, so failure paths can be asserted. */
  nx(args: string[], opts?: { env?: NodeJS.ProcessEnv; input?: string }): SpawnSyncReturns<string>;
  write(path: string, content: string): void;
  read(path: string): string;
  exists(path: string): boolean;
  git(args: string[]): string;
  remove(): void;
}

export interface WorkspaceOptions {
  plugins?: unknown[];
  /** Initialise a git repository with one commit (needed for `nx affected`). */
  git?: boolean;
  /** Another nx version than the one this repo develops against (e.g. the previous major). */
  nxVersion?: string;
  /** More nx.json keys (e.g. `release`). */
  nxJson?: Record<string, unknown>;
  /** More npm packages in the workspace (e.g. `@nx/docker@23.2.1`). */
  packages?: string[];
}

export function createWorkspace(files: Record<string, string>, options: WorkspaceOptions = {}): TestWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'dockconv-ws-'));
  const template = workspaceTemplate(options.nxVersion, options.packages);
  symlinkSync(join(template, 'node_modules'), join(root, 'node_modules'), 'dir');
  cpSync(join(template, 'package.json'), join(root, 'package.json'));
  const nxJson = { plugins: options.plugins ?? ['@dockconv/nx'], defaultBase: 'main', ...options.nxJson };
  const all: Record<string, string> = { 'nx.json': JSON.stringify(nxJson, null, 2), '.gitignore': 'node_modules\n.nx\ndist\n', ...files };
  const ws = makeHandle(root);
  for (const [path, content] of Object.entries(all)) ws.write(path, content);
  if (options.git) {
    ws.git(['init', '-q', '-b', 'main']);
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'initial']);
  }
  return ws;
}

/** A second checkout of a git workspace (its committed files only), sharing the installed packages: another machine's clone. */
export function cloneWorkspace(ws: TestWorkspace): TestWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'dockconv-ws-'));
  execFileSync('git', ['clone', '-q', ws.root, root], { env: e2eEnv(), stdio: 'ignore' });
  symlinkSync(realpathSync(join(ws.root, 'node_modules')), join(root, 'node_modules'), 'dir');
  return makeHandle(root);
}

/** The environment e2e commands run with: no daemon, no cloud, no prompts, a fixed tag. */
export function e2eEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_INTERACTIVE: 'false',
    CI: 'true',
    FORCE_COLOR: '0',
    GIT_AUTHOR_NAME: 'e2e',
    GIT_AUTHOR_EMAIL: 'e2e@example.invalid',
    GIT_COMMITTER_NAME: 'e2e',
    GIT_COMMITTER_EMAIL: 'e2e@example.invalid',
    ...extra,
  };
}

/** A handle on a workspace folder made elsewhere (with node_modules of its own). */
export function openWorkspace(root: string): TestWorkspace {
  return makeHandle(root);
}

function makeHandle(root: string): TestWorkspace {
  return {
    root,
    nx(args, opts = {}) {
      return spawnSync(join(root, 'node_modules/.bin/nx'), args, {
        cwd: root,
        encoding: 'utf8',
        env: e2eEnv(opts.env),
        input: opts.input ?? '',
        maxBuffer: 64 * 1024 * 1024,
      });
    },
    write(path, content) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    },
    read: (path) => readFileSync(join(root, path), 'utf8'),
    exists: (path) => existsSync(join(root, path)),
    git: (args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', env: e2eEnv() }).trim(),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A project.json for a project named `name` at `root`. */
export function projectJson(name: string): string {
  return JSON.stringify({ name, $schema: '../../node_modules/nx/schemas/project-schema.json' }, null, 2);
}

/** Combined output of an nx run, for assertions and failure messages. */
export function output(result: SpawnSyncReturns<string>): string {
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}
