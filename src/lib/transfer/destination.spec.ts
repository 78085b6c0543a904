import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockconvError } from '../errors';
import { currentEngine, parseDestination, type Endpoint } from './destination';

function configDir(contexts: Record<string, string>, tls?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-ctx-'));
  for (const [name, host] of Object.entries(contexts)) {
    const id = createHash('sha256').update(name).digest('hex');
    mkdirSync(join(dir, 'contexts/meta', id), { recursive: true });
    const meta = { Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } };
    writeFileSync(join(dir, 'contexts/meta', id, 'meta.json'), JSON.stringify(meta));
    if (tls === name) {
      mkdirSync(join(dir, 'contexts/tls', id, 'docker'), { recursive: true });
      writeFileSync(join(dir, 'contexts/tls', id, 'docker/ca.pem'), 'CA');
    }
  }
  return dir;
}

const env = { HOME: '/nonexistent' };

test('unix:// and tcp:// addresses', () => {
  assert.deepEqual(parseDestination('unix:///tmp/d.sock', env).options, { socketPath: '/tmp/d.sock' });
  assert.deepEqual(parseDestination('tcp://10.0.0.5:2375', env).options, { host: '10.0.0.5', port: 2375, protocol: 'http' });
  assert.equal(parseDestination('tcp://h', env).options.port, 2375);
});

test('ssh://user@host:port and user@host', () => {
  const url = parseDestination('ssh://deploy@gpu-box:2222', env).options;
  assert.equal(url.protocol, 'ssh');
  assert.equal(url.host, 'gpu-box');
  assert.equal(url.port, 2222);
  assert.equal(url.username, 'deploy');
  const short = parseDestination('root@10.1.2.3', env);
  assert.equal(short.options.protocol, 'ssh');
  assert.equal(short.options.port, 22);
  assert.equal(short.options.username, 'root');
  assert.equal(short.label, 'root@10.1.2.3');
});

test('SSH_KEY names the identity file; a missing one is an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-key-'));
  writeFileSync(join(dir, 'id'), 'KEY');
  const opts = parseDestination('ssh://u@h', { ...env, SSH_KEY: join(dir, 'id') }).options;
  assert.equal(String(opts.sshOptions?.privateKey), 'KEY');
  assert.throws(() => parseDestination('u@h', { ...env, SSH_KEY: join(dir, 'nope') }), /SSH_KEY names/);
});

test('a Docker context name resolves through the CLI context store', () => {
  const dir = configDir({ prod: 'ssh://ops@prod-host', lab: 'tcp://lab:2376' }, 'lab');
  const prod = parseDestination('prod', { ...env, DOCKER_CONFIG: dir });
  assert.equal(prod.options.host, 'prod-host');
  assert.equal(prod.options.username, 'ops');
  assert.equal(prod.label, 'context prod');
  const lab = parseDestination('lab', { ...env, DOCKER_CONFIG: dir });
  assert.equal(lab.options.protocol, 'https');
  assert.equal(String(lab.options.ca), 'CA');
});

test('an unknown context is a clear error listing the known ones', () => {
  const dir = configDir({ prod: 'ssh://ops@prod-host' });
  assert.throws(
    () => parseDestination('staging', { ...env, DOCKER_CONFIG: dir }),
    (err: unknown) =>
      err instanceof DockconvError &&
      /unknown transfer destination 'staging'/.test(err.message) &&
      /default, prod/.test(err.describe()),
  );
});

test('bad addresses are errors', () => {
  assert.throws(() => parseDestination('ftp://x', env), /unsupported Docker host scheme/);
  assert.throws(() => parseDestination('  ', env), /needs a destination/);
});

test('the source engine follows DOCKER_HOST, then the current context', () => {
  assert.deepEqual(currentEngine({ ...env, DOCKER_HOST: 'unix:///x.sock' }).options, { socketPath: '/x.sock' });
  const dir = configDir({ other: 'unix:///other.sock' });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: 'other' }));
  assert.deepEqual(currentEngine({ ...env, DOCKER_CONFIG: dir }).options, { socketPath: '/other.sock' });
  assert.deepEqual(currentEngine({ ...env, DOCKER_CONFIG: '/nonexistent' }).options, { socketPath: '/var/run/docker.sock' });
});

