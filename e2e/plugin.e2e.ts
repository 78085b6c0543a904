import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkspace, output, projectJson, type TestWorkspace } from './helpers/workspace';

interface TaskGraphJson {
  tasks: { tasks: Record<string, unknown>; dependencies: Record<string, ({ id: string } | string)[]> };
}

const files = {
  'apps/shop/project.json': projectJson('@acme/shop'),
  'apps/shop/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nWORKDIR /srv\n',
  'apps/shop/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
  'apps/shop/docker/prod/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS builder\nRUN true\nFROM ${BASE_IMAGE}\n',
  'apps/shop/docker/notes/README.md': 'not an image: no Dockerfile\n',
  'apps/shop/docker/run.cfg': '[run_image]\nsynthetic_images = debug\n\n[debug]\nname = dev\ncmd = sh\n\n[notebook]\nname = jupyter/base-notebook\ntag = latest\nprefix = false\n',
  'libs/report/project.json': projectJson('report'),
  'libs/report/docker/job/Dockerfile': 'ARG TAG\nFROM acme-shop-base:${TAG}\n',
  'libs/plain/project.json': projectJson('plain'),
};

describe('graph inference in a real Nx workspace', () => {
  let ws: TestWorkspace;
  before(() => {
    ws = createWorkspace(files);
  });
  after(() => ws.remove());

  it('nx show project lists per-image tasks, configurations per image and Docker metadata', () => {
    const result = ws.nx(['show', 'project', '@acme/shop', '--json']);
    assert.equal(result.status, 0, output(result));
    const project = JSON.parse(result.stdout) as {
      targets: Record<string, { configurations?: Record<string, unknown>; metadata?: { technologies?: string[] }; options?: Record<string, unknown> }>;
      metadata: { targetGroups: Record<string, string[]> };
    };
    const targets = project.targets;
    for (const name of ['docker-build', 'docker-build-base', 'docker-build-dev', 'docker-build-prod', 'docker-run', 'transfer-image', 'gen-version']) {
      assert.ok(targets[name], `missing target ${name}`);
      assert.deepEqual(targets[name]?.metadata?.technologies, ['docker']);
    }
    assert.ok(!targets['docker-build-notes'], 'a folder without a Dockerfile is not an image');
    assert.deepEqual(Object.keys(targets['docker-build']?.configurations ?? {}).sort(), ['base', 'dev', 'prod']);
    assert.deepEqual(Object.keys(targets['docker-run']?.configurations ?? {}).sort(), ['base', 'debug', 'dev', 'notebook', 'prod']);
    assert.ok(project.metadata.targetGroups['Docker']?.includes('docker-build'));
  });

  it('a project without docker/ gets no targets', () => {
    const result = ws.nx(['show', 'project', 'plain', '--json']);
    assert.equal(result.status, 0, output(result));
    assert.deepEqual(Object.keys((JSON.parse(result.stdout) as { targets: object }).targets), []);
  });

  it('nx graph has the cross-project edge from the FROM line', () => {
    const result = ws.nx(['graph', '--file=graph.json']);
    assert.equal(result.status, 0, output(result));
    const graph = JSON.parse(ws.read('graph.json')) as { graph: { dependencies: Record<string, { target: string }[]> } };
    assert.ok(graph.graph.dependencies['report']?.some((d) => d.target === '@acme/shop'), ws.read('graph.json'));
    assert.ok(!graph.graph.dependencies['@acme/shop']?.some((d) => d.target === 'report'));
  });

  it('the task graph of run-many -t docker-build has one task per image, base before derived', () => {
    const result = ws.nx(['run-many', '-t', 'docker-build', '--graph=stdout']);
    assert.equal(result.status, 0, output(result));
    const json = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as TaskGraphJson;
    const deps = (id: string) => (json.tasks.dependencies[id] ?? []).map((d) => (typeof d === 'string' ? d : d.id));
    for (const image of ['base', 'dev', 'prod']) assert.ok(json.tasks.tasks[`@acme/shop:docker-build-${image}`]);
    assert.deepEqual(deps('@acme/shop:docker-build-base'), []);
    assert.deepEqual(deps('@acme/shop:docker-build-dev'), ['@acme/shop:docker-build-base']);
    assert.deepEqual(deps('report:docker-build-job'), ['@acme/shop:docker-build-base']);
  });
});

describe('bad input breaks only its project, which shows the one clear message', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['malformed run.cfg', { 'apps/a/docker/run.cfg': '[dev]\nthis line is not a key\n' }, /docker\/run\.cfg:2/],
    ['both run.cfg and dockerutils.cfg', { 'apps/a/docker/run.cfg': '', 'apps/a/docker/dockerutils.cfg': '' }, /dockerutils\.cfg/],
    ['a FROM cycle', {
      'apps/a/docker/one/Dockerfile': 'ARG TAG\nFROM a-two:${TAG}\n',
      'apps/a/docker/two/Dockerfile': 'ARG TAG\nFROM a-one:${TAG}\n',
    }, /image dependency cycle: a:one → a:two → a:one/],
    ['a Dockerfile that does not parse', { 'apps/a/docker/bad/Dockerfile': 'FROM scratch\nFROMM x\n' }, /docker\/bad\/Dockerfile:2: unknown instruction 'FROMM'/],
  ];
  for (const [label, extra, message] of cases) {
    it(label, () => {
      const ws = createWorkspace({ 'apps/a/project.json': projectJson('a'), 'apps/a/docker/base/Dockerfile': 'FROM scratch\n', ...extra });
      try {
        const projects = ws.nx(['show', 'projects']);
        assert.equal(projects.status, 0, output(projects));
        const result = ws.nx(['show', 'project', 'a', '--json']);
        assert.equal(result.status, 0, output(result));
        assert.match(result.stdout, message);
      } finally {
        ws.remove();
      }
    });
  }
});
