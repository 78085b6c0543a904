import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainIds, planTransfer, type SourceImage } from './plan';

const d = (c: string) => `sha256:${c.repeat(64)}`;

test('chain IDs equal the layer store keys Engine 20.10 wrote', () => {
  // From /var/lib/docker/image/overlay2/layerdb/sha256/* of a real engine.
  const diffs = [
    'sha256:9b79e1530aecafbab2e46649eb21744bdd8eb642f40373c446384e259f1287e5',
    'sha256:fc912a7f993ed9a2d9142ddb7b67405eede755e959033653fcb1805902b194f2',
    'sha256:dae709703de8582ebf46530b68edfb1438f29f26aae26fdea2f207476faa1e55',
  ];
  assert.deepEqual(chainIds(diffs), [
    'sha256:9b79e1530aecafbab2e46649eb21744bdd8eb642f40373c446384e259f1287e5',
    'sha256:0c0595f6545359d82b84321fee0405647703a66a28c9733f922b7a924268d795',
    'sha256:3fa44d415d23f533c7dbf81d234afe5de3d14825d3d52bc594a0f8a31a07ece0',
  ]);
});

const base: SourceImage = { ref: 'p-base:me', id: d('b'), diffIds: [d('1'), d('2')], layerSizes: [100, 20] };
const derived: SourceImage = { ref: 'p-dev:me', id: d('c'), diffIds: [d('1'), d('2'), d('3')], layerSizes: [100, 20, 5] };
const empty = { imageIds: new Set<string>(), chainIds: new Set<string>() };

test('an empty destination gets every layer', () => {
  const plan = planTransfer([base], empty);
  assert.deepEqual(plan.loadIds, [base.id]);
  assert.equal(plan.sent.length, 2);
  assert.equal(plan.skipDiffIds.size, 0);
});

test('a destination with the base gets only the derived layer', () => {
  const dest = { imageIds: new Set([base.id]), chainIds: new Set(chainIds(base.diffIds)) };
  const plan = planTransfer([derived], dest);
  assert.deepEqual([...plan.skipDiffIds].sort(), [d('1'), d('2')]);
  assert.deepEqual(plan.sent.map((l) => l.diffId), [d('3')]);
});

test('the same content on another parent is a different layer (chain, not diff, decides)', () => {
  const elsewhere: SourceImage = { ref: 'q:1', id: d('e'), diffIds: [d('9'), d('2')] };
  const dest = { imageIds: new Set([elsewhere.id]), chainIds: new Set(chainIds(elsewhere.diffIds)) };
  const plan = planTransfer([base], dest);
  assert.equal(plan.images[0]?.layers[1]?.present, false);
  assert.equal(plan.skipDiffIds.has(d('2')), false);
});

test('content needed by a missing chain travels even when present under another chain', () => {
  // Layer 2 repeats layer 1's content: the archive stores one copy, so it must be sent.
  const repeat: SourceImage = { ref: 'r:1', id: d('f'), diffIds: [d('1'), d('1')] };
  const dest = { imageIds: new Set<string>(), chainIds: new Set([d('1')]) };
  const plan = planTransfer([repeat], dest);
  assert.equal(plan.skipDiffIds.size, 0);
});

test('an image the destination has is tagged only; full sends everything regardless', () => {
  const dest = { imageIds: new Set([base.id]), chainIds: new Set(chainIds(base.diffIds)) };
  assert.equal(planTransfer([base], dest).images[0]?.action, 'tag');
  assert.deepEqual(planTransfer([base], dest).loadIds, []);
  const full = planTransfer([base], dest, { full: true });
  assert.equal(full.images[0]?.action, 'load');
  assert.equal(full.skipDiffIds.size, 0);
});

test('between a classic and a containerd store an equal ID means nothing: the image is loaded', () => {
  // The IDs name different things there (config digest, manifest digest); a match is chance.
  const dest = { imageIds: new Set([base.id]), chainIds: new Set(chainIds(base.diffIds)) };
  const plan = planTransfer([base], dest, { sameIdentity: false });
  assert.equal(plan.images[0]?.action, 'load');
  assert.deepEqual(plan.loadIds, [base.id]);
});

test('several images in one call share layers: each is sent once, each image saved once', () => {
  const again = { ...derived, ref: 'alias:1' };
  const plan = planTransfer([base, derived, again], empty);
  assert.deepEqual(plan.loadIds, [base.id, derived.id]);
  assert.deepEqual(plan.sent.map((l) => l.diffId), [d('1'), d('2'), d('3')]);
  assert.equal(plan.chainToDiff.size, 3);
});
