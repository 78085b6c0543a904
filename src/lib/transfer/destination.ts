/**
 * Where images go (and come from): a Docker context name, `ssh://user@host[:port]`, `user@host`,
 * `tcp://…` or `unix://…`, turned into dockerode connection options. Contexts are read from the
 * Docker CLI's own store so that `to: prod` means what `docker --context prod` means.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker, { type DockerOptions } from 'dockerode';
import { DockconvError } from '../errors';
import { SshDockerAgent } from './ssh-agent';
import { checkHostKey, describeKey, knownHostsFiles, lookupName, preferredAlgorithms, readKnownHosts, type HostKeyCheck } from './known-hosts';

export interface Endpoint {
  /** The engine as the user named it, for messages. */
  label: string;
  /** The engine address (`unix:///…`, `ssh://…`), for messages and the shown command. */
  host: string;
  options: DockerOptions;
  /** The engine runs on this machine (a unix socket or a loopback address): no network between. */
  local: boolean;
  /**
   * ssh only: why the last connection was refused over the host key, if it was. ssh2 then fails
   * with a generic "Host denied" handshake error, so whoever reports the failure asks here.
   */
  hostKeyRefusal?: () => DockconvError | undefined;
}

const DEFAULT_HOST = 'unix:///var/run/docker.sock';
const USER_AT_HOST = /^([^@\s/:]+)@([^@\s/:]+)(?::(\d+))?$/;

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['DOCKER_CONFIG'] || join(homedir(), '.docker');
}

export interface EngineClient {
  docker: Docker;
  /** Closes what the client keeps open (an ssh connection). */
  close(): void;
}

/**
 * A client for several requests: over ssh they share one connection (ssh-agent.ts) instead of
 * docker-modem's connection per request.
 */
export function engineClient(endpoint: Endpoint): EngineClient {
  const { options } = endpoint;
  if (options.protocol !== 'ssh') return { docker: new Docker(options), close: () => undefined };
  const port = Number(options.port);
  const agent = new SshDockerAgent({ ...options.sshOptions, host: options.host, port, username: options.username });
  // docker-modem uses an `agent` it is given; dockerode's typings leave the option out.
  const http: DockerOptions & { agent: SshDockerAgent } = { protocol: 'http', host: options.host, port, agent };
  return { docker: new Docker(http), close: () => agent.close() };
}

/** Parses a transfer destination (`to`). */
export function parseDestination(to: string, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const spec = to.trim();
  if (!spec) throw new DockconvError('transfer-image needs a destination', { hint: 'set --to' });
  if (spec.includes('://')) return { ...fromUrl(spec, env), label: spec };
  const userHost = USER_AT_HOST.exec(spec);
  if (userHost) return { ...fromUrl(`ssh://${spec}`, env), label: spec };
  return fromContext(spec, env);
}

/** The engine the docker CLI would use right now: DOCKER_HOST, DOCKER_CONTEXT, the current context. */
export function currentEngine(env: NodeJS.ProcessEnv = process.env): Endpoint {
  if (env['DOCKER_HOST']) return { ...fromUrl(env['DOCKER_HOST'], env), label: env['DOCKER_HOST'] };
  const context = env['DOCKER_CONTEXT'] || currentContextName(env);
  return context ? fromContext(context, env) : { ...fromUrl(DEFAULT_HOST, env), label: 'default' };
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
      return { host: url, ...sshEndpoint(parsed, env), local };
    default:
      throw new DockconvError(`unsupported Docker host scheme '${parsed.protocol}' in '${url}'`, { hint: HINT });
  }
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

/**
 * ssh:// goes through docker-modem's ssh agent (ssh2 + `docker system dial-stdio` on the host,
 * exactly what the docker CLI runs there). Keys: SSH_KEY names an identity file; otherwise the
 * ssh agent (SSH_AUTH_SOCK) and the usual ~/.ssh/id_* files are tried. The host key is checked
 * against known_hosts (hostKeyGuard).
 */
function sshEndpoint(url: URL, env: NodeJS.ProcessEnv): Pick<Endpoint, 'options' | 'hostKeyRefusal'> {
  const username = decodeURIComponent(url.username) || env['USER'] || 'root';
  const port = url.port ? Number(url.port) : 22;
  const privateKey = identity(env);
  const guard = hostKeyGuard(url.hostname, port, env);
  return {
    options: {
      protocol: 'ssh',
      host: url.hostname,
      port,
      username,
      sshOptions: {
        ...(privateKey ? { privateKey } : {}),
        ...(env['SSH_AUTH_SOCK'] ? { agent: env['SSH_AUTH_SOCK'] } : {}),
        ...(guard.algorithms ? { algorithms: { serverHostKey: guard.algorithms } } : {}),
        hostVerifier: guard.verify,
        readyTimeout: 15000,
      },
    },
    hostKeyRefusal: guard.refusal,
  };
}

