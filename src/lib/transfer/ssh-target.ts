/**
 * An `ssh://` address resolved through ~/.ssh/config the way ssh resolves it, so that a host alias
 * that works for `docker -H ssh://gpu-box` (the docker CLI runs ssh) works here too. The
 * address's own user and port win; then the first value the config gives for the host; then
 * ssh's defaults. `Match exec` blocks are not run (a build tool should not run shell from a
 * config file on its own), and /etc/ssh/ssh_config is not read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type SSHConfig from 'ssh-config' with { 'resolution-mode': 'import' };
import { DockconvError } from '../errors';
import { knownHostsFiles } from './known-hosts';

// ssh-config is typed as an ES module but ships a CommonJS build too, which this package loads.
const { parse } = createRequire(__filename)('ssh-config') as { parse: (text: string) => SSHConfig };

export interface SshTarget {
  /** The host as the address names it: a config alias or the host itself. */
  alias: string;
  /** Where to connect (HostName). */
  host: string;
  port: number;
  user: string;
  /** IdentityFile entries, expanded; SSH_KEY still comes first (ssh-endpoint.ts). */
  identityFiles: string[];
  knownHostsFiles: string[];
  /** The name known_hosts lists the host key under, when not the host's own. */
  hostKeyAlias?: string;
}

type Computed = Record<string, string | string[]>;

export function resolveSshTarget(url: URL, env: NodeJS.ProcessEnv): SshTarget {
  const alias = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const config = readConfig(env).compute(alias, { ignoreCase: true, matchExec: false });
  refuseProxies(config, alias);
  const host = expandTokens(first(config, 'hostname') ?? alias, { h: alias }, env);
  const user = decodeURIComponent(url.username) || first(config, 'user') || env['USER'] || 'root';
  const port = portOf(url.port || first(config, 'port') || '22', alias);
  const tokens = { h: host, r: user, p: String(port) };
  const [userFile = '', globalFile = ''] = knownHostsFiles(env);
  const knownHosts = [...(all(config, 'userknownhostsfile') ?? [userFile]), ...(all(config, 'globalknownhostsfile') ?? [globalFile])];
  const hostKeyAlias = first(config, 'hostkeyalias');
  return {
    alias,
    host,
    port,
    user,
    identityFiles: (all(config, 'identityfile') ?? []).map((f) => expandTokens(f, tokens, env)),
    knownHostsFiles: knownHosts.filter((f) => f.toLowerCase() !== 'none').map((f) => expandTokens(f, tokens, env)),
    ...(hostKeyAlias ? { hostKeyAlias } : {}),
  };
}

function readConfig(env: NodeJS.ProcessEnv): SSHConfig {
  const file = join(env['HOME'] || homedir(), '.ssh', 'config');
  return parse(existsSync(file) ? readFileSync(file, 'utf8') : '');
}

/** A jump host or proxy command ssh would go through, which ssh2 cannot: say so, not time out. */
function refuseProxies(config: Computed, alias: string): void {
  for (const key of ['proxyjump', 'proxycommand']) {
    const value = all(config, key)?.join(' ');
    if (value && value.toLowerCase() !== 'none') {
      throw new DockconvError(`~/.ssh/config reaches ${alias} through ${key === 'proxyjump' ? 'ProxyJump' : 'ProxyCommand'} ${value}, which transfer-image cannot follow`, {
        hint: 'use an address this machine reaches directly, or a tcp:// engine address or Docker context for it',
      });
    }
  }
}

function portOf(text: string, alias: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DockconvError(`ssh port '${text}' for ${alias} is not a port number`);
  return port;
}

function first(config: Computed, key: string): string | undefined {
  return all(config, key)?.[0];
}

/** Values of a directive; the parser gives one value as a string and several as a list. */
function all(config: Computed, key: string): string[] | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/\s+/)).filter(Boolean);
}

/** ssh's `~` and `%` tokens in paths and names: %h host, %r remote user, %p port, %u user, %d home. */
function expandTokens(text: string, tokens: Record<string, string>, env: NodeJS.ProcessEnv): string {
  const home = env['HOME'] || homedir();
  const values: Record<string, string> = { ...tokens, u: env['USER'] || userInfo().username, d: home, '%': '%' };
  return text.replace(/^~(?=\/|$)/, home).replace(/%([a-zA-Z%])/g, (whole, t: string) => values[t] ?? whole);
}
