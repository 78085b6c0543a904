import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockconvError } from '../errors';
import { currentEngine, parseDestination } from './endpoint';
import { engineClient } from './engine-api';

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

/** An env whose `ssh` reads `config` as its only configuration file (the real ssh, via PATH). */
function sshWithConfig(config: string): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-ssh-'));
  writeFileSync(join(dir, 'config'), config);
  writeFileSync(join(dir, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F '${join(dir, 'config')}' "$@"\n`, { mode: 0o755 });
  return { ...env, PATH: `${dir}:${process.env['PATH']}` };
}

test('ssh://user@host:port and user@host become the docker CLI\'s ssh command', () => {
  const full = parseDestination('ssh://deploy@gpu-box:2222', env);
  assert.deepEqual(full.ssh?.args.slice(-6), ['-l', 'deploy', '-p', '2222', '--', 'gpu-box']);
  assert.deepEqual(full.ssh?.args.slice(0, 5), ['-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T']);
  assert.deepEqual(full.options, { protocol: 'ssh', host: 'gpu-box', port: 2222, username: 'deploy' });
  const short = parseDestination('root@10.1.2.3', env);
  assert.deepEqual(short.ssh?.args.slice(-4), ['-l', 'root', '--', '10.1.2.3']);
  assert.equal(short.options.port, 22);
  assert.equal(short.label, 'root@10.1.2.3');
});

test('SSH_KEY names the one identity file; a missing one is an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-key-'));
  writeFileSync(join(dir, 'id'), 'KEY');
  const args = parseDestination('ssh://u@h', { ...env, SSH_KEY: join(dir, 'id') }).ssh?.args ?? [];
  assert.deepEqual(args.slice(args.indexOf('-i'), args.indexOf('-i') + 4), ['-i', join(dir, 'id'), '-o', 'IdentitiesOnly=yes']);
  assert.throws(() => parseDestination('u@h', { ...env, SSH_KEY: join(dir, 'nope') }), /SSH_KEY names/);
});

test("a host alias resolves through ssh's own configuration", () => {
  const sshEnv = sshWithConfig('Host gpu-box\n  HostName 10.1.2.3\n  Port 2200\n  User deploy\n');
  assert.deepEqual(parseDestination('ssh://gpu-box', sshEnv).options, { protocol: 'ssh', host: '10.1.2.3', port: 2200, username: 'deploy' });
  // The address's own user and port win, as they do for ssh.
  assert.deepEqual(parseDestination('ssh://root@gpu-box:22', sshEnv).options, { protocol: 'ssh', host: '10.1.2.3', port: 22, username: 'root' });
});

test('without an ssh client, an ssh:// destination says so', () => {
  assert.throws(
    () => parseDestination('ssh://u@h', { ...env, PATH: '/nonexistent' }),
    (e: unknown) => e instanceof DockconvError && /needs the ssh client, and there is no `ssh` on PATH/.test(e.message),
  );
});

test("ssh's failure to connect is the request's error, in ssh's words", async () => {
  const client = engineClient(parseDestination('ssh://root@127.0.0.1:1', env));
  try {
    await assert.rejects(client.docker.ping(), { message: 'ssh: connect to host 127.0.0.1 port 1: Connection refused' });
  } finally {
    client.close();
  }
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

test('an unknown current context names DOCKER_CONTEXT, not a transfer destination', () => {
  const dir = configDir({ prod: 'ssh://ops@prod-host' });
  assert.throws(
    () => currentEngine({ ...env, DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'staging' }),
    (err: unknown) =>
      err instanceof DockconvError &&
      /current Docker context 'staging' \(DOCKER_CONTEXT/.test(err.message) &&
      !/transfer/.test(err.describe()) &&
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
  // ssh: where ssh really connects; through a jump host, loopback is the jump host's own.
  const sshEnv = sshWithConfig('Host here-box\n  HostName 127.0.0.1\nHost inner\n  HostName 127.0.0.1\n  ProxyJump bastion\nHost piped\n  HostName localhost\n  ProxyCommand nc %h %p\n');
  assert.equal(parseDestination('ssh://here-box', sshEnv).local, true);
  assert.equal(parseDestination('ssh://inner', sshEnv).local, false);
  assert.equal(parseDestination('ssh://piped', sshEnv).local, false);
});
