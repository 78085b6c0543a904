import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtRefs, loggingDocker } from './helpers/docker-log';
import { docker, ensureEngine, removeImages } from './helpers/engine';
import { createWorkspace, output, projectJson, type TestWorkspace } from './helpers/workspace';

const TAG = `prev${Date.now().toString(36)}`;

/** The plugin supports the current Nx major and the one before. */
const PREVIOUS_MAJOR = process.env['DOCKCONV_E2E_NX_PREVIOUS'] ?? '23';

describe(`the plugin on nx@${PREVIOUS_MAJOR}`, () => {
  let ws: TestWorkspace;
  before(() => {
    ws = createWorkspace(
      {
        'apps/a/project.json': projectJson('a'),
        'apps/a/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\n',
        'apps/a/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
        'libs/b/project.json': projectJson('b'),
        'libs/b/docker/job/Dockerfile': 'ARG TAG\nFROM a-base:${TAG}\n',
      },
      { nxVersion: PREVIOUS_MAJOR, plugins: [{ plugin: '@dockconv/nx', options: { tag: TAG } }] },
    );
  });
  after(() => {
    ws.remove();
    removeImages(['a-base', 'a-dev', 'b-job'].map((i) => `${i}:${TAG}`));
  });

  it('runs that nx major', () => {
    const result = ws.nx(['--version']);
    assert.match(output(result), new RegExp(`Local: v${PREVIOUS_MAJOR}\\.`));
  });

  it('infers the per-image targets and the cross-project edge', () => {
    const shown = ws.nx(['show', 'project', 'a', '--json']);
    assert.equal(shown.status, 0, output(shown));
    const targets = Object.keys((JSON.parse(shown.stdout) as { targets: object }).targets);
    for (const t of ['docker-build', 'docker-build-base', 'docker-build-dev', 'docker-run']) assert.ok(targets.includes(t), t);
    const graph = ws.nx(['graph', '--file=graph.json']);
    assert.equal(graph.status, 0, output(graph));
    assert.match(ws.read('graph.json'), /"source":\s*"b",\s*"target":\s*"a"/);
  });

  it('orders the per-image tasks', () => {
    const result = ws.nx(['run-many', '-t', 'docker-build', '--graph=stdout']);
    assert.equal(result.status, 0, output(result));
    const deps = (JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { tasks: { dependencies: Record<string, unknown[]> } }).tasks.dependencies;
    assert.match(JSON.stringify(deps['b:docker-build-job']), /a:docker-build-base/);
  });

  it('caches builds as on the current major: a no-op replays everything, a removed image is built again', () => {
    ensureEngine();
    const spy = loggingDocker();
    const build = () => {
      spy.reset();
      const result = ws.nx(['run-many', '-t', 'docker-build', '--output-style=static'], { env: { DOCKCONV_DOCKER: spy.path } });
      assert.equal(result.status, 0, output(result));
      assert.doesNotMatch(output(result), /custom hasher|deprecated/i);
      return { text: output(result), built: builtRefs(spy.calls()).map((r) => r.replace(`:${TAG}`, '')).sort() };
    };
    assert.deepEqual(build().built, ['a-base', 'a-dev', 'b-job']);
    const again = build();
    assert.deepEqual(again.built, []);
    const [, replayed, all] = /from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(again.text) ?? [];
    assert.ok(all !== undefined && replayed === all, again.text);
    docker(['rmi', `a-dev:${TAG}`]);
    assert.deepEqual(build().built, ['a-dev']);
    assert.ok(docker(['image', 'inspect', '--format', '{{.Id}}', `a-dev:${TAG}`]));
  });
});
