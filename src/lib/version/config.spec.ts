import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockconvError } from '../errors';
import { readVersioneerConfig } from './config';
import { readToolVersioneer } from './pyproject';
import { readCfgSection } from './setup-cfg';

const entries = (m: Map<string, string> | undefined): Record<string, string> | undefined =>
  m && Object.fromEntries(m);

describe('setup.cfg as ConfigParser reads it', () => {
  it('both delimiters, lower-cased keys, comments, continuation lines, DEFAULT', () => {
    const text = [
      '[DEFAULT]',
      'base = pkg',
      '[versioneer]',
      '# comment',
      'VCS = git',
      'Style: pep440-post',
      '; another comment',
      'versionfile_source = %(base)s/_version.py',
      'tag_prefix =',
      'parentdir_prefix = a',
      '# a comment inside a multi-line value is skipped',
      '   b',
      '',
      '[other]',
      'x = 1',
    ].join('\n');
    assert.deepEqual(entries(readCfgSection(text, 'setup.cfg', 'versioneer')), {
      base: 'pkg',
      vcs: 'git',
      style: 'pep440-post',
      versionfile_source: 'pkg/_version.py',
      tag_prefix: '',
      parentdir_prefix: 'a\nb',
    });
  });
  it('%% is %, a lone % is an error, a missing section is undefined', () => {
    assert.equal(readCfgSection('[versioneer]\ntag_prefix = v%%\n', 'f', 'versioneer')?.get('tag_prefix'), 'v%');
    assert.throws(() => readCfgSection('[versioneer]\ntag_prefix = v%\n', 'f', 'versioneer'), DockconvError);
    assert.equal(readCfgSection('[metadata]\nname = x\n', 'f', 'versioneer'), undefined);
  });
  it('rejects what ConfigParser rejects, naming the line', () => {
    assert.throws(() => readCfgSection('VCS = git\n', 'setup.cfg', 'versioneer'), { line: 1 });
    assert.throws(() => readCfgSection('[versioneer]\nVCS = git\nvcs = git\n', 'setup.cfg', 'versioneer'), { line: 3 });
    assert.equal(readCfgSection('[DEFAULT]\nVCS = hg\n[versioneer]\nvcs = git\n', 'f', 'versioneer')?.get('vcs'), 'git');
    assert.throws(() => readCfgSection('[versioneer]\njust words\n', 'setup.cfg', 'versioneer'), { line: 2 });
  });
});

describe('pyproject.toml [tool.versioneer]', () => {
  it('reads strings of both kinds, comments, keeps key case, stops at the next table', () => {
    const text = [
      '[project]',
      'name = "x"',
      '[tool.versioneer]  # ours',
      'VCS = "git"',
      "style = 'pep440-pre' # trailing",
      'tag_prefix = ""',
      '"versionfile_source" = "pkg/_v\\u00e9.py"',
      'verbose = true',
      '[tool.other]',
      'VCS = "hg"',
    ].join('\n');
    assert.deepEqual(entries(readToolVersioneer(text, 'pyproject.toml')), {
      VCS: 'git',
      style: 'pep440-pre',
      tag_prefix: '',
      versionfile_source: 'pkg/_vé.py',
      verbose: 'True',
    });
  });
  it('no table → undefined; an unsupported value → error naming the key; bad TOML → error with its line', () => {
    assert.equal(readToolVersioneer('[tool.black]\nx = 1\n', 'p'), undefined);
    assert.throws(() => readToolVersioneer('[tool.versioneer]\nVCS = ["git"]\n', 'p'), /unsupported value for 'VCS' in \[tool.versioneer\]/);
    assert.throws(() => readToolVersioneer('[tool.versioneer]\nVCS = "git"\nstyle = \n', 'p'), { file: 'p', line: 3, message: 'invalid TOML: invalid value' });
  });
});

describe('readVersioneerConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-vcfg-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('none → undefined', async () => {
    assert.equal(await readVersioneerConfig(dir), undefined);
    writeFileSync(join(dir, 'setup.cfg'), '[metadata]\nname = x\n');
    assert.equal(await readVersioneerConfig(dir), undefined);
  });
  it("setup.cfg; tag_prefix '' means empty", async () => {
    writeFileSync(join(dir, 'setup.cfg'), "[versioneer]\nvcs = git\ntag_prefix = ''\nversionfile_source = p/_version.py\n");
    assert.deepEqual(await readVersioneerConfig(dir), {
      file: join(dir, 'setup.cfg'),
      vcs: 'git',
      style: '',
      versionfileSource: 'p/_version.py',
      versionfileBuild: undefined,
      tagPrefix: '',
      parentdirPrefix: undefined,
    });
  });
  it('pyproject.toml wins when its table is not empty; TOML keys are case-sensitive', async () => {
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.versioneer]\nVCS = "git"\ntag_prefix = "v"\n');
    assert.equal((await readVersioneerConfig(dir))?.tagPrefix, 'v');
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.versioneer]\n');
    assert.equal((await readVersioneerConfig(dir))?.file, join(dir, 'setup.cfg'));
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.versioneer]\nvcs = "git"\n');
    await assert.rejects(readVersioneerConfig(dir), /lack VCS/);
  });
  it('VCS other than git and an unknown style are errors', async () => {
    rmSync(join(dir, 'pyproject.toml'));
    writeFileSync(join(dir, 'setup.cfg'), '[versioneer]\nVCS = hg\n');
    await assert.rejects(readVersioneerConfig(dir), /VCS 'hg'/);
    writeFileSync(join(dir, 'setup.cfg'), '[versioneer]\nVCS = git\nstyle = fancy\n');
    await assert.rejects(readVersioneerConfig(dir), (e: DockconvError) => e.file === join(dir, 'setup.cfg'));
  });
});
