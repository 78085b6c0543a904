import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addProjectConfiguration, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import ignore from '@balena/dockerignore';
import { parseDockerfile, externalImages } from '../../lib/model/dockerfile';
import { parseConfig } from '../../lib/model/run-config';
import { initGenerator } from './generator';

function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  addProjectConfiguration(tree, 'x', { root: 'apps/x' });
  return tree;
}

/** Every file of the tree with its content, to prove a second run or a refusal changed nothing. */
function snapshot(tree: Tree): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const child of tree.children(dir)) {
      const path = dir ? `${dir}/${child}` : child;
      if (tree.isFile(path)) files.set(path, tree.read(path, 'utf-8') ?? '');
      else walk(path);
    }
  };
  walk('');
  return files;
}

const plugins = (tree: Tree): unknown[] => readNxJson(tree)?.plugins ?? [];

describe('init: plugin registration', () => {
  it('adds @dockconv/nx to nx.json plugins and nothing else', async () => {
    const tree = workspace();
    const before = snapshot(tree);
    await initGenerator(tree, { skipFormat: true });
    assert.deepEqual(plugins(tree), ['@dockconv/nx']);
    const changed = [...snapshot(tree)].filter(([path, text]) => before.get(path) !== text).map(([path]) => path);
    assert.deepEqual(changed, ['nx.json']);
  });

  it('keeps other plugins and an existing entry with options, in order', async () => {
    const tree = workspace();
    const entries = ['@nx/js', { plugin: '@dockconv/nx', options: { tag: 'ci', buildTargetName: 'image' } }, { plugin: '@nx/docker' }];
    updateNxJson(tree, { ...readNxJson(tree), plugins: entries });
    await initGenerator(tree, { skipFormat: true });
    assert.deepEqual(plugins(tree), entries);
  });

  it('is idempotent: a second run (with formatting) changes no file', async () => {
    const tree = workspace();
    updateNxJson(tree, { ...readNxJson(tree), plugins: ['@nx/js'] });
    await initGenerator(tree, { project: 'x' });
    const first = snapshot(tree);
    assert.deepEqual(plugins(tree), ['@nx/js', '@dockconv/nx']);
    await initGenerator(tree, { project: 'x' });
    assert.deepEqual(snapshot(tree), first);
  });
});

describe('init --project', () => {
  it('scaffolds a conforming base image, run.cfg with [base] and .dockerignore', async () => {
    const tree = workspace();
    await initGenerator(tree, { project: 'x', skipFormat: true });
    const dockerfile = tree.read('apps/x/docker/base/Dockerfile', 'utf-8') ?? '';
    assert.match(dockerfile, /^FROM python:3\.12-slim\n/);
    assert.match(dockerfile, /freezes every external dependency/);
    assert.deepEqual(externalImages(parseDockerfile(dockerfile, 'Dockerfile'), {}), ['python:3.12-slim']);
    const runCfg = tree.read('apps/x/docker/run.cfg', 'utf-8') ?? '';
    assert.match(runCfg, /^# Run \(and build\) configuration/);
    assert.deepEqual([...parseConfig(runCfg, 'run.cfg').sections.keys()], ['base']);
    assert.ok(tree.exists('apps/x/.dockerignore'));
  });

  it('uses --baseImage for the FROM line', async () => {
    const tree = workspace();
    await initGenerator(tree, { project: 'x', baseImage: 'ghcr.io/acme/python:3.11@sha256:' + 'a'.repeat(64), skipFormat: true });
    assert.match(tree.read('apps/x/docker/base/Dockerfile', 'utf-8') ?? '', /^FROM ghcr\.io\/acme\/python:3\.11@sha256:a{64}\n/);
  });

  it('keeps existing files byte for byte', async () => {
    const tree = workspace();
    const mine = { 'apps/x/docker/base/Dockerfile': 'FROM debian:12\n', 'apps/x/docker/run.cfg': '# mine\n[dev]\nk = v\n', 'apps/x/.dockerignore': 'secret\n' };
    for (const [path, text] of Object.entries(mine)) tree.write(path, text);
    await initGenerator(tree, { project: 'x', skipFormat: true });
    for (const [path, text] of Object.entries(mine)) assert.equal(tree.read(path, 'utf-8'), text);
  });

  it('does not add run.cfg next to the older docker/dockerutils.cfg', async () => {
    const tree = workspace();
    tree.write('apps/x/docker/dockerutils.cfg', '[dev]\n');
    await initGenerator(tree, { project: 'x', skipFormat: true });
    assert.ok(!tree.exists('apps/x/docker/run.cfg'));
    assert.equal(tree.read('apps/x/docker/dockerutils.cfg', 'utf-8'), '[dev]\n');
  });

  it('scaffolds a root project (root ".")', async () => {
    const tree = createTreeWithEmptyWorkspace();
    addProjectConfiguration(tree, 'solo', { root: '.' });
    await initGenerator(tree, { project: 'solo', skipFormat: true });
    assert.ok(tree.exists('docker/base/Dockerfile') && tree.exists('docker/run.cfg') && tree.exists('.dockerignore'));
  });

  const refusals: [string, Parameters<typeof initGenerator>[1], RegExp, Record<string, string>?][] = [
    ['an unknown project', { project: 'nope' }, /^unknown project 'nope' \(projects: x\)$/],
    ['an invalid base image', { project: 'x', baseImage: 'Python 3' }, /^invalid base image 'Python 3'/],
    ['a malformed existing run.cfg', { project: 'x' }, /apps\/x\/docker\/run\.cfg:2: /, { 'apps/x/docker/run.cfg': '[a]\nnot a key\n' }],
  ];
  for (const [title, options, message, files = {}] of refusals) {
    it(`refuses ${title} with one line and writes nothing, nx.json included`, async () => {
      const tree = workspace();
      for (const [path, text] of Object.entries(files)) tree.write(path, text);
      const before = snapshot(tree);
      await assert.rejects(initGenerator(tree, { ...options, skipFormat: true }), (e: Error) => message.test(e.message) && !e.message.includes('\n'));
      assert.deepEqual(snapshot(tree), before);
    });
  }
});

describe('init: the .dockerignore, read with Docker\'s own semantics', () => {
  async function ignores(): Promise<(path: string) => boolean> {
    const tree = workspace();
    await initGenerator(tree, { project: 'x', skipFormat: true });
    const rules = ignore().add(tree.read('apps/x/.dockerignore', 'utf-8') ?? '');
    return (path) => rules.ignores(path);
  }
  const excluded = ['.git/HEAD', 'node_modules/a/index.js', 'pkg/node_modules/b', 'dist/app.js', 'pkg/__pycache__/m.cpython-312.pyc', 'data/big.csv', 'version.bld', '.env', '.venv/bin/python'];
  const kept = ['_version.py.bld', 'pip.conf', 'pip.conf.template', 'requirements.txt', 'src/app.py', 'docker/base/Dockerfile', 'docker/run.cfg', 'notebooks/a.ipynb'];
  it('keeps history, dependencies, caches, data and secrets out', async () => {
    const ignored = await ignores();
    for (const path of excluded) assert.ok(ignored(path), `${path} should be ignored`);
  });
  it('keeps the version stamp, pip.conf, the source and docker/ in (Dockerfiles COPY them)', async () => {
    const ignored = await ignores();
    for (const path of kept) assert.ok(!ignored(path), `${path} should be in the context`);
  });
});
