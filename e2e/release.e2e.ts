/**
 * `nx release` with image projects, against a real registry: `nx release version` then
 * `nx release publish` pushes every project's images at the release version (docker-only
 * projects included), `--dry-run` pushes and records nothing, and a workspace that also has
 * @nx/docker projects and `release.docker` releases both kinds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, ensureEngine, isBuiltOn, REPO_ROOT, removeImages } from './helpers/engine';
import { startRegistry, type TestRegistry } from './helpers/registry';
import { createWorkspace, output, projectJson, type TestWorkspace } from './helpers/workspace';

const TAG = `e2e${Date.now().toString(36)}`;
const NX_DOCKER = `@nx/docker@${(JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/@nx/docker/package.json'), 'utf8')) as { version: string }).version}`;

function pulledDigest(ref: string): string | undefined {
  removeImages([ref]);
  return /Digest: (sha256:[0-9a-f]{64})/.exec(docker(['pull', ref]))?.[1];
}

describe('nx release with two image projects', () => {
  let registry: TestRegistry;
  let ws: TestWorkspace;
  const env = { DOCKCONV_TAG: TAG };
  const nx = (args: string[]) => ws.nx(args, { env });
  const ok = (args: string[]) => {
    const result = nx(args);
    assert.equal(result.status, 0, output(result));
    return output(result);
  };
  const pushed: string[] = [];

  before(async () => {
    ensureEngine();
    registry = await startRegistry();
    ws = createWorkspace(
      {
        'apps/api/project.json': projectJson('api'),
        'apps/api/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nRUN echo api > /api.txt\n',
        'apps/web/project.json': projectJson('web'),
        'apps/web/docker/app/Dockerfile': 'ARG TAG\nFROM api-base:${TAG}\nRUN echo web > /web.txt\n',
      },
      {
        git: true,
        plugins: [{ plugin: '@dockconv/nx', options: { registry: '__REGISTRY__' } }],
        nxJson: { release: { projects: ['api', 'web'] } },
      },
    );
    ws.write('nx.json', ws.read('nx.json').replace('__REGISTRY__', registry.address));
    ws.git(['commit', '-qam', 'registry']);
  });

  after(() => {
    removeImages([`api-base:${TAG}`, `web-app:${TAG}`, ...pushed]);
    registry.stop();
    ws.remove();
  });

  it('nx release version 1.2.0, then nx release publish pushes each project’s images at 1.2.0', async () => {
    const versioned = ok(['release', 'version', '1.2.0']);
    assert.match(versioned, /New version 1\.2\.0 recorded for publishing the images in dist\/dockconv\/apps\/api\/release-version\.json/);
    const published = ok(['release', 'publish']);
    pushed.push(`${registry.address}/api-base:1.2.0`, `${registry.address}/web-app:1.2.0`);
    assert.match(published, /publishing api 1\.2\.0 \(from nx release version\)/);
    assert.deepEqual(await registry.tags('api-base'), ['1.2.0']);
    assert.deepEqual(await registry.tags('web-app'), ['1.2.0']);
    for (const repository of ['api-base', 'web-app']) {
      assert.equal(pulledDigest(`${registry.address}/${repository}:1.2.0`), await registry.digest(repository, '1.2.0'));
    }
    // web publishes after api (its image derives from api's), so api's base was not rebuilt under it.
    assert.ok(published.indexOf('publishing api') < published.indexOf('publishing web'), published);
    assert.ok(isBuiltOn(`${registry.address}/web-app:1.2.0`, `api-base:${TAG}`), 'web-app 1.2.0 is built on the current api-base');
  });

  it('nx release --dry-run pushes nothing and records nothing', async () => {
    const out = ok(['release', '1.3.0', '--dry-run', '--yes', '--first-release']);
    assert.match(out, /\$ docker push \S+\/web-app:1\.3\.0/);
    assert.deepEqual(await registry.tags('api-base'), ['1.2.0']);
    assert.deepEqual(await registry.tags('web-app'), ['1.2.0']);
    assert.match(ws.read('dist/dockconv/apps/api/release-version.json'), /"1\.2\.0"/);
    assert.equal(ws.git(['tag']), '');
  });

  it('nx release publish --dry-run pushes nothing either', async () => {
    const out = ok(['release', 'publish', '--dry-run']);
    assert.match(out, /dry run: nothing was built, tagged or pushed/);
    assert.deepEqual(await registry.tags('web-app'), ['1.2.0']);
  });
});

describe('nx release in a workspace mixing @nx/docker projects (release.docker) and ours', () => {
  let registry: TestRegistry;
  let ws: TestWorkspace;
  const env = { DOCKCONV_TAG: TAG };

  before(async () => {
    ensureEngine();
    registry = await startRegistry();
    ws = createWorkspace(
      {
        'apps/shop/project.json': projectJson('shop'),
        'apps/shop/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nRUN echo shop > /shop.txt\n',
        'apps/legacy/project.json': projectJson('legacy'),
        'apps/legacy/Dockerfile': 'FROM dockconv-busybox:latest\nRUN echo legacy > /legacy.txt\n',
      },
      {
        git: true,
        packages: [NX_DOCKER],
        // @nx/docker makes a project of every folder holding a Dockerfile: ours live in docker/<image>/.
        plugins: [{ plugin: '@nx/docker', exclude: ['**/docker/*/Dockerfile'] }, { plugin: '@dockconv/nx', options: { registry: '__REGISTRY__' } }],
        nxJson: {
          release: {
            projects: ['shop', 'legacy'],
            projectsRelationship: 'independent',
            // legacy has no manifest either; @nx/js is not installed, so it borrows ours (its own versioning is skipped).
            version: { versionActions: '@dockconv/nx/dist/release/version-actions' },
            docker: { registryUrl: '__REGISTRY__', skipVersionActions: ['legacy'] },
          },
        },
      },
    );
    ws.write('nx.json', ws.read('nx.json').replaceAll('__REGISTRY__', registry.address));
    ws.write('.gitignore', `${ws.read('.gitignore')}tmp\n`);
    ws.git(['commit', '-qam', 'registry']);
  });

  after(() => {
    removeImages([`shop-base:${TAG}`, 'apps-legacy:latest', `${registry.address}/shop-base:1.2.0`, `${registry.address}/apps-legacy:1.2.0`]);
    registry.stop();
    ws.remove();
  });

  it('versions and publishes both kinds: @nx/docker tags its image, ours records the version', async () => {
    const versioned = ws.nx(['release', 'version', '1.2.0', '--dockerVersion=1.2.0'], { env });
    assert.equal(versioned.status, 0, output(versioned));
    assert.match(output(versioned), /legacy\S* Image tagged with \S+\/apps-legacy:1\.2\.0/);
    assert.match(output(versioned), /New version 1\.2\.0 recorded for publishing the images in dist\/dockconv\/apps\/shop\/release-version\.json/);
    assert.doesNotMatch(output(versioned), /apps-shop/);
    const published = ws.nx(['release', 'publish'], { env });
    assert.equal(published.status, 0, output(published));
    assert.deepEqual(await registry.tags('apps-legacy'), ['1.2.0']);
    assert.deepEqual(await registry.tags('shop-base'), ['1.2.0']);
  });
});
