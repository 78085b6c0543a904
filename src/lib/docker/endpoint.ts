/**
 * Which engine to talk to, and how: the one the docker CLI would use now (where docker-run runs
 * and transfers start), or one named as a destination: a Docker context name, `ssh://user@host[:port]`,
 * `user@host`, `tcp://…` or `unix://…`, turned into dockerode connection options. Contexts are
 * read from the Docker CLI's own store so that `to: prod` means what `docker --context prod` means.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import { DockconvError } from '../errors';
import { sshCommand, sshRoute, type SshDial } from './ssh-command';

export interface Endpoint {
  /** The engine as the user named it, for messages. */
  label: string;
  /** The engine address (`unix:///…`, `ssh://…`), for messages and the shown command. */
  host: string;
  options: DockerOptions;
  /** The engine runs on this machine (a unix socket or a loopback address): no network between. */
  local: boolean;
  /** ssh only: the ssh command that reaches the host (engineClient runs dial-stdio through it). */
  ssh?: SshDial;
}

const DEFAULT_HOST = 'unix:///var/run/docker.sock';
const USER_AT_HOST = /^([^@\s/:]+)@([^@\s/:]+)(?::(\d+))?$/;

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['DOCKER_CONFIG'] || join(env['HOME'] || homedir(), '.docker');
}

/** The HTTP status of an Engine API error (404: no such image or container), if it has one. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Parses a transfer destination (`to`). */
export function parseDestination(to: string, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const spec = to.trim();
  if (!spec) throw new DockconvError('transfer-image needs a destination', { hint: 'set --to' });
  if (spec.includes('://')) return { ...fromUrl(spec, env), label: spec };
  const userHost = USER_AT_HOST.exec(spec);
  if (userHost) return { ...fromUrl(`ssh://${spec}`, env), label: spec };
  return fromContext(spec, env, 'destination');
}

/** The engine the docker CLI would use right now: DOCKER_HOST, DOCKER_CONTEXT, the current context. */
export function currentEngine(env: NodeJS.ProcessEnv = process.env): Endpoint {
  if (env['DOCKER_HOST']) return { ...fromUrl(env['DOCKER_HOST'], env), label: env['DOCKER_HOST'] };
  const context = env['DOCKER_CONTEXT'] || currentContextName(env);
  return context ? fromContext(context, env) : { ...fromUrl(DEFAULT_HOST, env), label: 'default' };
}

/**
 * Only the address of that engine: what says whether it is on this machine, without reading ssh
 * settings that matter only to a connection this tool makes itself.
 */
export function currentEngineHost(env: NodeJS.ProcessEnv = process.env): string {
  if (env['DOCKER_HOST']) return env['DOCKER_HOST'];
  const context = env['DOCKER_CONTEXT'] || currentContextName(env);
  return context && context !== 'default' ? contextHost(context, env) : DEFAULT_HOST;
}

function currentContextName(env: NodeJS.ProcessEnv): string | undefined {
  const file = join(dockerConfigDir(env), 'config.json');
  if (!existsSync(file)) return undefined;
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: unknown };
    return typeof config.currentContext === 'string' ? config.currentContext : undefined;
  } catch {
    return undefined; // the CLI itself tolerates an unreadable config here; so do we
  }
}

function fromUrl(url: string, env: NodeJS.ProcessEnv, tls?: TlsFiles): Omit<Endpoint, 'label'> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DockconvError(`'${url}' is not a Docker host address`, { hint: HINT });
  }
  const local = isLoopback(parsed.hostname);
  switch (parsed.protocol) {
    case 'unix:':
      return { host: url, options: { socketPath: decodeURIComponent(parsed.pathname) }, local: true };
    case 'tcp:':
    case 'http:':
    case 'https:':
      return { host: url, options: tcpOptions(parsed, env, tls), local };
    case 'ssh:':
      return sshFromUrl(url, parsed, env);
    default:
      throw new DockconvError(`unsupported Docker host scheme '${parsed.protocol}' in '${url}'`, { hint: HINT });
  }
}

