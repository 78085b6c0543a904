import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tempTree } from '../../testing/temp-tree';
import { findImage, findRunnableImage, isBuiltHere, readDockerProject, type DockerProject } from './project';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function projectWith(runCfg: string, types = ['base', 'dev'], env: NodeJS.ProcessEnv = {}): DockerProject {
  const files: Record<string, string> = { 'p/docker/run.cfg': runCfg };
  for (const type of types) files[`p/docker/${type}/Dockerfile`] = 'FROM scratch\n';
  const root = tempTree(files, 'project-');
  roots.push(root);
  return readDockerProject(root, { name: 'p', root: 'p' }, { user: 'alice', env });
}

const refOf = (project: DockerProject, type: string): string => findRunnableImage(project, type).name.ref;

describe('synthetic images, named as dockerutils named them', () => {
  it('without a section of its own: <project>-<name>:<tag>, with a warning', () => {
    const project = projectWith('[run_image]\nsynthetic_images = dev, test\n[dev]\ncmd = x\n', ['dev']);
    assert.equal(refOf(project, 'test'), 'p-test:alice');
    assert.equal(isBuiltHere(findImage(project, 'test')), false);
    assert.match(project.runConfig.warnings.map((w) => w.message).join('\n'), /synthetic image 'test' has no \[test\] section: it runs p-test:alice/);
  });

  it('every warning names the line it comes from: synthetic_images for a missing section', () => {
    const cfg = '[run_image]\n\nsynthetic_images = ghost\n[dev]\nprefx = false\nprefix = no\ntag = bad tag!\n[devv]\ncmd = x\n';
    const project = projectWith(cfg, ['dev']);
    const shown = project.runConfig.warnings.map((w) => `${w.line ?? '?'}: ${w.message}`).sort();
    assert.deepEqual(shown.map((w) => w.replace(/:.*/, '')), ['3', '5', '6', '7', '8'], shown.join('\n'));
    assert.ok(shown.some((w) => w.startsWith("3: synthetic image 'ghost' has no [ghost] section")), shown.join('\n'));
  });

  it('a configuration-only image listed in synthetic_images runs the image it names', () => {
    const project = projectWith('[run_image]\nsynthetic_images = nb\n[nb]\nname = jupyter/scipy-notebook\ntag = latest\nprefix = false\n');
    const nb = findRunnableImage(project, 'nb');
    assert.equal(nb.name.ref, 'jupyter/scipy-notebook:latest');
    assert.equal(isBuiltHere(nb), false);
  });

  it('its tag chooses the tag, its name any image, and runs says which build makes it', () => {
    const project = projectWith(
      '[run_image]\nsynthetic_images = shell, exp, other\n[shell]\nname = dev\n[exp]\nname = dev\ntag = exp1\n[other]\nname = tools\n',
    );
    assert.equal(refOf(project, 'shell'), 'p-dev:alice');
    assert.equal(findImage(project, 'shell').runs, 'dev');
    assert.equal(refOf(project, 'exp'), 'p-dev:exp1');
    assert.equal(findImage(project, 'exp').runs, undefined, 'no build here makes the exp1 tag');
    assert.equal(refOf(project, 'other'), 'p-tools:alice');
  });

  it('named like an image type: running it runs the synthetic section; building it builds docker/<type>/ under its own name', () => {
    const project = projectWith('[run_image]\nsynthetic_images = dev\n[dev]\nname = base\ncmd = sh\n');
    const run = findRunnableImage(project, 'dev');
    assert.equal(run.kind, 'synthetic');
    assert.equal(run.name.ref, 'p-base:alice');
    assert.equal(run.runs, 'base');
    const built = findImage(project, 'dev');
    assert.equal(built.kind, 'build');
    assert.equal(built.name.ref, 'p-dev:alice');
    assert.equal(project.images.filter((i) => i.type === 'dev').length, 1);
  });

  it('a name that is a configuration-only section runs that image', () => {
    const project = projectWith('[run_image]\nsynthetic_images = lab\n[lab]\nname = nb\n[nb]\nname = jupyter/base-notebook\ntag = x\nprefix = false\n');
    assert.equal(refOf(project, 'lab'), 'jupyter/base-notebook:x');
  });
});

describe('prefix, read as dockerutils read it', () => {
  for (const [value, ref] of [['f', 'tools:alice'], ['F', 'tools:alice'], ['False', 'tools:alice'], ['no', 'tools:alice'], ['true', 'p-tools:alice'], ['maybe', 'p-tools:alice']]) {
    it(`prefix = ${value} names ${ref}`, () => {
      const project = projectWith(`[dev]\nname = tools\nprefix = ${value}\n`, ['dev']);
      assert.equal(refOf(project, 'dev'), ref);
    });
  }
});

describe('a problem in one section leaves the other images working', () => {
  it('an invalid name leaves that image out, and using it says why', () => {
    const project = projectWith('[dev]\nname = Not Valid\n[base]\ntag = ok\n');
    assert.equal(refOf(project, 'base'), 'p-base:ok');
    assert.deepEqual(project.images.map((i) => i.type), ['base']);
    assert.throws(() => findImage(project, 'dev'), /image 'dev' of p cannot be used: invalid image name 'p-Not Valid'/);
    assert.match(project.runConfig.warnings.map((w) => w.message).join('\n'), /image 'dev' is left out/);
  });

  it('an invalid synthetic tag leaves only that synthetic image out', () => {
    const project = projectWith('[run_image]\nsynthetic_images = bad, good\n[bad]\nname = dev\ntag = -no\n[good]\nname = dev\n');
    assert.equal(refOf(project, 'good'), 'p-dev:alice');
    assert.throws(() => findImage(project, 'bad'), /invalid image tag '-no'/);
  });
});
