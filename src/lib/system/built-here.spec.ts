import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtHereDir, recordBuiltHere, wasBuiltHere } from './built-here';

describe('images built on this machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-built-here-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const id = `sha256:${'cd'.repeat(32)}`;

  it('knows the image IDs recorded, and no other', () => {
    assert.equal(wasBuiltHere(dir, id), false);
    recordBuiltHere(dir, id);
    recordBuiltHere(dir, id);
    assert.equal(wasBuiltHere(dir, id), true);
    assert.equal(wasBuiltHere(dir, id.replace(/^sha256:/, '')), true);
    assert.equal(wasBuiltHere(dir, `sha256:${'ce'.repeat(32)}`), false);
  });

  it('lives in the user cache folder, not in the workspace', () => {
    assert.equal(builtHereDir({ XDG_CACHE_HOME: '/c', HOME: '/h' }), '/c/dockconv/built-here');
    assert.equal(builtHereDir({ HOME: '/h' }), '/h/.cache/dockconv/built-here');
  });
});
