import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { readTar, tarOf, type Member } from '../../testing/tar-archives';
import { rewriteArchive } from './archive';
import { chainIds } from './plan';
import { ENGINE_20_10_SAVE } from './save-fixture.spec';

const { diffIds, folders, jsons } = ENGINE_20_10_SAVE;
const chainToDiff = new Map(chainIds(diffIds).map((c, i) => [c, diffIds[i] ?? '']));

/** Classic layout in the order Engine 20.10 writes it: name order, so manifest.json near the end. */
function classicArchive(): Member[] {
  const members: Member[] = [{ name: `${'1'.repeat(64)}.json`, body: '{"rootfs":{}}' }];
  folders.forEach((f, i) => {
    members.push({ name: `${f}/VERSION`, body: '1.0' }, { name: `${f}/json`, body: jsons[i] ?? '' });
    members.push({ name: `${f}/layer.tar`, body: Buffer.alloc(4096 * (i + 1), i) });
  });
  const manifest = [{ Config: `${'1'.repeat(64)}.json`, RepoTags: ['p-base:me'], Layers: folders.map((f) => `${f}/layer.tar`) }];
  members.push({ name: 'manifest.json', body: JSON.stringify(manifest) }, { name: 'repositories', body: '{"p-base":{"me":"x"}}' });
  return members;
}

test('classic archive: present layers are left out, folders and metadata stay, tags go', async () => {
  const skipDiffIds = new Set([diffIds[0] ?? '', diffIds[1] ?? '']);
  const skipped: string[] = [];
  const { stream, stats } = rewriteArchive(tarOf(classicArchive()), { skipDiffIds, chainToDiff, onSkip: (d) => skipped.push(d) });
  const out = await readTar(stream);
  assert.equal(out.has(`${folders[0]}/layer.tar`), false);
  assert.equal(out.has(`${folders[1]}/layer.tar`), false);
  assert.equal(out.get(`${folders[2]}/layer.tar`)?.length, 4096 * 3);
  assert.equal(out.get(`${folders[0]}/json`)?.toString(), jsons[0]);
  assert.equal(out.has('repositories'), false);
  const manifest = JSON.parse(out.get('manifest.json')?.toString() ?? '') as { RepoTags: unknown; Layers: string[] }[];
  assert.equal(manifest[0]?.RepoTags, null);
  assert.equal(manifest[0]?.Layers.length, 3);
  assert.deepEqual(skipped, [diffIds[0], diffIds[1]]);
  assert.deepEqual(stats, { layersSkipped: 2, bytesSkipped: 4096 * 3, unidentified: [] });
});

test('classic archive: a folder that cannot be identified is sent whole', async () => {
  const members = classicArchive().map((m) => (m.name === `${folders[0]}/json` ? { ...m, body: '{"id":"other"}' } : m));
  const { stream, stats } = rewriteArchive(tarOf(members), { skipDiffIds: new Set(diffIds), chainToDiff });
  const out = await readTar(stream);
  assert.equal(out.has(`${folders[0]}/layer.tar`), true);
  assert.deepEqual(stats.unidentified, [folders[0]]);
  assert.equal(stats.layersSkipped, 2);
});

test('OCI layout: blobs of present layers are left out, name annotations and RepoTags removed', async () => {
  const blob = (d: string) => `blobs/sha256/${d.replace('sha256:', '')}`;
  const index = {
    schemaVersion: 2,
    manifests: [{ digest: 'sha256:m', annotations: { 'io.containerd.image.name': 'docker.io/p-base:me', 'org.opencontainers.image.ref.name': 'me', keep: 'y' } }],
  };
  const members: Member[] = [
    { name: blob(diffIds[0] ?? ''), body: Buffer.alloc(8192, 1) },
    { name: blob(diffIds[1] ?? ''), body: Buffer.alloc(1024, 2) },
    { name: blob(`sha256:${'c'.repeat(64)}`), body: '{"config":1}' },
    { name: 'index.json', body: JSON.stringify(index) },
    { name: 'manifest.json', body: JSON.stringify([{ Config: 'x', RepoTags: ['p-base:me'], Layers: [blob(diffIds[0] ?? '')] }]) },
    { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
  ];
  const { stream, stats } = rewriteArchive(tarOf(members), { skipDiffIds: new Set([diffIds[0] ?? '']), chainToDiff });
  const out = await readTar(stream);
  assert.equal(out.has(blob(diffIds[0] ?? '')), false);
  assert.equal(out.get(blob(diffIds[1] ?? ''))?.length, 1024);
  assert.equal(out.has(`blobs/sha256/${'c'.repeat(64)}`), true);
  assert.equal(out.get('oci-layout')?.toString(), '{"imageLayoutVersion":"1.0.0"}');
  const rewritten = JSON.parse(out.get('index.json')?.toString() ?? '') as typeof index;
  assert.deepEqual(rewritten.manifests[0]?.annotations, { keep: 'y' });
  assert.equal((JSON.parse(out.get('manifest.json')?.toString() ?? '') as { RepoTags: unknown }[])[0]?.RepoTags, null);
  assert.equal(stats.layersSkipped, 1);
});

/** A tar whose one layer is `mb` MB, produced from one reused buffer so the producer holds nothing. */
function bigArchive(name: string, mb: number): Readable {
  const pack = tar.pack();
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const sink = pack.entry({ name, size: mb * chunk.length });
  (async () => {
    for (let i = 0; i < mb; i++) {
      if (!sink.write(chunk)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
    }
    sink.end(chunk.subarray(0, 0));
    pack.finalize();
  })().catch((err: Error) => pack.destroy(err));
  return Readable.from(pack);
}

async function peakBuffers(stream: Readable): Promise<{ bytes: number; peak: number }> {
  let bytes = 0;
  let peak = 0;
  for await (const chunk of stream) {
    bytes += (chunk as Buffer).length;
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    await new Promise((resolve) => setImmediate(resolve)); // a consumer slower than the producer
  }
  return { bytes, peak };
}

test('a large layer streams through with bounded memory', async () => {
  const before = process.memoryUsage().arrayBuffers;
  const { stream } = rewriteArchive(bigArchive(`blobs/sha256/${'e'.repeat(64)}`, 96), { skipDiffIds: new Set(), chainToDiff });
  const { bytes, peak } = await peakBuffers(stream);
  assert.ok(bytes > 96 * 1024 * 1024);
  assert.ok(peak - before < 32 * 1024 * 1024, `held ${Math.round((peak - before) / 1e6)} MB`);
});

test('a large present layer is drained, not sent', async () => {
  const diff = `sha256:${'e'.repeat(64)}`;
  const { stream, stats } = rewriteArchive(bigArchive(`blobs/sha256/${'e'.repeat(64)}`, 64), { skipDiffIds: new Set([diff]), chainToDiff });
  const { bytes } = await peakBuffers(stream);
  assert.ok(bytes <= 10240, `${bytes} bytes out`);
  assert.equal(stats.bytesSkipped, 64 * 1024 * 1024);
});

test('a failing source fails the rewritten stream', async () => {
  const broken = new Readable({ read() { this.destroy(new Error('source went away')); } });
  const { stream } = rewriteArchive(broken, { skipDiffIds: new Set(), chainToDiff });
  await assert.rejects(readTar(stream), /source went away/);
});