test('an engine is local behind a unix socket or a loopback address, whatever the scheme', () => {
  const local = (to: string) => parseDestination(to, env).local;
  assert.equal(local('unix:///tmp/d.sock'), true);
  assert.equal(local('tcp://127.0.0.1:2375'), true);
  assert.equal(local('tcp://localhost:2375'), true);
  assert.equal(local('tcp://[::1]:2375'), true);
  assert.equal(local('ssh://root@127.0.0.1:2222'), true);
  assert.equal(local('tcp://10.0.0.5:2375'), false);
  assert.equal(local('deploy@gpu-box'), false);
  assert.equal(local('ssh://ops@127.example.com'), false);
  const dir = configDir({ prod: 'ssh://ops@prod-host', here: 'unix:///run/docker.sock' });
  assert.equal(parseDestination('prod', { ...env, DOCKER_CONFIG: dir }).local, false);
  assert.equal(parseDestination('here', { ...env, DOCKER_CONFIG: dir }).local, true);
});

/** An ed25519 public key blob (SSH wire format), what ssh2 hands the host verifier. */
function hostKey(): Buffer {
  const raw = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
}

function homeWithKnownHosts(text: string): string {
  const home = mkdtempSync(join(tmpdir(), 'dockconv-home-'));
  mkdirSync(join(home, '.ssh'));
  writeFileSync(join(home, '.ssh/known_hosts'), text);
  return home;
}

/** Presents `key` as ssh2 would; the refusal as the user would see it, or undefined if accepted. */
function present(endpoint: Endpoint, key: Buffer): string | undefined {
  const verify = endpoint.options.sshOptions?.hostVerifier as (key: Buffer) => boolean;
  const accepted = verify(key);
  assert.equal(accepted, endpoint.hostKeyRefusal?.() === undefined);
  return endpoint.hostKeyRefusal?.()?.describe();
}

test('ssh host keys are checked against ~/.ssh/known_hosts', () => {
  const [key, other] = [hostKey(), hostKey()];
  const home = homeWithKnownHosts(`# hosts\n[gpu-box]:2222 ssh-ed25519 ${key.toString('base64')}\n`);
  const known = parseDestination('ssh://deploy@gpu-box:2222', { HOME: home });
  assert.equal(present(known, key), undefined);
  // Keys of the listed type are asked for first, so that the host shows the key known for it.
  assert.equal((known.options.sshOptions?.algorithms?.serverHostKey as string[])[0], 'ssh-ed25519');
  assert.match(
    present(known, other) ?? '',
    /^.*known_hosts:2: ssh host key of gpu-box:2222 differs from the known one \(possible man-in-the-middle\); refusing to connect \(it now shows ssh-ed25519 SHA256:\S+; .*ssh-keygen -R '\[gpu-box\]:2222'/,
  );
  const unknown = parseDestination('deploy@gpu-box', { HOME: home });
  assert.match(
    present(unknown, key) ?? '',
    /^ssh host key of gpu-box:22 is not in ~\/\.ssh\/known_hosts \(it shows ssh-ed25519 SHA256:\S+; check that fingerprint, then: ssh-keyscan -p 22 gpu-box >> ~\/\.ssh\/known_hosts .*DOCKCONV_SSH_ACCEPT_NEW=1/,
  );
  assert.equal(unknown.options.sshOptions?.algorithms, undefined);
});

test('DOCKCONV_SSH_ACCEPT_NEW=1 lets an unlisted host through, never a changed or revoked key', () => {
  const [key, other, bad] = [hostKey(), hostKey(), hostKey()];
  const home = homeWithKnownHosts(`gpu-box ssh-ed25519 ${key.toString('base64')}\n@revoked * ssh-ed25519 ${bad.toString('base64')}\n`);
  const env = { HOME: home, DOCKCONV_SSH_ACCEPT_NEW: '1' };
  assert.equal(present(parseDestination('u@new-box', env), other), undefined);
  assert.match(present(parseDestination('u@gpu-box', env), other) ?? '', /differs from the known one/);
  assert.match(present(parseDestination('u@new-box', env), bad) ?? '', /known_hosts:2: ssh host key of new-box:22 is marked @revoked/);
  assert.match(present(parseDestination('u@new-box', { HOME: home }), other) ?? '', /is not in ~\/\.ssh\/known_hosts/);
});
