/**
 * The publish-image command from the packed package, in a plain folder without Nx, against a
 * real registry (Debian's docker-registry on loopback) and a real engine: missing and stale
 * images are built before they are pushed, the registry lists what was pushed, a dry run pushes
 * nothing, and each bad input is one error line with a non-zero exit.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BUSYBOX_IMAGE, docker, ensureEngine, imageIdOf, removeImages } from './helpers/engine';
import { startRegistry, type TestRegistry } from './helpers/registry';
import { e2eEnv, output, workspaceTemplate } from './helpers/workspace';

const TAG = `clipub${Date.now().toString(36)}`;
const FOLDER = 'Pub_Proj';
const PROJECT = 'pub_proj';

const files = (registry: string): Record<string, string> => ({
  'docker/base/Dockerfile': `FROM ${BUSYBOX_IMAGE}\nRUN mkdir -p /opt && echo base > /opt/base.txt\n`,
  'docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo dev-1 > /opt/dev.txt\n',
  'docker/run.cfg': `[DEFAULT]\nregistry = ${registry}\n`,
});

function writeFiles(root: string, tree: Record<string, string>): void {
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const errorLines = (text: string) => text.split('\n').filter((l) => /error: /.test(l));
const builds = (text: string) => [...text.matchAll(/^\[\S+\] \$ .*docker build .*-t (\S+) /gm)].map((m) => m[1]);
/** A docker command as printed: `[project:image] $ docker …`. */
const command = (text: string) => new RegExp(`^\\[\\S+\\] \\$ docker ${escape(text)}$`, 'm');

