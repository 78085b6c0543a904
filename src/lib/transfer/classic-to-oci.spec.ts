import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { readTar, tarOf, type Member } from '../../testing/tar-archives';
import { dockerManifest, NotHeldError, rewriteClassicToOci, UnnamedLayerError } from './classic-to-oci';
import { chainIds } from './plan';
import { ENGINE_20_10_SAVE } from './save-fixture.spec';

const { diffIds, folders, jsons } = ENGINE_20_10_SAVE;
const chainToDiff = new Map(chainIds(diffIds).map((c, i) => [c, diffIds[i] ?? '']));
const hex = (d: string) => d.replace(/^sha256:/, '');
const layerBody = (i: number) => Buffer.alloc(4096 * (i + 1), i);
const config = (ids: readonly string[]) => Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: ids } }));
const BASE = config(diffIds.slice(0, 2));
const DERIVED = config(diffIds);
const idOf = (body: Buffer) => `sha256:${createHash('sha256').update(body).digest('hex')}`;

/** Engine 20.10's classic layout of derived saved with its base: folders, configs, manifest.json last. */
function classicArchive(folderNames: readonly string[] = folders): Readable {
  const members: Member[] = folderNames.flatMap((f, i) => [
    { name: `${f}/VERSION`, body: '1.0' },
    { name: `${f}/json`, body: jsons[i] ?? '' },
    { name: `${f}/layer.tar`, body: layerBody(i) },
  ]);
  members.push({ name: `${hex(idOf(BASE))}.json`, body: BASE }, { name: `${hex(idOf(DERIVED))}.json`, body: DERIVED });
  const layers = folderNames.map((f) => `${f}/layer.tar`);
  const manifest = [
    { Config: `${hex(idOf(DERIVED))}.json`, RepoTags: ['p-dev:me'], Layers: layers },
    { Config: `${hex(idOf(BASE))}.json`, RepoTags: ['p-base:me'], Layers: layers.slice(0, 2) },
  ];
  members.push({ name: 'manifest.json', body: JSON.stringify(manifest) }, { name: 'repositories', body: '{"p-dev":{"me":"x"}}' });
  return tarOf(members);
}

const sizes = new Map(diffIds.map((d, i) => [d as string, layerBody(i).length]));
const baseManifest = dockerManifest({ Config: `${hex(idOf(BASE))}.json`, Layers: [] }, { layerSizes: sizes, configs: new Map([[idOf(BASE), BASE]]) });

test('the manifest is byte for byte the one a containerd store makes loading a classic archive (seen on Engine 26.1 and 28.5)', () => {
  const configBody = Buffer.alloc(2032, 0x20);
  const configDigest = 'sha256:973068d47e1241799220fc0de6861204db4125f942bba9f25da850f178f69d6e';
  const layers: [string, number][] = [
    ['sha256:44e626e0efe7bc705dc11ba16a4961464855cf3fac9374dc57dff439147b42c3', 1984512],
    ['sha256:1943bb67b48d34518f6efddc7871d0edf53d6cd5a309f8e292004435d6ed11b5', 138752],
    ['sha256:f1128494ace3da63786c0d78236db85218598b5223bac2497ffef7a986dd832b', 301568],
  ];
  // Only the config's rootfs is read; its length is the descriptor's size.
  const rootfs = Buffer.from(JSON.stringify({ rootfs: { diff_ids: layers.map(([d]) => d) } }));
  const body = Buffer.concat([rootfs, configBody.subarray(rootfs.length)]);
  const m = dockerManifest({ Config: `${hex(configDigest)}.json`, Layers: [] }, { layerSizes: new Map(layers), configs: new Map([[configDigest, body]]) });
  assert.equal(m.digest, 'sha256:fa9cff6f9176a0aa3ec3b11c17f39e96ffd8388b2db1043c8d39e679f2adf832');
});

test('layers of a base the destination lists are left out; the layout names the derived image only, untagged', async () => {
  const skip = new Set(diffIds.slice(0, 2));
  const { stream, stats } = rewriteClassicToOci(classicArchive(), { loadIds: [idOf(DERIVED)], skipDiffIds: skip, chainToDiff, heldImages: new Set([baseManifest.digest]) });
  const out = await readTar(stream);
  assert.deepEqual([...out.keys()].filter((n) => n.startsWith('blobs/')).length, 3, 'top layer, config, manifest');
  for (const d of diffIds.slice(0, 2)) assert.equal(out.has(`blobs/sha256/${hex(d)}`), false);
  assert.deepEqual(out.get(`blobs/sha256/${hex(diffIds[2] ?? '')}`), layerBody(2));
  assert.deepEqual(out.get(`blobs/sha256/${hex(idOf(DERIVED))}`), DERIVED);
  const index = JSON.parse(out.get('index.json')?.toString() ?? '') as { manifests: { digest: string; annotations?: unknown }[] };
  assert.equal(index.manifests.length, 1);
  const manifest = out.get(`blobs/sha256/${hex(index.manifests[0]?.digest ?? '')}`)?.toString() ?? '';
  assert.deepEqual((JSON.parse(manifest) as { layers: { digest: string }[] }).layers.map((l) => l.digest), [...diffIds]);
  assert.equal(index.manifests[0]?.annotations, undefined, 'no name: the load tags nothing');
  assert.equal(out.has('manifest.json') || out.has('repositories'), false);
  assert.equal(stats.layersSkipped, 2);
});

test('left-out layers no listed image proves held: the stream fails before the index (nothing loads)', async () => {
  const { stream } = rewriteClassicToOci(classicArchive(), { loadIds: [idOf(DERIVED)], skipDiffIds: new Set(diffIds.slice(0, 2)), chainToDiff, heldImages: new Set(['sha256:other']) });
  await assert.rejects(readTar(stream), (err: unknown) => err instanceof NotHeldError && err.diffIds.length === 2);
});

test('nothing left out: every layer travels under its diff ID', async () => {
  const { stream } = rewriteClassicToOci(classicArchive(), { loadIds: [idOf(DERIVED)], skipDiffIds: new Set(), chainToDiff, heldImages: new Set() });
  const out = await readTar(stream);
  diffIds.forEach((d, i) => assert.deepEqual(out.get(`blobs/sha256/${hex(d)}`), layerBody(i)));
});

test('a layer folder that matches no layer is an error, not a guessed digest', async () => {
  const { stream } = rewriteClassicToOci(classicArchive(['f'.repeat(64), ...folders.slice(1)]), { loadIds: [idOf(DERIVED)], skipDiffIds: new Set(), chainToDiff, heldImages: new Set() });
  await assert.rejects(readTar(stream), UnnamedLayerError);
});
