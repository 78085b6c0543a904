import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkspace, output, projectJson, type TestWorkspace } from './helpers/workspace';

/** The plugin supports the current Nx major and the one before. */
const PREVIOUS_MAJOR = process.env['DOCKCONV_E2E_NX_PREVIOUS'] ?? '23';

describe(`graph inference on nx@${PREVIOUS_MAJOR}`, () => {
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
      { nxVersion: PREVIOUS_MAJOR },
    );
  });
  after(() => ws.remove());

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
});
