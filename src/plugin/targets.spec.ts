import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadTree } from '../testing/temp-tree';
import { normalizePluginOptions } from './options';
import { brokenTargets, dockerTargets } from './targets';

function targetsFor(project: string, pluginOptions = {}) {
  const ws = loadTree(
    {
      'p/docker/base/Dockerfile': 'FROM debian:12\nCOPY requirements.txt /r\n',
      'p/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nARG VERSION\nFROM ${BASE_IMAGE}\nCOPY . /app\n',
      'p/docker/run.cfg': '[run_image]\nsynthetic_images = shell\n[shell]\nname = dev\n',
      'q/docker/job/Dockerfile': 'FROM p-base:x\nCOPY src/ ./src/\n',
    },
    [['p', 'p'], ['q', 'q']],
  );
  const docker = ws.projects.get(project);
  assert.ok(docker);
  return dockerTargets(docker, ws.graph, normalizePluginOptions(pluginOptions));
}

describe('dockerTargets', () => {
  it('one cacheable task per image, parents as dependsOn (also across projects)', () => {
    const p = targetsFor('p');
    const q = targetsFor('q');
    assert.deepEqual(p['docker-build-base']?.dependsOn, []);
    assert.deepEqual(p['docker-build-dev']?.dependsOn, [{ target: 'docker-build-base', params: 'forward' }]);
    assert.deepEqual(q['docker-build-job']?.dependsOn, [{ projects: ['p'], target: 'docker-build-base', params: 'forward' }]);
    assert.equal(p['docker-build-dev']?.cache, true);
    assert.deepEqual(p['docker-build-dev']?.options, { imageType: 'dev' });
  });

  it('the aggregate forwards --image to every per-image task and has a configuration per image', () => {
    const build = targetsFor('p')['docker-build'];
    assert.deepEqual(build?.dependsOn, [
      { target: 'docker-build-base', params: 'forward' },
      { target: 'docker-build-dev', params: 'forward' },
    ]);
    assert.deepEqual(build?.configurations, { base: { image: 'base' }, dev: { image: 'dev' } });
  });

  it('the aggregate is cached on the union of its images\' inputs, each once', () => {
    const p = targetsFor('p');
    const inputs = (target: string) => (p[target]?.inputs ?? []).map((i) => JSON.stringify(i));
    const aggregate = inputs('docker-build');
    assert.equal(p['docker-build']?.cache, true);
    assert.deepEqual([...aggregate].sort(), [...new Set([...inputs('docker-build-base'), ...inputs('docker-build-dev')])].sort());
    assert.equal(aggregate.filter((i) => i.includes('DOCKER_HOST')).length, 1);
  });

  it('inputs: the copied context, the engine address, and git only when the version is consumed', () => {
    const p = targetsFor('p');
    const base = JSON.stringify(p['docker-build-base']?.inputs);
    const dev = JSON.stringify(p['docker-build-dev']?.inputs);
    assert.match(base, /\{projectRoot\}\/requirements\.txt/);
    assert.match(base, /"env":"DOCKER_HOST"/);
    // The engine's state comes in as the image's state variable, set once per command: no per-image command.
    assert.doesNotMatch(base, /docker /);
    assert.match(base, /"env":"DOCKCONV_IMAGE_STATES"/);
    assert.match(base, /"env":"DOCKCONV_IMAGE_STATE_[0-9A-F]{20}"/);
    assert.notEqual(base.match(/DOCKCONV_IMAGE_STATE_\w+/)?.[0], dev.match(/DOCKCONV_IMAGE_STATE_\w+/)?.[0], 'one variable per image');
    assert.doesNotMatch(base, /git describe/);
    assert.match(dev, /\{projectRoot\}\/\*\*\/\*/);
    assert.match(dev, /git describe/);
    assert.match(JSON.stringify(targetsFor('q')['docker-build-job']?.inputs), /\{projectRoot\}\/src\/\*\*\/\*/);
  });

  it('a derived image\'s inputs hold its ancestors\' files, so `nx affected` reaches it from a parent\'s edit', () => {
    const job = (targetsFor('q')['docker-build-job']?.inputs ?? []).map((i) => JSON.stringify(i));
    assert.ok(job.includes('"{workspaceRoot}/p/requirements.txt"'), job.join(' '));
    assert.ok(job.includes('"{workspaceRoot}/p/docker/base/**/*"'), job.join(' '));
    const dev = (targetsFor('p')['docker-build-dev']?.inputs ?? []).map((i) => JSON.stringify(i));
    assert.ok(dev.includes('"{workspaceRoot}/p/docker/base/**/*"'), dev.join(' '));
    const base = JSON.stringify(targetsFor('p')['docker-build-base']?.inputs);
    assert.doesNotMatch(base, /\{workspaceRoot\}/, 'a base image has no ancestors');
  });

  it('docker-run has a configuration per runnable image, synthetic ones included', () => {
    assert.deepEqual(Object.keys(targetsFor('p')['docker-run']?.configurations ?? {}), ['base', 'dev', 'shell']);
  });

  it('target names follow the plugin options', () => {
    const names = Object.keys(targetsFor('q', { buildTargetName: 'image', runTargetName: 'start' }));
    assert.deepEqual(names.sort(), ['gen-version', 'image', 'image-job', 'nx-release-publish', 'publish-image', 'start', 'transfer-image']);
  });
});

describe('a project whose docker/ tree cannot be read', () => {
  it('keeps build and run targets that carry the problem, and gen-version', () => {
    const targets = brokenTargets('bad', 'apps/bad/docker/run.cfg:2: no key', normalizePluginOptions({ buildTargetName: 'img' }));
    assert.deepEqual(Object.keys(targets), ['img', 'docker-run', 'gen-version']);
    assert.equal(targets['img']?.executor, '@dockconv/nx:docker-build');
    assert.match(String(targets['docker-run']?.metadata?.['description']), /^Cannot run bad's Docker images: apps\/bad\/docker\/run\.cfg:2: no key$/);
  });
});
