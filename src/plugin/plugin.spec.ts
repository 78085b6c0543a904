import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateDependenciesContext, CreateNodesContext, ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { tempTree } from '../testing/temp-tree';
import { createDependencies, createNodes } from './plugin';

/** Three projects: p is the one a case breaks, q builds from scratch, r derives from q. */
const HEALTHY = {
  'p/project.json': '{"name":"p"}',
  'q/project.json': '{"name":"q"}',
  'q/docker/base/Dockerfile': 'FROM scratch\n',
  'r/project.json': '{"name":"r"}',
  'r/docker/app/Dockerfile': 'ARG TAG\nFROM q-base:${TAG}\n',
};

/** What Nx's glob would hand the plugin: every Dockerfile and run configuration. */
function matchedFiles(root: string): string[] {
  const files: string[] = [];
  for (const project of readdirSync(root)) {
    const docker = join(project, 'docker');
    let entries: string[];
    try {
      entries = readdirSync(join(root, docker));
    } catch {
      continue;
    }
    for (const entry of entries.sort()) files.push(entry.endsWith('.cfg') ? join(docker, entry) : join(docker, entry, 'Dockerfile'));
  }
  return files;
}

interface Graph {
  projects: Record<string, ProjectConfiguration>;
  edges: { source: string; target: string }[];
}

