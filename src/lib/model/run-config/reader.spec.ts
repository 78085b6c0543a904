import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockconvError } from '../../errors';
import { readRunConfig } from './reader';
import { classifySections } from './schema';

describe('readRunConfig', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'run-config-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(join(root, 'p-'));
    mkdirSync(join(dir, 'docker'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'docker', name), text);
    return dir;
  }

  const RUN_CFG = [
    '[DEFAULT]', // 1
    'helper = x', // 2
    '[base]', // 3
    'build_args = --build-arg A=1', // 4
    '[dev]', // 5
    'volume = -v a:b', // 6
    'env = devenv', // 7
    '[devenv]', // 8
    'ANY_KEY = 1', // 9
    '[run_image]', // 10
    'synthetic_images = shell', // 11
    '[shell]', // 12
    'name = dev', // 13
    'cmd = bash', // 14
    'tag = x', // 15
    '[jupyter]', // 16
    'name = jupyter/base-notebook', // 17
    'tga = latest', // 18
    'prefix = false', // 19
    '[devv]', // 20
    'cmd = x', // 21
  ].join('\n');

  it('classifies sections and warns about unknown keys and sections', () => {
    const dir = project({ 'run.cfg': RUN_CFG });
    const file = join(dir, 'docker/run.cfg');
    const config = readRunConfig(dir, ['base', 'dev']);
    assert.equal(config.file, file);
    assert.deepEqual(
      Object.fromEntries(classifySections(config.doc, ['base', 'dev'])),
      { base: 'image', dev: 'image', devenv: 'env', run_image: 'run_image', shell: 'synthetic', jupyter: 'config-only', devv: 'unknown' },
    );
    assert.deepEqual(config.warnings.map((w) => [w.file, w.line, w.message]), [
      [file, 6, "unknown key 'volume' in [dev]; did you mean 'volumes'?"],
      [file, 18, "unknown key 'tga' in [jupyter]; did you mean 'tag'?"],
      [file, 20, 'section [devv] is unused: no docker/devv/Dockerfile, not a synthetic image of [run_image], not named by an env key, not a configuration-only image (name and prefix = false); did you mean [dev]?'],
    ]);
  });
  it('accepts synthetic images as dockerutils did: no section, no name, named like an image type, a build key only warns', () => {
    const text = '[run_image]\nsynthetic_images = a, b, dev\n[a]\nname = dev\ntag = x\nprefix = f\n[b]\ncmd = x\nbuild_args = --build-arg A=1\n[dev]\nname = base\n';
    const dir = project({ 'run.cfg': text });
    const config = readRunConfig(dir, ['base', 'dev']);
    assert.deepEqual(config.warnings.map((w) => [w.line, w.message]), [
      [9, "build key 'build_args' has no effect in [b]: a synthetic image is not built"],
    ]);
  });
  it('reads prefix as dockerutils did, warning where the readings differ', () => {
    const text = '[a]\nname = x\nprefix = F\n[b]\nname = y\nprefix = no\n[c]\nname = z\nprefix = maybe\n[d]\nname = w\nprefix = False\n';
    const dir = project({ 'run.cfg': text });
    const config = readRunConfig(dir, ['c']);
    const kinds = classifySections(config.doc, ['c']);
    assert.deepEqual(Object.fromEntries(kinds), { a: 'config-only', b: 'config-only', c: 'image', d: 'config-only' });
    assert.deepEqual(config.warnings.map((w) => w.line), [6, 9]);
    assert.match(config.warnings[0]?.message ?? '', /prefix = no is read as false .*dockerutils kept the prefix/);
    assert.match(config.warnings[1]?.message ?? '', /prefix = maybe is no boolean; read as true/);
  });
  it('gives an empty document without a file', () => {
    const config = readRunConfig(project({}), ['base']);
    assert.equal(config.file, undefined);
    assert.equal(config.doc.sections.size, 0);
    assert.deepEqual(config.warnings, []);
  });
  it('reads the dockerutils name without asking for a rename, and refuses both names', () => {
    const legacy = readRunConfig(project({ 'dockerutils.cfg': '[base]\n' }), ['base']);
    assert.ok(legacy.file?.endsWith('dockerutils.cfg'));
    assert.deepEqual(legacy.warnings, []);
    assert.throws(() => readRunConfig(project({ 'run.cfg': '', 'dockerutils.cfg': '' }), []), /both/);
  });
  it('refuses a file that is not UTF-8', () => {
    const dir = project({ 'run.cfg': '' });
    writeFileSync(join(dir, 'docker/run.cfg'), Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0x6b, 0x3d, 0xff, 0x0a]));
    assert.throws(() => readRunConfig(dir, []), /not valid UTF-8/);
  });
  for (const [title, text, line] of [
    ['a malformed file', '[dev]\nvolumes\n', 2],
  ] as const) {
    it(`refuses ${title}, naming file and line`, () => {
      const dir = project({ 'run.cfg': text });
      assert.throws(
        () => readRunConfig(dir, ['dev']),
        (e: DockconvError) => e instanceof DockconvError && e.file === join(dir, 'docker/run.cfg') && e.line === line,
      );
    });
  }
});
