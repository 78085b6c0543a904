/**
 * OpenSSH known_hosts files, read the way ssh(1) reads them (sshd(8), "SSH_KNOWN_HOSTS FILE
 * FORMAT"), so that an ssh:// engine is trusted exactly when the docker CLI, which runs the
 * system `ssh` non-interactively, would trust it. Everything here is pure logic except
 * readKnownHosts(), which only reads the files it is given.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * `known`: a listed key matches. `changed`: the host is listed, but with other keys only.
 * `unknown`: the host is not listed. `revoked`: the key is listed as `@revoked` for the host.
 */
export type HostKeyVerdict = 'known' | 'changed' | 'unknown' | 'revoked';

export interface KnownHost {
  /** `@revoked`: this key is refused for the hosts it names, whatever other lines say. */
  revoked: boolean;
  /** The host field: comma-separated patterns, or one hashed name `|1|salt|hash`. */
  hosts: string;
  /** `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, … */
  keyType: string;
  /** The public key blob (SSH wire format): what ssh2 hands a host verifier. */
  key: Buffer;
  /** Where the line is, for messages. */
  file: string;
  line: number;
}

export interface HostKeyCheck {
  verdict: HostKeyVerdict;
  /** The line that decided: the matching or revoking one, or for `changed` the first listed key. */
  entry?: KnownHost;
}

/**
 * The files ssh reads when ~/.ssh/config says nothing (UserKnownHostsFile, GlobalKnownHostsFile).
 * HOME comes from the env passed in, as for the identity files in destination.ts, so that tests
 * and scripts can point at their own.
 */
export function knownHostsFiles(env: NodeJS.ProcessEnv): string[] {
  return [join(env['HOME'] || homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

export interface KnownHostsFiles {
  entries: KnownHost[];
  /** Files that exist but could not be read: a key in them could be revoked, so callers refuse. */
  unreadable: { file: string; reason: string }[];
}

/** Reads and parses the files; a missing file is simply empty, as for ssh. */
export function readKnownHosts(files: readonly string[]): KnownHostsFiles {
  const result: KnownHostsFiles = { entries: [], unreadable: [] };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') result.unreadable.push({ file, reason: code ?? String(err) });
      continue;
    }
    result.entries.push(...parseKnownHosts(text, file));
  }
  return result;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * One entry per usable line. Skipped, as ssh skips them: blank lines, `#` comments, malformed
 * lines, unknown markers, and `@cert-authority` lines (they trust host certificates signed by a
 * CA; ssh2 has no host certificate support, so such a host is `unknown` here).
 */
export function parseKnownHosts(text: string, file = 'known_hosts'): KnownHost[] {
  const entries: KnownHost[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]?.startsWith('#')) return;
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      if (fields[0] !== '@revoked') return;
      revoked = true;
      fields.shift();
    }
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key || !BASE64.test(key)) return;
    entries.push({ revoked, hosts, keyType, key: Buffer.from(key, 'base64'), file, line: index + 1 });
  });
  return entries;
}

/**
 * The name ssh looks up for a host: lower case, bare for port 22 and `[host]:port` otherwise.
 * `host` may come bracketed from a URL (`[::1]`).
 */
export function lookupName(host: string, port: number): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return port === 22 ? bare : `[${bare}]:${port}`;
}

/**
 * Does a host field name `name` (from lookupName)? As ssh's match_hostname: patterns with `*` and
 * `?`, case-insensitive; a matching `!pattern` rules the line out even when another pattern
 * matches. A hashed field is one name, compared by its HMAC.
 */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedNameMatches(hosts, name);
  let matched = false;
  for (const item of hosts.split(',')) {
    const negated = item.startsWith('!');
    if (!globMatches(negated ? item.slice(1) : item, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function globMatches(pattern: string, name: string): boolean {
  if (!pattern) return false;
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'is').test(name);
}

/**
 * `|1|<base64 salt>|<base64 HMAC-SHA1(salt, name)>` (HashKnownHosts): the name cannot be read
 * back, only tested. Both parts are SHA-1 sized; ssh ignores a line where they are not.
 */
function hashedNameMatches(field: string, name: string): boolean {
  const [empty, magic, salt64, hash64, ...rest] = field.split('|');
  if (empty !== '' || magic !== '1' || !salt64 || !hash64 || rest.length) return false;
  const salt = Buffer.from(salt64, 'base64');
  const hash = Buffer.from(hash64, 'base64');
  if (salt.length !== 20 || hash.length !== 20) return false;
  return timingSafeEqual(createHmac('sha1', salt).update(name).digest(), hash);
}

/**
 * The verdict on the key a host presented. Only lines naming the host count, `@revoked` ones
 * included (as in ssh: `@revoked * …` revokes a key everywhere). A revoked key loses even when
 * another line lists it as valid, and revocations alone do not make a host known.
 */
export function checkHostKey(entries: readonly KnownHost[], name: string, key: Buffer): HostKeyCheck {
  const forHost = entries.filter((e) => hostFieldMatches(e.hosts, name));
  const revoked = forHost.find((e) => e.revoked && e.key.equals(key));
  if (revoked) return { verdict: 'revoked', entry: revoked };
  const listed = forHost.filter((e) => !e.revoked);
  const match = listed.find((e) => e.key.equals(key));
  if (match) return { verdict: 'known', entry: match };
  return listed[0] ? { verdict: 'changed', entry: listed[0] } : { verdict: 'unknown' };
}

/** ssh2's host key algorithms, in its default order of preference. */
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;
export type HostKeyAlgorithm = (typeof HOST_KEY_ALGORITHMS)[number];

/**
 * The host key algorithms to offer, those of keys listed for the host first; undefined when none
 * is listed (then ssh2's default order is as good as any). A server with several host keys shows
 * the one of the first algorithm both sides offer: with ssh2's fixed order, a host listed with its
 * ecdsa key would show its ed25519 key and look `changed`. ssh reorders the same way.
 */
export function preferredAlgorithms(entries: readonly KnownHost[], name: string): HostKeyAlgorithm[] | undefined {
  const types = new Set(entries.filter((e) => !e.revoked && hostFieldMatches(e.hosts, name)).map((e) => e.keyType));
  // rsa-sha2-* are signature algorithms over the same `ssh-rsa` key.
  const known = HOST_KEY_ALGORITHMS.filter((a) => types.has(a.startsWith('rsa-sha2-') ? 'ssh-rsa' : a));
  if (known.length === 0) return undefined;
  return [...known, ...HOST_KEY_ALGORITHMS.filter((a) => !known.includes(a))];
}

/** `ssh-ed25519 SHA256:…`, as ssh prints a key's fingerprint, for comparing with ssh-keygen -l. */
export function describeKey(key: Buffer): string {
  const fingerprint = createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
  return `${keyTypeOf(key)} SHA256:${fingerprint}`;
}

/** The blob starts with its type as an SSH string (uint32 length, then the name). */
function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'key';
  const length = key.readUInt32BE(0);
  return length > 0 && length <= 64 && key.length >= 4 + length ? key.toString('latin1', 4, 4 + length) : 'key';
}
