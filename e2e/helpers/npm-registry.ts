/**
 * A real npm registry on loopback: verdaccio, with its own storage, serving our package from what
 * the tests publish to it and every other package from the npm registry these machines reach.
 */
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './engine';
import { freePort } from './registry';

export interface NpmRegistry {
  /** `.npmrc` lines that point npm at the registry with a token allowed to publish. */
  npmrc: string;
  /** Publishes a package folder (or tarball) under the registry. */
  publish(pathOrTarball: string): void;
  close(): Promise<void>;
}

function config(dir: string, port: number, uplink: string): string {
  return [
    `storage: ${join(dir, 'storage')}`,
    'auth:',
    '  htpasswd:',
    `    file: ${join(dir, 'htpasswd')}`,
    'uplinks:',
    '  npmjs:',
    `    url: ${uplink}`,
    '    timeout: 60s',
    'packages:',
    "  '@dockconv/*':",
    '    access: $all',
    '    publish: $authenticated',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    proxy: npmjs',
    `listen: 127.0.0.1:${port}`,
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n');
}

async function waitForPing(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited (${child.exitCode}):\n${log()}`);
    try {
      if ((await fetch(`${url}-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`verdaccio did not answer at ${url}:\n${log()}`);
}

async function addUser(url: string): Promise<string> {
  const name = `e2e${Date.now().toString(36)}`;
  const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `pw-${name}`, type: 'user', roles: [] }),
  });
  const body = (await response.json()) as { token?: string };
  if (!response.ok || !body.token) throw new Error(`could not add a user to verdaccio: ${response.status} ${JSON.stringify(body)}`);
  return body.token;
}

export async function startNpmRegistry(): Promise<NpmRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-verdaccio-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const uplink = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim() || 'https://registry.npmjs.org/';
  writeFileSync(join(dir, 'config.yaml'), config(dir, port, uplink));
  let output = '';
  const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules/verdaccio/bin/verdaccio'), '--config', join(dir, 'config.yaml')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPing(url, child, () => output);
  const host = url.replace(/^http:/, '');
  const npmrc = `registry=${url}\n${host}:_authToken=${await addUser(url)}\n`;
  const userconfig = join(dir, 'npmrc');
  writeFileSync(userconfig, npmrc);
  return {
    npmrc,
    publish(path) {
      execFileSync('npm', ['publish', path, '--ignore-scripts', '--registry', url, '--userconfig', userconfig, '--tag', 'latest'], { stdio: ['ignore', 'ignore', 'pipe'] });
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The packed package, unpacked into a folder with `version` set: what a given release would publish (the caller removes its parent). */
export function packageAtVersion(tarball: string, version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-release-'));
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  const folder = join(dir, 'package');
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ ...manifest, version }, null, 2));
  return folder;
}

