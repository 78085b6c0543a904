import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confirmImage, imageCacheKey, SKIPPED } from './cache-keys';
import type { EngineSnapshot } from './engine-snapshot';

const REF = 'shop-dev:alice';
const request = { taskId: 'shop:docker-build-dev', inputsHash: 'h1', ref: REF };
const engine = (images: Record<string, string>, id = 'E1'): EngineSnapshot => ({ engine: id, images: new Map(Object.entries(images)) });
const store = () => mkdtempSync(join(tmpdir(), 'dockconv-keys-'));

/** One run: the key Nx would look up, then (when it ran) the executor's confirmation. */
function runOnce(dir: string, snapshot: EngineSnapshot, leaves?: string, req = request): string {
  const key = imageCacheKey(dir, req, snapshot);
  if (leaves) confirmImage(dir, { taskId: req.taskId, taskHash: key, ref: req.ref, image: leaves });
  return key;
}

describe('image cache keys', () => {
  it('a run that built the image is replayed while the engine holds that image, and only then', () => {
    const dir = store();
    const built = runOnce(dir, engine({}), 'sha256:x');
    assert.equal(imageCacheKey(dir, request, engine({ [REF]: 'sha256:x' })), built, 'no-op: the same key');
    assert.equal(imageCacheKey(dir, request, engine({ [REF]: 'sha256:x' })), built, 'and again');
    assert.notEqual(imageCacheKey(dir, request, engine({})), built, 'after docker rmi');
  });

  it('an image that is gone never matches, however often it is removed', () => {
    const dir = store();
    const keys = new Set<string>();
    for (let i = 0; i < 3; i++) {
      keys.add(runOnce(dir, engine({}), `sha256:${i}`));
      keys.add(imageCacheKey(dir, request, engine({}))); // removed again: must not match
    }
    assert.equal(keys.size, 6);
  });

  it('another image under the reference (re-tag, other branch) does not match', () => {
    const dir = store();
    const built = runOnce(dir, engine({}), 'sha256:x');
    assert.notEqual(imageCacheKey(dir, request, engine({ [REF]: 'sha256:other' })), built);
  });

  it('inputs A → B → A: A is replayed only if the engine holds A again', () => {
    const dir = store();
    const a = runOnce(dir, engine({}), 'sha256:a');
    const b = runOnce(dir, engine({ [REF]: 'sha256:a' }), 'sha256:b', { ...request, inputsHash: 'h2' });
    assert.notEqual(a, b);
    assert.notEqual(imageCacheKey(dir, request, engine({ [REF]: 'sha256:b' })), a, 'back at A, engine holds B');
  });

  it('another engine or another reference is another state', () => {
    const dir = store();
    const built = runOnce(dir, engine({}), 'sha256:x');
    assert.notEqual(imageCacheKey(dir, request, engine({ [REF]: 'sha256:x' }, 'E2')), built);
    assert.notEqual(imageCacheKey(dir, { ...request, ref: 'shop-dev:ci' }, engine({ 'shop-dev:ci': 'sha256:x' })), built);
  });

  it('a run that was never confirmed (failed, interrupted) is never replayed', () => {
    const dir = store();
    const failed = imageCacheKey(dir, request, engine({}));
    assert.notEqual(imageCacheKey(dir, request, engine({ [REF]: 'sha256:x' })), failed);
  });

  it('no engine: a new key every time', () => {
    const dir = store();
    assert.notEqual(imageCacheKey(dir, request, undefined), imageCacheKey(dir, request, undefined));
  });

  it('a confirmation for a key that is not the latest of its task changes nothing', () => {
    const dir = store();
    const stale = imageCacheKey(dir, request, engine({}));
    const latest = imageCacheKey(dir, request, engine({}));
    confirmImage(dir, { taskId: request.taskId, taskHash: stale, ref: REF, image: 'sha256:x' });
    assert.notEqual(imageCacheKey(dir, request, engine({ [REF]: 'sha256:x' })), stale);
    assert.notEqual(imageCacheKey(dir, request, engine({ [REF]: 'sha256:x' })), latest);
  });

  it("without the task hash (batch mode) the task's latest key is confirmed", () => {
    const dir = store();
    const key = imageCacheKey(dir, request, engine({}));
    confirmImage(dir, { taskId: request.taskId, ref: REF, image: 'sha256:x' });
    assert.equal(imageCacheKey(dir, request, engine({ [REF]: 'sha256:x' })), key);
  });

  it('a skipped image is replayed whatever the engine holds', () => {
    const dir = store();
    const key = runOnce(dir, engine({}), SKIPPED);
    assert.equal(imageCacheKey(dir, request, engine({ [REF]: 'sha256:anything' })), key);
  });
});
