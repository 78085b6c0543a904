import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type ConfigSection } from './parser';
import { readPrefix, runKey, syntheticImages, takesReplacements, type SectionKind } from './schema';

describe('runKey and syntheticImages', () => {
  const doc = parseConfig('[dev]\nnetwork = host\nnetwork_docked = bridge\ncmd = bash\n[run_image]\nsynthetic_images = a, b  c,,a\n', 'f');
  const dev = doc.sections.get('dev') as ConfigSection;
  it('uses <key>_docked only when remote and present', () => {
    assert.equal(runKey(dev, 'network', false)?.value, 'host');
    assert.equal(runKey(dev, 'network', true)?.value, 'bridge');
    assert.equal(runKey(dev, 'cmd', true)?.value, 'bash');
    assert.equal(runKey(dev, 'ports', true), undefined);
  });
  it('splits synthetic_images on commas and whitespace, once each', () => {
    assert.deepEqual(syntheticImages(doc), ['a', 'b', 'c'].map((name) => ({ name, line: 6 })));
    assert.deepEqual(syntheticImages(parseConfig('[dev]\n', 'f')), []);
  });
});

describe('readPrefix', () => {
  const at = (value: string) => ({ key: 'prefix', value, line: 4 });
  it('False, false, F and f are false without a word, as in dockerutils', () => {
    for (const v of ['False', 'false', 'F', 'f']) assert.deepEqual(readPrefix(at(v), 'run.cfg'), { value: false });
  });
  it('true words are true without a word', () => {
    for (const v of ['true', 'yes', 'on', '1', 'True']) assert.deepEqual(readPrefix(at(v), 'run.cfg'), { value: true });
  });
  it('no, off, 0 and FALSE are false, with a warning that dockerutils kept the prefix', () => {
    for (const v of ['no', 'off', '0', 'FALSE']) {
      const reading = readPrefix(at(v), 'run.cfg');
      assert.equal(reading.value, false);
      assert.equal(reading.warning?.line, 4);
      assert.match(reading.warning?.message ?? '', /read as false/);
    }
  });
  it('anything else keeps the prefix, as dockerutils did, with a warning', () => {
    const reading = readPrefix(at('maybe'), 'run.cfg');
    assert.equal(reading.value, true);
    assert.match(reading.warning?.message ?? '', /no boolean; read as true/);
  });
});

describe('takesReplacements', () => {
  const imageLike: SectionKind[] = ['image', 'synthetic', 'config-only'];
  it('run keys but env, their _docked forms, build_args and the scripts, in image-like sections', () => {
    const keys = ['cmd', 'args', 'environment', 'volumes', 'network_docked', 'volumes_docked', 'build_args', 'pre_build_script', 'post_build_script'];
    for (const kind of imageLike) for (const key of keys) assert.ok(takesReplacements(kind, key), `${kind} ${key}`);
  });
  it('not the keys that name a section or an image, nor unknown keys', () => {
    const keys = ['env', 'env_docked', 'name', 'tag', 'prefix', 'registry', 'aws_env', 'synthetic_images', 'build_args_docked', 'CMD', 'custom'];
    for (const kind of imageLike) for (const key of keys) assert.equal(takesReplacements(kind, key), false, `${kind} ${key}`);
  });
  it('every key of an env section, nothing in [run_image] or an unknown section', () => {
    assert.ok(takesReplacements('env', 'ANY_NAME'));
    assert.ok(takesReplacements('env', 'name'));
    for (const kind of ['run_image', 'unknown'] as const) {
      for (const key of ['cmd', 'synthetic_images', 'X']) assert.equal(takesReplacements(kind, key), false, `${kind} ${key}`);
    }
  });
});
