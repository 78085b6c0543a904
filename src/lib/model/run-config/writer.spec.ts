import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../../errors';
import { APPENDED_VALUES, COMMENTED } from '../../../testing/run-config-text';
import { parseConfig, type ConfigSection } from './parser';
import { appendSection } from './writer';

describe('appendSection', () => {
  it('keeps a commented file byte for byte and adds the section', () => {
    const out = appendSection(COMMENTED, 'nb', [['name', 'jupyter/scipy-notebook'], ['prefix', 'false']]);
    assert.equal(out, `${COMMENTED}\n[nb]\nname = jupyter/scipy-notebook\nprefix = false\n`);
  });
  it('writes values so that they read back unchanged', () => {
    const section = parseConfig(appendSection(COMMENTED, 'nb', APPENDED_VALUES), 'f').sections.get('nb') as ConfigSection;
    assert.deepEqual(Object.fromEntries([...section.entries].map(([k, e]) => [k, e.value])), Object.fromEntries(APPENDED_VALUES));
  });
  for (const [title, existing, expected] of [
    ['an empty file', '', '[x]\nk = v\n'],
    ['no final newline', '[a]\nk = v', '[a]\nk = v\n\n[x]\nk = v\n'],
    ['a final blank line', '[a]\n\n', '[a]\n\n[x]\nk = v\n'],
    ['CRLF line ends', '[a]\r\nk = v\r\n', '[a]\r\nk = v\r\n\r\n[x]\r\nk = v\r\n'],
  ] as const) {
    it(`handles ${title}`, () => assert.equal(appendSection(existing, 'x', [['k', 'v']]), expected));
  }
  it('refuses an existing section, naming its line', () => {
    assert.throws(() => appendSection('[a]\n[x]\n', 'x', []), (e: DockconvError) => e.line === 2 && /already exists/.test(e.message));
    assert.throws(() => appendSection('', 'DEFAULT', []), DockconvError);
  });
  it('refuses a malformed existing file', () => {
    assert.throws(() => appendSection('[a]\nflag\n', 'x', []), (e: DockconvError) => e.line === 2);
  });
  for (const [key, value] of [['a=b', 'v'], ['#k', 'v'], ['k', ' lead'], ['k', 'x\n# y'], ['', 'v'], ['k', 'x\n  y']]) {
    it(`refuses what cannot read back: ${JSON.stringify([key, value])}`, () => {
      assert.throws(() => appendSection('', 'x', [[key, value]]), DockconvError);
    });
  }
  it('refuses a key given twice and a bad name', () => {
    assert.throws(() => appendSection('', 'x', [['k', '1'], ['k', '2']]), /given twice/);
    assert.throws(() => appendSection('', 'a\nb', []), DockconvError);
    assert.throws(() => appendSection('', '', []), DockconvError);
  });
});
