import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadTree, tempTree } from '../../testing/temp-tree';
import { DockconvError } from '../errors';
import { planProjectPublish } from './index';
import { normaliseRegistry } from '../model/naming';
import { publishTags, resolveRegistry } from './plan';
import { pushedDigest, pushFailure, pushRefused, registryHost } from '../docker/registry-errors';
import { parseReleaseRecord, releaseRecordPath, releaseVersionOf, renderReleaseRecord } from './release-version';

function project(runCfg?: string) {
  const ws = loadTree(
    {
      'p/docker/base/Dockerfile': 'FROM debian:12\n',
      'p/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
      ...(runCfg === undefined ? {} : { 'p/docker/run.cfg': runCfg }),
    },
    [['p', 'p']],
  );
  const p = ws.projects.get('p');
  assert.ok(p);
  return p;
}

const targets = (runCfg: string | undefined, choices: Partial<Parameters<typeof planProjectPublish>[1]> = {}) =>
  planProjectPublish(project(runCfg), { version: '1.0.0', ...choices }).plans.map((p) => [p.image.type, p.source, p.targets]);

describe('planProjectPublish', () => {
  it('pushes every built image under the registry with its local repository name and the version', () => {
    assert.deepEqual(targets('[DEFAULT]\nregistry = 127.0.0.1:5000\n'), [
      ['base', 'p-base:alice', ['127.0.0.1:5000/p-base:1.0.0']],
      ['dev', 'p-dev:alice', ['127.0.0.1:5000/p-dev:1.0.0']],
    ]);
  });

  it('takes the registry from the option, then the image section, then [DEFAULT], then the plugin', () => {
    const cfg = '[DEFAULT]\nregistry = ghcr.io/acme\n[dev]\nregistry = reg.example:443/team\n';
    assert.deepEqual(targets(cfg, { image: 'dev' })[0]?.[2], ['reg.example:443/team/p-dev:1.0.0']);
    assert.deepEqual(targets(cfg, { image: 'base' })[0]?.[2], ['ghcr.io/acme/p-base:1.0.0']);
    assert.deepEqual(targets(cfg, { image: 'dev', registry: 'localhost:5000' })[0]?.[2], ['localhost:5000/p-dev:1.0.0']);
    assert.deepEqual(targets(undefined, { image: 'base', pluginRegistry: 'nx.example' })[0]?.[2], ['nx.example/p-base:1.0.0']);
  });

  it('adds latest and extra tags after the version, once each', () => {
    assert.deepEqual(targets(undefined, { image: 'base', pluginRegistry: 'r.io', latest: true, extraTags: ['stable', 'latest'] })[0]?.[2], [
      'r.io/p-base:1.0.0',
      'r.io/p-base:latest',
      'r.io/p-base:stable',
    ]);
  });

  it('uses the section’s own repository, or --repository for one image', () => {
    assert.deepEqual(targets('[base]\nregistry = r.io\nrepository = acme/base-image\n', { image: 'base' })[0]?.[2], ['r.io/acme/base-image:1.0.0']);
    assert.deepEqual(targets(undefined, { image: 'dev', pluginRegistry: 'r.io', repository: 'x/y' })[0]?.[2], ['r.io/x/y:1.0.0']);
    assert.throws(() => targets(undefined, { pluginRegistry: 'r.io', repository: 'x/y' }), /--repository needs --image/);
  });

  it('a [DEFAULT] repository would push every image to one place: it does not count', () => {
    assert.deepEqual(targets('[DEFAULT]\nregistry = r.io\nrepository = one\n[dev]\n', { image: 'dev' })[0]?.[2], ['r.io/p-dev:1.0.0']);
  });

  it('two images pushed as one reference are an error naming both', () => {
    const cfg = '[DEFAULT]\nregistry = r.io\n[base]\nrepository = same\n[dev]\nrepository = same\n';
    assert.throws(() => targets(cfg), /images base and dev would both be pushed as r\.io\/same:1\.0\.0/);
  });

  it('without any registry it is a clear error, unless the name already holds a registry host', () => {
    assert.throws(() => targets(undefined, { image: 'base' }), (err: unknown) => {
      assert.ok(err instanceof DockconvError);
      assert.match(err.describe(), /no registry to publish p-base:alice to \(set registry in docker\/run\.cfg \[base\] or \[DEFAULT\]/);
      return true;
    });
    assert.deepEqual(targets('[base]\nname = ghcr.io/acme/base\nprefix = false\n', { image: 'base' })[0]?.[2], ['ghcr.io/acme/base:1.0.0']);
    assert.deepEqual(targets('[DEFAULT]\nregistry = r.io\n[base]\nregistry = none\nname = ghcr.io/acme/base\nprefix = false\n', { image: 'base' })[0]?.[2], ['ghcr.io/acme/base:1.0.0']);
  });

  it('refuses images that are not built here, and an unknown image', () => {
    assert.throws(() => targets('[run_image]\nsynthetic_images = sh\n[sh]\nname = dev\n', { image: 'sh', pluginRegistry: 'r.io' }), /sh is a synthetic image of p/);
    assert.throws(() => targets(undefined, { image: 'nope', pluginRegistry: 'r.io' }), /unknown image 'nope'/);
  });

  it('an invalid registry names where it came from', () => {
    assert.throws(() => targets('[base]\nregistry = Not A Host\n', { image: 'base' }), (err: unknown) => {
      assert.ok(err instanceof DockconvError);
      assert.match(err.describe(), /run\.cfg:2: invalid registry 'Not A Host'/);
      return true;
    });
  });
});

describe('registries and tags', () => {
  it('normalises pasted registry addresses', () => {
    assert.equal(normaliseRegistry('https://ghcr.io/acme/'), 'ghcr.io/acme');
    assert.equal(normaliseRegistry('127.0.0.1:5000'), '127.0.0.1:5000');
    assert.equal(normaliseRegistry('none'), undefined);
    assert.equal(normaliseRegistry(' '), undefined);
    assert.throws(() => normaliseRegistry('acme'), /invalid registry 'acme'/);
    assert.throws(() => normaliseRegistry('r.io/Upper'), /invalid registry/);
  });

  it('an empty option still wins over lower layers (it means: no registry)', () => {
    assert.equal(resolveRegistry({ option: 'none', plugin: 'r.io' }), undefined);
    assert.equal(resolveRegistry({ plugin: 'r.io' }), 'r.io');
    assert.equal(resolveRegistry({}), undefined);
  });

  it('makes a version a valid Docker tag and says so', () => {
    assert.deepEqual(publishTags({ version: '1.2.0' }), { tags: ['1.2.0'] });
    const pep440 = publishTags({ version: '1.2.0+3.gabc1234.dirty' });
    assert.deepEqual(pep440.tags, ['1.2.0-3.gabc1234.dirty']);
    assert.match(pep440.versionTagNote ?? '', /version 1\.2\.0\+3\.gabc1234\.dirty is tagged 1\.2\.0-3\.gabc1234\.dirty/);
    assert.throws(() => publishTags({ version: '1', extra: ['-bad'] }), /invalid image tag '-bad'/);
  });
});

describe('push failures', () => {
  const env = { HOME: '/home/u' };
  const line = (stderr: string) => pushFailure('127.0.0.1:5000/p-base:1.0.0', stderr, 1, env).describe();

  it('tells a missing login from wrong credentials, in one line naming the registry and the config', () => {
    assert.equal(
      line('no basic auth credentials'),
      'push of 127.0.0.1:5000/p-base:1.0.0 refused: 127.0.0.1:5000 needs a login and there are no credentials for it (run `docker login 127.0.0.1:5000` (credentials are read from /home/u/.docker/config.json and its credential helpers))',
    );
    assert.match(line('unauthorized: authentication required'), /^push of \S+ refused: 127\.0\.0\.1:5000 rejected the credentials \(check the login for 127\.0\.0\.1:5000 in \/home\/u\/\.docker\/config\.json/);
    assert.match(pushFailure('r.io/x:1', 'unauthorized', 1, { DOCKER_CONFIG: '/cfg' }).describe(), /in \/cfg\/config\.json/);
    assert.ok(!line('unauthorized: authentication required').includes('\n'));
  });

  it('names unreachable registries, denied access and HTTPS mismatches', () => {
    assert.match(line('Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused'), /cannot reach 127\.0\.0\.1:5000/);
    assert.match(line('denied: requested access to the resource is denied'), /access to the repository is denied/);
    assert.match(pushFailure('r.io/x:1', 'http: server gave HTTP response to HTTPS client', 1, env).describe(), /insecure-registries/);
    assert.equal(line('something else\nlast words'), 'push of 127.0.0.1:5000/p-base:1.0.0 failed (exit 1): last words');
  });

  it('tells a refusal (the same answer for every image) from a failure that may pass', () => {
    for (const refused of ['no basic auth credentials', 'unauthorized: authentication required', 'denied: requested access to the resource is denied']) assert.ok(pushRefused(refused), refused);
    for (const passing of ['dial tcp 127.0.0.1:9: connect: connection refused', 'blob upload unknown', '']) assert.ok(!pushRefused(passing), passing);
  });

  it('a digest holding the digits 401 or 403 is no status code: an unreachable registry stays unreachable', () => {
    const stderr = 'failed to do request: Head "https://127.0.0.1:9/v2/p/blobs/sha256:ab401cd403ef": dial tcp 127.0.0.1:9: connect: connection refused';
    assert.ok(!pushRefused(stderr));
    assert.match(pushFailure('127.0.0.1:9/p:1', stderr, 1, {}).describe(), /cannot reach 127\.0\.0\.1:9/);
    assert.ok(pushRefused('unexpected status: 401 Unauthorized'));
    assert.ok(pushRefused('received unexpected HTTP status: 403 Forbidden'));
  });

  it('reads the registry host and the pushed digest', () => {
    assert.equal(registryHost('127.0.0.1:5000/a/b:1'), '127.0.0.1:5000');
    assert.equal(registryHost('acme/app:1'), 'docker.io');
    assert.equal(registryHost('localhost/app:1'), 'localhost');
    const digest = `sha256:${'a'.repeat(64)}`;
    assert.equal(pushedDigest(`abc: Pushed\n1.0.0: digest: ${digest} size: 527`), digest);
    assert.equal(pushedDigest('nothing'), undefined);
  });
});

describe('release versions', () => {
  it('prefers the version data nx release passes, and skips a project it gives no new version', () => {
    const base = { project: 'p', projectRoot: 'p', workspaceRoot: '/nowhere' };
    assert.deepEqual(releaseVersionOf({ ...base, versionData: { p: { newVersion: '1.2.0' } } }), { version: '1.2.0', from: 'nx release' });
    assert.deepEqual(releaseVersionOf({ ...base, versionData: { p: { newVersion: null } } }), { skip: 'nx release resolved no new version for p' });
    assert.throws(() => releaseVersionOf(base), (err: unknown) => err instanceof DockconvError && /^no release version for p \(run nx release version first/.test(err.describe()));
  });

  it('then what nx release version recorded, then package.json', () => {
    const root = tempTree({
      [releaseRecordPath('a')]: renderReleaseRecord('2.0.0'),
      'b/package.json': JSON.stringify({ name: 'b', version: '3.1.0' }),
      [releaseRecordPath('c')]: '{"version": 4}',
    });
    try {
      assert.deepEqual(releaseVersionOf({ project: 'a', projectRoot: 'a', workspaceRoot: root }), { version: '2.0.0', from: 'nx release version' });
      assert.deepEqual(releaseVersionOf({ project: 'b', projectRoot: 'b', workspaceRoot: root }), { version: '3.1.0', from: 'package.json' });
      assert.throws(() => releaseVersionOf({ project: 'c', projectRoot: 'c', workspaceRoot: root }), (err: unknown) => {
        assert.ok(err instanceof DockconvError);
        assert.equal(err.describe(), `${join(root, releaseRecordPath('c'))}: holds no version (run nx release version again)`);
        return true;
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('records round-trip', () => {
    assert.deepEqual(parseReleaseRecord(renderReleaseRecord('1.0.0-rc.1'), 'f'), { version: '1.0.0-rc.1' });
    assert.throws(() => parseReleaseRecord('nope', 'f'), (err: unknown) => err instanceof DockconvError && err.describe() === 'f: is not valid JSON (run nx release version again)');
  });
});