/** The plugin's two entry points as Nx calls them, on a real tree. */
async function graphOf(files: Record<string, string>, prepare: (root: string) => void = () => undefined): Promise<Graph> {
  const root = tempTree({ ...HEALTHY, ...files });
  try {
    prepare(root);
    const nxJsonConfiguration = { plugins: ['@dockconv/nx'] };
    const nodesContext: CreateNodesContext = { nxJsonConfiguration, workspaceRoot: root };
    const results = await createNodes[1](matchedFiles(root), {}, nodesContext);
    const projects: Record<string, ProjectConfiguration> = {};
    for (const [, result] of results) {
      for (const [projectRoot, config] of Object.entries(result.projects ?? {})) projects[projectRoot] = { ...config, root: projectRoot };
    }
    const depsContext: CreateDependenciesContext = {
      externalNodes: {},
      projects: Object.fromEntries(Object.keys(projects).map((name) => [name, { ...projects[name], root: name }])),
      nxJsonConfiguration,
      fileMap: { projectFileMap: {}, nonProjectFiles: [] },
      filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
      workspaceRoot: root,
    };
    const edges = (await createDependencies({}, depsContext)).map(({ source, target }) => ({ source, target }));
    return { projects, edges };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const description = (target: TargetConfiguration | undefined): string => String(target?.metadata?.['description'] ?? '');

describe('one broken project never fails the project graph', () => {
  const cases: [string, Record<string, string>, string, ((root: string) => void)?][] = [
    ['an ARG without default in FROM', { 'p/docker/base/Dockerfile': 'ARG IMG\nFROM ${IMG}\n' }, "p/docker/base/Dockerfile:2: FROM '${IMG}' resolves to nothing"],
    ['an unknown instruction', { 'p/docker/base/Dockerfile': 'FROM scratch\nFROMM x\n' }, "p/docker/base/Dockerfile:2: unknown instruction 'FROMM'"],
    ['a malformed FROM', { 'p/docker/base/Dockerfile': 'FROM a b\n' }, "p/docker/base/Dockerfile:1: malformed FROM 'a b'"],
    ['a Dockerfile without FROM', { 'p/docker/base/Dockerfile': '# nothing\n' }, 'p/docker/base/Dockerfile: the Dockerfile has no FROM instruction'],
    ['a malformed ARG', { 'p/docker/base/Dockerfile': 'ARG 1x\nFROM scratch\n' }, "p/docker/base/Dockerfile:1: malformed ARG '1x'"],
    ['a COPY without destination', { 'p/docker/base/Dockerfile': 'FROM scratch\nCOPY a\n' }, 'p/docker/base/Dockerfile:2: COPY needs a source and a destination'],
    ['a Dockerfile that cannot be read', {}, 'p/docker/base/Dockerfile: cannot read the Dockerfile', (root) => mkdirSync(join(root, 'p/docker/base/Dockerfile'), { recursive: true })],
    ['a FROM cycle', { 'p/docker/a/Dockerfile': 'ARG TAG\nFROM p-b:${TAG}\n', 'p/docker/b/Dockerfile': 'ARG TAG\nFROM p-a:${TAG}\n' }, 'image dependency cycle: p:a → p:b → p:a'],
    ['a FROM naming no image of a workspace project', { 'p/docker/base/Dockerfile': 'ARG TAG\nFROM q-ghost:${TAG}\n' }, "p/docker/base/Dockerfile:2: FROM q-ghost:"],
    ['a run.cfg that does not parse', { 'p/docker/base/Dockerfile': 'FROM scratch\n', 'p/docker/run.cfg': '[base]\nnot a key\n' }, 'p/docker/run.cfg:2: cannot read'],
    ['a run.cfg %-interpolation fault', { 'p/docker/base/Dockerfile': 'FROM scratch\n', 'p/docker/run.cfg': '[base]\ncmd = 100%\n' }, "p/docker/run.cfg:2: value of 'cmd' in [base] has a '%'"],
    ['a run.cfg that is no UTF-8', { 'p/docker/base/Dockerfile': 'FROM scratch\n' }, 'p/docker/run.cfg: is not valid UTF-8 text', (root) => writeFileSync(join(root, 'p/docker/run.cfg'), Buffer.from([0x5b, 0xff, 0x5d]))],
    ['both run.cfg and dockerutils.cfg', { 'p/docker/base/Dockerfile': 'FROM scratch\n', 'p/docker/run.cfg': '', 'p/docker/dockerutils.cfg': '' }, 'both docker/run.cfg and docker/dockerutils.cfg exist'],
    ['a run.cfg that cannot be read', { 'p/docker/base/Dockerfile': 'FROM scratch\n' }, 'p/docker/run.cfg: cannot read the file: EISDIR', (root) => mkdirSync(join(root, 'p/docker/run.cfg'))],
    ['an invalid tag', { 'p/docker/base/Dockerfile': 'FROM scratch\n', 'p/docker/run.cfg': '[base]\ntag = bad tag!\n' }, 'p/docker/run.cfg:2: '],
    ['an image folder that makes no valid name', { 'p/docker/Base/Dockerfile': 'FROM scratch\n' }, "p/docker/Base/Dockerfile: invalid image name 'p-Base'"],
  ];
  for (const [label, files, message, prepare] of cases) {
    it(label, async () => {
      const { projects, edges } = await graphOf(files, prepare);
      assert.deepEqual(Object.keys(projects).sort(), ['p', 'q', 'r']);
      for (const target of ['docker-build', 'docker-run']) {
        const shown = description(projects['p']?.targets?.[target]);
        assert.ok(shown.startsWith(`Cannot ${target === 'docker-build' ? 'build' : 'run'} p's Docker images: `), shown);
        assert.ok(shown.includes(message), `${shown}\n  lacks: ${message}`);
      }
      assert.match(description(projects['q']?.targets?.['docker-build']), /^Build the Docker images of q: q-base:/);
      assert.match(description(projects['r']?.targets?.['docker-build']), /^Build the Docker images of r: r-app:/);
      assert.deepEqual(edges, [{ source: 'r', target: 'q' }]);
    });
  }
});

describe('a project deriving from a broken one', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['broken by its FROM', { 'p/docker/base/Dockerfile': 'ARG IMG\nFROM ${IMG}\n' }, "p/docker/base/Dockerfile:2: FROM '${IMG}' resolves to nothing"],
    ['broken by a run.cfg that does not parse', { 'p/docker/base/Dockerfile': 'FROM scratch\n', 'p/docker/run.cfg': '[base]\nnot a key\n' }, 'p/docker/run.cfg:2: cannot read'],
  ];
  for (const [label, files, cause] of cases) {
    it(`${label}: says it cannot build for that reason, at its FROM line; the others build`, async () => {
      const derived = { 's/project.json': '{"name":"s"}', 's/docker/app/Dockerfile': '# derived\nARG TAG\nFROM p-base:${TAG}\n' };
      const { projects, edges } = await graphOf({ ...files, ...derived });
      assert.deepEqual(Object.keys(projects).sort(), ['p', 'q', 'r', 's']);
      const shown = description(projects['s']?.targets?.['docker-build']);
      assert.ok(shown.startsWith("Cannot build s's Docker images: s/docker/app/Dockerfile:3: FROM p-base:"), shown);
      assert.ok(shown.includes(`: project p cannot be used: `) && shown.includes(cause), shown);
      assert.match(description(projects['r']?.targets?.['docker-build']), /^Build the Docker images of r: r-app:/);
      assert.deepEqual(edges, [{ source: 'r', target: 'q' }]);
    });
  }
});
