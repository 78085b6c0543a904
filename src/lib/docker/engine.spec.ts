import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageList } from './engine';

describe('labelled image list', () => {
  it('maps references to IDs and leaves out untagged images', () => {
    const text = ['shop-dev:alice\tsha256:aa', '<none>:<none>\tsha256:bb', 'localhost:5000/x/y:1.0\tsha256:cc', ''].join('\n');
    assert.deepEqual([...parseImageList(text)], [
      ['shop-dev:alice', 'sha256:aa'],
      ['localhost:5000/x/y:1.0', 'sha256:cc'],
    ]);
  });
});