/** Set to 1: accept a host that known_hosts does not list (never a changed or revoked key). */
const ACCEPT_NEW_ENV = 'DOCKCONV_SSH_ACCEPT_NEW';

interface HostKeyGuard {
  /** For ssh2's hostVerifier: it passes the raw key blob when no hostHash is set. */
  verify: (key: Buffer) => boolean;
  /** Host key algorithms to offer, known ones first (preferredAlgorithms). */
  algorithms?: ReturnType<typeof preferredAlgorithms>;
  refusal: () => DockconvError | undefined;
}

/**
 * Refuses what ssh in batch mode refuses (the docker CLI runs ssh non-interactively): a host not
 * in known_hosts, a key other than the listed one, a revoked key. Only DOCKCONV_SSH_ACCEPT_NEW=1
 * lets an unlisted host through, for first contact in scripts; nothing is written to known_hosts.
 * The files are read here, once, so that the verdict does not change between connections.
 */
function hostKeyGuard(hostname: string, port: number, env: NodeJS.ProcessEnv): HostKeyGuard {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  const name = lookupName(host, port);
  const { entries, unreadable } = readKnownHosts(knownHostsFiles(env));
  const acceptNew = env[ACCEPT_NEW_ENV] === '1';
  let refusal: DockconvError | undefined;
  const verify = (key: Buffer): boolean => {
    refusal = unreadable[0]
      ? new DockconvError(`cannot read ${unreadable[0].file} to check the ssh host key of ${host}:${port}: ${unreadable[0].reason}`)
      : refuse(checkHostKey(entries, name, key), key, host, port, acceptNew);
    return refusal === undefined;
  };
  return { verify, algorithms: preferredAlgorithms(entries, name), refusal: () => refusal };
}

function refuse(check: HostKeyCheck, key: Buffer, host: string, port: number, acceptNew: boolean): DockconvError | undefined {
  const where = { file: check.entry?.file, line: check.entry?.line };
  switch (check.verdict) {
    case 'known':
      return undefined;
    case 'unknown':
      if (acceptNew) return undefined;
      return new DockconvError(`ssh host key of ${host}:${port} is not in ~/.ssh/known_hosts`, {
        hint:
          `it shows ${describeKey(key)}; check that fingerprint, then: ssh-keyscan -p ${port} ${host} >> ~/.ssh/known_hosts ` +
          `(or connect once with ssh); ${ACCEPT_NEW_ENV}=1 accepts an unlisted host without recording it`,
      });
    case 'changed':
      return new DockconvError(
        `ssh host key of ${host}:${port} differs from the known one (possible man-in-the-middle); refusing to connect`,
        {
          ...where,
          hint: `it now shows ${describeKey(key)}; only if the host really got a new key: ssh-keygen -R '${lookupName(host, port)}', then add the new one`,
        },
      );
    case 'revoked':
      return new DockconvError(`ssh host key of ${host}:${port} is marked @revoked; refusing to connect`, {
        ...where,
        hint: `it shows ${describeKey(key)}; a revoked key is never accepted: the host needs a new one`,
      });
  }
}

function identity(env: NodeJS.ProcessEnv): Buffer | undefined {
  const named = env['SSH_KEY'];
  if (named) {
    if (!existsSync(named)) throw new DockconvError(`SSH_KEY names '${named}', which does not exist`);
    return readFileSync(named);
  }
  if (env['SSH_AUTH_SOCK']) return undefined;
  const dir = join(env['HOME'] || homedir(), '.ssh');
  const found = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(dir, f)).find((f) => existsSync(f));
  return found ? readFileSync(found) : undefined;
}

/** A context's files live under a folder named by the SHA-256 of its name (docker CLI layout). */
function contextId(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

interface ContextMeta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

function fromContext(name: string, env: NodeJS.ProcessEnv): Endpoint {
  if (name === 'default') return { ...fromUrl(env['DOCKER_HOST'] || DEFAULT_HOST, env), label: 'default' };
  const root = join(dockerConfigDir(env), 'contexts');
  const metaFile = join(root, 'meta', contextId(name), 'meta.json');
  if (!existsSync(metaFile)) {
    throw new DockconvError(`unknown transfer destination '${name}': no such Docker context`, {
      hint: `${knownContexts(root)}; or ${HINT.replace(/^use a Docker context name, /, '')}`,
    });
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ContextMeta;
  const host = meta.Endpoints?.docker?.Host;
  if (!host) throw new DockconvError(`Docker context '${name}' has no docker endpoint`, { file: metaFile });
  const tls = readTlsDir(join(root, 'tls', contextId(name), 'docker'));
  return { ...fromUrl(host, env, tls), label: `context ${name}` };
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
