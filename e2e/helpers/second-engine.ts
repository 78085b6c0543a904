/**
 * A real second Docker host for transfer tests: another dockerd on its own socket, data root,
 * exec root and pidfile, on a bridge of its own and without iptables, so that it does not fight
 * the first engine over networking. Not `--bridge=none`: a dockerd started with the bridge
 * disabled deletes the host's `docker0` interface on start-up (moby's
 * removeDefaultBridgeInterface), which breaks every RUN step and container of the first engine
 * (seen here: "could not find bridge docker0"). Reused when one already answers on the socket;
 * stopped only by whoever started it.
 * `DOCKCONV_ENGINE2_KIND` picks the engine: `legacy` (default: the machine's dockerd) or a modern
 * one started by scripts/modern-engine.sh, `containerd` (containerd image store) or `classic`,
 * from the Debian suite DOCKCONV_MODERN_SUITE names (trixie by default, or sid).
 * Also a byte-counting unix-socket proxy to put in front of it, to measure what really crossed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

export interface SecondEngine {
  socket: string;
  /** `unix://…` address of the engine. */
  host: string;
  docker(args: string[]): string;
  /** Removes every image, so each test starts from a known destination. */
  clear(): void;
  /** SIGKILL, as a crash or a power cut would end it, mid-whatever it is doing; resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same data root, and waits until it answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const STATE = process.env['DOCKCONV_ENGINE2_DIR'] ?? '/tmp/dockconv-engine2';
const BRIDGE = 'dockconv-br2';
const BRIDGE_ADDRESS = '172.31.254.1/24';

export type EngineKind = 'legacy' | 'containerd' | 'classic';

export function secondEngineKind(): EngineKind {
  const kind = process.env['DOCKCONV_ENGINE2_KIND'] ?? 'legacy';
  if (kind !== 'legacy' && kind !== 'containerd' && kind !== 'classic') throw new Error(`DOCKCONV_ENGINE2_KIND: unknown engine kind '${kind}'`);
  return kind;
}

/** Where an engine of this kind keeps its socket and pidfiles. */
function layout(kind: EngineKind): { state: string; socket: string; pidfiles: string[] } {
  if (kind === 'legacy') {
    return { state: STATE, socket: join(STATE, 'docker.sock'), pidfiles: [join(STATE, 'dockerd.pid'), join(STATE, 'exec', 'containerd', 'containerd.pid')] };
  }
  const state = join(modernDir(), kind);
  return { state, socket: join(state, 'docker.sock'), pidfiles: [join(state, 'dockerd.pid'), join(state, 'containerd', 'containerd.pid')] };
}

