import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../errors';
import { ancestors, buildOrder } from './graph';
import type { WorkspaceImages } from './workspace';
import { loadTree } from '../../testing/temp-tree';

const load = loadTree;

const parentsOf = (ws: WorkspaceImages, id: string) => ws.graph.get(id)?.parents;

describe('FROM resolution against every project of the workspace', () => {
  const cases: [string, string, string[]][] = [
    ['${BASE_IMAGE}', 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n', ['p:base']],
    ['project image with ${TAG}', 'ARG TAG\nFROM p-base:${TAG}\n', ['p:base']],
    ['${PROJECT}-base:${TAG}', 'ARG PROJECT\nARG TAG\nFROM ${PROJECT}-base:${TAG}\n', ['p:base']],
    ['a literal tag of another user still counts', 'FROM p-base:bob\n', ['p:base']],
    ['another project\'s base', 'FROM q-base:alice\n', ['q:base']],
    ['COPY --from a workspace image', 'FROM scratch\nCOPY --from=q-base:alice /x /x\n', ['q:base']],
    ['an external image', 'FROM debian:12\n', []],
    ['an ARG default', 'ARG B=q-base:latest\nFROM $B\n', ['q:base']],
  ];
  for (const [label, dockerfile, parents] of cases) {
    it(label, () => {
      const ws = load(
        {
          'p/docker/base/Dockerfile': 'FROM debian:12\n',
          'p/docker/dev/Dockerfile': dockerfile,
          'q/docker/base/Dockerfile': 'FROM scratch\n',
        },
        [['p', 'p'], ['q', 'q']],
      );
      assert.deepEqual(parentsOf(ws, 'p:dev'), parents);
    });
  }

  it('follows run.cfg renames and the project prefix', () => {
    const ws = load(
      {
        'p/docker/base/Dockerfile': 'FROM scratch\n',
        'p/docker/run.cfg': '[base]\nname = foundation\n',
        'p/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
        'q/docker/x/Dockerfile': 'FROM p-foundation:v1\n',
      },
      [['@org/p', 'p'], ['q', 'q']],
    );
    assert.equal(ws.projects.get('@org/p')?.images.find((i) => i.type === 'base')?.name.ref, 'org-p-foundation:alice');
    assert.deepEqual(parentsOf(ws, '@org/p:dev'), ['@org/p:base']);
    assert.deepEqual(parentsOf(ws, 'q:x'), []);
  });

  it('orders ancestors before images, across projects', () => {
    const ws = load(
      {
        'p/docker/base/Dockerfile': 'FROM scratch\n',
        'p/docker/dev/Dockerfile': 'FROM p-base:alice\n',
        'q/docker/tool/Dockerfile': 'FROM p-dev:alice\n',
      },
      [['p', 'p'], ['q', 'q']],
    );
    assert.deepEqual(ancestors(ws.graph, 'q:tool').sort(), ['p:base', 'p:dev']);
    assert.deepEqual(buildOrder(ws.graph, ['q:tool']), ['p:base', 'p:dev', 'q:tool']);
  });
});

describe('cycles are errors that name the cycle, the file and the line', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['two images', {
      'p/docker/a/Dockerfile': 'FROM p-b:x\n',
      'p/docker/b/Dockerfile': '# comment\nFROM p-a:x\n',
    }, /^p\/docker\/a\/Dockerfile:1: image dependency cycle: p:a → p:b → p:a/],
    ['self', { 'p/docker/a/Dockerfile': 'ARG TAG\nFROM p-a:${TAG}\n' }, /image dependency cycle: p:a → p:a/],
    ['across projects', {
      'p/docker/a/Dockerfile': 'FROM q-b:x\n',
      'q/docker/b/Dockerfile': 'FROM p-a:x\n',
    }, /image dependency cycle: p:a → q:b → p:a/],
  ];
  for (const [label, files, message] of cases) {
    it(`${label}: only the projects on the cycle are broken`, () => {
      const ws = load({ ...files, 'r/docker/base/Dockerfile': 'FROM scratch\n' }, [['p', 'p'], ['q', 'q'], ['r', 'r']]);
      const problem = ws.broken.get('p');
      assert.ok(problem instanceof DockconvError && message.test(problem.describe()), problem?.describe());
      assert.equal(ws.broken.has('q'), label === 'across projects');
      assert.deepEqual([...ws.projects.keys()], ['r']);
      assert.ok(ws.graph.has('r:base'));
    });
  }
});

