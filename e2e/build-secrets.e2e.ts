/**
 * Build secrets through BuildKit: a RUN step reads one (its result proves it), and its value is
 * nowhere else: not in the printed command, the image's history, inspect output or labels, nor
 * in anything Nx keeps (its cache and terminal outputs under .nx). The legacy builder refuses.
 * On the legacy leg BuildKit comes from Debian's own docker 20.10 client, which drives it
 * without buildx.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { docker, ensureEngine, imageIdOf, removeImages } from './helpers/engine';
import { createWorkspace, output, projectJson, type TestWorkspace } from './helpers/workspace';

const TAG = `e2e${Date.now().toString(36)}`;
const BASE = `vault-base:${TAG}`;
const DEV = `vault-dev:${TAG}`;
const AGENT = `vault-agent:${TAG}`;
const sum = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** BuildKit as the plugin finds it: buildx on the CLI, else a pre-23 client (Debian's 20.10). */
function buildKitEnv(): NodeJS.ProcessEnv | undefined {
  if (spawnSync('docker', ['buildx', 'version'], { stdio: 'ignore' }).status === 0) return {};
  return existsSync('/usr/bin/docker') ? { DOCKCONV_DOCKER: '/usr/bin/docker' } : undefined;
}

/** Every file under a folder, read whole (the folder is small: one test workspace's .nx). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const files: Record<string, string> = {
  'apps/vault/project.json': projectJson('vault'),
  'apps/vault/docker/base/Dockerfile': [
    'FROM dockconv-busybox:latest',
    // Fails without the secret; the tag keeps BuildKit's cache of an earlier run (whose key never holds a secret) out.
    `RUN --mount=type=secret,id=tok sh -c 'test -s /run/secrets/tok && sha256sum /run/secrets/tok | cut -c1-16 > /tok.sum # ${TAG}'`,
    '',
  ].join('\n'),
  'apps/vault/docker/dev/Dockerfile': [
    'ARG BASE_IMAGE',
    'FROM ${BASE_IMAGE}',
    `RUN --mount=type=secret,id=file sh -c 'test -s /run/secrets/file && sha256sum /run/secrets/file | cut -c1-16 > /file.sum # ${TAG}'`,
    '',
  ].join('\n'),
  'apps/vault/docker/agent/Dockerfile': [
    'ARG BASE_IMAGE',
    'FROM ${BASE_IMAGE}',
    `RUN --mount=type=ssh sh -c 'test -S "$SSH_AUTH_SOCK" && echo forwarded > /ssh.txt # ${TAG}'`,
    '',
  ].join('\n'),
  'apps/vault/docker/run.cfg': '[DEFAULT]\nsecrets = id=tok,env=DOCKCONV_E2E_TOKEN\n[agent]\nssh = default\n',
};

describe('docker-build with build secrets', () => {
  let ws: TestWorkspace;
  const buildKit = buildKitEnv();
  const token = `tok-${randomBytes(12).toString('hex')}`;
  const fileSecret = `file-${randomBytes(12).toString('hex')}`;

  before(() => {
    ensureEngine();
    ws = createWorkspace({ ...files, 'secret.txt': fileSecret });
  });
  after(() => {
    removeImages([BASE, DEV, AGENT]);
    ws?.remove();
  });

  it('a RUN step reads the secrets; their values are in no command, history, label, inspect output or Nx file', { skip: buildKit ? false : 'no BuildKit client here' }, () => {
    const result = ws.nx(['run', 'vault:docker-build', '--image=dev', '--secrets=id=file,src=secret.txt'], { env: { ...buildKit, DOCKCONV_TAG: TAG, DOCKCONV_E2E_TOKEN: token } });
    const out = output(result);
    assert.equal(result.status, 0, out);
    assert.equal(docker(['run', '--rm', '--network', 'none', DEV, 'cat', '/tok.sum', '/file.sum']), `${sum(token)}\n${sum(fileSecret)}`, out);
    assert.match(out, /--secret id=tok,env=DOCKCONV_E2E_TOKEN/);
    assert.match(out, /--secret id=file,src=secret\.txt/);
    const places = {
      'the output': out,
      history: docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', DEV]),
      inspect: docker(['image', 'inspect', BASE, DEV]),
      ...Object.fromEntries(filesUnder(join(ws.root, '.nx')).map((f) => [f, readFileSync(f, 'latin1')])),
      ...Object.fromEntries(filesUnder(join(ws.root, 'dist')).map((f) => [f, readFileSync(f, 'latin1')])),
    };
    for (const [where, text] of Object.entries(places)) {
      for (const value of [token, fileSecret]) assert.equal(text.includes(value), false, `a secret's value is in ${where}`);
    }
  });

  it("a secret's new value alone rebuilds nothing (its name is the input); --forceBase rebuilds the base with it", { skip: buildKit ? false : 'no BuildKit client here' }, () => {
    const other = `tok-${randomBytes(12).toString('hex')}`;
    const run = (extra: string[]) => ws.nx(['run', 'vault:docker-build', '--image=dev', '--secrets=id=file,src=secret.txt', ...extra], { env: { ...buildKit, DOCKCONV_TAG: TAG, DOCKCONV_E2E_TOKEN: other } });
    const before = [imageIdOf(BASE), imageIdOf(DEV)];
    const again = run([]);
    assert.equal(again.status, 0, output(again));
    assert.deepEqual([imageIdOf(BASE), imageIdOf(DEV)], before);
    const forced = run(['--forceBase']);
    assert.equal(forced.status, 0, output(forced));
    assert.equal(docker(['run', '--rm', '--network', 'none', DEV, 'cat', '/tok.sum']), sum(other));
  });

  it('ssh = default forwards the agent to RUN --mount=type=ssh; without an agent it is one clear error', { skip: buildKit ? false : 'no BuildKit client here' }, () => {
    const socket = join(ws.root, 'agent.sock');
    const agent = spawnSync('ssh-agent', ['-a', socket], { encoding: 'utf8' });
    assert.equal(agent.status, 0, agent.stderr);
    const pid = /SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1];
    try {
      const env = { ...buildKit, DOCKCONV_TAG: TAG, DOCKCONV_E2E_TOKEN: token };
      const result = ws.nx(['run', 'vault:docker-build', '--image=agent'], { env: { ...env, SSH_AUTH_SOCK: socket } });
      assert.equal(result.status, 0, output(result));
      assert.match(output(result), /--ssh default/);
      assert.equal(docker(['run', '--rm', '--network', 'none', AGENT, 'cat', '/ssh.txt']), 'forwarded');
      removeImages([AGENT]);
      const none = ws.nx(['run', 'vault:docker-build', '--image=agent'], { env: { ...env, SSH_AUTH_SOCK: undefined } });
      assert.notEqual(none.status, 0);
      assert.match(output(none), /run\.cfg:4: ssh 'default': no ssh agent \(SSH_AUTH_SOCK is not set\)/);
      assert.equal(imageIdOf(AGENT), undefined);
    } finally {
      if (pid) process.kill(Number(pid));
    }
  });

  it('a secret whose variable is unset, or whose file is missing, is one clear error and no build', () => {
    removeImages([BASE, DEV]);
    const unset = ws.nx(['run', 'vault:docker-build', '--image=base'], { env: { ...buildKit, DOCKCONV_TAG: TAG, DOCKCONV_E2E_TOKEN: undefined } });
    assert.notEqual(unset.status, 0);
    assert.match(output(unset), /apps\/vault\/docker\/run\.cfg:2: secret 'tok': the variable DOCKCONV_E2E_TOKEN is not set/);
    const missing = ws.nx(['run', 'vault:docker-build', '--image=dev', '--secrets=id=file,src=nope.txt'], { env: { ...buildKit, DOCKCONV_TAG: TAG, DOCKCONV_E2E_TOKEN: token } });
    assert.notEqual(missing.status, 0);
    assert.match(output(missing), /--secrets: secret 'file': nope\.txt does not exist/);
    assert.equal(imageIdOf(BASE), undefined);
  });

  it('the legacy builder refuses to build without them', () => {
    removeImages([BASE, DEV]);
    const result = ws.nx(['run', 'vault:docker-build', '--image=base'], { env: { DOCKCONV_TAG: TAG, DOCKCONV_E2E_TOKEN: token, DOCKER_BUILDKIT: '0' } });
    assert.notEqual(result.status, 0);
    assert.match(output(result), /vault:base uses build secrets, which need BuildKit/);
    assert.equal(imageIdOf(BASE), undefined);
  });
});