export async function startSecondEngine(kind: EngineKind = secondEngineKind()): Promise<SecondEngine> {
  const { state, socket, pidfiles } = layout(kind);
  const launch = kind === 'legacy' ? () => launchLegacy(socket) : () => launchModern(kind);
  const host = `unix://${socket}`;
  const docker = (args: string[]) => execFileSync('docker', ['--host', host, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const answers = () => {
    try {
      docker(['version', '--format', '{{.Server.Version}}']);
      return true;
    } catch {
      return false;
    }
  };
  let started = false;
  let dying = Promise.resolve();
  if (!answers()) {
    launch();
    started = true;
    await waitFor(answers, 60000, `second dockerd did not answer on ${socket}; see ${join(state, 'dockerd.log')}`);
  }
  return {
    socket,
    host,
    docker,
    clear() {
      // prune handles parent/child order, which `rmi -f <all ids>` does not. BuildKit's cache
      // goes too: a step it kept would give a later build an old layer.
      docker(['image', 'prune', '--all', '--force']);
      docker(['builder', 'prune', '--all', '--force']);
    },
    kill() {
      // Its containerd too, as a crash of the host would: a restarted dockerd reuses a containerd
      // that is still running, and this one is on its way out.
      dying = Promise.all(pidfiles.map((pidfile) => stopDaemon(pidfile, 'SIGKILL'))).then(() => undefined);
      return dying;
    },
    async restart() {
      await dying; // its pidfile must be gone first, or the new dockerd refuses to start
      launch();
      started = true;
      await waitFor(answers, 60000, `second dockerd did not come back on ${socket}; see ${join(state, 'dockerd.log')}`);
    },
    async stop() {
      if (!started) return;
      await stopDaemon(pidfiles[0] ?? '');
      // A modern engine's containerd is its own (the legacy one's exits with its dockerd).
      if (kind !== 'legacy') await stopDaemon(pidfiles[1] ?? '');
    },
  };
}

/** The second engine's own bridge (dockerd's `--bridge` wants an existing interface). */
function ensureBridge(): void {
  try {
    execFileSync('ip', ['link', 'show', BRIDGE], { stdio: 'ignore' });
    return;
  } catch {
    // not there yet
  }
  execFileSync('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', BRIDGE_ADDRESS, 'dev', BRIDGE]);
  execFileSync('ip', ['link', 'set', BRIDGE, 'up']);
}

const modernSuite = () => (process.env['DOCKCONV_MODERN_SUITE'] === 'sid' ? 'sid' : 'trixie');
/** One folder per suite: an engine of the other suite answering there would be reused. */
const modernDir = () => (modernSuite() === 'sid' ? `${STATE}-sid` : `${STATE}-modern`);

/** scripts/modern-engine.sh, in a folder and on a bridge of the second engine's own. */
function launchModern(kind: 'containerd' | 'classic'): void {
  const sid = modernSuite() === 'sid';
  const bridge = `dockconv-br2${sid ? 's' : 'm'}${kind === 'containerd' ? '' : 'c'}`;
  const subnet = (sid ? 250 : 252) + (kind === 'containerd' ? 0 : 1);
  execFileSync('bash', [join(__dirname, '..', '..', 'scripts', 'modern-engine.sh'), kind, modernSuite()], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      DOCKCONV_MODERN_DIR: modernDir(),
      DOCKCONV_MODERN_BRIDGE: bridge,
      DOCKCONV_MODERN_BRIDGE_ADDRESS: `172.31.${subnet}.1/24`,
    },
  });
}

