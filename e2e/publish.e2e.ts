/**
 * publish-image against a real registry (Debian's docker-registry on loopback), a real engine,
 * real git and real Nx: the pushed tag is listed by the registry's API, the image pulled back
 * has the pushed digest, stale images are rebuilt before they are pushed, a dry run pushes
 * nothing, and a registry that wants a login fails in one line without leaving tags behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, ensureEngine, imageIdOf, removeImages } from './helpers/engine';
import { startRegistry, type TestRegistry } from './helpers/registry';
import { createWorkspace, output, projectJson, type TestWorkspace } from './helpers/workspace';

const TAG = `e2e${Date.now().toString(36)}`;

const files = (registry: string): Record<string, string> => ({
  'apps/shop/project.json': projectJson('shop'),
  'apps/shop/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nRUN mkdir -p /opt && echo base > /opt/base.txt\n',
  'apps/shop/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo dev-1 > /opt/dev.txt\n',
  'apps/shop/docker/run.cfg': `[DEFAULT]\nregistry = ${registry}\n`,
});

/** The digest `docker pull` reports for a reference, after the local copy is gone. */
function pullBack(ref: string): string {
  removeImages([ref]);
  const out = docker(['pull', ref]);
  const digest = /Digest: (sha256:[0-9a-f]{64})/.exec(out)?.[1];
  assert.ok(digest, out);
  return digest;
}

const errorLines = (text: string) => text.split('\n').filter((l) => /^\s*error: /.test(l));

describe('publish-image to a real registry', () => {
  let registry: TestRegistry;
  let ws: TestWorkspace;
  const env = { DOCKCONV_TAG: TAG };
  const nx = (args: string[], extra: NodeJS.ProcessEnv = {}) => ws.nx([...args, '--output-style=static'], { env: { ...env, ...extra } });
  const remote = (name: string, tag: string) => `${registry.address}/${name}:${tag}`;
  const cleanup: string[] = [];

  before(async () => {
    ensureEngine();
    registry = await startRegistry();
    ws = createWorkspace(files(registry.address), { git: true });
  });

  after(() => {
    removeImages([`shop-base:${TAG}`, `shop-dev:${TAG}`, ...cleanup]);
    registry.stop();
    ws.remove();
  });

  it('pushes an image under --tag: the registry lists it and the digest pulled back is the pushed one', async () => {
    const result = nx(['run', 'shop:publish-image:base', '--tag=1.0.0']);
    const out = output(result);
    assert.equal(result.status, 0, out);
    const ref = remote('shop-base', '1.0.0');
    cleanup.push(ref);
    assert.ok(imageIdOf(`shop-base:${TAG}`), 'built before it was pushed');
    assert.match(out, new RegExp(`\\$ docker tag shop-base:${TAG} ${ref.replace(/\./g, '\\.')}\\n`));
    assert.match(out, new RegExp(`\\$ docker push ${ref.replace(/\./g, '\\.')}\\n`));
    assert.deepEqual(await registry.tags('shop-base'), ['1.0.0']);
    const pushed = /pushed \S+ \((sha256:[0-9a-f]{64})\)/.exec(out)?.[1];
    assert.ok(pushed, out);
    assert.equal(await registry.digest('shop-base', '1.0.0'), pushed);
    assert.equal(pullBack(ref), pushed);
    assert.deepEqual(await registry.tags('shop-dev'), [], 'dev was not asked for');
  });

  it('--dryRun prints the commands and pushes nothing (and builds nothing)', async () => {
    const result = nx(['run', 'shop:publish-image:dev', '--tag=2.0.0', '--dryRun']);
    const out = output(result);
    assert.equal(result.status, 0, out);
    assert.match(out, new RegExp(`\\$ docker push ${remote('shop-dev', '2.0.0').replace(/\./g, '\\.')}`));
    assert.match(out, /dry run: nothing was built, tagged or pushed/);
    assert.deepEqual(await registry.tags('shop-dev'), []);
    assert.equal(imageIdOf(`shop-dev:${TAG}`), undefined);
    assert.equal(imageIdOf(remote('shop-dev', '2.0.0')), undefined);
  });

  it('all images with latest; a changed Dockerfile is rebuilt before it is pushed', async () => {
    ws.write('apps/shop/docker/dev/Dockerfile', 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo dev-2 > /opt/dev.txt\n');
    const result = nx(['run', 'shop:publish-image', '--tag=1.1.0', '--latest']);
    const out = output(result);
    assert.equal(result.status, 0, out);
    cleanup.push(...['shop-base', 'shop-dev'].flatMap((n) => [remote(n, '1.1.0'), remote(n, 'latest')]));
    assert.deepEqual(await registry.tags('shop-base'), ['1.0.0', '1.1.0', 'latest']);
    assert.deepEqual(await registry.tags('shop-dev'), ['1.1.0', 'latest']);
    pullBack(remote('shop-dev', '1.1.0'));
    assert.equal(docker(['run', '--rm', remote('shop-dev', '1.1.0'), 'cat', '/opt/dev.txt']), 'dev-2');
  });

  it('without --tag the version is what git describes', async () => {
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'dev 2']);
    ws.git(['tag', 'v0.3.0']);
    const result = nx(['run', 'shop:publish-image:base']);
    assert.equal(result.status, 0, output(result));
    cleanup.push(remote('shop-base', 'v0.3.0'));
    assert.deepEqual(await registry.tags('shop-base'), ['1.0.0', '1.1.0', 'latest', 'v0.3.0']);
  });

  it('no registry anywhere is one clear error', () => {
    const result = nx(['run', 'shop:publish-image:base', '--tag=1.0.0', '--registry=none']);
    const out = output(result);
    assert.notEqual(result.status, 0);
    assert.deepEqual(errorLines(out).map((l) => l.trim()), [
      `error: no registry to publish shop-base:${TAG} to (set registry in docker/run.cfg [base] or [DEFAULT], the plugin option registry in nx.json, or --registry)`,
    ]);
  });
});

