import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { readTar, tarOf } from '../../testing/tar-archives';
import { NoPlatformError, rewriteOciLayout } from './oci-archive';

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
  const stream = tarOf([
    { name: 'blobs/', type: 'directory' },
    ...blobs.map((b) => ({ name: path(digest(b)), body: b })),
    { name: 'index.json', body: JSON.stringify(index) },
    { name: 'manifest.json', body: JSON.stringify([{ RepoTags: ['p-dev:me'] }]) },
    { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
  ]);
  return { stream, big, small, baseConfig, derivedConfig, baseManifest, derivedManifest };
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
  assert.deepEqual(JSON.parse(out.get('manifest.json')?.toString() ?? ''), [{ Config: path(digest(a.derivedConfig)), RepoTags: null, Layers: [path(digest(a.big)), path(digest(a.small))] }]);
  assert.equal(stats.layersSkipped, 1);
});

test('a classic-store destination with no layer in common gets every blob', async () => {
  const a = savedArchive();
  const { stream } = rewriteOciLayout(a.stream, { loadIds: [digest(a.derivedManifest)], holds: { skipDiffIds: new Set(['sha256:zzz']) }, spoolDir: tmpdir() });
  const out = await readTar(stream);
  assert.deepEqual(out.get(path(digest(a.big))), a.big);
});

/** A multi-platform image as BuildKit saves it: an index of an amd64 and an arm64 manifest, and a provenance manifest. */
function multiPlatformArchive() {
  const json = (o: unknown) => Buffer.from(JSON.stringify(o));
  const desc = (body: Buffer) => ({ digest: digest(body), size: body.length });
  const layer = { amd64: randomBytes(2048), arm64: randomBytes(2048) };
  const config = { amd64: json({ rootfs: { diff_ids: ['sha256:x'] }, architecture: 'amd64' }), arm64: json({ rootfs: { diff_ids: ['sha256:y'] }, architecture: 'arm64' }) };
  const manifest = {
    amd64: json({ schemaVersion: 2, config: desc(config.amd64), layers: [desc(layer.amd64)] }),
    arm64: json({ schemaVersion: 2, config: desc(config.arm64), layers: [desc(layer.arm64)] }),
  };
  const provenance = json({ schemaVersion: 2, config: desc(config.amd64), layers: [] });
  const index = json({
    schemaVersion: 2,
    manifests: [
      { ...desc(manifest.amd64), platform: { os: 'linux', architecture: 'amd64' } },
      { ...desc(manifest.arm64), platform: { os: 'linux', architecture: 'arm64' } },
      { ...desc(provenance), platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
    ],
  });
  const pack = tar.pack();
  for (const b of [layer.amd64, layer.arm64, config.amd64, config.arm64, manifest.amd64, manifest.arm64, provenance, index]) pack.entry({ name: path(digest(b)) }, b);
  pack.entry({ name: 'index.json' }, JSON.stringify({ schemaVersion: 2, manifests: [desc(index)] }));
  pack.entry({ name: 'manifest.json' }, JSON.stringify([{ RepoTags: ['m:1'] }]));
  pack.finalize();
  return { stream: Readable.from(pack), layer, config, manifest, provenance, index };
}

test("of a multi-platform image only the destination's platform goes, under its index; a classic store gets that manifest in manifest.json", async () => {
  for (const holds of [{ heldImages: new Set<string>() }, { skipDiffIds: new Set<string>() }]) {
    const m = multiPlatformArchive();
    const { stream } = rewriteOciLayout(m.stream, { loadIds: [digest(m.index)], holds, platform: { os: 'linux', architecture: 'amd64' }, spoolDir: tmpdir() });
    const out = await readTar(stream);
    for (const kept of [m.index, m.manifest.amd64, m.config.amd64, m.layer.amd64]) assert.ok(out.has(path(digest(kept))));
    for (const gone of [m.manifest.arm64, m.config.arm64, m.layer.arm64, m.provenance]) assert.equal(out.has(path(digest(gone))), false);
    const entries = out.has('manifest.json') ? (JSON.parse(out.get('manifest.json')?.toString() ?? '') as { Config: string }[]) : undefined;
    if ('skipDiffIds' in holds) assert.deepEqual(entries?.map((e) => e.Config), [path(digest(m.config.amd64))]);
    else assert.equal(entries, undefined, "a containerd store's loader must not see manifest.json");
  }
});

test('an image with no platform the destination runs fails before anything is written', async () => {
  const m = multiPlatformArchive();
  const { stream } = rewriteOciLayout(m.stream, { loadIds: [digest(m.index)], holds: { heldImages: new Set() }, platform: { os: 'linux', architecture: 's390x' }, spoolDir: tmpdir() });
  await assert.rejects(readTar(stream), (err: unknown) => err instanceof NoPlatformError && /is for linux\/amd64, linux\/arm64; the destination runs linux\/s390x/.test(err.message));
});

test("an image the source's index.json leaves out (Engine 26's classic store saving by ID) is found by its config among the manifests", async () => {
  const json = (o: unknown) => Buffer.from(JSON.stringify(o));
  const desc = (body: Buffer) => ({ digest: digest(body), size: body.length });
  const layer = randomBytes(1024);
  const configs = [json({ rootfs: { diff_ids: ['sha256:a'] }, created: '1' }), json({ rootfs: { diff_ids: ['sha256:a'] }, created: '2' })];
  const manifests = configs.map((c) => json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: desc(c), layers: [desc(layer)] }));
  const pack = tar.pack();
  for (const b of [layer, ...configs, ...manifests]) pack.entry({ name: path(digest(b)) }, b);
  pack.entry({ name: 'index.json' }, JSON.stringify({ schemaVersion: 2, manifests: [desc(manifests[1] ?? Buffer.alloc(0))] }));
  pack.finalize();
  const { stream } = rewriteOciLayout(Readable.from(pack), { loadIds: configs.map(digest), holds: { skipDiffIds: new Set() }, spoolDir: tmpdir() });
  const out = await readTar(stream);
  const entries = JSON.parse(out.get('manifest.json')?.toString() ?? '') as { Config: string }[];
  assert.deepEqual(entries.map((e) => e.Config), configs.map((c) => path(digest(c))));
});
