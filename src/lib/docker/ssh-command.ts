/**
 * ssh:// engines are reached as the docker CLI reaches them: the system `ssh` client runs
 * `docker system dial-stdio` on the host, and the Engine API travels over its stdin and stdout.
 * Whatever ssh is configured to do (ssh_config files, ProxyJump, ProxyCommand, Match, known_hosts,
 * certificates, ssh-agent) therefore applies unchanged. This module says which ssh command to
 * run, where ssh will really connect, and what its failures mean, in one line.
 */
import { existsSync } from 'node:fs';
import { DockconvError, lastLine } from '../errors';
import { runProcessSync, type ProcessResult } from '../system/process';

export interface SshCommand {
  /** `ssh` arguments up to and including the host; the remote command follows. */
  args: string[];
  /** The environment ssh runs in (PATH finds `ssh`; SSH_AUTH_SOCK the agent). */
  env: NodeJS.ProcessEnv;
}

/** The command with where it leads, which failures are worded with. */
export interface SshDial extends SshCommand {
  route: SshRoute;
}

/** What the docker CLI runs on the host over ssh. */
export const DIAL_STDIO = ['docker', 'system', 'dial-stdio'];

/** Set to 1: ssh records and accepts a host it has no key for (never a changed or revoked key). */
const ACCEPT_NEW_ENV = 'DOCKCONV_SSH_ACCEPT_NEW';

/**
 * The docker CLI's ssh flags (`-o ConnectTimeout=30 -T -l user -p port -- host`), plus
 * BatchMode: a build tool must fail on a passphrase or host-key prompt, not wait for a keyboard.
 * SSH_KEY names the one identity file to use.
 */
export function sshCommand(url: URL, env: NodeJS.ProcessEnv): SshCommand {
  const args = ['-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T'];
  if (env[ACCEPT_NEW_ENV] === '1') args.push('-o', 'StrictHostKeyChecking=accept-new');
  const key = env['SSH_KEY'];
  if (key) {
    if (!existsSync(key)) throw new DockconvError(`SSH_KEY names '${key}', which does not exist`);
    args.push('-i', key, '-o', 'IdentitiesOnly=yes');
  }
  const user = decodeURIComponent(url.username);
  if (user) args.push('-l', user);
  if (url.port) args.push('-p', url.port);
  args.push('--', url.hostname.replace(/^\[(.*)\]$/, '$1'));
  return { args, env };
}

export interface SshRoute {
  /** The address ssh connects to (HostName), its port and login. */
  host: string;
  port: number;
  user: string;
  /** Through ProxyJump or ProxyCommand: then `host` is seen from the last hop, not from here. */
  proxied: boolean;
}

/** Where ssh will connect after its configuration, as `ssh -G` prints it. */
export function sshRoute(command: SshCommand): SshRoute {
  const asked = runProcessSync('ssh', ['-G', ...command.args], { env: command.env });
  if (asked.exitCode !== 0) throw sshUnusable(asked, command);
  const text = asked.stdout;
  const options = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [key = '', ...value] = line.trim().split(' ');
    if (!options.has(key)) options.set(key, value.join(' '));
  }
  const set = (key: string) => (options.get(key) ?? 'none') !== 'none';
  return {
    host: options.get('hostname') ?? '',
    port: Number(options.get('port') ?? 22),
    user: options.get('user') ?? '',
    proxied: set('proxyjump') || set('proxycommand'),
  };
}

function sshUnusable(result: ProcessResult, command: SshCommand): DockconvError {
  const host = command.args.at(-1) ?? '';
  if (result.exitCode === 127) {
    return new DockconvError(`ssh://${host} needs the ssh client, and there is no \`ssh\` on PATH`, { hint: 'Debian: apt-get install openssh-client' });
  }
  const said = lastLine(result.stderr);
  return new DockconvError(`ssh cannot use its configuration for ${host}${said ? `: ${said}` : ''}`);
}

/** Lines ssh prints that say nothing about why it failed. */
const NOISE = /^(Pseudo-terminal will not be allocated|Warning: Permanently added|debug\d:|@+$|Connection closed by UNKNOWN)/;

/**
 * One line for a dial that ended with `code`: ssh's own failures (it exits 255) by their cause,
 * else the host's dial-stdio exit with the host's last words. Host key refusals are
 * DockconvErrors, which callers pass on as they are: nothing was reached.
 */
export function sshFailure(stderr: string, code: number, route: SshRoute): Error {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !NOISE.test(l));
  if (code !== 255) {
    const said = lines.at(-1);
    return new Error(`\`${DIAL_STDIO.join(' ')}\` on the host exited ${code}${said ? `: ${said}` : ''}`);
  }
  const text = lines.join('\n');
  if (/Host key verification failed/.test(text)) return hostKeyRefusal(text, route);
  const login = lines.find((l) => /Permission denied \(/.test(l));
  if (login) return new Error(`ssh login refused: ${login.replace(/\.$/, '')} (ssh uses SSH_KEY, else its configured identities and ssh-agent)`);
  // `ssh: connect to host … port …: Connection refused`, `ssh: Could not resolve hostname …`
  const own = lines.find((l) => l.startsWith('ssh: '));
  return new Error((own ?? lines.at(-1) ?? `ssh exited ${code}`).replace(/\.$/, ''));
}

function hostKeyRefusal(text: string, route: SshRoute): DockconvError {
  // ssh names the host for a changed or revoked key only; an unknown one is the route's own.
  const named = /host key for (\S+)/i.exec(text)?.[1]?.replace(/[.,]$/, '');
  const { host, port } = named ? splitKnownHostsName(named) : route;
  const offending = /Offending \S+ key in (\S+):(\d+)/.exec(text);
  const where = offending ? { file: offending[1], line: Number(offending[2]) } : {};
  if (/REVOKED HOST KEY|marked as revoked/i.test(text)) {
    return new DockconvError(`ssh host key of ${host}:${port} is marked @revoked; refusing to connect`, {
      ...where,
      hint: 'a revoked key is never accepted: the host needs a new one',
    });
  }
  if (/HOST IDENTIFICATION HAS CHANGED|has changed/i.test(text)) {
    return new DockconvError(`ssh host key of ${host}:${port} differs from the known one (possible man-in-the-middle); refusing to connect`, {
      ...where,
      hint: `only if the host really got a new key: ssh-keygen -R '${named ?? host}', then add the new one`,
    });
  }
  if (route.proxied) {
    return new DockconvError(`ssh host key of ${host}:${port}, or of a jump host on the way, is not in ~/.ssh/known_hosts`, {
      hint: 'connect once with ssh to the same address to see which, check its fingerprint and accept it',
    });
  }
  return new DockconvError(`ssh host key of ${host}:${port} is not in ~/.ssh/known_hosts`, {
    hint:
      `check its fingerprint (ssh-keyscan -p ${port} ${host} | ssh-keygen -lf -), then: ssh-keyscan -p ${port} ${host} >> ~/.ssh/known_hosts ` +
      `(or connect once with ssh); ${ACCEPT_NEW_ENV}=1 lets ssh record an unlisted host itself`,
  });
}

/** known_hosts names a host `name` on port 22 and `[name]:port` on any other. */
function splitKnownHostsName(name: string): { host: string; port: number } {
  const bracketed = /^\[(.*)\]:(\d+)$/.exec(name);
  return bracketed ? { host: bracketed[1] ?? name, port: Number(bracketed[2]) } : { host: name, port: 22 };
}
