import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { addProjectConfiguration, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { externalImages, lastWorkdir, parseDockerfile } from '../../lib/model/dockerfile';
import { parseConfig } from '../../lib/model/run-config';
import { loadWorkspaceImages } from '../../lib/model/workspace';
import { imageGenerator } from './generator';
import type { ImageGeneratorSchema } from './schema';

const ROOT = 'apps/x';
const BASE = `${ROOT}/docker/base/Dockerfile`;
const RUN_CFG = `${ROOT}/docker/run.cfg`;
/** A hand-written run.cfg: comments of both kinds, a continuation line, no final newline. */
const COMMENTED = '# keep me\n; and me\n[base]\nbuild_args = --build-arg A=1\n    --build-arg B=2\n\n  # indented comment\n[dev]\ninteractive: -it';

function workspace(files: Record<string, string> = {}): Tree {
  const tree = createTreeWithEmptyWorkspace();
  addProjectConfiguration(tree, 'x', { root: ROOT });
  updateNxJson(tree, { ...readNxJson(tree), plugins: ['@dockconv/nx'] });
  for (const [path, text] of Object.entries(files)) tree.write(path, text);
  return tree;
}

async function generate(tree: Tree, options: Partial<ImageGeneratorSchema> & { name: string }): Promise<void> {
  await imageGenerator(tree, { project: 'x', ...options });
}

const read = (tree: Tree, path: string): string => tree.read(path, 'utf-8') ?? '';
const dockerfile = (tree: Tree, name: string): string => read(tree, `${ROOT}/docker/${name}/Dockerfile`);
const section = (tree: Tree, name: string): Record<string, string> | undefined => {
  const found = parseConfig(read(tree, RUN_CFG), 'run.cfg').sections.get(name);
  return found && Object.fromEntries([...found.entries].map(([k, e]) => [k, e.value]));
};
/** What FROM resolves to with the build args docker-build passes. */
const froms = (text: string): string[] =>
  externalImages(parseDockerfile(text, 'Dockerfile'), { PROJECT: 'x', TAG: 'alice', BASE_IMAGE: 'x-base:alice' });

function snapshot(tree: Tree): Map<string, string> {
  return new Map(tree.listChanges().map((c) => [c.path, c.content?.toString('utf8') ?? '']));
}

const MOUNT = '-v {project_root}:{workdir}';
const TEMPLATE_CASES: [string, RegExp, Record<string, string>][] = [
  ['plain', /^COPY \. \/app$/m, {}],
  ['dev', /^CMD \["bash"\]$/m, { volumes: MOUNT, interactive: '-it' }],
  ['notebook', /^CMD \["jupyter", "lab", "--ip=0\.0\.0\.0", "--port=8888"/m, { volumes: MOUNT, ports: '-p 8888:8888' }],
  ['gpu', /^ENV NVIDIA_VISIBLE_DEVICES=all/m, { interactive: '-it', gpu: 'yes' }],
];

describe('image: templates', () => {
  for (const [template, body, entries] of TEMPLATE_CASES) {
    it(`${template}: derived from \${BASE_IMAGE}, WORKDIR /app, run.cfg [${template}] = ${JSON.stringify(entries)}`, async () => {
      const tree = workspace({ [BASE]: 'FROM debian:12\n' });
      await generate(tree, { name: template });
      const text = dockerfile(tree, template);
      assert.match(text, /^# .*\nARG BASE_IMAGE\nFROM \$\{BASE_IMAGE\}\n/);
      assert.match(text, body);
      assert.deepEqual(froms(text), ['x-base:alice']);
      assert.equal(lastWorkdir(parseDockerfile(text, 'Dockerfile'), { BASE_IMAGE: 'x-base:alice' }), '/app');
      assert.deepEqual(section(tree, template), entries);
    });
  }

  it('gpu asks for detection (gpu = yes), not fixed flags, and says how to run without a GPU', async () => {
    const tree = workspace({ [BASE]: 'FROM debian:12\n' });
    await generate(tree, { name: 'trainer', template: 'gpu' });
    assert.equal(section(tree, 'trainer')?.['gpu'], 'yes');
    assert.match(read(tree, RUN_CFG), /^# verbatim\. Without a GPU: nx run x:docker-run:trainer --gpu=false$/m);
  });

  it('the template defaults to the name when it is a template, else plain', async () => {
    const tree = workspace({ [BASE]: 'FROM debian:12\n' });
    await generate(tree, { name: 'notebook' });
    await generate(tree, { name: 'api' });
    assert.match(dockerfile(tree, 'notebook'), /jupyter/);
    assert.match(dockerfile(tree, 'api'), /^COPY \. \/app$/m);
    assert.deepEqual(section(tree, 'api'), {});
  });

  it('--template overrides the name', async () => {
    const tree = workspace({ [BASE]: 'FROM debian:12\n' });
    await generate(tree, { name: 'lab', template: 'notebook' });
    assert.match(dockerfile(tree, 'lab'), /jupyter/);
    assert.equal(section(tree, 'lab')?.['ports'], '-p 8888:8888');
  });
});

describe('image: what it derives from', () => {
  it('creates docker/base (FROM python:3.12-slim) when missing', async () => {
    const tree = workspace();
    await generate(tree, { name: 'dev' });
    assert.deepEqual(froms(read(tree, BASE)), ['python:3.12-slim']);
    assert.match(read(tree, BASE), /freezes every external dependency/);
    assert.deepEqual([...parseConfig(read(tree, RUN_CFG), 'run.cfg').sections.keys()], ['dev']);
  });

  it('creates docker/base from --baseImage when missing', async () => {
    const tree = workspace();
    await generate(tree, { name: 'dev', baseImage: 'python:3.11' });
    assert.deepEqual(froms(read(tree, BASE)), ['python:3.11']);
  });

  it('keeps an existing base untouched', async () => {
    const tree = workspace({ [BASE]: 'FROM debian:12\n' });
    await generate(tree, { name: 'dev' });
    assert.equal(read(tree, BASE), 'FROM debian:12\n');
  });

  it('--from <type>: FROM ${PROJECT}-<type>:${TAG}', async () => {
    const tree = workspace({ [BASE]: 'FROM debian:12\n' });
    await generate(tree, { name: 'dev' });
    await generate(tree, { name: 'test', template: 'dev', from: 'dev' });
    const text = dockerfile(tree, 'test');
    assert.match(text, /^ARG PROJECT\nARG TAG\nFROM \$\{PROJECT\}-dev:\$\{TAG\}$/m);
    assert.deepEqual(froms(text), ['x-dev:alice']);
  });

  it('--from follows the name, tag and prefix the image has in run.cfg', async () => {
    const cfg = '[dev]\nname = devbox\n[tools]\nname = acme-tools\nprefix = false\ntag = 2024\n';
    const tree = workspace({ [BASE]: 'FROM debian:12\n', [`${ROOT}/docker/dev/Dockerfile`]: 'FROM x\n', [`${ROOT}/docker/tools/Dockerfile`]: 'FROM x\n', [RUN_CFG]: cfg });
    await generate(tree, { name: 'a', from: 'dev' });
    await generate(tree, { name: 'b', from: 'tools' });
    assert.deepEqual(froms(dockerfile(tree, 'a')), ['x-devbox:alice']);
    assert.match(dockerfile(tree, 'b'), /^FROM acme-tools:2024$/m);
    assert.doesNotMatch(dockerfile(tree, 'b'), /ARG/);
  });

  it('--from follows prefix = false from the nx.json plugin options, unless run.cfg says otherwise', async () => {
    const cfg = '[tools]\nprefix = true\n';
    const tree = workspace({ [BASE]: 'FROM debian:12\n', [`${ROOT}/docker/dev/Dockerfile`]: 'FROM x\n', [`${ROOT}/docker/tools/Dockerfile`]: 'FROM x\n', [RUN_CFG]: cfg });
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@dockconv/nx', options: { prefix: false } }] });
    await generate(tree, { name: 'a', from: 'dev' });
    await generate(tree, { name: 'b', from: 'tools' });
    assert.deepEqual(froms(dockerfile(tree, 'a')), ['dev:alice']);
    assert.deepEqual(froms(dockerfile(tree, 'b')), ['x-tools:alice']);
  });

  it('--from base is the default, ${BASE_IMAGE}', async () => {
    const tree = workspace({ [BASE]: 'FROM debian:12\n' });
    await generate(tree, { name: 'dev', from: 'base' });
    assert.match(dockerfile(tree, 'dev'), /^FROM \$\{BASE_IMAGE\}$/m);
  });

  it('--base: FROM an external image, no docker/base created', async () => {
    const tree = workspace();
    await generate(tree, { name: 'tools', base: true });
    assert.deepEqual(froms(dockerfile(tree, 'tools')), ['python:3.12-slim']);
    assert.ok(!tree.exists(BASE));
  });

  it('--base with --baseImage, and the gpu template defaulting to a CUDA runtime image', async () => {
    const tree = workspace();
    await generate(tree, { name: 'slim', base: true, baseImage: 'alpine:3.20' });
    await generate(tree, { name: 'cuda', base: true, template: 'gpu' });
    assert.deepEqual(froms(dockerfile(tree, 'slim')), ['alpine:3.20']);
    assert.deepEqual(froms(dockerfile(tree, 'cuda')), ['nvidia/cuda:12.4.1-runtime-ubuntu22.04']);
  });

  it('the name base and the base template make a base-style image', async () => {
    const tree = workspace();
    await generate(tree, { name: 'base' });
    await generate(tree, { name: 'tools', template: 'base', baseImage: 'debian:12' });
    assert.deepEqual(froms(read(tree, BASE)), ['python:3.12-slim']);
    assert.match(read(tree, BASE), /freezes every external dependency/);
    assert.deepEqual(froms(dockerfile(tree, 'tools')), ['debian:12']);
    assert.deepEqual(section(tree, 'base'), {});
  });
});

describe('image: run.cfg editing', () => {
  it('keeps an existing commented file byte for byte and only appends the section', async () => {
    const tree = workspace({ [BASE]: 'FROM debian:12\n', [RUN_CFG]: COMMENTED });
    await generate(tree, { name: 'notebook' });
    const text = read(tree, RUN_CFG);
    assert.ok(text.startsWith(COMMENTED), text);
    assert.equal(
      text.slice(COMMENTED.length),
      '\n\n[notebook]\nvolumes = -v {project_root}:{workdir}\nports = -p 8888:8888\n' +
        '# volumes_docked = ...   on a remote engine the project path does not exist; mount a volume instead\n',
    );
    assert.deepEqual(section(tree, 'base'), { build_args: '--build-arg A=1\n--build-arg B=2' });
  });

  it('keeps CRLF line ends', async () => {
    const crlf = '# c\r\n[base]\r\n';
    const tree = workspace({ [BASE]: 'FROM debian:12\n', [RUN_CFG]: crlf });
    await generate(tree, { name: 'dev' });
    assert.equal(read(tree, RUN_CFG), `${crlf}\r\n[dev]\r\nvolumes = ${MOUNT}\r\ninteractive = -it\r\n# environment = -e PYTHONPATH={workdir}\r\n`);
  });

  it('creates run.cfg with its explanatory header when missing', async () => {
    const tree = workspace({ [BASE]: 'FROM debian:12\n' });
    await generate(tree, { name: 'dev' });
    assert.match(read(tree, RUN_CFG), /^# Run \(and build\) configuration[\s\S]*\n\n\[dev\]\n/);
  });

  it('edits the older docker/dockerutils.cfg where the project has it', async () => {
    const legacy = `${ROOT}/docker/dockerutils.cfg`;
    const tree = workspace({ [BASE]: 'FROM debian:12\n', [legacy]: '[base]\n' });
    await generate(tree, { name: 'dev' });
    assert.ok(!tree.exists(RUN_CFG));
    assert.match(read(tree, legacy), /^\[base\]\n\n\[dev\]\n/);
  });
});

describe('image: refusals say one thing and write nothing', () => {
  const existing = { [BASE]: 'FROM debian:12\n', [`${ROOT}/docker/dev/Dockerfile`]: 'FROM x\n', [RUN_CFG]: '[dev]\n[notebook]\nname = jupyter/base-notebook\nprefix = false\n' };
  const cases: [string, Partial<ImageGeneratorSchema> & { name: string }, RegExp, Record<string, string>?][] = [
    ['an upper-case name', { name: 'Notebook' }, /^invalid image name 'Notebook' \(.*e\.g\. 'notebook'\)$/],
    ['a name with a slash', { name: 'a/b' }, /^invalid image name 'a\/b'/],
    ['a name starting with a separator', { name: '-x' }, /^invalid image name '-x'/],
    ['a name with spaces', { name: 'my image' }, /^invalid image name 'my image' \(.*e\.g\. 'my-image'\)$/],
    ['an empty name', { name: '' }, /^no image name given/],
    ['a reserved section name', { name: 'run_image' }, /^'run_image' is a reserved run\.cfg section name/],
    ['an existing image', { name: 'dev' }, /^apps\/x\/docker\/dev\/Dockerfile: image 'dev' already exists$/, existing],
    ['an existing run.cfg section', { name: 'notebook' }, /^apps\/x\/docker\/run\.cfg:2: run\.cfg already has a \[notebook\] section/, existing],
    ['an unknown project', { name: 'dev', project: 'nope' }, /^unknown project 'nope' \(projects: x\)$/],
    ['an unknown template', { name: 'dev', template: 'fancy' as 'plain' }, /^unknown template 'fancy' \(templates: plain, dev, notebook, gpu, base\)$/],
    ['--from an image that does not exist', { name: 'test', from: 'nope' }, /^--from names image 'nope', which does not exist/, existing],
    ['--from with --base', { name: 'test', from: 'dev', base: true }, /^--from cannot be combined with a base-style image/, existing],
    ['--baseImage when docker/base exists', { name: 'test', baseImage: 'alpine:3' }, /^--baseImage applies to --base images/, existing],
    ['an invalid --baseImage', { name: 'tools', base: true, baseImage: 'Not An Image' }, /^invalid base image 'Not An Image'/],
    ['a malformed run.cfg', { name: 'test' }, /^apps\/x\/docker\/run\.cfg:2: cannot read 'oops'/, { [RUN_CFG]: '[dev]\noops\n' }],
  ];
  for (const [title, options, message, files = {}] of cases) {
    it(`refuses ${title}`, async () => {
      const tree = workspace(files);
      const before = snapshot(tree);
      await assert.rejects(generate(tree, options), (e: Error) => message.test(e.message) && !e.message.includes('\n'));
      assert.deepEqual(snapshot(tree), before);
    });
  }
});

describe('image: the scaffold conforms (read back by the plugin\'s own workspace loader)', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('every template derives from base in the image graph; --from edges follow', async () => {
    const tree = workspace();
    for (const name of ['plain', 'dev', 'notebook', 'gpu']) await generate(tree, { name });
    await generate(tree, { name: 'test', template: 'dev', from: 'dev' });
    const dir = mkdtempSync(join(tmpdir(), 'dockconv-gen-'));
    dirs.push(dir);
    for (const change of tree.listChanges()) {
      mkdirSync(dirname(join(dir, change.path)), { recursive: true });
      writeFileSync(join(dir, change.path), change.content ?? '');
    }
    const { graph, projects } = loadWorkspaceImages(dir, [{ name: 'x', root: ROOT }], { user: 'alice' });
    assert.deepEqual(projects.get('x')?.runConfig.warnings, []);
    const parents = Object.fromEntries([...graph.values()].map((n) => [n.id, n.parents]));
    assert.deepEqual(parents, {
      'x:base': [], 'x:dev': ['x:base'], 'x:gpu': ['x:base'], 'x:notebook': ['x:base'], 'x:plain': ['x:base'], 'x:test': ['x:dev'],
    });
    assert.deepEqual(graph.get('x:base')?.external, ['python:3.12-slim']);
  });
});