/**
 * ssh's local-or-not follows where ssh really connects (a config alias's HostName); through a
 * jump host or proxy command a loopback address is the last hop's own, not this machine's.
 */
function sshFromUrl(url: string, parsed: URL, env: NodeJS.ProcessEnv): Omit<Endpoint, 'label'> {
  const command = sshCommand(parsed, env);
  const route = sshRoute(command);
  const options: DockerOptions = { protocol: 'ssh', host: route.host, port: route.port, username: route.user };
  return { host: url, options, ssh: { ...command, route }, local: !route.proxied && isLoopback(route.host) };
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const HINT = 'use a Docker context name, ssh://user@host[:port], user@host, tcp://host:port or unix:///path';

interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function tcpOptions(url: URL, env: NodeJS.ProcessEnv, tls?: TlsFiles): DockerOptions {
  const files = tls ?? envTls(env);
  const secure = url.protocol === 'https:' || files !== undefined;
  const port = url.port ? Number(url.port) : secure ? 2376 : 2375;
  return { host: url.hostname, port, protocol: secure ? 'https' : 'http', ...(files ?? {}) };
}

/** DOCKER_TLS_VERIFY + DOCKER_CERT_PATH, as the docker CLI reads them for tcp:// hosts. */
function envTls(env: NodeJS.ProcessEnv): TlsFiles | undefined {
  if (!env['DOCKER_TLS_VERIFY'] && !env['DOCKER_CERT_PATH']) return undefined;
  return readTlsDir(env['DOCKER_CERT_PATH'] || dockerConfigDir(env));
}

function readTlsDir(dir: string): TlsFiles | undefined {
  const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name)) : undefined);
  const files = { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
  return files.ca || files.cert ? files : undefined;
}

/** A context's files live under a folder named by the SHA-256 of its name (docker CLI layout). */
function contextId(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

interface ContextMeta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

/** `destination`: the name was given as a transfer's `to`; `current`: DOCKER_CONTEXT or the CLI's current context. */
type ContextRole = 'destination' | 'current';

function fromContext(name: string, env: NodeJS.ProcessEnv, role: ContextRole = 'current'): Endpoint {
  if (name === 'default') return { ...fromUrl(env['DOCKER_HOST'] || DEFAULT_HOST, env), label: 'default' };
  const tls = readTlsDir(join(contextsDir(env), 'tls', contextId(name), 'docker'));
  return { ...fromUrl(contextHost(name, env, role), env, tls), label: `context ${name}` };
}

function contextsDir(env: NodeJS.ProcessEnv): string {
  return join(dockerConfigDir(env), 'contexts');
}

function contextHost(name: string, env: NodeJS.ProcessEnv, role: ContextRole = 'current'): string {
  const root = contextsDir(env);
  const metaFile = join(root, 'meta', contextId(name), 'meta.json');
  if (!existsSync(metaFile) && role === 'destination') {
    throw new DockconvError(`unknown transfer destination '${name}': no such Docker context`, {
      hint: `${knownContexts(root)}; or ${HINT.replace(/^use a Docker context name, /, '')}`,
    });
  }
  if (!existsSync(metaFile)) {
    throw new DockconvError(`the current Docker context '${name}' (DOCKER_CONTEXT, or \`docker context use\`) does not exist`, { hint: knownContexts(root) });
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ContextMeta;
  const host = meta.Endpoints?.docker?.Host;
  if (!host) throw new DockconvError(`Docker context '${name}' has no docker endpoint`, { file: metaFile });
  return host;
}

function knownContexts(root: string): string {
  const metaDir = join(root, 'meta');
  const names = existsSync(metaDir)
    ? readdirSync(metaDir).flatMap((id) => {
        try {
          return [(JSON.parse(readFileSync(join(metaDir, id, 'meta.json'), 'utf8')) as ContextMeta).Name ?? id];
        } catch {
          return [];
        }
      })
    : [];
  return `known contexts: ${['default', ...names].join(', ')}`;
}
