import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockconvError } from '../errors';
import { resolveSshTarget } from './ssh-target';

/** A HOME whose ~/.ssh/config is `config`. */
function home(config?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-sshcfg-'));
  mkdirSync(join(dir, '.ssh'));
  if (config !== undefined) writeFileSync(join(dir, '.ssh', 'config'), config);
  return dir;
}

const CONFIG = `
Host gpu-box
  HostName 10.1.2.3
  Port 2222
  User deploy
  IdentityFile ~/.ssh/gpu_%r
  UserKnownHostsFile ~/.ssh/known_gpu
  HostKeyAlias gpu

Host *.lab
  User lab
  IdentityFile %d/keys/%h

Host *
  User everyone
`;

test('a config alias resolves to its HostName, Port, User, IdentityFile and known_hosts file', () => {
  const HOME = home(CONFIG);
  const t = resolveSshTarget(new URL('ssh://gpu-box'), { HOME, USER: 'me' });
  assert.deepEqual(t, {
    alias: 'gpu-box',
    host: '10.1.2.3',
    port: 2222,
    user: 'deploy',
    identityFiles: [join(HOME, '.ssh/gpu_deploy')],
    knownHostsFiles: [join(HOME, '.ssh/known_gpu'), '/etc/ssh/ssh_known_hosts'],
    hostKeyAlias: 'gpu',
  });
});

test("the address's own user and port win over the config's; the first matching value wins", () => {
  const HOME = home(CONFIG);
  const t = resolveSshTarget(new URL('ssh://root@gpu-box:22'), { HOME });
  assert.equal(t.user, 'root');
  assert.equal(t.port, 22);
  const lab = resolveSshTarget(new URL('ssh://node1.lab'), { HOME });
  assert.equal(lab.user, 'lab', 'Host *.lab comes before Host *');
  assert.deepEqual(lab.identityFiles, [join(HOME, 'keys/node1.lab')]);
});

test('without a config: the host as given, port 22, $USER, the default known_hosts files', () => {
  const HOME = home();
  assert.deepEqual(resolveSshTarget(new URL('ssh://build-01'), { HOME, USER: 'me' }), {
    alias: 'build-01',
    host: 'build-01',
    port: 22,
    user: 'me',
    identityFiles: [],
    knownHostsFiles: [join(HOME, '.ssh/known_hosts'), '/etc/ssh/ssh_known_hosts'],
  });
});

test('a jump host or proxy command is refused in one line, not tried as a direct connection', () => {
  const HOME = home('Host inner\n  ProxyJump bastion\nHost viacmd\n  ProxyCommand nc %h %p\nHost direct\n  ProxyJump none\n');
  assert.throws(() => resolveSshTarget(new URL('ssh://inner'), { HOME }), (e: unknown) => e instanceof DockconvError && /through ProxyJump bastion/.test(e.message));
  assert.throws(() => resolveSshTarget(new URL('ssh://viacmd'), { HOME }), /through ProxyCommand nc %h %p/);
  assert.equal(resolveSshTarget(new URL('ssh://direct'), { HOME }).host, 'direct');
});

test('a port that is not a number is an error naming it', () => {
  const HOME = home('Host odd\n  Port ssh\n');
  assert.throws(() => resolveSshTarget(new URL('ssh://odd'), { HOME }), /ssh port 'ssh' for odd is not a port number/);
});
