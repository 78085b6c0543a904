import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type ConfigSection } from './parser';
import { readPrefix, runKey, syntheticImages } from './schema';

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
