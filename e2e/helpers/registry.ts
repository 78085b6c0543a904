/**
 * A real registry for publish tests: Debian's `docker-registry` (distribution 2.8) on a free
 * loopback port with filesystem storage in a temp folder, optionally behind htpasswd basic
 * auth. Engines push to loopback registries over plain HTTP without configuration.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  address: string;
  /** The tags `/v2/<repository>/tags/list` lists (none for an unknown repository). */
  tags(repository: string): Promise<string[]>;
  /** The manifest digest the registry serves for `repository:tag`. */
  digest(repository: string, tag: string): Promise<string | undefined>;
  /** The platforms of the image manifests an index at `repository:tag` lists (none for a single manifest). */
  platforms(repository: string, tag: string): Promise<string[]>;
  stop(): void;
}

export interface RegistryOptions {
  /** Basic auth through an htpasswd file (bcrypt, as distribution requires). */
  user?: { name: string; password: string };
  /**
   * A login that may pull but not push, as a registry's read-only token: distribution's htpasswd
   * gives every user full access, so the registry then sits behind a proxy on `address`
   * (read-only-proxy.mjs) that answers a write by this user with distribution's `DENIED` (403).
   */
  reader?: { name: string; password: string };
}

/** Every manifest form, as docker pull accepts them. */
const INDEX_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  if (options.reader) return startReadOnlyProxy(options.reader);
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-registry-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const auth = options.user ? authConfig(dir, options.user) : '';
  writeFileSync(
    join(dir, 'config.yml'),
    ['version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: ${address}`, '  secret: e2e', auth].join('\n'),
  );
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const header: Record<string, string> = options.user ? { Authorization: `Basic ${Buffer.from(`${options.user.name}:${options.user.password}`).toString('base64')}` } : {};
  await waitForRegistry(address, child, () => stderr);
  return {
    address,
    async tags(repository) {
      const res = await fetch(`http://${address}/v2/${repository}/tags/list`, { headers: header });
      if (res.status === 404) return [];
      const body = (await res.json()) as { tags?: string[] | null };
      return (body.tags ?? []).sort();
    },
    async platforms(repository, tag) {
      const res = await fetch(`http://${address}/v2/${repository}/manifests/${tag}`, { headers: { ...header, Accept: INDEX_TYPES.join(', ') } });
      const body = (await res.json()) as { manifests?: { platform?: { os: string; architecture: string }; annotations?: Record<string, string> }[] };
      const images = (body.manifests ?? []).filter((m) => m.platform && !m.annotations?.['vnd.docker.reference.type']);
      return images.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).sort();
    },
    async digest(repository, tag) {
      const res = await fetch(`http://${address}/v2/${repository}/manifests/${tag}`, {
        method: 'HEAD',
        // An engine with the containerd image store pushes an index (with attestations), the
        // classic store a single manifest: accept every form, as docker pull does.
        headers: {
          ...header,
          Accept: INDEX_TYPES.join(', '),
        },
      });
      return res.ok ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
    },
    stop() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startReadOnlyProxy(reader: { name: string; password: string }): Promise<TestRegistry> {
  const backend = await startRegistry();
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const script = join(__dirname, 'read-only-proxy.mjs');
  const proxy = spawn(process.execPath, [script, String(port), backend.address, reader.name, reader.password], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proxy.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitForRegistry(address, proxy, () => stderr);
  } catch (err) {
    backend.stop();
    throw err;
  }
  return {
    ...backend,
    address,
    stop() {
      proxy.kill('SIGTERM');
      backend.stop();
    },
  };
}

function authConfig(dir: string, user: { name: string; password: string }): string {
  const line = execFileSync('htpasswd', ['-Bbn', user.name, user.password], { encoding: 'utf8' }).trim();
  writeFileSync(join(dir, 'htpasswd'), `${line}\n`);
  return ['auth:', '  htpasswd:', '    realm: dockconv-e2e', `    path: ${join(dir, 'htpasswd')}`].join('\n');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      server.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForRegistry(address: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`http://${address}/v2/`);
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`docker-registry did not answer on ${address}: ${log()}`);
}
