import { test } from 'node:test';
import assert from 'node:assert/strict';
import { legacyLayerChain, topLevelMembers } from './legacy-layer';
import { chainIds } from './plan';
import { ENGINE_20_10_SAVE } from './save-fixture.spec';

const chains = chainIds(ENGINE_20_10_SAVE.diffIds);

test('every layer folder of a real Engine 20.10 save is matched to its chain ID', () => {
  ENGINE_20_10_SAVE.folders.forEach((folder, i) => {
    assert.equal(legacyLayerChain(folder, ENGINE_20_10_SAVE.jsons[i] ?? '', chains), chains[i]);
  });
});

test('a folder matches no chain of another image', () => {
  const other = chainIds(['sha256:' + 'a'.repeat(64)]);
  assert.equal(legacyLayerChain(ENGINE_20_10_SAVE.folders[0] ?? '', ENGINE_20_10_SAVE.jsons[0] ?? '', other), undefined);
});

test('unparseable json identifies nothing rather than throwing', () => {
  assert.equal(legacyLayerChain('x', '{"id":', chains), undefined);
});

test('top-level members keep raw value text (Go escapes survive)', () => {
  const members = topLevelMembers('{"a":"x\\u0026y","b":{"c":[1,"}"]},"n":12,"z":null}');
  assert.deepEqual(members, [
    ['a', '"x\\u0026y"'],
    ['b', '{"c":[1,"}"]}'],
    ['n', '12'],
    ['z', 'null'],
  ]);
});
