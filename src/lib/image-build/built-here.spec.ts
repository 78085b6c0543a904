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

  it('knows an image ID only on the engine that built it', () => {
    assert.equal(wasBuiltHere(dir, 'ENGINE-A', id), false);
    recordBuiltHere(dir, 'ENGINE-A', id);
    recordBuiltHere(dir, 'ENGINE-A', id);
    assert.equal(wasBuiltHere(dir, 'ENGINE-A', id), true);
    assert.equal(wasBuiltHere(dir, 'ENGINE-B', id), false);
    assert.equal(wasBuiltHere(dir, 'ENGINE-A', `sha256:${'ce'.repeat(32)}`), false);
  });

  it('lives in the user cache folder, not in the workspace', () => {
    assert.equal(builtHereDir({ XDG_CACHE_HOME: '/c', HOME: '/h' }), '/c/dockconv/built-here');
    assert.equal(builtHereDir({ HOME: '/h' }), '/h/.cache/dockconv/built-here');
  });
});
