import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkHostKey,
  describeKey,
  hostFieldMatches,
  knownHostsFiles,
  lookupName,
  parseKnownHosts,
  preferredAlgorithms,
  readKnownHosts,
} from './known-hosts';

/** A real ed25519 public key blob: string "ssh-ed25519", then string <32-byte key>. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  return Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]);
}

function sshString(data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

const line = (hosts: string, key: Buffer, type = 'ssh-ed25519') => `${hosts} ${type} ${key.toString('base64')}`;

function hashed(name: string, salt = randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

const key = ed25519Blob();
const other = ed25519Blob();

test('the looked-up name: bare for port 22, [host]:port otherwise, lower case', () => {
  assert.equal(lookupName('GPU-Box', 22), 'gpu-box');
  assert.equal(lookupName('gpu-box', 2222), '[gpu-box]:2222');
  assert.equal(lookupName('[::1]', 22), '::1');
  assert.equal(lookupName('[::1]', 2222), '[::1]:2222');
});

test('a plain entry with comma-separated names: known, changed, unknown', () => {
  const entries = parseKnownHosts(line('gpu-box,10.0.0.7', key));
  assert.equal(checkHostKey(entries, 'gpu-box', key).verdict, 'known');
  assert.equal(checkHostKey(entries, '10.0.0.7', key).verdict, 'known');
  const changed = checkHostKey(entries, 'gpu-box', other);
  assert.equal(changed.verdict, 'changed');
  assert.equal(changed.entry?.line, 1);
  assert.equal(checkHostKey(entries, 'elsewhere', key).verdict, 'unknown');
  // Names match whole, not as prefixes.
  assert.equal(checkHostKey(entries, 'gpu-box2', key).verdict, 'unknown');
});

test('several keys for one host: any of them is known', () => {
  const entries = parseKnownHosts([line('gpu-box', other), line('gpu-box', key)].join('\n'));
  assert.equal(checkHostKey(entries, 'gpu-box', key).verdict, 'known');
});

test('a non-22 port is listed as [host]:port, and only that form matches it', () => {
  const entries = parseKnownHosts(line('[gpu-box]:2222', key));
  assert.equal(checkHostKey(entries, lookupName('gpu-box', 2222), key).verdict, 'known');
  assert.equal(checkHostKey(entries, lookupName('gpu-box', 22), key).verdict, 'unknown');
  assert.equal(checkHostKey(entries, lookupName('gpu-box', 2223), key).verdict, 'unknown');
});

test('hashed entries: HMAC-SHA1 of the name under the salt', () => {
  const entries = parseKnownHosts([line(hashed('gpu-box'), key), line(hashed('[lab]:2222'), key)].join('\n'));
  assert.equal(checkHostKey(entries, 'gpu-box', key).verdict, 'known');
  assert.equal(checkHostKey(entries, 'gpu-box', other).verdict, 'changed');
  assert.equal(checkHostKey(entries, '[lab]:2222', key).verdict, 'known');
  assert.equal(checkHostKey(entries, 'lab', key).verdict, 'unknown');
  // Malformed hashes never match.
  assert.equal(hostFieldMatches('|1|c2FsdA==|aGFzaA==', 'gpu-box'), false);
  assert.equal(hostFieldMatches('|2|x|y', 'gpu-box'), false);
});

test('hashed entries written by ssh-keygen -H', (t) => {
  if (spawnSync('ssh-keygen', ['-?'], { stdio: 'ignore' }).error) return t.skip('no ssh-keygen (openssh-client)');
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-kh-'));
  const file = join(dir, 'known_hosts');
  writeFileSync(file, `${line('gpu-box,10.0.0.7', key)}\n${line('[lab]:2222', other)}\n`);
  execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
  const text = readFileSync(file, 'utf8');
  assert.doesNotMatch(text, /gpu-box|lab/);
  const entries = parseKnownHosts(text);
  assert.equal(entries.length, 3); // ssh-keygen -H writes one line per name
  assert.equal(checkHostKey(entries, 'gpu-box', key).verdict, 'known');
  assert.equal(checkHostKey(entries, '10.0.0.7', key).verdict, 'known');
  assert.equal(checkHostKey(entries, '[lab]:2222', other).verdict, 'known');
  assert.equal(checkHostKey(entries, '[lab]:2222', key).verdict, 'changed');
  assert.equal(checkHostKey(entries, 'lab', other).verdict, 'unknown');
  // And the fingerprint in messages is the one ssh-keygen -l prints.
  writeFileSync(join(dir, 'key.pub'), `${line('', key).trim()} test\n`);
  const listed = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'key.pub')], { encoding: 'utf8' });
  assert.equal(describeKey(key).split(' ')[1], listed.split(' ')[1]);
});

test('@revoked: the key is refused even where another line lists it', () => {
  const entries = parseKnownHosts([line('gpu-box', key), `@revoked * ssh-ed25519 ${key.toString('base64')}`].join('\n'));
  const check = checkHostKey(entries, 'gpu-box', key);
  assert.equal(check.verdict, 'revoked');
  assert.equal(check.entry?.line, 2);
  assert.equal(checkHostKey(entries, 'anywhere', key).verdict, 'revoked');
  // A revocation of another key neither makes a host known nor changed.
  const onlyRevoked = parseKnownHosts(`@revoked gpu-box ssh-ed25519 ${other.toString('base64')}`);
  assert.equal(checkHostKey(onlyRevoked, 'gpu-box', key).verdict, 'unknown');
});

test('comments, blank lines, @cert-authority, unknown markers and malformed lines are skipped', () => {
  const text = [
    '# a comment',
    '',
    '   ',
    `@cert-authority *.example ssh-ed25519 ${key.toString('base64')}`,
    `@future gpu-box ssh-ed25519 ${key.toString('base64')}`,
    'gpu-box ssh-ed25519',
    'gpu-box ssh-ed25519 not*base64',
    `  ${line('gpu-box', key)} user@laptop  `,
    '',
  ].join('\r\n');
  const entries = parseKnownHosts(text, '/k');
  assert.equal(entries.length, 1);
  assert.deepEqual({ ...entries[0], key: undefined }, { revoked: false, hosts: 'gpu-box', keyType: 'ssh-ed25519', key: undefined, file: '/k', line: 8 });
  assert.equal(checkHostKey(entries, 'box.example', key).verdict, 'unknown');
});

test('wildcards and negation, as ssh matches host patterns', () => {
  assert.equal(hostFieldMatches('*.example.com', 'gpu.example.com'), true);
  assert.equal(hostFieldMatches('*.example.com', 'example.com'), false);
  assert.equal(hostFieldMatches('gpu-?', 'gpu-1'), true);
  assert.equal(hostFieldMatches('gpu-?', 'gpu-12'), false);
  assert.equal(hostFieldMatches('GPU-Box', 'gpu-box'), true);
  assert.equal(hostFieldMatches('10.0.0.*', '10.0.0.7'), true);
  assert.equal(hostFieldMatches('10.0.0.1', '10.0.0x1'), false); // '.' is literal
  assert.equal(hostFieldMatches('[*]:2222', '[gpu-box]:2222'), true);
  // A matching negation rules the line out whatever else matches; alone it matches nothing.
  assert.equal(hostFieldMatches('*.example.com,!evil.example.com', 'evil.example.com'), false);
  assert.equal(hostFieldMatches('*.example.com,!evil.example.com', 'gpu.example.com'), true);
  assert.equal(hostFieldMatches('!evil', 'gpu'), false);
});

test('preferred host key algorithms: the types listed for the host first', () => {
  const entries = parseKnownHosts([line('gpu-box', key, 'ecdsa-sha2-nistp256'), line('gpu-box', key, 'ssh-rsa'), line('lab', key)].join('\n'));
  const algorithms = preferredAlgorithms(entries, 'gpu-box') ?? [];
  assert.deepEqual(algorithms.slice(0, 4), ['ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  assert.equal(algorithms.length, 7);
  assert.equal(preferredAlgorithms(entries, 'lab')?.[0], 'ssh-ed25519');
  assert.equal(preferredAlgorithms(entries, 'elsewhere'), undefined);
});

test('describeKey prints type and SHA256 fingerprint as ssh-keygen -l does', () => {
  assert.match(describeKey(key), /^ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}$/);
});

test('files: the user file under HOME, then the system one; missing files are empty', () => {
  const home = mkdtempSync(join(tmpdir(), 'dockconv-home-'));
  const files = knownHostsFiles({ HOME: home });
  assert.deepEqual(files, [join(home, '.ssh/known_hosts'), '/etc/ssh/ssh_known_hosts']);
  mkdirSync(join(home, '.ssh'));
  writeFileSync(files[0] ?? '', `${line('gpu-box', key)}\n`);
  const read = readKnownHosts([files[0] ?? '', join(home, 'none')]);
  assert.equal(read.entries.length, 1);
  assert.equal(read.entries[0]?.file, files[0]);
  assert.deepEqual(read.unreadable, []);
  assert.deepEqual(readKnownHosts([home]).unreadable, [{ file: home, reason: 'EISDIR' }]);
});