describe('publish-image to a registry that wants a login', () => {
  let registry: TestRegistry;
  let ws: TestWorkspace;
  let config: string;
  const user = { name: 'alice', password: 'wonderland' };
  const env = () => ({ DOCKCONV_TAG: TAG, DOCKER_CONFIG: config });
  const nx = (args: string[]) => ws.nx([...args, '--output-style=static'], { env: env() });
  const writeAuth = (password: string) =>
    writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [registry.address]: { auth: Buffer.from(`${user.name}:${password}`).toString('base64') } } }));

  before(async () => {
    ensureEngine();
    registry = await startRegistry({ user });
    config = mkdtempSync(join(tmpdir(), 'dockconv-docker-config-'));
    ws = createWorkspace(files(registry.address), { git: true });
  });

  after(() => {
    removeImages([`shop-base:${TAG}`, `${registry.address}/shop-base:1.0.0`]);
    registry.stop();
    ws.remove();
    rmSync(config, { recursive: true, force: true });
  });

  const refused = (pattern: RegExp) => {
    const result = nx(['run', 'shop:publish-image:base', '--tag=1.0.0']);
    const out = output(result);
    assert.notEqual(result.status, 0, out);
    const errors = errorLines(out);
    assert.equal(errors.length, 1, out);
    assert.match(errors[0] ?? '', pattern);
    assert.ok(!/unauthorized: authentication required|no basic auth credentials/.test(out), 'docker’s own message is replaced by ours');
    assert.equal(imageIdOf(`${registry.address}/shop-base:1.0.0`), undefined, 'the registry tag it added is taken back');
  };

  it('no credentials: one line saying a login is needed and where credentials are read from', async () => {
    refused(new RegExp(`push of ${registry.address.replace(/\./g, '\\.')}/shop-base:1\\.0\\.0 refused: \\S+ needs a login .*run \`docker login ${registry.address.replace(/\./g, '\\.')}\` \\(credentials are read from ${config}/config\\.json`));
    assert.deepEqual(await registry.tags('shop-base'), []);
  });

  it('wrong credentials: one line saying the registry rejected them', async () => {
    writeAuth('wrong');
    refused(/refused: \S+ rejected the credentials \(check the login for/);
    assert.deepEqual(await registry.tags('shop-base'), []);
  });

  it('right credentials from the docker config: pushed', async () => {
    writeAuth(user.password);
    const result = nx(['run', 'shop:publish-image:base', '--tag=1.0.0']);
    assert.equal(result.status, 0, output(result));
    assert.deepEqual(await registry.tags('shop-base'), ['1.0.0']);
  });
});