describe('publish-image in a plain folder', () => {
  let registry: TestRegistry;
  let parent = '';
  let root = '';
  let config = '';
  const local = (type: string) => `${PROJECT}-${type}:${TAG}`;
  const remote = (repository: string, tag: string) => `${registry.address}/${repository}:${tag}`;
  const made: string[] = [local('base'), local('dev'), `pub-custom:${TAG}`];

  before(async () => {
    ensureEngine();
    registry = await startRegistry();
    parent = mkdtempSync(join(tmpdir(), 'dockconv-cli-publish-'));
    root = join(parent, FOLDER);
    config = join(parent, 'docker-config');
    mkdirSync(config);
    writeFiles(root, files(registry.address));
    const git = (args: string[]) => execFileSync('git', args, { cwd: root, env: e2eEnv(), stdio: 'ignore' });
    git(['init', '-q', '-b', 'main']);
    git(['add', '-A']);
    git(['commit', '-qm', 'initial']);
    git(['tag', 'v1.2.3']);
  });
  after(() => {
    removeImages(made);
    registry.stop();
    rmSync(parent, { recursive: true, force: true });
  });

  function publish(args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
    const bin = join(workspaceTemplate(), 'node_modules/.bin/publish-image');
    return spawnSync(bin, args, { cwd: root, encoding: 'utf8', env: e2eEnv({ DOCKCONV_TAG: TAG, ...env }), input: '' });
  }

  it('--dryrun prints the builds, tags and pushes it would run, and runs none', async () => {
    const result = publish(['dev', '--dryrun', '--latest']);
    const out = output(result);
    assert.equal(result.status, 0, out);
    assert.deepEqual(builds(out), [local('base'), local('dev')], out);
    assert.match(out, command(`tag ${local('dev')} ${remote(`${PROJECT}-dev`, 'v1.2.3')}`));
    assert.match(out, command(`push ${remote(`${PROJECT}-dev`, 'latest')}`));
    assert.match(out, /dry run: nothing was built, tagged or pushed/);
    assert.equal(imageIdOf(local('dev')), undefined);
    assert.deepEqual(await registry.tags(`${PROJECT}-dev`), []);
  });

  it('dev: builds the base it derives from and dev, then pushes dev under the version git describes', async () => {
    const result = publish(['dev']);
    const out = output(result);
    assert.equal(result.status, 0, out);
    const ref = remote(`${PROJECT}-dev`, 'v1.2.3');
    made.push(ref);
    assert.deepEqual(builds(out), [local('base'), local('dev')], out);
    assert.match(out, command(`tag ${local('dev')} ${ref}`));
    assert.match(out, command(`push ${ref}`));
    assert.deepEqual(await registry.tags(`${PROJECT}-dev`), ['v1.2.3']);
    assert.deepEqual(await registry.tags(`${PROJECT}-base`), [], 'only the image asked for is pushed');
    const pushed = /pushed \S+ \((sha256:[0-9a-f]{64})\)/.exec(out)?.[1];
    assert.ok(pushed, out);
    assert.equal(await registry.digest(`${PROJECT}-dev`, 'v1.2.3'), pushed);
  });

  it('all --tag --latest: current images are not rebuilt, a changed Dockerfile is, before the push', async () => {
    writeFiles(root, { 'docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo dev-2 > /opt/dev.txt\n' });
    const result = publish(['all', '--tag', '2.0.0', '--latest']);
    const out = output(result);
    assert.equal(result.status, 0, out);
    made.push(...['base', 'dev'].flatMap((t) => [remote(`${PROJECT}-${t}`, '2.0.0'), remote(`${PROJECT}-${t}`, 'latest')]));
    assert.deepEqual(builds(out), [local('dev')], out);
    assert.deepEqual(await registry.tags(`${PROJECT}-base`), ['2.0.0', 'latest']);
    assert.deepEqual(await registry.tags(`${PROJECT}-dev`), ['2.0.0', 'latest', 'v1.2.3']);
    const ref = remote(`${PROJECT}-dev`, '2.0.0');
    removeImages([ref]);
    docker(['pull', ref]);
    assert.equal(docker(['run', '--rm', ref, 'cat', '/opt/dev.txt']), 'dev-2');
  });

  it('-i names the image (built and pushed under it); --repository and --tags place it', async () => {
    const named = publish(['-i', 'pub-custom', 'base', '--tag', '3.0.0', '--tags', 'stable']);
    assert.equal(named.status, 0, output(named));
    made.push(remote('pub-custom', '3.0.0'), remote('pub-custom', 'stable'));
    assert.ok(imageIdOf(`pub-custom:${TAG}`), 'built under the given name');
    assert.deepEqual(await registry.tags('pub-custom'), ['3.0.0', 'stable']);
    const placed = publish(['base', '--tag', '3.0.0', '--repository', 'team/base-image']);
    assert.equal(placed.status, 0, output(placed));
    made.push(remote('team/base-image', '3.0.0'));
    assert.deepEqual(await registry.tags('team/base-image'), ['3.0.0']);
  });

  it('an unknown image is a usage error naming the choices (exit 2)', () => {
    const result = publish(['nope']);
    assert.equal(result.status, 2, output(result));
    assert.deepEqual(errorLines(output(result)), ["publish-image: error: argument image: invalid choice: 'nope' (choose from 'all', 'base', 'dev')"]);
  });

  it('no registry anywhere is one error line (exit 1)', () => {
    const result = publish(['base', '--tag', '1.0.0', '-r', 'none']);
    assert.equal(result.status, 1, output(result));
    const errors = errorLines(output(result));
    assert.equal(errors.length, 1, output(result));
    assert.match(errors[0] ?? '', new RegExp(`^error: no registry to publish ${escape(local('base'))} to \\(set registry in docker/run\\.cfg \\[base\\] or \\[DEFAULT\\].*--registry\\)$`));
  });

  it('an unreachable registry is one error line (exit 1), with no tag left behind', () => {
    const target = `127.0.0.1:1/${PROJECT}-base:1.0.0`;
    const result = publish(['base', '--tag', '1.0.0', '--registry', '127.0.0.1:1']);
    assert.equal(result.status, 1, output(result));
    const errors = errorLines(output(result));
    assert.equal(errors.length, 1, output(result));
    assert.match(errors[0] ?? '', new RegExp(`^error: push of ${escape(target)} failed: cannot reach 127\\.0\\.0\\.1:1 `));
    assert.equal(imageIdOf(target), undefined);
  });

  describe('a registry that wants a login', () => {
    let locked: TestRegistry;
    const user = { name: 'alice', password: 'wonderland' };
    before(async () => {
      locked = await startRegistry({ user });
    });
    after(() => {
      removeImages([`${locked.address}/${PROJECT}-base:1.0.0`]);
      locked.stop();
    });
    const writeAuth = (password: string) =>
      writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [locked.address]: { auth: Buffer.from(`${user.name}:${password}`).toString('base64') } } }));
    const push = () => publish(['base', '--tag', '1.0.0', '-r', locked.address], { DOCKER_CONFIG: config });

    it('no credentials, then wrong ones: one error line each (exit 1); the right ones push', async () => {
      const missing = push();
      assert.equal(missing.status, 1, output(missing));
      assert.deepEqual(
        errorLines(output(missing)).map((l) => l.replace(/ \(.*$/, '')),
        [`error: push of ${locked.address}/${PROJECT}-base:1.0.0 refused: ${locked.address} needs a login and there are no credentials for it`],
      );
      assert.match(output(missing), new RegExp(`run \`docker login ${escape(locked.address)}\` \\(credentials are read from ${escape(config)}/config\\.json`));
      writeAuth('wrong');
      const wrong = push();
      assert.equal(wrong.status, 1, output(wrong));
      const errors = errorLines(output(wrong));
      assert.equal(errors.length, 1, output(wrong));
      assert.match(errors[0] ?? '', new RegExp(`refused: ${escape(locked.address)} rejected the credentials`));
      assert.equal(imageIdOf(`${locked.address}/${PROJECT}-base:1.0.0`), undefined, 'the tag it added is taken back');
      assert.deepEqual(await locked.tags(`${PROJECT}-base`), []);
      writeAuth(user.password);
      const right = push();
      assert.equal(right.status, 0, output(right));
      assert.deepEqual(await locked.tags(`${PROJECT}-base`), ['1.0.0']);
    });
  });
});
