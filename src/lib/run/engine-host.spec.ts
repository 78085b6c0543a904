import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRemoteEngine } from './engine-host';

describe('isRemoteEngine', () => {
  let config = '';
  before(() => {
    config = mkdtempSync(join(tmpdir(), 'docker-config-'));
    const context = (name: string, host: string): void => {
      const dir = join(config, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'meta.json'), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }));
    };
    context('lab', 'ssh://ops@lab.example');
    context('rootless', 'unix:///run/user/1000/docker.sock');
  });
  after(() => rmSync(config, { recursive: true, force: true }));

  const cases: [string, NodeJS.ProcessEnv, boolean][] = [
    ['no DOCKER_HOST, no context', {}, false],
    ['DOCKER_HOST unix://', { DOCKER_HOST: 'unix:///var/run/docker.sock' }, false],
    ['DOCKER_HOST tcp://', { DOCKER_HOST: 'tcp://10.0.0.5:2375' }, true],
    ['DOCKER_HOST ssh://', { DOCKER_HOST: 'ssh://me@gpu-box' }, true],
    ['DOCKER_CONTEXT on ssh', { DOCKER_CONTEXT: 'lab' }, true],
    ['DOCKER_CONTEXT on a unix socket', { DOCKER_CONTEXT: 'rootless' }, false],
    ['DOCKER_CONTEXT default', { DOCKER_CONTEXT: 'default' }, false],
  ];
  for (const [label, env, remote] of cases) {
    it(label, () => assert.equal(isRemoteEngine({ DOCKER_CONFIG: config, ...env }), remote));
  }

  it('an ssh host behind a ProxyJump is remote: the address alone decides, no ssh settings are read', () => {
    const home = mkdtempSync(join(tmpdir(), 'dockconv-home-'));
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'config'), 'Host inner\n  ProxyJump bastion\n  Port nope\n');
    assert.equal(isRemoteEngine({ DOCKER_CONFIG: config, HOME: home, DOCKER_HOST: 'ssh://inner', SSH_KEY: '/no/such/key' }), true);
  });

  it('the current context of config.json', () => {
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'lab' }));
    try {
      assert.equal(isRemoteEngine({ DOCKER_CONFIG: config }), true);
    } finally {
      rmSync(join(config, 'config.json'));
    }
  });
});
