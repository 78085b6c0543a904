import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readKeywords, versionsFromKeywords, versionsFromParentdir, versionsFromShortFile } from './file-sources';
import { renderVersionFile } from './version-file';

const FULL = '0123456789abcdef0123456789abcdef01234567';

describe('git-archive keywords', () => {
  const kw = (refnames: string): Map<string, string> =>
    readKeywords(`git_refnames = "${refnames}"\n    git_full = "${FULL}"\ngit_date = "2024-01-01 10:00:00 +0000"\n`);

  it('unexpanded keywords are not a version source', () => {
    assert.equal(versionsFromKeywords(kw('$Format:%d$'), ''), undefined);
    assert.equal(versionsFromKeywords(new Map(), ''), undefined);
  });
  it('picks the lowest sorted tag with the prefix and a digit after it', () => {
    assert.deepEqual(versionsFromKeywords(kw(' (HEAD -> master, tag: v2.1, tag: v2.0, tag: vx)'), 'v'), {
      version: '2.0',
      'full-revisionid': FULL,
      dirty: false,
      error: null,
      date: '2024-01-01T10:00:00+0000',
    });
  });
  it('without "tag: " refs, refs holding a digit count', () => {
    assert.equal(versionsFromKeywords(kw(' (HEAD, master, 1.5, release)'), '')?.version, '1.5');
  });
  it('no suitable tag: 0+unknown with the revision', () => {
    assert.deepEqual(versionsFromKeywords(kw(' (HEAD -> master)'), ''), {
      version: '0+unknown',
      'full-revisionid': FULL,
      dirty: false,
      error: 'no suitable tags',
      date: null,
    });
  });
});

describe('short version file', () => {
  it('reads back what renderVersionFile writes', () => {
    const d = { version: '1.0', 'full-revisionid': FULL, dirty: true, error: null, date: null };
    assert.deepEqual(versionsFromShortFile(renderVersionFile(d), 'f'), d);
    assert.equal(versionsFromShortFile('__version__ = "1"\n', 'f'), undefined);
  });
});

describe('parentdir_prefix', () => {
  it('the root or up to two parents', () => {
    assert.equal(versionsFromParentdir('proj-', '/x/proj-1.2')?.version, '1.2');
    assert.equal(versionsFromParentdir('proj-', '/x/proj-1.2/a/b')?.version, '1.2');
    assert.equal(versionsFromParentdir('proj-', '/x/proj-1.2/a/b/c'), undefined);
  });
});