function launchLegacy(socket: string): void {
  mkdirSync(STATE, { recursive: true });
  ensureBridge();
  rmSync(socket, { force: true });
  const log = openSync(join(STATE, 'dockerd.log'), 'a');
  const child = spawn(
    'dockerd',
    [
      '--data-root', join(STATE, 'data'),
      '--exec-root', join(STATE, 'exec'),
      '--pidfile', join(STATE, 'dockerd.pid'),
      '-H', `unix://${socket}`,
      `--bridge=${BRIDGE}`,
      '--iptables=false',
      '--ip-masq=false',
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
}

/**
 * Waits without blocking: a dockerd this process started stays a zombie until Node reaps it, and
 * a new dockerd refuses to start while its pidfile names a pid that still exists.
 */
async function stopDaemon(pidfile: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!existsSync(pidfile)) return;
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  if (!pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    return; // already gone
  }
  await waitFor(() => !running(pid), 20000, `${pid} (${pidfile}) did not exit after ${signal}`);
  // A zombie another process has not reaped yet is dead too, but still holds the pid.
  rmSync(pidfile, { force: true });
}

function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export async function waitFor(check: () => boolean, ms: number, message: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(message);
}

export interface CountingProxy {
  socket: string;
  host: string;
  /** Bytes clients sent towards the engine (request bodies included): what crossed the "wire". */
  uploaded(): number;
  /** Request lines (`GET /v1.41/images/…/json`) clients sent, in order. */
  requests(): string[];
  /** Cut every connection and stop accepting once this many bytes went up. */
  killAfter(bytes: number): void;
  /** Call `fn` once, as soon as this many bytes went up (before they are passed on). */
  onUploaded(bytes: number, fn: () => void): void;
  close(): Promise<void>;
}

/** A unix-socket proxy in front of `target` that counts what goes through it. */
export async function countingProxy(target: string, socket: string): Promise<CountingProxy> {
  rmSync(socket, { force: true });
  let up = 0;
  const lines: string[] = [];
  let limit = Infinity;
  let trigger: { bytes: number; fn: () => void } | undefined;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target);
    open.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      up += chunk.length;
      if (trigger && up >= trigger.bytes) {
        const { fn } = trigger;
        trigger = undefined;
        fn();
      }
      // HTTP/1.1 request lines; a layer's bytes spelling one by chance is not a worry in tests.
      for (const m of chunk.toString('latin1').matchAll(/(?:GET|HEAD|POST|PUT|DELETE) \/\S* HTTP\/1\.1\r\n/g)) lines.push(m[0].trim());
      if (up > limit) cutAll();
    });
    client.pipe(upstream).pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  const cutAll = () => {
    server.close();
    for (const s of open) s.destroy();
  };
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    host: `unix://${socket}`,
    uploaded: () => up,
    requests: () => [...lines],
    killAfter(bytes) {
      limit = bytes;
    },
    onUploaded(bytes, fn) {
      trigger = { bytes, fn };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface LocalSshd {
  port: number;
  /** Private key file to pass as SSH_KEY. */
  key: string;
  /** A HOME whose .ssh/known_hosts lists this sshd's host key (as `[127.0.0.1]:<port> …`). */
  home: string;
  /** A PATH whose `ssh` takes HOME as the user's home (sshOnPath). */
  path: string;
  stop(): void;
}

/**
 * A PATH whose first `ssh` is the real one, reading $HOME/.ssh/config and $HOME/.ssh/known_hosts
 * and nothing of the machine's. ssh itself takes the home from the password database, not HOME;
 * this lets each test give the client its own home without touching the real one.
 */
export function sshOnPath(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  // Under its own name (exec -a), so that the ssh a ProxyJump starts is this one again.
  const script = [
    '#!/bin/bash',
    'config="$HOME/.ssh/config"; [ -f "$config" ] || config=/dev/null',
    'exec -a "$0" /usr/bin/ssh -F "$config" -o UserKnownHostsFile="$HOME/.ssh/known_hosts" -o GlobalKnownHostsFile=/dev/null "$@"',
  ];
  writeFileSync(join(bin, 'ssh'), `${script.join('\n')}\n`, { mode: 0o755 });
  return `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`;
}

/**
 * A local sshd on a high port with its own host key and config, accepting one generated key for
 * root, whose sessions see DOCKER_HOST=`engineHost` (so `docker system dial-stdio` over ssh
 * reaches the second engine), and a HOME that knows its host key, as `ssh-keyscan >>
 * ~/.ssh/known_hosts` would have recorded it. The reason instead, where sshd cannot run.
 * `portOffset` gives a second sshd of the same process a port of its own.
 */
export async function startSshd(dir: string, engineHost: string, extraConfig: readonly string[] = [], portOffset = 0): Promise<LocalSshd | string> {
  if (!existsSync('/usr/sbin/sshd')) return 'no /usr/sbin/sshd (Debian: openssh-server)';
  if (process.getuid?.() !== 0) return 'sshd for root login needs root';
  mkdirSync(dir, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true });
  for (const name of ['host_key', 'client_key']) {
    rmSync(join(dir, name), { force: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  }
  execFileSync('cp', [join(dir, 'client_key.pub'), join(dir, 'authorized_keys')]);
  const port = 20000 + ((process.pid + portOffset) % 20000);
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'StrictModes no',
    'UsePAM no',
    `SetEnv DOCKER_HOST=${engineHost}`,
    ...extraConfig,
  ].join('\n');
  writeFileSync(join(dir, 'sshd_config'), `${config}\n`);
  try {
    execFileSync('/usr/sbin/sshd', ['-t', '-f', join(dir, 'sshd_config')], { stdio: 'pipe' });
  } catch (err) {
    return `sshd rejects its config: ${String((err as { stderr?: Buffer }).stderr ?? err)}`;
  }
  const listening = () => {
    try {
      execFileSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  // The port depends on the pid only: an sshd this process just stopped may still hold it, and
  // `listening` must not mistake that one (with another host key) for the new one.
  try {
    await waitFor(() => !listening(), 10000, 'port busy');
  } catch {
    return `port ${port} stays busy`;
  }
  const log = openSync(join(dir, 'sshd.log'), 'a');
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', log, log] });
  try {
    await waitFor(() => child.exitCode === null && listening(), 10000, 'sshd did not listen');
  } catch {
    child.kill();
    return `sshd did not start; see ${join(dir, 'sshd.log')}`;
  }
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  const [type, blob] = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(/\s+/);
  writeFileSync(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${port} ${type} ${blob}\n`);
  return { port, key: join(dir, 'client_key'), home, path: sshOnPath(dir), stop: () => child.kill() };
}
