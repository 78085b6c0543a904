/**
 * Builds shared between machines through a real registry: two clones of one workspace, each on
 * its own engine (the second engine stands for the second machine). Machine B takes every image
 * machine A built by pulling it, builds nothing, and rebuilds only what it changes itself. A
 * machine that may only pull leaves the registry as it was; publishing rebuilds what was pulled.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtRefs, isBuild, loggingDocker } from './helpers/docker-log';
import { docker, ensureEngine, removeImages } from './helpers/engine';
import { startRegistry, type TestRegistry } from './helpers/registry';
import { startSecondEngine, type SecondEngine } from './helpers/second-engine';
import { cloneWorkspace, createWorkspace, output, projectJson, type TestWorkspace } from './helpers/workspace';

const TAG = `share${Date.now().toString(36)}`;
const IMAGES = ['shop-base', 'shop-worker', 'report-job'];
const ref = (image: string) => `${image}:${TAG}`;

const files = (): Record<string, string> => ({
  'apps/shop/project.json': projectJson('shop'),
  'apps/shop/src/data.txt': 'data-1\n',
  'apps/shop/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nRUN echo base > /base.txt\n',
  'apps/shop/docker/worker/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY src/data.txt /data.txt\nRUN echo A > /state.txt\nCMD ["cat", "/state.txt"]\n',
  'libs/report/project.json': projectJson('report'),
  'libs/report/docker/job/Dockerfile': 'ARG TAG\nFROM shop-base:${TAG}\nRUN echo job > /job.txt\n',
});

describe('builds shared between two machines through a registry', () => {
  const spy = loggingDocker();
  let registry: TestRegistry;
  let machineB: SecondEngine;
  let a: TestWorkspace;
  let b: TestWorkspace;
  const onB = (args: string[]) => machineB.docker(args);
  // Machine B's own user cache: what a machine built itself is recorded there.
  const bCache = mkdtempSync(join(tmpdir(), 'dockconv-machine-b-'));
  const onMachineB = (): NodeJS.ProcessEnv => ({ DOCKER_HOST: machineB.host, XDG_CACHE_HOME: bCache });
  const idOn = (run: (args: string[]) => string, image: string) => run(['image', 'inspect', '--format', '{{.Id}}', ref(image)]);
  const layersOnB = (image: string) => JSON.parse(onB(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref(image)])) as string[];

  /** Runs nx and returns the images (without tag) it ran `docker build` for, sorted. */
  function builds(ws: TestWorkspace, args: string[], env: NodeJS.ProcessEnv = {}): { built: string[]; out: string } {
    spy.reset();
    const result = ws.nx([...args, '--output-style=static'], { env: { DOCKCONV_DOCKER: spy.path, ...env } });
    assert.equal(result.status, 0, output(result));
    const built = builtRefs(spy.calls()).filter((r) => r.endsWith(`:${TAG}`)).map((r) => r.slice(0, -TAG.length - 1));
    return { built: built.sort(), out: output(result) };
  }

  before(async () => {
    ensureEngine();
    registry = await startRegistry();
    machineB = await startSecondEngine();
    machineB.clear();
    onB(['load', '-i', busyboxArchive()]);
    a = createWorkspace(files(), { git: true, plugins: [{ plugin: '@dockconv/nx', options: { tag: TAG, sharedRegistry: registry.address } }] });
    b = cloneWorkspace(a);
  });

  after(async () => {
    removeImages(IMAGES.map(ref));
    machineB.clear();
    await machineB.stop();
    registry.stop();
    rmSync(bCache, { recursive: true, force: true });
    a.remove();
    b.remove();
  });

  it('machine A builds and shares; machine B pulls every image (A’s IDs), builds nothing, and runs it', async () => {
    removeImages(IMAGES.map(ref));
    const onA = builds(a, ['run-many', '-t', 'docker-build']);
    assert.deepEqual(onA.built, ['report-job', 'shop-base', 'shop-worker'], onA.out);
    for (const image of IMAGES) assert.equal((await registry.tags(image)).filter((t) => t.startsWith('inputs-')).length, 1, `${image} shared by its inputs`);

    const onBRun = builds(b, ['run-many', '-t', 'docker-build'], onMachineB());
    assert.deepEqual(onBRun.built, [], onBRun.out);
    for (const image of IMAGES) assert.equal(idOn(onB, image), idOn(docker, image), `${image} on B is A's image`);
    assert.match(onBRun.out, /shop-worker:\S+ pulled from 127\.0\.0\.1:\d+/);
    const run = b.nx(['run', 'shop:docker-run:worker', '--output-style=static'], { env: onMachineB() });
    assert.equal(run.status, 0, output(run));
    assert.match(output(run), /^A$/m);
    // Nothing left under the registry's names on B: only the references the workspace uses.
    assert.doesNotMatch(onB(['image', 'ls', '--format', '{{.Repository}}']), /127\.0\.0\.1/);
  });

  it('a change on machine B rebuilds that one image only; its unchanged steps come from A’s layers under BuildKit', () => {
    const before = layersOnB('shop-worker');
    b.write('apps/shop/docker/worker/Dockerfile', b.read('apps/shop/docker/worker/Dockerfile').replace('echo A', 'echo B'));
    const changed = builds(b, ['run-many', '-t', 'docker-build'], onMachineB());
    assert.deepEqual(changed.built, ['shop-worker'], changed.out);
    assert.equal(onB(['run', '--rm', ref('shop-worker')]), 'B');
    const after = layersOnB('shop-worker');
    assert.deepEqual(after.slice(0, 2), before.slice(0, 2), 'built on the pulled base');
    // The COPY layer: B's checkout has other file times, so only a cache hit gives A's layer.
    if (changed.out.includes('--cache-from')) assert.equal(after[2], before[2], changed.out);
    assert.deepEqual(builds(b, ['run-many', '-t', 'docker-build'], onMachineB()).built, []);
  });

  it('a registry that cannot be reached costs a warning and a local build, not a failed task', () => {
    machineB.clear();
    onB(['load', '-i', busyboxArchive()]);
    const offline = builds(b, ['run', 'shop:docker-build-base', '--sharedRegistry=127.0.0.1:9'], onMachineB());
    assert.deepEqual(offline.built, ['shop-base'], offline.out);
    assert.match(offline.out, /warning: cannot pull from 127\.0\.0\.1:9: .*; building here/);
    assert.match(offline.out, /warning: not shared: push of 127\.0\.0\.1:9\/shop-base:inputs-[0-9a-f]{64} failed: cannot reach 127\.0\.0\.1:9/);
  });

  it('a pull-only machine pulls what is shared, builds its own change, pushes nothing: the registry’s tags are as they were', async () => {
    machineB.clear();
    onB(['load', '-i', busyboxArchive()]);
    b.write('apps/shop/docker/worker/Dockerfile', b.read('apps/shop/docker/worker/Dockerfile').replace(/echo \w+ >/, 'echo C >'));
    const tagsBefore = await Promise.all(IMAGES.map((i) => registry.tags(i)));
    const pullOnly = builds(b, ['run-many', '-t', 'docker-build'], { ...onMachineB(), DOCKCONV_SHARED_PUSH: 'false' });
    assert.deepEqual(pullOnly.built, ['shop-worker'], pullOnly.out);
    assert.match(pullOnly.out, /shop-base:\S+ pulled from 127\.0\.0\.1:\d+/);
    assert.match(pullOnly.out, /report-job:\S+ pulled from 127\.0\.0\.1:\d+/);
    // Six tasks (three images, two aggregates… each its own process): one line for the run.
    assert.equal(pullOnly.out.match(/pull-only/g)?.length, 1, pullOnly.out);
    assert.match(pullOnly.out, /shared builds: pull-only \(DOCKCONV_SHARED_PUSH=false\)/);
    assert.deepEqual(spy.calls().filter((c) => c.startsWith('push ')), [], pullOnly.out);
    assert.deepEqual(await Promise.all(IMAGES.map((i) => registry.tags(i))), tagsBefore);
    assert.equal(onB(['run', '--rm', ref('shop-worker')]), 'C');
  });

  it('publishing pushes what this machine built: a pulled image is rebuilt here first, unless trustShared accepts it, and the output says which', async () => {
    // On B now: shop-base and report-job as pulled from A, shop-worker built here.
    const accepted = builds(b, ['run', 'report:publish-image:job', '--tag=rel1', `--registry=${registry.address}`, '--trustShared'], onMachineB());
    assert.deepEqual(accepted.built, [], accepted.out);
    assert.match(accepted.out, /report-job:\S+ \(sha256:[0-9a-f]{12}\): shop-base:\S+, report-job:\S+ were not built on this machine .*published as it is because of trustShared/);
    assert.ok((await registry.tags('report-job')).includes('rel1'));

    const pulledBase = idOn(onB, 'shop-base');
    const rebuilt = builds(b, ['run', 'shop:publish-image:base', '--tag=rel1', `--registry=${registry.address}`], onMachineB());
    assert.deepEqual(rebuilt.built, ['shop-base'], rebuilt.out);
    assert.match(rebuilt.out, /shop-base:\S+ \(sha256:[0-9a-f]{12}\) has these inputs but was not built on this machine: rebuilding it here without the layer cache/);
    const buildCalls = spy.calls().filter(isBuild);
    assert.ok(buildCalls.length > 0 && buildCalls.every((c) => c.includes('--no-cache')), buildCalls.join('\n'));
    assert.match(rebuilt.out, /shop-base:\S+ \(sha256:[0-9a-f]{12}\): built on this machine, as was every workspace image it derives from/);
    assert.notEqual(idOn(onB, 'shop-base'), pulledBase);
    assert.match((await registry.digest('shop-base', 'rel1')) ?? '', /^sha256:/);
  });

  it('DOCKCONV_SHARED_PUSH that is neither true nor false is one clear error', () => {
    const result = b.nx(['run', 'shop:docker-build-base', '--skip-nx-cache', '--output-style=static'], { env: { ...onMachineB(), DOCKCONV_SHARED_PUSH: 'maybe' } });
    assert.notEqual(result.status, 0);
    assert.match(output(result), /error: DOCKCONV_SHARED_PUSH=maybe is neither true nor false/);
  });

  it('a login that may pull but not push: one warning for the whole run, nothing pushed, every image built', async () => {
    const reader = { name: 'reader', password: 'read-only' };
    const readOnly = await startRegistry({ reader });
    const config = mkdtempSync(join(tmpdir(), 'dockconv-reader-'));
    writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [readOnly.address]: { auth: Buffer.from(`${reader.name}:${reader.password}`).toString('base64') } } }));
    try {
      machineB.clear();
      onB(['load', '-i', busyboxArchive()]);
      const denied = builds(b, ['run-many', '-t', 'docker-build'], { ...onMachineB(), DOCKER_CONFIG: config, DOCKCONV_SHARED_REGISTRY: readOnly.address });
      assert.deepEqual(denied.built, ['report-job', 'shop-base', 'shop-worker'], denied.out);
      const warnings = denied.out.split('\n').filter((l) => /warning:/.test(l));
      assert.equal(warnings.length, 1, denied.out);
      assert.match(warnings[0] ?? '', /not shared: push of 127\.0\.0\.1:\d+\/shop-base:inputs-[0-9a-f]{64} refused: access to the repository is denied .*no more pushes to 127\.0\.0\.1:\d+ in this run/);
      assert.equal(spy.calls().filter((c) => c.startsWith('push ')).length, 1, 'pushes stop at the first refusal');
      for (const image of IMAGES) assert.deepEqual(await readOnly.tags(image), []);
    } finally {
      readOnly.stop();
      rmSync(config, { recursive: true, force: true });
    }
  });
});

let archive: string | undefined;
function busyboxArchive(): string {
  if (!archive) {
    archive = `/tmp/dockconv-share-busybox-${process.pid}.tar`;
    docker(['save', '-o', archive, 'dockconv-busybox:latest']);
  }
  return archive;
}
