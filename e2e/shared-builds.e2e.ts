/**
 * Builds shared between machines through a real registry: two clones of one workspace, each on
 * its own engine (the second engine stands for the second machine). Machine B takes every image
 * machine A built by pulling it, builds nothing, and rebuilds only what it changes itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtRefs, loggingDocker } from './helpers/docker-log';
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
    a.remove();
    b.remove();
  });

  it('machine A builds and shares; machine B pulls every image (A’s IDs), builds nothing, and runs it', async () => {
    removeImages(IMAGES.map(ref));
    const onA = builds(a, ['run-many', '-t', 'docker-build']);
    assert.deepEqual(onA.built, ['report-job', 'shop-base', 'shop-worker'], onA.out);
    for (const image of IMAGES) assert.equal((await registry.tags(image)).filter((t) => t.startsWith('inputs-')).length, 1, `${image} shared by its inputs`);

    const onBRun = builds(b, ['run-many', '-t', 'docker-build'], { DOCKER_HOST: machineB.host });
    assert.deepEqual(onBRun.built, [], onBRun.out);
    for (const image of IMAGES) assert.equal(idOn(onB, image), idOn(docker, image), `${image} on B is A's image`);
    assert.match(onBRun.out, /shop-worker:\S+ pulled from 127\.0\.0\.1:\d+/);
    const run = b.nx(['run', 'shop:docker-run:worker', '--output-style=static'], { env: { DOCKER_HOST: machineB.host } });
    assert.equal(run.status, 0, output(run));
    assert.match(output(run), /^A$/m);
    // Nothing left under the registry's names on B: only the references the workspace uses.
    assert.doesNotMatch(onB(['image', 'ls', '--format', '{{.Repository}}']), /127\.0\.0\.1/);
  });

  it('a change on machine B rebuilds that one image only; its unchanged steps come from A’s layers under BuildKit', () => {
    const before = layersOnB('shop-worker');
    b.write('apps/shop/docker/worker/Dockerfile', b.read('apps/shop/docker/worker/Dockerfile').replace('echo A', 'echo B'));
    const changed = builds(b, ['run-many', '-t', 'docker-build'], { DOCKER_HOST: machineB.host });
    assert.deepEqual(changed.built, ['shop-worker'], changed.out);
    assert.equal(onB(['run', '--rm', ref('shop-worker')]), 'B');
    const after = layersOnB('shop-worker');
    assert.deepEqual(after.slice(0, 2), before.slice(0, 2), 'built on the pulled base');
    // The COPY layer: B's checkout has other file times, so only a cache hit gives A's layer.
    if (changed.out.includes('--cache-from')) assert.equal(after[2], before[2], changed.out);
    assert.deepEqual(builds(b, ['run-many', '-t', 'docker-build'], { DOCKER_HOST: machineB.host }).built, []);
  });

  it('a registry that cannot be reached costs a warning and a local build, not a failed task', () => {
    machineB.clear();
    onB(['load', '-i', busyboxArchive()]);
    const offline = builds(b, ['run', 'shop:docker-build-base', '--sharedRegistry=127.0.0.1:9'], { DOCKER_HOST: machineB.host });
    assert.deepEqual(offline.built, ['shop-base'], offline.out);
    assert.match(offline.out, /warning: cannot pull from 127\.0\.0\.1:9: .*; building here/);
    assert.match(offline.out, /warning: not shared: push of 127\.0\.0\.1:9\/shop-base:inputs-[0-9a-f]{64} failed: cannot reach 127\.0\.0\.1:9/);
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
