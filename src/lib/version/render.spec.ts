import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../errors';
import { normaliseStyle, pep440SplitPost, render } from './render';
import { STYLES, type Pieces } from './types';

const LONG = '0123456789abcdef0123456789abcdef01234567';
const DATE = '2024-03-01T12:00:00+0100';

function pieces(closestTag: string | null, distance: number, dirty: boolean, branch: string | null): Pieces {
  return { long: LONG, short: 'abc1234', error: null, date: DATE, closestTag, distance, dirty, branch };
}

// Expected values were produced by versioneer 0.28's own render() on the same pieces.
// Columns follow STYLES: pep440, -branch, -pre, -post, -post-branch, -old, git-describe, -long.
const TABLE: [string, Pieces, string[]][] = [
  ['exact tag on master', pieces('1.0', 0, false, 'master'),
    ['1.0', '1.0', '1.0', '1.0', '1.0', '1.0', '1.0', '1.0-0-gabc1234']],
  ['tag + 3 on master', pieces('1.0', 3, false, 'master'),
    ['1.0+3.gabc1234', '1.0+3.gabc1234', '1.0.post0.dev3', '1.0.post3+gabc1234', '1.0.post3+gabc1234', '1.0.post3', '1.0-3-gabc1234', '1.0-3-gabc1234']],
  ['exact tag, dirty', pieces('1.0', 0, true, 'master'),
    ['1.0+0.gabc1234.dirty', '1.0+0.gabc1234.dirty', '1.0', '1.0.post0.dev0+gabc1234', '1.0.post0+gabc1234.dirty', '1.0.post0.dev0', '1.0-dirty', '1.0-0-gabc1234-dirty']],
  ['tag + 2, dirty, on feature', pieces('1.0', 2, true, 'feature'),
    ['1.0+2.gabc1234.dirty', '1.0.dev0+2.gabc1234.dirty', '1.0.post0.dev2', '1.0.post2.dev0+gabc1234', '1.0.post2.dev0+gabc1234.dirty', '1.0.post2.dev0', '1.0-2-gabc1234-dirty', '1.0-2-gabc1234-dirty']],
  ['tag + 1 on main (only "master" counts)', pieces('1.0', 1, false, 'main'),
    ['1.0+1.gabc1234', '1.0.dev0+1.gabc1234', '1.0.post0.dev1', '1.0.post1+gabc1234', '1.0.post1.dev0+gabc1234', '1.0.post1', '1.0-1-gabc1234', '1.0-1-gabc1234']],
  ['tag + 1 on no branch', pieces('1.0', 1, false, null),
    ['1.0+1.gabc1234', '1.0.dev0+1.gabc1234', '1.0.post0.dev1', '1.0.post1+gabc1234', '1.0.post1.dev0+gabc1234', '1.0.post1', '1.0-1-gabc1234', '1.0-1-gabc1234']],
  ['no tag, 5 commits on master', pieces(null, 5, false, 'master'),
    ['0+untagged.5.gabc1234', '0+untagged.5.gabc1234', '0.post0.dev5', '0.post5+gabc1234', '0.post5+gabc1234', '0.post5', 'abc1234', 'abc1234']],
  ['no tag, dirty, on feature', pieces(null, 5, true, 'feature'),
    ['0+untagged.5.gabc1234.dirty', '0.dev0+untagged.5.gabc1234.dirty', '0.post0.dev5', '0.post5.dev0+gabc1234', '0.post5.dev0+gabc1234.dirty', '0.post5.dev0', 'abc1234-dirty', 'abc1234-dirty']],
  ['local-version tag: "." instead of a second "+"', pieces('1.0+local', 2, true, 'master'),
    ['1.0+local.2.gabc1234.dirty', '1.0+local.2.gabc1234.dirty', '1.0+local.post0.dev2', '1.0+local.post2.dev0.gabc1234', '1.0+local.post2.gabc1234.dirty', '1.0+local.post2.dev0', '1.0+local-2-gabc1234-dirty', '1.0+local-2-gabc1234-dirty']],
  ['.post tag + 2', pieces('1.0.post4', 2, false, 'master'),
    ['1.0.post4+2.gabc1234', '1.0.post4+2.gabc1234', '1.0.post5.dev2', '1.0.post4.post2+gabc1234', '1.0.post4.post2+gabc1234', '1.0.post4.post2', '1.0.post4-2-gabc1234', '1.0.post4-2-gabc1234']],
  ['empty .post segment', pieces('1.0.post', 1, false, 'master'),
    ['1.0.post+1.gabc1234', '1.0.post+1.gabc1234', '1.0.post1.dev1', '1.0.post.post1+gabc1234', '1.0.post.post1+gabc1234', '1.0.post.post1', '1.0.post-1-gabc1234', '1.0.post-1-gabc1234']],
  ['two .post segments', pieces('1.0.post1.post2', 1, false, 'master'),
    ['1.0.post1.post2+1.gabc1234', '1.0.post1.post2+1.gabc1234', '1.0.post0.dev1', '1.0.post1.post2.post1+gabc1234', '1.0.post1.post2.post1+gabc1234', '1.0.post1.post2.post1', '1.0.post1.post2-1-gabc1234', '1.0.post1.post2-1-gabc1234']],
];

describe('render: every style', () => {
  for (const [name, p, expected] of TABLE) {
    STYLES.forEach((style, i) => {
      it(`${name} / ${style} → ${expected[i]}`, () => {
        assert.deepEqual(render(p, style), {
          version: expected[i],
          'full-revisionid': LONG,
          dirty: p.dirty,
          error: null,
          date: DATE,
        });
      });
    });
  }
});

describe('render: special cases', () => {
  it('an error in pieces gives version "unknown" and keeps the revision', () => {
    const p: Pieces = { long: LONG, short: 'abc1234', error: 'boom', branch: 'master', dirty: true };
    assert.deepEqual(render(p, 'pep440'), { version: 'unknown', 'full-revisionid': LONG, dirty: null, error: 'boom', date: null });
  });
  it("'' and 'default' mean pep440; unknown styles are errors", () => {
    assert.equal(normaliseStyle(''), 'pep440');
    assert.equal(normaliseStyle('default'), 'pep440');
    assert.equal(normaliseStyle(undefined), 'pep440');
    assert.throws(() => normaliseStyle('pep441'), DockconvError);
  });
  it('pep440_split_post', () => {
    assert.deepEqual(pep440SplitPost('1.0'), ['1.0', undefined]);
    assert.deepEqual(pep440SplitPost('1.0.post3'), ['1.0', 3]);
    assert.deepEqual(pep440SplitPost('1.0.post'), ['1.0', 0]);
    assert.deepEqual(pep440SplitPost('1.0.post1_0'), ['1.0', 10]);
    assert.deepEqual(pep440SplitPost('1.0.post1.post2'), ['1.0', undefined]);
    assert.throws(() => pep440SplitPost('1.0.post3.dev1'), DockconvError, 'Python int() raises here too');
  });
});
