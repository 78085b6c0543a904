/**
 * The generators through real `nx g` in a fresh workspace with the packed plugin: init registers
 * the plugin and scaffolds a project, image adds a notebook image, and what they wrote builds and
 * runs with the plugin's own targets. Refusals exit non-zero with one message and write nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BUSYBOX_IMAGE, ensureEngine, imageIdOf, removeImages } from './helpers/engine';
import { createWorkspace, output, projectJson, type TestWorkspace } from './helpers/workspace';

const TAG = 'e2e-generators';
const ENV = { DOCKCONV_TAG: TAG };
const NOTEBOOK_IMAGE = `x-notebook:${TAG}`;

/** `git status --porcelain`: empty when a command wrote nothing (the scaffold is committed first). */
const changes = (ws: TestWorkspace): string => ws.git(['status', '--porcelain', '--untracked-files=all']);

/** Nx prints a refusal as one `NX   <message>` title; no stack trace without --verbose. */
function assertOneMessage(result: ReturnType<TestWorkspace['nx']>, message: RegExp): void {
  const text = output(result);
  assert.notEqual(result.status, 0, text);
  assert.match(text, message);
  assert.doesNotMatch(text, /^\s+at /m, 'no stack trace');
}

describe('init and image generators in a real Nx workspace', () => {
  let ws: TestWorkspace;
  before(() => {
    ws = createWorkspace({ 'apps/x/project.json': projectJson('x') }, { plugins: [], git: true });
  });
  after(() => {
    ws.remove();
    removeImages([NOTEBOOK_IMAGE, `x-base:${TAG}`]);
  });

  it('nx g @dockconv/nx:init --project=x registers the plugin and scaffolds x', () => {
    const result = ws.nx(['g', '@dockconv/nx:init', '--project=x', '--no-interactive']);
    assert.equal(result.status, 0, output(result));
    const nxJson = JSON.parse(ws.read('nx.json')) as { plugins: unknown[] };
    assert.deepEqual(nxJson.plugins, ['@dockconv/nx']);
    assert.match(ws.read('apps/x/docker/base/Dockerfile'), /^FROM python:3\.12-slim$/m);
    assert.match(ws.read('apps/x/docker/run.cfg'), /^\[base\]$/m);
    assert.match(ws.read('apps/x/.dockerignore'), /^!_version\.py\.bld$/m);
  });

  it('init again changes nothing', () => {
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'init']);
    const result = ws.nx(['g', '@dockconv/nx:init', '--project=x', '--no-interactive']);
    assert.equal(result.status, 0, output(result));
    assert.equal(changes(ws), '');
  });

  it('nx g @dockconv/nx:image notebook --dry-run shows the files and writes none', () => {
    const result = ws.nx(['g', '@dockconv/nx:image', 'notebook', '--project=x', '--dry-run', '--no-interactive']);
    assert.equal(result.status, 0, output(result));
    assert.match(output(result), /CREATE apps\/x\/docker\/notebook\/Dockerfile/);
    assert.match(output(result), /UPDATE apps\/x\/docker\/run\.cfg/);
    assert.equal(changes(ws), '');
  });

  it('nx g @dockconv/nx:image notebook --project=x adds the image and its run.cfg section', () => {
    const before = ws.read('apps/x/docker/run.cfg');
    const result = ws.nx(['g', '@dockconv/nx:image', 'notebook', '--project=x', '--no-interactive']);
    assert.equal(result.status, 0, output(result));
    assert.match(ws.read('apps/x/docker/notebook/Dockerfile'), /^ARG BASE_IMAGE\nFROM \$\{BASE_IMAGE\}$/m);
    const runCfg = ws.read('apps/x/docker/run.cfg');
    assert.ok(runCfg.startsWith(before), 'the existing run.cfg is kept byte for byte');
    assert.match(runCfg.slice(before.length), /^\n\[notebook\]\nvolumes = -v \{project_root\}:\{workdir\}\nports = -p 8888:8888\n/);
  });

  it('the plugin sees the new image: build and run configurations for notebook', () => {
    const result = ws.nx(['show', 'project', 'x', '--json']);
    assert.equal(result.status, 0, output(result));
    const targets = (JSON.parse(result.stdout) as { targets: Record<string, { configurations?: object }> }).targets;
    assert.deepEqual(Object.keys(targets['docker-build']?.configurations ?? {}).sort(), ['base', 'notebook']);
    assert.ok(Object.keys(targets['docker-run']?.configurations ?? {}).includes('notebook'));
    assert.ok(targets['docker-build-notebook'], 'a build task per image');
  });

  describe('refusals: non-zero, one clear message, nothing written', () => {
    before(() => {
      ws.git(['add', '-A']);
      ws.git(['commit', '-qm', 'notebook']);
    });
    const cases: [string, string[], RegExp][] = [
      ['an invalid image name', ['Note_Book'], /invalid image name 'Note_Book'/],
      ['an existing image', ['notebook'], /apps\/x\/docker\/notebook\/Dockerfile: image 'notebook' already exists/],
      ['an unknown project', ['dev', '--project=nope'], /unknown project 'nope'/],
      ['an unknown template', ['dev', '--template=fancy'], /template/],
      ['--from an image that does not exist', ['dev', '--from=nope'], /--from names image 'nope', which does not exist/],
    ];
    for (const [title, args, message] of cases) {
      it(`refuses ${title}`, () => {
        const withProject = args.some((a) => a.startsWith('--project=')) ? args : [...args, '--project=x'];
        assertOneMessage(ws.nx(['g', '@dockconv/nx:image', ...withProject, '--no-interactive']), message);
        assert.equal(changes(ws), '');
      });
    }
  });

  describe('what the generators wrote builds and runs', () => {
    before(() => {
      ensureEngine();
      // The e2e hosts reach no registry: a local FROM-scratch busybox stands in for python:3.12-slim.
      const base = ws.read('apps/x/docker/base/Dockerfile');
      ws.write('apps/x/docker/base/Dockerfile', base.replace(/^FROM python:3\.12-slim$/m, `FROM ${BUSYBOX_IMAGE}`));
      removeImages([NOTEBOOK_IMAGE, `x-base:${TAG}`]);
    });

    it('nx run x:docker-build:notebook builds base, then notebook', () => {
      const result = ws.nx(['run', 'x:docker-build:notebook', '--skip-nx-cache'], { env: ENV });
      assert.equal(result.status, 0, output(result));
      assert.ok(imageIdOf(`x-base:${TAG}`), 'base built first');
      assert.ok(imageIdOf(NOTEBOOK_IMAGE), 'notebook built');
    });

    it('nx run x:docker-run:notebook --dryRun prints the configured docker run', () => {
      const result = ws.nx(['run', 'x:docker-run:notebook', '--dryRun', '--skip-nx-cache'], { env: ENV });
      const text = output(result);
      assert.equal(result.status, 0, text);
      const line = text.split('\n').find((l) => /\bdocker run\b/.test(l)) ?? '';
      assert.ok(line, text);
      assert.ok(line.includes('-p 8888:8888'), line);
      assert.ok(line.includes(`-v ${ws.root}/apps/x:/app`), line);
      assert.ok(line.includes(NOTEBOOK_IMAGE), line);
    });

    it('a gpu image asks docker-run for detected GPU access, and --gpu=false runs without', () => {
      const generated = ws.nx(['g', '@dockconv/nx:image', 'gpu', '--project=x', '--no-interactive']);
      assert.equal(generated.status, 0, output(generated));
      const withGpu = ws.nx(['run', 'x:docker-run:gpu', '--dryRun', '--skip-nx-cache'], { env: ENV });
      // This engine may or may not have a GPU: either detected flags or the clear "no GPU" refusal.
      const text = output(withGpu);
      if (withGpu.status === 0) assert.match(text, /docker run .*(--gpus|--runtime=nvidia|--device nvidia\.com\/gpu)/, text);
      else assert.match(text, /GPU/, text);
      const without = ws.nx(['run', 'x:docker-run:gpu', '--dryRun', '--gpu=false', '--skip-nx-cache'], { env: ENV });
      assert.equal(without.status, 0, output(without));
      assert.doesNotMatch(output(without), /--gpus|--runtime=nvidia|nvidia\.com\/gpu/);
    });
  });
});
