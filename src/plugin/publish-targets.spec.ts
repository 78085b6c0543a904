import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { loadTree, tempTree } from '../testing/temp-tree';
import { normalizePluginOptions } from './options';
import { releaseConfig, releaseContextOf, VERSION_ACTIONS, withTechnology } from './release';
import { dockerTargets } from './targets';

function targets(pluginOptions = {}) {
  const ws = loadTree({ 'p/docker/base/Dockerfile': 'FROM debian:12\n', 'p/docker/dev/Dockerfile': 'FROM p-base:x\n' }, [['p', 'p']]);
  const p = ws.projects.get('p');
  assert.ok(p);
  return dockerTargets(p, ws.graph, normalizePluginOptions(pluginOptions));
}

describe('publish targets', () => {
  it('publish-image has a configuration per built image and is never cached', () => {
    const publish = targets()['publish-image'];
    assert.equal(publish?.executor, '@dockconv/nx:publish');
    assert.deepEqual(publish?.configurations, { base: { image: 'base' }, dev: { image: 'dev' } });
    assert.equal(publish?.cache, false);
    assert.ok(targets({ publishTargetName: 'push' })['push']);
  });

  it('nx-release-publish publishes the release version', () => {
    const release = targets()['nx-release-publish'];
    assert.deepEqual(release?.options, { release: true });
    assert.deepEqual(release?.dependsOn, ['^nx-release-publish']);
    assert.equal(release?.cache, false);
  });
});

describe('nx release inference', () => {
  it('docker-only projects get version actions that need no manifest; a package.json version keeps Nx’s', () => {
    const root = tempTree({ 'a/docker/x/Dockerfile': 'FROM s\n', 'b/package.json': '{"name":"b","version":"1.0.0"}', 'c/package.json': '{"name":"c"}' });
    try {
      assert.deepEqual(releaseConfig(`${root}/a`), {
        version: { versionActions: VERSION_ACTIONS, currentVersionResolver: 'git-tag', fallbackCurrentVersionResolver: 'disk' },
      });
      assert.equal(releaseConfig(`${root}/b`), undefined);
      assert.ok(releaseConfig(`${root}/c`));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('release.docker anywhere in nx.json renames the docker technology, so Nx core leaves our projects to their version actions', () => {
    assert.equal(releaseContextOf({}).dockerRelease, false);
    assert.equal(releaseContextOf({ release: { docker: { skipVersionActions: true } } }).dockerRelease, true);
    assert.equal(releaseContextOf({ release: { groups: { images: { docker: true } } } }).dockerRelease, true);
    const all = targets();
    const renamed = withTechnology(all, { dockerRelease: true });
    assert.deepEqual(Object.keys(renamed), Object.keys(all));
    for (const target of Object.values(renamed)) assert.ok(!target.metadata?.technologies?.includes('docker'));
    assert.deepEqual(renamed['docker-build']?.metadata?.technologies, ['dockconv']);
    assert.equal(withTechnology(all, { dockerRelease: false }), all);
  });
});