describe('one broken project never stops the others', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['a run.cfg that does not parse', { 'p/docker/run.cfg': '[dev]\nnot a key\n' }, 'docker/run.cfg:2: '],
    ['a Dockerfile that does not parse', { 'p/docker/bad/Dockerfile': 'FROM scratch\nFROMM x\n' }, "p/docker/bad/Dockerfile:2: unknown instruction 'FROMM'"],
  ];
  for (const [label, files, message] of cases) {
    it(label, () => {
      const ws = load({ 'p/docker/base/Dockerfile': 'FROM scratch\n', 'q/docker/base/Dockerfile': 'FROM scratch\n', ...files }, [['p', 'p'], ['q', 'q']]);
      assert.ok(ws.broken.get('p')?.describe().includes(message), ws.broken.get('p')?.describe());
      assert.deepEqual([...ws.projects.keys()], ['q']);
      assert.deepEqual([...ws.graph.keys()], ['q:base']);
    });
  }
});

describe('an image folder that makes no valid image name', () => {
  it('leaves that image out, named with its Dockerfile, and the project\'s other images work', () => {
    const ws = load({ 'p/docker/base/Dockerfile': 'FROM scratch\n', 'p/docker/Dev/Dockerfile': 'FROM scratch\n' }, [['p', 'p']]);
    assert.deepEqual([...ws.graph.keys()], ['p:base']);
    assert.match(ws.projects.get('p')?.broken.get('Dev')?.describe() ?? '', /p\/docker\/Dev\/Dockerfile: invalid image name 'p-Dev'/);
  });
});

describe('project images', () => {
  it('lists built, synthetic and configuration-only images; a folder without Dockerfile is none', () => {
    const ws = load(
      {
        'p/docker/base/Dockerfile': 'FROM scratch\n',
        'p/docker/dev/Dockerfile': 'FROM p-base:alice\n',
        'p/docker/data/readme.txt': 'not an image\n',
        'p/docker/run.cfg': '[run_image]\nsynthetic_images = shell\n\n[shell]\nname = dev\n\n[jupyter]\nname = jupyter/base-notebook\ntag = latest\nprefix = false\n',
      },
      [['p', 'p']],
    );
    const images = ws.projects.get('p')?.images.map((i) => [i.type, i.kind, i.name.ref]);
    assert.deepEqual(images, [
      ['base', 'build', 'p-base:alice'],
      ['dev', 'build', 'p-dev:alice'],
      ['jupyter', 'config-only', 'jupyter/base-notebook:latest'],
      ['shell', 'synthetic', 'p-dev:alice'],
    ]);
  });

  it('DOCKCONV_TAG retags our images, not a configuration-only image', () => {
    const ws = load(
      { 'p/docker/base/Dockerfile': 'FROM scratch\n', 'p/docker/run.cfg': '[nb]\nname = jupyter/base-notebook\ntag = 2024\nprefix = false\n' },
      [['p', 'p']],
      { DOCKCONV_TAG: 'ci' },
    );
    assert.deepEqual(ws.projects.get('p')?.images.map((i) => i.name.ref), ['p-base:ci', 'jupyter/base-notebook:2024']);
  });

  it('a synthetic image naming no image type runs <project>-<name>, as dockerutils named it', () => {
    const ws = load({ 'p/docker/base/Dockerfile': 'FROM scratch\n', 'p/docker/run.cfg': '[run_image]\nsynthetic_images = s\n\n[s]\nname = nope\n' }, [['p', 'p']]);
    const s = ws.projects.get('p')?.images.find((i) => i.type === 's');
    assert.equal(s?.name.ref, 'p-nope:alice');
    assert.equal(s?.runs, undefined, 'no build here makes it');
  });
});

describe('a FROM naming a workspace project\'s image that does not exist', () => {
  it('breaks only that project, naming the project, the image and its images', () => {
    const ws = load({
      'alpha/docker/base/Dockerfile': 'FROM scratch\n',
      'alpha/docker/dev/Dockerfile': 'FROM alpha-base:x\n',
      'beta/docker/job/Dockerfile': 'ARG TAG\nFROM alpha-ghost:${TAG}\n',
      'gamma/docker/app/Dockerfile': 'FROM python:3.12\n',
    }, [['alpha', 'alpha'], ['beta', 'beta'], ['gamma', 'gamma']]);
    assert.equal(ws.broken.get('beta')?.describe(), "beta/docker/job/Dockerfile:2: FROM alpha-ghost:alice: project alpha has no image 'ghost' (its images: base, dev)");
    assert.deepEqual([...ws.projects.keys()], ['alpha', 'gamma']);
  });
});
