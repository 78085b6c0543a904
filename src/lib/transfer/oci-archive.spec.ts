import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { rewriteOciLayout } from './oci-archive';

const digest = (body: Buffer) => `sha256:${createHash('sha256').update(body).digest('hex')}`;
const path = (d: string) => `blobs/sha256/${d.slice('sha256:'.length)}`;

/** A `docker save` of base and derived as Engine 26 writes it: blobs in digest order, index.json last. */
function savedArchive() {
  const big = randomBytes(3 * 1024 * 1024); // spooled: over the in-memory limit
  const small = randomBytes(4096);
  const json = (o: unknown) => Buffer.from(JSON.stringify(o));
  const baseConfig = json({ rootfs: { diff_ids: ['sha256:a'] }, created: '1' });
  const derivedConfig = json({ rootfs: { diff_ids: ['sha256:a', 'sha256:b'] }, created: '2' });
  const desc = (body: Buffer) => ({ digest: digest(body), size: body.length });
  const baseManifest = json({ schemaVersion: 2, config: desc(baseConfig), layers: [desc(big)] });
  const derivedManifest = json({ schemaVersion: 2, config: desc(derivedConfig), layers: [desc(big), desc(small)] });
  const blobs = [big, small, baseConfig, derivedConfig, baseManifest, derivedManifest].sort((a, b) => digest(a).localeCompare(digest(b)));
  const index = {
    schemaVersion: 2,
    manifests: [
      { ...desc(baseManifest), annotations: { 'io.containerd.image.name': 'docker.io/library/p-base:me' } },
      { ...desc(derivedManifest), annotations: { 'io.containerd.image.name': 'docker.io/library/p-dev:me' } },
    ],
  };
  const pack = tar.pack();
  pack.entry({ name: 'blobs/', type: 'directory' });
  for (const b of blobs) pack.entry({ name: path(digest(b)) }, b);
  pack.entry({ name: 'index.json' }, JSON.stringify(index));
  pack.entry({ name: 'manifest.json' }, JSON.stringify([{ RepoTags: ['p-dev:me'] }]));
  pack.entry({ name: 'oci-layout' }, '{"imageLayoutVersion":"1.0.0"}');
  pack.finalize();
  return { stream: Readable.from(pack), big, small, baseConfig, derivedConfig, baseManifest, derivedManifest };
}

async function readTar(stream: Readable): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const extract = tar.extract();
  stream.on('error', (err) => extract.destroy(err));
  stream.pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    out.set(entry.header.name, Buffer.concat(chunks));
  }
  return out;
}

test('only the blobs of an image the destination lists are left out; the index names the loaded image, untagged', async () => {
  const a = savedArchive();
  const spoolDir = mkdtempSync(join(tmpdir(), 'dockconv-spec-'));
  const { stream, stats } = rewriteOciLayout(a.stream, { loadIds: [digest(a.derivedManifest)], holds: { heldImages: new Set([digest(a.baseManifest)]) }, spoolDir });
  const out = await readTar(stream);
  for (const gone of [a.big, a.baseConfig, a.baseManifest]) assert.equal(out.has(path(digest(gone))), false);
  for (const kept of [a.small, a.derivedConfig, a.derivedManifest]) assert.deepEqual(out.get(path(digest(kept))), kept);
  const index = JSON.parse(out.get('index.json')?.toString() ?? '') as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  assert.deepEqual(index.manifests.map((m) => m.digest), [digest(a.derivedManifest)]);
  assert.deepEqual(index.manifests[0]?.annotations, {});
  assert.equal(out.has('manifest.json'), false, 'its RepoTags would tag on load');
  assert.equal(out.has('oci-layout'), true);
  assert.equal(stats.layersSkipped, 3);
  assert.deepEqual(readdirSync(spoolDir), [], 'spool files are removed');
});

test('a destination listing nothing gets every blob, even of layers it may have unpacked', async () => {
  const a = savedArchive();
  const { stream, stats } = rewriteOciLayout(a.stream, { loadIds: [digest(a.derivedManifest)], holds: { heldImages: new Set() }, spoolDir: tmpdir() });
  const out = await readTar(stream);
  assert.deepEqual(out.get(path(digest(a.big))), a.big);
  assert.equal(stats.layersSkipped, 0);
});

test('a classic-store source names the loaded image by its config digest', async () => {
  const a = savedArchive();
  const { stream } = rewriteOciLayout(a.stream, { loadIds: [digest(a.derivedConfig)], holds: { heldImages: new Set() }, spoolDir: tmpdir() });
  const index = JSON.parse((await readTar(stream)).get('index.json')?.toString() ?? '') as { manifests: { digest: string }[] };
  assert.deepEqual(index.manifests.map((m) => m.digest), [digest(a.derivedManifest)]);
});

test('an archive without index.json (the classic layout) is an error, not a guess', async () => {
  const pack = tar.pack();
  pack.entry({ name: 'manifest.json' }, '[]');
  pack.finalize();
  const { stream } = rewriteOciLayout(Readable.from(pack), { loadIds: ['x'], holds: { heldImages: new Set() }, spoolDir: tmpdir() });
  await assert.rejects(readTar(stream), /no OCI layout/);
});

test('a classic-store destination: compressed blobs of layers it has are left out by their place in the manifest; manifest.json stays, untagged', async () => {
  const a = savedArchive();
  const { stream, stats } = rewriteOciLayout(a.stream, { loadIds: [digest(a.derivedManifest)], holds: { skipDiffIds: new Set(['sha256:a']) }, spoolDir: tmpdir() });
  const out = await readTar(stream);
  assert.equal(out.has(path(digest(a.big))), false, 'the layer with diff ID a, whatever its blob is named');
  assert.deepEqual(out.get(path(digest(a.small))), a.small);
  assert.deepEqual(JSON.parse(out.get('manifest.json')?.toString() ?? ''), [{ RepoTags: null }]);
  assert.equal(stats.layersSkipped, 1);
});

test('a classic-store destination with no layer in common gets every blob', async () => {
  const a = savedArchive();
  const { stream } = rewriteOciLayout(a.stream, { loadIds: [digest(a.derivedManifest)], holds: { skipDiffIds: new Set(['sha256:zzz']) }, spoolDir: tmpdir() });
  const out = await readTar(stream);
  assert.deepEqual(out.get(path(digest(a.big))), a.big);
});
